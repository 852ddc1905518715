//! `actlab train`: config + flags -> checked experiment -> one run per activation and
//! seed -> the book's table.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use data::FashionMnist;
use spec::resources;
use spec::{Experiment, ExperimentFile, ExperimentLayout, RunLayout};
use train::Start;

use crate::cli::train::TrainArgs;
use crate::context::data::load_data;
use crate::context::networks::definition_file;
use crate::context::print::print_json;
use crate::context::runtime::{Runtime, check_memory};
use crate::context::saved::saved_experiment;
use crate::failure::{Failure, input};
use crate::output::{write_transfer, write_transfer_report};
use crate::parse::ShardChoice;
use crate::sweep::{INTERRUPTED, Shown, Step, join_folder, resume_step, shard_index, train_steps};

/// `--force`: what an earlier training left in the experiment folder `dir` is removed,
/// every run folder (planned now or not: a leftover run would join the summary and
/// break `merge`), the summary (or an experiment with settings' transfer table),
/// figures, report, claims and config; files actlab did not write stay.
fn clear_experiment(dir: &Path) -> Result<(), Failure> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let layout = ExperimentLayout::new(dir);
    let ours = [
        layout.config(),
        layout.summary("md"),
        layout.summary("csv"),
        layout.summary("json"),
        layout.runs_csv(),
        layout.epochs_csv(),
        layout.transfer("md"),
        layout.transfer("json"),
        layout.report(),
        dir.join("figures"),
        dir.join(".claims"),
    ];
    for entry in entries.flatten() {
        let path = entry.path();
        let is_run = path.is_dir()
            && (RunLayout::new(&path).record().is_file()
                || RunLayout::new(&path).checkpoints().is_dir());
        if !is_run && !ours.contains(&path) {
            continue;
        }
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed
            .with_context(|| format!("--force: cannot clear {}", path.display()))
            .map_err(input)?;
    }
    Ok(())
}

/// Something in `dir` that a new training would overwrite, if anything.
fn existing_result(dir: &Path) -> Option<String> {
    let layout = ExperimentLayout::new(dir);
    let entries = std::fs::read_dir(dir).ok()?;
    [layout.summary("json"), layout.transfer("json")]
        .into_iter()
        .chain(entries.flatten().map(|e| RunLayout::new(e.path()).record()))
        .find(|p| p.is_file())
        .map(|p| p.strip_prefix(dir).unwrap_or(&p).display().to_string())
}

/// Trains every run of the experiment.
pub fn run(args: TrainArgs, json: bool) -> Result<ExitCode, Failure> {
    let show = Shown {
        quiet: args.quiet,
        json,
        summary: true,
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
    if let Some(path) = &args.settings.defs {
        let extra = definition_file(path)?;
        if let Some(clash) = extra.iter().find(|d| {
            file.definitions
                .iter()
                .any(|e| e.name.eq_ignore_ascii_case(&d.name))
        }) {
            return Err(input(anyhow!(
                "--defs {}: defines '{}', which {origin} defines too; rename one",
                path.display(),
                clash.name
            )));
        }
        file.definitions.extend(extra);
    }
    args.settings
        .apply(&mut file, &origin, &text)
        .map_err(input)?;
    // A check error about a field the file writes names its line.
    let experiment = file
        .check(&origin)
        .map_err(|e| input(e.located_in(&text)))?;
    check_fits(&experiment, &args)?;
    if let Some(dir) = &experiment.file().tensorboard_dir
        && dir.exists()
        && !dir.is_dir()
    {
        return Err(input(anyhow!(
            "--tensorboard {}: a file, not a folder; give a folder for the event files (it is created when missing)",
            dir.display()
        )));
    }
    let data = load_data(&args.env)?;
    if !experiment.settings().is_empty() {
        return fresh_settings(&experiment, &data, &args, &origin, show);
    }
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
    if args.force {
        clear_experiment(dir)?;
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the experiment folder {}", dir.display()))
        .map_err(input)?;
    let rt = Runtime::start(&args.env.compute)?;
    spec::artifact::write(&ExperimentLayout::new(dir).config(), experiment.file())
        .with_context(|| format!("cannot write to {}", dir.display()))
        .map_err(input)?;
    let steps = experiment
        .runs()
        .into_iter()
        .map(|spec| Step::Train(Box::new(spec), Start::Fresh))
        .collect();
    train_steps(&experiment, steps, &data, &rt, &args.env, args.jobs, show)
}

/// How many of `steps` train a run (the others keep a finished one).
fn to_train(steps: &[Step]) -> usize {
    steps
        .iter()
        .filter(|s| matches!(s, Step::Train(..)))
        .count()
}

/// Refuses an experiment whose largest run (times `--jobs`) cannot fit in memory.
fn check_fits(experiment: &Experiment, args: &TrainArgs) -> Result<(), Failure> {
    let largest = experiment
        .runs()
        .iter()
        .map(|r| resources::training(r.network(), r.train()))
        .max_by_key(|e| e.total());
    match largest {
        Some(estimate) => check_memory(
            &estimate.times(args.jobs as u64),
            if args.jobs > 1 {
                "reduce --hidden, --batch-size or --jobs"
            } else {
                "reduce --hidden or --batch-size"
            },
            &args.env,
        ),
        None => Ok(()),
    }
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
    let (index, count) = shard_index(shard)?;
    let dir = experiment.dir();
    if !join_folder(experiment)? {
        return Err(input(anyhow!(
            "--shard: {} holds another experiment than this config and these flags describe; start every shard with the same ones, or pick another --name/--out",
            dir.display()
        )));
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
        let left = to_train(&steps);
        eprintln!(
            "shard {index}/{count} of {}: {} of the {planned} planned runs are this shard's, {left} left to train",
            dir.display(),
            steps.len()
        );
    }
    let rt = Runtime::start(&args.env.compute)?;
    train_steps(experiment, steps, data, &rt, &args.env, args.jobs, show)
}

/// A new experiment with settings: refuses to overwrite one (unless `--force`, which
/// clears every setting's folder), saves the config, and trains the settings.
fn fresh_settings(
    experiment: &Experiment,
    data: &FashionMnist,
    args: &TrainArgs,
    origin: &str,
    show: Shown,
) -> Result<ExitCode, Failure> {
    if args.shard.is_some() {
        return Err(input(anyhow!(
            "--shard: {origin} trains {} settings ([[setting]] tables), and a shard splits one experiment's runs; train it whole with --jobs N, or write each setting as a config of its own to shard it",
            experiment.settings().len()
        )));
    }
    let dir = experiment.dir();
    // Each setting's folder as `existing_result` sees a folder, named from the parent.
    let found = std::iter::once(dir)
        .chain(experiment.settings().iter().map(Experiment::dir))
        .find_map(|d| {
            let found = d.join(existing_result(d)?);
            Some(
                found
                    .strip_prefix(dir)
                    .unwrap_or(&found)
                    .display()
                    .to_string(),
            )
        });
    if let Some(found) = found.filter(|_| !args.force) {
        return Err(input(anyhow!(
            "{} already holds results ({found}); pass --resume {} to continue it, --force to overwrite it, or --name/--out for another folder",
            dir.display(),
            dir.display()
        )));
    }
    if args.force {
        for setting in experiment.settings() {
            clear_experiment(setting.dir())?;
        }
        clear_experiment(dir)?;
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the experiment folder {}", dir.display()))
        .map_err(input)?;
    spec::artifact::write(&ExperimentLayout::new(dir).config(), experiment.file())
        .with_context(|| format!("cannot write to {}", dir.display()))
        .map_err(input)?;
    train_settings(experiment, data, args, show)
}

/// Trains every setting of `experiment` in turn, each an experiment in its own folder
/// (what a setting's folder holds already is kept or resumed, as `--resume` does), then
/// writes and prints the transfer table. Stops at an interrupt; a setting whose runs
/// failed does not stop the others.
fn train_settings(
    experiment: &Experiment,
    data: &FashionMnist,
    args: &TrainArgs,
    show: Shown,
) -> Result<ExitCode, Failure> {
    let rt = Runtime::start(&args.env.compute)?;
    let count = experiment.settings().len();
    let mut code = ExitCode::SUCCESS;
    for (i, setting) in experiment.settings().iter().enumerate() {
        if !join_folder(setting)? {
            return Err(input(anyhow!(
                "{} holds another experiment than setting {} of {} describes; move it away, or pass --force to train afresh",
                setting.dir().display(),
                setting.name(),
                experiment.dir().display()
            )));
        }
        let steps = setting
            .runs()
            .into_iter()
            .map(|spec| resume_step(spec, data))
            .collect::<Result<Vec<_>, _>>()?;
        if !show.quiet {
            let left = to_train(&steps);
            eprintln!(
                "setting {}/{count}: {} ({left} of {} runs to train)",
                i + 1,
                setting.name(),
                steps.len()
            );
        }
        let quiet_summary = Shown {
            summary: false,
            ..show
        };
        let done = train_steps(
            setting,
            steps,
            data,
            &rt,
            &args.env,
            args.jobs,
            quiet_summary,
        )?;
        if done == ExitCode::from(INTERRUPTED) {
            return Ok(done);
        }
        if done != ExitCode::SUCCESS {
            code = done;
        }
    }
    let table = write_transfer(experiment)?;
    write_transfer_report(experiment, &table, None)?;
    if show.json {
        print_json(&serde_json::json!({ "dir": experiment.dir(), "transfer": table }))?;
    } else if show.summary {
        outln!("\n{}", table.accuracy_table().markdown());
        if let Some(units) = table.units_table() {
            outln!("{}", units.markdown());
        }
        outln!(
            "Results: {}/ (settings.md, settings.json, index.html, figures/; one experiment folder per setting)",
            experiment.dir().display()
        );
    }
    Ok(code)
}

/// `--resume DIR`: continues the unfinished runs of a saved experiment.
fn resume(dir: &Path, args: &TrainArgs, show: Shown) -> Result<ExitCode, Failure> {
    let experiment = saved_experiment(dir, "--resume ")?;
    check_fits(&experiment, args)?;
    let data = load_data(&args.env)?;
    if !experiment.settings().is_empty() {
        return train_settings(&experiment, &data, args, show);
    }
    let steps = experiment
        .runs()
        .into_iter()
        .map(|spec| resume_step(spec, &data))
        .collect::<Result<Vec<_>, _>>()?;
    let rt = Runtime::start(&args.env.compute)?;
    let left = to_train(&steps);
    if !show.quiet {
        eprintln!(
            "resuming {}: {} of {} runs left to train",
            dir.display(),
            left,
            steps.len()
        );
    }
    train_steps(&experiment, steps, &data, &rt, &args.env, args.jobs, show)
}
