//! `actlab probe gradients`: the book's `visualize_gradients`, with statistics.

use std::path::PathBuf;
use std::process::ExitCode;

use acts::{ActivationConfig, BOOK_ACTIVATIONS};
use anyhow::Context;
use nets::NetworkConfig;
use probe::{GradientProbe, Histogram, gradient_probe};
use train::write_json_atomic;
use viz::{Figure, Panel, Series};

use crate::cli::GradientArgs;
use crate::commands::{chosen_activations, load_data, runtime};
use crate::failure::{Failure, failed, input};

/// A histogram as a step curve: each bin a flat segment at its count.
pub(crate) fn steps(name: &str, h: &Histogram) -> Series {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for (i, &count) in h.counts.iter().enumerate() {
        x.extend([h.edges[i], h.edges[i + 1]]);
        y.extend([count as f64, count as f64]);
    }
    Series {
        name: name.into(),
        x,
        y,
        dashed: false,
        bars: false,
    }
}

/// Gradient histograms on the first row, weight histograms on the second, a column
/// per Linear layer, each titled with its spread.
pub fn gradient_figure(probe: &GradientProbe) -> Figure {
    let layers = probe.layers.len();
    let mut panels = Vec::new();
    for l in &probe.layers {
        panels.push(Panel {
            title: format!(
                "Linear-{} dL/dW (std {:.2e})",
                l.layer, l.gradient_stats.std
            ),
            x_label: "gradient".into(),
            y_label: "count".into(),
            y_from_zero: true,
            series: vec![steps("dL/dW", &l.gradient)],
        });
    }
    for l in &probe.layers {
        panels.push(Panel {
            title: format!("Linear-{} W (std {:.3})", l.layer, l.weight_stats.std),
            x_label: "weight".into(),
            y_label: "count".into(),
            y_from_zero: true,
            series: vec![steps("W", &l.weight)],
        });
    }
    Figure::new(
        format!(
            "{}: weight gradients after one batch (loss {:.3}) and weights",
            probe.network.model_name(),
            probe.loss
        ),
        layers,
        panels,
    )
}

/// `actlab probe gradients`.
pub fn run(args: GradientArgs) -> Result<ExitCode, Failure> {
    let specs = chosen_activations(args.acts.as_deref(), &args.defs, &BOOK_ACTIVATIONS)?;
    let data = load_data(&args.env)?;
    let rt = runtime(&args.env)?;
    let device = rt.device.clone().autodiff();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results/probes"));
    let mut networks: Vec<NetworkConfig> = specs
        .into_iter()
        .map(|s| NetworkConfig::book(ActivationConfig::new(s)))
        .collect();
    networks.push(networks[0].clone().without_activation());
    for network in &networks {
        let probe = gradient_probe(
            network,
            args.seed,
            &data.train,
            args.batch,
            args.bins,
            &device,
        )
        .map_err(input)?;
        let name = network.activation_name().replace(' ', "");
        let report = out.join(format!("gradients-{name}.probe.json"));
        write_json_atomic(&report, &probe)
            .with_context(|| format!("cannot write {}", report.display()))
            .map_err(failed)?;
        let stem = out.join(format!("gradients-{name}"));
        let paths = gradient_figure(&probe)
            .write_all(&stem)
            .with_context(|| format!("cannot write {}", stem.display()))
            .map_err(failed)?;
        let stds: Vec<String> = probe
            .layers
            .iter()
            .map(|l| format!("{:.2e}", l.gradient_stats.std))
            .collect();
        println!(
            "{}: gradient std per layer [{}]; {} and {}",
            network.model_name(),
            stds.join(", "),
            report.display(),
            paths[2].display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
