//! The `#[cube]` functions and kernels: each activation's value and derivative (the CPU
//! kernels' formulas, `super::super::kernels`), and the element-wise and summing kernels
//! that `super` launches. The constants are `kernels`' (SELU's alpha 1.673_263_2 and scale
//! 1.050_701, 1/√(2π) = 0.398_942_3, √(2/π) = 0.797_884_6, 1/√2 = 0.707_106_77), written
//! out: a kernel takes literals.

use cubecl::prelude::*;
use spec::FusedKernel;

#[cube]
fn sigmoid<F: Float>(x: F) -> F {
    F::new(1.0) / (F::new(1.0) + F::exp(-x))
}

/// Φ(x) from erf, as Burn's own GELU.
#[cube]
fn normal_cdf<F: Float>(x: F) -> F {
    F::new(0.5) * (F::new(1.0) + F::erf(x * F::new(0.707_106_77)))
}

/// max(x, 0) + ln(1 + e^-|x|), and x itself above 20 (PyTorch's threshold).
#[cube]
fn softplus<F: Float>(x: F) -> F {
    let positive = select(x > F::new(0.0), x, F::new(0.0));
    let value = positive + F::log1p(F::exp(-F::abs(x)));
    select(x > F::new(20.0), x, value)
}

/// e^{min(x, 0)}: ELU's, SELU's and TeLU's exponential, which never overflows.
#[cube]
fn exp_below_zero<F: Float>(x: F) -> F {
    F::exp(select(x > F::new(0.0), F::new(0.0), x))
}

/// GELU's tanh approximation's σ(-2|u|), u = √(2/π)(x + 0.044715 x³).
#[cube]
fn gelu_tanh_small<F: Float>(x: F) -> F {
    let u = F::new(0.797_884_6) * (x + F::new(0.044_715) * x * x * x);
    sigmoid::<F>(F::new(-2.0) * F::abs(u))
}

/// Mish's n = e^{min(x, 20)} (the ratio below is 1 in float32 past 20).
#[cube]
fn mish_n<F: Float>(x: F) -> F {
    F::exp(select(x > F::new(20.0), F::new(20.0), x))
}

/// `function(x)`: the formulas of `kernels::value_and_slope`.
#[cube]
pub(crate) fn value<F: Float>(x: F, #[comptime] function: FusedKernel) -> F {
    match function {
        FusedKernel::Sigmoid => sigmoid::<F>(x),
        FusedKernel::Tanh => F::tanh(x),
        FusedKernel::Gelu => x * normal_cdf::<F>(x),
        FusedKernel::Silu => x * sigmoid::<F>(x),
        FusedKernel::Mish => {
            let n = mish_n::<F>(x);
            let p = n * (n + F::new(2.0));
            x * (p / (p + F::new(2.0)))
        }
        FusedKernel::GeluTanh => {
            let small = gelu_tanh_small::<F>(x);
            select(x > F::new(0.0), x - x * small, x * small)
        }
        FusedKernel::Elu => select(x > F::new(0.0), x, exp_below_zero::<F>(x) - F::new(1.0)),
        FusedKernel::Selu => {
            let negative = F::new(1.673_263_2) * (exp_below_zero::<F>(x) - F::new(1.0));
            F::new(1.050_701) * select(x > F::new(0.0), x, negative)
        }
        FusedKernel::Softplus => softplus::<F>(x),
        FusedKernel::LogSigmoid => -softplus::<F>(-x),
        FusedKernel::Tanhshrink => x - F::tanh(x),
        FusedKernel::TanhExp => x * F::tanh(mish_n::<F>(x)),
        FusedKernel::SwiGelu => F::new(0.5) * (x * sigmoid::<F>(x) + x * normal_cdf::<F>(x)),
    }
}

/// `function'(x)`: the derivatives of `kernels::value_and_slope` (PyTorch's formulas).
#[cube]
pub(crate) fn slope<F: Float>(x: F, #[comptime] function: FusedKernel) -> F {
    match function {
        FusedKernel::Sigmoid => {
            let s = sigmoid::<F>(x);
            s * (F::new(1.0) - s)
        }
        FusedKernel::Tanh => {
            let t = F::tanh(x);
            F::new(1.0) - t * t
        }
        FusedKernel::Gelu => gelu_slope::<F>(x),
        FusedKernel::Silu => silu_slope::<F>(x),
        FusedKernel::Mish => {
            // 1 - t² as q(2 - q), q = 1 - t = 2 / (p + 2): no cancellation near t = 1.
            let n = mish_n::<F>(x);
            let p = n * (n + F::new(2.0));
            let t = p / (p + F::new(2.0));
            let q = F::new(2.0) / (p + F::new(2.0));
            let sigmoid = n / (n + F::new(1.0));
            t + x * sigmoid * (q * (F::new(2.0) - q))
        }
        FusedKernel::GeluTanh => {
            let du = F::new(0.797_884_6) * (F::new(1.0) + F::new(0.134_145) * x * x);
            let small = gelu_tanh_small::<F>(x);
            let s = select(x > F::new(0.0), F::new(1.0) - small, small);
            s + x * small * (F::new(1.0) - small) * F::new(2.0) * du
        }
        FusedKernel::Elu => select(x > F::new(0.0), F::new(1.0), exp_below_zero::<F>(x)),
        FusedKernel::Selu => {
            let negative = F::new(1.673_263_2) * exp_below_zero::<F>(x);
            F::new(1.050_701) * select(x > F::new(0.0), F::new(1.0), negative)
        }
        FusedKernel::Softplus => select(x > F::new(20.0), F::new(1.0), sigmoid::<F>(x)),
        FusedKernel::LogSigmoid => sigmoid::<F>(-x),
        FusedKernel::Tanhshrink => {
            let t = F::tanh(x);
            t * t
        }
        FusedKernel::TanhExp => {
            let e = mish_n::<F>(x);
            let t = F::tanh(e);
            t + select(x > F::new(20.0), F::new(0.0), x * (F::new(1.0) - t * t) * e)
        }
        FusedKernel::SwiGelu => F::new(0.5) * (silu_slope::<F>(x) + gelu_slope::<F>(x)),
    }
}

/// Φ(x) + x φ(x).
#[cube]
fn gelu_slope<F: Float>(x: F) -> F {
    let pdf = F::exp(F::new(-0.5) * x * x) * F::new(0.398_942_3);
    normal_cdf::<F>(x) + x * pdf
}

/// σ(x)(1 + x(1 - σ(x))).
#[cube]
fn silu_slope<F: Float>(x: F) -> F {
    let s = sigmoid::<F>(x);
    s * (F::new(1.0) + x * (F::new(1.0) - s))
}

#[cube(launch)]
pub(super) fn activation_kernel<F: Float>(
    x: &[F],
    out: &mut [F],
    #[comptime] function: FusedKernel,
) {
    if ABSOLUTE_POS < out.len() {
        out[ABSOLUTE_POS] = value::<F>(x[ABSOLUTE_POS], function);
    }
}

#[cube(launch)]
pub(super) fn activation_backward_kernel<F: Float>(
    x: &[F],
    grad: &[F],
    out: &mut [F],
    #[comptime] function: FusedKernel,
) {
    if ABSOLUTE_POS < out.len() {
        out[ABSOLUTE_POS] = grad[ABSOLUTE_POS] * slope::<F>(x[ABSOLUTE_POS], function);
    }
}

/// TeLU, `relu(x) + alpha (e^{min(x, 0)} - 1)`, alpha one (`[1]`) or one per unit of x's
/// last dimension: element k takes alpha k mod alpha's length.
#[cube(launch)]
pub(super) fn telu_kernel<F: Float>(x: &[F], alpha: &[F], out: &mut [F]) {
    if ABSOLUTE_POS < out.len() {
        let v = x[ABSOLUTE_POS];
        let a = alpha[ABSOLUTE_POS % alpha.len()];
        let relu = select(v > F::new(0.0), v, F::new(0.0));
        out[ABSOLUTE_POS] = relu + a * (exp_below_zero::<F>(v) - F::new(1.0));
    }
}

/// TeLU's `dx = grad (1 if x > 0 else alpha e^x)`.
#[cube(launch)]
pub(super) fn telu_dx_kernel<F: Float>(x: &[F], alpha: &[F], grad: &[F], out: &mut [F]) {
    if ABSOLUTE_POS < out.len() {
        let v = x[ABSOLUTE_POS];
        let a = alpha[ABSOLUTE_POS % alpha.len()];
        let slope = select(v > F::new(0.0), F::new(1.0), a * exp_below_zero::<F>(v));
        out[ABSOLUTE_POS] = grad[ABSOLUTE_POS] * slope;
    }
}

/// TeLU's alpha gradient, `grad (e^{min(x, 0)} - 1)` summed over elements j, j + stride,
/// ... by thread j, in order (stride = units: one alpha per unit, the sums final).
#[cube(launch)]
pub(super) fn telu_alpha_kernel<F: Float>(x: &[F], grad: &[F], out: &mut [F], stride: u32) {
    let j = ABSOLUTE_POS;
    if j < out.len() {
        let stride = stride as usize;
        let steps = (x.len() - j).div_ceil(stride);
        let mut sum = F::new(0.0);
        for k in 0..steps {
            let at = j + k * stride;
            sum += grad[at] * (exp_below_zero::<F>(x[at]) - F::new(1.0));
        }
        out[j] = sum;
    }
}

/// Sums over the middle axis of `[outer, middle, inner]`, in order: `[outer, inner]`.
#[cube(launch)]
pub(super) fn sum_middle_kernel<F: Float>(input: &[F], out: &mut [F], middle: u32, inner: u32) {
    let q = ABSOLUTE_POS;
    if q < out.len() {
        let middle = middle as usize;
        let inner = inner as usize;
        let o = q / inner;
        let i = q % inner;
        let mut sum = F::new(0.0);
        for m in 0..middle {
            sum += input[(o * middle + m) * inner + i];
        }
        out[q] = sum;
    }
}

/// STAF, `sum_i C_i sin(Omega_i x + Phi_i)`, parameters unit-major (`[units * tau]`),
/// terms added from the first (as the CPU kernel).
#[cube(launch)]
pub(super) fn staf_kernel<F: Float>(
    x: &[F],
    c: &[F],
    omega: &[F],
    phi: &[F],
    out: &mut [F],
    units: u32,
    tau: u32,
) {
    if ABSOLUTE_POS < out.len() {
        let tau = tau as usize;
        let base = (ABSOLUTE_POS % units as usize) * tau;
        let v = x[ABSOLUTE_POS];
        let mut sum = F::new(0.0);
        for i in 0..tau {
            let at = base + i;
            sum += c[at] * F::sin(omega[at] * v + phi[at]);
        }
        out[ABSOLUTE_POS] = sum;
    }
}

/// STAF's `dx = grad sum_i C_i Omega_i cos(Omega_i x + Phi_i)`.
#[cube(launch)]
pub(super) fn staf_dx_kernel<F: Float>(
    x: &[F],
    c: &[F],
    omega: &[F],
    phi: &[F],
    grad: &[F],
    out: &mut [F],
    units: u32,
    tau: u32,
) {
    if ABSOLUTE_POS < out.len() {
        let tau = tau as usize;
        let base = (ABSOLUTE_POS % units as usize) * tau;
        let v = x[ABSOLUTE_POS];
        let mut sum = F::new(0.0);
        for i in 0..tau {
            let at = base + i;
            sum += c[at] * omega[at] * F::cos(omega[at] * v + phi[at]);
        }
        out[ABSOLUTE_POS] = grad[ABSOLUTE_POS] * sum;
    }
}

/// STAF's parameter gradients: thread (j, i) sums term i's over elements j, j + stride,
/// ... in order, and writes dC, dOmega, dPhi at `(p * stride + j) * tau + i` for p = 0,
/// 1, 2. With one parameter set per unit, stride = units and that is the gradient,
/// `[3, units * tau]` unit-major; shared, the `[3, stride, tau]` partial sums are added
/// over j afterwards.
#[cube(launch)]
pub(super) fn staf_params_kernel<F: Float>(
    x: &[F],
    c: &[F],
    omega: &[F],
    phi: &[F],
    grad: &[F],
    out: &mut [F],
    units: u32,
    tau: u32,
    stride: u32,
) {
    let tau = tau as usize;
    let stride = stride as usize;
    if ABSOLUTE_POS < stride * tau {
        let j = ABSOLUTE_POS / tau;
        let i = ABSOLUTE_POS % tau;
        let at = (j % units as usize) * tau + i;
        let c = c[at];
        let omega = omega[at];
        let phi = phi[at];
        let steps = (x.len() - j).div_ceil(stride);
        let mut dc = F::new(0.0);
        let mut domega = F::new(0.0);
        let mut dphi = F::new(0.0);
        for k in 0..steps {
            let e = j + k * stride;
            let v = x[e];
            let g = grad[e];
            let phase = omega * v + phi;
            dc += g * F::sin(phase);
            let dphase = g * c * F::cos(phase);
            domega += dphase * v;
            dphi += dphase;
        }
        out[j * tau + i] = dc;
        out[(stride + j) * tau + i] = domega;
        out[(2 * stride + j) * tau + i] = dphi;
    }
}
