//! `--jobs N`: runs trained by worker processes, N at once, their progress read from
//! the protocol lines each prints.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use anyhow::{Context, anyhow};
use spec::claim::Owner;
use spec::{Experiment, RunRecord, RunSpec};

use super::INTERRUPTED;
use super::protocol::WorkerEvent;
use super::steps::{Outcome, Step};
use super::tally::Tally;
use crate::cli::shared::EnvArgs;
use crate::context::saved::run_record;
use crate::failure::{Failure, failed};
use crate::progress::{RunDisplay, SweepProgress};

/// A worker process training one run.
struct Worker {
    name: String,
    label: String,
    child: Child,
    display: RunDisplay,
    elsewhere: Option<Option<Owner>>,
    kept: bool,
}

/// The command line of a worker for run `name` of the experiment in `dir`.
fn worker_command(dir: &Path, name: &str, env: &EnvArgs) -> Result<Command, Failure> {
    let exe = std::env::current_exe()
        .context("cannot find the actlab executable to start workers")
        .map_err(failed)?;
    let mut command = Command::new(exe);
    command.arg("worker").arg(dir).arg(name);
    command
        .args(["--device", env.compute.device.name()])
        .args(["--threads", &env.compute.threads.to_string()]);
    if let Some(data) = &env.data_dir {
        command.arg("--data-dir").arg(data);
    }
    if env.no_verify {
        command.arg("--no-verify");
    }
    // Its own process group: a Ctrl-C at the terminal reaches the parent alone, which
    // passes it on once (a second press would make a worker quit without saving).
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    Ok(command)
}

/// The records of the runs kept, and the runs to train, each with its place in the plan,
/// longest first, so that a slow run does not start last and finish alone: the
/// activations with the most parameters per module (STAF's 75 sinusoid coefficients,
/// rational and spline coefficients) are the slow ones on a CPU. Equal ones keep the
/// plan's order.
fn work_order(steps: Vec<Step>) -> (Vec<RunRecord>, Vec<(usize, Box<RunSpec>)>) {
    let mut kept = Vec::new();
    let mut queue = Vec::new();
    for (i, step) in steps.into_iter().enumerate() {
        match step {
            Step::Keep(record) => kept.push(*record),
            Step::Train(spec, _) => queue.push((i, spec)),
        }
    }
    queue.sort_by_key(|(_, spec)| {
        std::cmp::Reverse(
            spec.network()
                .activation
                .as_ref()
                .map_or(0, |a| a.kind.param_count()),
        )
    });
    (kept, queue)
}

/// Sends SIGINT to each process in `pids`.
pub(super) fn interrupt_all(pids: &Mutex<Vec<u32>>) {
    for &pid in pids.lock().map(|p| p.clone()).unwrap_or_default().iter() {
        // SAFETY: kill(2) has no memory effects; a pid that has exited is at worst
        // told nothing (ESRCH).
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGINT);
        }
    }
}

/// The steps in `jobs` worker processes at once, each run in a fresh process exactly as
/// it would train alone (Burn's random stream is global to a process, so runs sharing
/// one could not stay deterministic).
pub(super) fn in_workers(
    experiment: &Experiment,
    steps: Vec<Step>,
    env: &EnvArgs,
    jobs: usize,
    display: &mut SweepProgress,
    stop: &Arc<AtomicBool>,
) -> Result<Tally, Failure> {
    let pids = super::interrupt()?.pids.clone();
    let total = steps.len();
    let mut tally = Tally::default();
    let (kept, queue) = work_order(steps);
    tally.records.extend(kept);
    let mut queue = std::collections::VecDeque::from(queue);
    let (events, inbox) = mpsc::channel::<(usize, Option<WorkerEvent>)>();
    let mut slots: Vec<Option<Worker>> = (0..jobs).map(|_| None).collect();
    loop {
        // Fill the free slots, unless stopping.
        while !stop.load(Ordering::SeqCst) {
            let Some(slot) = slots.iter().position(Option::is_none) else {
                break;
            };
            let Some((i, spec)) = queue.pop_front() else {
                break;
            };
            let name = spec.name().to_string();
            let label = format!("[{}/{}] {name}", i + 1, total);
            let mut child = worker_command(experiment.dir(), &name, env)?
                .spawn()
                .context("cannot start a worker process")
                .map_err(failed)?;
            pids.lock()
                .map_err(|_| failed(anyhow!("worker list poisoned")))?
                .push(child.id());
            let stdout = child.stdout.take().expect("stdout is piped");
            let events = events.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if let Some(event) = WorkerEvent::from_line(&line) {
                        let _ = events.send((slot, Some(event)));
                    }
                }
                let _ = events.send((slot, None));
            });
            slots[slot] = Some(Worker {
                display: RunDisplay::new(&label),
                name,
                label,
                child,
                elsewhere: None,
                kept: false,
            });
        }
        if slots.iter().all(Option::is_none) {
            break;
        }
        let (slot, event) = inbox
            .recv()
            .map_err(|_| failed(anyhow!("lost contact with the workers")))?;
        let Some(worker) = slots[slot].as_mut() else {
            continue;
        };
        match event {
            Some(WorkerEvent::EpochStarted {
                epoch,
                epochs,
                batches,
            }) => worker
                .display
                .epoch_started(display, epoch, epochs, batches),
            Some(WorkerEvent::Batch {
                batch,
                loss,
                accuracy,
            }) => worker.display.batch_done(display, batch, loss, accuracy),
            Some(WorkerEvent::EpochDone { metrics }) => {
                worker.display.epoch_done(display, &metrics)
            }
            Some(WorkerEvent::Elsewhere { owner }) => worker.elsewhere = Some(owner),
            Some(WorkerEvent::Kept) => worker.kept = true,
            None => {
                let mut worker = slots[slot].take().expect("the slot is busy");
                worker.display.clear(display);
                let status = worker
                    .child
                    .wait()
                    .context("cannot wait for a worker")
                    .map_err(failed)?;
                if let Ok(mut p) = pids.lock() {
                    p.retain(|&pid| pid != worker.child.id());
                }
                let run_dir = experiment.dir().join(&worker.name);
                let outcome = if let Some(owner) = worker.elsewhere {
                    Outcome::Elsewhere(owner)
                } else if worker.kept {
                    Outcome::Kept(Box::new(run_record(&run_dir)?))
                } else if status.success() || status.code() == Some(i32::from(INTERRUPTED)) {
                    Outcome::Trained(Box::new(run_record(&run_dir)?))
                } else {
                    // The worker said why on stderr.
                    tally.failed.push(worker.name.clone());
                    continue;
                };
                if let Some(notice) =
                    tally.add(&worker.name, outcome, &worker.label, experiment.dir())
                {
                    display.notice(&notice);
                }
            }
        }
    }
    Ok(tally)
}

#[cfg(test)]
mod tests {
    use super::*;
    use spec::ExperimentFile;
    use train::Start;

    /// The slowest runs start first; runs of equal cost keep the plan's order, and each
    /// keeps its place in the plan (the progress labels number them by it).
    #[test]
    fn the_longest_runs_are_queued_first() {
        let file = ExperimentFile {
            name: "order".into(),
            acts: ["ReLU", "STAF", "TeLU", "GELU"].map(String::from).to_vec(),
            seeds: vec![1, 2],
            ..ExperimentFile::default()
        };
        let steps: Vec<Step> = file
            .check("test")
            .unwrap()
            .runs()
            .into_iter()
            .map(|r| Step::Train(Box::new(r), Start::Fresh))
            .collect();
        let (kept, queue) = work_order(steps);
        assert!(kept.is_empty());
        let order: Vec<(usize, &str)> = queue.iter().map(|(i, s)| (*i, s.name())).collect();
        assert_eq!(
            order,
            [
                (2, "STAF-s1"),
                (3, "STAF-s2"),
                (4, "TeLU-s1"),
                (5, "TeLU-s2"),
                (0, "ReLU-s1"),
                (1, "ReLU-s2"),
                (6, "GELU-s1"),
                (7, "GELU-s2")
            ]
        );
    }
}
