//! A sweep's runs, trained: what each run has left (from what its folder holds), each
//! run claimed before it is trained (so that shards and jobs sharing a folder never
//! train one run twice at once), trained in this process or by worker processes
//! (`--jobs`), and the summary written at the end. `train` plans the steps; `worker`
//! trains one run for a parent's `--jobs`.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use anyhow::{Context, anyhow};
use data::FashionMnist;
use serde::{Deserialize, Serialize};
use spec::claim::{Claimed, Owner, try_claim};
use spec::{
    EpochMetrics, Experiment, ExperimentLayout, RunLayout, RunRecord, RunSpec, RunStatus, fsio,
};
use train::{EventsObserver, Observer, RunContext, Start, fit};

use crate::cli::EnvArgs;
use crate::context::{Runtime, contradiction, experiment_records, print_json, run_record};
use crate::failure::{self, Failure, failed, input};
use crate::output::write_summary_and_figures;
use crate::progress::{RunDisplay, SweepProgress};

/// Exit code after an interrupt, as shells report death by SIGINT.
pub const INTERRUPTED: u8 = 130;

/// First Ctrl-C: ask the loop to stop after its current batch and save. Second: quit now
/// (every file is written atomically, so nothing is left half-written).
pub fn on_interrupt(stop: Arc<AtomicBool>) -> Result<(), Failure> {
    ctrlc::set_handler(move || {
        if stop.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(INTERRUPTED));
        }
        eprintln!("\nactlab: interrupted; finishing this batch and saving a checkpoint (Ctrl-C again to quit at once)");
    })
    .map_err(|e| failed(anyhow!("cannot install the Ctrl-C handler: {e}")))
}

/// What to do with one run of the experiment.
pub enum Step {
    /// Train it (afresh, or from its resume point).
    Train(Box<RunSpec>, Start),
    /// Already finished: keep its record for the summary.
    Keep(Box<RunRecord>),
}

/// What one run has left, from what its folder holds: nothing (finished), everything
/// (no record, or stopped inside its first epoch), or the epochs after its resume point.
pub fn resume_step(spec: RunSpec, data: &FashionMnist) -> Result<Step, Failure> {
    let layout = RunLayout::new(spec.dir());
    let record_path = layout.record();
    if !record_path.is_file() {
        return Ok(Step::Train(Box::new(spec), Start::Fresh));
    }
    let record = run_record(spec.dir())?;
    // experiment.json plans the run; run.json records what was trained: a folder whose
    // two disagree was edited or mixed up, and resuming it would mix results.
    let config = spec.dir().parent().map_or_else(
        || ExperimentLayout::CONFIG.into(),
        |d| ExperimentLayout::new(d).config(),
    );
    contradiction(&record, &spec, &record_path, &config)?;
    if record.is_finished() {
        return Ok(Step::Keep(Box::new(record)));
    }
    data.check_recorded(&record.dataset_md5)
        .with_context(|| format!("--resume {}", record_path.display()))
        .map_err(input)?;
    let Some(point) = &record.resume else {
        // Stopped before its first epoch ended: nothing worth keeping.
        return Ok(Step::Train(Box::new(spec), Start::Fresh));
    };
    for file in [&point.model, &point.optimizer] {
        let path = spec.dir().join(file);
        if !path.is_file() {
            return Err(input(anyhow!(
                "{}: its resume point {} is missing; the run cannot continue (train it again with --force)",
                record_path.display(),
                path.display()
            )));
        }
    }
    Ok(Step::Train(Box::new(spec), Start::Resume(Box::new(record))))
}

/// What came of one run.
pub enum Outcome {
    /// Trained here (to the end, or until it diverged or was interrupted).
    Trained(Box<RunRecord>),
    /// Finished already, by an earlier session or another shard.
    Kept(Box<RunRecord>),
    /// Another process trains it now.
    Elsewhere(Option<Owner>),
}

/// Claims `spec`'s run, decides from its folder (read after the claim, as another shard
/// may have trained it meanwhile) what is left, and trains that.
pub fn train_claimed(
    spec: RunSpec,
    data: &FashionMnist,
    rt: &Runtime,
    context: &RunContext,
    observer: &mut dyn Observer,
) -> Result<Outcome, Failure> {
    let experiment_dir = spec.dir().parent().unwrap_or(Path::new("."));
    let claim_file = ExperimentLayout::new(experiment_dir).claim(spec.name());
    let claim = match try_claim(&claim_file)
        .with_context(|| format!("cannot claim {} ({})", spec.name(), claim_file.display()))
        .map_err(failed)?
    {
        Claimed::Mine(claim) => claim,
        Claimed::Held(owner) => return Ok(Outcome::Elsewhere(owner)),
    };
    let (spec, start) = match resume_step(spec, data)? {
        Step::Keep(record) => return Ok(Outcome::Kept(record)),
        Step::Train(spec, start) => (spec, start),
    };
    // Only the claim's holder may tidy up: before it, a temporary may be another live
    // process's file being written.
    let layout = RunLayout::new(spec.dir());
    fsio::remove_temporaries(layout.dir());
    fsio::remove_temporaries(&layout.checkpoints());
    match &start {
        Start::Resume(previous)
            if previous.device != rt.device_name || previous.threads != rt.threads =>
        {
            eprintln!(
                "actlab: note: {} began on {} with {} thread(s) and continues on {} with {}; bit-identical results need the same",
                spec.name(),
                previous.device,
                previous.threads,
                rt.device_name,
                rt.threads
            );
        }
        Start::Fresh if spec.dir().exists() => {
            // A run killed inside its first epoch: its stale files must not outlive
            // the rerun.
            std::fs::remove_dir_all(spec.dir())
                .with_context(|| format!("cannot clear {}", spec.dir().display()))
                .map_err(failed)?;
        }
        _ => {}
    }
    let record = match spec.tensorboard_dir() {
        Some(dir) => {
            let earlier: &[EpochMetrics] = match &start {
                Start::Resume(previous) => &previous.epochs,
                Start::Fresh => &[],
            };
            let mut events = EventsObserver::new(&spec, dir, earlier, observer);
            let record = fit(&spec, start, data, &rt.device, context, &mut events);
            if let Ok(record) = &record {
                events.finish(record);
            }
            record
        }
        None => fit(&spec, start, data, &rt.device, context, observer),
    }
    .with_context(|| format!("run {}", spec.name()))
    .map_err(failed)?;
    drop(claim);
    Ok(Outcome::Trained(Box::new(record)))
}

/// How a command shows its progress and result.
#[derive(Clone, Copy)]
pub struct Shown {
    /// No progress output.
    pub quiet: bool,
    /// The result as JSON.
    pub json: bool,
}

/// Optimiser steps the steps will take: the epochs each run has left, times the batches
/// of an epoch.
fn steps_left(steps: &[Step], data: &FashionMnist) -> u64 {
    steps
        .iter()
        .map(|step| match step {
            Step::Keep(_) => 0,
            Step::Train(spec, start) => {
                let done = match start {
                    Start::Resume(record) => record.resume.as_ref().map_or(0, |p| p.epoch),
                    Start::Fresh => 0,
                };
                let batches = data.train.len().div_ceil(spec.train().batch_size);
                (spec.train().epochs.saturating_sub(done) * batches) as u64
            }
        })
        .sum()
}

/// What a sweep did with its runs, for the closing lines and the exit code.
#[derive(Default)]
struct Tally {
    /// Records of the runs trained or kept.
    records: Vec<RunRecord>,
    /// Runs trained here.
    trained: Vec<String>,
    /// Runs another process was training.
    elsewhere: Vec<String>,
    /// Runs whose training failed.
    failed: Vec<String>,
}

impl Tally {
    /// Notes a run's outcome: its record, and a line when it did not complete.
    fn add(&mut self, name: &str, outcome: Outcome, show: &SweepProgress, label: &str, dir: &Path) {
        match outcome {
            Outcome::Trained(record) => {
                match record.status {
                    RunStatus::Diverged(at) => show.notice(&format!(
                        "{label}: loss became non-finite at epoch {}, batch {}; run stopped (status: diverged)",
                        at.epoch, at.batch
                    )),
                    RunStatus::Interrupted(at) => show.notice(&format!(
                        "{label}: interrupted at epoch {}, batch {}; saved {} and its run.json; continue with --resume {}",
                        at.epoch,
                        at.batch,
                        dir.join(name)
                            .join(RunLayout::checkpoint(RunLayout::INTERRUPTED))
                            .display(),
                        dir.display()
                    )),
                    RunStatus::Running | RunStatus::Completed | RunStatus::Imported => {}
                }
                self.trained.push(name.to_string());
                self.records.push(*record);
            }
            Outcome::Kept(record) => self.records.push(*record),
            Outcome::Elsewhere(owner) => {
                show.notice(&format!(
                    "{label}: skipped; {} trains it now",
                    owner.map_or_else(|| "another process".to_string(), |o| o.to_string())
                ));
                self.elsewhere.push(name.to_string());
            }
        }
    }
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
    let stop = Arc::new(AtomicBool::new(false));
    let tally = if jobs > 1 {
        in_workers(experiment, steps, env, jobs, &mut display, &stop)?
    } else {
        in_process(experiment, steps, data, rt, &mut display, &stop)?
    };
    let (_, everyone) = experiment_records(experiment.dir())?;
    let table = write_summary_and_figures(experiment, &everyone)?;
    drop(display);
    if show.json {
        print_json(&serde_json::json!({
            "dir": experiment.dir(),
            "trained": tally.trained,
            "elsewhere": tally.elsewhere,
            "summary": table,
        }))?;
    } else {
        println!("\n{}", table.terminal());
        println!(
            "Results: {}/ (summary.md, summary.csv, summary.json, figures/; one folder per run)",
            experiment.dir().display()
        );
    }
    let all_ok = tally.failed.is_empty()
        && tally
            .records
            .iter()
            .all(|r| r.status == RunStatus::Completed);
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
    on_interrupt(stop.clone())?;
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
            train_claimed(spec, data, rt, &context, &mut progress)?
        };
        tally.add(&name, outcome, display, &label, experiment.dir());
        if stop.load(Ordering::SeqCst) {
            break;
        }
    }
    Ok(tally)
}

/// What a worker process tells its parent, one JSON object per line on its stdout.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum WorkerEvent {
    /// An epoch began.
    EpochStarted {
        /// 1-based epoch.
        epoch: usize,
        /// Epochs of the run.
        epochs: usize,
        /// Batches in the epoch.
        batches: usize,
    },
    /// A batch finished.
    Batch {
        /// 1-based batch.
        batch: usize,
        /// Running loss of the epoch.
        loss: f64,
        /// Running accuracy of the epoch.
        accuracy: f64,
    },
    /// An epoch finished.
    EpochDone {
        /// Its metrics.
        metrics: Box<EpochMetrics>,
    },
    /// The run had finished already: nothing trained.
    Kept,
    /// Another process trains the run.
    Elsewhere {
        /// Who, when its claim says.
        owner: Option<Owner>,
    },
}

/// The observer of a worker: every event as a line on stdout.
pub struct EventLines;

impl EventLines {
    /// Prints one event (a closed pipe is the parent's business: it is ignored).
    pub fn send(event: &WorkerEvent) {
        let mut out = std::io::stdout().lock();
        if let Ok(line) = serde_json::to_string(event) {
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    }
}

impl Observer for EventLines {
    fn epoch_started(&mut self, epoch: usize, epochs: usize, batches: usize) {
        Self::send(&WorkerEvent::EpochStarted {
            epoch,
            epochs,
            batches,
        });
    }

    fn batch_done(&mut self, batch: usize, loss: f64, accuracy: f64) {
        Self::send(&WorkerEvent::Batch {
            batch,
            loss,
            accuracy,
        });
    }

    fn epoch_done(&mut self, metrics: &EpochMetrics) {
        Self::send(&WorkerEvent::EpochDone {
            metrics: Box::new(metrics.clone()),
        });
    }
}

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

/// Sends SIGINT to each process in `pids`.
fn interrupt_all(pids: &Mutex<Vec<u32>>) {
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
fn in_workers(
    experiment: &Experiment,
    steps: Vec<Step>,
    env: &EnvArgs,
    jobs: usize,
    display: &mut SweepProgress,
    stop: &Arc<AtomicBool>,
) -> Result<Tally, Failure> {
    let pids: Arc<Mutex<Vec<u32>>> = Arc::default();
    {
        let (stop, pids) = (stop.clone(), pids.clone());
        ctrlc::set_handler(move || {
            interrupt_all(&pids);
            if stop.swap(true, Ordering::SeqCst) {
                std::process::exit(i32::from(INTERRUPTED));
            }
            eprintln!("\nactlab: interrupted; each run finishes its batch and saves a checkpoint (Ctrl-C again to quit at once)");
        })
        .map_err(|e| failed(anyhow!("cannot install the Ctrl-C handler: {e}")))?;
    }
    let total = steps.len();
    let mut tally = Tally::default();
    let mut queue = Vec::new();
    for (i, step) in steps.into_iter().enumerate() {
        match step {
            Step::Keep(record) => tally.records.push(*record),
            Step::Train(spec, _) => queue.push((i, spec)),
        }
    }
    // Longest first, so that a slow run does not start last and finish alone: the
    // activations with the most parameters per module (STAF's 75 sinusoid
    // coefficients, rational and spline coefficients) are the slow ones on a CPU.
    queue.sort_by_key(|(_, spec)| {
        std::cmp::Reverse(
            spec.network()
                .activation
                .as_ref()
                .map_or(0, |a| a.kind.param_count()),
        )
    });
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
                    if let Ok(event) = serde_json::from_str(&line) {
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
                tally.add(
                    &worker.name,
                    outcome,
                    display,
                    &worker.label,
                    experiment.dir(),
                );
            }
        }
    }
    Ok(tally)
}
