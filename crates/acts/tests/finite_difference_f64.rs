//! Central differences against autodiff in float64, for every deterministic activation of
//! the registry (trainable ones at their initial parameters), for the parameter gradients
//! of every trainable one, and for a TOML-defined expression and a mixture. Its own test
//! binary, because float64 is a setting of the device for the whole process.
//!
//! Tolerance: with h = 1e-5, truncation is h² |f'''| / 6 ≈ 2e-11 |f'''| and rounding
//! ε |f| / h ≈ 2e-11 |f|, both far below 1e-7 (1 + |f'|), which a wrong derivative
//! (a dropped factor, a missed branch, a float32 step) exceeds by orders of magnitude.
//! Points stay away from kinks (0, ±1, ±3, ±4 and the spline knots, the integers).

mod common;

use common::float64_device as device;

use acts::Activation;
use burn::tensor::{Device, Tensor, TensorData};
use spec::{ActivationKind, ActivationSpec, CustomActivation};

const POINTS: [f64; 10] = [-3.7, -2.2, -1.3, -0.7, -0.25, 0.35, 0.8, 1.6, 2.9, 4.4];
const H: f64 = 1e-5;

fn to_vec(t: Tensor<1>) -> Vec<f64> {
    t.into_data().try_into_vec::<f64>().expect("float64 values")
}

fn input(points: &[f64], device: &Device) -> Tensor<1> {
    Tensor::from_data(TensorData::new(points.to_vec(), [points.len()]), device)
}

fn close(numeric: f64, auto: f64) -> bool {
    (numeric - auto).abs() <= 1e-7 * (1.0 + auto.abs())
}

/// d/dx by autodiff and by central differences, for `forward` at POINTS.
fn check_input_derivative(what: &str, forward: &dyn Fn(Tensor<1>) -> Tensor<1>, device: &Device) {
    let x = input(&POINTS, device).require_grad();
    let grads = forward(x.clone()).sum().backward();
    let auto = to_vec(x.grad(&grads).expect("x has a gradient"));
    let shifted = |delta: f64| -> Vec<f64> {
        let points: Vec<f64> = POINTS.iter().map(|p| p + delta).collect();
        to_vec(forward(input(&points, device)))
    };
    let (plus, minus) = (shifted(H), shifted(-H));
    for i in 0..POINTS.len() {
        let numeric = (plus[i] - minus[i]) / (2.0 * H);
        assert!(
            close(numeric, auto[i]),
            "{what} at {}: autodiff {} vs central difference {numeric}",
            POINTS[i],
            auto[i]
        );
    }
}

#[test]
fn input_derivatives_of_every_deterministic_activation() {
    let device = device();
    // RReLU is random while training; Step's training gradient is an estimate by design.
    for kind in
        ActivationKind::all().filter(|k| !matches!(k, ActivationKind::RReLU | ActivationKind::Step))
    {
        let module = common::module(kind, &device);
        check_input_derivative(kind.name(), &|x| module.forward(x), &device);
    }
}

#[test]
fn parameter_gradients_of_every_trainable_activation() {
    let device = device();
    for kind in ActivationKind::all().filter(|k| k.is_trainable()) {
        let module = common::module(kind, &device);
        let grads = module.forward(input(&POINTS, &device)).sum().backward();
        let values: Vec<Vec<f64>> = module
            .params()
            .into_iter()
            .map(|(_, t)| to_vec(t))
            .collect();
        for (p, (name, tensor)) in module.params().into_iter().enumerate() {
            let auto = to_vec(tensor.grad(&grads).expect("a parameter gradient"));
            for i in 0..values[p].len() {
                let sum_at = |delta: f64| -> f64 {
                    let mut v = values.clone();
                    v[p][i] += delta;
                    let m = common::with_values(kind, v.clone(), &device);
                    to_vec(m.forward(input(&POINTS, &device))).iter().sum()
                };
                let numeric = (sum_at(H) - sum_at(-H)) / (2.0 * H);
                assert!(
                    close(numeric, auto[i]),
                    "{kind} d/d{name}[{i}]: autodiff {} vs central difference {numeric}",
                    auto[i]
                );
            }
        }
    }
}

#[test]
fn a_toml_defined_expression_and_a_mixture() {
    let device = device();
    let expression = CustomActivation {
        name: "Mine".into(),
        expr: "a * x * sigmoid(b * x) + where(x > 0, c * x ^ 2, 0) + sin(x) * gelu(x) / 3".into(),
        params: [("a".into(), 1.2), ("b".into(), 0.8), ("c".into(), -0.3)].into(),
        mix: Vec::new(),
    };
    let mixture = CustomActivation {
        name: "Mix".into(),
        expr: String::new(),
        params: Default::default(),
        mix: vec!["Tanh".into(), "GELU".into(), "Softplus".into()],
    };
    for (definition, initial) in [
        (&expression, vec![1.2, 0.8, -0.3]),
        (&mixture, vec![0.3, -0.2, 0.5]),
    ] {
        let with = |values: &[f64]| {
            let spec = ActivationSpec::Custom(definition.compile().unwrap());
            let values = match definition.mix.is_empty() {
                true => values.iter().map(|&v| vec![v]).collect::<Vec<_>>(),
                false => vec![values.to_vec()],
            };
            let Activation::Custom(m) = Activation::init(&spec, 1, &device)
                .with_param_values(&values)
                .unwrap()
            else {
                panic!("a definition builds a custom module")
            };
            m
        };
        let module = with(&initial);
        check_input_derivative(&definition.name, &|x| module.forward(x), &device);
        let grads = module.forward(input(&POINTS, &device)).sum().backward();
        let auto: Vec<f64> = module
            .params
            .iter()
            .flat_map(|p| to_vec(p.val().grad(&grads).unwrap()))
            .collect();
        for (i, &a) in auto.iter().enumerate() {
            let sum_at = |delta: f64| -> f64 {
                let mut v = initial.clone();
                v[i] += delta;
                let m = with(&v);
                to_vec(m.forward(input(&POINTS, &device))).iter().sum()
            };
            let numeric = (sum_at(H) - sum_at(-H)) / (2.0 * H);
            assert!(
                close(numeric, a),
                "{} parameter {i}: autodiff {a} vs central difference {numeric}",
                definition.name
            );
        }
    }
}

/// Where `values` (at x_i = -SPAN + i h) has a kink: a jump in the finite-difference
/// derivative (or in the value, which makes one quotient huge) that stands out from its
/// neighbours. For a smooth function consecutive quotients differ by about |f''| h and
/// change slowly; at a kink of size J they differ by J whatever h is.
fn jumps(values: &[f64], h: f64, span: f64) -> Vec<f64> {
    let quotients: Vec<f64> = values.windows(2).map(|w| (w[1] - w[0]) / h).collect();
    let steps: Vec<f64> = quotients.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    const NEAR: usize = 3;
    const FAR: usize = 40;
    let mut found = Vec::new();
    for i in FAR..steps.len() - FAR {
        let neighbours = steps[i - FAR..i - NEAR]
            .iter()
            .chain(&steps[i + NEAR..i + FAR])
            .fold(0.0f64, |m, &s| m.max(s));
        if steps[i] > 10.0 * neighbours + 1e-9 {
            // steps[i] compares the quotients on either side of x_{i+1}.
            found.push(-span + (i + 1) as f64 * h);
        }
    }
    found
}

/// Every registry entry declares its kinks: a jump in the finite-difference derivative
/// (or the value) on a fine grid over [-8, 8] must lie at a declared kink, and every
/// declared kink must show one. Trainable scalars are moved off their initial values
/// first (at TeLU's alpha = 1 its kink vanishes); RReLU is evaluated in inference mode
/// (its mean slope).
#[test]
fn kinks_are_where_the_registry_says() {
    use burn::module::Module;
    const SPAN: f64 = 8.0;
    let h = 2f64.powi(-12);
    let n = (2.0 * SPAN / h) as usize + 1;
    let grid: Vec<f64> = (0..n).map(|i| -SPAN + i as f64 * h).collect();
    let device = device();
    device.seed(3);
    let mut wrong = Vec::new();
    for kind in ActivationKind::all() {
        let module = Activation::init(&kind.into(), 1, &device);
        let module = match kind.family() {
            spec::Family::Scalar(_, params) => {
                let moved: Vec<Vec<f64>> = params.iter().map(|p| vec![p.initial + 0.3]).collect();
                module
                    .with_param_values(&moved)
                    .expect("one value per parameter")
            }
            _ => module,
        };
        let values = to_vec(module.valid().forward(input(&grid, &device)));
        let found = jumps(&values, h, SPAN);
        let declared = kind.kinks();
        let near = |a: f64, b: f64| (a - b).abs() <= 4.0 * h;
        let undeclared: Vec<f64> = found
            .iter()
            .copied()
            .filter(|x| !declared.iter().any(|k| near(*x, *k)))
            .collect();
        let unseen: Vec<f64> = declared
            .iter()
            .copied()
            .filter(|k| !found.iter().any(|x| near(*x, *k)))
            .collect();
        if !undeclared.is_empty() || !unseen.is_empty() {
            wrong.push(format!(
                "{kind}: jumps at {undeclared:?} not declared, declared {unseen:?} not found"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("; "));
}

/// The detector itself: it finds a kink of 0.05 in a curved function, and nothing in a
/// smooth one with a large second derivative.
#[test]
fn the_kink_detector_finds_small_kinks_and_nothing_else() {
    let h = 2f64.powi(-12);
    let grid: Vec<f64> = (0..=65536).map(|i| -8.0 + i as f64 * h).collect();
    let kinked: Vec<f64> = grid
        .iter()
        .map(|&x| (3.0 * x).sin() + if x > 1.5 { 0.05 * (x - 1.5) } else { 0.0 })
        .collect();
    let found = jumps(&kinked, h, 8.0);
    assert!(
        !found.is_empty() && found.iter().all(|x| (x - 1.5).abs() <= 4.0 * h),
        "{found:?}"
    );
    let smooth: Vec<f64> = grid
        .iter()
        .map(|&x| 25.0 * (5.0 * x).sin() + x * x)
        .collect();
    assert_eq!(jumps(&smooth, h, 8.0), Vec::<f64>::new());
}
