//! Parity with PyTorch in float64: the same fixture as `parity.rs`, its `f64` section, on
//! a flex device configured for float64 (its own test binary, because the float type
//! is a setting of the device for the whole process).
//!
//! Tolerance: |ours - torch| <= max(1e-13, 64 ulp of torch's value), about 1.4e-14
//! relative. Float64 leaves no room for PyTorch's and Burn's rounding to differ by more
//! than a few ulp in one operation; 64 ulp covers chains of a dozen operations (Mish,
//! GELU-tanh, SELU's scaled exp) while a wrong formula or a float32 path is off by 1e-8
//! or more. STAF (a 25-term sum) and the parameter gradients (sums over 409 points)
//! get a bound scaled by the magnitudes they sum.
//!
//! In float64 PyTorch's TeLU is finite at x = 100 (exp(100) does not overflow), so
//! there is no deliberate difference here: ours must match everywhere.

mod common;

use common::{fixture, float64_device as device, numbers};

use acts::Activation;
use burn::tensor::{Device, Gradients, Tensor, TensorData};
use spec::ActivationKind;

fn ulp(v: f64) -> f64 {
    let a = v.abs();
    a.next_up() - a
}

/// The first disagreement of `ours` with `torch`, if any.
fn mismatch(what: &str, xs: &[f64], ours: &[f64], torch: &[f64]) -> Option<String> {
    assert_eq!(ours.len(), torch.len(), "{what}: length");
    for (i, (&o, &t)) in ours.iter().zip(torch).enumerate() {
        let ok = if t.is_finite() {
            o.is_finite() && (o - t).abs() <= 1e-13f64.max(64.0 * ulp(t))
        } else {
            o.is_nan() == t.is_nan() && (t.is_nan() || o == t)
        };
        if !ok {
            return Some(format!(
                "{what} at x={}: ours {o:e}, torch {t:e}, |diff| {:e}",
                xs[i],
                (o - t).abs()
            ));
        }
    }
    None
}

fn assert_close(what: &str, xs: &[f64], ours: &[f64], torch: &[f64]) {
    if let Some(problem) = mismatch(what, xs, ours, torch) {
        panic!("{problem}");
    }
}

fn to_f64(t: Tensor<1>) -> Vec<f64> {
    let data = t.into_data();
    assert_eq!(
        data.dtype(),
        burn::tensor::DType::F64,
        "computed in float64"
    );
    data.try_into_vec::<f64>().unwrap()
}

/// Value and x-derivative of `f` at `xs`, and the gradients of the sum.
fn eval_with(
    xs: &[f64],
    device: &Device,
    f: impl Fn(Tensor<1>) -> Tensor<1>,
) -> (Vec<f64>, Vec<f64>, Gradients) {
    let n = xs.len();
    let x = Tensor::<1>::from_data(TensorData::new(xs.to_vec(), [n]), device).require_grad();
    let y = f(x.clone());
    let grads = y.clone().sum().backward();
    let dy = x.grad(&grads).expect("x has a gradient");
    (to_f64(y), to_f64(dy), grads)
}

#[test]
fn every_activation_with_a_pytorch_counterpart_matches_in_float64() {
    let all = fixture();
    let device = device();
    let mut problems = Vec::new();
    // Every registry entry with PyTorch reference values, but RReLU (its own test,
    // inference mode) and STAF (its own test, the fixture's parameters).
    let cases = ActivationKind::all().filter_map(|kind| {
        let name = kind.torch().fixture?;
        (!["RReLU_eval", "STAF"].contains(&name)).then_some((name, kind))
    });
    for (name, kind) in cases {
        let case = &all[name];
        let xs = numbers(&case["x"]);
        let module = common::module(kind, &device);
        let (y, dy, _) = eval_with(&xs, &device, |x| module.forward(x));
        problems.extend(mismatch(
            &format!("{name} value"),
            &xs,
            &y,
            &numbers(&case["f64"]["y"]),
        ));
        problems.extend(mismatch(
            &format!("{name} derivative"),
            &xs,
            &dy,
            &numbers(&case["f64"]["dy"]),
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn rrelu_evaluation_matches_in_float64() {
    let case = &fixture()["RReLU_eval"];
    let xs = numbers(&case["x"]);
    let device = device();
    let module = common::module(ActivationKind::RReLU, &device);
    let n = xs.len();
    let x = Tensor::<1>::from_data(TensorData::new(xs.clone(), [n]), &device);
    let y = to_f64(burn::module::Module::valid(&module).forward(x.inner()));
    assert_close("RReLU_eval value", &xs, &y, &numbers(&case["f64"]["y"]));
}

#[test]
fn parameter_gradients_match_in_float64() {
    let all = fixture();
    let device = device();
    // PReLU and TeLU: one scalar; the sum over 409 points of magnitude up to 100.
    for (name, kind, param) in [
        ("PReLU", ActivationKind::PReLU, "weight"),
        ("TeLU", ActivationKind::TeLU, "alpha"),
    ] {
        let case = &all[name];
        let xs = numbers(&case["x"]);
        let Activation::Scalar(module) = common::module(kind, &device) else {
            panic!("{name} is a scalar-parameter activation")
        };
        let (_, _, grads) = eval_with(&xs, &device, |x| module.forward(x));
        let ours: f64 = module.params[0]
            .val()
            .grad(&grads)
            .unwrap()
            .into_scalar::<f64>();
        let grads_json = &case["f64"]["param_grad_sum_all_points"];
        let torch = grads_json
            .get(param)
            .or_else(|| grads_json.as_object().and_then(|o| o.values().next()))
            .map(numbers)
            .unwrap()[0];
        let scale: f64 = xs.iter().map(|x| x.abs()).sum();
        assert!(
            (ours - torch).abs() <= 64.0 * f64::EPSILON * scale,
            "{name} d/d{param}: {ours} vs {torch}"
        );
    }

    let case = &all["STAF"];
    let xs = numbers(&case["x"]);
    let staf = common::fixture_staf(case, &device);
    let (y, dy, grads) = eval_with(&xs, &device, |x| staf.forward(x));
    let c = numbers(&case["params_f32"]["C"]);
    let omega = numbers(&case["params_f32"]["Omega"]);
    let scale_y: f64 = c.iter().map(|v| v.abs()).sum();
    let scale_dy: f64 = c.iter().zip(&omega).map(|(a, b)| (a * b).abs()).sum();
    for (what, ours, torch, scale) in [
        ("STAF value", &y, numbers(&case["f64"]["y"]), scale_y),
        (
            "STAF derivative",
            &dy,
            numbers(&case["f64"]["dy"]),
            scale_dy,
        ),
    ] {
        for (i, (&o, &t)) in ours.iter().zip(&torch).enumerate() {
            // 25 terms; sin's argument error grows with |Omega x|.
            let tol = 1e-13 + 25.0 * f64::EPSILON * scale * (1.0 + xs[i].abs());
            assert!(
                (o - t).abs() <= tol,
                "{what} at x={}: {o} vs {t} (tol {tol:e})",
                xs[i]
            );
        }
    }
    for (key, tensor) in [("C", &staf.c), ("Omega", &staf.omega), ("Phi", &staf.phi)] {
        let ours = to_f64(tensor.val().grad(&grads).unwrap());
        let torch = numbers(&case["f64"]["param_grad_sum_all_points"][key]);
        for (i, (&o, &t)) in ours.iter().zip(&torch).enumerate() {
            let tol = 1e-9 * (1.0 + t.abs());
            assert!((o - t).abs() <= tol, "STAF d/d{key}[{i}]: {o} vs {t}");
        }
    }
}
