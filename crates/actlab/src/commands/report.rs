//! `actlab report DIR`: one self-contained `index.html` for an experiment folder — the
//! summary table, every figure drawn from the records, and the resolved config.

use std::process::ExitCode;

use anyhow::Context;
use spec::{ExperimentLayout, fsio};
use viz::ExperimentReport;

use crate::cli::ReportArgs;
use crate::context::experiment_records;
use crate::failure::{Failure, failed};

/// `actlab report`.
pub fn run(args: ReportArgs) -> Result<ExitCode, Failure> {
    let layout = ExperimentLayout::new(&args.dir);
    let (experiment, records) = experiment_records(layout.dir())?;
    let config = std::fs::read_to_string(layout.config())
        .with_context(|| format!("cannot read {}", layout.config().display()))
        .map_err(failed)?;
    let report = ExperimentReport {
        name: experiment.name(),
        records: &records,
        config: &config,
    };
    let html = report
        .html()
        .context("cannot draw a figure")
        .map_err(failed)?;
    let out = layout.report();
    fsio::write_atomic(&out, html.as_bytes())
        .with_context(|| format!("cannot write {}", out.display()))
        .map_err(failed)?;
    println!(
        "{} ({} runs, {} figures)",
        out.display(),
        records.len(),
        report.figure_count()
    );
    Ok(ExitCode::SUCCESS)
}
