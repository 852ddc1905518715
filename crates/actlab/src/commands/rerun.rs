//! `actlab rerun`: a run's record is enough to train it again; check that it repeats.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use spec::{EpochMetrics, RunLayout, RunSpec};
use train::{Start, fit};

use crate::cli::rerun::RerunArgs;
use crate::context::data::load_data;
use crate::context::print::print_json;
use crate::context::runtime::Runtime;
use crate::context::saved::{cross_check, run_record};
use crate::failure::{self, Failure, failed, input};
use crate::progress::SweepProgress;

/// The metrics that must repeat exactly (timings never do).
fn outcome(e: &EpochMetrics) -> [f64; 4] {
    [e.train_loss, e.train_accuracy, e.test_loss, e.test_accuracy]
}

/// What the record's numerics say about repeating it here, when there is something to
/// say: a portable run repeats on any AVX2+FMA CPU and thread count; an older or a
/// machine-order one only where it was made.
fn expectation(original: &spec::RunRecord, rt: &Runtime) -> Option<String> {
    let elsewhere = rt.device_name != original.device || rt.threads != original.threads;
    match &original.numerics {
        None => Some(format!(
            "recorded by revision {} before actlab fixed its summation order: bit-identical results need that revision, the same CPU kind and {} thread(s)",
            original.revision, original.threads
        )),
        Some(n) if !n.portable => elsewhere.then(|| {
            format!(
                "recorded on {} with {} thread(s), rerunning on {} with {}; this run's bits follow the machine ({}), so they need the same",
                original.device,
                original.threads,
                rt.device_name,
                rt.threads,
                n.machine_order.join("; ")
            )
        }),
        Some(n) => Some(format!(
            "portable numerics (recorded on the {} path with {} thread(s)): this machine should repeat it exactly at the same code revision ({})",
            n.isa, original.threads, original.revision
        )),
    }
}

/// Trains the recorded run again and compares every recorded epoch.
pub fn run(args: RerunArgs, json: bool) -> Result<ExitCode, Failure> {
    let run_dir = if args.record.is_dir() {
        args.record.clone()
    } else {
        args.record.parent().map(PathBuf::from).unwrap_or_default()
    };
    let record_path = RunLayout::new(&run_dir).record();
    let original = run_record(&run_dir)?;
    cross_check(&run_dir, &original)?;
    if let Some(source) = &original.imported {
        return Err(input(anyhow!(
            "{}: run {} was imported from {}, not trained by actlab; there is no training to repeat (actlab eval --run {} evaluates it)",
            record_path.display(),
            original.run,
            source.file.display(),
            run_dir.display()
        )));
    }
    let data = load_data(&args.env)?;
    data.check_recorded(&original.dataset_md5).map_err(input)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results/rerun").join(&original.experiment));
    let dir = out.join(&original.run);
    if dir.exists() && !args.force {
        return Err(input(anyhow!(
            "{} already exists; pass --force to overwrite it, or --out DIR",
            dir.display()
        )));
    }
    let spec = RunSpec::new(
        &original.experiment,
        &original.run,
        dir.clone(),
        original.network.clone(),
        original.train.clone(),
        &record_path.display().to_string(),
    )
    .map_err(input)?;
    let rt = Runtime::start(&args.env.compute)?;
    if let Some(note) = expectation(&original, &rt) {
        eprintln!("actlab: note: {note}");
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("cannot clear {}", dir.display()))
            .map_err(failed)?;
    }
    let context = rt.run_context();
    let batches = data.train.len().div_ceil(spec.train().batch_size);
    let mut display = SweepProgress::new((spec.train().epochs * batches) as u64, args.quiet, json);
    let mut progress = display.run(&format!("rerun {}", spec.name()));
    let again = rt
        .run(|rt| {
            fit(
                &spec,
                Start::Fresh,
                &data,
                &rt.device,
                &context,
                &mut progress,
            )
        })
        .with_context(|| format!("rerun of {}", spec.name()))
        .map_err(failed)?;

    drop(progress);
    drop(display);
    let pairs = original.epochs.iter().zip(&again.epochs);
    let mismatch = pairs.clone().find(|(a, b)| outcome(a) != outcome(b));
    let complete = again.epochs.len() >= original.epochs.len();
    let reproduced = mismatch.is_none() && complete;
    if json {
        print_json(&serde_json::json!({
            "run": spec.name(),
            "dir": spec.dir(),
            "reproduced": reproduced,
            "epochs_recorded": original.epochs.len(),
            "epochs_rerun": again.epochs.len(),
            "first_mismatch": mismatch.map(|(a, b)| serde_json::json!({
                "epoch": a.epoch,
                "recorded": outcome(a),
                "now": outcome(b),
            })),
        }))?;
    } else {
        match mismatch {
            None if complete => outln!(
                "reproduced: all {} recorded epochs of {} have identical losses and accuracies ({})",
                original.epochs.len(),
                spec.name(),
                spec.dir().display()
            ),
            None => eprintln!(
                "actlab: the rerun stopped after {} of {} epochs (status {})",
                again.epochs.len(),
                original.epochs.len(),
                again.status.state()
            ),
            Some((a, b)) => eprintln!(
                "actlab: not reproduced: epoch {} recorded {:?}, now {:?} (train loss, train acc, test loss, test acc)",
                a.epoch,
                outcome(a),
                outcome(b)
            ),
        }
    }
    Ok(if reproduced {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(failure::RUN)
    })
}
