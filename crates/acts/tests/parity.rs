//! Parity with PyTorch: values and autograd derivatives of every activation that has a
//! PyTorch counterpart, against `fixtures/golden_activations.json` (a copy of
//! `shared/fixtures/`, computed by PyTorch 2.15 on 401 grid points in [-10, 10] plus
//! -0, 0, ±1e-7, ±88, ±100).
//!
//! Tolerance (float32): |ours - torch| <= max(1e-6, 4 ulp of torch's value). Wherever
//! PyTorch's value is finite, ours must be too.
//!
//! The suite runs on flex; `ACTLAB_TEST_DEVICE=wgpu` with `--features wgpu` runs it on
//! Burn's wgpu backend instead (scripts/check-wgpu.sh).
//!
//! Deliberate difference: the book's TeLU, `where(x > 0, x, alpha * (exp(x) - 1))`, has a
//! NaN derivative at x = 100 in PyTorch (exp overflows in the discarded branch and
//! 0 * inf = NaN), which also makes alpha's gradient NaN. actlab evaluates exp(min(x, 0))
//! and is finite there: dy(100) = 1, and alpha's gradient is the finite sum.

mod common;

use common::{fixture, numbers};

use acts::Activation;
use burn::module::Module;
use burn::tensor::{Device, Gradients, Tensor, TensorData};
use spec::ActivationKind;

fn ulp(v: f32) -> f64 {
    let a = v.abs();
    (a.next_up() - a) as f64
}

/// Checks `ours` against `torch` element-wise; `allowed_non_finite` lists indices where
/// PyTorch is non-finite by its own flaw and ours must instead equal the given value.
fn assert_close(what: &str, xs: &[f64], ours: &[f32], torch: &[f64], fixed: &[(usize, f64)]) {
    assert_eq!(ours.len(), torch.len(), "{what}: length");
    for (i, (&o, &t)) in ours.iter().zip(torch).enumerate() {
        if let Some(&(_, want)) = fixed.iter().find(|(j, _)| *j == i) {
            assert!(
                o.is_finite() && (o as f64 - want).abs() <= 1e-6,
                "{what} at x={}: {o}, want {want}",
                xs[i]
            );
            continue;
        }
        if !t.is_finite() {
            assert!(
                o.is_nan() == t.is_nan() && (t.is_nan() || o as f64 == t),
                "{what} at x={}: {o} vs {t}",
                xs[i]
            );
            continue;
        }
        let tol = 1e-6f64.max(4.0 * ulp(t as f32));
        assert!(
            o.is_finite() && (o as f64 - t).abs() <= tol,
            "{what} at x={}: ours {o:e}, torch {t:e}, |diff| {:e} > {tol:e}",
            xs[i],
            (o as f64 - t).abs()
        );
    }
}

/// Value and x-derivative of `f` at the fixture's float32 points, and the gradients of
/// the sum (for parameter gradients).
fn eval_with(
    xs: &[f64],
    device: &Device,
    f: impl Fn(Tensor<1>) -> Tensor<1>,
) -> (Vec<f32>, Vec<f32>, Gradients) {
    let data: Vec<f32> = xs.iter().map(|&v| v as f32).collect();
    let n = data.len();
    let x = Tensor::<1>::from_data(TensorData::new(data, [n]), device).require_grad();
    let y = f(x.clone());
    let grads = y.clone().sum().backward();
    let dy = x.grad(&grads).expect("x has a gradient");
    (
        y.into_data().try_into_vec::<f32>().unwrap(),
        dy.into_data().try_into_vec::<f32>().unwrap(),
        grads,
    )
}

fn check_fixed(fixture_name: &str, kind: ActivationKind) {
    let all = fixture();
    let case = &all[fixture_name];
    let xs = numbers(&case["x_f32"]);
    let device = common::test_device().autodiff();
    let module = common::module(kind, &device);
    let (y, dy, _) = eval_with(&xs, &device, |x| module.forward(x));
    assert_close(
        &format!("{fixture_name} value"),
        &xs,
        &y,
        &numbers(&case["f32"]["y"]),
        &[],
    );
    assert_close(
        &format!("{fixture_name} derivative"),
        &xs,
        &dy,
        &numbers(&case["f32"]["dy"]),
        &[],
    );
}

/// The fixtures with a test of their own below: RReLU in inference mode, TeLU with
/// PyTorch's NaN, STAF with the fixture's parameters.
const OWN_TESTS: [&str; 3] = ["RReLU_eval", "TeLU", "STAF"];

/// The registry's fixture keys and the fixture file's agree both ways: nothing in the
/// file goes unchecked, no registry entry points at a missing case.
#[test]
fn every_fixture_belongs_to_a_registry_entry() {
    let all = fixture();
    let in_file: Vec<&String> = all
        .as_object()
        .expect("an object")
        .keys()
        .filter(|k| !k.starts_with('_'))
        .collect();
    let in_registry: Vec<&str> = ActivationKind::all()
        .filter_map(|k| k.torch().fixture)
        .collect();
    for key in &in_file {
        assert!(
            in_registry.contains(&key.as_str()),
            "{key}: no registry entry names it"
        );
    }
    for key in &in_registry {
        assert!(
            all.get(key).is_some(),
            "{key}: named by the registry, not in the fixture"
        );
    }
    assert_eq!(in_file.len(), in_registry.len());
}

#[test]
fn parameter_free_activations_match_pytorch() {
    let mut failed = Vec::new();
    // Every entry with PyTorch reference values, but those with a test of their own.
    let cases = ActivationKind::all().filter_map(|kind| {
        let name = kind.torch().fixture?;
        (!OWN_TESTS.contains(&name)).then_some((name, kind))
    });
    for (name, kind) in cases {
        // Every activation is checked, and every one that differs is named at the end.
        let checked = std::panic::catch_unwind(|| check_fixed(name, kind));
        if checked.is_err() {
            failed.push(name);
        }
    }
    assert!(
        failed.is_empty(),
        "differ from PyTorch: {failed:?} (details above)"
    );
}

#[test]
fn rrelu_evaluation_matches_pytorch() {
    let all = fixture();
    let case = &all["RReLU_eval"];
    let xs = numbers(&case["x_f32"]);
    let device = common::test_device();
    let module = common::module(ActivationKind::RReLU, &device).valid();
    let data: Vec<f32> = xs.iter().map(|&v| v as f32).collect();
    let n = data.len();
    let y = module.forward(Tensor::<1>::from_data(TensorData::new(data, [n]), &device));
    let y = y.into_data().try_into_vec::<f32>().unwrap();
    assert_close(
        "RReLU_eval value",
        &xs,
        &y,
        &numbers(&case["f32"]["y"]),
        &[],
    );
}

#[test]
fn telu_matches_pytorch_and_stays_finite_where_pytorch_does_not() {
    let all = fixture();
    let case = &all["TeLU"];
    let xs = numbers(&case["x_f32"]);
    let device = common::test_device().autodiff();
    let alpha = case["params_f32"]["alpha"].as_f64().unwrap();
    let Activation::Scalar(telu) =
        common::with_values(ActivationKind::TeLU, vec![vec![alpha]], &device)
    else {
        panic!("TeLU is a scalar-parameter activation")
    };
    let (y, dy, grads) = eval_with(&xs, &device, |x| telu.forward(x));
    let alpha_grad: f32 = telu.params[0].val().grad(&grads).unwrap().into_scalar();

    let torch_dy = numbers(&case["f32"]["dy"]);
    let at_100 = xs.iter().position(|&v| v == 100.0).unwrap();
    assert!(
        torch_dy[at_100].is_nan(),
        "the fixture records PyTorch's NaN"
    );
    assert_close("TeLU value", &xs, &y, &numbers(&case["f32"]["y"]), &[]);
    assert_close("TeLU derivative", &xs, &dy, &torch_dy, &[(at_100, 1.0)]);

    // alpha's gradient: PyTorch's grid-only sum, plus the extra points' exp(x) - 1 for x <= 0.
    let grid_sum = numbers(&case["f32"]["param_grad_sum_grid_only"]["alpha"])[0];
    let extra: f64 = xs[401..]
        .iter()
        .filter(|&&v| v <= 0.0)
        .map(|&v| (v as f32 as f64).exp() - 1.0)
        .sum();
    let want = grid_sum + extra;
    assert!(alpha_grad.is_finite());
    assert!(
        (alpha_grad as f64 - want).abs() <= 1e-4 * want.abs(),
        "alpha grad {alpha_grad} vs {want}"
    );
}

#[test]
fn staf_matches_pytorch_including_parameter_gradients() {
    let all = fixture();
    let case = &all["STAF"];
    let xs = numbers(&case["x_f32"]);
    let device = common::test_device().autodiff();
    let staf = common::fixture_staf(case, &device);
    let (y, dy, grads) = eval_with(&xs, &device, |x| staf.forward(x));

    // Sums of 25 sines in float32: the order of summation differs from PyTorch's loop,
    // so allow the rounding of 25 terms of magnitude up to sum|C_i| (and |C_i Omega_i| for dy).
    let c = numbers(&case["params_f32"]["C"]);
    let omega = numbers(&case["params_f32"]["Omega"]);
    let scale_y: f64 = c.iter().map(|v| v.abs()).sum();
    let scale_dy: f64 = c.iter().zip(&omega).map(|(a, b)| (a * b).abs()).sum();
    for (what, ours, torch, scale) in [
        ("STAF value", &y, numbers(&case["f32"]["y"]), scale_y),
        (
            "STAF derivative",
            &dy,
            numbers(&case["f32"]["dy"]),
            scale_dy,
        ),
    ] {
        for (i, (&o, &t)) in ours.iter().zip(&torch).enumerate() {
            let x = xs[i];
            // sin(Omega x + Phi) at |x| = 100 has an argument error of ~|Omega x| ulp.
            let arg_scale = 1.0 + x.abs();
            let tol = 1e-6 + 25.0 * f32::EPSILON as f64 * scale * arg_scale;
            assert!(
                o.is_finite() && (o as f64 - t).abs() <= tol,
                "{what} at x={x}: {o} vs {t} (tol {tol:e})"
            );
        }
    }
    for (key, tensor) in [("C", &staf.c), ("Omega", &staf.omega), ("Phi", &staf.phi)] {
        let ours = tensor
            .val()
            .grad(&grads)
            .unwrap()
            .into_data()
            .try_into_vec::<f32>()
            .unwrap();
        let torch = numbers(&case["f32"]["param_grad_sum_all_points"][key]);
        for (i, (&o, &t)) in ours.iter().zip(&torch).enumerate() {
            let tol = 1e-3 * (1.0 + t.abs());
            assert!(
                (o as f64 - t).abs() <= tol,
                "STAF d/d{key}[{i}]: {o} vs {t}"
            );
        }
    }
}
