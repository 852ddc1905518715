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
use spec::search::{Search, SearchFile};

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

/// Whether a config's TOML is a study's (it has rungs) rather than an experiment's.
fn is_study(text: &str) -> bool {
    text.parse::<toml::Table>()
        .is_ok_and(|t| t.contains_key("rung"))
}

/// The lines every script starts with after its comments: the job's `#SBATCH`
/// directives (the array's range is each script's own), `set -euo pipefail`, and the
/// paths as shell assignments. Returns the data flags the tasks pass on.
fn preamble(
    text: &mut Vec<u8>,
    job: &str,
    args: &SlurmArgs,
    paths: &[(&str, &Path)],
) -> Result<String, Failure> {
    push(text, format!("#SBATCH --job-name=actlab-{job}"));
    push(text, "#SBATCH --ntasks=1");
    push(text, "#SBATCH --cpus-per-task=1");
    if let Some(time) = &args.time {
        push(text, format!("#SBATCH --time={time}"));
    }
    if let Some(partition) = &args.partition {
        push(text, format!("#SBATCH --partition={partition}"));
    }
    push(text, "set -euo pipefail\n");
    for (name, path) in paths {
        assign(text, name, path);
    }
    let mut data_flag = String::new();
    if let Some(d) = args.data_dir.as_deref().map(absolute).transpose()? {
        assign(text, "DATA", &d);
        data_flag.push_str(" --data-dir \"$DATA\"");
    }
    if args.no_verify {
        data_flag.push_str(" --no-verify");
    }
    Ok(data_flag)
}

/// The actlab the tasks run: `--executable`, or this one.
fn executable(args: &SlurmArgs) -> Result<PathBuf, Failure> {
    match &args.executable {
        Some(path) => absolute(path),
        None => std::env::current_exe()
            .context("cannot find the actlab executable")
            .map_err(failed),
    }
}

/// Writes the script, executable.
fn write_script(script: &Path, text: &[u8]) -> Result<(), Failure> {
    spec::fsio::write_atomic(script, text)
        .with_context(|| format!("cannot write the script {}", script.display()))
        .map_err(input)?;
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(script, std::fs::Permissions::from_mode(0o755));
    Ok(())
}

/// `actlab slurm`.
pub fn run(args: SlurmArgs, json: bool) -> Result<ExitCode, Failure> {
    if let Some(time) = &args.time {
        check_time(time)?;
    }
    if let Some(partition) = &args.partition {
        check_partition(partition)?;
    }
    let text = ExperimentFile::read_text(&args.config).map_err(input)?;
    if is_study(&text) {
        return study_script(args, json, &text);
    }
    let file = ExperimentFile::parse(&text, &args.config).map_err(input)?;
    let origin = args.config.display().to_string();
    let experiment = file.check(&origin).map_err(input)?;
    let tasks = experiment.runs().len();
    let name = experiment.name();
    let config = absolute(&args.config)?;
    let out = absolute(&experiment.file().out)?;
    let dir = out.join(name);
    let actlab = executable(&args)?;
    let script = args
        .script
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.sbatch", job_name(name))));
    check_new([&script], args.force)?;

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
    let limit = args
        .array_limit
        .map_or_else(String::new, |k| format!("%{k}"));
    push(
        &mut text,
        format!("#SBATCH --array=0-{}{limit}", tasks.saturating_sub(1)),
    );
    let data_flag = preamble(
        &mut text,
        &job,
        &args,
        &[("ACTLAB", &actlab), ("CONFIG", &config), ("OUT", &out)],
    )?;
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
    write_script(&script, &text)?;
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

/// Runs each stage of a study trains, with the first rung's candidates screened and
/// picked here as the study will.
fn stage_tasks(search: &Search) -> Vec<usize> {
    let mut list = search::screen(search, &burn::tensor::Device::flex(), |_, _| {});
    search::select(search, &mut list);
    search::stage_runs(search, list.selected.len())
}

/// `actlab slurm STUDY`: one job array per stage of a study, each submitted to start
/// when the previous one has ended, and the study's end as a job after the last. The
/// study folder is prepared (screened) where the script is run with bash.
fn study_script(args: SlurmArgs, json: bool, text: &str) -> Result<ExitCode, Failure> {
    let file = SearchFile::parse(text, &args.config).map_err(input)?;
    let origin = args.config.display().to_string();
    let search = file.check(&origin).map_err(|e| input(e.located_in(text)))?;
    let tasks = stage_tasks(&search);
    let name = search.name();
    let config = absolute(&args.config)?;
    let out = absolute(&search.file().out)?;
    let dir = out.join(name);
    let actlab = executable(&args)?;
    let script = args
        .script
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.sbatch", job_name(name))));
    check_new([&script], args.force)?;
    let job = job_name(name);
    let counts: Vec<String> = tasks.iter().map(usize::to_string).collect();
    let shown = |p: &Path| one_line(bytes(p));
    let mut script_text = Vec::new();
    let text = &mut script_text;
    push(text, "#!/bin/bash");
    for line in [
        format!(
            "# The study {} of {} as Slurm job arrays, one per stage",
            one_line(name.as_bytes()),
            shown(&config)
        ),
        format!(
            "# ({} tasks: one per planned run; stages {}). Written by",
            counts.join(", "),
            search.stage_outline()
        ),
        "# `actlab slurm`; edit freely. Submit with".to_string(),
        format!("#   bash {}", shown(&script)),
        "# which prepares the study folder here (screening, no training), submits each".into(),
        "# stage's array to start once the previous one has ended, and the study's end".into(),
        "# (the leaderboard, the discovered functions) after the last. A stage's task k".into(),
        "# trains run k of the stage, which it derives from the earlier stages' records".into(),
        "# alone, so the arrays decide as one local process would.".into(),
    ] {
        push(text, line);
    }
    let limit = args
        .array_limit
        .map_or_else(String::new, |k| format!("%{k}"));
    let data_flag = preamble(
        text,
        &job,
        &args,
        &[
            ("ACTLAB", &actlab),
            ("CONFIG", &config),
            ("OUT", &out),
            ("STUDY", &dir),
        ],
    )?;
    // The end's command line, quoted for the `sh -c` that Slurm runs it with, and that
    // line quoted again as one word of this script.
    let mut end_words: Vec<&[u8]> = vec![
        bytes(&actlab),
        b"search".as_slice(),
        b"--resume".as_slice(),
        bytes(&dir),
        b"--quiet".as_slice(),
    ];
    let data = args.data_dir.as_deref().map(absolute).transpose()?;
    if let Some(d) = &data {
        end_words.extend([b"--data-dir".as_slice(), bytes(d)]);
    }
    if args.no_verify {
        end_words.push(b"--no-verify".as_slice());
    }
    let end = shell::command_line(end_words);
    push(text, "");
    push(text, "if [[ -z \"${SLURM_JOB_ID:-}\" ]]; then");
    push(text, "  if [[ ! -f \"$STUDY/search.json\" ]]; then");
    push(
        text,
        "    \"$ACTLAB\" search \"$CONFIG\" --out \"$OUT\" --prepare --quiet",
    );
    push(text, "  fi");
    push(text, "  after=\"\"");
    push(text, "  stage=1");
    push(text, format!("  for tasks in {}; do", counts.join(" ")));
    push(
        text,
        format!(
            "    job=$(sbatch --parsable ${{after:+--dependency=afterany:$after}} --array=0-$((tasks - 1)){limit} \\\n      --export=ALL,ACTLAB_STAGE=\"$stage\",ACTLAB_TASKS=\"$tasks\" \"$0\")"
        ),
    );
    push(text, "    after=${job%%;*}");
    push(text, "    stage=$((stage + 1))");
    push(text, "  done");
    let mut submit = format!(
        "  end=$(sbatch --parsable --dependency=afterany:\"$after\" --job-name=actlab-{job}-end \\\n    --ntasks=1 --cpus-per-task=1 --wrap="
    )
    .into_bytes();
    submit.extend(quote(&end));
    submit.push(b')');
    push(text, submit);
    push(
        text,
        format!(
            "  echo \"submitted {} stage arrays ({} tasks) and the study's end $end\"",
            tasks.len(),
            counts.join(", ")
        ),
    );
    push(text, "  exit 0");
    push(text, "fi\n");
    push(
        text,
        format!(
            "exec \"$ACTLAB\" search --resume \"$STUDY\"{data_flag} --stage \"$ACTLAB_STAGE\" --shard auto/\"$ACTLAB_TASKS\" --quiet"
        ),
    );
    write_script(&script, &script_text)?;
    if json {
        print_json(&serde_json::json!({
            "script": script,
            "stages": tasks,
            "study": dir,
        }))?;
    } else {
        outln!(
            "{}: {} stages of {} array tasks for {}; submit with `bash {}`",
            script.display(),
            tasks.len(),
            counts.join(", "),
            dir.display(),
            script.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
