//! The activation module a network holds: one enum over every kind.

use burn::module::Module;
use burn::nn::activation::{RRelu, RReluConfig};
use burn::tensor::activation as f;
use burn::tensor::{Device, Tensor};

use crate::custom::CustomModule;
use crate::rational::Rational;
use crate::scalar::ScalarActivation;
use crate::spline::BSpline;
use crate::staf::{Staf, StafConfig};
use spec::{ActivationConfig, ActivationKind, ActivationSpec, DefinitionError};

/// `x if x > 0 else slope * x` as `relu(x) + slope * min(x, 0)`: the same values (one
/// term is always an exact zero), PyTorch's derivative at 0 (the slope: `min` passes
/// its gradient at equality, `relu` does not; Burn's own `leaky_relu` gives 1), and no
/// `mask_where`, which costs Burn's CPU backend more than the rest together.
pub(crate) fn leaky_relu<const D: usize>(x: Tensor<D>, slope: f64) -> Tensor<D> {
    f::relu(x.clone()) + x.clamp_max(0.0).mul_scalar(slope)
}

/// `x / divisor`, differentiated exactly in float64 too: Burn 0.22's backward of
/// `div_scalar` multiplies by `1 / divisor` computed in float32 (burn-autodiff
/// ops/tensor.rs, `DivScalar`), an error of 3e-8 relative for 6. Dividing by an untracked
/// one-element tensor gives the same forward values (IEEE division either way) and an
/// exact backward.
pub(crate) fn divide_by<const D: usize>(x: Tensor<D>, divisor: f64) -> Tensor<D> {
    let divisor = Tensor::<D>::full([1; D], divisor, &x.device());
    x / divisor
}

/// `x * relu6(x + 3) / 6` with PyTorch's derivative at the joints: 0 at x = -3 and 1 at
/// x = 3 (the outer pieces own their end points).
fn hard_swish<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let low = x.clone().lower_equal_elem(-3.0);
    let high = x.clone().greater_equal_elem(3.0);
    let middle = divide_by(x.clone() * (x.clone() + 3.0), 6.0);
    middle.mask_where(high, x.clone()).mask_fill(low, 0.0)
}

/// GELU's tanh approximation, `0.5 x (1 + tanh(u)) = x * sigmoid(2u)`. Evaluated as
/// `x - x * sigmoid(-2u)` for x > 0 so that neither the value nor the derivative takes
/// `1 - (a number near 1)`: both sides then match PyTorch's float32 within 4 ulp.
fn gelu_tanh<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    const SQRT_2_OVER_PI: f64 = 0.797_884_560_802_865_4;
    let two_u = (x.clone() + x.clone().powi_scalar(3) * 0.044_715) * (2.0 * SQRT_2_OVER_PI);
    let negative_side = x.clone() * f::sigmoid(two_u.clone());
    let positive_side = x.clone() - x.clone() * f::sigmoid(two_u.neg());
    negative_side.mask_where(x.greater_elem(0.0), positive_side)
}

/// The threshold `1 if x >= 0 else 0` whose gradient is Hardtanh's (1 on [-1, 1], 0
/// outside): the value comes from the step, the gradient from the clipped identity
/// (Bengio et al. 2013's straight-through estimator), since the step's own is 0.
fn step_straight_through<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let step = x.clone().greater_equal_elem(0.0).float();
    let clipped = x.clone().clamp(-1.0, 1.0);
    clipped.clone() + (step - clipped).detach()
}

/// SELU's constants (Klambauer et al. 2017), as PyTorch spells them.
const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;
const SELU_SCALE: f64 = 1.050_700_987_355_480_5;

/// `scale * (x if x > 0 else alpha * (exp(x) - 1))` as
/// `scale * (relu(x) + alpha * (exp(min(x, 0)) - 1))`: one term is an exact zero on each
/// side, exp never overflows (so no NaN gradient), the derivative at 0 is PyTorch's
/// (`alpha * scale`), and no `mask_where` is needed (see `leaky_relu`).
fn elu<const D: usize>(x: Tensor<D>, alpha: f64, scale: f64) -> Tensor<D> {
    let negative = x
        .clone()
        .clamp_max(0.0)
        .exp()
        .sub_scalar(1.0)
        .mul_scalar(alpha);
    (f::relu(x) + negative).mul_scalar(scale)
}

/// `ln(sigmoid(x))` without overflow: `x - ln(1 + e^x)` below 0, `-ln(1 + e^-x)` from 0 on
/// (derivative 1/2 at 0, as PyTorch); each branch's exp sees only its own side.
fn log_sigmoid<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let below = x.clone() - x.clone().clamp_max(0.0).exp().log1p();
    let above = x.clone().clamp_min(0.0).neg().exp().log1p().neg();
    above.mask_where(x.lower_elem(0.0), below)
}

/// A parameter-free activation: just its kind.
#[derive(Module, Debug)]
pub struct FixedActivation {
    #[module(skip)]
    kind: ActivationKind,
}

impl FixedActivation {
    /// The kind this module computes.
    pub fn kind(&self) -> ActivationKind {
        self.kind
    }

    fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        apply_fixed(self.kind, x)
    }
}

/// Applies a parameter-free, deterministic activation (also the registry functions of
/// user-defined expressions).
pub(crate) fn apply_fixed<const D: usize>(kind: ActivationKind, x: Tensor<D>) -> Tensor<D> {
    use ActivationKind as K;
    match kind {
        K::Sigmoid => f::sigmoid(x),
        K::Tanh => f::tanh(x),
        K::ReLU => f::relu(x),
        K::GELU => f::gelu(x),
        K::Mish => f::mish(x),
        K::LeakyReLU => leaky_relu(x, 0.01),
        K::SiLU | K::Swish => f::silu(x),
        K::Hardswish => hard_swish(x),
        K::GELUTanh => gelu_tanh(x),
        K::ELU => elu(x, 1.0, 1.0),
        K::SELU => elu(x, SELU_ALPHA, SELU_SCALE),
        K::CELU => elu(x, 1.0, 1.0),
        K::Softplus => f::softplus(x, 1.0),
        K::Softsign => x.clone() / (x.abs() + 1.0),
        K::Hardtanh => {
            let low = x.clone().lower_equal_elem(-1.0);
            let high = x.clone().greater_equal_elem(1.0);
            x.mask_fill(low, -1.0).mask_fill(high, 1.0)
        }
        K::Hardsigmoid => {
            let low = x.clone().lower_equal_elem(-3.0);
            let high = x.clone().greater_equal_elem(3.0);
            (x / 6.0 + 0.5).mask_fill(low, 0.0).mask_fill(high, 1.0)
        }
        K::LogSigmoid => log_sigmoid(x),
        K::Tanhshrink => x.clone() - x.tanh(),
        K::ReLU6 => {
            let low = x.clone().lower_equal_elem(0.0);
            let high = x.clone().greater_equal_elem(6.0);
            x.mask_fill(low, 0.0).mask_fill(high, 6.0)
        }
        K::Identity => x,
        K::Step => step_straight_through(x),
        K::SwiGELU => (f::silu(x.clone()) + f::gelu(x)) * 0.5,
        // exp sees min(x, 20): tanh(e^20) is 1 in float32, and an overflowing exp would
        // turn the derivative's (1 - tanh^2) * e^x into 0 * inf = NaN.
        K::TanhExp => x.clone() * x.clamp_max(20.0).exp().tanh(),
        K::PReLU
        | K::RReLU
        | K::TeLU
        | K::STAF
        | K::AdaptiveSigmoid
        | K::SGT
        | K::NIPUNA
        | K::Rational
        | K::BSpline
        | K::Fourier => {
            unreachable!("{kind} has its own module")
        }
    }
}

/// One activation module instance.
#[derive(Module, Debug)]
pub enum Activation {
    /// A function without state.
    Fixed(FixedActivation),
    /// RReLU: random slope while training, the mean slope when evaluating.
    RRelu(RRelu),
    /// STAF.
    Staf(Staf),
    /// PReLU, TeLU, adaptive sigmoid, SGT, NIPUNA.
    Scalar(ScalarActivation),
    /// Rational (PAU).
    Rational(Rational),
    /// The learnable B-spline.
    Spline(BSpline),
    /// A user-defined expression.
    Custom(CustomModule),
}

impl Activation {
    /// A fresh module of the given kind with the book's initial values.
    pub fn new(kind: ActivationKind, device: &Device) -> Self {
        use ActivationKind as K;
        match kind {
            K::RReLU => Activation::RRelu(RReluConfig::new().init()),
            K::STAF | K::Fourier => Activation::Staf(
                StafConfig::fourier(kind, spec::FourierOptions::default(), 1).init(device),
            ),
            K::Rational => Activation::Rational(Rational::new(device)),
            K::BSpline => Activation::Spline(BSpline::new(device)),
            scalar if ScalarActivation::handles(scalar) => {
                Activation::Scalar(ScalarActivation::new(scalar, device))
            }
            fixed => Activation::Fixed(FixedActivation { kind: fixed }),
        }
    }

    /// A fresh module of a built-in or user-defined activation.
    pub fn from_spec(spec: &ActivationSpec, device: &Device) -> Result<Self, DefinitionError> {
        Self::from_config(&ActivationConfig::new(spec.clone()), 1, device)
    }

    /// A fresh module as `config` describes it, with a parameter set for each of `units`
    /// units (1 unless the scope is per-neuron).
    pub fn from_config(
        config: &ActivationConfig,
        units: usize,
        device: &Device,
    ) -> Result<Self, DefinitionError> {
        use ActivationKind as K;
        let kind = match &config.kind {
            ActivationSpec::Custom(def) => {
                return CustomModule::for_units(def, units, device).map(Activation::Custom);
            }
            ActivationSpec::Builtin(kind) => *kind,
        };
        Ok(match kind {
            K::STAF | K::Fourier => Activation::Staf(
                StafConfig::fourier(kind, config.fourier_options(), units).init(device),
            ),
            K::Rational => Activation::Rational(Rational::for_units(units, device)),
            K::BSpline => Activation::Spline(BSpline::for_units(units, device)),
            scalar if ScalarActivation::handles(scalar) => {
                Activation::Scalar(ScalarActivation::for_units(scalar, units, device))
            }
            other => Self::new(other, device),
        })
    }

    /// The name of the function this module computes.
    pub fn name(&self) -> &str {
        match self {
            Activation::Fixed(m) => m.kind().name(),
            Activation::RRelu(_) => ActivationKind::RReLU.name(),
            Activation::Staf(m) => m.kind().name(),
            Activation::Scalar(m) => m.kind().name(),
            Activation::Rational(_) => ActivationKind::Rational.name(),
            Activation::Spline(_) => ActivationKind::BSpline.name(),
            Activation::Custom(m) => &m.definition().name,
        }
    }

    /// A module of a trainable `kind` with the given parameter values, one vector per
    /// registry parameter in registry order; `None` for a kind without parameters.
    pub fn with_params(kind: ActivationKind, values: &[Vec<f64>], device: &Device) -> Option<Self> {
        use ActivationKind as K;
        // Values go in as f64: the device's float type (f32 unless configured) decides.
        let tensor = |v: &[f64]| {
            let n = v.len();
            burn::module::Param::from_tensor(Tensor::from_data(
                burn::tensor::TensorData::new(v.to_vec(), [n]),
                device,
            ))
        };
        Some(match kind {
            K::STAF | K::Fourier => Activation::Staf(Staf::from_params(
                tensor(&values[0]),
                tensor(&values[1]),
                tensor(&values[2]),
                1,
                kind,
            )),
            K::Rational => {
                Activation::Rational(Rational::with_coefficients(&values[0], &values[1], device))
            }
            K::BSpline => Activation::Spline(BSpline::with_coefficients(&values[0], device)),
            scalar if ScalarActivation::handles(scalar) => {
                let flat: Vec<f64> = values.iter().map(|v| v[0]).collect();
                Activation::Scalar(ScalarActivation::with_values(scalar, &flat, device))
            }
            _ => return None,
        })
    }

    /// The trainable parameters, by name, in registry order.
    pub fn params(&self) -> Vec<(String, Tensor<1>)> {
        let named = |pairs: Vec<(&str, Tensor<1>)>| {
            pairs
                .into_iter()
                .map(|(name, t)| (name.to_string(), t))
                .collect()
        };
        match self {
            Activation::Fixed(_) | Activation::RRelu(_) => Vec::new(),
            Activation::Staf(m) => named(vec![
                ("c", m.c.val()),
                ("omega", m.omega.val()),
                ("phi", m.phi.val()),
            ]),
            Activation::Scalar(m) => {
                let names = m.kind().info().params.iter().map(|p| p.name);
                named(names.zip(m.params.iter().map(|p| p.val())).collect())
            }
            Activation::Rational(m) => named(vec![
                ("numerator", m.numerator.val()),
                ("denominator", m.denominator.val()),
            ]),
            Activation::Spline(m) => named(vec![("coefficients", m.coefficients.val())]),
            Activation::Custom(m) => m
                .definition()
                .param_names()
                .into_iter()
                .zip(m.params.iter().map(|p| p.val()))
                .collect(),
        }
    }

    /// Applies the function element-wise.
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        match self {
            Activation::Fixed(m) => m.forward(x),
            Activation::RRelu(m) => m.forward(x),
            Activation::Staf(m) => m.forward(x),
            Activation::Scalar(m) => m.forward(x),
            Activation::Rational(m) => m.forward(x),
            Activation::Spline(m) => m.forward(x),
            Activation::Custom(m) => m.forward(x),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    fn device() -> Device {
        Device::flex()
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
        let book = crate::BOOK_ACTIVATIONS;
        for kind in book.into_iter().filter(|k| *k != ActivationKind::STAF) {
            let module = Activation::new(kind, &device).valid();
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
            let module = Activation::new(kind, &device);
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
            let module = Activation::new(kind, &device);
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
            let module = Activation::new(kind, &device);
            let x = || Tensor::<1>::from_data(TensorData::from(points), &device);
            let grads = module.forward(x()).sum().backward();
            let values: Vec<Vec<f64>> = module
                .params()
                .into_iter()
                .map(|(_, t)| t.into_data().convert::<f64>().try_to_vec::<f64>().unwrap())
                .collect();
            let sum_at = |values: &[Vec<f64>]| -> f64 {
                let m = Activation::with_params(kind, values, &device).unwrap();
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
        let input =
            Tensor::<2>::from_data(TensorData::new(x.clone(), [rows.len(), units]), &device);
        let column = |module: &Activation, u: usize| -> Vec<f32> {
            let xs: Vec<f32> = x.iter().skip(u).step_by(units).copied().collect();
            let t = Tensor::<1>::from_data(TensorData::new(xs, [rows.len()]), &device);
            module.forward(t).into_data().try_into_vec::<f32>().unwrap()
        };
        let value =
            |u: usize, i: usize| 0.3 + 0.1 * u as f64 - 0.07 * i as f64 + 0.01 * (i * i) as f64;
        let tensor = |v: Vec<f64>| {
            let n = v.len();
            let v: Vec<f32> = v.into_iter().map(|a| a as f32).collect();
            burn::module::Param::from_tensor(Tensor::<1>::from_data(
                TensorData::new(v, [n]),
                &device,
            ))
        };
        let tau = 4;
        let unit_major = |count: usize, salt: usize| -> Vec<f64> {
            (0..units)
                .flat_map(|u| (0..count).map(move |i| value(u, i + salt)))
                .collect()
        };
        let staf = Activation::Staf(Staf::from_params(
            tensor(unit_major(tau, 0)),
            tensor(unit_major(tau, 5)),
            tensor(unit_major(tau, 9)),
            units,
            ActivationKind::Fourier,
        ));
        let spline_values = unit_major(crate::SPLINE_COEFFICIENTS, 2);
        let spline = Activation::Spline(BSpline::with_coefficients(&spline_values, &device));
        // Rational stores power-major: coefficient k of units 0, 1, 2, then k + 1.
        let power_major = |count: usize, salt: usize| -> Vec<f64> {
            (0..count)
                .flat_map(|i| (0..units).map(move |u| value(u, i + salt)))
                .collect()
        };
        let rational = Activation::Rational(Rational::with_coefficients(
            &power_major(6, 0),
            &power_major(4, 3),
            &device,
        ));
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
                        Activation::Staf(Staf::from_params(
                            tensor(part(0)),
                            tensor(part(5)),
                            tensor(part(9)),
                            1,
                            ActivationKind::Fourier,
                        ))
                    })
                    .collect::<Vec<_>>(),
            ),
            (
                "BSpline",
                output(&spline),
                (0..units)
                    .map(|u| {
                        let k = crate::SPLINE_COEFFICIENTS;
                        let own = spline_values[u * k..(u + 1) * k].to_vec();
                        Activation::Spline(BSpline::with_coefficients(&own, &device))
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
                        Activation::Rational(Rational::with_coefficients(&a, &b, &device))
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

    #[test]
    fn step_thresholds_and_passes_a_clipped_gradient() {
        let device = device().autodiff();
        let module = Activation::new(ActivationKind::Step, &device);
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
        let staf = StafConfig::new().init(&device);
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
        let telu = ScalarActivation::new(ActivationKind::TeLU, &device);
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
        let module = Activation::new(ActivationKind::RReLU, &device);
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
}
