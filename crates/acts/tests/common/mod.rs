//! What the parity and finite-difference test binaries share: the PyTorch fixture and
//! the float64 device.

#![allow(dead_code)] // each test binary uses its own part

use burn::tensor::{Device, FloatDType};
use serde_json::Value;

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

/// The autodiff flex device with float64 as its float type. The float type is a setting
/// of the device for the whole process, so it is configured once, and only by test
/// binaries that want float64 throughout.
pub fn float64_device() -> Device {
    static CONFIGURED: std::sync::Once = std::sync::Once::new();
    CONFIGURED.call_once(|| {
        Device::flex()
            .configure(FloatDType::F64)
            .expect("flex supports float64")
    });
    Device::flex().autodiff()
}
