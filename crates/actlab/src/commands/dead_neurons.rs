//! `actlab probe dead-neurons`: the book's `calculate_disabled_neuron`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use nets::{NetworkConfig, SimpleNetwork};
use probe::{DeadNeuronProbe, ProbeSource, dead_neurons};
use train::{RunRecord, load_network, write_json_atomic};

use crate::cli::DeadNeuronArgs;
use crate::commands::plot::print_paths;
use crate::commands::{Runtime, load_data, network_config, runtime};
use crate::failure::{Failure, failed, input};
use viz::{Figure, Panel, Series};

/// Samples per forward pass: large batches amortise per-call overhead, and memory
/// stays small (the widest layer of a 2048-unit net is 8 MB per 1000 samples).
const PROBE_BATCH: usize = 1000;

/// The network to probe, where it came from, and the default report path
/// (`<run>/probes/<probe>-<checkpoint>.json`).
pub(crate) fn network_from_run(
    run_dir: &Path,
    checkpoint: Option<&str>,
    probe: &str,
    rt: &Runtime,
) -> Result<(SimpleNetwork, NetworkConfig, ProbeSource, PathBuf), Failure> {
    let record = RunRecord::load(run_dir)
        .with_context(|| format!("{}: not a run folder (expected run.json); --run takes a folder such as results/train/ReLU-s7", run_dir.display()))
        .map_err(input)?;
    let available: Vec<String> = record
        .checkpoints
        .iter()
        .filter_map(|c| c.path.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    let chosen = match checkpoint {
        Some(name) => record
            .checkpoints
            .iter()
            .find(|c| {
                c.path
                    .file_stem()
                    .is_some_and(|s| s == name.trim_end_matches(".bpk"))
            })
            .ok_or_else(|| {
                input(anyhow!(
                    "--checkpoint {name}: no such checkpoint in {} (available: {})",
                    run_dir.display(),
                    if available.is_empty() {
                        "none".to_string()
                    } else {
                        available.join(", ")
                    }
                ))
            })?,
        None => record.checkpoints.last().ok_or_else(|| {
            input(anyhow!(
                "{}: the run saved no checkpoint yet",
                run_dir.display()
            ))
        })?,
    };
    let (model, config) = load_network(&run_dir.join(&chosen.path), &rt.device).map_err(input)?;
    let stem = chosen
        .path
        .file_stem()
        .map_or("checkpoint".into(), |s| s.to_string_lossy().into_owned());
    let out = run_dir.join("probes").join(format!("{probe}-{stem}.json"));
    let source = ProbeSource::Checkpoint {
        run: run_dir.to_path_buf(),
        checkpoint: chosen.path.clone(),
        epoch: chosen.epoch,
    };
    Ok((model, config, source, out))
}

/// Runs the probe and prints the book's per-layer ratios.
pub fn run(args: DeadNeuronArgs) -> Result<ExitCode, Failure> {
    // Check everything the user typed before the slow parts (threads, data).
    let fresh_config = if args.init {
        Some(network_config(&args.network)?)
    } else {
        None
    };
    let data = load_data(&args.env)?;
    let rt = runtime(&args.env)?;
    let (model, config, source, default_out) = match (&args.run, fresh_config) {
        (Some(dir), _) => network_from_run(dir, args.checkpoint.as_deref(), "dead-neurons", &rt)?,
        (None, Some(config)) => {
            rt.device.seed(args.seed);
            let model = SimpleNetwork::new(&config, &rt.device).map_err(input)?;
            let widths: Vec<String> = config.hidden.iter().map(|w| w.to_string()).collect();
            let name = format!(
                "dead-neurons-init-{}-{}-s{}.json",
                config.activation_name().replace(' ', ""),
                widths.join("x"),
                args.seed
            );
            let out = PathBuf::from("results/probes").join(name);
            (model, config, ProbeSource::Init { seed: args.seed }, out)
        }
        (None, None) => {
            return Err(input(anyhow!(
                "pass --run DIR (a trained run) or --init (a fresh network)"
            )));
        }
    };
    let report = dead_neurons(&model, &data.train, PROBE_BATCH, &rt.device);
    let record = DeadNeuronProbe {
        probe: "dead-neurons".into(),
        source,
        network: config.clone(),
        split: "train".into(),
        report,
    };
    let out = args.out.clone().unwrap_or(default_out);
    write_json_atomic(&out, &record)
        .with_context(|| format!("cannot write {}", out.display()))
        .map_err(failed)?;

    let counts: Vec<usize> = record.report.layers.iter().map(|l| l.dead).collect();
    println!(
        "{} over {} training samples",
        config.model_name(),
        record.report.samples
    );
    println!("Number of layers to compare = {}", counts.len());
    println!(
        "Number of disabled neurons ({}) : {counts:?}",
        config.activation_name()
    );
    for layer in &record.report.layers {
        println!(
            "layer {}: {:>4} of {:>4} units dead, ratio {:.1}%",
            layer.layer,
            layer.dead,
            layer.units,
            layer.ratio * 100.0
        );
    }
    println!("Report: {}", out.display());
    let figure = dead_neuron_figure(&config, &record.report);
    let name = out
        .file_stem()
        .map_or("dead-neurons".into(), |s| s.to_string_lossy().into_owned());
    let paths = figure
        .write_all(&out.with_file_name(format!("{name}-figure")))
        .context("cannot write the figure")
        .map_err(failed)?;
    print_paths(&paths);
    Ok(ExitCode::SUCCESS)
}

/// Per hidden layer, as bars: dead units, saturated units and mean sparsity, in percent.
pub(crate) fn dead_neuron_figure(
    config: &NetworkConfig,
    report: &probe::DeadNeuronReport,
) -> Figure {
    let layers: Vec<f64> = report.layers.iter().map(|l| l.layer as f64).collect();
    let bars = |name: &str, f: fn(&probe::DeadLayer) -> f64| Series {
        name: name.into(),
        x: layers.clone(),
        y: report.layers.iter().map(|l| 100.0 * f(l)).collect(),
        dashed: false,
        bars: true,
    };
    Figure::new(
        format!("{}, {} samples", config.model_name(), report.samples),
        1,
        vec![Panel {
            title: format!(
                "dead: always 0; saturated: |f'(z)| < {}; sparse: |h| < {}",
                probe::SATURATION_SLOPE,
                probe::SILENT_OUTPUT
            ),
            x_label: "hidden layer".into(),
            y_label: "percent of units".into(),
            y_from_zero: true,
            series: vec![
                bars("dead", |l| l.ratio),
                bars("saturated", |l| l.saturated_ratio),
                bars("mean sparsity", |l| l.mean_sparsity),
            ],
        }],
    )
}
