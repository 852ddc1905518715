//! The training loop: the book's `train_model`, on an autodiff device.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use burn::module::Module;
use burn::optim::ModuleOptimizer;
use burn::tensor::Device;
use data::{FashionMnist, Split, epoch_order};
use nets::SimpleNetwork;
use nets::dense::cross_entropy;
use spec::record::probe::{DeadNeuronReport, UnitCensus};
use spec::{
    BatchPoint, CheckpointRef, EpochMetrics, NetError, RunLayout, RunRecord, RunSpec, RunStatus,
    RunningLoss, TrainConfig, artifact, rng::SplitMix64,
};
use thiserror::Error;

use crate::checkpoint::{
    CheckpointError, load_resume_point, remove_resume_point, save_checkpoint, save_resume_point,
};
use crate::optimizer::build_optimizer;
use crate::step::{correct, step};
use crate::track::GradTracker;
use data::{epoch_batches, for_each_batch};

/// A run that could not be carried out.
#[derive(Debug, Error)]
pub enum TrainError {
    /// The network config cannot be built.
    #[error(transparent)]
    Network(#[from] NetError),
    /// A checkpoint could not be written.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// The dataset's items could not be batched.
    #[error("cannot batch the dataset: {0}")]
    Data(String),
    /// A resume was asked of a record without a resume point.
    #[error("the run has no resume point (no epoch completed); train it afresh")]
    NothingToResume,
    /// `[train] dead_units` asked of a program that cannot count units.
    #[error("`[train] dead_units` is set, but this program has no dead-unit probe to count with")]
    NoUnitCounter,
    /// The run record could not be written.
    #[error("{path}: {error}")]
    Record {
        /// The file.
        path: PathBuf,
        /// The OS error.
        error: std::io::Error,
    },
}

/// Where one training step's time went (wall time; the CPU backends compute eagerly,
/// and the loss is read back inside `forward`, so each phase includes its own work).
#[derive(Clone, Copy, Debug, Default)]
pub struct StepPhases {
    /// Waiting for the batch (assembled by the data loader's worker meanwhile).
    pub assemble: Duration,
    /// Forward pass, loss, and the batch's loss and hit count read back; with
    /// `[train] slices` > 1, every slice's forward and backward pass (they overlap).
    pub forward: Duration,
    /// Backward pass and gradient collection; with slices, the gradients' sum.
    pub backward: Duration,
    /// The optimiser's update.
    pub optimizer: Duration,
}

/// Receives progress; the library never prints.
pub trait Observer: Send {
    /// An epoch (1-based) of `epochs` begins, with `batches` batches.
    fn epoch_started(&mut self, _epoch: usize, _epochs: usize, _batches: usize) {}
    /// Batch `batch` (1-based) finished; running loss and accuracy of the epoch so far.
    fn batch_done(&mut self, _batch: usize, _running_loss: f64, _running_accuracy: f64) {}
    /// An epoch finished, evaluation included.
    fn epoch_done(&mut self, _metrics: &EpochMetrics) {}
    /// A training step's time, by phase (for benchmarks).
    fn step_timed(&mut self, _phases: &StepPhases) {}
}

/// An observer that ignores everything.
pub struct SilentObserver;

impl Observer for SilentObserver {}

/// Facts about where a run executes (recorded in `run.json`), and its stop request.
#[derive(Clone, Debug, Default)]
pub struct RunContext {
    /// Backend and device, e.g. `flex (cpu)`.
    pub device_name: String,
    /// Worker threads.
    pub threads: usize,
    /// The source revision of the program that trains (e.g. a git commit).
    pub revision: String,
    /// Set (by a signal handler, say) to stop after the current batch with a checkpoint.
    pub stop: Arc<AtomicBool>,
    /// The dead-neuron probe that `[train] dead_units` counts with (a training loop
    /// does not depend on the probes; the program that has both passes it in).
    pub count_units: Option<UnitCounter>,
}

/// Dead and saturated units of an inference network over a split, in batches of the
/// given size: `probe::dead_neurons`.
pub type UnitCounter = fn(&SimpleNetwork, &Arc<Split>, usize, &Device) -> DeadNeuronReport;

impl RunContext {
    fn stop_requested(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// The unit census of `model` over the training split, when the run asks for one.
    fn census(
        &self,
        cfg: &TrainConfig,
        model: &SimpleNetwork,
        train: &Arc<Split>,
        device: &Device,
    ) -> Result<Option<UnitCensus>, TrainError> {
        if !cfg.dead_units {
            return Ok(None);
        }
        let count = self.count_units.ok_or(TrainError::NoUnitCounter)?;
        let report = count(&model.valid(), train, cfg.eval_batch_size, device);
        Ok(Some(UnitCensus::of(&report)))
    }
}

/// A run's network as it starts, on `ad_device`, drawn from the run's seed: the same bits
/// on every device ([`SimpleNetwork::from_seed`]). Data-dependent initialisations (LSUV)
/// measure on the first training images. `ad_device` is seeded, so what the run draws
/// next (RReLU's slopes) follows from the seed.
fn fresh_network(
    run: &RunSpec,
    data: &FashionMnist,
    ad_device: &Device,
) -> Result<SimpleNetwork, TrainError> {
    Ok(SimpleNetwork::from_seed(
        run.network(),
        run.train().seed,
        ad_device,
        first_batch_rows(run, data),
        |n, device| data::first_samples(&data.train, n, &device.clone().inner()).0,
    )?)
}

/// The network a fresh run starts from, as a copy built from the seed that then draws as
/// training's first step does, for what looks at the initial weights (the unit census,
/// the epoch-0 checkpoint). Burn draws a Linear layer's weights at their first use and
/// RReLU its slopes in every training forward pass, so the two interleave: drawing the
/// trained network's weights ahead of time would change RReLU's run. A forward pass of
/// zeros of the first batch's shape draws exactly what that batch will. The caller seeds
/// the device again after (building the trained network from the seed does).
fn initial_copy(
    run: &RunSpec,
    data: &FashionMnist,
    ad_device: &Device,
) -> Result<SimpleNetwork, TrainError> {
    let copy = fresh_network(run, data, ad_device)?;
    draw_as_the_first_batch(&copy, run, data, ad_device);
    Ok(copy)
}

/// The row count of a run's first training batch.
fn first_batch_rows(run: &RunSpec, data: &FashionMnist) -> usize {
    run.train().batch_size.min(data.train.len()).max(1)
}

/// Draws what Burn draws lazily at a network's first training pass (its weights, RReLU's
/// slopes), as the first batch would: a pass of zeros of that batch's shape.
fn draw_as_the_first_batch(
    model: &SimpleNetwork,
    run: &RunSpec,
    data: &FashionMnist,
    ad_device: &Device,
) {
    let shape = [first_batch_rows(run, data), run.network().input];
    model.draw_as_a_first_pass(shape, ad_device);
}

/// Mean cross-entropy and accuracy of `model` over `split`, in batches of `batch_size`.
/// `model` should be the inference copy (`model.valid()`) on a plain `device`.
pub fn evaluate(
    model: &SimpleNetwork,
    split: &Arc<Split>,
    batch_size: usize,
    device: &Device,
) -> (f64, f64) {
    let (mut loss_sum, mut hits) = (0.0f64, 0usize);
    for_each_batch(split, batch_size, device, |x, y| {
        let [n] = y.dims();
        let logits = model.forward(x);
        let loss: f32 = cross_entropy(logits.clone(), y.clone()).into_scalar();
        loss_sum += loss as f64 * n as f64;
        hits += correct(logits, y);
    });
    let n = split.len().max(1) as f64;
    (loss_sum / n, hits as f64 / n)
}

/// How a run begins.
#[derive(Clone, Debug)]
pub enum Start {
    /// From its seed: a new model and optimiser.
    Fresh,
    /// From the resume point of an unfinished run's record (see [`RunRecord::resume`]).
    Resume(Box<RunRecord>),
}

/// The seed of Burn's random stream for one epoch after the first. Reseeding at every
/// epoch makes the random draws of training (RReLU's slopes) depend on (seed, epoch)
/// alone, so a run resumed at an epoch boundary draws exactly what an uninterrupted one
/// would.
fn epoch_seed(seed: u64, epoch: usize) -> u64 {
    let mut rng = SplitMix64::new(seed ^ (epoch as u64).rotate_left(32));
    rng.next_u64()
}

/// The training part of an epoch that ran to its end.
struct EpochTraining {
    train_loss: f64,
    train_accuracy: f64,
    train_seconds: f64,
    running_loss: Vec<RunningLoss>,
    batches: usize,
}

/// One run in progress: the model, its optimiser and the record being written.
struct Trainer<'a> {
    run: &'a RunSpec,
    device: &'a Device,
    ad_device: Device,
    optimizer: ModuleOptimizer,
    record: RunRecord,
    tracker: GradTracker,
    started: Instant,
    /// Wall seconds of the run's earlier sessions (before a resume).
    earlier_seconds: f64,
}

impl<'a> Trainer<'a> {
    /// A new model and optimiser from the run's seed, or the state of its resume point.
    /// The model travels by value through the steps (the optimiser consumes it), so
    /// Burn can update tensors that nothing else holds in place.
    fn begin(
        run: &'a RunSpec,
        start: Start,
        data: &FashionMnist,
        device: &'a Device,
        context: &RunContext,
    ) -> Result<(Self, SimpleNetwork), TrainError> {
        let started = Instant::now();
        let cfg = run.train();
        let ad_device = device.clone().autodiff();
        // Seeding before building the model makes the initial weights, STAF's
        // coefficients and RReLU's slopes a function of the seed alone, as long as the
        // process trains one run at a time: Burn's random stream is global, so runs
        // started side by side in one process would interleave their draws.
        let initial = match start {
            Start::Fresh if cfg.dead_units || cfg.saves_after(0) => {
                Some(initial_copy(run, data, &ad_device)?)
            }
            _ => None,
        };
        let initial_units = match &initial {
            Some(copy) => context.census(cfg, copy, &data.train, device)?,
            None => None,
        };
        let model = fresh_network(run, data, &ad_device)?;
        if cfg.slices > 1 && matches!(start, Start::Fresh) {
            // The slices' replicas must start from drawn weights, not each draw its own.
            draw_as_the_first_batch(&model, run, data, &ad_device);
        }
        let optimizer = build_optimizer(cfg);
        let (model, optimizer, record) = match start {
            Start::Fresh => {
                let record = RunRecord {
                    actlab_version: env!("CARGO_PKG_VERSION").to_string(),
                    revision: context.revision.clone(),
                    experiment: run.experiment().to_string(),
                    run: run.name().to_string(),
                    network: run.network().clone(),
                    train: cfg.recorded(),
                    params: model.trainable_params(),
                    device: context.device_name.clone(),
                    threads: context.threads,
                    numerics: Some(nets::dense::numerics(run.network(), &ad_device)),
                    dataset: data.dir.clone(),
                    dataset_md5: data.checksums.clone(),
                    status: RunStatus::Running,
                    resume: None,
                    resumed_after: Vec::new(),
                    imported: None,
                    initial_units,
                    epochs: Vec::new(),
                    checkpoints: Vec::new(),
                    wall_seconds: 0.0,
                };
                (model, optimizer, record)
            }
            Start::Resume(previous) => {
                let point = previous.resume.clone().ok_or(TrainError::NothingToResume)?;
                let (model, optimizer) = load_resume_point(model, optimizer, run.dir(), &point)?;
                // The record forgets the checkpoint a stop left mid-epoch; so does the
                // folder (the resumed run will pass that batch with other weights).
                let interrupted = run
                    .dir()
                    .join(RunLayout::checkpoint(RunLayout::INTERRUPTED));
                if interrupted.is_file() {
                    std::fs::remove_file(&interrupted).map_err(|error| TrainError::Record {
                        path: interrupted.clone(),
                        error,
                    })?;
                }
                (model, optimizer, previous.rewound_to(point.epoch))
            }
        };
        let mut record = record;
        if let Some(initial) = initial.filter(|_| cfg.saves_after(0)) {
            let path = save_checkpoint(&initial, run.dir(), &RunLayout::epoch_checkpoint(0))?;
            record.checkpoints.push(CheckpointRef {
                epoch: 0,
                batch: None,
                path,
            });
        }
        let trainer = Self {
            run,
            device,
            earlier_seconds: record.wall_seconds,
            ad_device,
            optimizer,
            record,
            tracker: GradTracker::default(),
            started,
        };
        Ok((trainer, model))
    }

    /// Writes `run.json` as the record stands.
    fn write_record(&mut self) -> Result<(), TrainError> {
        self.record.wall_seconds = self.earlier_seconds + self.started.elapsed().as_secs_f64();
        let path = RunLayout::new(self.run.dir()).record();
        artifact::write(&path, &self.record).map_err(|error| TrainError::Record { path, error })
    }

    /// Trains epoch `epoch` (1-based) over the shuffled training set; `None` when the run
    /// stopped inside it (diverged, or a stop was requested), its status set.
    fn train_epoch(
        &mut self,
        mut model: SimpleNetwork,
        epoch: usize,
        train: &Arc<Split>,
        context: &RunContext,
        observer: &mut dyn Observer,
    ) -> Result<(SimpleNetwork, Option<EpochTraining>), TrainError> {
        let cfg = self.run.train();
        let batches = train.len().div_ceil(cfg.batch_size);
        observer.epoch_started(epoch, cfg.epochs, batches);
        // Not before epoch 1: Burn initialises parameters lazily, at their first use in
        // the first forward pass, so the initial weights are drawn during epoch 1 from the
        // stream seeded in `begin`. A run resumed after epoch k reloads its weights, so
        // reseeding from epoch 2 on is all an exact resume needs.
        if epoch > 1 {
            self.ad_device.seed(epoch_seed(cfg.seed, epoch));
        }
        let train_start = Instant::now();
        let order = epoch_order(train.len(), cfg.seed, epoch - 1);
        let loader = epoch_batches(train, order, cfg.batch_size, &self.ad_device);
        let mut stream = loader.iter();
        let (mut loss_sum, mut hits, mut seen) = (0.0f64, 0usize, 0usize);
        let mut running_loss = Vec::new();
        for b in 0.. {
            let at = BatchPoint {
                epoch,
                batch: b + 1,
            };
            let assemble_start = Instant::now();
            let Some(batch) = stream.next() else {
                break;
            };
            let batch = batch.map_err(|e| TrainError::Data(e.to_string()))?;
            let (x, y) = (batch.images, batch.targets);
            let [n] = y.dims();
            let forward_start = Instant::now();
            let Some(step) = step(&model, x, y, cfg.slices) else {
                self.record.status = RunStatus::Diverged(at);
                return Ok((model, None));
            };
            hits += step.hits;
            loss_sum += step.loss_total;
            seen += n;
            if cfg.track_grads {
                self.tracker.record(&model, &step.grads);
            }
            let optimizer_start = Instant::now();
            model = self.optimizer.step(cfg.lr, model, step.grads);
            observer.step_timed(&StepPhases {
                assemble: forward_start - assemble_start,
                forward: step.forward,
                backward: step.backward,
                optimizer: optimizer_start.elapsed(),
            });
            if at.batch.is_multiple_of(cfg.log_every) {
                running_loss.push(RunningLoss {
                    batch: at.batch,
                    loss: loss_sum / seen as f64,
                });
            }
            observer.batch_done(at.batch, loss_sum / seen as f64, hits as f64 / seen as f64);
            if context.stop_requested() {
                let path = save_checkpoint(&model, self.run.dir(), RunLayout::INTERRUPTED)?;
                self.record.checkpoints.push(CheckpointRef {
                    epoch: epoch - 1,
                    batch: Some(at.batch),
                    path,
                });
                self.record.status = RunStatus::Interrupted(at);
                return Ok((model, None));
            }
        }
        let training = EpochTraining {
            train_loss: loss_sum / seen.max(1) as f64,
            train_accuracy: hits as f64 / seen.max(1) as f64,
            train_seconds: train_start.elapsed().as_secs_f64(),
            running_loss,
            batches,
        };
        Ok((model, Some(training)))
    }

    /// Evaluates after epoch `epoch`, saves its checkpoint (when due) and resume point,
    /// and writes the record.
    fn end_epoch(
        &mut self,
        model: &SimpleNetwork,
        epoch: usize,
        training: EpochTraining,
        data: &FashionMnist,
        context: &RunContext,
        observer: &mut dyn Observer,
    ) -> Result<(), TrainError> {
        let cfg = self.run.train();
        let eval_start = Instant::now();
        let (test_loss, test_accuracy) =
            evaluate(&model.valid(), &data.test, cfg.eval_batch_size, self.device);
        let eval_seconds = eval_start.elapsed().as_secs_f64();
        let units = context.census(cfg, model, &data.train, self.device)?;
        let metrics = EpochMetrics {
            epoch,
            train_loss: training.train_loss,
            train_accuracy: training.train_accuracy,
            test_loss,
            test_accuracy,
            train_seconds: training.train_seconds,
            eval_seconds,
            layers: if cfg.track_grads {
                self.tracker.finish_epoch(model)
            } else {
                Vec::new()
            },
            running_loss: training.running_loss,
            batches: training.batches,
            units,
        };
        observer.epoch_done(&metrics);
        self.record.epochs.push(metrics);
        let dir = self.run.dir();
        if cfg.saves_after(epoch) {
            let name = RunLayout::epoch_checkpoint(epoch);
            let path = save_checkpoint(model, dir, &name)?;
            self.record.checkpoints.push(CheckpointRef {
                epoch,
                batch: None,
                path,
            });
        }
        let point = save_resume_point(model, &self.optimizer, dir, epoch)?;
        let superseded = self.record.resume.replace(point);
        self.write_record()?;
        if let Some(old) = superseded {
            remove_resume_point(dir, &old);
        }
        Ok(())
    }

    /// Marks a run that trained every epoch completed, drops the resume point of a
    /// finished run, and writes the final record.
    fn finish(mut self) -> Result<RunRecord, TrainError> {
        if self.record.status == RunStatus::Running {
            self.record.status = RunStatus::Completed;
        }
        // A finished run (completed or diverged) has nothing left to resume.
        let obsolete = if self.record.is_finished() {
            self.record.resume.take()
        } else {
            None
        };
        self.write_record()?;
        if let Some(old) = obsolete {
            remove_resume_point(self.run.dir(), &old);
        }
        Ok(self.record)
    }
}

/// Trains one run and writes its folder: `run.json` and a resume point after every
/// epoch, checkpoints at the configured epochs and at the end.
pub fn fit(
    run: &RunSpec,
    start: Start,
    data: &FashionMnist,
    device: &Device,
    context: &RunContext,
    observer: &mut dyn Observer,
) -> Result<RunRecord, TrainError> {
    let (mut trainer, mut model) = Trainer::begin(run, start, data, device, context)?;
    trainer.write_record()?;
    let first_epoch = trainer.record.epochs.len() + 1;
    for epoch in first_epoch..=run.train().epochs {
        let (trained, training) =
            trainer.train_epoch(model, epoch, &data.train, context, observer)?;
        model = trained;
        match training {
            Some(training) => {
                trainer.end_epoch(&model, epoch, training, data, context, observer)?
            }
            None => break,
        }
    }
    trainer.finish()
}
