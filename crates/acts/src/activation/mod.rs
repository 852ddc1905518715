//! The activation module a network holds: one enum over every kind, built by one
//! constructor from an [`ActivationSpec`].

use burn::module::{Module, Param};
use burn::nn::activation::{RRelu, RReluConfig};
use burn::store::ModuleSnapshot;
use burn::tensor::{Device, Tensor, TensorData};
use spec::{ActivationSpec, Family, FixedFn};
use thiserror::Error;

use crate::custom::CustomModule;
use crate::functional::apply_fixed;
use crate::rational::Rational;
use crate::scalar::ScalarActivation;
use crate::spline::BSpline;
use crate::staf::Staf;

/// A parameter-free activation: just its function.
#[derive(Module, Debug)]
pub struct FixedActivation {
    #[module(skip)]
    function: FixedFn,
}

impl FixedActivation {
    /// The function this module computes.
    pub fn function(&self) -> FixedFn {
        self.function
    }
}

/// One activation module instance.
#[derive(Module, Debug)]
pub enum Activation {
    /// A function without state.
    Fixed(FixedActivation),
    /// RReLU: random slope while training, the mean slope when evaluating.
    RRelu(RRelu),
    /// STAF, and the Fourier activation.
    Staf(Staf),
    /// PReLU, TeLU, adaptive sigmoid, SGT, NIPUNA.
    Scalar(ScalarActivation),
    /// Rational (PAU).
    Rational(Rational),
    /// The learnable B-spline.
    Spline(BSpline),
    /// A user-defined expression or mixture.
    Custom(CustomModule),
}

impl Activation {
    /// Whether a training forward pass draws from the device's random stream (RReLU's
    /// slopes): such passes must run in a fixed order to give the same bits.
    pub fn draws_while_training(&self) -> bool {
        matches!(self, Activation::RRelu(_))
    }
}

/// Parameter values that do not fit a module.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ParamValuesError {
    /// Another number of parameters than the module has.
    #[error("{given} parameter value vectors for a module with {expected} parameters")]
    Count {
        /// Vectors given.
        given: usize,
        /// Parameters the module has.
        expected: usize,
    },
    /// A vector of another length than its parameter.
    #[error("parameter `{name}` holds {expected} values, given {given}")]
    Length {
        /// The parameter.
        name: String,
        /// Values given.
        given: usize,
        /// Values it holds.
        expected: usize,
    },
}

impl Activation {
    /// A fresh module of `spec` with a parameter set for each of `units` units (1 unless
    /// the scope is per-neuron), initialised as the registry (or the definition) says,
    /// random parameters drawn from the device's random stream: the one constructor.
    pub fn init(spec: &ActivationSpec, units: usize, device: &Device) -> Self {
        match spec {
            ActivationSpec::Builtin(kind) => Self::of_family(kind.family(), units, device),
            ActivationSpec::Fourier(options) => {
                Activation::Staf(Staf::init(*options, units, device))
            }
            ActivationSpec::Custom(definition) => {
                Activation::Custom(CustomModule::init(definition, units, device))
            }
        }
    }

    fn of_family(family: Family, units: usize, device: &Device) -> Self {
        match family {
            Family::Fixed(function) => Activation::Fixed(FixedActivation { function }),
            Family::Randomized { lower, upper } => Activation::RRelu(
                RReluConfig::new()
                    .with_lower(lower)
                    .with_upper(upper)
                    .init(),
            ),
            Family::Scalar(function, params) => {
                Activation::Scalar(ScalarActivation::init(function, params, units, device))
            }
            Family::Sinusoids(options) => Activation::Staf(Staf::init(options, units, device)),
            Family::Rational {
                numerator,
                denominator,
            } => Activation::Rational(Rational::init(numerator, denominator, units, device)),
            Family::Spline => Activation::Spline(BSpline::init(units, device)),
        }
    }

    /// The trainable parameters by name, in the order the registry lists them.
    fn named_params(&self) -> Vec<(String, &Param<Tensor<1>>)> {
        fn named<'a>(
            pairs: Vec<(&str, &'a Param<Tensor<1>>)>,
        ) -> Vec<(String, &'a Param<Tensor<1>>)> {
            pairs
                .into_iter()
                .map(|(name, p)| (name.to_string(), p))
                .collect()
        }
        match self {
            Activation::Fixed(_) | Activation::RRelu(_) => Vec::new(),
            Activation::Staf(m) => named(vec![("c", &m.c), ("omega", &m.omega), ("phi", &m.phi)]),
            Activation::Scalar(m) => m.named_params(),
            Activation::Rational(m) => named(vec![
                ("numerator", &m.numerator),
                ("denominator", &m.denominator),
            ]),
            Activation::Spline(m) => named(vec![("coefficients", &m.coefficients)]),
            Activation::Custom(m) => m.named_params(),
        }
    }

    /// The trainable parameters, by name, in the order the registry lists them.
    pub fn params(&self) -> Vec<(String, Tensor<1>)> {
        self.named_params()
            .into_iter()
            .map(|(name, p)| (name, p.val()))
            .collect()
    }

    /// The same module with its parameters set to `values`: one vector per parameter,
    /// in [`Activation::params`] order, each as long as the parameter (finite
    /// differences and fixtures set parameters this way).
    pub fn with_param_values(self, values: &[Vec<f64>]) -> Result<Self, ParamValuesError> {
        let current = self.named_params();
        if current.len() != values.len() {
            return Err(ParamValuesError::Count {
                given: values.len(),
                expected: current.len(),
            });
        }
        let mut replacements = Vec::with_capacity(values.len());
        for ((name, param), v) in current.into_iter().zip(values) {
            let [n] = param.dims();
            if n != v.len() {
                return Err(ParamValuesError::Length {
                    name,
                    given: v.len(),
                    expected: n,
                });
            }
            // Values go in as f64: the device's float type (f32 unless configured) decides.
            let data = TensorData::new(v.clone(), [n]);
            replacements.push(Param::from_tensor(Tensor::from_data(data, &param.device())));
        }
        let mut replacements = replacements.into_iter();
        let mut next = || replacements.next().expect("one replacement per parameter");
        Ok(match self {
            fixed @ (Activation::Fixed(_) | Activation::RRelu(_)) => fixed,
            Activation::Staf(m) => Activation::Staf(Staf {
                c: next(),
                omega: next(),
                phi: next(),
                ..m
            }),
            Activation::Scalar(m) => {
                Activation::Scalar(m.with_params(std::iter::from_fn(|| Some(next()))))
            }
            Activation::Rational(m) => Activation::Rational(Rational {
                numerator: next(),
                denominator: next(),
                ..m
            }),
            Activation::Spline(_) => Activation::Spline(BSpline {
                coefficients: next(),
            }),
            Activation::Custom(m) => {
                Activation::Custom(m.with_params(std::iter::from_fn(|| Some(next()))))
            }
        })
    }

    /// Each trainable parameter's registry name with its path inside this module as
    /// Burn's stores name it (e.g. `Staf.c`), found by the parameter's id in the module's
    /// own snapshot: what the book's state-dict keys are mapped onto, so that no path is
    /// written by hand.
    pub fn param_paths(&self) -> Vec<(String, String)> {
        let snapshots = self.collect(None, None, false);
        self.named_params()
            .into_iter()
            .map(|(name, param)| {
                let id = param.id.val();
                let path = snapshots
                    .iter()
                    .find(|s| s.param_id == Some(id))
                    .map(|s| s.name.clone())
                    .expect("a module's snapshot holds each of its parameters");
                (name, path)
            })
            .collect()
    }

    /// Applies the function element-wise.
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        match self {
            Activation::Fixed(m) => apply_fixed(m.function, x),
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
mod tests;
