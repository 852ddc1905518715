//! `actlab compare NEW BASELINE`: two experiment folders compared activation by
//! activation with the statistics of the summary, and a CI gate on regressions.

use std::process::ExitCode;

use anyhow::anyhow;

use crate::cli::compare::CompareArgs;
use crate::context::print::print_json;
use crate::context::saved::experiment_records;
use crate::failure::{self, Failure, input};

pub fn run(args: CompareArgs, json: bool) -> Result<ExitCode, Failure> {
    let (new, new_records) = experiment_records(&args.new)?;
    let (base, base_records) = experiment_records(&args.baseline)?;
    let label = |dir: &std::path::Path, name: &str| {
        dir.file_name()
            .map_or_else(|| name.to_string(), |n| n.to_string_lossy().into_owned())
    };
    let comparison = stats::compare_experiments(
        (&label(&args.new, new.name()), &new_records),
        (&label(&args.baseline, base.name()), &base_records),
        args.margin,
        &args.accept,
    )
    .map_err(|e| {
        input(anyhow!(
            "{} against {}: {e}",
            args.new.display(),
            args.baseline.display()
        ))
    })?;
    if comparison.groups.is_empty() {
        return Err(input(anyhow!(
            "{} and {} have no activation in common with a completed run (one has {}, the other {})",
            args.new.display(),
            args.baseline.display(),
            new.file().acts.join(", "),
            base.file().acts.join(", ")
        )));
    }
    if json {
        print_json(&comparison)?;
    } else {
        outln!("{}", comparison.table().section());
    }
    if args.fail_on_regression && !comparison.tested_any() {
        eprintln!(
            "actlab: nothing tested: no activation has 3 completed runs in both {} and {}, so the gate can say nothing about regressions (exit {}); train more seeds (--seeds 3)",
            args.new.display(),
            args.baseline.display(),
            failure::UNTESTED
        );
        return Ok(ExitCode::from(failure::UNTESTED));
    }
    let regressed = comparison.regressions();
    if args.fail_on_regression && !regressed.is_empty() {
        eprintln!(
            "actlab: regression: {} significantly worse in {} than in {} by more than {} points (exit {})",
            regressed.join(", "),
            args.new.display(),
            args.baseline.display(),
            args.margin,
            failure::REGRESSION
        );
        return Ok(ExitCode::from(failure::REGRESSION));
    }
    Ok(ExitCode::SUCCESS)
}
