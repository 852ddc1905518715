//! The fused kernels (float32, on flex; on wgpu's `#[cube]` kernels with
//! `ACTLAB_TEST_DEVICE=wgpu`) against the composed tensor operations they replace:
//! values, input gradients and parameter gradients, for every function the registry says
//! has a kernel, and for STAF and TeLU both shared and per neuron (the parity suite sees
//! only shared modules on one-dimensional inputs); and every function the registry says
//! is composed gives the same values and input gradients, bit for bit, with kernels on
//! and off (no kernel ran; its parameters' gradients are summed by `expand_param`). One test: it
//! switches the kernels off and on for the whole process. (Float64 never takes a kernel:
//! the float64 suites run the tensor operations.)
//!
//! The 2e-6 absolute allowance is for agreement with the composed operations, which
//! lose their relative accuracy in the tails (Burn's GELU is -0 below x ≈ -5.5), not a
//! statement of accuracy: `fused_tails.rs` holds each kernel to float64 with a
//! relative bound, tails included.

mod common;

use acts::{Activation, gpu_kernel_operations, set_fused_kernels};
use burn::module::Module;
use burn::tensor::{Device, Distribution, Tensor, TensorData};
use spec::{ActivationKind, ActivationSpec, FourierInit, FourierOptions, Kernel};

const ROWS: usize = 64;
const UNITS: usize = 48;

/// x: a grid over [-12, 12] (every kind of region: tails, kinks, the middle), then normal
/// draws, shaped [ROWS, UNITS].
fn input(device: &Device) -> Tensor<2> {
    let n = ROWS * UNITS;
    let grid: Vec<f32> = (0..n / 2)
        .map(|i| -12.0 + 24.0 * i as f32 / (n / 2 - 1) as f32)
        .collect();
    let grid = Tensor::<1>::from_data(TensorData::new(grid, [n / 2]), device);
    let normal = Tensor::<1>::random([n / 2], Distribution::Normal(0.0, 2.0), device);
    Tensor::cat(vec![grid, normal], 0).reshape([ROWS, UNITS])
}

fn values(t: Tensor<2>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().unwrap()
}

/// y, dy/dx (of sum y) and the parameter gradients, flattened.
fn evaluate(module: &Activation, x: &Tensor<2>) -> (Vec<f32>, Vec<f32>, Vec<Vec<f32>>) {
    let x = x.clone().require_grad();
    let y = module.forward(x.clone());
    // A weighted sum, so that the gradient reaching the activation is not all ones.
    let weights = x.clone().detach().cos();
    let grads = (y.clone() * weights).sum().backward();
    let dx = x.grad(&grads).unwrap();
    let params = module
        .params()
        .into_iter()
        .map(|(_, p)| {
            p.grad(&grads)
                .unwrap()
                .into_data()
                .try_into_vec::<f32>()
                .unwrap()
        })
        .collect();
    (
        values(y),
        dx.into_data().try_into_vec::<f32>().unwrap(),
        params,
    )
}

fn ulp(v: f32) -> f32 {
    v.abs().next_up() - v.abs()
}

/// Element-wise closeness: `abs` absolute or `ulps` of the composed value.
fn assert_close(what: &str, fused: &[f32], composed: &[f32], abs: f32, ulps: f32) -> bool {
    assert_eq!(fused.len(), composed.len(), "{what}: lengths");
    let mut identical = true;
    for (i, (&f, &c)) in fused.iter().zip(composed).enumerate() {
        identical &= f.to_bits() == c.to_bits();
        let tol = abs.max(ulps * ulp(c));
        assert!(
            f.is_finite() == c.is_finite() && (f - c).abs() <= tol,
            "{what}[{i}]: fused {f:e}, composed {c:e}, tolerance {tol:e}"
        );
    }
    identical
}

/// Compares one module's fused and composed results; returns whether no kernel ran: on
/// flex, whether every value and input gradient was bit-identical; on a GPU, where the
/// composed operations may round alike, whether no GPU kernel operation ran. Parameter gradients are compared within rounding only: with kernels on, every
/// learnable parameter's gradient is summed by `expand_param` in a fixed order, composed
/// functions' too.
fn compare(name: &str, module: &Activation, x: &Tensor<2>, abs: f32) -> bool {
    // The same random stream for both (RReLU draws its slopes from it while training).
    let device = x.device();
    device.seed(5);
    set_fused_kernels(false);
    let composed = evaluate(module, x);
    device.seed(5);
    set_fused_kernels(true);
    let operations = gpu_kernel_operations();
    let fused = evaluate(module, x);
    let gpu_kernels_ran = gpu_kernel_operations() > operations;
    let mut identical = assert_close(&format!("{name} value"), &fused.0, &composed.0, abs, 8.0);
    identical &= assert_close(&format!("{name} dx"), &fused.1, &composed.1, abs, 8.0);
    for (k, (f, c)) in fused.2.iter().zip(&composed.2).enumerate() {
        // Sums over all ROWS * UNITS elements (or ROWS, per neuron): float32 rounding of
        // either path's sum, relative to the largest gradient.
        let scale = c.iter().fold(1.0f32, |m, v| m.max(v.abs()));
        assert_close(&format!("{name} param {k}"), f, c, 2e-5 * scale, 8.0);
    }
    if acts::is_flex(&device) {
        identical
    } else {
        !gpu_kernels_ran
    }
}

#[test]
fn fused_kernels_match_the_tensor_operations_they_replace() {
    let device = common::test_device().autodiff();
    device.seed(11);
    let x = input(&device);
    let mut kernels_ran = 0;
    let mut kernels_declared = 0;
    for kind in ActivationKind::all() {
        let module = Activation::init(&kind.into(), 1, &device);
        match kind.kernel() {
            Kernel::Fused(_) => {
                kernels_declared += 1;
                kernels_ran += !compare(kind.name(), &module, &x, 2e-6) as usize;
            }
            // Declared composed: no kernel may run, so kernels on and off agree bit for bit
            // in values and input gradients.
            Kernel::Composed => assert!(
                compare(kind.name(), &module, &x, 0.0),
                "{kind} is declared composed, but a kernel changed its results"
            ),
            // Shared and per neuron, below.
            Kernel::Telu | Kernel::Sinusoids => {}
        }
    }
    // TeLU with one alpha, and with one per neuron (all different).
    assert_eq!(ActivationKind::TeLU.kernel(), Kernel::Telu);
    assert_eq!(ActivationKind::STAF.kernel(), Kernel::Sinusoids);
    kernels_declared += 6;
    let shared = Activation::init(&ActivationKind::TeLU.into(), 1, &device)
        .with_param_values(&[vec![0.7]])
        .unwrap();
    kernels_ran += !compare("TeLU shared", &shared, &x, 2e-6) as usize;
    let alphas: Vec<f64> = (0..UNITS).map(|u| 0.5 + u as f64 / UNITS as f64).collect();
    let per_neuron = Activation::init(&ActivationKind::TeLU.into(), UNITS, &device)
        .with_param_values(&[alphas])
        .unwrap();
    kernels_ran += !compare("TeLU per neuron", &per_neuron, &x, 2e-6) as usize;
    // STAF: sums of 25 sines of arguments up to |Omega x| ~ 40, each within a few ulp of
    // its argument's size.
    for (name, units) in [("STAF shared", 1), ("STAF per neuron", UNITS)] {
        let staf = Activation::init(&ActivationKind::STAF.into(), units, &device);
        kernels_ran += !compare(name, &staf, &x, 2e-5) as usize;
    }
    // The Fourier activation with other options: 4 terms, the paper's init at omega0 1.5.
    let options = FourierOptions {
        tau: 4,
        init: FourierInit::Paper,
        omega0: 1.5,
    };
    for (name, units) in [("Fourier shared", 1), ("Fourier per neuron", UNITS)] {
        let fourier = Activation::init(&ActivationSpec::Fourier(options), units, &device);
        kernels_ran += !compare(name, &fourier, &x, 2e-5) as usize;
    }
    assert_eq!(
        kernels_ran, kernels_declared,
        "every case with a kernel differed in some last bit: the kernels ran"
    );

    // Inference without autodiff takes the untracked kernel: the same values.
    for units in [1, UNITS] {
        let staf = Activation::init(&ActivationKind::STAF.into(), units, &device);
        let (tracked, _, _) = evaluate(&staf, &x);
        let untracked = values(staf.valid().forward(x.clone().inner()));
        assert_eq!(
            tracked, untracked,
            "STAF with {units} units, with and without autodiff"
        );
    }
}
