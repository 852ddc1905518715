//! The float64 meaning of an expression with its derivatives in x and in each parameter,
//! by dual numbers: the reference both float32 paths are measured against where they
//! disagree. Ties of `min`/`max` go where the composed path sends them (to the tensor
//! against a number, else to the left operand).
//!
//! With a `Rounding` that perturbs every result (value and derivatives) by a random
//! relative error of float32's size, the same evaluation is Monte Carlo arithmetic
//! (Parker 1997): the spread of a few such runs around the exact value is how far a
//! float32 evaluation of this composition can land from it at this point.

use crate::common::{SELU_ALPHA, SELU_SCALE, normal_cdf, sigmoid};
use spec::{BinaryOp, Comparison, Expr, Extremum, FixedFn, UnaryFn};

/// A value and its derivatives with respect to x and the parameters.
#[derive(Clone, Copy, Debug)]
pub struct Dual<const N: usize> {
    pub v: f64,
    pub d: [f64; N],
}

impl<const N: usize> Dual<N> {
    fn constant(v: f64) -> Self {
        Dual { v, d: [0.0; N] }
    }

    /// `f(self)` with slope `s`.
    fn chain(self, v: f64, s: f64) -> Self {
        Dual {
            v,
            d: self.d.map(|d| d * s),
        }
    }

    fn combine(self, o: Self, v: f64, sa: f64, sb: f64) -> Self {
        let mut d = [0.0; N];
        for (k, d) in d.iter_mut().enumerate() {
            *d = self.d[k] * sa + o.d[k] * sb;
        }
        Dual { v, d }
    }
}

/// Whether the subtree reads x or a parameter (else the composed path keeps a number).
fn varies(e: &Expr) -> bool {
    match e {
        Expr::Number(_) => false,
        Expr::X | Expr::Param(_) => true,
        Expr::Neg(a) | Expr::Unary(_, a) | Expr::Activation(_, a) => varies(a),
        Expr::Binary(_, a, b) | Expr::Extremum(_, a, b) => varies(a) || varies(b),
        Expr::Where(c, a, b) => varies(&c.left) || varies(&c.right) || varies(a) || varies(b),
    }
}

/// Relative errors to apply to each result: none (exact), or random ones.
pub trait Rounding {
    /// The next relative error.
    fn error(&mut self) -> f64;
}

/// No rounding: the float64 value.
pub struct Exact;

impl Rounding for Exact {
    fn error(&mut self) -> f64 {
        0.0
    }
}

/// Evaluates at x with `params` (derivative k + 1 is parameter k's; index 0 is x's), every
/// node's value and derivatives perturbed by `rounding` except constant subexpressions
/// (both float32 paths take them in float64, and an exponent 3 must stay 3).
pub fn eval<const N: usize>(
    e: &Expr,
    x: f64,
    params: &[f64],
    rounding: &mut impl Rounding,
) -> Dual<N> {
    let exact = node::<N>(e, x, params, rounding);
    if !varies(e) {
        return exact;
    }
    let v = exact.v * (1.0 + rounding.error());
    let d = exact.d.map(|d| d * (1.0 + rounding.error()));
    Dual { v, d }
}

fn node<const N: usize>(e: &Expr, x: f64, params: &[f64], rounding: &mut impl Rounding) -> Dual<N> {
    let exact = |e: &Expr| eval::<N>(e, x, params, &mut Exact).v;
    let mut ev = |e: &Expr| eval::<N>(e, x, params, rounding);
    match e {
        Expr::Number(v) => Dual::constant(*v),
        Expr::X => {
            let mut d = [0.0; N];
            d[0] = 1.0;
            Dual { v: x, d }
        }
        Expr::Param(i) => {
            let mut d = [0.0; N];
            d[i + 1] = 1.0;
            Dual { v: params[*i], d }
        }
        Expr::Neg(a) => {
            let a = ev(a);
            a.chain(-a.v, -1.0)
        }
        Expr::Binary(op, a, b) => {
            let (a, b) = (ev(a), ev(b));
            match op {
                BinaryOp::Add => a.combine(b, a.v + b.v, 1.0, 1.0),
                BinaryOp::Sub => a.combine(b, a.v - b.v, 1.0, -1.0),
                BinaryOp::Mul => a.combine(b, a.v * b.v, b.v, a.v),
                BinaryOp::Div => a.combine(b, a.v / b.v, 1.0 / b.v, -a.v / (b.v * b.v)),
                BinaryOp::Pow => {
                    let v = a.v.powf(b.v);
                    let sb = if b.d.iter().all(|&d| d == 0.0) {
                        0.0
                    } else {
                        v * a.v.ln()
                    };
                    a.combine(b, v, b.v * a.v.powf(b.v - 1.0), sb)
                }
            }
        }
        Expr::Unary(f, a) => {
            let a = ev(a);
            match f {
                UnaryFn::Exp => a.chain(a.v.exp(), a.v.exp()),
                UnaryFn::Log => a.chain(a.v.ln(), 1.0 / a.v),
                UnaryFn::Sin => a.chain(a.v.sin(), a.v.cos()),
                UnaryFn::Cos => a.chain(a.v.cos(), -a.v.sin()),
                UnaryFn::Abs => a.chain(a.v.abs(), sign(a.v)),
                UnaryFn::Sqrt => a.chain(a.v.sqrt(), 0.5 / a.v.sqrt()),
                UnaryFn::Erf => a.chain(
                    f.eval_f64(a.v),
                    std::f64::consts::FRAC_2_SQRT_PI * (-a.v * a.v).exp(),
                ),
            }
        }
        // Which side a comparison takes is decided on exact values: the perturbations
        // model rounding of the values, not a different branch (`a <= a` stays true).
        Expr::Extremum(m, l, r) => {
            let (lv, rv) = (varies(l), varies(r));
            let (le, re) = (exact(l), exact(r));
            let min = *m == Extremum::Min;
            // The side that wins a tie: the varying one against a number, else the left.
            let left_on_tie = lv || !rv;
            let left = if le == re {
                left_on_tie
            } else {
                (le < re) == min
            };
            if left { ev(l) } else { ev(r) }
        }
        Expr::Where(c, a, b) => {
            let (l, r) = (exact(&c.left), exact(&c.right));
            let holds = match c.op {
                Comparison::Less => l < r,
                Comparison::LessEqual => l <= r,
                Comparison::Greater => l > r,
                Comparison::GreaterEqual => l >= r,
            };
            if holds { ev(a) } else { ev(b) }
        }
        Expr::Activation(f, a) => {
            let a = ev(a);
            let (v, s) = registry(*f, a.v);
            a.chain(v, s)
        }
    }
}

fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

fn softplus(x: f64) -> f64 {
    if x > 20.0 { x } else { x.exp().ln_1p() }
}

/// Φ(x) and φ(x).
fn normal(x: f64) -> (f64, f64) {
    (
        normal_cdf(x),
        (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt(),
    )
}

/// `scale (x if x > 0 else alpha (e^x - 1))` and its slope (alpha scale at 0).
fn elu(x: f64, alpha: f64, scale: f64) -> (f64, f64) {
    if x > 0.0 {
        (scale * x, scale)
    } else {
        (scale * alpha * (x.exp() - 1.0), scale * alpha * x.exp())
    }
}

/// A registry function's value and slope in float64, joints owned as in the kernels.
pub fn registry(f: FixedFn, x: f64) -> (f64, f64) {
    let step = |c: bool| if c { 1.0 } else { 0.0 };
    match f {
        FixedFn::Sigmoid => (sigmoid(x), sigmoid(x) * (1.0 - sigmoid(x))),
        FixedFn::Tanh => (x.tanh(), 1.0 - x.tanh().powi(2)),
        FixedFn::ReLU => (x.max(0.0), step(x > 0.0)),
        FixedFn::GELU => {
            let (cdf, pdf) = normal(x);
            (x * cdf, cdf + x * pdf)
        }
        FixedFn::Mish => {
            let t = softplus(x).tanh();
            let s = if x > 20.0 { 0.0 } else { sigmoid(x) };
            (x * t, t + x * s * (1.0 - t * t))
        }
        FixedFn::LeakyReLU => {
            if x > 0.0 {
                (x, 1.0)
            } else {
                (0.01 * x, 0.01)
            }
        }
        FixedFn::SiLU | FixedFn::Swish => {
            let s = sigmoid(x);
            (x * s, s * (1.0 + x * (1.0 - s)))
        }
        FixedFn::Hardswish => {
            if x <= -3.0 {
                (0.0, 0.0)
            } else if x >= 3.0 {
                (x, 1.0)
            } else {
                (x * (x + 3.0) / 6.0, (2.0 * x + 3.0) / 6.0)
            }
        }
        FixedFn::GELUTanh => {
            let k = (2.0 / std::f64::consts::PI).sqrt();
            let u = k * (x + 0.044_715 * x.powi(3));
            let du = k * (1.0 + 3.0 * 0.044_715 * x * x);
            let t = u.tanh();
            (
                0.5 * x * (1.0 + t),
                0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du,
            )
        }
        FixedFn::ELU | FixedFn::CELU => elu(x, 1.0, 1.0),
        FixedFn::SELU => elu(x, SELU_ALPHA, SELU_SCALE),
        FixedFn::Softplus => (softplus(x), if x > 20.0 { 1.0 } else { sigmoid(x) }),
        FixedFn::Softsign => (x / (1.0 + x.abs()), 1.0 / (1.0 + x.abs()).powi(2)),
        FixedFn::Hardtanh => (x.clamp(-1.0, 1.0), step(x > -1.0 && x < 1.0)),
        FixedFn::Hardsigmoid => (
            (x / 6.0 + 0.5).clamp(0.0, 1.0),
            step(x > -3.0 && x < 3.0) / 6.0,
        ),
        FixedFn::LogSigmoid => (-softplus(-x), sigmoid(-x)),
        FixedFn::Tanhshrink => (x - x.tanh(), x.tanh().powi(2)),
        FixedFn::ReLU6 => (x.clamp(0.0, 6.0), step(x > 0.0 && x < 6.0)),
        FixedFn::Identity => (x, 1.0),
        FixedFn::SwiGELU => {
            let (s, ds) = registry(FixedFn::SiLU, x);
            let (g, dg) = registry(FixedFn::GELU, x);
            (0.5 * (s + g), 0.5 * (ds + dg))
        }
        FixedFn::TanhExp => {
            let e = x.min(20.0).exp();
            let t = e.tanh();
            (
                x * t,
                t + if x > 20.0 { 0.0 } else { x * (1.0 - t * t) * e },
            )
        }
        FixedFn::Step => (step(x >= 0.0), step((-1.0..=1.0).contains(&x))),
    }
}
