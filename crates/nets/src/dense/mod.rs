//! The network's matrix products and its loss with a summation order fixed by actlab, not
//! by the machine: the same bits on every x86-64 CPU with AVX2 and FMA, with or without
//! AVX-512, on any number of threads.
//!
//! Burn's CPU backend (Flex) multiplies with gemm, which picks its k-blocking from the
//! cache it detects and runs different AVX-512 and AVX2 kernels, and reduces with
//! macerator, whose lane count follows the CPU; so a record trained on one machine did
//! not repeat on another. Here a Linear layer forward and backward is `vmath::gemm` (one
//! chain of fused multiply-adds per element, in k order) with the rows cut over Rayon's
//! pool, the bias gradient a column sum row by row, and cross-entropy a row-by-row
//! log-sum-exp with `vmath`'s exp and log and a float64 mean in batch order.
//!
//! Routing is the fused activations' (`acts::fused`): Flex, float32, and `ACTLAB_FUSED`
//! not `0`; everywhere else (wgpu, float64, the switch off) Burn's own `Linear` and
//! `CrossEntropyLoss`.

mod ops;

use burn::backend::{Dispatch, DispatchDevice};
use burn::nn::Linear;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Device, Int, Tensor};
use rayon::prelude::*;
use spec::{NetworkConfig, Numerics};
use vmath::gemm::{MatRef, Start, flops, gemm};

pub use ops::DenseOps;

/// `x W + b` for a `[batch, in]` input: Burn's `Linear::forward`, with the machine-free
/// product where it applies.
pub fn linear(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    match &layer.bias {
        Some(bias) if acts::fused_kernels_apply(&x) => {
            Tensor::from_dispatch(<Dispatch as DenseOps>::dense(
                x.into_dispatch(),
                layer.weight.val().into_dispatch(),
                bias.val().into_dispatch(),
            ))
        }
        _ => layer.forward(x),
    }
}

/// Mean cross-entropy of `logits` `[batch, classes]` against class indices: Burn's
/// `CrossEntropyLoss` (no smoothing, no weights), with a fixed summation order where it
/// applies.
pub fn cross_entropy(logits: Tensor<2>, targets: Tensor<1, Int>) -> Tensor<1> {
    if acts::fused_kernels_apply(&logits) {
        Tensor::from_dispatch(<Dispatch as DenseOps>::cross_entropy(
            logits.into_dispatch(),
            targets.into_dispatch(),
        ))
    } else {
        let device = logits.device();
        CrossEntropyLossConfig::new()
            .init(&device)
            .forward(logits, targets)
    }
}

/// What fixes the bits of a float32 run of `network` on `device` (see [`Numerics`]).
pub fn numerics(network: &NetworkConfig, device: &Device) -> Numerics {
    let mut machine_order = Vec::new();
    if !matches!(
        device.clone().inner().as_dispatch(),
        DispatchDevice::Flex(_)
    ) {
        machine_order.push("not the CPU device: Burn's own operations".to_string());
    }
    if !acts::fused_kernels_enabled() {
        machine_order.push("ACTLAB_FUSED=0: Burn's own operations".to_string());
    }
    if let Some(reason) = network
        .activation
        .as_ref()
        .and_then(|a| acts::machine_order(&a.kind))
    {
        machine_order.push(reason.to_string());
    }
    Numerics {
        portable: machine_order.is_empty(),
        isa: vmath::Isa::detected().name().to_string(),
        machine_order,
    }
}

/// Below this much work a product stays on the calling thread: handing pieces to the
/// pool costs tens of microseconds.
const PARALLEL_FLOPS: f64 = 4e6;

/// `C (+)= A B` (`C` row-major, `b.cols` wide) with A's and C's rows cut into one piece
/// per pool thread. Each element's chain is the same whatever the cut, so the thread
/// count does not reach the bits.
pub(crate) fn product(a: MatRef, b: MatRef, c: &mut [f32], start: Start) {
    let (m, k, n) = (a.row_count(), a.col_count(), b.col_count());
    let threads = rayon::current_num_threads();
    if threads < 2 || flops(m, k, n) < PARALLEL_FLOPS || m < 2 {
        gemm(a, b, c, n, start);
        return;
    }
    let rows = m.div_ceil(threads.min(m));
    c[..m * n]
        .par_chunks_mut(rows * n)
        .enumerate()
        .for_each(|(piece, c)| {
            let first = piece * rows;
            gemm(a.rows(first, (first + rows).min(m)), b, c, n, start);
        });
}
