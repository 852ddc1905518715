//! The backend extension: Linear forward and backward and cross-entropy, their Flex
//! kernels, and their backward passes under Burn's autodiff.

use acts::{flex_tensor as flex, flex_values as values};
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind, unary};
use burn::backend::tensor::{FloatTensor, IntTensor};
use burn::backend::{Autodiff, Backend, Flex, TensorMetadata, backend_extension};
use vmath::gemm::{MatRef, Start};
use vmath::math;

use super::product;

/// Dense-layer and loss operations. Implemented for Flex and routed through Autodiff; the
/// callers in `dense` use them only on Flex in float32.
#[backend_extension(Flex, Autodiff)]
pub trait DenseOps: Backend {
    /// `x W + b`: x `[batch, in]`, W `[in, out]`, b `[out]`.
    fn dense(x: FloatTensor<Self>, w: FloatTensor<Self>, b: FloatTensor<Self>)
    -> FloatTensor<Self>;
    /// The input's gradient, `grad Wᵀ`.
    fn dense_input_grad(w: FloatTensor<Self>, grad: FloatTensor<Self>) -> FloatTensor<Self>;
    /// The weight's and the bias's gradients, `xᵀ grad` and grad's column sums.
    fn dense_param_grads(
        x: FloatTensor<Self>,
        grad: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>);
    /// Mean cross-entropy of `[batch, classes]` logits against class indices, `[1]`.
    fn cross_entropy(logits: FloatTensor<Self>, targets: IntTensor<Self>) -> FloatTensor<Self>;
    /// The logits' gradient for an upstream gradient `grad` `[1]`.
    fn cross_entropy_backward(
        logits: FloatTensor<Self>,
        targets: IntTensor<Self>,
        grad: FloatTensor<Self>,
    ) -> FloatTensor<Self>;
}

/// A `[rows, cols]` tensor's dimensions.
fn dims(tensor: &FloatTensor<Flex>) -> [usize; 2] {
    let shape = tensor.shape();
    assert_eq!(
        shape.num_dims(),
        2,
        "dense kernels take matrices, got {shape:?}"
    );
    [shape[0], shape[1]]
}

/// Class indices as `usize`, checked against the number of classes.
fn classes(targets: &IntTensor<Flex>, count: usize) -> Vec<usize> {
    let data = targets.clone().into_data();
    let indices: Vec<i64> = data
        .convert::<i64>()
        .try_into_vec::<i64>()
        .expect("integer class indices");
    indices
        .into_iter()
        .map(|c| {
            assert!(
                (0..count as i64).contains(&c),
                "class index {c} outside 0..{count}"
            );
            c as usize
        })
        .collect()
}

/// One row's `(max, Σ exp(z - max))`, summed in class order.
#[inline(always)]
fn row_normaliser(row: &[f32]) -> (f32, f32) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum = row.iter().fold(0.0f32, |s, &z| s + math::exp(z - max));
    (max, sum)
}

/// `ln(s)` for `s >= 1` (a row's normaliser always is): `s - 1` is exact there.
#[inline(always)]
fn ln_at_least_one(s: f32) -> f32 {
    math::log1p(s - 1.0)
}

impl DenseOps for Flex {
    fn dense(
        x: FloatTensor<Self>,
        w: FloatTensor<Self>,
        b: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        let ([m, k], [k_w, n]) = (dims(&x), dims(&w));
        assert_eq!(
            k, k_w,
            "linear: input has {k} features, the weight {k_w} rows"
        );
        let bias = values(&b);
        assert_eq!(
            bias.len(),
            n,
            "linear: bias of {} for {n} outputs",
            bias.len()
        );
        // Every output's chain starts from its bias: one rounding fewer than adding it after.
        let mut out: Vec<f32> = Vec::with_capacity(m * n);
        for _ in 0..m {
            out.extend_from_slice(&bias);
        }
        product(
            MatRef::row_major(&values(&x), m, k),
            MatRef::row_major(&values(&w), k, n),
            &mut out,
            Start::FromC,
        );
        flex(out, [m, n])
    }

    fn dense_input_grad(w: FloatTensor<Self>, grad: FloatTensor<Self>) -> FloatTensor<Self> {
        let ([k, n], [m, n_g]) = (dims(&w), dims(&grad));
        assert_eq!(n, n_g, "linear backward: gradient of {n_g} outputs for {n}");
        let mut out = vec![0.0f32; m * k];
        product(
            MatRef::row_major(&values(&grad), m, n),
            MatRef::transposed(&values(&w), n, k),
            &mut out,
            Start::Zero,
        );
        flex(out, [m, k])
    }

    fn dense_param_grads(
        x: FloatTensor<Self>,
        grad: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        let ([m, k], [m_g, n]) = (dims(&x), dims(&grad));
        assert_eq!(
            m, m_g,
            "linear backward: {m_g} gradient rows for {m} inputs"
        );
        let grad = values(&grad);
        let mut dw = vec![0.0f32; k * n];
        product(
            MatRef::transposed(&values(&x), k, m),
            MatRef::row_major(&grad, m, n),
            &mut dw,
            Start::Zero,
        );
        // Column sums row by row: each in batch order, whatever the vector width.
        let mut db = vec![0.0f32; n];
        for row in grad.chunks_exact(n) {
            for (sum, &g) in db.iter_mut().zip(row) {
                *sum += g;
            }
        }
        (flex(dw, [k, n]), flex(db, [n]))
    }

    fn cross_entropy(logits: FloatTensor<Self>, targets: IntTensor<Self>) -> FloatTensor<Self> {
        let [batch, count] = dims(&logits);
        let targets = classes(&targets, count);
        let z = values(&logits);
        // In `vmath::run`, so that exp's and log1p's fused multiply-adds are instructions,
        // not calls to `fmaf` (the same bits either way).
        let total: f64 = vmath::run(
            #[inline(always)]
            || {
                z.chunks_exact(count)
                    .zip(&targets)
                    .map(|(row, &target)| {
                        let (max, sum) = row_normaliser(row);
                        f64::from(ln_at_least_one(sum) - (row[target] - max))
                    })
                    .sum()
            },
        );
        flex(vec![(total / batch as f64) as f32], [1])
    }

    fn cross_entropy_backward(
        logits: FloatTensor<Self>,
        targets: IntTensor<Self>,
        grad: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        let [batch, count] = dims(&logits);
        let targets = classes(&targets, count);
        let scale = values(&grad)[0] / batch as f32;
        let z = values(&logits);
        let mut out = vec![0.0f32; z.len()];
        vmath::run(
            #[inline(always)]
            || {
                for ((row, out), &target) in z
                    .chunks_exact(count)
                    .zip(out.chunks_exact_mut(count))
                    .zip(&targets)
                {
                    let (max, sum) = row_normaliser(row);
                    for (o, &v) in out.iter_mut().zip(row) {
                        *o = math::exp(v - max) / sum * scale;
                    }
                    out[target] -= scale;
                }
            },
        );
        flex(out, [batch, count])
    }
}

impl<B: Backend + DenseOps, C: CheckpointStrategy> DenseOps for Autodiff<B, C> {
    fn dense(
        x: FloatTensor<Self>,
        w: FloatTensor<Self>,
        b: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct LinearBackward;

        impl<B: Backend + DenseOps> Backward<B, 3> for LinearBackward {
            type State = (FloatTensor<B>, FloatTensor<B>);

            fn backward(
                self,
                ops: Ops<Self::State, 3>,
                grads: &mut Gradients,
                _: &mut Checkpointer,
            ) {
                let (x, w) = ops.state;
                let [node_x, node_w, node_b] = ops.parents;
                let grad = grads.consume::<B>(&ops.node);
                if let Some(node) = node_x {
                    grads.register::<B>(node.id, B::dense_input_grad(w, grad.clone()));
                }
                if node_w.is_some() || node_b.is_some() {
                    let (dw, db) = B::dense_param_grads(x, grad);
                    if let Some(node) = node_w {
                        grads.register::<B>(node.id, dw);
                    }
                    if let Some(node) = node_b {
                        grads.register::<B>(node.id, db);
                    }
                }
            }
        }

        let nodes = [x.node(), w.node(), b.node()];
        let (x, w, b) = (x.into_primitive(), w.into_primitive(), b.into_primitive());
        let out = B::dense(x.clone(), w.clone(), b);
        match LinearBackward
            .prepare::<C>(nodes)
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => prep.finish((x, w), out),
            OpsKind::UnTracked(prep) => prep.finish(out),
        }
    }

    fn dense_input_grad(w: FloatTensor<Self>, grad: FloatTensor<Self>) -> FloatTensor<Self> {
        // Second derivatives are not needed (curvature probes difference gradients in
        // float64, which takes Burn's path): the result is a constant.
        FloatTensor::<Self>::new(B::dense_input_grad(
            w.into_primitive(),
            grad.into_primitive(),
        ))
    }

    fn dense_param_grads(
        x: FloatTensor<Self>,
        grad: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        let (dw, db) = B::dense_param_grads(x.into_primitive(), grad.into_primitive());
        (FloatTensor::<Self>::new(dw), FloatTensor::<Self>::new(db))
    }

    fn cross_entropy(logits: FloatTensor<Self>, targets: IntTensor<Self>) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct CrossEntropyBackward;

        impl<B: Backend + DenseOps> Backward<B, 1> for CrossEntropyBackward {
            type State = (FloatTensor<B>, IntTensor<B>);

            fn backward(
                self,
                ops: Ops<Self::State, 1>,
                grads: &mut Gradients,
                _: &mut Checkpointer,
            ) {
                let (logits, targets) = ops.state;
                unary::<B, _>(ops.parents, ops.node, grads, |grad| {
                    B::cross_entropy_backward(logits, targets, grad)
                });
            }
        }

        let node = logits.node();
        let logits = logits.into_primitive();
        let out = B::cross_entropy(logits.clone(), targets.clone());
        match CrossEntropyBackward
            .prepare::<C>([node])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => prep.finish((logits, targets), out),
            OpsKind::UnTracked(prep) => prep.finish(out),
        }
    }

    fn cross_entropy_backward(
        logits: FloatTensor<Self>,
        targets: IntTensor<Self>,
        grad: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        FloatTensor::<Self>::new(B::cross_entropy_backward(
            logits.into_primitive(),
            targets,
            grad.into_primitive(),
        ))
    }
}
