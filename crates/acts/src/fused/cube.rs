//! The fused kernels on Burn's CubeCL backend (wgpu here): `#[cube]` kernels, compiled for
//! the device, one pass forward and one backward per activation, as on the CPU. They take
//! the CPU kernels' formulas (`kernels`, `staf_kernels`) with CubeCL's functions in place
//! of `vmath`'s; where a formula keeps a tail that Burn's composed operations lose (GELU's
//! derivative, Mish near 1), it is the one the parity suite checks on both devices.
//!
//! Burn wraps every CubeCL backend in its operation fusion, which records operations and
//! runs them later: these operations join its stream through the extension's `Fusion`
//! support (`ops::FusedOps`), which needs each output's shape up front — hence
//! [`staf_gradient_specs`].
//!
//! Parameter gradients are sums over the rows of the batch. Each is computed by one thread
//! per parameter (per term and unit for STAF) walking the rows in order, and, where one
//! parameter is shared by every element, by fixed strided partial sums added in order
//! afterwards: no atomics, so a run's gradients are the same bits every time on a device.

use burn::backend::TensorMetadata;
use burn::backend::fusion::custom::TensorSpec;
use burn::tensor::{DType, Shape};
use burn_cubecl::CubeBackend;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_cubecl::tensor::CubeTensor;
use cubecl::calculate_cube_count_elemwise;
use cubecl::prelude::*;
use spec::FusedKernel;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::expr::ExprKernel;
use super::ops::FusedOps;
use std::sync::Arc;

/// Operations run by these kernels so far in this process: lets the tests tell that a
/// GPU kernel ran where the composed path might give the same bits.
static OPERATIONS: AtomicUsize = AtomicUsize::new(0);

/// How many operations these kernels have run in this process.
pub(super) fn operations() -> usize {
    OPERATIONS.load(Ordering::Relaxed)
}

/// Partial sums per shared parameter: the shared parameter's gradient is summed by this
/// many threads (element j, j + 256, ...) and their sums added in order.
const SHARED_LANES: usize = 256;

/// STAF's gradient outputs for the fusion stream: dx like x, and the parameters' gradients
/// `[3, units * tau]` (C's length).
pub(super) fn staf_gradient_specs(
    x: &TensorSpec,
    c: &TensorSpec,
    _omega: &TensorSpec,
    _phi: &TensorSpec,
    _grad: &TensorSpec,
    _units: &usize,
) -> (TensorSpec, TensorSpec) {
    (
        x.clone(),
        TensorSpec::new(Shape::new([3, c.shape[0]]), c.dtype),
    )
}

#[cube]
fn sigmoid<F: Float>(x: F) -> F {
    F::new(1.0) / (F::new(1.0) + F::exp(-x))
}

// The constants are `kernels`' (SELU's alpha 1.673_263_2 and scale 1.050_701, 1/√(2π) =
// 0.398_942_3, √(2/π) = 0.797_884_6, 1/√2 = 0.707_106_77), written out: a kernel takes
// literals.

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
pub(super) fn value<F: Float>(x: F, #[comptime] function: FusedKernel) -> F {
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
pub(super) fn slope<F: Float>(x: F, #[comptime] function: FusedKernel) -> F {
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
fn activation_kernel<F: Float>(x: &[F], out: &mut [F], #[comptime] function: FusedKernel) {
    if ABSOLUTE_POS < out.len() {
        out[ABSOLUTE_POS] = value::<F>(x[ABSOLUTE_POS], function);
    }
}

#[cube(launch)]
fn activation_backward_kernel<F: Float>(
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
fn telu_kernel<F: Float>(x: &[F], alpha: &[F], out: &mut [F]) {
    if ABSOLUTE_POS < out.len() {
        let v = x[ABSOLUTE_POS];
        let a = alpha[ABSOLUTE_POS % alpha.len()];
        let relu = select(v > F::new(0.0), v, F::new(0.0));
        out[ABSOLUTE_POS] = relu + a * (exp_below_zero::<F>(v) - F::new(1.0));
    }
}

/// TeLU's `dx = grad (1 if x > 0 else alpha e^x)`.
#[cube(launch)]
fn telu_dx_kernel<F: Float>(x: &[F], alpha: &[F], grad: &[F], out: &mut [F]) {
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
fn telu_alpha_kernel<F: Float>(x: &[F], grad: &[F], out: &mut [F], stride: u32) {
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
fn sum_middle_kernel<F: Float>(input: &[F], out: &mut [F], middle: u32, inner: u32) {
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
fn staf_kernel<F: Float>(
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
fn staf_dx_kernel<F: Float>(
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
fn staf_params_kernel<F: Float>(
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

/// The launch grid for `units` threads, one per work item.
pub(super) fn grid(tensor: &CubeTensor, units: usize) -> (CubeCount, CubeDim) {
    let cube_dim = CubeDim::new(&tensor.client, units);
    let count = calculate_cube_count_elemwise(&tensor.client, units, cube_dim);
    (count, cube_dim)
}

/// An uninitialised float32 tensor of `shape` on `like`'s device.
pub(super) fn empty(like: &CubeTensor, shape: Shape) -> CubeTensor {
    empty_device_dtype(like.client.clone(), like.device.clone(), shape, DType::F32)
}

/// The kernels read their inputs as contiguous float32 rows.
pub(super) fn input(tensor: CubeTensor) -> CubeTensor {
    assert_eq!(
        tensor.dtype,
        DType::F32,
        "fused kernels take float32 (their callers route other types to tensor operations)"
    );
    into_contiguous(tensor)
}

/// Elements j, j + lanes, ... summed by thread j: `lanes` threads for a shared
/// parameter, one per unit otherwise.
pub(super) fn lanes(elements: usize, units: usize) -> usize {
    if units == 1 {
        SHARED_LANES.min(elements.max(1))
    } else {
        units
    }
}

/// `[outer, middle, inner]` summed over its middle axis, in order.
pub(super) fn sum_middle(
    input: CubeTensor,
    outer: usize,
    middle: usize,
    inner: usize,
) -> CubeTensor {
    let out = empty(&input, Shape::new([outer, inner]));
    let (count, dim) = grid(&input, outer * inner);
    sum_middle_kernel::launch::<f32>(
        &input.client,
        count,
        dim,
        input.clone().into_buffer_arg(),
        out.clone().into_buffer_arg(),
        middle as u32,
        inner as u32,
    );
    out
}

impl FusedOps for CubeBackend {
    fn fused_activation(x: CubeTensor, function: FusedKernel) -> CubeTensor {
        OPERATIONS.fetch_add(1, Ordering::Relaxed);
        let x = input(x);
        let out = empty(&x, x.shape());
        let (count, dim) = grid(&x, x.shape().num_elements());
        activation_kernel::launch::<f32>(
            &x.client,
            count,
            dim,
            x.clone().into_buffer_arg(),
            out.clone().into_buffer_arg(),
            function,
        );
        out
    }

    fn fused_activation_backward(
        x: CubeTensor,
        grad: CubeTensor,
        function: FusedKernel,
    ) -> CubeTensor {
        OPERATIONS.fetch_add(1, Ordering::Relaxed);
        let (x, grad) = (input(x), input(grad));
        let out = empty(&x, x.shape());
        let (count, dim) = grid(&x, x.shape().num_elements());
        activation_backward_kernel::launch::<f32>(
            &x.client,
            count,
            dim,
            x.clone().into_buffer_arg(),
            grad.into_buffer_arg(),
            out.clone().into_buffer_arg(),
            function,
        );
        out
    }

    fn telu(x: CubeTensor, alpha: CubeTensor) -> CubeTensor {
        OPERATIONS.fetch_add(1, Ordering::Relaxed);
        let (x, alpha) = (input(x), input(alpha));
        let out = empty(&x, x.shape());
        let (count, dim) = grid(&x, x.shape().num_elements());
        telu_kernel::launch::<f32>(
            &x.client,
            count,
            dim,
            x.clone().into_buffer_arg(),
            alpha.into_buffer_arg(),
            out.clone().into_buffer_arg(),
        );
        out
    }

    fn telu_backward(
        x: CubeTensor,
        alpha: CubeTensor,
        grad: CubeTensor,
    ) -> (CubeTensor, CubeTensor) {
        OPERATIONS.fetch_add(1, Ordering::Relaxed);
        let (x, alpha, grad) = (input(x), input(alpha), input(grad));
        let n = x.shape().num_elements();
        let units = alpha.shape().num_elements();
        let dx = empty(&x, x.shape());
        let (count, dim) = grid(&x, n);
        telu_dx_kernel::launch::<f32>(
            &x.client,
            count,
            dim,
            x.clone().into_buffer_arg(),
            alpha.clone().into_buffer_arg(),
            grad.clone().into_buffer_arg(),
            dx.clone().into_buffer_arg(),
        );
        let stride = lanes(n, units);
        let partial = empty(&x, Shape::new([stride]));
        let (count, dim) = grid(&x, stride);
        telu_alpha_kernel::launch::<f32>(
            &x.client,
            count,
            dim,
            x.clone().into_buffer_arg(),
            grad.into_buffer_arg(),
            partial.clone().into_buffer_arg(),
            stride as u32,
        );
        let dalpha = if units == 1 {
            sum_middle(partial, 1, stride, 1)
        } else {
            partial
        };
        (dx, reshaped(dalpha, alpha.shape()))
    }

    fn staf(
        x: CubeTensor,
        c: CubeTensor,
        omega: CubeTensor,
        phi: CubeTensor,
        units: usize,
    ) -> CubeTensor {
        OPERATIONS.fetch_add(1, Ordering::Relaxed);
        let (x, c, omega, phi) = (input(x), input(c), input(omega), input(phi));
        let tau = c.shape().num_elements() / units;
        let out = empty(&x, x.shape());
        let (count, dim) = grid(&x, x.shape().num_elements());
        staf_kernel::launch::<f32>(
            &x.client,
            count,
            dim,
            x.clone().into_buffer_arg(),
            c.into_buffer_arg(),
            omega.into_buffer_arg(),
            phi.into_buffer_arg(),
            out.clone().into_buffer_arg(),
            units as u32,
            tau as u32,
        );
        out
    }

    fn staf_backward(
        x: CubeTensor,
        c: CubeTensor,
        omega: CubeTensor,
        phi: CubeTensor,
        grad: CubeTensor,
        units: usize,
    ) -> (CubeTensor, CubeTensor) {
        OPERATIONS.fetch_add(1, Ordering::Relaxed);
        let (x, c, omega, phi, grad) = (input(x), input(c), input(omega), input(phi), input(grad));
        let n = x.shape().num_elements();
        let size = c.shape().num_elements();
        let tau = size / units;
        let dx = empty(&x, x.shape());
        let (count, dim) = grid(&x, n);
        staf_dx_kernel::launch::<f32>(
            &x.client,
            count,
            dim,
            x.clone().into_buffer_arg(),
            c.clone().into_buffer_arg(),
            omega.clone().into_buffer_arg(),
            phi.clone().into_buffer_arg(),
            grad.clone().into_buffer_arg(),
            dx.clone().into_buffer_arg(),
            units as u32,
            tau as u32,
        );
        let stride = lanes(n, units);
        let partial = empty(&x, Shape::new([3, stride * tau]));
        let (count, dim) = grid(&x, stride * tau);
        staf_params_kernel::launch::<f32>(
            &x.client,
            count,
            dim,
            x.clone().into_buffer_arg(),
            c.into_buffer_arg(),
            omega.into_buffer_arg(),
            phi.into_buffer_arg(),
            grad.into_buffer_arg(),
            partial.clone().into_buffer_arg(),
            units as u32,
            tau as u32,
            stride as u32,
        );
        let params = if units == 1 {
            sum_middle(partial, 3, stride, tau)
        } else {
            partial
        };
        (dx, reshaped(params, Shape::new([3, size])))
    }

    fn expression(x: CubeTensor, params: CubeTensor, kernel: Arc<ExprKernel>) -> CubeTensor {
        OPERATIONS.fetch_add(1, Ordering::Relaxed);
        kernel.cube_forward(x, params)
    }

    fn expression_backward(
        x: CubeTensor,
        params: CubeTensor,
        grad: CubeTensor,
        kernel: Arc<ExprKernel>,
    ) -> (CubeTensor, CubeTensor) {
        OPERATIONS.fetch_add(1, Ordering::Relaxed);
        kernel.cube_backward(x, params, grad)
    }
}

/// A float32 tensor of zeros of `shape` on `like`'s device.
pub(super) fn zeros(like: &CubeTensor, shape: Shape) -> CubeTensor {
    burn_cubecl::ops::numeric::zeros_client(
        like.client.clone(),
        like.device.clone(),
        shape,
        DType::F32,
    )
}

/// A contiguous tensor under another shape of as many elements.
pub(super) fn reshaped(tensor: CubeTensor, shape: Shape) -> CubeTensor {
    <CubeBackend as burn::backend::ops::FloatTensorOps<CubeBackend>>::float_reshape(tensor, shape)
}
