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
};

use crate::cli::{PlotActsArgs, PlotArgs, PlotCommand};
use crate::context::{chosen_activations, experiment_records, print_paths, runtime, write_drawing};
use crate::failure::{Failure, input};

/// The book's grid: x in [-4, 4], 200 points.
fn grid() -> Vec<f64> {
    (0..200).map(|i| -4.0 + 8.0 * i as f64 / 199.0).collect()
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

/// Curves and derivatives of the chosen activations (trainable ones at their initial
/// parameters, drawn from the seed).
fn plot_acts(args: &PlotActsArgs, out: Option<&Path>) -> Result<ExitCode, Failure> {
    let specs = chosen_activations(args.acts.as_deref(), &args.defs, &BOOK_ACTIVATIONS)?;
    let rt = runtime(&args.compute)?;
    let x = grid();
    let evaluations: Vec<_> = specs
        .iter()
        .map(|spec| evaluate_points(spec, &x, args.seed, &rt.device))
        .collect();
    let stem = out.map_or_else(
        || PathBuf::from("results/figures/activations"),
        Path::to_path_buf,
    );
    print_paths(&write_drawing(activation_figure(&evaluations), &stem)?);
    Ok(ExitCode::SUCCESS)
}

/// Several dead-neuron reports as grouped bars: per layer, each report's dead share.
fn plot_dead_neurons(reports: &[PathBuf], out: Option<&Path>) -> Result<ExitCode, Failure> {
    let probes = reports
        .iter()
        .map(|path| {
            artifact::read::<ProbeRecord<DeadNeuronReport>>(path).map_err(|e| {
                anyhow!("{e} (`actlab probe dead-neurons` writes dead-neuron reports)")
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(input)?;
    let stem = out.map_or_else(
        || PathBuf::from("results/figures/dead-neurons"),
        Path::to_path_buf,
    );
    print_paths(&write_drawing(dead_neuron_comparison(&probes), &stem)?);
    Ok(ExitCode::SUCCESS)
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

/// Draws whatever record `from` is again, by its tag.
fn plot_from(from: &Path, out: Option<&Path>) -> Result<ExitCode, Failure> {
    let file = record_file(from)?;
    let record = artifact::read_any(&file)
        .with_context(|| format!("--from {}", from.display()))
        .map_err(input)?;
    let folder = file.parent().unwrap_or(Path::new("."));
    let (drawing, default_stem): (Drawing, PathBuf) = match record {
        AnyArtifact::Experiment(_) => {
            let (experiment, records) = experiment_records(folder)?;
            let figure = experiment_figure(experiment.name(), &records);
            (
                figure.into(),
                ExperimentLayout::new(folder).comparison_figure(),
            )
        }
        AnyArtifact::Run(record) => (
            run_figure(&record).into(),
            RunLayout::new(folder).training_figure(),
        ),
        AnyArtifact::Summary(_) => {
            return Err(input(anyhow!(
                "--from {}: a summary table has no figure of its own; plot its experiment folder, {}",
                from.display(),
                folder.display()
            )));
        }
        other => {
            // A figure is drawn again in place; a report gets its figure beside it.
            let stem = match other {
                AnyArtifact::Figure(_) | AnyArtifact::SurfaceFigure(_) => file.with_extension(""),
                _ => probe_figure(&file),
            };
            let drawing = drawing_of(other).ok_or_else(|| {
                input(anyhow!(
                    "--from {}: this record has no figure",
                    from.display()
                ))
            })?;
            (drawing, stem)
        }
    };
    let stem = out.map_or(default_stem, Path::to_path_buf);
    print_paths(&write_drawing(drawing, &stem)?);
    Ok(ExitCode::SUCCESS)
}
