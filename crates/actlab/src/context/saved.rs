//! Saved experiments and runs, read back and checked: each file against the others that
//! describe the same run.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use burn::tensor::Device;
use spec::artifact;
use spec::record::first_difference;
use spec::{Experiment, ExperimentFile, ExperimentLayout, RunLayout, RunRecord, RunSpec};
use train::OpenedRun;

use crate::failure::{Failure, input};

/// The experiment saved in `dir`, checked again, placed in `dir` (the folder may have
/// been moved); `flag` (e.g. "--resume ") starts the error messages.
pub fn saved_experiment(dir: &Path, flag: &str) -> Result<Experiment, Failure> {
    let path = ExperimentLayout::new(dir).config();
    if !path.is_file() {
        return Err(input(anyhow!(
            "{flag}{}: not an experiment folder (no {}); give the folder `actlab train` wrote, e.g. results/train",
            dir.display(),
            ExperimentLayout::CONFIG
        )));
    }
    let file: ExperimentFile = artifact::read(&path)
        .with_context(|| format!("{flag}{} is not an actlab experiment", path.display()))
        .map_err(input)?;
    let experiment = file
        .check(&path.display().to_string())
        .with_context(|| format!("{flag}{} is not a usable experiment", path.display()))
        .map_err(input)?;
    Ok(experiment.at(dir.to_path_buf()))
}

/// The run record in `run_dir`.
pub fn run_record(run_dir: &Path) -> Result<RunRecord, Failure> {
    artifact::read(&RunLayout::new(run_dir).record()).map_err(input)
}

/// Experiment folders at `dir` or up to three levels below it, sorted.
pub fn experiment_folders(dir: &Path) -> Vec<PathBuf> {
    folders_below(dir, 3)
}

fn folders_below(dir: &Path, depth: usize) -> Vec<PathBuf> {
    let config = ExperimentLayout::new(dir).config();
    if config.is_file() {
        // An experiment with settings holds no runs itself: its settings' folders do.
        return match saved_experiment(dir, "") {
            Ok(experiment) if !experiment.settings().is_empty() => experiment
                .settings()
                .iter()
                .map(Experiment::dir)
                .filter(|d| ExperimentLayout::new(d).config().is_file())
                .map(Path::to_path_buf)
                .collect(),
            _ => vec![dir.to_path_buf()],
        };
    }
    if depth == 0 {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut subfolders: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    subfolders.sort();
    subfolders
        .iter()
        .flat_map(|d| folders_below(d, depth - 1))
        .collect()
}

/// The experiment saved in `dir` and the records of its runs that have one, in the
/// experiment's run order, each checked against what the experiment plans for it.
pub fn experiment_records(dir: &Path) -> Result<(Experiment, Vec<RunRecord>), Failure> {
    let experiment = saved_experiment(dir, "")?;
    if let Some(first) = experiment.settings().first() {
        return Err(input(anyhow!(
            "{}: trains {} settings, each an experiment folder of its own (e.g. {}); give one of those, or read the settings side by side in {}",
            dir.display(),
            experiment.settings().len(),
            first.dir().display(),
            ExperimentLayout::new(dir).transfer("md").display()
        )));
    }
    let config = ExperimentLayout::new(dir).config();
    let mut records = Vec::new();
    for spec in experiment.runs() {
        let file = RunLayout::new(spec.dir()).record();
        if file.is_file() {
            let record = run_record(spec.dir())?;
            contradiction(&record, &spec, &file, &config)?;
            records.push(record);
        }
    }
    Ok((experiment, records))
}

/// The run in `run_dir` at its checkpoint `name` (the last when `None`), on `device`,
/// once its files agree with each other ([`cross_check`]).
pub fn open_run(run_dir: &Path, name: Option<&str>, device: &Device) -> Result<OpenedRun, Failure> {
    let opened = train::open_run(run_dir, name, device).map_err(input)?;
    cross_check(run_dir, &opened.record)?;
    Ok(opened)
}

/// The learned value of each trainable scalar of a run's activation at its last
/// checkpoint: the mean over its units and layers when there is more than one.
pub fn learned_means(
    run_dir: &Path,
    device: &Device,
) -> Result<std::collections::BTreeMap<String, f64>, Failure> {
    let opened = open_run(run_dir, None, device)?;
    let mut values: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for module in &opened.model.activations {
        for (name, tensor) in module.params() {
            let data = tensor.into_data().convert::<f64>();
            values.entry(name).or_default().extend(data.iter::<f64>());
        }
    }
    Ok(values
        .into_iter()
        .map(|(k, v)| (k, v.iter().sum::<f64>() / v.len().max(1) as f64))
        .collect())
}

/// What a run folder's files say about the run, compared: its folder's name and
/// `run.json`'s, and what `run.json` records against what the `experiment.json` beside
/// it plans (network, activation, training settings). A contradiction (a hand-edited
/// or mixed-up folder) names both files and the first field that differs.
pub fn cross_check(run_dir: &Path, record: &RunRecord) -> Result<(), Failure> {
    let record_file = RunLayout::new(run_dir).record();
    let folder = run_dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()));
    if let Some(folder) = folder.filter(|f| *f != record.run) {
        return Err(input(anyhow!(
            "{}: records run `{}`, but its folder is named {folder}; the folder was renamed or its run.json copied from another run",
            record_file.display(),
            record.run
        )));
    }
    let Some(experiment_dir) = run_dir
        .canonicalize()
        .ok()
        .and_then(|d| d.parent().map(Path::to_path_buf))
    else {
        return Ok(());
    };
    let config = ExperimentLayout::new(&experiment_dir).config();
    if !config.is_file() {
        return Ok(());
    }
    let experiment = saved_experiment(&experiment_dir, "")?;
    let Some(planned) = experiment
        .runs()
        .into_iter()
        .find(|r| r.name() == record.run)
    else {
        return Err(input(anyhow!(
            "{}: records run `{}`, which {} does not plan (it plans {}); the folder was mixed up",
            record_file.display(),
            record.run,
            config.display(),
            experiment
                .runs()
                .iter()
                .map(|r| r.name().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    contradiction(record, &planned, &record_file, &config)
}

/// Refuses a run record that contradicts its plan: one line naming both files and the
/// first field that differs.
pub fn contradiction(
    record: &RunRecord,
    planned: &RunSpec,
    record_file: &Path,
    config: &Path,
) -> Result<(), Failure> {
    let difference = first_difference(&record.network, planned.network())
        .map(|(field, a, b)| (format!("network.{field}"), a, b))
        .or_else(|| {
            first_difference(&record.train, &planned.train().recorded())
                .map(|(field, a, b)| (format!("train.{field}"), a, b))
        });
    match difference {
        Some((field, recorded, plan)) => Err(input(anyhow!(
            "{} says `{field}` is {recorded}, but {} plans {plan} for {}; the folder was edited or mixed up",
            record_file.display(),
            config.display(),
            record.run
        ))),
        None => Ok(()),
    }
}
