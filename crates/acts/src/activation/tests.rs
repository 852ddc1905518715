//! The activation modules against their formulas, finite differences and the registry.

use super::*;
use spec::{ActivationKind, FourierOptions};

fn device() -> Device {
    Device::flex()
}

/// A fresh module of a built-in, shared.
fn built_in(kind: ActivationKind, device: &Device) -> Activation {
    Activation::init(&kind.into(), 1, device)
}

/// Reference values in f64, computed from the formulas (not from the code under test).
fn reference(kind: ActivationKind, x: f64) -> f64 {
    let sigmoid = 1.0 / (1.0 + (-x).exp());
    use ActivationKind as K;
    match kind {
        K::Sigmoid => sigmoid,
        K::Tanh => x.tanh(),
        K::ReLU => x.max(0.0),
        K::GELU => 0.5 * x * (1.0 + erf(x / 2f64.sqrt())),
        K::Mish => x * (1.0 + x.exp()).ln().tanh(),
        K::LeakyReLU => {
            if x > 0.0 {
                x
            } else {
                0.01 * x
            }
        }
        K::SiLU | K::Swish => x * sigmoid,
        K::Hardswish => x * (x + 3.0).clamp(0.0, 6.0) / 6.0,
        K::PReLU => {
            if x >= 0.0 {
                x
            } else {
                0.25 * x
            }
        }
        K::RReLU => {
            if x >= 0.0 {
                x
            } else {
                x * (1.0 / 8.0 + 1.0 / 3.0) / 2.0
            }
        }
        K::TeLU => {
            if x > 0.0 {
                x
            } else {
                x.exp() - 1.0
            }
        }
        other => unreachable!("{other}: covered by the PyTorch parity suite"),
    }
}

/// erf by Abramowitz-Stegun 7.1.26 is too coarse (1e-7); use its Taylor series, exact
/// to f64 where it is used.
fn erf(x: f64) -> f64 {
    // Beyond 4.5, 1 - |erf| < 2e-10; the series would lose digits to cancellation.
    if x.abs() > 4.5 {
        return x.signum();
    }
    let mut term = x;
    let mut sum = x;
    for n in 1..60 {
        term *= -x * x / n as f64;
        sum += term / (2 * n + 1) as f64;
    }
    sum * 2.0 / std::f64::consts::PI.sqrt()
}

const POINTS: [f64; 9] = [-4.0, -2.5, -1.0, -0.3, 0.0, 0.2, 1.0, 2.5, 4.0];

#[test]
fn every_fixed_and_initial_activation_matches_its_formula() {
    let device = device();
    let book = spec::BOOK_ACTIVATIONS;
    for kind in book.into_iter().filter(|k| *k != ActivationKind::STAF) {
        let module = built_in(kind, &device).valid();
        let x = Tensor::<1>::from_data(TensorData::from(POINTS.map(|v| v as f32)), &device);
        let y: Vec<f32> = module.forward(x).into_data().try_into_vec::<f32>().unwrap();
        for (&xi, &yi) in POINTS.iter().zip(&y) {
            let want = reference(kind, xi);
            assert!(
                (yi as f64 - want).abs() <= 1e-6 + 1e-6 * want.abs(),
                "{kind} at {xi}: got {yi}, want {want}"
            );
        }
    }
}

/// The activations without a PyTorch counterpart, against their formulas in f64.
#[test]
fn extra_activations_match_their_formulas() {
    let device = device();
    let gelu = |x: f64| 0.5 * x * (1.0 + erf(x / 2f64.sqrt()));
    let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
    type Formula = fn(f64) -> f64;
    let cases: [(ActivationKind, Formula); 3] = [
        (ActivationKind::ReLU6, |x| x.clamp(0.0, 6.0)),
        (ActivationKind::Identity, |x| x),
        (ActivationKind::TanhExp, |x| x * x.exp().tanh()),
    ];
    let points = [-4.0, -1.5, -0.2, 0.0, 0.3, 1.0, 2.5, 4.0, 7.0];
    let check = |kind: ActivationKind, want: &dyn Fn(f64) -> f64| {
        let module = built_in(kind, &device);
        let x = Tensor::<1>::from_data(TensorData::from(points.map(|v| v as f32)), &device);
        let y: Vec<f32> = module.forward(x).into_data().try_into_vec::<f32>().unwrap();
        for (&xi, &yi) in points.iter().zip(&y) {
            let w = want(xi);
            assert!(
                (yi as f64 - w).abs() <= 1e-6 + 1e-6 * w.abs(),
                "{kind} at {xi}: {yi} vs {w}"
            );
        }
    };
    for (kind, f) in cases {
        check(kind, &f);
    }
    check(ActivationKind::SwiGELU, &|x| {
        0.5 * (x * sigmoid(x) + gelu(x))
    });
}

/// Central differences against autodiff for every deterministic activation, at points
/// away from kinks. float32 with h = 1e-2: rounding contributes about
/// 1e-7 |f| / h = 1e-5 |f|, truncation h^2 |f'''| / 6 stays below 2e-5 for these
/// functions, so 1e-3 (1 + |f'|) leaves a wide margin yet catches a wrong formula.
#[test]
fn derivatives_agree_with_finite_differences() {
    let device = device().autodiff();
    let points = [-3.7f32, -2.2, -1.3, -0.7, -0.25, 0.35, 0.8, 1.6, 2.9, 4.4];
    let h = 1e-2f32;
    // RReLU is random; Step's training gradient is an estimate by design (tested below).
    // Trainable ones are checked at their initial parameters.
    let deterministic = ActivationKind::all()
        .filter(|k| !matches!(k, ActivationKind::RReLU | ActivationKind::Step));
    for kind in deterministic {
        let module = built_in(kind, &device);
        let x = Tensor::<1>::from_data(TensorData::from(points), &device).require_grad();
        let grads = module.forward(x.clone()).sum().backward();
        let auto: Vec<f32> = x
            .grad(&grads)
            .unwrap()
            .into_data()
            .try_into_vec::<f32>()
            .unwrap();
        let at = |shift: f32| -> Vec<f32> {
            let shifted = points.map(|p| p + shift);
            let t = Tensor::<1>::from_data(TensorData::from(shifted), &device);
            module.forward(t).into_data().try_into_vec::<f32>().unwrap()
        };
        let (plus, minus) = (at(h), at(-h));
        for i in 0..points.len() {
            let numeric = (plus[i] - minus[i]) / (2.0 * h);
            let tol = 1e-3 * (1.0 + auto[i].abs());
            assert!(
                (numeric - auto[i]).abs() <= tol,
                "{kind} at {}: autodiff {} vs central difference {numeric}",
                points[i],
                auto[i]
            );
        }
    }
}

/// Central differences in each parameter against autodiff, for every trainable
/// activation at its initial values, summed over the same points (float32, h = 1e-2:
/// the same error budget as above, scaled by the number of points).
#[test]
fn parameter_gradients_agree_with_finite_differences() {
    let device = device().autodiff();
    let points = [-3.7f32, -2.2, -1.3, -0.7, -0.25, 0.35, 0.8, 1.6, 2.9, 4.4];
    let h = 1e-2;
    for kind in ActivationKind::all().filter(|k| k.is_trainable()) {
        let module = built_in(kind, &device);
        let x = || Tensor::<1>::from_data(TensorData::from(points), &device);
        let grads = module.forward(x()).sum().backward();
        let values: Vec<Vec<f64>> = module
            .params()
            .into_iter()
            .map(|(_, t)| t.into_data().convert::<f64>().try_to_vec::<f64>().unwrap())
            .collect();
        let sum_at = |values: &[Vec<f64>]| -> f64 {
            let m = built_in(kind, &device).with_param_values(values).unwrap();
            m.forward(x()).sum().into_scalar::<f32>() as f64
        };
        for (p, (name, tensor)) in module.params().into_iter().enumerate() {
            let auto: Vec<f32> = tensor
                .grad(&grads)
                .unwrap_or_else(|| panic!("{kind}: {name} has no gradient"))
                .into_data()
                .try_into_vec::<f32>()
                .unwrap();
            for i in 0..values[p].len() {
                let shifted = |delta: f64| {
                    let mut v = values.clone();
                    v[p][i] += delta;
                    sum_at(&v)
                };
                let numeric = (shifted(h) - shifted(-h)) / (2.0 * h);
                let tol = 1e-2 * (1.0 + (auto[i] as f64).abs());
                assert!(
                    (numeric - auto[i] as f64).abs() <= tol,
                    "{kind} {name}[{i}]: autodiff {} vs central difference {numeric}",
                    auto[i]
                );
            }
        }
    }
}

/// Per neuron, column u of the output is the single-unit function with unit u's
/// parameters: checks the parameter layouts (unit-major for STAF and BSpline,
/// power-major for Rational) against modules built one unit at a time.
#[test]
fn per_neuron_columns_use_their_own_parameters() {
    let device = device();
    let units = 3;
    let rows = [-4.6f32, -2.1, -0.4, 0.0, 0.7, 1.9, 3.3, 5.2];
    let x: Vec<f32> = rows.iter().flat_map(|&r| [r, r * 0.5, r - 0.3]).collect();
    let input = Tensor::<2>::from_data(TensorData::new(x.clone(), [rows.len(), units]), &device);
    let column = |module: &Activation, u: usize| -> Vec<f32> {
        let xs: Vec<f32> = x.iter().skip(u).step_by(units).copied().collect();
        let t = Tensor::<1>::from_data(TensorData::new(xs, [rows.len()]), &device);
        module.forward(t).into_data().try_into_vec::<f32>().unwrap()
    };
    let value = |u: usize, i: usize| 0.3 + 0.1 * u as f64 - 0.07 * i as f64 + 0.01 * (i * i) as f64;
    let build = |spec: ActivationSpec, units: usize, values: Vec<Vec<f64>>| {
        Activation::init(&spec, units, &device)
            .with_param_values(&values)
            .unwrap()
    };
    let tau = 4;
    let fourier = || {
        ActivationSpec::Fourier(spec::FourierOptions {
            tau,
            ..spec::FourierOptions::default()
        })
    };
    let unit_major = |count: usize, salt: usize| -> Vec<f64> {
        (0..units)
            .flat_map(|u| (0..count).map(move |i| value(u, i + salt)))
            .collect()
    };
    let staf = build(
        fourier(),
        units,
        vec![unit_major(tau, 0), unit_major(tau, 5), unit_major(tau, 9)],
    );
    let spline_values = unit_major(spec::SPLINE_COEFFICIENTS, 2);
    let spline = build(
        ActivationKind::BSpline.into(),
        units,
        vec![spline_values.clone()],
    );
    // Rational stores power-major: coefficient k of units 0, 1, 2, then k + 1.
    let power_major = |count: usize, salt: usize| -> Vec<f64> {
        (0..count)
            .flat_map(|i| (0..units).map(move |u| value(u, i + salt)))
            .collect()
    };
    let rational = build(
        ActivationKind::Rational.into(),
        units,
        vec![power_major(6, 0), power_major(4, 3)],
    );
    let output = |m: &Activation| -> Vec<f32> {
        m.forward(input.clone())
            .into_data()
            .try_into_vec::<f32>()
            .unwrap()
    };
    for (name, per_neuron, single) in [
        (
            "Fourier",
            output(&staf),
            (0..units)
                .map(|u| {
                    let part = |salt| (0..tau).map(|i| value(u, i + salt)).collect::<Vec<_>>();
                    build(fourier(), 1, vec![part(0), part(5), part(9)])
                })
                .collect::<Vec<_>>(),
        ),
        (
            "BSpline",
            output(&spline),
            (0..units)
                .map(|u| {
                    let k = spec::SPLINE_COEFFICIENTS;
                    let own = spline_values[u * k..(u + 1) * k].to_vec();
                    build(ActivationKind::BSpline.into(), 1, vec![own])
                })
                .collect(),
        ),
        (
            "Rational",
            output(&rational),
            (0..units)
                .map(|u| {
                    let a: Vec<f64> = (0..6).map(|i| value(u, i)).collect();
                    let b: Vec<f64> = (0..4).map(|i| value(u, i + 3)).collect();
                    build(ActivationKind::Rational.into(), 1, vec![a, b])
                })
                .collect(),
        ),
    ] {
        for (u, module) in single.iter().enumerate() {
            let want = column(module, u);
            let got: Vec<f32> = per_neuron.iter().skip(u).step_by(units).copied().collect();
            for (g, w) in got.iter().zip(&want) {
                assert!(
                    (g - w).abs() <= 1e-5 * (1.0 + w.abs()),
                    "{name} unit {u}: {got:?} vs {want:?}"
                );
            }
        }
    }
}

/// The module's parameters are the ones the registry lists, by name and size, for
/// every trainable kind and a per-neuron scope.
#[test]
fn modules_hold_the_parameters_the_registry_lists() {
    let device = device();
    for kind in ActivationKind::all() {
        let spec = ActivationSpec::from(kind);
        let module = Activation::init(&spec, 3, &device);
        let held: Vec<(String, usize)> = module
            .params()
            .into_iter()
            .map(|(name, t)| (name, t.dims()[0]))
            .collect();
        let listed: Vec<(String, usize)> = spec
            .params()
            .into_iter()
            .map(|p| (p.name, 3 * p.count))
            .collect();
        assert_eq!(held, listed, "{kind}");
    }
    let err = built_in(ActivationKind::PReLU, &device)
        .with_param_values(&[vec![0.1, 0.2]])
        .unwrap_err();
    assert_eq!(err.to_string(), "parameter `alpha` holds 1 values, given 2");
}

#[test]
fn step_thresholds_and_passes_a_clipped_gradient() {
    let device = device().autodiff();
    let module = built_in(ActivationKind::Step, &device);
    let x = Tensor::<1>::from_data(TensorData::from([-2.0f32, -0.5, 0.0, 0.5, 2.0]), &device)
        .require_grad();
    let y = module.forward(x.clone());
    let grads = y.clone().sum().backward();
    let y: Vec<f32> = y.into_data().try_into_vec::<f32>().unwrap();
    let dy: Vec<f32> = x
        .grad(&grads)
        .unwrap()
        .into_data()
        .try_into_vec::<f32>()
        .unwrap();
    assert_eq!(y, [0.0, 0.0, 1.0, 1.0, 1.0]);
    assert_eq!(dy, [0.0, 1.0, 1.0, 1.0, 0.0]);
}

#[test]
fn staf_is_the_sum_of_its_sinusoids() {
    let device = device();
    let staf = Staf::init(FourierOptions::STAF, 1, &device);
    let c: Vec<f32> = staf.c.val().into_data().try_into_vec::<f32>().unwrap();
    let omega: Vec<f32> = staf.omega.val().into_data().try_into_vec::<f32>().unwrap();
    let phi: Vec<f32> = staf.phi.val().into_data().try_into_vec::<f32>().unwrap();
    let x = Tensor::<2>::from_data(
        TensorData::new(vec![-1.5f32, 0.0, 0.7, 3.0], [2, 2]),
        &device,
    );
    let y: Vec<f32> = staf.forward(x).into_data().try_into_vec::<f32>().unwrap();
    for (xi, yi) in [-1.5f64, 0.0, 0.7, 3.0].iter().zip(&y) {
        let want: f64 = (0..25)
            .map(|i| c[i] as f64 * (omega[i] as f64 * xi + phi[i] as f64).sin())
            .sum();
        assert!(
            (*yi as f64 - want).abs() < 1e-4,
            "STAF at {xi}: {yi} vs {want}"
        );
    }
}

#[test]
fn telu_alpha_gradient_is_finite_for_large_inputs() {
    let device = device().autodiff();
    let Activation::Scalar(telu) = built_in(ActivationKind::TeLU, &device) else {
        panic!("TeLU is a scalar-parameter activation")
    };
    let x = Tensor::<1>::from_data(TensorData::from([-100.0f32, -1.0, 100.0, 1000.0]), &device);
    let y = telu.forward(x).sum();
    let grads = y.backward();
    let g: f32 = telu.params[0].val().grad(&grads).unwrap().into_scalar();
    // d/dalpha = sum over x <= 0 of (exp(x) - 1) = (e^-100 - 1) + (e^-1 - 1)
    let want = ((-100f64).exp() - 1.0) + ((-1f64).exp() - 1.0);
    assert!(g.is_finite());
    assert!((g as f64 - want).abs() < 1e-6, "{g} vs {want}");
}

#[test]
fn rrelu_draws_slopes_only_while_training() {
    let device = device().autodiff();
    let module = built_in(ActivationKind::RReLU, &device);
    let x = Tensor::<1>::from_data(TensorData::from([-1.0f32; 64]), &device);
    let y: Vec<f32> = module
        .forward(x.clone())
        .into_data()
        .try_into_vec::<f32>()
        .unwrap();
    assert!(
        y.iter()
            .all(|v| (-1.0 / 3.0 - 1e-6..=-0.125 + 1e-6).contains(&(*v as f64)))
    );
    assert!(
        y.iter().any(|v| (v - y[0]).abs() > 1e-4),
        "slopes should vary"
    );
    let eval: Vec<f32> = module
        .valid()
        .forward(x.without_autodiff())
        .into_data()
        .try_into_vec::<f32>()
        .unwrap();
    let mean = -(1.0 / 8.0 + 1.0 / 3.0) / 2.0;
    assert!(eval.iter().all(|v| (*v as f64 - mean).abs() < 1e-6));
}
