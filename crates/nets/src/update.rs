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
use acts::{ELEMENTWISE_PIECE as PIECE, each_piece, flex_tensor as flex, flex_values as values};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, Flex, TensorMetadata, backend_extension};
use burn::tensor::Tensor;

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

/// `g` of an element: the gradient with weight decay applied as Burn applies it
/// (`param · decay`, rounded, plus the gradient).
#[inline(always)]
fn decayed(param: f32, grad: f32, decay: Option<f32>) -> f32 {
    match decay {
        Some(decay) => param * decay + grad,
        None => grad,
    }
}

/// One piece of an update: its slices of the inputs and of the outputs.
type Piece<'a, const I: usize, const O: usize> = ([&'a [f32]; I], [&'a mut [f32]; O]);

/// `update` run on pieces of [`PIECE`] elements of `inputs` (read) and `outputs`
/// (updated in place), all of one length, over the pool when there is more than one
/// piece (`acts::each_piece`, the fused activations' mechanism). `update` is a plain
/// loop over the piece's slices (zipped, so that it vectorises: a loop with indices and
/// bounds checks, writing to fresh buffers, was measured slower than Burn's five
/// passes, which work in place).
fn elementwise<const I: usize, const O: usize>(
    inputs: [&[f32]; I],
    outputs: [&mut [f32]; O],
    update: impl Fn([&[f32]; I], [&mut [f32]; O]) + Sync,
) {
    let n = outputs[0].len();
    for len in inputs
        .iter()
        .map(|s| s.len())
        .chain(outputs.iter().map(|s| s.len()))
    {
        assert_eq!(len, n, "an optimiser tensor of another size");
    }
    let mut out_pieces = outputs.map(|o| o.chunks_mut(PIECE));
    let work: Vec<Piece<I, O>> = (0..n.div_ceil(PIECE))
        .map(|k| {
            let at = k * PIECE..((k + 1) * PIECE).min(n);
            (
                inputs.map(|input| &input[at.clone()]),
                std::array::from_fn(|j| out_pieces[j].next().unwrap()),
            )
        })
        .collect();
    each_piece(work, 2, |(ins, outs)| vmath::run(|| update(ins, outs)));
}

/// `tensor` with storage of its own, contiguous from offset 0: itself when it already is
/// (the optimiser's tensors usually are: nothing else holds them), else a copy.
fn writable(mut tensor: FloatTensor<Flex>) -> FloatTensor<Flex> {
    let n = tensor.shape().num_elements();
    let whole = tensor.layout().contiguous_offsets() == Some((0, n));
    if whole
        && tensor
            .try_storage_mut::<f32>()
            .is_some_and(|s| s.len() == n)
    {
        return tensor;
    }
    let shape = tensor.shape();
    flex(values(&tensor).into_owned(), shape)
}

/// The elements of a tensor from [`writable`].
fn storage(tensor: &mut FloatTensor<Flex>) -> &mut [f32] {
    tensor
        .try_storage_mut::<f32>()
        .expect("a writable tensor owns its storage")
}

impl UpdateOps for Flex {
    fn sgd_first(
        param: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        lr: f32,
        decay: Option<f32>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        let (mut param, mut grad) = (writable(param), writable(grad));
        elementwise(
            [],
            [storage(&mut param), storage(&mut grad)],
            |[], [p, g]| {
                for (p, g) in p.iter_mut().zip(g.iter_mut()) {
                    *g = decayed(*p, *g, decay);
                    *p -= *g * lr;
                }
            },
        );
        (param, grad)
    }

    fn sgd_momentum(
        param: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        velocity: FloatTensor<Self>,
        lr: f32,
        momentum: f32,
        decay: Option<f32>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        let (mut param, mut velocity) = (writable(param), writable(velocity));
        let grad = values(&grad);
        let outputs = [storage(&mut param), storage(&mut velocity)];
        elementwise([&grad[..]], outputs, |[g], [p, v]| {
            for ((p, v), &g) in p.iter_mut().zip(v.iter_mut()).zip(g) {
                // Burn: grad · (1 − dampening) + velocity · momentum; the first product
                // is exact with dampening 0.
                *v = decayed(*p, g, decay) + *v * momentum;
                *p -= *v * lr;
            }
        });
        (param, velocity)
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
        let first = time == 1;
        let (f1, f2) = (1.0 - beta_1, 1.0 - beta_2);
        // Burn's scalars, in float32 as Burn computes them.
        let bias_correction2_sqrt = (1.0 - beta_2.powi(time)).sqrt();
        let combined = bias_correction2_sqrt / (1.0 - beta_1.powi(time));
        let shift = epsilon * bias_correction2_sqrt;
        let mut param = writable(param);
        let (mut m1, mut m2) = (writable(moment_1), writable(moment_2));
        let grad = values(&grad);
        let outputs = [storage(&mut param), storage(&mut m1), storage(&mut m2)];
        elementwise([&grad[..]], outputs, |[g], [p, m1, m2]| {
            let moments = m1.iter_mut().zip(m2.iter_mut());
            for ((p, (m1, m2)), &g) in p.iter_mut().zip(moments).zip(g) {
                let g = decayed(*p, g, decay);
                if first {
                    *m1 = g * f1;
                    *m2 = (g * g) * f2;
                } else {
                    *m1 = *m1 * beta_1 + g * f1;
                    *m2 = *m2 * beta_2 + (g * g) * f2;
                }
                *p -= (*m1 * combined) / (m2.sqrt() + shift) * lr;
            }
        });
        (param, m1, m2)
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
