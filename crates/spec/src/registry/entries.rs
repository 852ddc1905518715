//! The registry table: one entry per activation, in the book's order. Each entry is the
//! one home of every fact about its activation; [`registry!`] turns the table into
//! [`ActivationKind`], [`FixedFn`] (the entries marked `fixed`) and the entries
//! themselves. Every field is required (a struct literal), so a new activation cannot
//! leave one out: its kinks (tested against a finite-difference derivative in
//! `crates/acts/tests/finite_difference_f64.rs`), its PyTorch counterpart (the parity
//! suite and the state-dict interop read it) and its kernel (`crates/acts/tests/fused.rs`
//! checks that the declared kernel is the one that runs).

use super::{
    ActivationInfo, Category as C, Family, FourierOptions, FusedKernel as FK, Kernel,
    RATIONAL_LEAKY_RELU_INIT, ScalarFn, ScalarParam, Torch, TorchParam,
};

/// Builds the kind enum, the fixed-function enum and the table from the entries. A
/// tt-muncher: each entry adds a kind variant, a `FixedFn` variant when it is marked
/// `fixed`, and its `ActivationInfo`.
macro_rules! registry {
    // Every entry consumed: emit the three.
    (@munch [$($kinds:tt)*] [$($fixed:tt)*] [$($fixed_name:ident)*] [$($entries:tt)*]) => {
        /// An activation function of chapter 4 (and beyond), named in the book's spelling.
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            ::serde::Serialize, ::serde::Deserialize,
        )]
        #[serde(try_from = "String", into = "&'static str")]
        pub enum ActivationKind { $($kinds)* }

        /// A parameter-free, deterministic registry function: usable after a layer, inside
        /// an `[[activation]]` expression, and in a mixture.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum FixedFn { $($fixed)* }

        impl FixedFn {
            /// The registry kind this function is.
            pub const fn kind(self) -> ActivationKind {
                match self {
                    $(FixedFn::$fixed_name => ActivationKind::$fixed_name,)*
                }
            }
        }

        /// The registry, in the book's order.
        pub(super) const REGISTRY: &[ActivationInfo] = &[$($entries)*];
    };
    // A parameter-free function.
    (@munch [$($kinds:tt)*] [$($fixed:tt)*] [$($fixed_name:ident)*] [$($entries:tt)*]
        $(#[doc = $doc:literal])* fixed $kind:ident { $($field:ident: $value:expr),* $(,)? }
        $($rest:tt)*
    ) => {
        registry!(@munch
            [$($kinds)* $(#[doc = $doc])* $kind,]
            [$($fixed)* $(#[doc = $doc])* $kind,]
            [$($fixed_name)* $kind]
            [$($entries)* ActivationInfo {
                kind: ActivationKind::$kind,
                family: Family::Fixed(FixedFn::$kind),
                $($field: $value),*
            },]
            $($rest)*
        );
    };
    // A function with parameters or randomness: its family says which.
    (@munch [$($kinds:tt)*] [$($fixed:tt)*] [$($fixed_name:ident)*] [$($entries:tt)*]
        $(#[doc = $doc:literal])* $kind:ident ($family:expr) { $($field:ident: $value:expr),* $(,)? }
        $($rest:tt)*
    ) => {
        registry!(@munch
            [$($kinds)* $(#[doc = $doc])* $kind,]
            [$($fixed)*]
            [$($fixed_name)*]
            [$($entries)* ActivationInfo {
                kind: ActivationKind::$kind,
                family: $family,
                $($field: $value),*
            },]
            $($rest)*
        );
    };
    ($($entries:tt)*) => { registry!(@munch [] [] [] [] $($entries)*); };
}

/// PyTorch's module `module`, checked against the reference values under `fixture`.
const fn torch(module: &'static str, fixture: &'static str) -> Torch {
    Torch {
        module: Some(module),
        fixture: Some(fixture),
        state_dict: Some(&[]),
    }
}

/// A parameter-free function PyTorch has as `module` with no stored reference values.
const fn torch_unchecked(module: &'static str) -> Torch {
    Torch {
        module: Some(module),
        fixture: None,
        state_dict: Some(&[]),
    }
}

/// A parameter-free function without a PyTorch module: the book's network can still hold
/// it (the state dict has only the Linear layers), and its formula is the reference.
const NO_TORCH_MODULE: Torch = Torch {
    module: None,
    fixture: None,
    state_dict: Some(&[]),
};

/// A function with parameters the book's state dicts have no layout for.
const NO_TORCH: Torch = Torch {
    module: None,
    fixture: None,
    state_dict: None,
};

const fn key(key: &'static str) -> TorchParam {
    TorchParam {
        key,
        zero_dim: false,
    }
}

const fn fused(kernel: FK) -> Kernel {
    Kernel::Fused(kernel)
}

const fn p(name: &'static str, initial: f64) -> ScalarParam {
    ScalarParam { name, initial }
}

registry! {
    /// Logistic sigmoid.
    fixed Sigmoid {
        name: "Sigmoid", category: C::Classic, formula: "1 / (1 + exp(-x))",
        kinks: &[], torch: torch("nn.Sigmoid()", "Sigmoid"), kernel: fused(FK::Sigmoid),
        note: "",
    }
    /// Hyperbolic tangent.
    fixed Tanh {
        name: "Tanh", category: C::Classic, formula: "tanh(x)",
        kinks: &[], torch: torch("nn.Tanh()", "Tanh"), kernel: fused(FK::Tanh),
        note: "",
    }
    /// Rectified linear unit.
    fixed ReLU {
        name: "ReLU", category: C::Modern, formula: "max(0, x)",
        kinks: &[0.0], torch: torch("nn.ReLU()", "ReLU"), kernel: Kernel::Composed,
        note: "",
    }
    /// Gaussian error linear unit, exact erf form.
    fixed GELU {
        name: "GELU", category: C::Modern, formula: "x * 0.5 * (1 + erf(x / sqrt(2)))",
        kinks: &[], torch: torch("nn.GELU()", "GELU"), kernel: fused(FK::Gelu),
        note: "exact erf form, as torch.nn.GELU()",
    }
    /// x·tanh(softplus(x)).
    fixed Mish {
        name: "Mish", category: C::Modern, formula: "x * tanh(ln(1 + exp(x)))",
        kinks: &[], torch: torch("nn.Mish()", "Mish"), kernel: fused(FK::Mish),
        note: "",
    }
    /// ReLU with slope 0.01 below zero.
    fixed LeakyReLU {
        name: "LeakyReLU", category: C::ReluVariant, formula: "x if x > 0 else 0.01 * x",
        kinks: &[0.0], torch: torch("nn.LeakyReLU()", "LeakyReLU"), kernel: Kernel::Composed,
        note: "",
    }
    /// x·σ(x), PyTorch's built-in.
    fixed SiLU {
        name: "SiLU", category: C::ReluVariant, formula: "x * sigmoid(x)",
        kinks: &[], torch: torch("nn.SiLU()", "SiLU"), kernel: fused(FK::Silu),
        note: "",
    }
    /// x·relu6(x+3)/6.
    fixed Hardswish {
        name: "Hardswish", category: C::ReluVariant, formula: "x * min(max(x + 3, 0), 6) / 6",
        kinks: &[-3.0, 3.0], torch: torch("nn.Hardswish()", "Hardswish"),
        kernel: Kernel::Composed,
        note: "",
    }
    /// x·σ(x), the book's own implementation.
    fixed Swish {
        name: "Swish", category: C::ReluVariant, formula: "x * sigmoid(x)",
        kinks: &[],
        torch: Torch {
            module: Some("Swish (the book's module, dldna chapter_04)"),
            fixture: Some("Swish_custom"),
            state_dict: Some(&[]),
        },
        kernel: fused(FK::Silu),
        note: "the book's custom module; same function as SiLU",
    }
    /// ReLU with a trainable negative slope.
    PReLU(Family::Scalar(ScalarFn::PReLU, &[p("alpha", 0.25)])) {
        name: "PReLU", category: C::Adaptive, formula: "x if x >= 0 else a * x",
        kinks: &[0.0],
        // torch.nn.PReLU (the book's act_functions use it, not its own PReLU class).
        torch: Torch {
            module: Some("nn.PReLU()"),
            fixture: Some("PReLU"),
            state_dict: Some(&[key("weight")]),
        },
        kernel: Kernel::Composed,
        note: "",
    }
    /// ReLU with a random negative slope while training.
    RReLU(Family::Randomized { lower: 1.0 / 8.0, upper: 1.0 / 3.0 }) {
        name: "RReLU", category: C::Adaptive,
        formula: "x if x >= 0 else a * x; a ~ U(1/8, 1/3), eval 11/48",
        kinks: &[0.0], torch: torch("nn.RReLU()", "RReLU_eval"), kernel: Kernel::Composed,
        note: "random but not trainable; the draw follows the run's seed",
    }
    /// The book's trainable exponential linear unit.
    TeLU(Family::Scalar(ScalarFn::TeLU, &[p("alpha", 1.0)])) {
        name: "TeLU", category: C::Adaptive, formula: "x if x > 0 else alpha * (exp(x) - 1)",
        // The derivative is 1 on the right and alpha on the left: a kink unless alpha = 1.
        kinks: &[0.0],
        // chapter 4's TeLU: `self.alpha = nn.Parameter(torch.tensor(alpha))`, a 0-d tensor.
        torch: Torch {
            module: Some("TeLU (the book's module, dldna chapter_04)"),
            fixture: Some("TeLU"),
            state_dict: Some(&[TorchParam { key: "alpha", zero_dim: true }]),
        },
        kernel: Kernel::Telu,
        note: "the book's TeLU (a trainable ELU); exp sees min(x, 0) so alpha's gradient stays finite",
    }
    /// Sinusoidal trainable activation function.
    STAF(Family::Sinusoids(FourierOptions::STAF)) {
        name: "STAF", category: C::Adaptive, formula: "sum_{i<25} C_i * sin(Omega_i * x + Phi_i)",
        kinks: &[],
        // chapter 4's STAF: C, Omega, Phi of tau terms each.
        torch: Torch {
            module: Some("STAF (the book's module, dldna chapter_04)"),
            fixture: Some("STAF"),
            state_dict: Some(&[key("C"), key("Omega"), key("Phi")]),
        },
        kernel: Kernel::Sinusoids,
        note: "all 25 terms in one broadcast and one matrix product",
    }
    /// GELU, tanh approximation.
    fixed GELUTanh {
        name: "GELU-tanh", category: C::Modern,
        formula: "0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))",
        kinks: &[], torch: torch("nn.GELU(approximate='tanh')", "GELU_tanh"),
        kernel: fused(FK::GeluTanh),
        note: "torch.nn.GELU(approximate='tanh')",
    }
    /// Exponential linear unit (alpha 1).
    fixed ELU {
        name: "ELU", category: C::ReluVariant, formula: "x if x > 0 else exp(x) - 1",
        // Alpha 1: the derivative is continuous at 0 (only the second jumps).
        kinks: &[], torch: torch("nn.ELU()", "ELU"), kernel: fused(FK::Elu),
        note: "",
    }
    /// Scaled ELU with the self-normalising constants.
    fixed SELU {
        name: "SELU", category: C::ReluVariant,
        formula: "1.0507 * (x if x > 0 else 1.6733 * (exp(x) - 1))",
        kinks: &[0.0], torch: torch("nn.SELU()", "SELU"), kernel: fused(FK::Selu),
        note: "",
    }
    /// Continuously differentiable ELU (alpha 1).
    fixed CELU {
        name: "CELU", category: C::ReluVariant, formula: "max(0, x) + min(0, exp(x) - 1)",
        kinks: &[], torch: torch("nn.CELU()", "CELU"), kernel: fused(FK::Elu),
        note: "alpha 1, where it equals ELU",
    }
    /// ln(1 + exp(x)).
    fixed Softplus {
        name: "Softplus", category: C::Modern, formula: "ln(1 + exp(x)), x above 20",
        kinks: &[], torch: torch("nn.Softplus()", "Softplus"), kernel: fused(FK::Softplus),
        note: "",
    }
    /// x / (1 + |x|).
    fixed Softsign {
        name: "Softsign", category: C::Classic, formula: "x / (1 + |x|)",
        // Its derivative 1 / (1 + |x|)^2 is continuous; only the second jumps at 0.
        kinks: &[], torch: torch("nn.Softsign()", "Softsign"), kernel: Kernel::Composed,
        note: "",
    }
    /// clamp(x, -1, 1).
    fixed Hardtanh {
        name: "Hardtanh", category: C::Classic, formula: "clamp(x, -1, 1)",
        kinks: &[-1.0, 1.0], torch: torch("nn.Hardtanh()", "Hardtanh"),
        kernel: Kernel::Composed,
        note: "",
    }
    /// clamp(x / 6 + 1/2, 0, 1).
    fixed Hardsigmoid {
        name: "Hardsigmoid", category: C::Classic, formula: "clamp(x / 6 + 1/2, 0, 1)",
        kinks: &[-3.0, 3.0], torch: torch("nn.Hardsigmoid()", "Hardsigmoid"),
        kernel: Kernel::Composed,
        note: "",
    }
    /// ln(sigmoid(x)).
    fixed LogSigmoid {
        name: "LogSigmoid", category: C::Classic, formula: "ln(1 / (1 + exp(-x)))",
        kinks: &[], torch: torch("nn.LogSigmoid()", "LogSigmoid"),
        kernel: fused(FK::LogSigmoid),
        note: "",
    }
    /// x - tanh(x).
    fixed Tanhshrink {
        name: "Tanhshrink", category: C::Classic, formula: "x - tanh(x)",
        kinks: &[], torch: torch("nn.Tanhshrink()", "Tanhshrink"),
        kernel: fused(FK::Tanhshrink),
        note: "",
    }
    /// min(max(0, x), 6).
    fixed ReLU6 {
        name: "ReLU6", category: C::ReluVariant, formula: "min(max(0, x), 6)",
        kinks: &[0.0, 6.0], torch: torch_unchecked("nn.ReLU6()"), kernel: Kernel::Composed,
        note: "",
    }
    /// x: the network without a nonlinearity, as an activation.
    fixed Identity {
        name: "Identity", category: C::Classic, formula: "x",
        kinks: &[], torch: torch_unchecked("nn.Identity()"), kernel: Kernel::Composed,
        note: "no nonlinearity: the book's no-activation baseline as a registry entry",
    }
    /// The book's deep-dive example: 0.5 (x sigmoid(x) + GELU(x)).
    fixed SwiGELU {
        name: "SwiGELU", category: C::Modern, formula: "0.5 * (x * sigmoid(x) + GELU(x))",
        kinks: &[], torch: NO_TORCH_MODULE, kernel: fused(FK::SwiGelu),
        note: "the book's custom-activation deep dive",
    }
    /// x tanh(exp(x)), what the 2024 TeLU paper calls TeLU.
    fixed TanhExp {
        name: "TanhExp", category: C::Modern, formula: "x * tanh(exp(x))",
        kinks: &[], torch: NO_TORCH_MODULE, kernel: fused(FK::TanhExp),
        note: "what the 2024 TeLU paper calls TeLU; the book's TeLU is the trainable ELU above",
    }
    /// sigmoid(k (x - theta)), k and theta trainable.
    AdaptiveSigmoid(Family::Scalar(
        ScalarFn::AdaptiveSigmoid,
        // k = 1, theta = 0: the plain sigmoid.
        &[p("k", 1.0), p("theta", 0.0)],
    )) {
        name: "AdaptiveSigmoid", category: C::Adaptive, formula: "sigmoid(k * (x - theta))",
        kinks: &[], torch: NO_TORCH, kernel: Kernel::Composed,
        note: "",
    }
    /// Gamma(1.5) tanh(gamma x), gamma trainable.
    SGT(Family::Scalar(ScalarFn::SGT, &[p("gamma", 1.0)])) {
        name: "SGT", category: C::Adaptive, formula: "Gamma(1.5) * tanh(gamma * x)",
        kinks: &[], torch: NO_TORCH, kernel: Kernel::Composed,
        note: "",
    }
    /// x for x > 0, alpha softplus(x) otherwise, alpha trainable.
    NIPUNA(Family::Scalar(ScalarFn::NIPUNA, &[p("alpha", 1.0)])) {
        name: "NIPUNA", category: C::Adaptive, formula: "x if x > 0 else alpha * softplus(x)",
        // The value itself jumps at 0, from alpha ln 2 to 0.
        kinks: &[0.0], torch: NO_TORCH, kernel: Kernel::Composed,
        note: "softplus sees min(x, 0), so the discarded branch cannot overflow",
    }
    /// The McCulloch-Pitts threshold, trained with a straight-through gradient.
    fixed Step {
        name: "Step", category: C::Classic, formula: "1 if x >= 0 else 0",
        kinks: &[0.0], torch: NO_TORCH_MODULE, kernel: Kernel::Composed,
        note: "its true derivative is 0 almost everywhere; training uses the clipped straight-through estimate, 1 for |x| <= 1 and 0 beyond",
    }
    /// Padé activation unit: a (5, 4) rational function with trainable coefficients.
    Rational(Family::Rational {
        numerator: &RATIONAL_LEAKY_RELU_INIT.0,
        denominator: &RATIONAL_LEAKY_RELU_INIT.1,
    }) {
        name: "Rational", category: C::Adaptive,
        formula: "(a0 + a1 x + ... + a5 x^5) / (1 + |b1 x| + |b2 x^2| + |b3 x^3| + |b4 x^4|)",
        // |b1 x| in the denominator.
        kinks: &[0.0], torch: NO_TORCH, kernel: Kernel::Composed,
        note: "PAU (Molina et al. 2020) with the safe denominator, which is at least 1: no poles",
    }
    /// A learnable cubic B-spline on a fixed grid.
    BSpline(Family::Spline) {
        name: "BSpline", category: C::Adaptive,
        formula: "sum_i c_i B3(x - t_i), knots t_i = -5..5 step 1, on [-4, 4]; linear beyond",
        kinks: &[], torch: NO_TORCH, kernel: Kernel::Composed,
        note: "learns its coefficients by autodiff; the book's version detaches them into SciPy and never learns",
    }
    /// STAF generalised: tau sinusoids and a choice of initialisation.
    Fourier(Family::Sinusoids(FourierOptions::STAF)) {
        name: "Fourier", category: C::Adaptive, formula: "sum_{i<tau} C_i * sin(Omega_i * x + Phi_i)",
        kinks: &[], torch: NO_TORCH, kernel: Kernel::Sinusoids,
        note: "STAF with tau and the initialisation selectable ([fourier] tau, init = \"normal\" | \"paper\", omega0); the defaults are STAF's",
    }
}
