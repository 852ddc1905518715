//! `actlab report DIR`: one self-contained `index.html` for an experiment folder — when
//! and by what it was made, the summary table, every figure drawn from the records (the
//! probe reports of its runs included), and the config as TOML.

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::time::SystemTime;

use anyhow::Context;
use spec::artifact::{self, AnyArtifact};
use spec::{ExperimentLayout, RunRecord, fsio};
use viz::figures::drawing_of;
use viz::{Drawing, ExperimentReport};

use crate::cli::ReportArgs;
use crate::context::{experiment_records, experiment_summary, print_json, utc};
use crate::failure::{Failure, failed};

/// The distinct values of `f` over the records, joined.
fn distinct(records: &[RunRecord], f: impl Fn(&RunRecord) -> String) -> String {
    let values: BTreeSet<String> = records.iter().map(f).collect();
    values.into_iter().collect::<Vec<_>>().join(", ")
}

/// When and by what the report and its runs were made.
fn facts(records: &[RunRecord]) -> Vec<(String, String)> {
    let mut facts = vec![
        ("Report made (UTC)".to_string(), utc(SystemTime::now())),
        (
            "by actlab".to_string(),
            format!(
                "{} ({})",
                env!("CARGO_PKG_VERSION"),
                env!("ACTLAB_GIT_COMMIT")
            ),
        ),
    ];
    if !records.is_empty() {
        facts.extend([
            (
                "Runs trained by actlab".to_string(),
                distinct(records, |r| {
                    format!("{} ({})", r.actlab_version, r.revision)
                }),
            ),
            (
                "Backend".to_string(),
                distinct(records, |r| r.device.clone()),
            ),
            (
                "Threads".to_string(),
                distinct(records, |r| r.threads.to_string()),
            ),
            (
                "Data".to_string(),
                distinct(records, |r| r.dataset.display().to_string()),
            ),
        ]);
    }
    facts
}

/// The figures of the probe reports saved in each run's probes folder.
fn probe_figures(layout: &ExperimentLayout, records: &[RunRecord]) -> Vec<(String, Drawing)> {
    let mut figures = Vec::new();
    for record in records {
        let folder = layout.run(&record.run).probes();
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        let mut files: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for file in files {
            // Reports only: a figure's own JSON beside its report draws the same picture.
            let drawing = match artifact::read_any(&file) {
                Ok(
                    report @ (AnyArtifact::DeadNeurons(_)
                    | AnyArtifact::Outputs(_)
                    | AnyArtifact::Gradients(_)),
                ) => drawing_of(report),
                _ => None,
            };
            if let Some(drawing) = drawing {
                let name = file.file_stem().map(|s| s.to_string_lossy().into_owned());
                figures.push((
                    format!("{}: {}", record.run, name.unwrap_or_default()),
                    drawing,
                ));
            }
        }
    }
    figures
}

/// `actlab report`.
pub fn run(args: ReportArgs, json: bool) -> Result<ExitCode, Failure> {
    let layout = ExperimentLayout::new(&args.dir);
    let (experiment, records) = experiment_records(layout.dir())?;
    let facts = facts(&records);
    let probes = probe_figures(&layout, &records);
    let config = experiment.file().to_toml();
    let summary = experiment_summary(&experiment, &records);
    let report = ExperimentReport {
        name: experiment.name(),
        summary: &summary,
        facts: &facts,
        records: &records,
        probes: &probes,
        config: &config,
    };
    let html = report
        .html()
        .context("cannot draw a figure")
        .map_err(failed)?;
    let out = match &args.out {
        Some(dir) => dir.join(ExperimentLayout::REPORT),
        None => layout.report(),
    };
    fsio::write_atomic(&out, html.as_bytes())
        .with_context(|| format!("cannot write {}", out.display()))
        .map_err(failed)?;
    if json {
        print_json(&serde_json::json!({
            "file": out,
            "runs": records.len(),
            "figures": report.figure_count(),
        }))?;
    } else {
        println!(
            "{} ({} runs, {} figures)",
            out.display(),
            records.len(),
            report.figure_count()
        );
    }
    Ok(ExitCode::SUCCESS)
}
