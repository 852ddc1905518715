//! What the parity and finite-difference test binaries share: the PyTorch fixture, the
//! float64 device, and modules built from the registry or from given values.

#![allow(dead_code)] // each test binary uses its own part

use acts::{Activation, Staf};
use burn::tensor::Device;
use serde_json::Value;
use spec::ActivationKind;

/// A fresh module of a built-in, shared, on `device`.
pub fn module(kind: ActivationKind, device: &Device) -> Activation {
    Activation::init(&kind.into(), 1, device)
}

/// A module of `kind` with the given parameter values (one vector per parameter).
pub fn with_values(kind: ActivationKind, values: Vec<Vec<f64>>, device: &Device) -> Activation {
    module(kind, device)
        .with_param_values(&values)
        .expect("values fit the module")
}

/// `fixtures/golden_activations.json`, a copy of `shared/fixtures/`.
pub fn fixture() -> Value {
    let text = include_str!("../fixtures/golden_activations.json");
    serde_json::from_str(text).expect("fixture is JSON")
}

/// A fixture array of numbers, with non-finite values written as strings.
pub fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| match x {
            Value::Number(n) => n.as_f64().unwrap(),
            Value::String(s) if s == "NaN" => f64::NAN,
            Value::String(s) if s == "Infinity" => f64::INFINITY,
            Value::String(s) if s == "-Infinity" => f64::NEG_INFINITY,
            other => panic!("unexpected {other}"),
        })
        .collect()
}

/// The device the float32 suites run on: flex; with `ACTLAB_TEST_DEVICE=ndarray` the
/// NdArray CPU backend (Burn's own operations, as on every device but flex); with
/// `ACTLAB_TEST_DEVICE=wgpu` and the `wgpu` feature, Burn's wgpu backend (on a machine
/// without a GPU, Mesa's software Vulkan, lavapipe).
pub fn test_device() -> Device {
    match std::env::var("ACTLAB_TEST_DEVICE").as_deref() {
        Ok("wgpu") => wgpu_device(),
        #[allow(deprecated)] // asked for by name
        Ok("ndarray") => Device::ndarray(),
        Ok("flex") | Err(_) => Device::flex(),
        Ok(other) => panic!("ACTLAB_TEST_DEVICE={other}: flex, ndarray or wgpu"),
    }
}

#[cfg(feature = "wgpu")]
fn wgpu_device() -> Device {
    Device::wgpu(burn::tensor::DeviceKind::DefaultDevice)
}

#[cfg(not(feature = "wgpu"))]
fn wgpu_device() -> Device {
    panic!("ACTLAB_TEST_DEVICE=wgpu needs the wgpu feature: cargo test -p acts --features wgpu")
}

/// The autodiff flex device with float64 as its float type (see
/// [`acts::float64_device`]).
pub fn float64_device() -> Device {
    acts::float64_device().expect("flex supports float64")
}

/// STAF with the fixture case's parameters C, Omega and Phi, as PyTorch held them
/// (float32).
pub fn fixture_staf(case: &Value, device: &Device) -> Staf {
    let param = |key: &str| -> Vec<f64> {
        numbers(&case["params_f32"][key])
            .iter()
            .map(|&v| v as f32 as f64)
            .collect()
    };
    let values = vec![param("C"), param("Omega"), param("Phi")];
    match with_values(ActivationKind::STAF, values, device) {
        Activation::Staf(staf) => staf,
        other => panic!("STAF is a sum of sinusoids, not {other:?}"),
    }
}

/// SELU's constants (Klambauer et al. 2017), in float64.
pub const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;
pub const SELU_SCALE: f64 = 1.050_700_987_355_480_5;

/// σ(x) in float64, without overflow on either side.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// Φ(x), the standard normal CDF, in float64 (through erfc: accurate in the lower tail).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-x / std::f64::consts::SQRT_2)
}
