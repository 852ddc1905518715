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
            Panel {
                title: "Loss".into(),
                x_label: "epoch".into(),
                y_label: "cross-entropy".into(),
                y_from_zero: false,
                series: vec![
                    Series::line("train", epochs.clone(), values(|e| e.train_loss)),
                    Series::dashed("test", epochs.clone(), values(|e| e.test_loss)),
                ],
            },
            Panel {
                title: "Accuracy".into(),
                x_label: "epoch".into(),
                y_label: "accuracy (%)".into(),
                y_from_zero: false,
                series: vec![
                    Series::line(
                        "train",
                        epochs.clone(),
                        values(|e| e.train_accuracy * 100.0),
                    ),
                    Series::dashed("test", epochs.clone(), values(|e| e.test_accuracy * 100.0)),
                ],
            },
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
        figure.panels.push(Panel {
            title: "Mean gradient norm per layer".into(),
            x_label: "epoch".into(),
            y_label: "mean ||dL/dW||".into(),
            y_from_zero: true,
            series: per_layer(|t| t.grad_norm_mean),
        });
        figure.panels.push(Panel {
            title: "Weight spread per layer".into(),
            x_label: "epoch".into(),
            y_label: "std of W".into(),
            y_from_zero: false,
            series: per_layer(|t| t.weight_std),
        });
    }
    figure
}

/// Test accuracy per epoch of every run of an experiment on one chart, the training
/// loss beside it; below, each run's final test accuracy and its training time as bars.
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
            Panel {
                title: "Test accuracy".into(),
                x_label: "epoch".into(),
                y_label: "accuracy (%)".into(),
                y_from_zero: false,
                series: per_run(|e| e.test_accuracy * 100.0),
            },
            Panel {
                title: "Training loss".into(),
                x_label: "epoch".into(),
                y_label: "cross-entropy".into(),
                y_from_zero: false,
                series: per_run(|e| e.train_loss),
            },
            Panel {
                title: "Final test accuracy".into(),
                x_label: "runs".into(),
                y_label: "accuracy (%)".into(),
                y_from_zero: true,
                series: per_run_bar(records, |r| {
                    r.last().map_or(f64::NAN, |e| e.test_accuracy * 100.0)
                }),
            },
            Panel {
                title: "Training and evaluation time".into(),
                x_label: "runs".into(),
                y_label: "seconds".into(),
                y_from_zero: true,
                series: per_run_bar(records, RunRecord::train_eval_seconds),
            },
        ],
    )
}

/// One bar per run (all at x = 1, so they stand side by side), named after the run.
fn per_run_bar(records: &[RunRecord], value: impl Fn(&RunRecord) -> f64) -> Vec<Series> {
    records
        .iter()
        .map(|r| Series::bars(r.run.clone(), vec![1.0], vec![value(r)]))
        .collect()
}
