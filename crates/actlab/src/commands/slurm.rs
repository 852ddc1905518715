//! `actlab slurm CONFIG`: a Slurm job array for a config's sweep, written as a script to
//! read, edit and submit. One array task per planned run (`--shard auto/N`: task k
//! trains run k), and the merge as a job that waits for every task.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use spec::ExperimentFile;

use crate::cli::slurm::SlurmArgs;
use crate::context::print::print_json;
use crate::failure::{Failure, failed, input};

/// `path` made absolute from the current folder (the script runs on other nodes, from
/// wherever it was submitted).
fn absolute(path: &Path) -> Result<PathBuf, Failure> {
    std::path::absolute(path)
        .with_context(|| format!("cannot make {} absolute", path.display()))
        .map_err(input)
}

/// A value as one shell word in single quotes.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

pub fn run(args: SlurmArgs, json: bool) -> Result<ExitCode, Failure> {
    let file = ExperimentFile::load(&args.config).map_err(input)?;
    let origin = args.config.display().to_string();
    let experiment = file.check(&origin).map_err(input)?;
    if let Some(time) = &args.time
        && !time
            .split(['-', ':'])
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(input(anyhow!(
            "--time {time:?}: not a Slurm time limit; write e.g. 01:30:00, 90 (minutes) or 1-00:00:00"
        )));
    }
    let tasks = experiment.runs().len();
    let name = experiment.name();
    let config = absolute(&args.config)?;
    let out = absolute(&experiment.file().out)?;
    let dir = out.join(name);
    let actlab = std::env::current_exe()
        .context("cannot find the actlab executable")
        .map_err(failed)?;
    let script = match &args.script {
        Some(path) => path.clone(),
        None => PathBuf::from(format!("{name}.sbatch")),
    };
    let limit = args
        .array_limit
        .map_or_else(String::new, |k| format!("%{k}"));
    let mut text = String::new();
    let _ = writeln!(
        text,
        "#!/bin/bash\n\
         # The sweep {name:?} of {3} as a Slurm job array: {tasks} tasks, one\n\
         # per planned run. Written by `actlab slurm`; edit freely. Submit with\n\
         #   bash {0}\n\
         #     the array, then `actlab merge` as a job that waits for every task, or\n\
         #   sbatch {0}\n\
         #     the array alone; merge later with {1} merge {2}\n\
         #\n\
         # Task k trains run k of the plan (activation-major: each activation with each\n\
         # seed), into the shared folder {2}.\n\
         # A task started again skips a finished run and resumes an unfinished one; a\n\
         # run claimed by a live task is never trained twice.",
        script.display(),
        actlab.display(),
        dir.display(),
        config.display(),
    );
    let _ = writeln!(text, "#SBATCH --job-name=actlab-{name}");
    let _ = writeln!(text, "#SBATCH --array=0-{}{limit}", tasks.saturating_sub(1));
    let _ = writeln!(text, "#SBATCH --ntasks=1");
    let _ = writeln!(text, "#SBATCH --cpus-per-task=1");
    if let Some(time) = &args.time {
        let _ = writeln!(text, "#SBATCH --time={time}");
    }
    if let Some(partition) = &args.partition {
        let _ = writeln!(text, "#SBATCH --partition={partition}");
    }
    let _ = writeln!(text, "set -euo pipefail\n");
    let _ = writeln!(text, "ACTLAB={}", quoted(&actlab.to_string_lossy()));
    let _ = writeln!(text, "CONFIG={}", quoted(&config.to_string_lossy()));
    let _ = writeln!(text, "OUT={}", quoted(&out.to_string_lossy()));
    let data = args.data_dir.as_deref().map(absolute).transpose()?;
    let mut data_flag = match &data {
        Some(d) => {
            let _ = writeln!(text, "DATA={}", quoted(&d.to_string_lossy()));
            " --data-dir \"$DATA\"".to_string()
        }
        None => String::new(),
    };
    if args.no_verify {
        data_flag.push_str(" --no-verify");
    }
    let _ = writeln!(
        text,
        "\nif [[ -z \"${{SLURM_JOB_ID:-}}\" ]]; then\n  \
           # Run with bash: submit the array, and the merge once every task has ended.\n  \
           array=$(sbatch --parsable \"$0\")\n  \
           array=${{array%%;*}}\n  \
           merge=$(sbatch --parsable --dependency=afterany:\"$array\" --job-name=actlab-{name}-merge \\\n    \
             --ntasks=1 --cpus-per-task=1 --wrap=\"'$ACTLAB' merge '$OUT/{name}'\")\n  \
           echo \"submitted array $array ({tasks} tasks) and merge $merge\"\n  \
           exit 0\nfi\n"
    );
    let _ = writeln!(
        text,
        "exec \"$ACTLAB\" train --config \"$CONFIG\" --out \"$OUT\"{data_flag} --shard auto/{tasks} --quiet"
    );
    spec::fsio::write_atomic(&script, text.as_bytes())
        .with_context(|| format!("cannot write {}", script.display()))
        .map_err(failed)?;
    #[cfg(unix)]
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
        println!(
            "{}: {tasks} array tasks for {}; submit with `bash {}` (array and merge) or `sbatch {}` (array alone)",
            script.display(),
            dir.display(),
            script.display(),
            script.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
