//! actlab's SGD and Adam (`train::build_optimizer`) against Burn's `Sgd` and `Adam` with
//! the same settings:
//! the same weights bit for bit after every step, on the fused path (one and three
//! threads) and on the composed one (`ACTLAB_FUSED` off); and a record written by
//! Burn's optimiser loads into actlab's and goes on to the same weights (checkpoints
//! written before the fused update still resume exactly).

use burn::nn::{Linear, LinearConfig};
use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer, SgdConfig};
use burn::tensor::{Device, Distribution, Tensor};
use spec::{OptimizerKind, TrainConfig};

/// 300 × 70 weights: two pieces of the fused update, so the cut over threads is used.
fn layer(device: &Device) -> Linear {
    device.seed(11);
    let layer = LinearConfig::new(300, 70).init(device);
    let _ = layer.weight.val();
    layer
}

/// The optimiser under test: SGD with `momentum`, or Adam when `momentum` is `None`.
type Case = (Option<f64>, f64);

fn burn_optimizer((momentum, decay): Case) -> ModuleOptimizer {
    let decay_config = (decay > 0.0).then(|| WeightDecayConfig::new(decay as f32));
    let Some(momentum) = momentum else {
        // PyTorch's ε, as actlab sets it.
        return AdamConfig::new()
            .with_epsilon(1e-8)
            .with_weight_decay(decay_config)
            .init();
    };
    SgdConfig::new()
        .with_momentum((momentum > 0.0).then(|| {
            MomentumConfig::new()
                .with_momentum(momentum)
                .with_dampening(0.0)
        }))
        .with_weight_decay(decay_config)
        .init()
}

fn ours((momentum, decay): Case) -> ModuleOptimizer {
    train::build_optimizer(&TrainConfig {
        optimizer: match momentum {
            Some(_) => OptimizerKind::Sgd,
            None => OptimizerKind::Adam,
        },
        momentum: momentum.unwrap_or(0.0),
        weight_decay: decay,
        ..TrainConfig::default()
    })
}

/// One step of `optimizer` on `layer` with the gradients of `sum(layer(x) * r)`.
fn step(
    optimizer: &mut ModuleOptimizer,
    layer: Linear,
    seed: u64,
    lr: f64,
    device: &Device,
) -> Linear {
    device.seed(seed);
    let x = Tensor::<2>::random([32, 300], Distribution::Normal(0.0, 1.0), device);
    let r = Tensor::<2>::random([32, 70], Distribution::Normal(0.0, 1.0), device);
    let grads = (layer.forward(x) * r).sum().backward();
    let grads = GradientsParams::from_grads(grads, &layer);
    optimizer.step(lr, layer, grads)
}

fn bits(layer: &Linear) -> Vec<u32> {
    let mut all = Vec::new();
    for tensor in [
        layer.weight.val().flatten::<1>(0, 1),
        layer.bias.as_ref().unwrap().val(),
    ] {
        let values = tensor.into_data().try_into_vec::<f32>().unwrap();
        all.extend(values.iter().map(|v| v.to_bits()));
    }
    all
}

/// Five steps of Burn's optimiser and of ours from the same weights: equal after each.
fn same_steps(case: Case, threads: usize, path: &str) {
    let device = Device::default().autodiff();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let (mut burn, mut actlab) = (burn_optimizer(case), ours(case));
    let (mut a, mut b) = (layer(&device), layer(&device));
    for k in 0..5 {
        let lr = 0.01 + 0.003 * k as f64;
        a = step(&mut burn, a, 100 + k, lr, &device);
        b = pool.install(|| step(&mut actlab, b, 100 + k, lr, &device));
        let (a_bits, b_bits) = (bits(&a), bits(&b));
        let differ = a_bits.iter().zip(&b_bits).filter(|(x, y)| x != y).count();
        assert_eq!(
            differ,
            0,
            "{path}, {case:?} (momentum, decay; no momentum: Adam), {threads} threads: \
             {differ} weights differ from Burn's after step {}",
            k + 1
        );
    }
    // Burn's record into ours: the next step is the same as Burn's own next step.
    let record = burn.to_record();
    let mut resumed = ours(case).load_record(record);
    let (a2, b2) = (a.clone(), a);
    let a2 = step(&mut burn, a2, 999, 0.02, &device);
    let b2 = step(&mut resumed, b2, 999, 0.02, &device);
    assert_eq!(
        bits(&a2),
        bits(&b2),
        "{path}, {case:?}: a step after loading Burn's record differs"
    );
    drop(b);
}

#[test]
fn optimisers_match_burn_bit_for_bit_on_both_paths() {
    // One test, not several: the fused switch is process-wide.
    let cases = [
        (Some(0.9), 0.0),
        (Some(0.8), 1e-3),
        (Some(0.0), 0.0),
        (Some(0.0), 5e-4),
        (None, 0.0),
        (None, 1e-3),
    ];
    for path in ["fused", "composed"] {
        acts::set_fused_kernels(path == "fused");
        for case in cases {
            for threads in [1, 3] {
                same_steps(case, threads, path);
            }
        }
    }
    acts::set_fused_kernels(true);
}
