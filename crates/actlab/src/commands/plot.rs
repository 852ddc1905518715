//! `actlab plot`: figures as JSON + SVG + PNG, and `--from` to draw any saved record
//! again. Which figure a file gets is decided by its `kind` tag.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use acts::evaluate_points;
use anyhow::{Context, anyhow};
use spec::artifact::{self, AnyArtifact};
use spec::layout::probe_figure;
use spec::record::probe::{DeadNeuronReport, ProbeRecord};
use spec::{BOOK_ACTIVATIONS, ExperimentLayout, RunLayout};
use viz::Drawing;
use viz::figures::{
    activation_figure, dead_neuron_comparison, drawing_of, experiment_figure, run_figure,
    statistics_figure,
};

use crate::cli::plot::{PlotActsArgs, PlotArgs, PlotCommand};
use crate::context::networks::chosen_activations;
use crate::context::print::{print_json, print_paths};
use crate::context::runtime::Runtime;
use crate::context::saved::{cross_check, experiment_records};
use crate::context::write::{check_new, figure_files, write_drawing, write_figure};
use crate::failure::{Failure, input};
use crate::output::experiment_summary;

/// The book's grid: x in [-4, 4], 200 points.
fn grid() -> Vec<f64> {
    (0..200).map(|i| -4.0 + 8.0 * i as f64 / 199.0).collect()
}

/// Where figures computed afresh go unless `--out` says otherwise.
const FIGURES: &str = "results/figures";

/// `actlab plot`.
pub fn run(args: PlotArgs, json: bool) -> Result<ExitCode, Failure> {
    let out = args.out.as_deref();
    let paths = match (&args.command, &args.from) {
        (Some(PlotCommand::Acts(acts)), None) => plot_acts(acts, out, args.force)?,
        (Some(PlotCommand::DeadNeurons { reports }), None) => {
            plot_dead_neurons(reports, out, args.force)?
        }
        (None, Some(from)) => plot_from(from, out, args.force)?,
        _ => {
            return Err(input(anyhow!(
                "say what to draw: `actlab plot acts [--acts NAMES]`, `actlab plot dead-neurons REPORT...`, or `actlab plot --from PATH` (a figure or report JSON, a run folder, or an experiment folder)"
            )));
        }
    };
    if json {
        print_json(&serde_json::json!({ "files": paths }))?;
    } else {
        print_paths(&paths);
    }
    Ok(ExitCode::SUCCESS)
}

/// The stem of a figure computed afresh, `DIR/name` in `--out DIR` or else in
/// [`FIGURES`], once its files are known to be new (or `--force` replaces them).
fn new_figure(out: Option<&Path>, name: &str, force: bool) -> Result<PathBuf, Failure> {
    let stem = out.unwrap_or(Path::new(FIGURES)).join(name);
    check_new(figure_files(&stem, true), force)?;
    Ok(stem)
}

/// Curves and derivatives of the chosen activations (trainable ones at their initial
/// parameters, drawn from the seed).
fn plot_acts(
    args: &PlotActsArgs,
    out: Option<&Path>,
    force: bool,
) -> Result<Vec<PathBuf>, Failure> {
    let stem = new_figure(out, "activations", force)?;
    let specs = chosen_activations(args.acts.as_deref(), &args.defs, &BOOK_ACTIVATIONS)?;
    let rt = Runtime::start(&args.compute)?;
    let x = grid();
    let evaluations: Vec<_> = rt.run(|rt| {
        specs
            .iter()
            .map(|spec| evaluate_points(spec, &x, args.seed, &rt.device))
            .collect()
    });
    write_figure(activation_figure(&evaluations), &stem)
}

/// Several dead-neuron reports as grouped bars: per layer, each report's dead share.
fn plot_dead_neurons(
    reports: &[PathBuf],
    out: Option<&Path>,
    force: bool,
) -> Result<Vec<PathBuf>, Failure> {
    let stem = new_figure(out, "dead-neurons", force)?;
    let probes = reports
        .iter()
        .map(|path| {
            artifact::read::<ProbeRecord<DeadNeuronReport>>(path).map_err(|e| {
                anyhow!("{e} (`actlab probe dead-neurons` writes dead-neuron reports)")
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(input)?;
    write_figure(dead_neuron_comparison(&probes), &stem)
}

/// The record a path stands for: a file itself, or the record of a run or experiment
/// folder.
fn record_file(from: &Path) -> Result<PathBuf, Failure> {
    if !from.exists() {
        return Err(input(anyhow!(
            "--from {}: no such file or folder (expected a figure or probe report JSON, a run.json or run folder, or an experiment folder)",
            from.display()
        )));
    }
    if !from.is_dir() {
        return Ok(from.to_path_buf());
    }
    let run = RunLayout::new(from).record();
    let experiment = ExperimentLayout::new(from).config();
    [run, experiment]
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| {
            input(anyhow!(
                "--from {}: neither a run folder (run.json) nor an experiment folder (experiment.json)",
                from.display()
            ))
        })
}

/// Draws whatever record `from` is again, by its tag: beside the data, or with
/// `--out DIR` in DIR under a name that says what it is.
fn plot_from(from: &Path, out: Option<&Path>, force: bool) -> Result<Vec<PathBuf>, Failure> {
    // Into another folder, a figure may not silently replace another of the same name;
    // beside its data it is that data's picture, drawn again.
    let check = |stem: &Path, json: bool| match out {
        Some(_) => check_new(figure_files(stem, json), force),
        None => Ok(()),
    };
    let file = record_file(from)?;
    let record = artifact::read_any(&file)
        .with_context(|| format!("--from {}", from.display()))
        .map_err(input)?;
    let folder = file.parent().unwrap_or(Path::new("."));
    let (drawing, beside, name): (Drawing, PathBuf, String) = match record {
        AnyArtifact::Experiment(_) => {
            // Every run side by side, and the statistics over seeds when there are some.
            let (experiment, records) = experiment_records(folder)?;
            let layout = ExperimentLayout::new(folder);
            let named = |kind: &str, beside: PathBuf| {
                out.map_or(beside, |dir| {
                    dir.join(format!("{}-{kind}", experiment.name()))
                })
            };
            let figure = experiment_figure(experiment.name(), &records);
            let comparison = named(ExperimentLayout::COMPARISON, layout.comparison_figure());
            check(&comparison, false)?;
            let statistics = named(ExperimentLayout::STATISTICS, layout.statistics_figure());
            check(&statistics, false)?;
            let mut written = write_drawing(figure, &comparison)?;
            let summary = experiment_summary(&experiment, &records);
            if let Some(stats) = summary.statistics.filter(|s| s.has_spread()) {
                written.extend(write_drawing(statistics_figure(&stats), &statistics)?);
            }
            return Ok(written);
        }
        AnyArtifact::Run(record) => {
            cross_check(folder, &record)?;
            let name = format!("{}-training", record.run);
            let beside = RunLayout::new(folder).training_figure();
            (run_figure(&record).into(), beside, name)
        }
        AnyArtifact::Summary(summary) => {
            let Some(stats) = summary.statistics else {
                return Err(input(anyhow!(
                    "--from {}: this summary predates the statistics over seeds and has no figure of its own; plot its experiment folder, {}",
                    from.display(),
                    folder.display()
                )));
            };
            let name = format!("{}-{}", stats.experiment, ExperimentLayout::STATISTICS);
            let beside = ExperimentLayout::new(folder).statistics_figure();
            (statistics_figure(&stats).into(), beside, name)
        }
        figure @ (AnyArtifact::Figure(_) | AnyArtifact::SurfaceFigure(_)) => {
            // A figure's data is its own record: drawn again, data and pictures.
            let stem = file.with_extension("");
            let name = stem
                .file_name()
                .map_or_else(|| "figure".into(), |n| n.to_string_lossy().into_owned());
            let stem = out.map_or(stem, |dir| dir.join(name));
            check(&stem, true)?;
            let drawing = drawing_of(figure).ok_or_else(|| {
                input(anyhow!(
                    "--from {}: this record has no figure",
                    from.display()
                ))
            })?;
            return write_figure(drawing, &stem);
        }
        other => {
            // A report gets its figure beside it.
            let stem = probe_figure(&file);
            let drawing = drawing_of(other).ok_or_else(|| {
                input(anyhow!(
                    "--from {}: this record has no figure",
                    from.display()
                ))
            })?;
            let name = stem
                .file_name()
                .map_or_else(|| "figure".into(), |n| n.to_string_lossy().into_owned());
            (drawing, stem, name)
        }
    };
    let stem = out.map_or(beside, |dir| dir.join(name));
    check(&stem, false)?;
    write_drawing(drawing, &stem)
}
