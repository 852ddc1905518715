//! The registry of activation kinds: names, categories, formulas and parameters.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::activation::{FourierInit, FourierOptions};
use crate::names::{UnknownName, closest_names};

/// An activation function of chapter 4, named in the book's spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum ActivationKind {
    /// Logistic sigmoid.
    Sigmoid,
    /// Hyperbolic tangent.
    Tanh,
    /// Rectified linear unit.
    ReLU,
    /// Gaussian error linear unit, exact erf form.
    GELU,
    /// x·tanh(softplus(x)).
    Mish,
    /// ReLU with slope 0.01 below zero.
    LeakyReLU,
    /// x·σ(x), PyTorch's built-in.
    SiLU,
    /// x·relu6(x+3)/6.
    Hardswish,
    /// x·σ(x), the book's own implementation.
    Swish,
    /// ReLU with a trainable negative slope.
    PReLU,
    /// ReLU with a random negative slope while training.
    RReLU,
    /// The book's trainable exponential linear unit.
    TeLU,
    /// Sinusoidal trainable activation function.
    STAF,
    /// GELU, tanh approximation.
    GELUTanh,
    /// Exponential linear unit (alpha 1).
    ELU,
    /// Scaled ELU with the self-normalising constants.
    SELU,
    /// Continuously differentiable ELU (alpha 1).
    CELU,
    /// ln(1 + exp(x)).
    Softplus,
    /// x / (1 + |x|).
    Softsign,
    /// clamp(x, -1, 1).
    Hardtanh,
    /// clamp(x / 6 + 1/2, 0, 1).
    Hardsigmoid,
    /// ln(sigmoid(x)).
    LogSigmoid,
    /// x - tanh(x).
    Tanhshrink,
    /// min(max(0, x), 6).
    ReLU6,
    /// x: the network without a nonlinearity, as an activation.
    Identity,
    /// The book's deep-dive example: 0.5 (x sigmoid(x) + GELU(x)).
    SwiGELU,
    /// x tanh(exp(x)), what the 2024 TeLU paper calls TeLU.
    TanhExp,
    /// sigmoid(k (x - theta)), k and theta trainable.
    AdaptiveSigmoid,
    /// Gamma(1.5) tanh(gamma x), gamma trainable.
    SGT,
    /// x for x > 0, alpha softplus(x) otherwise, alpha trainable.
    NIPUNA,
    /// The McCulloch-Pitts threshold, trained with a straight-through gradient.
    Step,
    /// Padé activation unit: a (5, 4) rational function with trainable coefficients.
    Rational,
    /// A learnable cubic B-spline on a fixed grid.
    BSpline,
    /// STAF generalised: tau sinusoids and a choice of initialisation.
    Fourier,
}

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

/// A parameter-free, deterministic registry function: usable after a layer, inside an
/// `[[activation]]` expression, and in a mixture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FixedFn {
    /// Logistic sigmoid.
    Sigmoid,
    /// Hyperbolic tangent.
    Tanh,
    /// max(0, x).
    ReLU,
    /// Exact-erf GELU.
    GELU,
    /// x·tanh(softplus(x)).
    Mish,
    /// Slope 0.01 below zero.
    LeakyReLU,
    /// x·σ(x), PyTorch's module.
    SiLU,
    /// x·relu6(x+3)/6.
    Hardswish,
    /// x·σ(x), the book's module.
    Swish,
    /// GELU's tanh approximation.
    GELUTanh,
    /// ELU, alpha 1.
    ELU,
    /// Self-normalising ELU.
    SELU,
    /// CELU, alpha 1.
    CELU,
    /// ln(1 + e^x).
    Softplus,
    /// x / (1 + |x|).
    Softsign,
    /// clamp(x, -1, 1).
    Hardtanh,
    /// clamp(x/6 + 1/2, 0, 1).
    Hardsigmoid,
    /// ln σ(x).
    LogSigmoid,
    /// x - tanh(x).
    Tanhshrink,
    /// min(max(0, x), 6).
    ReLU6,
    /// x.
    Identity,
    /// 0.5 (x σ(x) + GELU(x)).
    SwiGELU,
    /// x·tanh(e^x).
    TanhExp,
    /// The threshold, trained straight-through.
    Step,
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
    /// What differs from, or is worth knowing about, the PyTorch original.
    pub note: &'static str,
}

const fn info(
    kind: ActivationKind,
    name: &'static str,
    category: Category,
    formula: &'static str,
    family: Family,
    note: &'static str,
) -> ActivationInfo {
    ActivationInfo {
        kind,
        name,
        category,
        formula,
        family,
        note,
    }
}

use ActivationKind as K;
use Category as C;
use FixedFn as F;

const fn fixed(f: FixedFn) -> Family {
    Family::Fixed(f)
}

const fn scalar(f: ScalarFn, params: &'static [ScalarParam]) -> Family {
    Family::Scalar(f, params)
}

const fn p(name: &'static str, initial: f64) -> ScalarParam {
    ScalarParam { name, initial }
}

/// The parameters of the scalar-parameter activations, with PyTorch's and the book's
/// initial values where they have them.
const PRELU: &[ScalarParam] = &[p("alpha", 0.25)];
const TELU: &[ScalarParam] = &[p("alpha", 1.0)];
/// k = 1, theta = 0: the plain sigmoid.
const ADAPTIVE_SIGMOID: &[ScalarParam] = &[p("k", 1.0), p("theta", 0.0)];
const SGT: &[ScalarParam] = &[p("gamma", 1.0)];
const NIPUNA: &[ScalarParam] = &[p("alpha", 1.0)];

/// The registry, in the book's order.
const REGISTRY: [ActivationInfo; 34] = [
    info(
        K::Sigmoid,
        "Sigmoid",
        C::Classic,
        "1 / (1 + exp(-x))",
        fixed(F::Sigmoid),
        "",
    ),
    info(K::Tanh, "Tanh", C::Classic, "tanh(x)", fixed(F::Tanh), ""),
    info(K::ReLU, "ReLU", C::Modern, "max(0, x)", fixed(F::ReLU), ""),
    info(
        K::GELU,
        "GELU",
        C::Modern,
        "x * 0.5 * (1 + erf(x / sqrt(2)))",
        fixed(F::GELU),
        "exact erf form, as torch.nn.GELU()",
    ),
    info(
        K::Mish,
        "Mish",
        C::Modern,
        "x * tanh(ln(1 + exp(x)))",
        fixed(F::Mish),
        "",
    ),
    info(
        K::LeakyReLU,
        "LeakyReLU",
        C::ReluVariant,
        "x if x > 0 else 0.01 * x",
        fixed(F::LeakyReLU),
        "",
    ),
    info(
        K::SiLU,
        "SiLU",
        C::ReluVariant,
        "x * sigmoid(x)",
        fixed(F::SiLU),
        "",
    ),
    info(
        K::Hardswish,
        "Hardswish",
        C::ReluVariant,
        "x * min(max(x + 3, 0), 6) / 6",
        fixed(F::Hardswish),
        "",
    ),
    info(
        K::Swish,
        "Swish",
        C::ReluVariant,
        "x * sigmoid(x)",
        fixed(F::Swish),
        "the book's custom module; same function as SiLU",
    ),
    info(
        K::PReLU,
        "PReLU",
        C::Adaptive,
        "x if x >= 0 else a * x",
        scalar(ScalarFn::PReLU, PRELU),
        "",
    ),
    info(
        K::RReLU,
        "RReLU",
        C::Adaptive,
        "x if x >= 0 else a * x; a ~ U(1/8, 1/3), eval 11/48",
        Family::Randomized {
            lower: 1.0 / 8.0,
            upper: 1.0 / 3.0,
        },
        "random but not trainable; the draw follows the run's seed",
    ),
    info(
        K::TeLU,
        "TeLU",
        C::Adaptive,
        "x if x > 0 else alpha * (exp(x) - 1)",
        scalar(ScalarFn::TeLU, TELU),
        "the book's TeLU (a trainable ELU); exp sees min(x, 0) so alpha's gradient stays finite",
    ),
    info(
        K::STAF,
        "STAF",
        C::Adaptive,
        "sum_{i<25} C_i * sin(Omega_i * x + Phi_i)",
        Family::Sinusoids(FourierOptions::STAF),
        "all 25 terms in one broadcast and one matrix product",
    ),
    info(
        K::GELUTanh,
        "GELU-tanh",
        C::Modern,
        "0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))",
        fixed(F::GELUTanh),
        "torch.nn.GELU(approximate='tanh')",
    ),
    info(
        K::ELU,
        "ELU",
        C::ReluVariant,
        "x if x > 0 else exp(x) - 1",
        fixed(F::ELU),
        "",
    ),
    info(
        K::SELU,
        "SELU",
        C::ReluVariant,
        "1.0507 * (x if x > 0 else 1.6733 * (exp(x) - 1))",
        fixed(F::SELU),
        "",
    ),
    info(
        K::CELU,
        "CELU",
        C::ReluVariant,
        "max(0, x) + min(0, exp(x) - 1)",
        fixed(F::CELU),
        "alpha 1, where it equals ELU",
    ),
    info(
        K::Softplus,
        "Softplus",
        C::Modern,
        "ln(1 + exp(x)), x above 20",
        fixed(F::Softplus),
        "",
    ),
    info(
        K::Softsign,
        "Softsign",
        C::Classic,
        "x / (1 + |x|)",
        fixed(F::Softsign),
        "",
    ),
    info(
        K::Hardtanh,
        "Hardtanh",
        C::Classic,
        "clamp(x, -1, 1)",
        fixed(F::Hardtanh),
        "",
    ),
    info(
        K::Hardsigmoid,
        "Hardsigmoid",
        C::Classic,
        "clamp(x / 6 + 1/2, 0, 1)",
        fixed(F::Hardsigmoid),
        "",
    ),
    info(
        K::LogSigmoid,
        "LogSigmoid",
        C::Classic,
        "ln(1 / (1 + exp(-x)))",
        fixed(F::LogSigmoid),
        "",
    ),
    info(
        K::Tanhshrink,
        "Tanhshrink",
        C::Classic,
        "x - tanh(x)",
        fixed(F::Tanhshrink),
        "",
    ),
    info(
        K::ReLU6,
        "ReLU6",
        C::ReluVariant,
        "min(max(0, x), 6)",
        fixed(F::ReLU6),
        "",
    ),
    info(
        K::Identity,
        "Identity",
        C::Classic,
        "x",
        fixed(F::Identity),
        "no nonlinearity: the book's no-activation baseline as a registry entry",
    ),
    info(
        K::SwiGELU,
        "SwiGELU",
        C::Modern,
        "0.5 * (x * sigmoid(x) + GELU(x))",
        fixed(F::SwiGELU),
        "the book's custom-activation deep dive",
    ),
    info(
        K::TanhExp,
        "TanhExp",
        C::Modern,
        "x * tanh(exp(x))",
        fixed(F::TanhExp),
        "what the 2024 TeLU paper calls TeLU; the book's TeLU is the trainable ELU above",
    ),
    info(
        K::AdaptiveSigmoid,
        "AdaptiveSigmoid",
        C::Adaptive,
        "sigmoid(k * (x - theta))",
        scalar(ScalarFn::AdaptiveSigmoid, ADAPTIVE_SIGMOID),
        "",
    ),
    info(
        K::SGT,
        "SGT",
        C::Adaptive,
        "Gamma(1.5) * tanh(gamma * x)",
        scalar(ScalarFn::SGT, SGT),
        "",
    ),
    info(
        K::NIPUNA,
        "NIPUNA",
        C::Adaptive,
        "x if x > 0 else alpha * softplus(x)",
        scalar(ScalarFn::NIPUNA, NIPUNA),
        "softplus sees min(x, 0), so the discarded branch cannot overflow",
    ),
    info(
        K::Step,
        "Step",
        C::Classic,
        "1 if x >= 0 else 0",
        fixed(F::Step),
        "its true derivative is 0 almost everywhere; training uses the clipped straight-through estimate, 1 for |x| <= 1 and 0 beyond",
    ),
    info(
        K::Rational,
        "Rational",
        C::Adaptive,
        "(a0 + a1 x + ... + a5 x^5) / (1 + |b1 x| + |b2 x^2| + |b3 x^3| + |b4 x^4|)",
        Family::Rational {
            numerator: &RATIONAL_LEAKY_RELU_INIT.0,
            denominator: &RATIONAL_LEAKY_RELU_INIT.1,
        },
        "PAU (Molina et al. 2020) with the safe denominator, which is at least 1: no poles",
    ),
    info(
        K::BSpline,
        "BSpline",
        C::Adaptive,
        "sum_i c_i B3(x - t_i), knots t_i = -5..5 step 1, on [-4, 4]; linear beyond",
        Family::Spline,
        "learns its coefficients by autodiff; the book's version detaches them into SciPy and never learns",
    ),
    info(
        K::Fourier,
        "Fourier",
        C::Adaptive,
        "sum_{i<tau} C_i * sin(Omega_i * x + Phi_i)",
        Family::Sinusoids(FourierOptions::STAF),
        "STAF with tau and the initialisation selectable ([fourier] tau, init = \"normal\" | \"paper\", omega0); the defaults are STAF's",
    ),
];

/// The 13 activations the book compares, in its order.
pub const BOOK_ACTIVATIONS: [ActivationKind; 13] = [
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
];

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

    /// The registry kind this function is.
    pub fn kind(self) -> ActivationKind {
        REGISTRY
            .iter()
            .find(|i| i.family == Family::Fixed(self))
            .map(|i| i.kind)
            .expect("every fixed function has a registry entry (tested)")
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

    #[test]
    fn registry_starts_with_the_book_in_its_order() {
        let names = ActivationKind::names();
        let book: Vec<&str> = BOOK_ACTIVATIONS.iter().map(|k| k.name()).collect();
        assert_eq!(&names[..13], book.as_slice());
        assert_eq!(names.len(), 34);
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
        let fixed: Vec<FixedFn> = FixedFn::all().collect();
        assert_eq!(fixed.len(), 24);
        for f in fixed {
            assert_eq!(f.kind().fixed(), Some(f));
        }
        for kind in ActivationKind::all() {
            assert_eq!(
                kind.fixed().is_some(),
                !kind.is_trainable() && kind != ActivationKind::RReLU
            );
        }
    }
}
