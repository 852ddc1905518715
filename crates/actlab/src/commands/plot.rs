//! `actlab plot`: figures as JSON + SVG + PNG, and `--from` to draw any of them again.
//!
//! Saved data becomes a [`viz::Figure`] here (activation curves, a run's training curves,
//! an experiment's test accuracy per epoch); `viz` draws figures and knows nothing else.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use acts::{ActivationSpec, BOOK_ACTIVATIONS, evaluate_points};
use anyhow::{Context, anyhow};
use train::{RUN_RECORD, RunRecord};
use viz::{FIGURE_KIND, Figure, Panel, SURFACE_KIND, Series, SurfaceFigure};

use crate::cli::{PlotActsArgs, PlotArgs, PlotCommand};
use crate::commands::{chosen_activations, saved_experiment};
use crate::failure::{Failure, failed, input};

/// The book's grid: x in [-4, 4], 200 points.
fn grid() -> Vec<f64> {
    (0..200).map(|i| -4.0 + 8.0 * i as f64 / 199.0).collect()
}

/// Curves and derivatives of the given activations, three panels per row (trainable
/// ones at their initial parameters, drawn from `seed`).
pub fn activation_figure(specs: &[ActivationSpec], seed: u64) -> Result<Figure, Failure> {
    let x = grid();
    let mut panels = Vec::new();
    for spec in specs {
        let e = evaluate_points(spec, &x, seed).map_err(input)?;
        let as_f64 = |v: &[f32]| v.iter().map(|&a| a as f64).collect::<Vec<_>>();
        let xs = as_f64(&e.x);
        panels.push(Panel {
            title: spec.name().to_string(),
            x_label: "x".into(),
            y_label: "f(x), f'(x)".into(),
            y_from_zero: false,
            series: vec![
                Series {
                    name: "f(x)".into(),
                    x: xs.clone(),
                    y: as_f64(&e.value),
                    dashed: false,
                    bars: false,
                },
                Series {
                    name: "f'(x)".into(),
                    x: xs,
                    y: as_f64(&e.derivative),
                    dashed: true,
                    bars: false,
                },
            ],
        });
    }
    Ok(Figure::new(
        "Activation functions (solid) and their derivatives (dashed)",
        3,
        panels,
    ))
}

/// Loss and accuracy per epoch of one run, training and test; with `--track grads`
/// also each layer's mean gradient norm and weight spread per epoch.
pub fn run_figure(record: &RunRecord) -> Figure {
    let epochs: Vec<f64> = record.epochs.iter().map(|e| e.epoch as f64).collect();
    let series = |name: &str, f: fn(&train::EpochMetrics) -> f64, dashed| Series {
        name: name.into(),
        x: epochs.clone(),
        y: record.epochs.iter().map(f).collect(),
        dashed,
        bars: false,
    };
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
                    series("train", |e| e.train_loss, false),
                    series("test", |e| e.test_loss, true),
                ],
            },
            Panel {
                title: "Accuracy".into(),
                x_label: "epoch".into(),
                y_label: "accuracy (%)".into(),
                y_from_zero: false,
                series: vec![
                    series("train", |e| e.train_accuracy * 100.0, false),
                    series("test", |e| e.test_accuracy * 100.0, true),
                ],
            },
        ],
    );
    let layers = record.epochs.first().map_or(0, |e| e.layers.len());
    if layers > 0 {
        let per_layer = |f: fn(&train::LayerTrack) -> f64| -> Vec<Series> {
            (0..layers)
                .map(|l| Series {
                    name: format!("Linear-{}", l + 1),
                    x: epochs.clone(),
                    y: record
                        .epochs
                        .iter()
                        .map(|e| e.layers.get(l).map_or(f64::NAN, f))
                        .collect(),
                    dashed: false,
                    bars: false,
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
    let per_run = |f: fn(&train::EpochMetrics) -> f64| {
        records
            .iter()
            .map(|r| Series {
                name: r.run.clone(),
                x: r.epochs.iter().map(|e| e.epoch as f64).collect(),
                y: r.epochs.iter().map(f).collect(),
                dashed: false,
                bars: false,
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
        .map(|r| Series {
            name: r.run.clone(),
            x: vec![1.0],
            y: vec![value(r)],
            dashed: false,
            bars: true,
        })
        .collect()
}

/// Writes a figure's three files and returns their paths.
fn write_quietly(figure: &Figure, stem: &Path) -> Result<Vec<PathBuf>, Failure> {
    figure
        .write_all(stem)
        .with_context(|| format!("cannot write the figure {}", stem.display()))
        .map_err(failed)
}

/// Says where a figure's files went, on one line.
pub fn print_paths(paths: &[PathBuf]) {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    println!("{}", names.join("  "));
}

/// Writes a figure's three files and says where they went.
fn write(figure: &Figure, stem: &Path) -> Result<(), Failure> {
    print_paths(&write_quietly(figure, stem)?);
    Ok(())
}

/// Figures `train` leaves behind: one per run, one for the experiment.
pub fn training_figures(dir: &Path, name: &str, records: &[RunRecord]) -> Result<(), Failure> {
    for record in records.iter().filter(|r| !r.epochs.is_empty()) {
        let stem = dir.join(&record.run).join("figures").join("training");
        write_quietly(&run_figure(record), &stem)?;
    }
    write_quietly(
        &experiment_figure(name, records),
        &dir.join("figures").join("experiment"),
    )
    .map(|_| ())
}

/// The experiment saved in `dir` and the records of its runs that have one, in the
/// experiment's run order.
pub fn experiment_records(dir: &Path) -> Result<(train::Experiment, Vec<RunRecord>), Failure> {
    let experiment = saved_experiment(dir, "")?;
    let mut records = Vec::new();
    for spec in experiment.runs() {
        if spec.dir.join(RUN_RECORD).is_file() {
            records.push(RunRecord::load(&spec.dir).map_err(input)?);
        }
    }
    Ok((experiment, records))
}

/// `actlab plot`.
pub fn run(args: PlotArgs) -> Result<ExitCode, Failure> {
    match (&args.command, &args.from) {
        (Some(PlotCommand::Acts(acts)), None) => plot_acts(acts, args.out.as_deref()),
        (Some(PlotCommand::DeadNeurons { reports }), None) => {
            plot_dead_neurons(reports, args.out.as_deref())
        }
        (None, Some(from)) => plot_from(from, args.out.as_deref()),
        _ => Err(input(anyhow!(
            "say what to draw: `actlab plot acts [--acts NAMES]`, or `actlab plot --from PATH` (a figure JSON, a run.json or run folder, or an experiment folder)"
        ))),
    }
}

fn plot_acts(args: &PlotActsArgs, out: Option<&Path>) -> Result<ExitCode, Failure> {
    let specs = chosen_activations(args.acts.as_deref(), &args.defs, &BOOK_ACTIVATIONS)?;
    let figure = activation_figure(&specs, args.seed)?;
    let stem = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("results/figures/activations"));
    write(&figure, &stem)?;
    Ok(ExitCode::SUCCESS)
}

/// Several dead-neuron reports as grouped bars: per layer, each report's dead share.
fn plot_dead_neurons(reports: &[PathBuf], out: Option<&Path>) -> Result<ExitCode, Failure> {
    let mut series = Vec::new();
    for path in reports {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))
            .map_err(input)?;
        let probe: probe::DeadNeuronProbe = serde_json::from_str(&text)
            .with_context(|| {
                format!(
                    "{}: not a dead-neuron report (write one with actlab probe dead-neurons)",
                    path.display()
                )
            })
            .map_err(input)?;
        let name = match &probe.source {
            probe::ProbeSource::Checkpoint { run, .. } => run.file_name().map_or_else(
                || probe.network.model_name(),
                |n| n.to_string_lossy().into_owned(),
            ),
            probe::ProbeSource::Init { seed } => {
                format!("{} untrained, seed {seed}", probe.network.activation_name())
            }
        };
        series.push(Series {
            name,
            x: probe.report.layers.iter().map(|l| l.layer as f64).collect(),
            y: probe
                .report
                .layers
                .iter()
                .map(|l| l.ratio * 100.0)
                .collect(),
            dashed: false,
            bars: true,
        });
    }
    let figure = Figure::new(
        "Dead units per layer: output exactly 0 on every training image",
        1,
        vec![Panel {
            title: "one bar per report".into(),
            x_label: "hidden layer".into(),
            y_label: "dead units (%)".into(),
            y_from_zero: true,
            series,
        }],
    );
    let stem = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("results/figures/dead-neurons"));
    write(&figure, &stem)?;
    Ok(ExitCode::SUCCESS)
}

/// What `--from` was given.
fn plot_from(from: &Path, out: Option<&Path>) -> Result<ExitCode, Failure> {
    let stem = |default: PathBuf| out.map(Path::to_path_buf).unwrap_or(default);
    if from.is_dir() && from.join(RUN_RECORD).is_file() {
        let record = RunRecord::load(from).map_err(input)?;
        write(
            &run_figure(&record),
            &stem(from.join("figures").join("training")),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    if from.is_dir() && from.join("experiment.json").is_file() {
        let (_, records) = experiment_records(from)?;
        let name = from
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        write(
            &experiment_figure(&name, &records),
            &stem(from.join("figures").join("experiment")),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let text = std::fs::read_to_string(from)
        .with_context(|| {
            format!(
                "--from {}: expected a figure JSON, a run.json or run folder, or an experiment folder",
                from.display()
            )
        })
        .map_err(input)?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("--from {}: not JSON", from.display()))
        .map_err(input)?;
    if value.get("kind").and_then(|k| k.as_str()) == Some(SURFACE_KIND) {
        let figure: SurfaceFigure = serde_json::from_value(value)
            .with_context(|| format!("--from {}: not a readable surface", from.display()))
            .map_err(input)?;
        let paths = figure
            .write_all(&stem(from.with_extension("")))
            .context("cannot write the figure")
            .map_err(failed)?;
        print_paths(&paths);
        return Ok(ExitCode::SUCCESS);
    }
    // A probe report: its figure is drawn from the report's numbers.
    let probe_figure = match value.get("probe").and_then(|p| p.as_str()) {
        Some("gradients") => Some(crate::commands::gradients::gradient_figure(
            &serde_json::from_value(value.clone())
                .with_context(|| {
                    format!("--from {}: not a readable gradient report", from.display())
                })
                .map_err(input)?,
        )),
        Some("dead-neurons") => {
            let probe: probe::DeadNeuronProbe = serde_json::from_value(value.clone())
                .with_context(|| {
                    format!(
                        "--from {}: not a readable dead-neuron report",
                        from.display()
                    )
                })
                .map_err(input)?;
            Some(crate::commands::dead_neurons::dead_neuron_figure(
                &probe.network,
                &probe.report,
            ))
        }
        Some("outputs") => Some(crate::commands::outputs::output_figure(
            &serde_json::from_value::<crate::commands::outputs::OutputProbe>(value.clone())
                .with_context(|| format!("--from {}: not a readable output report", from.display()))
                .map_err(input)?,
        )),
        _ => None,
    };
    if let Some(figure) = probe_figure {
        let name = from
            .file_stem()
            .map_or("probe".into(), |s| s.to_string_lossy().into_owned());
        write(
            &figure,
            &stem(from.with_file_name(format!("{name}-figure"))),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    if value.get("kind").and_then(|k| k.as_str()) == Some(FIGURE_KIND) {
        let figure: Figure = serde_json::from_value(value)
            .with_context(|| format!("--from {}: not a readable figure", from.display()))
            .map_err(input)?;
        write(&figure, &stem(from.with_extension("")))?;
        return Ok(ExitCode::SUCCESS);
    }
    if value.get("epochs").is_some() && value.get("network").is_some() {
        let dir = from.parent().unwrap_or(Path::new("."));
        let record = RunRecord::load(dir).map_err(input)?;
        write(
            &run_figure(&record),
            &stem(dir.join("figures").join("training")),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    Err(input(anyhow!(
        "--from {}: neither a figure (\"kind\": \"{FIGURE_KIND}\") nor a run record",
        from.display()
    )))
}
