//! `actlab report DIR`: one self-contained `index.html` for an experiment folder — when
//! and by what it was made, the summary table, every figure drawn from the records (the
//! probe reports of its runs included), and the config as TOML — or for a study folder:
//! its leaderboard's tables, its figures and its config; or for an experiment with
//! settings: its transfer table, recomputed from the settings' records, and its figure.

use std::process::ExitCode;

use anyhow::anyhow;
use spec::search::layout::StudyLayout;

use crate::cli::report::ReportArgs;
use crate::context::print::print_json;
use crate::context::saved::{experiment_records, saved_experiment};
use crate::context::study::{saved_board, saved_search};
use crate::failure::{Failure, input};
use crate::output::{write_report, write_study_report, write_transfer, write_transfer_report};

/// `actlab report`.
pub fn run(args: ReportArgs, json: bool) -> Result<ExitCode, Failure> {
    let layout = StudyLayout::new(&args.dir);
    if layout.config().is_file() {
        let search = saved_search(&args.dir, "")?;
        let board = saved_board(&layout).ok_or_else(|| {
            input(anyhow!(
                "{}: the study has no leaderboard yet (it is written as each stage finishes; actlab search --status {} says where it stands)",
                args.dir.display(),
                args.dir.display()
            ))
        })?;
        let (out, figures) = write_study_report(&search, &board, args.out.as_deref())?;
        if json {
            print_json(&serde_json::json!({ "file": out, "figures": figures }))?;
        } else {
            outln!(
                "{} (study {}, {figures} figures)",
                out.display(),
                search.name()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let experiment = saved_experiment(&args.dir, "")?;
    if !experiment.settings().is_empty() {
        let table = write_transfer(&experiment)?;
        let out = write_transfer_report(&experiment, &table, args.out.as_deref())?;
        if json {
            print_json(&serde_json::json!({ "file": out, "settings": table.settings.len() }))?;
        } else {
            outln!(
                "{} (experiment {}, {} settings)",
                out.display(),
                experiment.name(),
                table.settings.len()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (experiment, records) = experiment_records(&args.dir)?;
    let (out, figures) = write_report(&experiment, &records, args.out.as_deref())?;
    if json {
        print_json(&serde_json::json!({
            "file": out,
            "runs": records.len(),
            "figures": figures,
        }))?;
    } else {
        outln!(
            "{} ({} runs, {} figures)",
            out.display(),
            records.len(),
            figures
        );
    }
    Ok(ExitCode::SUCCESS)
}
