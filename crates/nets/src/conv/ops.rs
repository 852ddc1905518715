//! The backend extension of the convolutional front on the CPU: patches of maps (im2col)
//! and 2×2 average pooling, forward and backward, each output value computed in an order
//! fixed here; the convolution's product is `dense::linear`'s. Written by hand because
//! Burn's Flex convolution multiplies with gemm, whose k-blocking follows the CPU's
//! caches (the same machine dependence `crate::dense` removes from the Linear layers),
//! and works on `[batch, channels, h, w]` maps, which the per-channel activation needs
//! transposed to rows and back at every layer.
//!
//! Maps here are `[batch, h, w, channels]` (channels last): a convolution's output rows
//! `[batch · h · w, channels]` are such maps as they are.

use acts::{flex_tensor as flex, flex_values as values};
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind, unary};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Flex, TensorMetadata, backend_extension};
use rayon::prelude::*;

/// Convolutional-front operations. Implemented for Flex and routed through Autodiff;
/// `crate::conv` uses them only on Flex in float32.
#[backend_extension(Flex, Autodiff)]
pub trait ConvOps: Backend {
    /// The `kernel × kernel` patches of maps `[batch, h, w, c]` zero-padded by
    /// `padding`: `[batch · h' · w', kernel · kernel · c]`, columns ordered (ky, kx, c).
    fn patches(x: FloatTensor<Self>, kernel: usize, padding: usize) -> FloatTensor<Self>;
    /// The maps' gradient from the patches' gradient `grad`: every patch entry added
    /// back to its pixel; `side` is the maps' (square) side.
    fn patches_backward(
        grad: FloatTensor<Self>,
        side: usize,
        kernel: usize,
        padding: usize,
    ) -> FloatTensor<Self>;
    /// 2×2 average pooling with stride 2 of maps `[batch, h, w, c]` (an odd last row or
    /// column is dropped, as `torch.nn.AvgPool2d(2)` does).
    fn pool(x: FloatTensor<Self>) -> FloatTensor<Self>;
    /// The maps' gradient from the pooled maps' gradient; `side` is the maps' side.
    fn pool_backward(grad: FloatTensor<Self>, side: usize) -> FloatTensor<Self>;
}

/// A `[batch, h, w, c]` tensor's dimensions.
fn maps(tensor: &FloatTensor<Flex>) -> [usize; 4] {
    let shape = tensor.shape();
    assert_eq!(
        shape.num_dims(),
        4,
        "maps are [batch, h, w, c], got {shape:?}"
    );
    [shape[0], shape[1], shape[2], shape[3]]
}

/// Below this many values a pass stays on the calling thread.
const PARALLEL_VALUES: usize = 1 << 16;

/// `work(sample, out)` for every sample's `chunk` of `out`, split over the pool when
/// large: each value is written by one sample's pass, so the split does not reach the bits.
fn per_sample(out: &mut [f32], chunk: usize, work: impl Fn(usize, &mut [f32]) + Sync + Send) {
    if out.len() < PARALLEL_VALUES || !acts::may_split() {
        out.chunks_exact_mut(chunk)
            .enumerate()
            .for_each(|(s, o)| work(s, o));
    } else {
        out.par_chunks_exact_mut(chunk)
            .enumerate()
            .for_each(|(s, o)| work(s, o));
    }
}

/// The window at output position `(oy, ox)` over square channels-last maps of `side`,
/// as runs `(offset in the patch, offset in the image, length)` in (ky, kx) order: a
/// window row is one run where it lies inside the image (an element loop over a run
/// beats a call to memmove per pixel), else one run per pixel inside; padding has none.
fn window_runs(
    (oy, ox): (usize, usize),
    side: usize,
    kernel: usize,
    padding: usize,
    c: usize,
    mut run: impl FnMut(usize, usize, usize),
) {
    for ky in 0..kernel {
        let Some(y) = (oy + ky).checked_sub(padding).filter(|&y| y < side) else {
            continue;
        };
        let (patch_row, image_row) = (ky * kernel * c, y * side * c);
        match ox.checked_sub(padding).filter(|&x0| x0 + kernel <= side) {
            Some(x0) => run(patch_row, image_row + x0 * c, kernel * c),
            None => {
                for kx in 0..kernel {
                    if let Some(x) = (ox + kx).checked_sub(padding).filter(|&x| x < side) {
                        run(patch_row + kx * c, image_row + x * c, c);
                    }
                }
            }
        }
    }
}

impl ConvOps for Flex {
    fn patches(x: FloatTensor<Self>, kernel: usize, padding: usize) -> FloatTensor<Self> {
        let [batch, h, w, c] = maps(&x);
        assert_eq!(h, w, "square maps");
        let side = h + 2 * padding + 1 - kernel;
        let (row, per_sample_rows) = (kernel * kernel * c, side * side);
        let x = values(&x);
        let mut out = vec![0.0f32; batch * per_sample_rows * row];
        per_sample(&mut out, per_sample_rows * row, |s, out| {
            let image = &x[s * h * w * c..(s + 1) * h * w * c];
            for (position, patch) in out.chunks_exact_mut(row).enumerate() {
                let at = (position / side, position % side);
                window_runs(at, h, kernel, padding, c, |patch_at, image_at, len| {
                    let from = &image[image_at..][..len];
                    for (t, &v) in patch[patch_at..][..len].iter_mut().zip(from) {
                        *t = v;
                    }
                });
            }
        });
        flex(out, [batch * per_sample_rows, row])
    }

    fn patches_backward(
        grad: FloatTensor<Self>,
        side: usize,
        kernel: usize,
        padding: usize,
    ) -> FloatTensor<Self> {
        let shape = grad.shape();
        let (rows, row) = (shape[0], shape[1]);
        let c = row / (kernel * kernel);
        let out_side = side + 2 * padding + 1 - kernel;
        let batch = rows / (out_side * out_side);
        let grad = values(&grad);
        let mut out = vec![0.0f32; batch * side * side * c];
        // Each pixel's sum runs over the patches in row order, then over the kernel: the
        // same order on every machine and thread count.
        per_sample(&mut out, side * side * c, |s, image| {
            let patches = &grad[s * out_side * out_side * row..][..out_side * out_side * row];
            for (position, patch) in patches.chunks_exact(row).enumerate() {
                let at = (position / out_side, position % out_side);
                window_runs(at, side, kernel, padding, c, |patch_at, image_at, len| {
                    let from = &patch[patch_at..][..len];
                    for (t, &g) in image[image_at..][..len].iter_mut().zip(from) {
                        *t += g;
                    }
                });
            }
        });
        flex(out, [batch, side, side, c])
    }

    fn pool(x: FloatTensor<Self>) -> FloatTensor<Self> {
        let [batch, h, w, c] = maps(&x);
        let (ph, pw) = (h / 2, w / 2);
        let x = values(&x);
        let mut out = vec![0.0f32; batch * ph * pw * c];
        per_sample(&mut out, ph * pw * c, |s, pooled| {
            let image = &x[s * h * w * c..][..h * w * c];
            for (cell, out) in pooled.chunks_exact_mut(c).enumerate() {
                let (y, xx) = (2 * (cell / pw), 2 * (cell % pw));
                let at = |dy: usize, dx: usize| &image[((y + dy) * w + xx + dx) * c..][..c];
                let (a, b, d, e) = (at(0, 0), at(0, 1), at(1, 0), at(1, 1));
                for (k, o) in out.iter_mut().enumerate() {
                    *o = (((a[k] + b[k]) + d[k]) + e[k]) * 0.25;
                }
            }
        });
        flex(out, [batch, ph, pw, c])
    }

    fn pool_backward(grad: FloatTensor<Self>, side: usize) -> FloatTensor<Self> {
        let [batch, ph, pw, c] = maps(&grad);
        let grad = values(&grad);
        let mut out = vec![0.0f32; batch * side * side * c];
        per_sample(&mut out, side * side * c, |s, image| {
            let pooled = &grad[s * ph * pw * c..][..ph * pw * c];
            for (cell, g) in pooled.chunks_exact(c).enumerate() {
                let (y, x) = (2 * (cell / pw), 2 * (cell % pw));
                for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                    let to = &mut image[((y + dy) * side + x + dx) * c..][..c];
                    for (t, &v) in to.iter_mut().zip(g) {
                        *t = v * 0.25;
                    }
                }
            }
        });
        flex(out, [batch, side, side, c])
    }
}

impl<B: Backend + ConvOps, C: CheckpointStrategy> ConvOps for Autodiff<B, C> {
    fn patches(x: FloatTensor<Self>, kernel: usize, padding: usize) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct PatchesBackward;

        impl<B: Backend + ConvOps> Backward<B, 1> for PatchesBackward {
            type State = (usize, usize, usize);

            fn backward(
                self,
                ops: Ops<Self::State, 1>,
                grads: &mut Gradients,
                _: &mut Checkpointer,
            ) {
                let (side, kernel, padding) = ops.state;
                unary::<B, _>(ops.parents, ops.node, grads, |grad| {
                    B::patches_backward(grad, side, kernel, padding)
                });
            }
        }

        let side = x.shape()[1];
        let node = x.node();
        let out = B::patches(x.into_primitive(), kernel, padding);
        match PatchesBackward
            .prepare::<C>([node])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => prep.finish((side, kernel, padding), out),
            OpsKind::UnTracked(prep) => prep.finish(out),
        }
    }

    fn patches_backward(
        grad: FloatTensor<Self>,
        side: usize,
        kernel: usize,
        padding: usize,
    ) -> FloatTensor<Self> {
        // Second derivatives are not needed (as `dense`'s backward ops).
        FloatTensor::<Self>::new(B::patches_backward(
            grad.into_primitive(),
            side,
            kernel,
            padding,
        ))
    }

    fn pool(x: FloatTensor<Self>) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct PoolBackward;

        impl<B: Backend + ConvOps> Backward<B, 1> for PoolBackward {
            type State = usize;

            fn backward(
                self,
                ops: Ops<Self::State, 1>,
                grads: &mut Gradients,
                _: &mut Checkpointer,
            ) {
                let side = ops.state;
                unary::<B, _>(ops.parents, ops.node, grads, |grad| {
                    B::pool_backward(grad, side)
                });
            }
        }

        let side = x.shape()[1];
        let node = x.node();
        let out = B::pool(x.into_primitive());
        match PoolBackward.prepare::<C>([node]).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish(side, out),
            OpsKind::UnTracked(prep) => prep.finish(out),
        }
    }

    fn pool_backward(grad: FloatTensor<Self>, side: usize) -> FloatTensor<Self> {
        FloatTensor::<Self>::new(B::pool_backward(grad.into_primitive(), side))
    }
}
