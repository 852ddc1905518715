//! Training on a small synthetic dataset: the loss must fall, results must repeat
//! exactly for the same seed, and checkpoints must load back to the same model.

use burn::tensor::Device;
use data::{FashionMnist, IMAGE_PIXELS, Split};
use spec::{
    ActivationConfig, ActivationKind, BatchPoint, NetworkConfig, RunLayout, RunRecord, RunSpec,
    RunStatus, TrainConfig, rng::SplitMix64,
};
use train::{RunContext, SilentObserver, Start, evaluate, fit, load_network};

/// Class `c` lights up rows `2c..2c+2` of the image, over uniform noise.
fn synthetic(n: usize, seed: u64) -> Split {
    let mut rng = SplitMix64::new(seed);
    let mut images = Vec::with_capacity(n * IMAGE_PIXELS);
    let mut labels = Vec::with_capacity(n);
    for _ in 0..n {
        let class = rng.below(10);
        labels.push(class as u8);
        for p in 0..IMAGE_PIXELS {
            let row = p / 28;
            let bright = row / 2 == class;
            let noise = rng.below(100) as u8;
            images.push(if bright { 155 + noise } else { noise });
        }
    }
    Split::new(images, labels, IMAGE_PIXELS).unwrap()
}

/// Burn seeds its backends' random streams globally: two runs initialising at the same
/// time in one process would interleave their draws. Tests that train take this lock.
static RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn dataset() -> FashionMnist {
    FashionMnist {
        dir: "synthetic".into(),
        train: synthetic(640, 1).into(),
        test: synthetic(200, 2).into(),
        checksums: Default::default(),
    }
}

fn run(kind: ActivationKind, dir: &std::path::Path, epochs: usize) -> RunSpec {
    run_with(kind, dir, epochs, |_| {})
}

/// A small run of `kind`, its hyper-parameters adjusted by `adjust`.
fn run_with(
    kind: ActivationKind,
    dir: &std::path::Path,
    epochs: usize,
    adjust: impl FnOnce(&mut TrainConfig),
) -> RunSpec {
    let mut train = TrainConfig {
        epochs,
        batch_size: 32,
        lr: 0.02,
        momentum: 0.9,
        seed: 3,
        save_epochs: vec![1],
        ..TrainConfig::default()
    };
    adjust(&mut train);
    RunSpec::new(
        "synthetic",
        &format!("{kind}-s3"),
        dir.join(kind.name()),
        NetworkConfig::book(ActivationConfig::new(kind)).with_hidden(vec![32, 16]),
        train,
        "test",
    )
    .unwrap()
}

/// The run's record as written to its folder.
fn on_disk(spec: &RunSpec) -> RunRecord {
    spec::artifact::read(&RunLayout::new(spec.dir()).record()).unwrap()
}

/// Trains `spec` on the flex CPU backend without progress output.
fn fit_silently(spec: &RunSpec, data: &FashionMnist) -> spec::RunRecord {
    fit(
        spec,
        Start::Fresh,
        data,
        &Device::flex(),
        &context(),
        &mut SilentObserver,
    )
    .unwrap()
}

fn context() -> RunContext {
    RunContext {
        device_name: "flex (cpu)".into(),
        threads: 1,
        ..RunContext::default()
    }
}

#[test]
fn loss_falls_and_accuracy_rises() {
    let _rng = RNG.lock().unwrap_or_else(|e| e.into_inner());
    let data = dataset();
    let dir = tempfile::tempdir().unwrap();
    for kind in [
        ActivationKind::ReLU,
        ActivationKind::TeLU,
        ActivationKind::STAF,
    ] {
        let record = fit_silently(&run(kind, dir.path(), 4), &data);
        assert_eq!(record.status, RunStatus::Completed);
        let first = &record.epochs[0];
        let last = record.last().unwrap();
        assert!(
            last.train_loss < first.train_loss * 0.7,
            "{kind}: {} -> {}",
            first.train_loss,
            last.train_loss
        );
        assert!(
            last.test_accuracy > 0.5,
            "{kind}: test accuracy {}",
            last.test_accuracy
        );
    }
}

#[test]
fn same_seed_same_metrics_and_checkpoints_round_trip() {
    let _rng = RNG.lock().unwrap_or_else(|e| e.into_inner());
    let data = dataset();
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let device = Device::flex();
    let spec_a = run(ActivationKind::PReLU, dir_a.path(), 2);
    // One worker thread: with several, a parallel reduction may split differently from
    // one call to the next and change the last bits of a sum.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let a = pool.install(|| fit_silently(&spec_a, &data));
    let spec_b = run(ActivationKind::PReLU, dir_b.path(), 2);
    let b = pool.install(|| fit_silently(&spec_b, &data));
    let metrics = |r: &spec::RunRecord| -> Vec<[f64; 4]> {
        r.epochs
            .iter()
            .map(|e| [e.train_loss, e.train_accuracy, e.test_loss, e.test_accuracy])
            .collect()
    };
    assert_eq!(metrics(&a), metrics(&b));
    assert_eq!(metrics(&on_disk(&spec_a)), metrics(&a));

    let paths: Vec<_> = a.checkpoints.iter().map(|c| c.path.clone()).collect();
    assert_eq!(
        paths,
        [
            std::path::PathBuf::from("checkpoints/epoch-1.bpk"),
            "checkpoints/epoch-2.bpk".into()
        ]
    );
    let model = load_network(spec_a.network(), &spec_a.dir().join(&paths[1]), &device).unwrap();
    let (loss, acc) = evaluate(&model, &data.test, 100, &device);
    let last = a.last().unwrap();
    assert!(
        (loss - last.test_loss).abs() < 1e-6,
        "{loss} vs {}",
        last.test_loss
    );
    assert_eq!(acc, last.test_accuracy);
}

#[test]
fn adam_and_weight_decay_train_too() {
    let _rng = RNG.lock().unwrap_or_else(|e| e.into_inner());
    let data = dataset();
    let dir = tempfile::tempdir().unwrap();
    let adam = run_with(ActivationKind::GELU, dir.path(), 3, |t| {
        t.optimizer = spec::OptimizerKind::Adam;
        t.lr = 1e-3;
    });
    let record = fit_silently(&adam, &data);
    let (first, last) = (&record.epochs[0], record.last().unwrap());
    assert!(
        last.train_loss < first.train_loss * 0.7,
        "Adam: {} -> {}",
        first.train_loss,
        last.train_loss
    );

    // Weight decay shrinks the weights: the same run with a strong penalty ends with a
    // smaller total weight norm.
    let norm = |decay: f64, sub: &str| {
        let spec = run_with(ActivationKind::ReLU, &dir.path().join(sub), 2, |t| {
            t.weight_decay = decay
        });
        fit_silently(&spec, &data);
        let checkpoint = spec.dir().join("checkpoints/epoch-2.bpk");
        let model = load_network(spec.network(), &checkpoint, &Device::flex()).unwrap();
        let w: f32 = model.hidden[0]
            .weight
            .val()
            .powi_scalar(2)
            .sum()
            .into_scalar();
        w
    };
    let (plain, decayed) = (norm(0.0, "plain"), norm(0.5, "decayed"));
    assert!(decayed < plain * 0.9, "weight decay: {decayed} vs {plain}");
}

#[test]
fn a_stop_request_ends_the_run_after_one_batch_with_a_checkpoint() {
    let _rng = RNG.lock().unwrap_or_else(|e| e.into_inner());
    let data = dataset();
    let dir = tempfile::tempdir().unwrap();
    let spec = run(ActivationKind::ReLU, dir.path(), 3);
    let ctx = context();
    ctx.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let record = fit(
        &spec,
        Start::Fresh,
        &data,
        &Device::flex(),
        &ctx,
        &mut SilentObserver,
    )
    .unwrap();
    assert_eq!(
        record.status,
        RunStatus::Interrupted(BatchPoint { epoch: 1, batch: 1 })
    );
    assert!(record.epochs.is_empty());
    let checkpoint = &record.checkpoints[0];
    assert_eq!((checkpoint.epoch, checkpoint.batch), (0, Some(1)));
    let path = spec.dir().join(&checkpoint.path);
    assert!(load_network(spec.network(), &path, &Device::flex()).is_ok());
    assert_eq!(on_disk(&spec).status, record.status);
}

#[test]
fn huge_learning_rate_diverges_and_says_where() {
    let _rng = RNG.lock().unwrap_or_else(|e| e.into_inner());
    let data = dataset();
    let dir = tempfile::tempdir().unwrap();
    let spec = run_with(ActivationKind::ReLU, dir.path(), 3, |t| t.lr = 1e6);
    let record = fit_silently(&spec, &data);
    let RunStatus::Diverged(at) = record.status else {
        panic!("status {:?}", record.status)
    };
    assert!(at.epoch >= 1 && at.batch >= 1);
}

/// Asks the run to stop once epoch `after` is done (at the next batch).
struct StopAfter {
    after: usize,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl train::Observer for StopAfter {
    fn epoch_done(&mut self, metrics: &spec::EpochMetrics) {
        if metrics.epoch == self.after {
            self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// Normalised networks train, stop and resume to exactly the uninterrupted run (the
/// resume point carries BatchNorm's running statistics), and a checkpoint evaluates to
/// its record's test loss (evaluation uses the running statistics it saved: fresh ones
/// would give another loss).
/// The same for convolutional networks (LeNet-5's shape, narrower), plain and with
/// BatchNorm2d: the convolutions' weights and per-channel running statistics are in the
/// resume point and the checkpoint.
#[test]
fn normalised_and_convolutional_networks_resume_exactly_and_evaluate_on_running_statistics() {
    let _rng = RNG.lock().unwrap_or_else(|e| e.into_inner());
    let data = dataset();
    let device = Device::flex();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let cases = [
        (spec::NormKind::Batch, vec![]),
        (spec::NormKind::Layer, vec![]),
        (spec::NormKind::None, vec![4, 6]),
        (spec::NormKind::Batch, vec![4, 6]),
    ];
    for (norm, conv) in cases {
        let case = format!("norm {norm}, conv {conv:?}");
        let spec_in = |dir: &std::path::Path| {
            let mut spec = run(ActivationKind::ReLU, dir, 3);
            let network = spec
                .network()
                .clone()
                .with_norm(norm)
                .with_conv(conv.clone());
            spec = RunSpec::new(
                "synthetic",
                spec.name(),
                spec.dir().to_path_buf(),
                network,
                TrainConfig {
                    // Average pooling shrinks the signal: the convolutions need a larger
                    // step to learn in 60 steps.
                    lr: if conv.is_empty() {
                        spec.train().lr
                    } else {
                        0.1
                    },
                    ..spec.train().clone()
                },
                "test",
            )
            .unwrap();
            spec
        };
        let whole_dir = tempfile::tempdir().unwrap();
        let whole_spec = spec_in(whole_dir.path());
        let whole = pool.install(|| fit_silently(&whole_spec, &data));
        assert_eq!(whole.status, RunStatus::Completed, "{case}");
        let accuracy = whole.last().unwrap().test_accuracy;
        // Chance is 0.1.
        assert!(accuracy > 0.3, "{case}: learns ({accuracy})");

        let dir = tempfile::tempdir().unwrap();
        let spec = spec_in(dir.path());
        let ctx = context();
        let mut stop = StopAfter {
            after: 1,
            stop: ctx.stop.clone(),
        };
        let stopped = pool
            .install(|| fit(&spec, Start::Fresh, &data, &device, &ctx, &mut stop))
            .unwrap();
        assert_eq!(
            stopped.status,
            RunStatus::Interrupted(BatchPoint { epoch: 2, batch: 1 }),
            "{case}"
        );
        let resumed = pool
            .install(|| {
                fit(
                    &spec,
                    Start::Resume(Box::new(stopped)),
                    &data,
                    &device,
                    &context(),
                    &mut SilentObserver,
                )
            })
            .unwrap();
        let metrics = |r: &RunRecord| -> Vec<[f64; 4]> {
            r.epochs
                .iter()
                .map(|e| [e.train_loss, e.train_accuracy, e.test_loss, e.test_accuracy])
                .collect()
        };
        assert_eq!(metrics(&resumed), metrics(&whole), "{case}");

        let last = whole.checkpoints.last().unwrap();
        let model = load_network(
            whole_spec.network(),
            &whole_spec.dir().join(&last.path),
            &device,
        )
        .unwrap();
        let layers = match norm {
            spec::NormKind::None => 0,
            _ => conv.len() + 2,
        };
        assert_eq!((model.norms.len(), model.conv.len()), (layers, conv.len()));
        let (loss, _) = evaluate(&model, &data.test, 1000, &device);
        assert_eq!(loss, whole.last().unwrap().test_loss, "{case}");
        if norm == spec::NormKind::Batch {
            let nets::Norm::Batch(bn) = &model.norms[0] else {
                panic!("a BatchNorm")
            };
            let mean: Vec<f32> = bn.running_mean.value().into_data().try_into_vec().unwrap();
            assert!(
                mean.iter().any(|&m| m != 0.0),
                "running statistics were saved"
            );
        }
    }
}
