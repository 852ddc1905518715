//! A sweep's runs, trained: what each run has left (from what its folder holds), each
//! run claimed before it is trained (so that shards and jobs sharing a folder never
//! train one run twice at once), trained in this process or by worker processes
//! (`--jobs`), and the summary written at the end. `train` plans the steps; `worker`
//! trains one run for a parent's `--jobs`.

mod protocol;
mod steps;
mod tally;
mod workers;

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::{Context, anyhow};
use data::FashionMnist;
use spec::{Experiment, ExperimentFile, ExperimentLayout, artifact, fsio};

pub use protocol::{EventLines, WorkerEvent};
pub use steps::{Outcome, Step, resume_step, train_claimed};

use crate::cli::shared::EnvArgs;
use crate::context::print::print_json;
use crate::context::runtime::Runtime;
use crate::context::saved::experiment_records;
use crate::failure::{self, Failure, failed, input};
use crate::output::write_summary_and_figures;
use crate::parse::ShardChoice;
use crate::progress::SweepProgress;
use steps::steps_left;
use tally::Tally;
use workers::{in_workers, interrupt_all};

/// Exit code after an interrupt, as shells report death by SIGINT.
pub const INTERRUPTED: u8 = 130;

/// What Ctrl-C reaches: the stop flag every sweep of this process watches, and the
/// worker processes running now. ctrlc allows one handler per process, and a search
/// trains a sweep per rung, so the handler is installed once, on first use.
pub struct Interrupt {
    /// Set by the first Ctrl-C: finish the current batch, save, stop.
    pub stop: Arc<AtomicBool>,
    /// Worker processes to pass the interrupt on to.
    pub pids: Arc<Mutex<Vec<u32>>>,
}

/// The process's [`Interrupt`]. First Ctrl-C: the workers are interrupted and the loop
/// asked to stop after its current batch and save. Second: quit now (every file is
/// written atomically, so nothing is left half-written).
pub fn interrupt() -> Result<&'static Interrupt, Failure> {
    static STATE: OnceLock<Result<Interrupt, String>> = OnceLock::new();
    STATE
        .get_or_init(|| {
            let state = Interrupt {
                stop: Arc::default(),
                pids: Arc::default(),
            };
            let (stop, pids) = (state.stop.clone(), state.pids.clone());
            ctrlc::set_handler(move || {
                let workers = pids.lock().is_ok_and(|p| !p.is_empty());
                interrupt_all(&pids);
                if stop.swap(true, Ordering::SeqCst) {
                    std::process::exit(i32::from(INTERRUPTED));
                }
                if workers {
                    eprintln!("\nactlab: interrupted; each run finishes its batch and saves a checkpoint (Ctrl-C again to quit at once)");
                } else {
                    eprintln!("\nactlab: interrupted; finishing this batch and saving a checkpoint (Ctrl-C again to quit at once)");
                }
            })
            .map_err(|e| format!("cannot install the Ctrl-C handler: {e}"))?;
            Ok(state)
        })
        .as_ref()
        .map_err(|e| failed(anyhow!("{e}")))
}

/// The shard index the scheduler gives this process: Slurm array task, or Kubernetes
/// indexed job.
fn scheduler_index() -> Result<usize, Failure> {
    for variable in ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"] {
        if let Ok(value) = std::env::var(variable) {
            return value.trim().parse().map_err(|_| {
                input(anyhow!(
                    "--shard auto/N: {variable} is {value:?}, not a whole number"
                ))
            });
        }
    }
    Err(input(anyhow!(
        "--shard auto/N: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set; run it as a Slurm array task or a Kubernetes indexed job, or give the index (--shard I/N)"
    )))
}

/// `--shard I/N` as (I, N), with `auto/N`'s index from the scheduler.
pub fn shard_index(shard: ShardChoice) -> Result<(usize, usize), Failure> {
    match shard {
        ShardChoice::Index { index, count } => Ok((index, count)),
        ShardChoice::Auto { count } => {
            let index = scheduler_index()?;
            if index >= count {
                return Err(input(anyhow!(
                    "--shard auto/{count}: the scheduler's index is {index}; it must be below {count} (an array of {count} tasks, 0 to {})",
                    count - 1
                )));
            }
            Ok((index, count))
        }
    }
}

/// Joins the folder a sweep trains into: writes its `experiment.json` when there is
/// none (of processes starting together exactly one does: a link never replaces a
/// file), else reads the one there. Whether the folder plans these runs; where it was
/// written (`out`) aside, since a folder may have been moved or copied.
pub fn join_folder(experiment: &Experiment) -> Result<bool, Failure> {
    let dir = experiment.dir();
    let config = ExperimentLayout::new(dir).config();
    let written = fsio::write_new(&config, artifact::to_json(experiment.file()).as_bytes())
        .with_context(|| format!("cannot write to {}", dir.display()))
        .map_err(input)?;
    if written {
        return Ok(true);
    }
    let mut saved: ExperimentFile = artifact::read(&config).map_err(input)?;
    saved.out = experiment.file().out.clone();
    Ok(&saved == experiment.file())
}

/// How a command shows its progress and result.
#[derive(Clone, Copy)]
pub struct Shown {
    /// No progress output.
    pub quiet: bool,
    /// The result as JSON (progress lines then go to stderr).
    pub json: bool,
    /// The summary table at the end (a search's rungs leave it to the leaderboard).
    pub summary: bool,
}

/// Carries out the steps (`jobs` runs at once), then writes and prints the summary of
/// every run the folder holds.
pub fn train_steps(
    experiment: &Experiment,
    steps: Vec<Step>,
    data: &FashionMnist,
    rt: &Runtime,
    env: &EnvArgs,
    jobs: usize,
    show: Shown,
) -> Result<ExitCode, Failure> {
    let mut display = SweepProgress::new(steps_left(&steps, data), show.quiet, show.json);
    let stop = interrupt()?.stop.clone();
    let tally = if jobs > 1 {
        in_workers(experiment, steps, env, jobs, &mut display, &stop)?
    } else {
        in_process(experiment, steps, data, rt, &mut display, &stop)?
    };
    let (_, everyone) = experiment_records(experiment.dir())?;
    let table = write_summary_and_figures(experiment, &everyone)?;
    drop(display);
    if show.summary && show.json {
        print_json(&serde_json::json!({
            "dir": experiment.dir(),
            "trained": tally.trained,
            "elsewhere": tally.elsewhere,
            "summary": table,
        }))?;
    } else if show.summary {
        outln!("\n{}", table.terminal());
        outln!(
            "Results: {}/ (summary.md, summary.csv, summary.json, figures/; one folder per run)",
            experiment.dir().display()
        );
    }
    let all_ok = tally.all_completed();
    Ok(if stop.load(Ordering::SeqCst) {
        ExitCode::from(INTERRUPTED)
    } else if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(failure::RUN)
    })
}

/// The steps one after another in this process.
fn in_process(
    experiment: &Experiment,
    steps: Vec<Step>,
    data: &FashionMnist,
    rt: &Runtime,
    display: &mut SweepProgress,
    stop: &Arc<AtomicBool>,
) -> Result<Tally, Failure> {
    let mut context = rt.run_context();
    context.stop = stop.clone();
    let total = steps.len();
    let mut tally = Tally::default();
    for (i, step) in steps.into_iter().enumerate() {
        let spec = match step {
            Step::Keep(record) => {
                tally.records.push(*record);
                continue;
            }
            Step::Train(spec, _) => *spec,
        };
        let name = spec.name().to_string();
        let label = format!("[{}/{}] {name}", i + 1, total);
        let outcome = {
            let mut progress = display.run(&label);
            rt.run(|rt| train_claimed(spec, data, rt, &context, &mut progress))?
        };
        if let Some(notice) = tally.add(&name, outcome, &label, experiment.dir()) {
            display.notice(&notice);
        }
        if stop.load(Ordering::SeqCst) {
            break;
        }
    }
    Ok(tally)
}
