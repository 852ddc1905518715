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
//! The kernels themselves are in `kernels`; here, their launches.
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

mod kernels;

use kernels::{
    activation_backward_kernel, activation_kernel, staf_dx_kernel, staf_kernel, staf_params_kernel,
    sum_middle_kernel, telu_alpha_kernel, telu_dx_kernel, telu_kernel,
};
pub(super) use kernels::{slope, value};

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
