//! `actlab bench`: where the time goes, measured in-process so that process start-up and
//! dataset loading stay out of the numbers.
//!
//! - `acts`: forward + backward of every activation on a `[128, 256]` tensor.
//! - `train`: whole training epochs of the book's network (median over epochs after the
//!   first), split into the phases of a step (batch assembly, forward, backward,
//!   optimiser), plus the test-set evaluation and one dead-neuron pass over the 60,000
//!   training images; its matrix products in GFLOP/s and as a share of this machine's
//!   product peak.
//! - `peak`: this machine's limits ([`peak`]).

mod peak;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use acts::Activation;
use anyhow::{Context, anyhow};
use burn::tensor::{Device, Distribution, Tensor};
use nets::SimpleNetwork;
use serde::Serialize;
use spec::{ActivationKind, ActivationSpec, EpochMetrics, ExperimentFile};
use train::{Observer, RunContext, Start, StepPhases, fit, load_network};

use crate::cli::bench::{BenchActsArgs, BenchPeakArgs, BenchTrainArgs};
use crate::context::data::load_data;
use crate::context::networks::{chosen_activations, definition_file};
use crate::context::print::print_json;
use crate::context::runtime::{Runtime, check_memory};
use crate::failure::{Failure, failed, input};

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// One activation's forward + backward time.
#[derive(Serialize)]
struct ActTiming {
    activation: String,
    /// Median microseconds of forward + sum + backward on `[128, 256]`.
    median_us: f64,
    /// That time over ReLU's.
    relative_to_relu: f64,
}

/// `actlab bench acts`.
pub fn acts(args: BenchActsArgs, json: bool) -> Result<ExitCode, Failure> {
    let rt = Runtime::start(&args.compute)?;
    let device = rt.device.clone().autodiff();
    let all: Vec<ActivationKind> = ActivationKind::all().collect();
    let specs = chosen_activations(args.acts.as_deref(), &args.defs, &all)?;
    let time = |spec: &ActivationSpec| -> Result<f64, Failure> {
        let module = Activation::init(spec, 1, &device);
        let mut samples = Vec::with_capacity(args.iterations);
        for i in 0..args.iterations + args.iterations / 5 {
            let x = Tensor::<2>::random([128, 256], Distribution::Normal(0.0, 1.0), &device)
                .require_grad();
            let start = Instant::now();
            let grads = module.forward(x.clone()).sum().backward();
            let dx = x.grad(&grads).expect("the input has a gradient");
            let _: f32 = dx.sum().into_scalar();
            // The first fifth warms caches and allocators up.
            if i >= args.iterations / 5 {
                samples.push(start.elapsed().as_secs_f64() * 1e6);
            }
        }
        Ok(median(samples))
    };
    let rows = rt.run(|_| {
        let relu = time(&ActivationKind::ReLU.into())?;
        let mut rows = Vec::new();
        for spec in &specs {
            let us = time(spec)?;
            rows.push(ActTiming {
                activation: spec.name().to_string(),
                median_us: us,
                relative_to_relu: us / relu,
            });
        }
        Ok::<_, Failure>(rows)
    })?;
    if json {
        print_json(&rows)?;
    } else {
        outln!(
            "forward + backward on [128, 256], {} threads, median of {}",
            rt.threads,
            args.iterations
        );
        outln!("{:<16} {:>10} {:>8}", "activation", "µs", "× ReLU");
        for r in rows {
            outln!(
                "{:<16} {:>10.1} {:>8.2}",
                r.activation,
                r.median_us,
                r.relative_to_relu
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Collects step phases and epoch times from a training run.
#[derive(Default)]
struct Timings {
    steps: Vec<StepPhases>,
    epochs: Vec<EpochMetrics>,
}

impl Observer for Timings {
    fn step_timed(&mut self, phases: &StepPhases) {
        self.steps.push(*phases);
    }
    fn epoch_done(&mut self, metrics: &EpochMetrics) {
        self.epochs.push(metrics.clone());
    }
}

/// Medians of one activation's training run.
#[derive(Serialize)]
struct TrainTiming {
    activation: String,
    /// How the activation was computed (`acts::kernel_path`).
    kernel: String,
    /// A user expression's operations (`spec::Expr::operations`) and the median time to
    /// compile it to its kernels (µs, of 200).
    #[serde(skip_serializing_if = "Option::is_none")]
    expression: Option<ExpressionCost>,
    threads: usize,
    device: String,
    /// Epochs measured (after the first, a warm-up, when there are several).
    epochs_measured: usize,
    /// Convolutions' channels (none for an MLP).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    conv: Vec<usize>,
    /// Hidden widths.
    hidden: Vec<usize>,
    /// Training batch size.
    batch_size: usize,
    /// Slices of each batch (`--slices`; 1: the batch whole).
    slices: usize,
    /// Training images per measured epoch (`--images`; 60,000 without it).
    train_images: usize,
    /// Median seconds of a training epoch over the 60,000 images (scaled from
    /// `train_images` when fewer).
    epoch_s: f64,
    /// Median seconds of evaluating the 10,000 test images.
    eval_s: f64,
    /// Seconds of one dead-neuron pass over the 60,000 training images (scaled like
    /// `epoch_s`).
    dead_neuron_pass_s: f64,
    /// Median milliseconds per step of each phase.
    step_ms: StepMs,
    /// The step's matrix products against this machine's peak.
    products: Products,
}

/// What a user expression costs before training.
#[derive(Serialize)]
struct ExpressionCost {
    operations: usize,
    compile_us: f64,
}

/// The operations of a user expression and its median compile time.
fn expression_cost(activation: &ActivationSpec) -> Option<ExpressionCost> {
    let ActivationSpec::Custom(definition) = activation else {
        return None;
    };
    let spec::Compiled::Expression(expr) = definition.compiled() else {
        return None;
    };
    let times = (0..200)
        .map(|_| {
            let start = Instant::now();
            let kernel = acts::ExprKernel::compile(definition);
            let us = start.elapsed().as_secs_f64() * 1e6;
            drop(kernel);
            us
        })
        .collect();
    Some(ExpressionCost {
        operations: expr.operations(),
        compile_us: median(times),
    })
}

/// A step's matrix products: how fast, and how far from the limit.
#[derive(Serialize)]
struct Products {
    /// GFLOP of products per step, forward and backward (a multiply-add counts two).
    forward_gflop: f64,
    backward_gflop: f64,
    /// Those over the median forward and backward phase times (GFLOP/s): everything
    /// else in the phase (activations, loss, Burn's bookkeeping) counts against them.
    /// Absent with slices, whose phases overlap on the threads.
    #[serde(skip_serializing_if = "Option::is_none")]
    forward_gflops: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    backward_gflops: Option<f64>,
    /// The products of a whole epoch over the epoch's time (GFLOP/s).
    epoch_gflops: f64,
    /// This machine's limits on the run's thread count (`actlab bench peak`).
    limits: peak::Limits,
}

impl Products {
    /// `gflops` as a percentage of the product peak.
    fn share(&self, gflops: f64) -> f64 {
        100.0 * gflops / self.limits.product_gflops
    }
}

#[derive(Serialize)]
struct StepMs {
    assemble: f64,
    forward: f64,
    backward: f64,
    optimizer: f64,
}

/// `actlab bench train`.
pub fn train(args: BenchTrainArgs, json: bool) -> Result<ExitCode, Failure> {
    let mut data = load_data(&args.env)?;
    let full_epoch = data.train.len();
    if let Some(n) = args.images {
        data.train = std::sync::Arc::new(data.train.first(n));
    }
    // Times measured on fewer images, scaled to a full epoch.
    let scale = full_epoch as f64 / data.train.len() as f64;
    let rt = Runtime::start(&args.env.compute)?;
    let mut file = ExperimentFile {
        acts: args.acts.clone(),
        name: "bench".into(),
        ..ExperimentFile::default()
    };
    if let Some(path) = &args.defs.file {
        file.definitions = definition_file(path)?;
    }
    args.shape.apply(&mut file);
    file.train.epochs = args.epochs;
    file.train.batch_size = args.batch_size;
    file.train.slices = args.slices;
    file.train.save_epochs = Vec::new();
    let scratch = tempfile::tempdir()
        .context("cannot create a scratch folder")
        .map_err(failed)?;
    file.out = scratch.path().to_path_buf();
    let experiment = file.check("--acts").map_err(input)?;
    for spec in experiment.runs() {
        check_memory(
            &spec::resources::training(spec.network(), spec.train()),
            "reduce --hidden",
            &args.env,
        )?;
    }
    let context = RunContext {
        device_name: rt.device_name.clone(),
        threads: rt.threads,
        ..rt.run_context()
    };
    let limits = peak::measure(rt.threads).map_err(failed)?;
    let rows = rt.run(|rt| {
        TrainBench {
            data: &data,
            scale,
            rt,
            context: &context,
            args: &args,
            limits,
        }
        .timings(&experiment)
    })?;
    if json {
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    print_train_timings(&rows);
    Ok(ExitCode::SUCCESS)
}

/// `actlab bench peak`.
pub fn peak(args: BenchPeakArgs, json: bool) -> Result<ExitCode, Failure> {
    let counts = args.threads.unwrap_or_else(peak::thread_counts);
    let mut rows = Vec::new();
    for threads in counts {
        rows.push(peak::measure(threads).map_err(failed)?);
    }
    if json {
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "this machine's limits, GFLOP/s, best of 5 ({} path)",
        vmath::Isa::detected().name()
    );
    outln!(
        "{:>8} {:>12} {:>16} {:>10}",
        "threads",
        "FMA limit",
        "product 1024³",
        "share"
    );
    for r in &rows {
        outln!(
            "{:>8} {:>12.1} {:>16.1} {:>9.0} %",
            r.threads,
            r.fma_gflops,
            r.product_gflops,
            100.0 * r.product_gflops / r.fma_gflops
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// What every timed run of `bench train` shares.
struct TrainBench<'a> {
    data: &'a data::FashionMnist,
    /// Full-epoch images over the images trained on (`--images`).
    scale: f64,
    rt: &'a Runtime,
    context: &'a RunContext,
    args: &'a BenchTrainArgs,
    limits: peak::Limits,
}

impl TrainBench<'_> {
    /// Trains each run of `experiment` and times its phases; a user expression fused
    /// first, then (with --composed-too) the same run composed.
    fn timings(&self, experiment: &spec::Experiment) -> Result<Vec<TrainTiming>, Failure> {
        let mut rows = Vec::new();
        for spec in experiment.runs() {
            let custom = matches!(
                spec.network().activation.as_ref().map(|a| &a.kind),
                Some(ActivationSpec::Custom(_))
            );
            let paths: &[bool] = if custom && self.args.composed_too {
                &[true, false]
            } else {
                &[true]
            };
            for &fused in paths {
                acts::set_expression_kernels(fused);
                let row = self.timing(&spec);
                acts::set_expression_kernels(true);
                rows.push(row?);
            }
        }
        Ok(rows)
    }

    /// Trains one run and times its phases.
    fn timing(&self, spec: &spec::RunSpec) -> Result<TrainTiming, Failure> {
        let Self {
            data,
            scale,
            rt,
            context,
            args,
            limits,
        } = *self;
        let mut timings = Timings::default();
        let record = fit(spec, Start::Fresh, data, &rt.device, context, &mut timings)
            .with_context(|| format!("run {}", spec.name()))
            .map_err(failed)?;
        let skip = usize::from(timings.epochs.len() > 1);
        let measured = &timings.epochs[skip..];
        let steps_per_epoch = timings.steps.len() / timings.epochs.len().max(1);
        let phases = &timings.steps[skip * steps_per_epoch..];
        let ms = |f: fn(&StepPhases) -> Duration| {
            median(phases.iter().map(|p| f(p).as_secs_f64() * 1e3).collect())
        };
        let checkpoint = spec.dir().join(
            &record
                .checkpoint(None)
                .ok_or_else(|| failed(anyhow!("the run saved no checkpoint")))?
                .path,
        );
        let model = load_network(spec.network(), &checkpoint, &rt.device).map_err(failed)?;
        let dead_neuron_pass_s = time_dead_neuron_pass(&model, &data.train, &rt.device) * scale;
        let step = nets::dense::step_flops(spec.network(), args.batch_size);
        let whole = spec.train().slices == 1;
        let step_ms = StepMs {
            assemble: ms(|p| p.assemble),
            forward: ms(|p| p.forward),
            backward: ms(|p| p.backward),
            optimizer: ms(|p| p.optimizer),
        };
        let epoch_s = median(measured.iter().map(|e| e.train_seconds).collect()) * scale;
        // A full epoch's steps: the last batch may be short, which the count of whole
        // batches' products overstates by under one step in 469.
        let steps = full_epoch_steps(args.batch_size, data.train.len(), scale);
        let activation = spec.network().activation.as_ref();
        Ok(TrainTiming {
            activation: spec.network().activation_name().to_string(),
            kernel: activation.map_or_else(|| "none".into(), |a| acts::kernel_path(&a.kind)),
            expression: activation.and_then(|a| expression_cost(&a.kind)),
            threads: rt.threads,
            device: rt.device_name.clone(),
            epochs_measured: measured.len(),
            conv: args.shape.conv.clone(),
            hidden: args.shape.hidden.clone(),
            batch_size: args.batch_size,
            slices: args.slices,
            train_images: data.train.len(),
            epoch_s,
            eval_s: median(measured.iter().map(|e| e.eval_seconds).collect()),
            dead_neuron_pass_s,
            products: Products {
                forward_gflop: step.forward / 1e9,
                backward_gflop: step.backward / 1e9,
                forward_gflops: whole.then(|| step.forward / 1e6 / step_ms.forward),
                backward_gflops: whole.then(|| step.backward / 1e6 / step_ms.backward),
                epoch_gflops: steps * (step.forward + step.backward) / 1e9 / epoch_s,
                limits,
            },
            step_ms,
        })
    }
}

/// Steps of a full epoch: `images` per epoch measured, scaled to the full set.
fn full_epoch_steps(batch_size: usize, images: usize, scale: f64) -> f64 {
    (images as f64 * scale / batch_size as f64).ceil()
}

/// The tables of `bench train`.
fn print_train_timings(rows: &[TrainTiming]) {
    let relu = rows
        .iter()
        .find(|r| r.activation == "ReLU")
        .map(|r| r.epoch_s);
    let width = rows
        .iter()
        .map(|r| r.activation.chars().count())
        .fold(12, usize::max);
    outln!(
        "{:<width$} {:>8} {:>7} {:>8} {:>10}   step ms: {:>8} {:>8} {:>8} {:>9}   kernel",
        "activation",
        "epoch s",
        "× ReLU",
        "eval s",
        "dead-pass s",
        "assemble",
        "forward",
        "backward",
        "optimiser"
    );
    for r in rows {
        let ratio = relu.map_or_else(
            || "-".to_string(),
            |relu| format!("{:.2}", r.epoch_s / relu),
        );
        let kernel = match &r.expression {
            Some(e) if r.kernel.starts_with("fused") => format!(
                "{}; {} operations, compiled in {:.0} µs",
                r.kernel, e.operations, e.compile_us
            ),
            _ => r.kernel.clone(),
        };
        outln!(
            "{:<width$} {:>8.3} {:>7} {:>8.3} {:>10.3}            {:>8.3} {:>8.3} {:>8.3} {:>9.3}   {}",
            r.activation,
            r.epoch_s,
            ratio,
            r.eval_s,
            r.dead_neuron_pass_s,
            r.step_ms.assemble,
            r.step_ms.forward,
            r.step_ms.backward,
            r.step_ms.optimizer,
            kernel
        );
    }
    let Some(first) = rows.first() else { return };
    let limits = first.products.limits;
    outln!(
        "\nmatrix products, GFLOP/s and share of this machine's product peak ({:.1} GFLOP/s \
         on {} thread(s); FMA limit {:.1}; `actlab bench peak`)",
        limits.product_gflops,
        limits.threads,
        limits.fma_gflops
    );
    outln!(
        "{:<width$} {:>18} {:>18} {:>18}",
        "activation",
        "forward",
        "backward",
        "epoch"
    );
    for r in rows {
        let p = &r.products;
        let cell = |gflops: f64| format!("{gflops:.1} ({:.0} %)", p.share(gflops));
        let phase = |gflops: Option<f64>| gflops.map_or_else(|| "(slices overlap)".into(), cell);
        outln!(
            "{:<width$} {:>18} {:>18} {:>18}",
            r.activation,
            phase(p.forward_gflops),
            phase(p.backward_gflops),
            cell(p.epoch_gflops)
        );
    }
}

fn time_dead_neuron_pass(
    model: &SimpleNetwork,
    split: &std::sync::Arc<data::Split>,
    device: &Device,
) -> f64 {
    let start = Instant::now();
    let report = probe::dead_neurons(model, split, 1000, device);
    let seconds = start.elapsed().as_secs_f64();
    debug_assert_eq!(report.samples, split.len());
    seconds
}
