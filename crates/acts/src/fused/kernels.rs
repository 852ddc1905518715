//! The fused kernels themselves, on float32 slices: each activation's value, and its
//! derivative times the incoming gradient, in one pass each, with the vectorised
//! functions of `vmath`. Derivatives follow PyTorch's backward formulas (so that the
//! parity suite compares like with like).

use vmath::math::{self, select};

use spec::FusedKernel;

use super::{PIECE, each_piece};

/// SELU's constants (Klambauer et al. 2017), as PyTorch spells them.
const SELU_ALPHA: f32 = 1.673_263_2;
const SELU_SCALE: f32 = 1.050_701;
/// 1 / √(2π).
const INV_SQRT_2PI: f32 = 0.398_942_3;
/// √(2/π), GELU's tanh approximation.
const SQRT_2_OVER_PI: f32 = 0.797_884_6;

/// `scale * (x if x > 0 else alpha * (e^x - 1))` and its derivative (`alpha * scale`
/// at 0, as PyTorch). e^x sees min(x, 0).
#[inline(always)]
fn elu(x: f32, alpha: f32, scale: f32) -> (f32, f32) {
    let e = math::exp(select(x > 0.0, 0.0, x));
    let positive = x > 0.0;
    (
        scale * select(positive, x, alpha * (e - 1.0)),
        scale * select(positive, 1.0, alpha * e),
    )
}

/// x Φ(x) and Φ(x) + x φ(x).
#[inline(always)]
fn gelu(x: f32) -> (f32, f32) {
    let cdf = math::normal_cdf(x);
    let pdf = math::exp(-0.5 * x * x) * INV_SQRT_2PI;
    (x * cdf, cdf + x * pdf)
}

/// x σ(x) and σ(x)(1 + x(1 - σ(x))).
#[inline(always)]
fn silu(x: f32) -> (f32, f32) {
    let s = math::sigmoid(x);
    (x * s, s * (1.0 + x * (1.0 - s)))
}

/// Value and derivative of `function` at x.
#[inline(always)]
pub(super) fn value_and_slope(function: FusedKernel, x: f32) -> (f32, f32) {
    match function {
        FusedKernel::Sigmoid => {
            let s = math::sigmoid(x);
            (s, s * (1.0 - s))
        }
        FusedKernel::Tanh => {
            let t = math::tanh(x);
            (t, 1.0 - t * t)
        }
        FusedKernel::Gelu => gelu(x),
        FusedKernel::Silu => silu(x),
        FusedKernel::Mish => {
            // tanh(softplus(x)) = n(n + 2) / (n(n + 2) + 2) with n = e^x: one exp and two
            // divisions instead of three exps and a log. Above x = 20 it is 1 in float32
            // (PyTorch's softplus is x there), so n stays finite.
            // 1 - t² as q(2 - q), q = 1 - t = 2 / (p + 2): no cancellation near t = 1.
            let n = math::exp(select(x > 20.0, 20.0, x));
            let p = n * (n + 2.0);
            let (t, q) = (p / (p + 2.0), 2.0 / (p + 2.0));
            let sigmoid = n / (n + 1.0);
            (x * t, t + x * sigmoid * (q * (2.0 - q)))
        }
        FusedKernel::GeluTanh => {
            // x σ(2u), u = √(2/π)(x + 0.044715 x³); σ(-2|u|) computed directly so that
            // neither side takes 1 - (a number near 1).
            let u = SQRT_2_OVER_PI * (x + 0.044_715 * x * x * x);
            let du = SQRT_2_OVER_PI * (1.0 + 3.0 * 0.044_715 * x * x);
            let small = math::sigmoid(-2.0 * u.abs());
            let positive = x > 0.0;
            let s = select(positive, 1.0 - small, small);
            let value = select(positive, x - x * small, x * small);
            (value, s + x * small * (1.0 - small) * 2.0 * du)
        }
        FusedKernel::Elu => elu(x, 1.0, 1.0),
        FusedKernel::Selu => elu(x, SELU_ALPHA, SELU_SCALE),
        FusedKernel::Softplus => (math::softplus(x), select(x > 20.0, 1.0, math::sigmoid(x))),
        FusedKernel::LogSigmoid => (-math::softplus(-x), math::sigmoid(-x)),
        FusedKernel::Tanhshrink => {
            let t = math::tanh(x);
            (x - t, t * t)
        }
        FusedKernel::TanhExp => {
            let e = math::exp(select(x > 20.0, 20.0, x));
            let t = math::tanh(e);
            let slope = t + select(x > 20.0, 0.0, x * (1.0 - t * t) * e);
            (x * t, slope)
        }
        FusedKernel::SwiGelu => {
            let (s, ds) = silu(x);
            let (g, dg) = gelu(x);
            (0.5 * (s + g), 0.5 * (ds + dg))
        }
    }
}

/// Pieces worth a hand-off to the thread pool: below this, element-wise kernels are
/// quicker on the calling thread (measured: the book's batches of 128 gained nothing).
const PARALLEL_PIECES: usize = 8;

/// `out = f(x)`, in pieces over the thread pool when large.
pub(super) fn forward(function: FusedKernel, x: &[f32], out: &mut [f32]) {
    let pieces: Vec<_> = x.chunks(PIECE).zip(out.chunks_mut(PIECE)).collect();
    each_piece(pieces, PARALLEL_PIECES, |(x, out)| {
        forward_piece(function, x, out)
    });
}

/// `out = grad * f'(x)`, in pieces over the thread pool when large.
pub(super) fn backward(function: FusedKernel, x: &[f32], grad: &[f32], out: &mut [f32]) {
    let pieces: Vec<_> = x
        .chunks(PIECE)
        .zip(grad.chunks(PIECE))
        .zip(out.chunks_mut(PIECE))
        .collect();
    each_piece(pieces, PARALLEL_PIECES, |((x, grad), out)| {
        backward_piece(function, x, grad, out)
    });
}

/// Runs `$body` with `$kernel` bound to `$function` as a constant: one instantiation per
/// function, so the match on the function is outside the loop.
macro_rules! with_kernel {
    ($function:expr, $kernel:ident => $body:expr) => {
        with_kernel!(@arms $function, $kernel, $body;
            Sigmoid, Tanh, Gelu, Silu, Mish, GeluTanh, Elu, Selu, Softplus, LogSigmoid,
            Tanhshrink, TanhExp, SwiGelu)
    };
    (@arms $function:expr, $kernel:ident, $body:expr; $($variant:ident),*) => {
        match $function {
            $(spec::FusedKernel::$variant => {
                const $kernel: spec::FusedKernel = spec::FusedKernel::$variant;
                $body
            })*
        }
    };
}
pub(super) use with_kernel;

fn forward_piece(function: FusedKernel, x: &[f32], out: &mut [f32]) {
    with_kernel!(function, KERNEL => vmath::map(x, out, #[inline(always)] |v| {
        value_and_slope(KERNEL, v).0
    }))
}

fn backward_piece(function: FusedKernel, x: &[f32], grad: &[f32], out: &mut [f32]) {
    with_kernel!(function, KERNEL => vmath::map2(x, grad, out, #[inline(always)] |v, g| {
        g * value_and_slope(KERNEL, v).1
    }))
}

/// The TeLU of the book, `relu(x) + alpha (e^{min(x, 0)} - 1)`, and its derivative, with
/// the alpha of x's unit.
#[inline(always)]
fn telu(v: f32, a: f32) -> (f32, f32, f32) {
    let e = math::exp(select(v > 0.0, 0.0, v));
    let value = select(v > 0.0, v, 0.0) + a * (e - 1.0);
    (value, select(v > 0.0, 1.0, a * e), e - 1.0)
}

/// TeLU with one alpha (`alpha.len() == 1`) or one per unit of x's last dimension.
pub(super) fn telu_forward(x: &[f32], alpha: &[f32], out: &mut [f32]) {
    if let [a] = *alpha {
        return vmath::map(
            x,
            out,
            #[inline(always)]
            move |v| telu(v, a).0,
        );
    }
    let units = alpha.len();
    vmath::run(
        #[inline(always)]
        move || {
            for (row_x, row_out) in x.chunks_exact(units).zip(out.chunks_exact_mut(units)) {
                for ((o, &v), &a) in row_out.iter_mut().zip(row_x).zip(alpha) {
                    *o = telu(v, a).0;
                }
            }
        },
    )
}

/// TeLU's gradients: writes `dx = grad (1 if x > 0 else alpha e^x)` and returns
/// `d alpha = sum grad (e^{min(x, 0)} - 1)` per alpha.
pub(super) fn telu_backward(x: &[f32], alpha: &[f32], grad: &[f32], dx: &mut [f32]) -> Vec<f32> {
    let units = alpha.len();
    // grad * (e^{min(x, 0)} - 1), summed down the rows afterwards.
    let mut term = vec![0.0f32; x.len()];
    // One row of all of x when alpha is shared, else rows of `units`.
    let width = if units == 1 { x.len().max(1) } else { units };
    let rows = x.chunks(width).zip(grad.chunks(width));
    let outputs = dx.chunks_mut(width).zip(term.chunks_mut(width));
    vmath::run(
        #[inline(always)]
        move || {
            for ((x, grad), (dx, term)) in rows.zip(outputs) {
                let elements = x.iter().zip(grad).zip(dx.iter_mut().zip(term.iter_mut()));
                if let [a] = *alpha {
                    for ((&v, &g), (dx, t)) in elements {
                        let (_, slope, alpha_term) = telu(v, a);
                        *dx = g * slope;
                        *t = g * alpha_term;
                    }
                } else {
                    for (((&v, &g), (dx, t)), &a) in elements.zip(alpha) {
                        let (_, slope, alpha_term) = telu(v, a);
                        *dx = g * slope;
                        *t = g * alpha_term;
                    }
                }
            }
        },
    );
    sum_columns(&term, x.len() / units, units)
}

/// Per column of a row-major `[rows, columns]` array, the sum down the rows in float64
/// (rows in order); a single column is summed with [`vmath::lane_sum`].
pub(super) fn sum_columns(values: &[f32], rows: usize, columns: usize) -> Vec<f32> {
    if columns == 1 {
        let sum = vmath::run(
            #[inline(always)]
            || vmath::lane_sum(&values[..rows], |v| v as f64),
        );
        return vec![sum as f32];
    }
    let mut sums = vec![0.0f64; columns];
    vmath::run(
        #[inline(always)]
        || {
            for row in values.chunks_exact(columns) {
                for (s, &v) in sums.iter_mut().zip(row) {
                    *s += v as f64;
                }
            }
        },
    );
    sums.into_iter().map(|s| s as f32).collect()
}
