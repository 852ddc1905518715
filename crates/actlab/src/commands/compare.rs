//! `actlab compare NEW BASELINE`: two experiment folders compared activation by
//! activation with the statistics of the summary, and a CI gate on regressions. Two
//! experiments with settings are compared setting by setting, for every setting name
//! they share.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use anyhow::anyhow;
use spec::record::stats::ExperimentComparison;

use crate::cli::compare::CompareArgs;
use crate::context::print::print_json;
use crate::context::saved::{experiment_records, saved_experiment};
use crate::failure::{self, Failure, input};

/// One experiment folder against another (both named in errors).
fn compare_folders(
    new_dir: &Path,
    base_dir: &Path,
    args: &CompareArgs,
) -> Result<ExperimentComparison, Failure> {
    let (new, new_records) = experiment_records(new_dir)?;
    let (base, base_records) = experiment_records(base_dir)?;
    let label = |dir: &Path, name: &str| {
        dir.file_name()
            .map_or_else(|| name.to_string(), |n| n.to_string_lossy().into_owned())
    };
    let comparison = stats::compare_experiments(
        (&label(new_dir, new.name()), &new_records),
        (&label(base_dir, base.name()), &base_records),
        args.margin,
        &args.accept,
    )
    .map_err(|e| {
        input(anyhow!(
            "{} against {}: {e}",
            new_dir.display(),
            base_dir.display()
        ))
    })?;
    if comparison.groups.is_empty() {
        return Err(input(anyhow!(
            "{} and {} have no activation in common with a completed run (one has {}, the other {})",
            new_dir.display(),
            base_dir.display(),
            new.file().acts.join(", "),
            base.file().acts.join(", ")
        )));
    }
    Ok(comparison)
}

/// The comparisons to make, by setting name (one, unnamed, without settings): every
/// setting the two experiments share when both have settings.
fn comparisons(args: &CompareArgs) -> Result<BTreeMap<String, ExperimentComparison>, Failure> {
    let new = saved_experiment(&args.new, "")?;
    let base = saved_experiment(&args.baseline, "")?;
    let mut out = BTreeMap::new();
    if new.settings().is_empty() || base.settings().is_empty() {
        // One without settings: compared as folders (experiment_records explains a
        // folder of settings given against a plain experiment).
        out.insert(
            String::new(),
            compare_folders(&args.new, &args.baseline, args)?,
        );
        return Ok(out);
    }
    for setting in new.settings() {
        if let Some(theirs) = base.settings().iter().find(|s| s.name() == setting.name()) {
            let comparison = compare_folders(setting.dir(), theirs.dir(), args)?;
            out.insert(setting.name().to_string(), comparison);
        }
    }
    if out.is_empty() {
        let names = |e: &spec::Experiment| {
            let names: Vec<&str> = e.settings().iter().map(|s| s.name()).collect();
            names.join(", ")
        };
        return Err(input(anyhow!(
            "{} and {} share no setting ({} against {}); compare two settings' folders instead",
            args.new.display(),
            args.baseline.display(),
            names(&new),
            names(&base)
        )));
    }
    Ok(out)
}

pub fn run(args: CompareArgs, json: bool) -> Result<ExitCode, Failure> {
    let comparisons = comparisons(&args)?;
    let by_setting = !comparisons.contains_key("");
    if json {
        match by_setting {
            true => print_json(&comparisons)?,
            false => print_json(&comparisons[""])?,
        }
    } else {
        for (setting, comparison) in &comparisons {
            if by_setting {
                outln!("# Setting {setting}\n");
            }
            outln!("{}", comparison.table().section());
        }
    }
    if args.fail_on_regression && !comparisons.values().any(|c| c.tested_any()) {
        eprintln!(
            "actlab: nothing tested: no activation has 3 completed runs in both {} and {}, so the gate can say nothing about regressions (exit {}); train more seeds (--seeds 3)",
            args.new.display(),
            args.baseline.display(),
            failure::UNTESTED
        );
        return Ok(ExitCode::from(failure::UNTESTED));
    }
    let regressed: Vec<String> = comparisons
        .iter()
        .flat_map(|(setting, c)| {
            c.regressions()
                .into_iter()
                .map(move |group| match setting.is_empty() {
                    true => group.to_string(),
                    false => format!("{group} ({setting})"),
                })
        })
        .collect();
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
