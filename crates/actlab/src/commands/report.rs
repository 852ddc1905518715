//! `actlab report DIR`: one self-contained `index.html` for an experiment folder — when
//! and by what it was made, the summary table, every figure drawn from the records (the
//! probe reports of its runs included), and the config as TOML.

use std::process::ExitCode;

use crate::cli::report::ReportArgs;
use crate::context::print::print_json;
use crate::context::saved::experiment_records;
use crate::failure::Failure;
use crate::output::write_report;

/// `actlab report`.
pub fn run(args: ReportArgs, json: bool) -> Result<ExitCode, Failure> {
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
