//! Fused activation kernels for Burn's CPU backend (Flex), as a Burn backend extension.
//!
//! Composed of ordinary tensor operations, GELU is a dozen passes over the data forward
//! and as many backward, each exp or erf a call into the C library per element; STAF is a
//! broadcast to `[n, tau]`, a sine per element and term, a matrix product, and the cosines
//! again in the backward pass. Here each is one pass forward (keeping what the backward
//! needs: STAF's sines and cosines) and one backward, with `vmath`'s vectorised functions.
//!
//! Routing: [`FusedOps`] (the fused activations, TeLU, STAF, user expressions) is
//! implemented for Flex (the kernels here), for Burn's CubeCL backend with the `wgpu`
//! feature (`#[cube]` kernels in `cube` and `expr::gpu`, the same formulas), and for
//! `Autodiff<B, C>` (a hand-written backward that calls the backend's backward kernel).
//! [`FlexOps`] (per-unit parameters repeated so that their gradients are summed in a fixed
//! order) has a Flex kernel only. On NdArray, for float64, or with `ACTLAB_FUSED=0`, the
//! callers keep the composed tensor operations, differentiated by Burn — which the
//! float64 suites check, and which the fused paths are tested against.

#[cfg(feature = "wgpu")]
mod cube;
mod expr;
mod flex_ops;
mod kernels;
mod ops;
mod staf_kernels;

use std::sync::atomic::{AtomicU8, Ordering};

use burn::backend::{Dispatch, DispatchDevice};
use burn::tensor::{DType, Device, Tensor};
use spec::FusedKernel;

pub use expr::ExprKernel;
pub use flex_ops::FlexOps;
pub use ops::{FusedOps, flex_tensor, flex_values};

/// Elements per parallel piece of an element-wise kernel (the activations' here, the
/// optimiser's in `nets::update`): big tensors are cut into pieces of this size, a cut
/// that does not depend on the thread count; nothing is summed across pieces.
pub const PIECE: usize = 16 * 1024;

thread_local! {
    /// Set while this thread runs a task that is itself one of several side by side
    /// (a slice of the data-parallel step): its kernels then keep to this thread.
    static ALONE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `task` with the element-wise kernels and the matrix products it calls kept to
/// the calling thread, for a task that already runs beside others on the pool (the
/// data-parallel step's slices): cutting its pieces further would hand work back and
/// forth between threads that are all busy. Results are the same either way.
pub fn on_this_thread<R>(task: impl FnOnce() -> R) -> R {
    let before = ALONE.with(|alone| alone.replace(true));
    let result = task();
    ALONE.with(|alone| alone.set(before));
    result
}

/// Whether work may be cut over Rayon's pool here: more than one thread, and not inside
/// [`on_this_thread`].
pub fn may_split() -> bool {
    rayon::current_num_threads() > 1 && !ALONE.with(|alone| alone.get())
}

/// Runs `work` on every item at once over Rayon's pool, each item's kernels and products
/// kept to its own thread ([`on_this_thread`]), and returns the results in item order,
/// whichever finished first: the data-parallel step's slices, the batches of evaluation
/// and of the probes. A single item, or a pool of one thread, runs on the calling thread
/// with its kernels free to split. Results are the same either way.
pub fn each_apart<P: Send, R: Send>(items: Vec<P>, work: impl Fn(P) -> R + Sync + Send) -> Vec<R> {
    if items.len() > 1 {
        each_piece(items, 2, |item| on_this_thread(|| work(item)))
    } else {
        items.into_iter().map(work).collect()
    }
}

/// Runs `work` on every piece, in order; on Rayon's pool when it has more than one thread
/// (`--threads`) and there are `min_pieces` or more (a hand-off to the pool costs tens of
/// microseconds: with one thread the calling thread does the work itself). The pieces
/// are cut the same way either way, so the results are too.
pub fn each_piece<P: Send, R: Send>(
    pieces: Vec<P>,
    min_pieces: usize,
    work: impl Fn(P) -> R + Sync + Send,
) -> Vec<R> {
    use rayon::prelude::*;
    if may_split() && pieces.len() >= min_pieces {
        pieces.into_par_iter().map(work).collect()
    } else {
        pieces.into_iter().map(work).collect()
    }
}

/// A switch read once from the environment (unset or anything but `0`: on) unless set
/// by the process first. State 0: not read yet, 1: off, 2: on.
struct Switch {
    variable: &'static str,
    state: AtomicU8,
}

impl Switch {
    const fn new(variable: &'static str) -> Switch {
        Switch {
            variable,
            state: AtomicU8::new(0),
        }
    }

    fn on(&self) -> bool {
        match self.state.load(Ordering::Relaxed) {
            0 => {
                let on = std::env::var(self.variable).map_or(true, |v| v != "0");
                self.set(on);
                on
            }
            state => state == 2,
        }
    }

    fn set(&self, on: bool) {
        self.state.store(if on { 2 } else { 1 }, Ordering::Relaxed);
    }
}

/// `ACTLAB_FUSED=0`: every kernel off (activations and the dense layers' products).
static ENABLED: Switch = Switch::new("ACTLAB_FUSED");
/// `ACTLAB_FUSED_EXPR=0`: user expressions composed, everything else fused (to time the
/// expression kernels against the composed path with the same products around them).
static EXPRESSIONS: Switch = Switch::new("ACTLAB_FUSED_EXPR");

/// Whether fused kernels are switched on: `ACTLAB_FUSED=0` turns them off, to compare
/// against the composed tensor operations (benchmarks, the tests).
pub fn enabled() -> bool {
    ENABLED.on()
}

/// Switches fused kernels on or off for the whole process (tests that compare the two
/// paths; anything else should set `ACTLAB_FUSED` before starting).
pub fn set_enabled(on: bool) {
    ENABLED.set(on);
}

/// Whether user expressions take their compiled kernels (where [`applies`] holds):
/// `ACTLAB_FUSED_EXPR=0` keeps them composed.
pub fn expressions_enabled() -> bool {
    EXPRESSIONS.on()
}

/// Switches the expression kernels alone (tests comparing fused with composed).
pub fn set_expressions_enabled(on: bool) {
    EXPRESSIONS.set(on);
}

/// Whether `x` can take a CPU kernel (per-unit parameters, and nets' dense layers,
/// convolutions and optimiser): float32 on the Flex device (with or without
/// autodiff), and fused kernels enabled.
pub fn applies<const D: usize>(x: &Tensor<D>) -> bool {
    enabled() && x.dtype() == DType::F32 && is_flex(&x.device())
}

/// Whether `x` can take a [`FusedOps`] kernel (the fused activations, TeLU, STAF, user
/// expressions): float32
/// on the Flex device or, with the `wgpu` feature, a CubeCL device, and fused kernels
/// enabled.
pub fn kernels_apply<const D: usize>(x: &Tensor<D>) -> bool {
    enabled() && x.dtype() == DType::F32 && {
        let device = x.device();
        is_flex(&device) || is_cube(&device)
    }
}

/// Whether `device` is one of Burn's CubeCL devices (wgpu here), with or without
/// autodiff: always false without the `wgpu` feature.
pub fn is_cube(device: &Device) -> bool {
    #[cfg(feature = "wgpu")]
    {
        matches!(
            device.clone().inner().as_dispatch(),
            DispatchDevice::Cube(_)
        )
    }
    #[cfg(not(feature = "wgpu"))]
    {
        let _ = device;
        false
    }
}

/// Whether `device` is the Flex CPU device (with or without autodiff): where the fused
/// kernels run, where Burn's own GELU backward is exact, and where initial states are
/// drawn (`nets::SimpleNetwork::from_seed`).
pub fn is_flex(device: &Device) -> bool {
    matches!(
        device.clone().inner().as_dispatch(),
        DispatchDevice::Flex(_)
    )
}

/// How many [`FusedOps`] operations the GPU kernels have run in this process (always 0
/// without the `wgpu` feature): the tests' proof that a GPU kernel ran.
pub fn gpu_kernel_operations() -> usize {
    #[cfg(feature = "wgpu")]
    {
        cube::operations()
    }
    #[cfg(not(feature = "wgpu"))]
    {
        0
    }
}

/// `function(x)` by its fused kernel; the caller has checked [`kernels_apply`].
pub(crate) fn activation<const D: usize>(function: FusedKernel, x: Tensor<D>) -> Tensor<D> {
    Tensor::from_dispatch(<Dispatch as FusedOps>::fused_activation(
        x.into_dispatch(),
        function,
    ))
}

/// The book's TeLU, `relu(x) + alpha (e^{min(x, 0)} - 1)`, alpha `[1]` or `[units]`
/// (x's last dimension); the caller has checked [`kernels_apply`].
pub(crate) fn telu<const D: usize>(x: Tensor<D>, alpha: Tensor<1>) -> Tensor<D> {
    Tensor::from_dispatch(<Dispatch as FusedOps>::telu(
        x.into_dispatch(),
        alpha.into_dispatch(),
    ))
}

/// STAF, `sum_i C_i sin(Omega_i x + Phi_i)`, parameters `[units * tau]` unit-major;
/// the caller has checked [`kernels_apply`].
pub(crate) fn staf<const D: usize>(
    x: Tensor<D>,
    c: Tensor<1>,
    omega: Tensor<1>,
    phi: Tensor<1>,
    units: usize,
) -> Tensor<D> {
    Tensor::from_dispatch(<Dispatch as FusedOps>::staf(
        x.into_dispatch(),
        c.into_dispatch(),
        omega.into_dispatch(),
        phi.into_dispatch(),
        units,
    ))
}

/// A compiled user expression on `x`, `params` `[params, size]`; the caller has checked
/// [`kernels_apply`].
pub(crate) fn expression<const D: usize>(
    x: Tensor<D>,
    params: Tensor<2>,
    kernel: std::sync::Arc<ExprKernel>,
) -> Tensor<D> {
    Tensor::from_dispatch(<Dispatch as FusedOps>::expression(
        x.into_dispatch(),
        params.into_dispatch(),
        kernel,
    ))
}

/// `param` (`[1]` or `[units]`, x's last dimension) repeated to x's shape, its gradient
/// summed in a fixed order (see [`FlexOps::expand_param`]); the caller has checked
/// [`applies`].
pub(crate) fn expand_param<const D: usize>(param: Tensor<1>, x: &Tensor<D>) -> Tensor<D> {
    let dims = x.dims();
    let units = dims[D - 1];
    let rows = dims[..D - 1].iter().product();
    let expanded: Tensor<2> = Tensor::from_dispatch(<Dispatch as FlexOps>::expand_param(
        param.into_dispatch(),
        rows,
        units,
    ));
    expanded.reshape(dims)
}

/// A `[units]` (or `[1]`) parameter for an element-wise product with `x`: repeated to x's
/// shape where kernels apply (its gradient then summed in a fixed order), else
/// `[1, ..., 1, units]` for Burn to broadcast (and to sum in its own order).
pub(crate) fn per_unit<const D: usize>(param: Tensor<1>, x: &Tensor<D>) -> Tensor<D> {
    if applies(x) {
        expand_param(param, x)
    } else {
        param.unsqueeze::<D>()
    }
}
