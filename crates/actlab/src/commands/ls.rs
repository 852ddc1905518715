//! `actlab ls [DIR]`: the experiments under a folder and their runs at a glance.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::anyhow;
use serde::Serialize;
use spec::{RunLayout, RunRecord};

use crate::cli::ls::LsArgs;
use crate::context::print::{print_json, utc};
use crate::context::saved::{experiment_folders, run_record, saved_experiment};
use crate::failure::{Failure, input};

/// One run as `ls` shows it.
#[derive(Serialize)]
struct RunLine {
    run: String,
    /// completed, diverged, interrupted, running, or "not begun".
    status: String,
    epochs_done: usize,
    epochs: usize,
    /// Test accuracy after the last completed epoch, percent (what every other table
    /// shows: the final one, not the best).
    final_test_accuracy: Option<f64>,
    /// When run.json was last written (UTC).
    written: Option<String>,
}

/// One experiment folder as `ls` shows it.
#[derive(Serialize)]
struct ExperimentLine {
    name: String,
    dir: PathBuf,
    /// Why the folder could not be read, if it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<String>,
    runs: Vec<RunLine>,
}

fn run_line(
    name: &str,
    epochs: usize,
    record: Option<&RunRecord>,
    written: Option<String>,
) -> RunLine {
    let Some(r) = record else {
        return RunLine {
            run: name.to_string(),
            status: "not begun".into(),
            epochs_done: 0,
            epochs,
            final_test_accuracy: None,
            written: None,
        };
    };
    RunLine {
        run: r.run.clone(),
        status: r.status.state().to_string(),
        epochs_done: r.epochs.len(),
        epochs: r.train.epochs,
        final_test_accuracy: r.epochs.last().map(|e| e.test_accuracy * 100.0),
        written,
    }
}

fn experiment_line(dir: &Path) -> ExperimentLine {
    let experiment = match saved_experiment(dir, "") {
        Ok(e) => e,
        Err(failure) => {
            return ExperimentLine {
                name: dir
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                dir: dir.to_path_buf(),
                problem: Some(failure.message()),
                runs: Vec::new(),
            };
        }
    };
    let runs = experiment
        .runs()
        .iter()
        .map(|spec| {
            let path = RunLayout::new(spec.dir()).record();
            let written = std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .ok()
                .map(utc);
            let record = path
                .is_file()
                .then(|| run_record(spec.dir()).ok())
                .flatten();
            run_line(spec.name(), spec.train().epochs, record.as_ref(), written)
        })
        .collect();
    ExperimentLine {
        name: experiment.name().to_string(),
        dir: dir.to_path_buf(),
        problem: None,
        runs,
    }
}

/// `actlab ls`.
pub fn run(args: LsArgs, json: bool) -> Result<ExitCode, Failure> {
    if !args.dir.is_dir() {
        return Err(input(anyhow!(
            "{}: no such folder (actlab train writes into results/ unless told --out)",
            args.dir.display()
        )));
    }
    let lines: Vec<ExperimentLine> = experiment_folders(&args.dir)
        .iter()
        .map(|d| experiment_line(d))
        .collect();
    if json {
        print_json(&lines)?;
        return Ok(ExitCode::SUCCESS);
    }
    if lines.is_empty() {
        outln!(
            "no experiments under {} (an experiment folder holds experiment.json)",
            args.dir.display()
        );
    }
    for (i, e) in lines.iter().enumerate() {
        if i > 0 {
            outln!();
        }
        if let Some(problem) = &e.problem {
            outln!("{}  unreadable: {problem}", e.dir.display());
            continue;
        }
        let runs = e.runs.len();
        outln!(
            "{}  (experiment {}, {runs} run{})",
            e.dir.display(),
            e.name,
            if runs == 1 { "" } else { "s" }
        );
        let width = e.runs.iter().map(|r| r.run.len()).max().unwrap_or(3).max(3);
        outln!(
            "  {:<width$}  {:<11}  {:>7}  {:>11}  written (UTC)",
            "run",
            "status",
            "epochs",
            "final acc %"
        );
        for r in &e.runs {
            let accuracy = r
                .final_test_accuracy
                .map_or("-".into(), |a| format!("{a:.2}"));
            outln!(
                "  {:<width$}  {:<11}  {:>7}  {:>11}  {}",
                r.run,
                r.status,
                format!("{}/{}", r.epochs_done, r.epochs),
                accuracy,
                r.written.as_deref().unwrap_or("-")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
