//! The activation registry: every fact about each activation kind (name, category,
//! formula, parameters and their initial values, kinks, PyTorch counterpart, kernel) in
//! one entry of [`entries`], and the types those facts are made of. Every list of kinds
//! elsewhere (the fixed functions, the fused kernels under test, the kinks the curvature
//! probes avoid, the book's state-dict keys) is derived from the entries.

mod entries;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::fourier::{FourierInit, FourierOptions};
use crate::names::{UnknownName, closest_names};

use entries::REGISTRY;
pub use entries::{ActivationKind, FixedFn};

/// The book's grouping of activation functions (its section 4.2 table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Category {
    /// Sigmoid, Tanh.
    Classic,
    /// ReLU, GELU, Mish.
    Modern,
    /// LeakyReLU, SiLU, Hardswish, Swish.
    #[serde(rename = "ReLU variant")]
    ReluVariant,
    /// Trainable or randomised: PReLU, RReLU, TeLU, STAF.
    Adaptive,
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Category::Classic => "Classic",
            Category::Modern => "Modern",
            Category::ReluVariant => "ReLU variant",
            Category::Adaptive => "Adaptive",
        })
    }
}

/// A function of x shaped by a few trainable scalars.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarFn {
    /// relu(x) + alpha·min(x, 0).
    PReLU,
    /// relu(x) + alpha·(e^min(x, 0) - 1).
    TeLU,
    /// σ(k (x - theta)).
    AdaptiveSigmoid,
    /// Γ(3/2)·tanh(gamma x).
    SGT,
    /// x above 0, alpha·softplus(x) below.
    NIPUNA,
}

/// One trainable scalar of a [`ScalarFn`] and where it starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScalarParam {
    /// Its name in records and `acts list`.
    pub name: &'static str,
    /// Its initial value.
    pub initial: f64,
}

/// Coefficients of the B-spline activation per unit: one per knot interval of [-4, 4]
/// (spacing 1) plus three for a cubic's support.
pub const SPLINE_COEFFICIENTS: usize = 11;

/// What a registry function's module holds, with its parameters and their starting
/// values: the one place each kind's state is described.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Family {
    /// No parameters and no randomness.
    Fixed(FixedFn),
    /// RReLU: slope a ~ U(lower, upper) below zero while training, their mean when evaluating.
    Randomized {
        /// Lowest slope.
        lower: f64,
        /// Highest slope.
        upper: f64,
    },
    /// A few trainable scalars, in this order.
    Scalar(ScalarFn, &'static [ScalarParam]),
    /// A sum of trainable sinusoids (STAF; Fourier with its options).
    Sinusoids(FourierOptions),
    /// A ratio of polynomials with trainable coefficients, started at these values.
    Rational {
        /// a_0..a_5.
        numerator: &'static [f64],
        /// b_1..b_4.
        denominator: &'static [f64],
    },
    /// A cubic B-spline with [`SPLINE_COEFFICIENTS`] trainable coefficients per unit.
    Spline,
}

/// A trainable parameter as listed to a user: its name, scalars per unit, and start.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParamInfo {
    /// Parameter name.
    pub name: String,
    /// Number of scalars per module instance (per unit when per-neuron).
    pub count: usize,
    /// How it starts.
    pub init: String,
}

impl Family {
    /// The trainable parameters, in the order a module holds them (empty when none).
    pub fn params(&self) -> Vec<ParamInfo> {
        let param = |name: &str, count, init: &str| ParamInfo {
            name: name.to_string(),
            count,
            init: init.to_string(),
        };
        match self {
            Family::Fixed(_) | Family::Randomized { .. } => Vec::new(),
            Family::Scalar(_, params) => params
                .iter()
                .map(|p| param(p.name, 1, &format!("{:?}", p.initial)))
                .collect(),
            Family::Sinusoids(options) => {
                let (c, omega, phi) = match options.init {
                    FourierInit::Normal => ("N(0, 1)", "N(0, 1)", "N(0, 1)"),
                    FourierInit::Paper => (
                        "sign(L) sqrt|L|, L ~ Laplace(0, 1/(2 tau))",
                        "omega0 U(0, 1)",
                        "U(-pi, pi)",
                    ),
                };
                vec![
                    param("c", options.tau, c),
                    param("omega", options.tau, omega),
                    param("phi", options.tau, phi),
                ]
            }
            Family::Rational {
                numerator,
                denominator,
            } => vec![
                param(
                    "numerator",
                    numerator.len(),
                    "least-squares fit of LeakyReLU(0.01) on [-3, 3]",
                ),
                param(
                    "denominator",
                    denominator.len(),
                    "the same fit, together with the numerator",
                ),
            ],
            Family::Spline => vec![param(
                "coefficients",
                SPLINE_COEFFICIENTS,
                "ReLU at the knots (the spline is ReLU, smoothed within 1 of 0)",
            )],
        }
    }

    /// Trainable scalars of one module instance per unit it serves.
    pub fn param_count(&self) -> usize {
        self.params().iter().map(|p| p.count).sum()
    }
}

/// An element-wise function with a fused kernel (value and derivative in one pass each,
/// on `vmath`'s vectorised functions; `acts::fused`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FusedKernel {
    /// σ(x).
    Sigmoid,
    /// tanh(x).
    Tanh,
    /// x Φ(x).
    Gelu,
    /// x σ(x) (SiLU and the book's Swish).
    Silu,
    /// x tanh(softplus(x)).
    Mish,
    /// GELU's tanh approximation.
    GeluTanh,
    /// ELU with alpha 1 (also CELU with alpha 1).
    Elu,
    /// SELU.
    Selu,
    /// ln(1 + e^x).
    Softplus,
    /// ln σ(x).
    LogSigmoid,
    /// x - tanh(x).
    Tanhshrink,
    /// x tanh(e^x).
    TanhExp,
    /// 0.5 (x σ(x) + GELU(x)).
    SwiGelu,
}

/// What computes an activation on Burn's CPU backend (flex) in float32. Every other
/// device and float64 take the composed tensor operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// Burn's tensor operations, differentiated by Burn: the piecewise-linear functions
    /// (cheap as they are) and those without a kernel yet.
    Composed,
    /// One element-wise kernel forward and one backward.
    Fused(FusedKernel),
    /// TeLU's kernel, alpha shared or per neuron.
    Telu,
    /// The sum-of-sinusoids kernel of STAF and the Fourier activation.
    Sinusoids,
}

impl Kernel {
    /// Whether a fused kernel computes it (float32, on flex and wgpu).
    pub fn is_fused(self) -> bool {
        self != Kernel::Composed
    }
}

/// Where one parameter of an activation sits in the book's PyTorch state dicts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TorchParam {
    /// The attribute of the book's module (`layers.<i>.<key>` in the state dict).
    pub key: &'static str,
    /// A 0-d tensor in PyTorch (the book's TeLU alpha), not a vector.
    pub zero_dim: bool,
}

/// An activation's PyTorch counterpart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Torch {
    /// What computes it in PyTorch: a `torch.nn` module, or the book's own; `None` when
    /// neither has it.
    pub module: Option<&'static str>,
    /// Its key in `shared/fixtures/golden_activations.json`, PyTorch's values and
    /// derivatives that the parity suite checks against; `None` when it has none.
    pub fixture: Option<&'static str>,
    /// The state-dict keys of its parameters in the book's network, one per registry
    /// parameter in order (`Some(&[])` without parameters); `None` when the book's
    /// state dicts have no layout for them (import and export refuse it).
    pub state_dict: Option<&'static [TorchParam]>,
}

/// Everything the registry knows about one activation kind.
#[derive(Clone, Copy, Debug)]
pub struct ActivationInfo {
    /// The kind.
    pub kind: ActivationKind,
    /// The book's spelling of the name.
    pub name: &'static str,
    /// The book's category.
    pub category: Category,
    /// The formula, in plain text.
    pub formula: &'static str,
    /// What its module holds, parameters and initial values included.
    pub family: Family,
    /// The pre-activation values where its derivative or its value jumps (at its
    /// initial parameters, or for some values of them); empty for a smooth function.
    /// The curvature probes shorten their steps near them.
    pub kinks: &'static [f64],
    /// Its PyTorch counterpart.
    pub torch: Torch,
    /// What computes it on flex in float32.
    pub kernel: Kernel,
    /// What differs from, or is worth knowing about, the PyTorch original.
    pub note: &'static str,
}

/// Numerator coefficients a_0..a_5 (ascending powers) and denominator magnitudes
/// |b_1|..|b_4| of the least-squares fit of LeakyReLU(0.01) on 2001 points of [-3, 3]
/// (Levenberg-Marquardt from 41 starts): the maximum error there is 0.030, at x = 0.
/// PAU initialises from the same kind of fit, so a network starts out as a leaky ReLU net.
pub const RATIONAL_LEAKY_RELU_INIT: ([f64; 6], [f64; 4]) = (
    [
        0.029_803_61,
        0.618_383_58,
        2.322_303_72,
        3.049_181_91,
        1.483_370_23,
        0.250_557_21,
    ],
    [1.141_516_55, 4.389_123_21, 0.870_307_43, 0.346_543_02],
);

/// The 13 activations the book compares, in its order.
pub const BOOK_ACTIVATIONS: [ActivationKind; 13] = {
    use ActivationKind as K;
    [
        K::Sigmoid,
        K::Tanh,
        K::ReLU,
        K::GELU,
        K::Mish,
        K::LeakyReLU,
        K::SiLU,
        K::Hardswish,
        K::Swish,
        K::PReLU,
        K::RReLU,
        K::TeLU,
        K::STAF,
    ]
};

impl ActivationKind {
    /// Every kind: the book's 13 in its order, then the chapter's others.
    pub fn all() -> impl Iterator<Item = ActivationKind> {
        REGISTRY.iter().map(|i| i.kind)
    }

    /// Every name, in registry order and the book's spelling.
    pub fn names() -> Vec<&'static str> {
        REGISTRY.iter().map(|i| i.name).collect()
    }

    /// The registry entry of this kind.
    pub fn info(self) -> &'static ActivationInfo {
        REGISTRY
            .iter()
            .find(|i| i.kind == self)
            .expect("every kind has a registry entry")
    }

    /// The book's spelling of the name.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// What its module holds.
    pub fn family(self) -> Family {
        self.info().family
    }

    /// Whether the function has trainable parameters.
    pub fn is_trainable(self) -> bool {
        self.param_count() > 0
    }

    /// Number of trainable scalars in one module instance (STAF's 75; Fourier's at its
    /// default 25 terms).
    pub fn param_count(self) -> usize {
        self.family().param_count()
    }

    /// Where its derivative or value jumps (see [`ActivationInfo::kinks`]).
    pub fn kinks(self) -> &'static [f64] {
        self.info().kinks
    }

    /// Its PyTorch counterpart.
    pub fn torch(self) -> Torch {
        self.info().torch
    }

    /// What computes it on flex in float32.
    pub fn kernel(self) -> Kernel {
        self.info().kernel
    }

    /// The parameter-free function, if it is one.
    pub fn fixed(self) -> Option<FixedFn> {
        match self.family() {
            Family::Fixed(f) => Some(f),
            _ => None,
        }
    }
}

impl FixedFn {
    /// Every parameter-free function, in registry order.
    pub fn all() -> impl Iterator<Item = FixedFn> {
        REGISTRY.iter().filter_map(|i| i.kind.fixed())
    }

    /// The book's spelling of its name.
    pub fn name(self) -> &'static str {
        self.kind().name()
    }
}

impl fmt::Display for FixedFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for ActivationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ActivationKind {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        REGISTRY
            .iter()
            .find(|i| i.name.eq_ignore_ascii_case(wanted))
            .map(|i| i.kind)
            .ok_or_else(|| {
                let valid: Vec<String> = Self::names().into_iter().map(String::from).collect();
                UnknownName {
                    what: "activation",
                    given: wanted.to_string(),
                    suggestions: closest_names(wanted, &valid),
                    valid,
                }
            })
    }
}

impl TryFrom<String> for ActivationKind {
    type Error = UnknownName;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<ActivationKind> for &'static str {
    fn from(kind: ActivationKind) -> Self {
        kind.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ActivationKind as K;

    const TELU_PARAMS: &[ScalarParam] = &[ScalarParam {
        name: "alpha",
        initial: 1.0,
    }];

    #[test]
    fn registry_starts_with_the_book_in_its_order() {
        let names = ActivationKind::names();
        let book: Vec<&str> = BOOK_ACTIVATIONS.iter().map(|k| k.name()).collect();
        assert_eq!(&names[..13], book.as_slice());
        assert_eq!(
            book,
            [
                "Sigmoid",
                "Tanh",
                "ReLU",
                "GELU",
                "Mish",
                "LeakyReLU",
                "SiLU",
                "Hardswish",
                "Swish",
                "PReLU",
                "RReLU",
                "TeLU",
                "STAF"
            ]
        );
        for kind in ActivationKind::all() {
            assert_eq!(kind.info().kind, kind);
        }
    }

    #[test]
    fn names_are_case_insensitive_and_print_in_book_spelling() {
        let kind: ActivationKind = "leakyrelu".parse().unwrap();
        assert_eq!(kind, ActivationKind::LeakyReLU);
        assert_eq!(kind.to_string(), "LeakyReLU");
        assert_eq!(" staf ".parse::<ActivationKind>(), Ok(ActivationKind::STAF));
    }

    #[test]
    fn unknown_name_suggests_and_lists() {
        let err = "Relu9".parse::<ActivationKind>().unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("unknown activation 'Relu9'; did you mean ReLU"),
            "{text}"
        );
        assert!(text.contains("valid: Sigmoid, Tanh"), "{text}");
        assert!(!text.contains('\n'));
    }

    #[test]
    fn parameter_counts_match_the_book() {
        assert_eq!(ActivationKind::PReLU.param_count(), 1);
        assert_eq!(ActivationKind::TeLU.param_count(), 1);
        assert_eq!(ActivationKind::STAF.param_count(), 75);
        assert_eq!(ActivationKind::RReLU.param_count(), 0);
        assert_eq!(ActivationKind::Rational.param_count(), 10);
        assert_eq!(ActivationKind::BSpline.param_count(), 11);
    }

    /// Each fixed function has exactly one registry entry: `FixedFn::kind` and
    /// `ActivationKind::fixed` are inverses.
    #[test]
    fn fixed_functions_and_kinds_correspond() {
        for f in FixedFn::all() {
            assert_eq!(f.kind().fixed(), Some(f));
        }
        for kind in ActivationKind::all() {
            assert_eq!(
                kind.fixed().is_some(),
                !kind.is_trainable() && kind != ActivationKind::RReLU
            );
        }
    }

    /// The facts of an entry agree with each other: one state-dict key per parameter, a
    /// kernel of the family's shape, kinks in order; and the book's state dicts hold
    /// every parameter-free function and exactly the trainable three.
    #[test]
    fn each_entry_is_consistent() {
        for kind in ActivationKind::all() {
            let info = kind.info();
            if let Some(keys) = info.torch.state_dict {
                assert_eq!(
                    keys.len(),
                    kind.family().params().len(),
                    "{kind}: state-dict keys"
                );
            }
            let parameter_free = kind.param_count() == 0;
            assert_eq!(
                info.torch.state_dict.is_some(),
                parameter_free || matches!(kind, K::PReLU | K::TeLU | K::STAF),
                "{kind}: a state-dict layout"
            );
            let kernel_fits = match info.kernel {
                Kernel::Composed => true,
                Kernel::Fused(_) => kind.fixed().is_some(),
                Kernel::Telu => info.family == Family::Scalar(ScalarFn::TeLU, TELU_PARAMS),
                Kernel::Sinusoids => matches!(info.family, Family::Sinusoids(_)),
            };
            assert!(kernel_fits, "{kind}: kernel {:?}", info.kernel);
            assert!(
                info.kinks.windows(2).all(|w| w[0] < w[1])
                    && info.kinks.iter().all(|k| k.is_finite()),
                "{kind}: kinks in increasing order"
            );
        }
    }
}
