//! `actlab tensorboard DIR`: TensorBoard event files of saved runs, from their records
//! (the same events `train --tensorboard` writes as it goes), so that every experiment,
//! the committed references included, opens in TensorBoard without retraining.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::UNIX_EPOCH;

use anyhow::{Context, anyhow};
use spec::{ExperimentLayout, RunLayout};
use tensorboard::{events_file_name, file_bytes, read_events, run_events};

use crate::cli::tensorboard::TensorboardArgs;
use crate::context::print::print_json;
use crate::context::saved::{experiment_folders, experiment_records};
use crate::failure::{Failure, failed, input};

/// The tag of exported files: exporting again replaces them.
const EXPORT_TAG: &str = "actlab-export";

pub fn run(args: TensorboardArgs, json: bool) -> Result<ExitCode, Failure> {
    if !args.dir.is_dir() {
        return Err(input(anyhow!(
            "{}: no such folder; give an experiment folder, or a folder with experiments below it",
            args.dir.display()
        )));
    }
    let folders = experiment_folders(&args.dir);
    if folders.is_empty() {
        return Err(input(anyhow!(
            "{}: no experiment folder (one holding {}) at or below it",
            args.dir.display(),
            ExperimentLayout::CONFIG
        )));
    }
    let mut written: Vec<PathBuf> = Vec::new();
    let mut live: Vec<PathBuf> = Vec::new();
    let mut events = 0usize;
    for folder in &folders {
        let (experiment, records) = experiment_records(folder)?;
        for record in &records {
            let run_dir = folder.join(&record.run);
            let target = match &args.out {
                Some(out) => out.join(experiment.name()).join(&record.run),
                None => RunLayout::new(&run_dir).tensorboard(),
            };
            let (exports, written_live) = event_files(&target);
            // Events written while the run trained are the same events: a second copy
            // would draw every curve twice.
            if !written_live.is_empty() {
                live.push(target);
                continue;
            }
            let start = start_time(&run_dir, record.wall_seconds);
            let path = target.join(events_file_name(start as u64, EXPORT_TAG));
            let bytes = file_bytes(start, &run_events(record, start));
            write_export(&target, &path, &bytes)
                .with_context(|| format!("cannot write {}", path.display()))
                .map_err(failed)?;
            // An earlier export of the same run goes: one file per run.
            for old in exports.iter().filter(|old| **old != path) {
                let _ = std::fs::remove_file(old);
            }
            // Read back what was written: every record and its CRCs.
            let back = read_events(&path)
                .with_context(|| format!("{} does not read back", path.display()))
                .map_err(failed)?;
            events += back.len();
            written.push(path);
        }
    }
    let logdir = args.out.clone().unwrap_or_else(|| args.dir.clone());
    if json {
        print_json(&serde_json::json!({
            "files": written,
            "events": events,
            "already_written": live,
            "logdir": logdir,
        }))?;
    } else {
        outln!(
            "{} event files ({events} events) from {} experiment(s); view them with: tensorboard --logdir {}",
            written.len(),
            folders.len(),
            logdir.display()
        );
        if !live.is_empty() {
            outln!(
                "{} run(s) already have the events written as they trained, kept as they are (e.g. {})",
                live.len(),
                live[0].display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The event files in `dir`: those of earlier exports, and those written as the run
/// trained.
fn event_files(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (Vec::new(), Vec::new());
    };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("events.out.tfevents."))
        })
        .partition(|p| p.to_string_lossy().ends_with(EXPORT_TAG))
}

/// When the run began: its record's last write, less the seconds it ran.
fn start_time(run_dir: &Path, wall_seconds: f64) -> f64 {
    let modified = std::fs::metadata(RunLayout::new(run_dir).record())
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0.0, |d| d.as_secs_f64());
    (modified - wall_seconds).max(0.0)
}

/// Writes `bytes` to `path` through a temporary whose name TensorBoard ignores (it
/// reads every file with `tfevents` in its name), so that an interrupted export leaves
/// nothing it would show.
fn write_export(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".tmp-export-{}", std::process::id()));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
