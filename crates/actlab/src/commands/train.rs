//! `actlab train`: config + flags -> checked experiment -> one run per activation and
//! seed -> the book's table.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use acts::{ActivationKind, Scope};
use anyhow::{Context, anyhow};
use train::{
    ExperimentFile, OptimizerKind, RUN_RECORD, RunRecord, RunStatus, SummaryTable, fit,
    write_json_atomic,
};

use crate::cli::TrainArgs;
use crate::commands::{load_data, runtime};
use crate::failure::{self, Failure, failed, input};
use crate::progress::Progress;

/// Applies the flags on top of the file (flags win), checking each flag's value so that
/// an error names the flag rather than a config field.
fn apply_flags(file: &mut ExperimentFile, args: &TrainArgs) -> Result<(), Failure> {
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
        for name in &names {
            name.parse::<ActivationKind>()
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
    if let Some(scope) = &args.scope {
        file.scope = scope.parse::<Scope>().context("--scope").map_err(input)?;
    }
    if let Some(optimizer) = &args.optimizer {
        file.train.optimizer = optimizer
            .parse::<OptimizerKind>()
            .context("--optimizer")
            .map_err(input)?;
    }
    if let Some(seeds) = &args.seed {
        file.seeds = seeds.clone();
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
    if dir.join("summary.json").is_file() {
        return Some("summary.json".into());
    }
    let entries = std::fs::read_dir(dir).ok()?;
    entries
        .flatten()
        .map(|e| e.path().join(RUN_RECORD))
        .find(|p| p.is_file())
        .map(|p| p.strip_prefix(dir).unwrap_or(&p).display().to_string())
}

/// Trains every run of the experiment.
pub fn run(args: TrainArgs) -> Result<ExitCode, Failure> {
    if args.config.is_none() && args.acts.is_none() {
        return Err(input(anyhow!(
            "nothing to train: pass --acts NAMES (e.g. --acts ReLU,TeLU,STAF) or --config FILE (e.g. configs/book-ch4.toml)"
        )));
    }
    let (mut file, origin) = match &args.config {
        Some(path) => (
            ExperimentFile::load(path).map_err(input)?,
            path.display().to_string(),
        ),
        None => (ExperimentFile::default(), "command line".to_string()),
    };
    apply_flags(&mut file, &args)?;
    let experiment = file.check(&origin).map_err(input)?;
    let data = load_data(&args.env)?;
    if let Some(found) = existing_result(&experiment.dir).filter(|_| !args.force) {
        return Err(input(anyhow!(
            "{} already holds results ({found}); pass --force to overwrite them, or --name/--out for another folder",
            experiment.dir.display()
        )));
    }
    std::fs::create_dir_all(&experiment.dir)
        .with_context(|| {
            format!(
                "cannot create the experiment folder {}",
                experiment.dir.display()
            )
        })
        .map_err(input)?;
    let rt = runtime(&args.env)?;
    write_json_atomic(&experiment.dir.join("experiment.json"), &experiment)
        .with_context(|| format!("cannot write to {}", experiment.dir.display()))
        .map_err(input)?;

    let context = rt.run_context();
    on_interrupt(context.stop.clone())?;
    let runs = experiment.runs();
    let mut records: Vec<RunRecord> = Vec::with_capacity(runs.len());
    for (i, spec) in runs.iter().enumerate() {
        if spec.dir.exists() {
            // Only reachable with --force: stale checkpoints must not outlive the rerun.
            std::fs::remove_dir_all(&spec.dir)
                .with_context(|| format!("cannot clear {}", spec.dir.display()))
                .map_err(failed)?;
        }
        let label = format!("[{}/{}] {}", i + 1, runs.len(), spec.name);
        let mut progress = Progress::new(&label, args.quiet);
        let record = fit(spec, &data, &rt.device, &context, &mut progress)
            .with_context(|| format!("run {}", spec.name))
            .map_err(failed)?;
        if let (RunStatus::Diverged, Some((epoch, batch))) = (record.status, record.diverged_at) {
            eprintln!(
                "{label}: loss became non-finite at epoch {epoch}, batch {batch}; run stopped (status: diverged)"
            );
        }
        if let (RunStatus::Interrupted, Some((epoch, batch))) =
            (record.status, record.interrupted_at)
        {
            eprintln!(
                "{label}: interrupted at epoch {epoch}, batch {batch}; saved {} and its run.json",
                spec.dir.join("checkpoints/interrupted.bpk").display()
            );
        }
        records.push(record);
        if context.stop.load(Ordering::SeqCst) {
            break;
        }
    }

    let table = SummaryTable::from_records(&experiment.name, &records);
    table
        .write(&experiment.dir)
        .with_context(|| format!("cannot write the summary into {}", experiment.dir.display()))
        .map_err(failed)?;
    println!("\n{}", table.markdown());
    println!(
        "Results: {}/ (summary.md, summary.csv, summary.json; one folder per run)",
        experiment.dir.display()
    );
    let all_ok = records.iter().all(|r| r.status == RunStatus::Completed);
    Ok(if context.stop.load(Ordering::SeqCst) {
        ExitCode::from(INTERRUPTED)
    } else if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(failure::RUN)
    })
}
