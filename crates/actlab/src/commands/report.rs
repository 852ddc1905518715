//! `actlab report DIR`: one self-contained `index.html` for an experiment folder — the
//! summary table, every figure drawn from the records, and the resolved config.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use train::{SummaryTable, write_atomic};
use viz::report_html;

use crate::cli::ReportArgs;
use crate::commands::plot::{experiment_figure, experiment_records, run_figure};
use crate::failure::{Failure, failed};

/// `actlab report`.
pub fn run(args: ReportArgs) -> Result<ExitCode, Failure> {
    let dir = &args.dir;
    let (experiment, records) = experiment_records(dir)?;
    let table = SummaryTable::from_records(&experiment.name, &records);
    let rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|r| {
            vec![
                r.model.clone(),
                r.run.clone(),
                format!("{:.2}", r.accuracy_percent),
                format!("{:.4}", r.final_loss),
                format!("{:.1}", r.time_seconds),
                format!("{:?}", r.status).to_lowercase(),
            ]
        })
        .collect();
    let svg = |figure: viz::Figure| {
        figure
            .to_svg()
            .context("cannot draw a figure")
            .map_err(failed)
    };
    let mut figures = vec![(
        "Every run: test accuracy and training loss per epoch".to_string(),
        svg(experiment_figure(&experiment.name, &records))?,
    )];
    for record in records.iter().filter(|r| !r.epochs.is_empty()) {
        figures.push((
            format!("{}: loss and accuracy per epoch", record.run),
            svg(run_figure(record))?,
        ));
    }
    let config = std::fs::read_to_string(dir.join("experiment.json"))
        .context("cannot read experiment.json")
        .map_err(failed)?;
    let html = report_html(
        &format!("actlab experiment {}", experiment.name),
        &[
            "Model",
            "Run",
            "Accuracy (%)",
            "Final loss",
            "Time (s)",
            "Status",
        ],
        &rows,
        &figures,
        &config,
    );
    let out: PathBuf = dir.join("index.html");
    write_atomic(&out, html.as_bytes())
        .with_context(|| format!("cannot write {}", out.display()))
        .map_err(failed)?;
    println!(
        "{} ({} runs, {} figures)",
        out.display(),
        records.len(),
        figures.len()
    );
    Ok(ExitCode::SUCCESS)
}
