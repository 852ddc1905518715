//! `actlab train`: config + flags -> checked experiment -> one run per activation and
//! seed -> the book's table.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, anyhow};
use data::FashionMnist;
use spec::{
    ActivationKind, ActivationSpec, Experiment, ExperimentFile, ExperimentLayout, RunLayout,
    RunRecord, RunSpec, RunStatus, fsio,
};
use train::{Start, fit, write_summary};

use crate::cli::{TrainArgs, TrainSettings};
use crate::context::{
    Runtime, experiment_records, experiment_summary, load_data, print_json, run_record, runtime,
    saved_experiment, write_experiment_figures,
};
use crate::failure::{self, Failure, failed, input};
use crate::parse::ShardChoice;
use crate::progress::SweepProgress;

/// Applies the flags on top of the file (flags win), checking each flag's value so that
/// an error names the flag rather than a config field.
/// `origin` and `text` name the config file (empty without one), so that an error in its
/// own definitions names the line.
fn apply_flags(
    file: &mut ExperimentFile,
    origin: &str,
    text: &str,
    args: &TrainSettings,
) -> Result<(), Failure> {
    if let Some(acts) = &args.acts {
        let names: Vec<String> = acts
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if names.is_empty() {
            return Err(input(anyhow!(
                "--acts is empty; name at least one of {}",
                ActivationKind::names().join(", ")
            )));
        }
        let definitions = file
            .check_definitions(origin)
            .map_err(|e| input(e.located_in(text)))?;
        for name in &names {
            ActivationSpec::resolve(name, &definitions)
                .context("--acts")
                .map_err(input)?;
        }
        file.acts = names;
    }
    if let Some(hidden) = &args.hidden {
        if let Some(i) = hidden.iter().position(|&w| w == 0) {
            return Err(input(anyhow!(
                "--hidden: width 0 at position {}; every hidden layer needs at least one unit",
                i + 1
            )));
        }
        file.hidden = hidden.clone();
    }
    file.layer = args.layer.unwrap_or(file.layer);
    file.scope = args.scope.unwrap_or(file.scope);
    if args.track.is_some() {
        file.train.track_grads = true;
    }
    if let Some(tau) = args.fourier_tau {
        file.fourier.get_or_insert_default().tau = tau;
    }
    if let Some(init) = args.fourier_init {
        file.fourier.get_or_insert_default().init = init;
    }
    if let Some(omega0) = args.fourier_omega0 {
        file.fourier.get_or_insert_default().omega0 = omega0;
    }
    file.train.optimizer = args.optimizer.unwrap_or(file.train.optimizer);
    if let Some(seeds) = &args.seed {
        file.seeds = seeds.clone();
    }
    if let Some(n) = args.seeds {
        file.seeds = (1..=n as u64).collect();
    }
    if let Some(baseline) = &args.baseline {
        file.baseline = Some(baseline.clone());
    }
    if let Some(name) = &args.name {
        file.name = name.clone();
    }
    if let Some(out) = &args.out {
        file.out = out.clone();
    }
    let t = &mut file.train;
    t.epochs = args.epochs.unwrap_or(t.epochs);
    t.lr = args.lr.unwrap_or(t.lr);
    t.momentum = args.momentum.unwrap_or(t.momentum);
    t.weight_decay = args.weight_decay.unwrap_or(t.weight_decay);
    t.batch_size = args.batch_size.unwrap_or(t.batch_size);
    if let Some(save) = &args.save_epochs {
        t.save_epochs = save.clone();
    }
    Ok(())
}

/// Exit code after an interrupt, as shells report death by SIGINT.
const INTERRUPTED: u8 = 130;

/// First Ctrl-C: ask the loop to stop after its current batch and save. Second: quit now
/// (every file is written atomically, so nothing is left half-written).
fn on_interrupt(stop: Arc<AtomicBool>) -> Result<(), Failure> {
    ctrlc::set_handler(move || {
        if stop.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(INTERRUPTED));
        }
        eprintln!("\nactlab: interrupted; finishing this batch and saving a checkpoint (Ctrl-C again to quit at once)");
    })
    .map_err(|e| failed(anyhow!("cannot install the Ctrl-C handler: {e}")))
}

/// Something in `dir` that a new training would overwrite, if anything.
fn existing_result(dir: &Path) -> Option<String> {
    let layout = ExperimentLayout::new(dir);
    let summary = layout.summary("json");
    let entries = std::fs::read_dir(dir).ok()?;
    std::iter::once(summary)
        .chain(entries.flatten().map(|e| RunLayout::new(e.path()).record()))
        .find(|p| p.is_file())
        .map(|p| p.strip_prefix(dir).unwrap_or(&p).display().to_string())
}

/// What to do with one run of the experiment.
enum Step {
    /// Train it (afresh, or from its resume point).
    Train(Box<RunSpec>, Start),
    /// Already finished: keep its record for the summary.
    Keep(Box<RunRecord>),
}

/// Trains every run of the experiment.
pub fn run(args: TrainArgs, json: bool) -> Result<ExitCode, Failure> {
    let show = Shown {
        quiet: args.quiet,
        json,
    };
    if let Some(dir) = &args.resume {
        return resume(dir, &args, show);
    }
    if args.config.is_none() && args.settings.acts.is_none() {
        return Err(input(anyhow!(
            "nothing to train: pass --acts NAMES (e.g. --acts ReLU,TeLU,STAF), --config FILE (e.g. configs/book-ch4.toml) or --resume DIR"
        )));
    }
    let (mut file, origin, text) = match &args.config {
        Some(path) => {
            let text = ExperimentFile::read_text(path).map_err(input)?;
            let file = ExperimentFile::parse(&text, path).map_err(input)?;
            (file, path.display().to_string(), text)
        }
        None => (
            ExperimentFile::default(),
            "command line".to_string(),
            String::new(),
        ),
    };
    apply_flags(&mut file, &origin, &text, &args.settings)?;
    // A check error about a field the file writes names its line.
    let experiment = file
        .check(&origin)
        .map_err(|e| input(e.located_in(&text)))?;
    let data = load_data(&args.env)?;
    if let Some(shard) = args.shard {
        return sharded(&experiment, shard, &data, &args, show);
    }
    let dir = experiment.dir();
    if let Some(found) = existing_result(dir).filter(|_| !args.force) {
        return Err(input(anyhow!(
            "{} already holds results ({found}); pass --resume {} to continue it, --force to overwrite it, or --name/--out for another folder",
            dir.display(),
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the experiment folder {}", dir.display()))
        .map_err(input)?;
    let rt = runtime(&args.env.compute)?;
    spec::artifact::write(&ExperimentLayout::new(dir).config(), experiment.file())
        .with_context(|| format!("cannot write to {}", dir.display()))
        .map_err(input)?;
    let steps = experiment
        .runs()
        .into_iter()
        .map(|spec| Step::Train(Box::new(spec), Start::Fresh))
        .collect();
    train_steps(&experiment, steps, &data, &rt, show)
}

/// The shard index the scheduler gives this process: Slurm array task, or Kubernetes
/// indexed job.
fn scheduler_index() -> Result<usize, Failure> {
    for variable in ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"] {
        if let Ok(value) = std::env::var(variable) {
            return value.trim().parse().map_err(|_| {
                input(anyhow!(
                    "--shard auto/N: {variable} is {value:?}, not a whole number"
                ))
            });
        }
    }
    Err(input(anyhow!(
        "--shard auto/N: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set; run it as a Slurm array task or a Kubernetes indexed job, or give the index (--shard I/N)"
    )))
}

/// `--shard I/N`: trains this shard's runs into the shared folder, which it creates or
/// joins (it must hold the same experiment); finished runs are kept, unfinished ones
/// resumed. The summary lists every run of the folder finished so far.
fn sharded(
    experiment: &Experiment,
    shard: ShardChoice,
    data: &FashionMnist,
    args: &TrainArgs,
    show: Shown,
) -> Result<ExitCode, Failure> {
    let (index, count) = match shard {
        ShardChoice::Index { index, count } => (index, count),
        ShardChoice::Auto { count } => {
            let index = scheduler_index()?;
            if index >= count {
                return Err(input(anyhow!(
                    "--shard auto/{count}: the scheduler's index is {index}; it must be below {count} (an array of {count} tasks, 0 to {})",
                    count - 1
                )));
            }
            (index, count)
        }
    };
    let dir = experiment.dir();
    let config = ExperimentLayout::new(dir).config();
    if config.is_file() {
        let saved = saved_experiment(dir, "--shard: ")?;
        if saved.file() != experiment.file() {
            return Err(input(anyhow!(
                "--shard: {} holds another experiment than this config and these flags describe; start every shard with the same ones, or pick another --name/--out",
                dir.display()
            )));
        }
    } else {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the experiment folder {}", dir.display()))
            .map_err(input)?;
        // Shards starting together write the same file; the rename is atomic.
        spec::artifact::write(&config, experiment.file())
            .with_context(|| format!("cannot write to {}", dir.display()))
            .map_err(input)?;
    }
    let runs = experiment.runs();
    let planned = runs.len();
    let steps = runs
        .into_iter()
        .enumerate()
        .filter(|(k, _)| k % count == index)
        .map(|(_, spec)| resume_step(spec, data))
        .collect::<Result<Vec<_>, _>>()?;
    if !show.quiet {
        let left = steps
            .iter()
            .filter(|s| matches!(s, Step::Train(..)))
            .count();
        eprintln!(
            "shard {index}/{count} of {}: {} of the {planned} planned runs are this shard's, {left} left to train",
            dir.display(),
            steps.len()
        );
    }
    let rt = runtime(&args.env.compute)?;
    train_steps(experiment, steps, data, &rt, show)
}

/// What `--resume` does with one run, from what its folder holds.
fn resume_step(spec: RunSpec, data: &FashionMnist) -> Result<Step, Failure> {
    let layout = RunLayout::new(spec.dir());
    let record_path = layout.record();
    if !record_path.is_file() {
        return Ok(Step::Train(Box::new(spec), Start::Fresh));
    }
    let record = run_record(spec.dir())?;
    // experiment.json plans the run; run.json records what was trained: a folder whose
    // two disagree was edited or mixed up, and resuming it would mix results.
    if record.network != *spec.network() || record.train != *spec.train() {
        return Err(input(anyhow!(
            "--resume: {} records other network or training settings than {} plans for {}; the folder was edited or mixed up (train it again with --force)",
            record_path.display(),
            ExperimentLayout::CONFIG,
            spec.name()
        )));
    }
    if record.is_finished() {
        return Ok(Step::Keep(Box::new(record)));
    }
    data.check_recorded(&record.dataset_md5)
        .with_context(|| format!("--resume {}", record_path.display()))
        .map_err(input)?;
    fsio::remove_temporaries(layout.dir());
    fsio::remove_temporaries(&layout.checkpoints());
    let Some(point) = &record.resume else {
        // Stopped before its first epoch ended: nothing worth keeping.
        return Ok(Step::Train(Box::new(spec), Start::Fresh));
    };
    for file in [&point.model, &point.optimizer] {
        let path = spec.dir().join(file);
        if !path.is_file() {
            return Err(input(anyhow!(
                "{}: its resume point {} is missing; the run cannot continue (train it again with --force)",
                record_path.display(),
                path.display()
            )));
        }
    }
    Ok(Step::Train(Box::new(spec), Start::Resume(Box::new(record))))
}

/// `--resume DIR`: continues the unfinished runs of a saved experiment.
fn resume(dir: &Path, args: &TrainArgs, show: Shown) -> Result<ExitCode, Failure> {
    let experiment = saved_experiment(dir, "--resume ")?;
    let data = load_data(&args.env)?;
    let steps = experiment
        .runs()
        .into_iter()
        .map(|spec| resume_step(spec, &data))
        .collect::<Result<Vec<_>, _>>()?;
    let rt = runtime(&args.env.compute)?;
    let left = steps
        .iter()
        .filter(|s| matches!(s, Step::Train(..)))
        .count();
    if !show.quiet {
        eprintln!(
            "resuming {}: {} of {} runs left to train",
            dir.display(),
            left,
            steps.len()
        );
    }
    train_steps(&experiment, steps, &data, &rt, show)
}

/// How a command shows its progress and result.
#[derive(Clone, Copy)]
struct Shown {
    /// No progress output.
    quiet: bool,
    /// The result as JSON.
    json: bool,
}

/// Optimiser steps the steps will take: the epochs each run has left, times the batches
/// of an epoch.
fn steps_left(steps: &[Step], data: &FashionMnist) -> u64 {
    steps
        .iter()
        .map(|step| match step {
            Step::Keep(_) => 0,
            Step::Train(spec, start) => {
                let done = match start {
                    Start::Resume(record) => record.resume.as_ref().map_or(0, |p| p.epoch),
                    Start::Fresh => 0,
                };
                let batches = data.train.len().div_ceil(spec.train().batch_size);
                (spec.train().epochs.saturating_sub(done) * batches) as u64
            }
        })
        .sum()
}

/// Carries out the steps in order, then writes and prints the summary table.
fn train_steps(
    experiment: &Experiment,
    steps: Vec<Step>,
    data: &FashionMnist,
    rt: &Runtime,
    show: Shown,
) -> Result<ExitCode, Failure> {
    let context = rt.run_context();
    on_interrupt(context.stop.clone())?;
    let total = steps.len();
    let mut display = SweepProgress::new(steps_left(&steps, data), show.quiet, show.json);
    let mut records: Vec<RunRecord> = Vec::with_capacity(total);
    for (i, step) in steps.into_iter().enumerate() {
        let (spec, start) = match step {
            Step::Keep(record) => {
                records.push(*record);
                continue;
            }
            Step::Train(spec, start) => (spec, start),
        };
        if let Start::Resume(previous) = &start {
            if previous.device != rt.device_name || previous.threads != rt.threads {
                eprintln!(
                    "actlab: note: {} began on {} with {} thread(s) and continues on {} with {}; bit-identical results need the same",
                    spec.name(),
                    previous.device,
                    previous.threads,
                    rt.device_name,
                    rt.threads
                );
            }
        } else if spec.dir().exists() {
            // A fresh start (after --force, or of a run killed in its first epoch):
            // stale checkpoints must not outlive the rerun.
            std::fs::remove_dir_all(spec.dir())
                .with_context(|| format!("cannot clear {}", spec.dir().display()))
                .map_err(failed)?;
        }
        let label = format!("[{}/{}] {}", i + 1, total, spec.name());
        let mut progress = display.run(&label);
        let record = fit(&spec, start, data, &rt.device, &context, &mut progress)
            .with_context(|| format!("run {}", spec.name()))
            .map_err(failed)?;
        match record.status {
            RunStatus::Diverged(at) => eprintln!(
                "{label}: loss became non-finite at epoch {}, batch {}; run stopped (status: diverged)",
                at.epoch, at.batch
            ),
            RunStatus::Interrupted(at) => eprintln!(
                "{label}: interrupted at epoch {}, batch {}; saved {} and its run.json; continue with --resume {}",
                at.epoch,
                at.batch,
                spec.dir()
                    .join(RunLayout::checkpoint(RunLayout::INTERRUPTED))
                    .display(),
                experiment.dir().display()
            ),
            RunStatus::Running | RunStatus::Completed => {}
        }
        records.push(record);
        if context.stop.load(Ordering::SeqCst) {
            break;
        }
    }

    let layout = ExperimentLayout::new(experiment.dir());
    // The table and figures show every run of the folder with a record: other shards'
    // (or earlier sessions') as well as these.
    let (_, everyone) = experiment_records(layout.dir())?;
    let table = experiment_summary(experiment, &everyone);
    write_summary(&layout, &table)
        .with_context(|| format!("cannot write the summary into {}", layout.dir().display()))
        .map_err(failed)?;
    write_experiment_figures(&layout, &table, &everyone)?;
    drop(display);
    if show.json {
        print_json(&serde_json::json!({ "dir": layout.dir(), "summary": table }))?;
    } else {
        println!("\n{}", table.terminal());
        println!(
            "Results: {}/ (summary.md, summary.csv, summary.json, figures/; one folder per run)",
            layout.dir().display()
        );
    }
    let all_ok = records.iter().all(|r| r.status == RunStatus::Completed);
    Ok(if context.stop.load(Ordering::SeqCst) {
        ExitCode::from(INTERRUPTED)
    } else if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(failure::RUN)
    })
}
