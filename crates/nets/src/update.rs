//! The optimiser's update of one parameter tensor as one pass over its elements, cut
//! over the thread pool, with the bits of Burn's own chain of tensor operations.
//!
//! Burn's SGD is five whole-tensor operations per parameter (weight decay's product and
//! sum, momentum's two products and sum, the step's product and difference), each a pass
//! over memory, an allocation and a single thread: 0.6 ms of a 8 ms step of the book's
//! network on one thread, more than that on two. Here each element is updated once, with
//! the same float32 operations in the same order (no fused multiply-add), so a run gives
//! the bits it gave through Burn, on any number of threads (elements are independent).

/// Whether a parameter takes the fused update: float32 on Flex, fused kernels on (the
/// routing of the fused activations and dense layers).
pub use acts::fused_kernels_apply as applies;
use acts::{flex_tensor as flex, flex_values as values};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, Flex, TensorMetadata, backend_extension};
use burn::tensor::Tensor;
use rayon::prelude::*;

/// The optimisers' update of one parameter tensor, as Burn computes it (SGD with
/// dampening 0 and no Nesterov momentum; Adam without AMSGrad). Implemented for Flex in
/// float32 (the optimiser routes the rest to Burn's tensor operations).
#[backend_extension(Flex)]
pub trait UpdateOps: Backend {
    /// A step with no velocity yet (the first step with momentum, or any step without):
    /// `g = grad (+ param · decay)`, `param − g · lr`; returns (param, g), g being the
    /// velocity the next momentum step starts from.
    fn sgd_first(
        param: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        lr: f32,
        decay: Option<f32>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>);

    /// A momentum step: `g = grad (+ param · decay)`, `v = g + v · momentum`,
    /// `param − v · lr`; returns (param, v).
    fn sgd_momentum(
        param: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        velocity: FloatTensor<Self>,
        lr: f32,
        momentum: f32,
        decay: Option<f32>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>);

    /// An Adam step (not AMSGrad) at step `time` (1 on the first, when the moments
    /// passed in are not read): `g = grad (+ param · decay)`,
    /// `m1 = β1 m1 + (1 − β1) g`, `m2 = β2 m2 + (1 − β2) g²`,
    /// `param − lr · (m1 · c) / (√m2 + ε √(1 − β2^t))` with `c = √(1 − β2^t) / (1 − β1^t)`;
    /// `rule` is `[β1, β2, ε]`. Returns (param, m1, m2).
    #[allow(clippy::too_many_arguments)]
    fn adam(
        param: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        moment_1: FloatTensor<Self>,
        moment_2: FloatTensor<Self>,
        lr: f32,
        rule: [f32; 3],
        time: i32,
        decay: Option<f32>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
}

/// Elements per piece handed to the pool: a cut that does not depend on the thread count
/// (and nothing crosses pieces, so it could not change a bit anyway).
const PIECE: usize = 16 * 1024;

/// `g` of an element: the gradient with weight decay applied as Burn applies it
/// (`param · decay`, rounded, plus the gradient).
#[inline(always)]
fn decayed(param: f32, grad: f32, decay: Option<f32>) -> f32 {
    match decay {
        Some(decay) => param * decay + grad,
        None => grad,
    }
}

/// `f` applied to every element of `inputs` (all of one length), its outputs collected:
/// in pieces of [`PIECE`] elements over the pool when there is more than one.
fn elementwise<const I: usize, const O: usize>(
    inputs: [&[f32]; I],
    f: impl Fn([f32; I]) -> [f32; O] + Sync,
) -> [Vec<f32>; O] {
    let n = inputs[0].len();
    for input in &inputs {
        assert_eq!(input.len(), n, "an optimiser input of another size");
    }
    let mut outputs: [Vec<f32>; O] = std::array::from_fn(|_| vec![0.0f32; n]);
    let mut pieces: Vec<_> = outputs
        .iter_mut()
        .map(|o| o.chunks_mut(PIECE).collect::<Vec<_>>().into_iter())
        .collect();
    let work: Vec<(usize, [&mut [f32]; O])> = (0..n.div_ceil(PIECE))
        .map(|k| {
            (
                k * PIECE,
                std::array::from_fn(|j| pieces[j].next().unwrap()),
            )
        })
        .collect();
    work.into_par_iter().for_each(|(start, mut outs)| {
        for i in 0..outs[0].len() {
            let y = f(std::array::from_fn(|j| inputs[j][start + i]));
            for (out, y) in outs.iter_mut().zip(y) {
                out[i] = y;
            }
        }
    });
    outputs
}

impl UpdateOps for Flex {
    fn sgd_first(
        param: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        lr: f32,
        decay: Option<f32>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        let shape = param.shape();
        let [p, g] = elementwise([&values(&param), &values(&grad)], |[p, g]| {
            let g = decayed(p, g, decay);
            [p - g * lr, g]
        });
        (flex(p, shape.clone()), flex(g, shape))
    }

    fn sgd_momentum(
        param: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        velocity: FloatTensor<Self>,
        lr: f32,
        momentum: f32,
        decay: Option<f32>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        let shape = param.shape();
        let inputs = [&values(&param), &values(&grad), &values(&velocity)];
        let [p, v] = elementwise(inputs.map(|v| &v[..]), |[p, g, v]| {
            // Burn: grad · (1 − dampening) + velocity · momentum; the first product is
            // exact with dampening 0.
            let v = decayed(p, g, decay) + v * momentum;
            [p - v * lr, v]
        });
        (flex(p, shape.clone()), flex(v, shape))
    }

    fn adam(
        param: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        moment_1: FloatTensor<Self>,
        moment_2: FloatTensor<Self>,
        lr: f32,
        rule: [f32; 3],
        time: i32,
        decay: Option<f32>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let [beta_1, beta_2, epsilon] = rule;
        let shape = param.shape();
        let first = time == 1;
        let (f1, f2) = (1.0 - beta_1, 1.0 - beta_2);
        // Burn's scalars, in float32 as Burn computes them.
        let bias_correction2_sqrt = (1.0 - beta_2.powi(time)).sqrt();
        let combined = bias_correction2_sqrt / (1.0 - beta_1.powi(time));
        let shift = epsilon * bias_correction2_sqrt;
        let inputs = [
            &values(&param),
            &values(&grad),
            &values(&moment_1),
            &values(&moment_2),
        ];
        let [p, m1, m2] = elementwise(inputs.map(|v| &v[..]), |[p, g, m1, m2]| {
            let g = decayed(p, g, decay);
            let (m1, m2) = if first {
                (g * f1, (g * g) * f2)
            } else {
                (m1 * beta_1 + g * f1, m2 * beta_2 + (g * g) * f2)
            };
            let step = (m1 * combined) / (m2.sqrt() + shift);
            [p - step * lr, m1, m2]
        });
        (
            flex(p, shape.clone()),
            flex(m1, shape.clone()),
            flex(m2, shape),
        )
    }
}

/// [`UpdateOps::sgd_first`] on tensors; the caller has checked `acts::fused_kernels_apply`.
pub fn sgd_first<const D: usize>(
    param: Tensor<D>,
    grad: Tensor<D>,
    lr: f32,
    decay: Option<f32>,
) -> (Tensor<D>, Tensor<D>) {
    let (param, velocity) =
        <Dispatch as UpdateOps>::sgd_first(param.into_dispatch(), grad.into_dispatch(), lr, decay);
    (
        Tensor::from_dispatch(param),
        Tensor::from_dispatch(velocity),
    )
}

/// [`UpdateOps::sgd_momentum`] on tensors; the caller has checked
/// `acts::fused_kernels_apply`.
pub fn sgd_momentum<const D: usize>(
    param: Tensor<D>,
    grad: Tensor<D>,
    velocity: Tensor<D>,
    lr: f32,
    momentum: f32,
    decay: Option<f32>,
) -> (Tensor<D>, Tensor<D>) {
    let (param, velocity) = <Dispatch as UpdateOps>::sgd_momentum(
        param.into_dispatch(),
        grad.into_dispatch(),
        velocity.into_dispatch(),
        lr,
        momentum,
        decay,
    );
    (
        Tensor::from_dispatch(param),
        Tensor::from_dispatch(velocity),
    )
}

/// [`UpdateOps::adam`] on tensors; the caller has checked `acts::fused_kernels_apply`.
#[allow(clippy::too_many_arguments)]
pub fn adam<const D: usize>(
    param: Tensor<D>,
    grad: Tensor<D>,
    moments: (Tensor<D>, Tensor<D>),
    lr: f32,
    rule: [f32; 3],
    time: i32,
    decay: Option<f32>,
) -> (Tensor<D>, Tensor<D>, Tensor<D>) {
    let (param, m1, m2) = <Dispatch as UpdateOps>::adam(
        param.into_dispatch(),
        grad.into_dispatch(),
        moments.0.into_dispatch(),
        moments.1.into_dispatch(),
        lr,
        rule,
        time,
        decay,
    );
    (
        Tensor::from_dispatch(param),
        Tensor::from_dispatch(m1),
        Tensor::from_dispatch(m2),
    )
}
