//! Training curves: one run's, and every run of an experiment side by side.

use spec::figure::{Figure, Panel, Series};
use spec::{EpochMetrics, LayerTrack, RunRecord};

/// Loss and accuracy per epoch of one run, training and test; with `--track grads`
/// also each layer's mean gradient norm and weight spread per epoch.
pub fn run_figure(record: &RunRecord) -> Figure {
    let epochs: Vec<f64> = record.epochs.iter().map(|e| e.epoch as f64).collect();
    let values = |f: fn(&EpochMetrics) -> f64| record.epochs.iter().map(f).collect();
    let mut figure = Figure::new(
        format!(
            "{} ({}, seed {})",
            record.network.model_name(),
            record.experiment,
            record.train.seed
        ),
        2,
        vec![
            Panel::new(
                "Loss",
                "epoch",
                "cross-entropy",
                vec![
                    Series::line("train", epochs.clone(), values(|e| e.train_loss)),
                    Series::dashed("test", epochs.clone(), values(|e| e.test_loss)),
                ],
            ),
            Panel::new(
                "Accuracy",
                "epoch",
                "accuracy (%)",
                vec![
                    Series::line(
                        "train",
                        epochs.clone(),
                        values(|e| e.train_accuracy * 100.0),
                    ),
                    Series::dashed("test", epochs.clone(), values(|e| e.test_accuracy * 100.0)),
                ],
            ),
        ],
    );
    let layers = record.epochs.first().map_or(0, |e| e.layers.len());
    if layers > 0 {
        let per_layer = |f: fn(&LayerTrack) -> f64| -> Vec<Series> {
            (0..layers)
                .map(|l| {
                    let y = record
                        .epochs
                        .iter()
                        .map(|e| e.layers.get(l).map_or(f64::NAN, f))
                        .collect();
                    Series::line(format!("Linear-{}", l + 1), epochs.clone(), y)
                })
                .collect()
        };
        figure.panels.push(
            Panel::new(
                "Mean gradient norm per layer",
                "epoch",
                "mean ||dL/dW||",
                per_layer(|t| t.grad_norm_mean),
            )
            .from_zero(),
        );
        figure.panels.push(Panel::new(
            "Weight spread per layer",
            "epoch",
            "std of W",
            per_layer(|t| t.weight_std),
        ));
    }
    figure
}

/// Test accuracy per epoch of every run of an experiment on one chart, the training
/// loss beside it; below, each run's final test accuracy and its time as bars, named
/// and sorted best first.
pub fn experiment_figure(name: &str, records: &[RunRecord]) -> Figure {
    let per_run = |f: fn(&EpochMetrics) -> f64| {
        records
            .iter()
            .map(|r| {
                let x = r.epochs.iter().map(|e| e.epoch as f64).collect();
                Series::line(r.run.clone(), x, r.epochs.iter().map(f).collect())
            })
            .collect()
    };
    Figure::new(
        format!("Experiment {name}"),
        2,
        vec![
            Panel::new(
                "Test accuracy",
                "epoch",
                "accuracy (%)",
                per_run(|e| e.test_accuracy * 100.0),
            ),
            Panel::new(
                "Training loss",
                "epoch",
                "cross-entropy",
                per_run(|e| e.train_loss),
            ),
            ranked_bars(
                "Final test accuracy",
                "test accuracy after the last epoch (%)",
                records,
                |r| r.last().map_or(f64::NAN, |e| e.test_accuracy * 100.0),
            ),
            ranked_bars(
                "Training and evaluation time",
                "seconds",
                records,
                RunRecord::train_eval_seconds,
            ),
        ],
    )
}

/// One bar per run, named, largest first (runs without a value last).
fn ranked_bars(
    title: &str,
    values_label: &str,
    records: &[RunRecord],
    value: impl Fn(&RunRecord) -> f64,
) -> Panel {
    let mut ranked: Vec<(String, f64)> =
        records.iter().map(|r| (r.run.clone(), value(r))).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    // NaN sorts first under total_cmp's descending order: move it to the end.
    ranked.sort_by_key(|(_, v)| v.is_nan());
    let (names, values): (Vec<String>, Vec<f64>) = ranked.into_iter().unzip();
    let index = (0..names.len()).map(|i| i as f64).collect();
    Panel::new(
        title,
        "",
        values_label,
        vec![Series::bars(title, index, values)],
    )
    .from_zero()
    .with_categories(names)
}
