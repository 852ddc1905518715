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
    for l in &report.layers {
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

/// Per hidden layer, as bars: dead units, saturated units and mean sparsity, in percent.
pub fn dead_neuron_figure(probe: &ProbeRecord<DeadNeuronReport>) -> Figure {
    let report = &probe.report;
    let layers: Vec<f64> = report.layers.iter().map(|l| l.layer as f64).collect();
    let bars = |name: &str, f: fn(&DeadLayer) -> f64| {
        let y = report.layers.iter().map(|l| 100.0 * f(l)).collect();
        Series::bars(name, layers.clone(), y)
    };
    Figure::new(
        format!("{}, {} samples", probe.network.model_name(), report.samples),
        1,
        vec![Panel {
            title: format!(
                "dead: always 0; saturated: |f'(z)| < {}; sparse: |h| < {}",
                report.saturation_slope, report.silent_output
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

/// Several dead-neuron reports as grouped bars: per layer, each report's dead share.
pub fn dead_neuron_comparison(probes: &[ProbeRecord<DeadNeuronReport>]) -> Figure {
    let series = probes
        .iter()
        .map(|p| {
            let layers = &p.report.layers;
            Series::bars(
                p.label(),
                layers.iter().map(|l| l.layer as f64).collect(),
                layers.iter().map(|l| l.ratio * 100.0).collect(),
            )
        })
        .collect();
    Figure::new(
        "Dead units per layer: output exactly 0 on every training image",
        1,
        vec![Panel {
            title: "one bar per report".into(),
            x_label: "hidden layer".into(),
            y_label: "dead units (%)".into(),
            y_from_zero: true,
            series,
        }],
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
    }
}
