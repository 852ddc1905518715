//! `actlab slurm CONFIG`: a Slurm job array for a config's sweep, written as a script to
//! read, edit and submit. One array task per planned run (`--shard auto/N`: task k
//! trains run k), and the merge as a job that waits for every task.
//!
//! Every value that reaches a shell (paths in assignments, the merge's `--wrap` command,
//! which Slurm runs with `sh -c`) goes through [`shell::quote`]; values shown in comments
//! through [`shell::one_line`]; `#SBATCH` values are checked to be what Slurm reads
//! there, or refused.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use spec::ExperimentFile;

use crate::cli::slurm::SlurmArgs;
use crate::context::print::print_json;
use crate::context::write::check_new;
use crate::failure::{Failure, failed, input};
use crate::shell::{self, bytes, one_line, quote};

/// `path` made absolute from the current folder (the script runs on other nodes, from
/// wherever it was submitted).
fn absolute(path: &Path) -> Result<PathBuf, Failure> {
    std::path::absolute(path)
        .with_context(|| format!("cannot make {} absolute", path.display()))
        .map_err(input)
}

/// A Slurm time limit: minutes, or `[D-]HH:MM[:SS]`-like groups of digits.
fn check_time(time: &str) -> Result<(), Failure> {
    let valid = !time.is_empty()
        && time
            .split(['-', ':'])
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()));
    if valid {
        Ok(())
    } else {
        Err(input(anyhow!(
            "--time {time:?}: not a Slurm time limit; write e.g. 01:30:00, 90 (minutes) or 1-00:00:00"
        )))
    }
}

/// A partition name list as `#SBATCH --partition` takes it.
fn check_partition(partition: &str) -> Result<(), Failure> {
    let valid = !partition.is_empty()
        && partition.split(',').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        });
    if valid {
        Ok(())
    } else {
        Err(input(anyhow!(
            "--partition {partition:?}: not a partition name; use letters, digits, '_', '.' and '-', several separated by ','"
        )))
    }
}

/// The experiment's name as a Slurm job name: other characters than letters, digits,
/// `_`, `.` and `-` become `_` (a job name only labels the job).
fn job_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_.-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `line` and a newline, onto `script`.
fn push(script: &mut Vec<u8>, line: impl AsRef<[u8]>) {
    script.extend_from_slice(line.as_ref());
    script.push(b'\n');
}

/// `NAME=<quoted value>`.
fn assign(script: &mut Vec<u8>, name: &str, value: &Path) {
    let mut line = format!("{name}=").into_bytes();
    line.extend(quote(bytes(value)));
    push(script, line);
}

/// `actlab slurm`.
pub fn run(args: SlurmArgs, json: bool) -> Result<ExitCode, Failure> {
    let file = ExperimentFile::load(&args.config).map_err(input)?;
    let origin = args.config.display().to_string();
    let experiment = file.check(&origin).map_err(input)?;
    if let Some(time) = &args.time {
        check_time(time)?;
    }
    if let Some(partition) = &args.partition {
        check_partition(partition)?;
    }
    let tasks = experiment.runs().len();
    let name = experiment.name();
    let config = absolute(&args.config)?;
    let out = absolute(&experiment.file().out)?;
    let dir = out.join(name);
    let actlab = match &args.executable {
        Some(path) => absolute(path)?,
        None => std::env::current_exe()
            .context("cannot find the actlab executable")
            .map_err(failed)?,
    };
    let script = args
        .script
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.sbatch", job_name(name))));
    check_new([&script], args.force)?;
    let data = args.data_dir.as_deref().map(absolute).transpose()?;

    let mut text = Vec::new();
    let shown = |p: &Path| one_line(bytes(p));
    push(&mut text, "#!/bin/bash");
    push(
        &mut text,
        format!(
            "# The sweep {} of {} as a Slurm job array: {tasks} tasks, one",
            one_line(name.as_bytes()),
            shown(&config)
        ),
    );
    for line in [
        "# per planned run. Written by `actlab slurm`; edit freely. Submit with".to_string(),
        format!("#   bash {}", shown(&script)),
        "#     the array, then `actlab merge` as a job that waits for every task, or".to_string(),
        format!("#   sbatch {}", shown(&script)),
        format!(
            "#     the array alone; merge later with {} merge {}",
            shown(&actlab),
            shown(&dir)
        ),
        "#".to_string(),
        "# Task k trains run k of the plan (activation-major: each activation with each"
            .to_string(),
        format!("# seed), into the shared folder {}.", shown(&dir)),
        "# A task started again skips a finished run and resumes an unfinished one; a".to_string(),
        "# run claimed by a live task is never trained twice.".to_string(),
    ] {
        push(&mut text, line);
    }
    let job = job_name(name);
    push(&mut text, format!("#SBATCH --job-name=actlab-{job}"));
    let limit = args
        .array_limit
        .map_or_else(String::new, |k| format!("%{k}"));
    push(
        &mut text,
        format!("#SBATCH --array=0-{}{limit}", tasks.saturating_sub(1)),
    );
    push(&mut text, "#SBATCH --ntasks=1");
    push(&mut text, "#SBATCH --cpus-per-task=1");
    if let Some(time) = &args.time {
        push(&mut text, format!("#SBATCH --time={time}"));
    }
    if let Some(partition) = &args.partition {
        push(&mut text, format!("#SBATCH --partition={partition}"));
    }
    push(&mut text, "set -euo pipefail\n");
    assign(&mut text, "ACTLAB", &actlab);
    assign(&mut text, "CONFIG", &config);
    assign(&mut text, "OUT", &out);
    let mut data_flag = String::new();
    if let Some(d) = &data {
        assign(&mut text, "DATA", d);
        data_flag.push_str(" --data-dir \"$DATA\"");
    }
    if args.no_verify {
        data_flag.push_str(" --no-verify");
    }
    // The merge's command line, quoted for the `sh -c` that Slurm runs it with, and that
    // line quoted again as one word of this script.
    let merge = shell::command_line([bytes(&actlab), b"merge".as_slice(), bytes(&dir)]);
    push(&mut text, "");
    push(&mut text, "if [[ -z \"${SLURM_JOB_ID:-}\" ]]; then");
    push(
        &mut text,
        "  # Run with bash: submit the array, and the merge once every task has ended.",
    );
    push(&mut text, "  array=$(sbatch --parsable \"$0\")");
    push(&mut text, "  array=${array%%;*}");
    let mut submit = format!(
        "  merge=$(sbatch --parsable --dependency=afterany:\"$array\" --job-name=actlab-{job}-merge \\\n    --ntasks=1 --cpus-per-task=1 --wrap="
    )
    .into_bytes();
    submit.extend(quote(&merge));
    submit.push(b')');
    push(&mut text, submit);
    push(
        &mut text,
        format!("  echo \"submitted array $array ({tasks} tasks) and merge $merge\""),
    );
    push(&mut text, "  exit 0");
    push(&mut text, "fi\n");
    push(
        &mut text,
        format!(
            "exec \"$ACTLAB\" train --config \"$CONFIG\" --out \"$OUT\"{data_flag} --shard auto/{tasks} --quiet"
        ),
    );
    spec::fsio::write_atomic(&script, &text)
        .with_context(|| format!("cannot write the script {}", script.display()))
        .map_err(input)?;
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755));
    }
    if json {
        print_json(&serde_json::json!({
            "script": script,
            "tasks": tasks,
            "experiment": dir,
        }))?;
    } else {
        outln!(
            "{}: {tasks} array tasks for {}; submit with `bash {}` (array and merge) or `sbatch {}` (array alone)",
            script.display(),
            dir.display(),
            script.display(),
            script.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
