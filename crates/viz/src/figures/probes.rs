//! Probe reports: gradient and weight histograms, layer outputs, dead units, surfaces.

use spec::figure::{Figure, Panel, Series, SurfaceFigure};
use spec::record::probe::{
    DeadLayer, DeadNeuronReport, GradientReport, Histogram, OutputReport, ProbeRecord,
    SurfaceReport,
};

/// A histogram as a step curve: each bin a flat segment at its count.
fn steps(name: &str, h: &Histogram) -> Series {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for (i, &count) in h.counts.iter().enumerate() {
        x.extend([h.edges[i], h.edges[i + 1]]);
        y.extend([count as f64, count as f64]);
    }
    Series::line(name, x, y)
}

/// Gradient histograms on the first row, weight histograms on the second, a column
/// per Linear layer, each titled with its spread.
pub fn gradient_figure(probe: &ProbeRecord<GradientReport>) -> Figure {
    let report = &probe.report;
    let mut panels = Vec::new();
    for l in &report.layers {
        let title = format!(
            "Linear-{} dL/dW (std {:.2e})",
            l.layer, l.gradient_stats.std
        );
        let series = vec![steps("dL/dW", &l.gradient)];
        panels.push(Panel::new(title, "gradient", "count", series).from_zero());
    }
    for l in &report.layers {
        let title = format!("Linear-{} W (std {:.3})", l.layer, l.weight_stats.std);
        let series = vec![steps("W", &l.weight)];
        panels.push(Panel::new(title, "weight", "count", series).from_zero());
    }
    Figure::new(
        format!(
            "{}: weight gradients after one batch (loss {:.3}) and weights",
            probe.network.model_name(),
            report.loss
        ),
        report.layers.len(),
        panels,
    )
}

/// A histogram panel per hidden layer, titled with its exact-zero share and spread.
pub fn output_figure(probe: &ProbeRecord<OutputReport>) -> Figure {
    let panels = probe
        .report
        .layers
        .iter()
        .map(|l| {
            let title = format!(
                "layer {} ({} units): {:.1}% zero, std {:.2}",
                l.layer,
                l.units,
                l.zero_fraction * 100.0,
                l.stats.std
            );
            Panel::new(
                title,
                "output",
                "count",
                vec![steps("outputs", &l.histogram)],
            )
            .from_zero()
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

/// The hidden layers as bar groups, input side first.
fn layer_names(layers: &[DeadLayer]) -> Vec<String> {
    layers
        .iter()
        .map(|l| format!("layer {}", l.layer))
        .collect()
}

/// Bar positions 0, 1, ... for `n` groups.
fn indices(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64).collect()
}

/// Per hidden layer, as bars with their values: dead and saturated units (shares of the
/// layer's units) and mean sparsity (the share of samples on which a unit is silent).
pub fn dead_neuron_figure(probe: &ProbeRecord<DeadNeuronReport>) -> Figure {
    let report = &probe.report;
    let x = indices(report.layers.len());
    let bars = |name: &str, f: fn(&DeadLayer) -> f64| {
        let y = report.layers.iter().map(|l| 100.0 * f(l)).collect();
        Series::bars(name, x.clone(), y)
    };
    let panel = Panel::new(
        format!(
            "dead: always 0; saturated: |f'(z)| < {}; sparse: |h| < {}",
            report.saturation_slope, report.silent_output
        ),
        "",
        "% of the layer's units (dead, saturated) or of samples (sparsity)",
        vec![
            bars("dead units", |l| l.ratio),
            bars("saturated units", |l| l.saturated_ratio),
            bars("mean sparsity", |l| l.mean_sparsity),
        ],
    );
    Figure::new(
        format!("{}, {} samples", probe.network.model_name(), report.samples),
        1,
        vec![
            panel
                .from_zero()
                .with_categories(layer_names(&report.layers)),
        ],
    )
}

/// Several dead-neuron reports as grouped bars: per layer, each report's dead share.
pub fn dead_neuron_comparison(probes: &[ProbeRecord<DeadNeuronReport>]) -> Figure {
    let deepest = probes
        .iter()
        .max_by_key(|p| p.report.layers.len())
        .map_or(&[][..], |p| &p.report.layers[..]);
    let series = probes
        .iter()
        .map(|p| {
            let layers = &p.report.layers;
            let y = layers.iter().map(|l| l.ratio * 100.0).collect();
            Series::bars(p.label(), indices(layers.len()), y)
        })
        .collect();
    let panel = Panel::new(
        "one bar per report",
        "",
        "dead units (% of the layer)",
        series,
    );
    Figure::new(
        "Dead units per layer: output exactly 0 on every training image",
        1,
        vec![panel.from_zero().with_categories(layer_names(deepest))],
    )
}

/// The surface Z = f(X) + f(Y) beside the heatmap of its gradient magnitude.
pub fn surface_figure(report: &SurfaceReport) -> SurfaceFigure {
    SurfaceFigure {
        title: format!("{}: surface and gradient flow", report.activation),
        x: report.x.clone(),
        y: report.y.clone(),
        z: report.z.clone(),
        gradient_magnitude: report.gradient_magnitude.clone(),
        labels: None,
    }
}
