//! The registry of activation kinds: names, categories, formulas and parameters.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

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

/// A trainable parameter of an activation (per module instance).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ParamInfo {
    /// Parameter name as it appears in checkpoints.
    pub name: &'static str,
    /// Number of scalars per module instance.
    pub count: usize,
    /// How it is initialised.
    pub init: &'static str,
}

/// Everything the registry knows about one activation kind.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ActivationInfo {
    /// The kind.
    pub kind: ActivationKind,
    /// The book's spelling of the name.
    pub name: &'static str,
    /// The book's category.
    pub category: Category,
    /// The formula, in plain text.
    pub formula: &'static str,
    /// Trainable parameters (empty for fixed functions).
    pub params: &'static [ParamInfo],
    /// What differs from, or is worth knowing about, the PyTorch original.
    pub note: &'static str,
}

const fn info(
    kind: ActivationKind,
    name: &'static str,
    category: Category,
    formula: &'static str,
    params: &'static [ParamInfo],
    note: &'static str,
) -> ActivationInfo {
    ActivationInfo {
        kind,
        name,
        category,
        formula,
        params,
        note,
    }
}

use ActivationKind as K;
use Category as C;

/// The registry, in the book's order.
const REGISTRY: [ActivationInfo; 34] = [
    info(
        K::Sigmoid,
        "Sigmoid",
        C::Classic,
        "1 / (1 + exp(-x))",
        &[],
        "",
    ),
    info(K::Tanh, "Tanh", C::Classic, "tanh(x)", &[], ""),
    info(K::ReLU, "ReLU", C::Modern, "max(0, x)", &[], ""),
    info(
        K::GELU,
        "GELU",
        C::Modern,
        "x * 0.5 * (1 + erf(x / sqrt(2)))",
        &[],
        "exact erf form, as torch.nn.GELU()",
    ),
    info(
        K::Mish,
        "Mish",
        C::Modern,
        "x * tanh(ln(1 + exp(x)))",
        &[],
        "",
    ),
    info(
        K::LeakyReLU,
        "LeakyReLU",
        C::ReluVariant,
        "x if x > 0 else 0.01 * x",
        &[],
        "",
    ),
    info(K::SiLU, "SiLU", C::ReluVariant, "x * sigmoid(x)", &[], ""),
    info(
        K::Hardswish,
        "Hardswish",
        C::ReluVariant,
        "x * min(max(x + 3, 0), 6) / 6",
        &[],
        "",
    ),
    info(
        K::Swish,
        "Swish",
        C::ReluVariant,
        "x * sigmoid(x)",
        &[],
        "the book's custom module; same function as SiLU",
    ),
    info(
        K::PReLU,
        "PReLU",
        C::Adaptive,
        "x if x >= 0 else a * x",
        &[ParamInfo {
            name: "alpha",
            count: 1,
            init: "0.25",
        }],
        "",
    ),
    info(
        K::RReLU,
        "RReLU",
        C::Adaptive,
        "x if x >= 0 else a * x; a ~ U(1/8, 1/3), eval 11/48",
        &[],
        "random but not trainable; the draw follows the run's seed",
    ),
    info(
        K::TeLU,
        "TeLU",
        C::Adaptive,
        "x if x > 0 else alpha * (exp(x) - 1)",
        &[ParamInfo {
            name: "alpha",
            count: 1,
            init: "1.0",
        }],
        "the book's TeLU (a trainable ELU); exp sees min(x, 0) so alpha's gradient stays finite",
    ),
    info(
        K::STAF,
        "STAF",
        C::Adaptive,
        "sum_{i<25} C_i * sin(Omega_i * x + Phi_i)",
        &[
            ParamInfo {
                name: "c",
                count: 25,
                init: "N(0, 1)",
            },
            ParamInfo {
                name: "omega",
                count: 25,
                init: "N(0, 1)",
            },
            ParamInfo {
                name: "phi",
                count: 25,
                init: "N(0, 1)",
            },
        ],
        "all 25 terms in one broadcast and one matrix product",
    ),
    info(
        K::GELUTanh,
        "GELU-tanh",
        C::Modern,
        "0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))",
        &[],
        "torch.nn.GELU(approximate='tanh')",
    ),
    info(
        K::ELU,
        "ELU",
        C::ReluVariant,
        "x if x > 0 else exp(x) - 1",
        &[],
        "",
    ),
    info(
        K::SELU,
        "SELU",
        C::ReluVariant,
        "1.0507 * (x if x > 0 else 1.6733 * (exp(x) - 1))",
        &[],
        "",
    ),
    info(
        K::CELU,
        "CELU",
        C::ReluVariant,
        "max(0, x) + min(0, exp(x) - 1)",
        &[],
        "alpha 1, where it equals ELU",
    ),
    info(
        K::Softplus,
        "Softplus",
        C::Modern,
        "ln(1 + exp(x)), x above 20",
        &[],
        "",
    ),
    info(
        K::Softsign,
        "Softsign",
        C::Classic,
        "x / (1 + |x|)",
        &[],
        "",
    ),
    info(
        K::Hardtanh,
        "Hardtanh",
        C::Classic,
        "clamp(x, -1, 1)",
        &[],
        "",
    ),
    info(
        K::Hardsigmoid,
        "Hardsigmoid",
        C::Classic,
        "clamp(x / 6 + 1/2, 0, 1)",
        &[],
        "",
    ),
    info(
        K::LogSigmoid,
        "LogSigmoid",
        C::Classic,
        "ln(1 / (1 + exp(-x)))",
        &[],
        "",
    ),
    info(
        K::Tanhshrink,
        "Tanhshrink",
        C::Classic,
        "x - tanh(x)",
        &[],
        "",
    ),
    info(
        K::ReLU6,
        "ReLU6",
        C::ReluVariant,
        "min(max(0, x), 6)",
        &[],
        "",
    ),
    info(
        K::Identity,
        "Identity",
        C::Classic,
        "x",
        &[],
        "no nonlinearity: the book's no-activation baseline as a registry entry",
    ),
    info(
        K::SwiGELU,
        "SwiGELU",
        C::Modern,
        "0.5 * (x * sigmoid(x) + GELU(x))",
        &[],
        "the book's custom-activation deep dive",
    ),
    info(
        K::TanhExp,
        "TanhExp",
        C::Modern,
        "x * tanh(exp(x))",
        &[],
        "what the 2024 TeLU paper calls TeLU; the book's TeLU is the trainable ELU above",
    ),
    info(
        K::AdaptiveSigmoid,
        "AdaptiveSigmoid",
        C::Adaptive,
        "sigmoid(k * (x - theta))",
        &[
            ParamInfo {
                name: "k",
                count: 1,
                init: "1.0",
            },
            ParamInfo {
                name: "theta",
                count: 1,
                init: "0.0",
            },
        ],
        "",
    ),
    info(
        K::SGT,
        "SGT",
        C::Adaptive,
        "Gamma(1.5) * tanh(gamma * x)",
        &[ParamInfo {
            name: "gamma",
            count: 1,
            init: "1.0",
        }],
        "",
    ),
    info(
        K::NIPUNA,
        "NIPUNA",
        C::Adaptive,
        "x if x > 0 else alpha * softplus(x)",
        &[ParamInfo {
            name: "alpha",
            count: 1,
            init: "1.0",
        }],
        "softplus sees min(x, 0), so the discarded branch cannot overflow",
    ),
    info(
        K::Step,
        "Step",
        C::Classic,
        "1 if x >= 0 else 0",
        &[],
        "its true derivative is 0 almost everywhere; training uses the clipped straight-through estimate, 1 for |x| <= 1 and 0 beyond",
    ),
    info(
        K::Rational,
        "Rational",
        C::Adaptive,
        "(a0 + a1 x + ... + a5 x^5) / (1 + |b1 x| + |b2 x^2| + |b3 x^3| + |b4 x^4|)",
        &[
            ParamInfo {
                name: "numerator",
                count: 6,
                init: "least-squares fit of LeakyReLU(0.01) on [-3, 3]",
            },
            ParamInfo {
                name: "denominator",
                count: 4,
                init: "same fit",
            },
        ],
        "PAU (Molina et al. 2020) with the safe denominator, which is at least 1: no poles",
    ),
    info(
        K::BSpline,
        "BSpline",
        C::Adaptive,
        "sum_i c_i B3(x - t_i), knots t_i = -5..5 step 1, on [-4, 4]; linear beyond",
        &[ParamInfo {
            name: "coefficients",
            count: 11,
            init: "ReLU at the knots (the spline is ReLU, smoothed within 1 of 0)",
        }],
        "learns its coefficients by autodiff; the book's version detaches them into SciPy and never learns",
    ),
    info(
        K::Fourier,
        "Fourier",
        C::Adaptive,
        "sum_{i<tau} C_i * sin(Omega_i * x + Phi_i)",
        &[
            ParamInfo {
                name: "c",
                count: 25,
                init: "N(0, 1), or the STAF paper's",
            },
            ParamInfo {
                name: "omega",
                count: 25,
                init: "N(0, 1), or omega0 U(0, 1)",
            },
            ParamInfo {
                name: "phi",
                count: 25,
                init: "N(0, 1), or U(-pi, pi)",
            },
        ],
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

    /// Whether the function has trainable parameters.
    pub fn is_trainable(self) -> bool {
        !self.info().params.is_empty()
    }

    /// Number of trainable scalars in one module instance.
    pub fn param_count(self) -> usize {
        self.info().params.iter().map(|p| p.count).sum()
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
    }
}
