//! `actlab merge DIR`: after the shards of a sweep, checks the experiment folder against
//! its plan (every planned run finished, nothing foreign or unreadable), names what is
//! missing or unfinished, and writes the summary, figures and report from the records.

use std::collections::BTreeSet;
use std::process::ExitCode;

use anyhow::anyhow;
use spec::artifact;
use spec::claim::{Claimed, try_claim};
use spec::{ExperimentLayout, RunLayout, RunRecord, RunState};

use crate::cli::merge::MergeArgs;
use crate::context::print::print_json;
use crate::context::saved::{contradiction, saved_experiment};
use crate::failure::{self, Failure, input};
use crate::output::{write_report, write_summary_and_figures};

/// A planned run that is not finished.
#[derive(serde::Serialize)]
struct Left {
    run: String,
    /// "missing", "running", "interrupted".
    state: String,
    /// Who trains it now, when a live process holds its claim.
    training_now: Option<String>,
}

pub fn run(args: MergeArgs, json: bool) -> Result<ExitCode, Failure> {
    let experiment = saved_experiment(&args.dir, "merge ")?;
    let layout = ExperimentLayout::new(experiment.dir());
    let plan = experiment.runs();
    let planned: BTreeSet<&str> = plan.iter().map(|r| r.name()).collect();
    // Folders holding a run.json that the plan does not name: another experiment's
    // runs copied in, or a rename. Named, never silently summarised or skipped.
    let mut foreign: Vec<String> = std::fs::read_dir(experiment.dir())
        .map_err(|e| input(anyhow!("merge {}: {e}", args.dir.display())))?
        .flatten()
        .filter(|e| RunLayout::new(e.path()).record().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !planned.contains(name.as_str()))
        .collect();
    foreign.sort();
    if !foreign.is_empty() {
        return Err(input(anyhow!(
            "merge {}: {} not planned by its {} (planned: {}); move it out or train into another folder",
            args.dir.display(),
            foreign
                .iter()
                .map(|f| format!("{f}/run.json is"))
                .collect::<Vec<_>>()
                .join(", "),
            ExperimentLayout::CONFIG,
            planned.iter().copied().collect::<Vec<_>>().join(", ")
        )));
    }
    let mut records: Vec<RunRecord> = Vec::new();
    let mut left: Vec<Left> = Vec::new();
    for spec in &plan {
        let path = RunLayout::new(spec.dir()).record();
        if !path.is_file() {
            left.push(Left {
                run: spec.name().to_string(),
                state: "missing".into(),
                training_now: None,
            });
            continue;
        }
        let record: RunRecord = artifact::read(&path)
            .map_err(|e| input(anyhow!("merge: {e}; train the run again (actlab train --config ... --shard) or remove its folder")))?;
        contradiction(&record, spec, &path, &layout.config())
            .map_err(|e| input(anyhow!("merge: {}", e.message())))?;
        if !record.is_finished() {
            // A claim that cannot be taken is held by a live process.
            let training_now = match try_claim(&layout.claim(spec.name())) {
                Ok(Claimed::Held(owner)) => {
                    Some(owner.map_or_else(|| "another process".to_string(), |o| o.to_string()))
                }
                _ => None,
            };
            left.push(Left {
                run: spec.name().to_string(),
                state: record.status.state().name().to_string(),
                training_now,
            });
        }
        records.push(record);
    }
    let summary = write_summary_and_figures(&experiment, &records)?;
    let (report, _) = write_report(&experiment, &records, None)?;
    let finished = records.iter().filter(|r| r.is_finished()).count();
    let diverged = records
        .iter()
        .filter(|r| r.status.state() == RunState::Diverged)
        .count();
    if json {
        print_json(&serde_json::json!({
            "dir": experiment.dir(),
            "planned": plan.len(),
            "finished": finished,
            "left": left,
            "report": report,
            "summary": summary,
        }))?;
    } else {
        outln!("{}", summary.terminal());
        outln!(
            "{}: {finished} of {} planned runs finished{}; summary, figures and {} written",
            experiment.dir().display(),
            plan.len(),
            if diverged > 0 {
                format!(" ({diverged} diverged)")
            } else {
                String::new()
            },
            report.display()
        );
    }
    if left.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let listed: Vec<String> = left
        .iter()
        .map(|l| match &l.training_now {
            Some(who) => format!("{} ({}, {who} trains it now)", l.run, l.state),
            None => format!("{} ({})", l.run, l.state),
        })
        .collect();
    eprintln!(
        "actlab: merge: {} of {} planned runs not finished: {}; start their shards again (a shard skips finished runs and resumes unfinished ones)",
        left.len(),
        plan.len(),
        listed.join(", ")
    );
    Ok(ExitCode::from(failure::INCOMPLETE))
}
