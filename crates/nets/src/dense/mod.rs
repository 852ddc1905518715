//! The network's matrix products and its loss with a summation order fixed by actlab, not
//! by the machine: the same bits on every x86-64 CPU with AVX2 and FMA, with or without
//! AVX-512, on any number of threads.
//!
//! Burn's CPU backend (Flex) multiplies with gemm, which picks its k-blocking from the
//! cache it detects and runs different AVX-512 and AVX2 kernels, and reduces with
//! macerator, whose lane count follows the CPU; so a record trained on one machine did
//! not repeat on another. Here a Linear layer forward and backward is `vmath::gemm` (one
//! chain of fused multiply-adds per element, in k order) with the rows or the columns cut
//! over Rayon's pool, the bias gradient a column sum row by row, and cross-entropy a row-by-row
//! log-sum-exp with `vmath`'s exp and log and a float64 mean in batch order.
//!
//! Routing is the fused activations' (`acts::fused`): Flex, float32, and `ACTLAB_FUSED`
//! not `0`; everywhere else (wgpu, float64, the switch off) Burn's own `Linear` and
//! `CrossEntropyLoss`.

mod ops;

use burn::backend::Dispatch;
use burn::nn::Linear;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Device, Int, Tensor};
use rayon::prelude::*;
use spec::{LayerKind, NetworkConfig, Numerics};
use vmath::gemm::{MatMut, MatRef, Start, flops, gemm_into};

pub use ops::DenseOps;

/// `x W + b` for a `[batch, in]` input: Burn's `Linear::forward`, with the machine-free
/// product where it applies.
pub fn linear(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    match &layer.bias {
        Some(bias) if acts::fused_kernels_apply(&x) => affine(x, layer.weight.val(), bias.val()),
        _ => layer.forward(x),
    }
}

/// `x W + b` for x `[batch, in]`, W `[in, out]`, b `[out]`, by the machine-free product:
/// only where [`acts::fused_kernels_apply`] (the callers route other devices to Burn).
pub(crate) fn affine(x: Tensor<2>, w: Tensor<2>, b: Tensor<1>) -> Tensor<2> {
    Tensor::from_dispatch(<Dispatch as DenseOps>::dense(
        x.into_dispatch(),
        w.into_dispatch(),
        b.into_dispatch(),
    ))
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
    if !acts::is_flex(device) {
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

/// Column cuts fall on multiples of this (two AVX-512 vectors, four AVX2 ones), so that
/// no piece ends in a partial register tile the whole product would not have had.
const COLUMN_GRAIN: usize = 32;

/// `C (+)= A B` (`C` row-major, `b.cols` wide) cut into one piece per pool thread: the
/// product every Linear layer of training runs (public so that `actlab bench` measures
/// its peak on the same code). Each element's chain is the same whatever the cut, so the
/// thread count does not reach the bits.
///
/// The cut is along whichever side of `C` is longer. Every piece packs the part of B it
/// needs, so cutting the rows of a short, wide product (batch 128 into a 1024-wide layer)
/// would pack all of B once per thread; cutting its columns packs each part of B once.
pub fn product(a: MatRef, b: MatRef, c: &mut [f32], start: Start) {
    let (m, k, n) = (a.row_count(), a.col_count(), b.col_count());
    let c = MatMut::row_major(c, m, n, n);
    let threads = rayon::current_num_threads();
    if !acts::may_split() || flops(m, k, n) < PARALLEL_FLOPS || (m < 2 && n < 2 * COLUMN_GRAIN) {
        gemm_into(a, b, c, start);
        return;
    }
    let mut pieces = Vec::with_capacity(threads);
    if n >= m && n >= 2 * COLUMN_GRAIN {
        let width = n.div_ceil(threads).next_multiple_of(COLUMN_GRAIN);
        let (mut rest, mut first) = (c, 0);
        while first < n {
            let last = (first + width).min(n);
            let (piece, tail) = rest.split_cols(last - first);
            pieces.push((a, b.cols(first, last), piece));
            first = last;
            rest = tail;
        }
    } else {
        let height = m.div_ceil(threads.min(m));
        let (mut rest, mut first) = (c, 0);
        while first < m {
            let last = (first + height).min(m);
            let (piece, tail) = rest.split_rows(last - first);
            pieces.push((a.rows(first, last), b, piece));
            first = last;
            rest = tail;
        }
    }
    pieces
        .into_par_iter()
        .for_each(|(a, b, c)| gemm_into(a, b, c, start));
}

/// Floating-point operations (a multiply-add counts two) of the matrix products of one
/// training step of `network` on `batch` samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepFlops {
    /// Every layer's `x W` (the value and gate maps of a GLU layer both).
    pub forward: f64,
    /// Every layer's `dW = xᵀ dY` and, above the first layer, `dX = dY Wᵀ` (the input
    /// needs no gradient).
    pub backward: f64,
}

/// The products of one training step: what [`linear`] computes forward and its backward
/// pass, layer by layer.
pub fn step_flops(network: &NetworkConfig, batch: usize) -> StepFlops {
    let shapes = network.linear_shapes();
    let last = shapes.len() - 1;
    let (mut forward, mut backward) = (0.0, 0.0);
    for (index, &(fan_in, fan_out)) in shapes.iter().enumerate() {
        let maps = if index < last && network.layer == LayerKind::Glu {
            2.0
        } else {
            1.0
        };
        let one = maps * flops(batch, fan_in, fan_out);
        forward += one;
        backward += if index == 0 { one } else { 2.0 * one };
    }
    StepFlops { forward, backward }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spec::{ActivationConfig, ActivationKind};

    #[test]
    fn step_flops_of_the_book_network_are_its_multiply_adds() {
        // The book's network has 784·256 + 256·192 + 192·128 + 128·64 + 64·10 = 283,264
        // weights; the backward pass adds dX for all but the first layer (82,560 weights);
        // a GLU network has a second map for each hidden layer (282,624 weights more).
        let book = NetworkConfig::book(ActivationConfig::new(ActivationKind::ReLU));
        let flops = step_flops(&book, 128);
        assert_eq!(flops.forward, 2.0 * 128.0 * 283_264.0);
        assert_eq!(flops.backward, 2.0 * 128.0 * (283_264.0 + 82_560.0));
        let glu = step_flops(&book.clone().with_layer(LayerKind::Glu), 1);
        assert_eq!(glu.forward, 2.0 * (283_264.0 + 282_624.0));
    }
}
