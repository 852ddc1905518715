//! `actlab probe outputs`: the book's layer-output distributions of a trained model.

use std::process::ExitCode;

use anyhow::Context;
use burn::module::Module;
use probe::{OutputReport, layer_outputs};
use serde::{Deserialize, Serialize};
use train::write_json_atomic;
use viz::{Figure, Panel};

use crate::cli::OutputArgs;
use crate::commands::dead_neurons::network_from_run;
use crate::commands::gradients::steps;
use crate::commands::plot::print_paths;
use crate::commands::{load_data, runtime};
use crate::failure::{Failure, failed};

/// The saved result: what was probed and the per-layer distributions.
#[derive(Serialize, Deserialize)]
pub(crate) struct OutputProbe {
    probe: String,
    source: probe::ProbeSource,
    network: nets::NetworkConfig,
    split: String,
    report: OutputReport,
}

/// A histogram panel per hidden layer, titled with its exact-zero share and spread.
pub(crate) fn output_figure(probe: &OutputProbe) -> Figure {
    let panels = probe
        .report
        .layers
        .iter()
        .map(|l| Panel {
            title: format!(
                "layer {} ({} units): {:.1}% zero, std {:.2}",
                l.layer,
                l.units,
                l.zero_fraction * 100.0,
                l.stats.std
            ),
            x_label: "output".into(),
            y_label: "count".into(),
            y_from_zero: true,
            series: vec![steps("outputs", &l.histogram)],
        })
        .collect();
    Figure::new(
        format!(
            "{}: layer outputs over the {} test images",
            probe.network.model_name(),
            probe.report.samples
        ),
        2,
        panels,
    )
}

/// `actlab probe outputs`.
pub fn run(args: OutputArgs) -> Result<ExitCode, Failure> {
    let data = load_data(&args.env)?;
    let rt = runtime(&args.env)?;
    let (model, config, source, out) =
        network_from_run(&args.run, args.checkpoint.as_deref(), "outputs", &rt)?;
    let report = layer_outputs(&model.valid(), &data.test, 1000, args.bins, &rt.device);
    for l in &report.layers {
        println!(
            "layer {}: mean {:.4}, std {:.4}, |h| median {:.4}, {:.1}% exactly zero",
            l.layer,
            l.stats.mean,
            l.stats.std,
            l.stats.abs_p50,
            l.zero_fraction * 100.0
        );
    }
    let record = OutputProbe {
        probe: "outputs".into(),
        source,
        network: config,
        split: "test".into(),
        report,
    };
    let figure = output_figure(&record);
    write_json_atomic(&out, &record)
        .with_context(|| format!("cannot write {}", out.display()))
        .map_err(failed)?;
    // Beside the report: <report>-figure.json/.svg/.png.
    let report_name = out
        .file_stem()
        .map_or("outputs".into(), |s| s.to_string_lossy().into_owned());
    let stem = out.with_file_name(format!("{report_name}-figure"));
    let paths = figure
        .write_all(&stem)
        .with_context(|| format!("cannot write {}", stem.display()))
        .map_err(failed)?;
    println!("{}", out.display());
    print_paths(&paths);
    Ok(ExitCode::SUCCESS)
}
