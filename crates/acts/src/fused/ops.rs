//! The backend extension: the operations, their Flex kernels, and their backward passes
//! under Burn's autodiff (the GPU kernels are in `cube`).

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind, unary};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Flex, TensorMetadata, backend_extension};
use burn::tensor::{DType, Shape, TensorData};

use super::expr::ExprKernel;
use super::kernels;
use super::staf_kernels::{self, Terms};
use spec::FusedKernel;
use std::sync::Arc;

/// The fused activations, TeLU, STAF and compiled user expressions. Implemented for Flex
/// (CPU kernels) and, with the `wgpu` feature, for Burn's CubeCL backend (`#[cube]`
/// kernels, run lazily inside Burn's operation fusion), and routed through Autodiff; the
/// callers in `acts` use them where the module's `kernels_apply` holds.
#[backend_extension(
    Flex,
    Cube: cfg(feature = "wgpu"),
    Fusion: cfg(feature = "wgpu"),
    Autodiff
)]
pub trait FusedOps: Backend {
    /// `function(x)` element-wise.
    #[fusion(dtype = x, shape = x)]
    fn fused_activation(x: FloatTensor<Self>, function: FusedKernel) -> FloatTensor<Self>;
    /// `grad * function'(x)` element-wise.
    #[fusion(dtype = x, shape = x)]
    fn fused_activation_backward(
        x: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        function: FusedKernel,
    ) -> FloatTensor<Self>;
    /// TeLU with `alpha` of shape `[1]` or `[units]` (x's last dimension).
    #[fusion(dtype = x, shape = x)]
    fn telu(x: FloatTensor<Self>, alpha: FloatTensor<Self>) -> FloatTensor<Self>;
    /// TeLU's gradients with respect to x and alpha.
    #[fusion(meta = |x, alpha, _grad| (x.clone(), alpha.clone()))]
    fn telu_backward(
        x: FloatTensor<Self>,
        alpha: FloatTensor<Self>,
        grad: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>);
    /// STAF's value.
    #[fusion(dtype = x, shape = x)]
    fn staf(
        x: FloatTensor<Self>,
        c: FloatTensor<Self>,
        omega: FloatTensor<Self>,
        phi: FloatTensor<Self>,
        units: usize,
    ) -> FloatTensor<Self>;
    /// STAF's gradients with respect to x and the parameters (C, Omega, Phi together,
    /// `[3, units * tau]`).
    #[fusion(meta = super::cube::staf_gradient_specs)]
    fn staf_backward(
        x: FloatTensor<Self>,
        c: FloatTensor<Self>,
        omega: FloatTensor<Self>,
        phi: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        units: usize,
    ) -> (FloatTensor<Self>, FloatTensor<Self>);
    /// A compiled user expression; `params` is `[params, size]` (size 1 or x's last
    /// dimension; `[1, 1]` and unread when the expression has none).
    #[fusion(dtype = x, shape = x)]
    fn expression(
        x: FloatTensor<Self>,
        params: FloatTensor<Self>,
        kernel: Arc<ExprKernel>,
    ) -> FloatTensor<Self>;
    /// The expression's gradients with respect to x and its parameters (`[params, size]`).
    #[fusion(meta = |x, params, _grad, _kernel| (x.clone(), params.clone()))]
    fn expression_backward(
        x: FloatTensor<Self>,
        params: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        kernel: Arc<ExprKernel>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>);
}

/// A Flex tensor's values, contiguous float32 (the kernels of acts and of nets' dense
/// layers read their inputs through this).
pub fn flex_values(tensor: &FloatTensor<Flex>) -> std::borrow::Cow<'_, [f32]> {
    assert_eq!(
        tensor.dtype(),
        DType::F32,
        "fused kernels take float32 (their callers route other types to tensor operations)"
    );
    match tensor.as_slice::<f32>() {
        Some(slice) => std::borrow::Cow::Borrowed(slice),
        None => std::borrow::Cow::Owned(tensor.to_contiguous().as_slice::<f32>().unwrap().to_vec()),
    }
}

/// A float32 Flex tensor of `shape` holding `values`.
pub fn flex_tensor(values: Vec<f32>, shape: impl Into<Shape>) -> FloatTensor<Flex> {
    FloatTensor::<Flex>::from_data(TensorData::new(values, shape.into()))
}

use flex_tensor as flex;
use flex_values as values;

fn staf_terms(
    c: &FloatTensor<Flex>,
    omega: &FloatTensor<Flex>,
    phi: &FloatTensor<Flex>,
    units: usize,
) -> Terms {
    Terms::from_unit_major(&values(c), &values(omega), &values(phi), units)
}

impl FusedOps for Flex {
    fn fused_activation(x: FloatTensor<Self>, function: FusedKernel) -> FloatTensor<Self> {
        let input = values(&x);
        let mut out = vec![0.0f32; input.len()];
        kernels::forward(function, &input, &mut out);
        flex(out, x.shape())
    }

    fn fused_activation_backward(
        x: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        function: FusedKernel,
    ) -> FloatTensor<Self> {
        let (input, grad_values) = (values(&x), values(&grad));
        let mut out = vec![0.0f32; input.len()];
        kernels::backward(function, &input, &grad_values, &mut out);
        flex(out, x.shape())
    }

    fn telu(x: FloatTensor<Self>, alpha: FloatTensor<Self>) -> FloatTensor<Self> {
        let input = values(&x);
        let mut out = vec![0.0f32; input.len()];
        kernels::telu_forward(&input, &values(&alpha), &mut out);
        flex(out, x.shape())
    }

    fn telu_backward(
        x: FloatTensor<Self>,
        alpha: FloatTensor<Self>,
        grad: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        let input = values(&x);
        let mut dx = vec![0.0f32; input.len()];
        let dalpha = kernels::telu_backward(&input, &values(&alpha), &values(&grad), &mut dx);
        (flex(dx, x.shape()), flex(dalpha, alpha.shape()))
    }

    fn staf(
        x: FloatTensor<Self>,
        c: FloatTensor<Self>,
        omega: FloatTensor<Self>,
        phi: FloatTensor<Self>,
        units: usize,
    ) -> FloatTensor<Self> {
        let terms = staf_terms(&c, &omega, &phi, units);
        flex(staf_kernels::forward(&values(&x), &terms), x.shape())
    }

    fn staf_backward(
        x: FloatTensor<Self>,
        c: FloatTensor<Self>,
        omega: FloatTensor<Self>,
        phi: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        units: usize,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        let terms = staf_terms(&c, &omega, &phi, units);
        let (dx, dc, domega, dphi) = staf_kernels::backward(&values(&x), &terms, &values(&grad));
        let params: Vec<f32> = [dc, domega, dphi]
            .iter()
            .flat_map(|p| terms.to_unit_major(p))
            .collect();
        let size = params.len() / 3;
        (flex(dx, x.shape()), flex(params, Shape::new([3, size])))
    }

    fn expression(
        x: FloatTensor<Self>,
        params: FloatTensor<Self>,
        kernel: Arc<ExprKernel>,
    ) -> FloatTensor<Self> {
        let input = values(&x);
        let mut out = vec![0.0f32; input.len()];
        kernel.forward(&input, &values(&params), params.shape()[1], &mut out);
        flex(out, x.shape())
    }

    fn expression_backward(
        x: FloatTensor<Self>,
        params: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        kernel: Arc<ExprKernel>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        let input = values(&x);
        let mut dx = vec![0.0f32; input.len()];
        let size = params.shape()[1];
        let mut dparams = kernel.backward(&input, &values(&params), size, &values(&grad), &mut dx);
        if kernel.params() == 0 {
            dparams = vec![0.0; params.shape().num_elements()];
        }
        (flex(dx, x.shape()), flex(dparams, params.shape()))
    }
}

/// Rows `index` of a `[3, size]` tensor, as `[size]`.
fn row<B: Backend>(stacked: FloatTensor<B>, index: usize) -> FloatTensor<B> {
    let size = stacked.shape()[1];
    let slice = B::float_slice(stacked, &[(index..index + 1).into(), (0..size).into()]);
    B::float_reshape(slice, Shape::new([size]))
}

/// A tensor under autodiff.
type Tracked<B, C> = FloatTensor<Autodiff<B, C>>;

/// `(dx, dparam)` from x, the parameter, the incoming gradient and the extra argument.
type PairGradients<B, E> =
    fn(FloatTensor<B>, FloatTensor<B>, FloatTensor<B>, E) -> (FloatTensor<B>, FloatTensor<B>);

/// The backward pass of an operation of x and one parameter tensor whose backend
/// computes both gradients in one call (TeLU, user expressions), `extra` the operation's
/// non-tensor argument.
struct PairBackward<B: Backend, E> {
    backward: PairGradients<B, E>,
}

impl<B: Backend, E> std::fmt::Debug for PairBackward<B, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PairBackward")
    }
}

impl<B: Backend, E: Clone + Send + std::fmt::Debug + 'static> Backward<B, 2>
    for PairBackward<B, E>
{
    type State = (FloatTensor<B>, FloatTensor<B>, E);

    fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, _: &mut Checkpointer) {
        let (x, param, extra) = ops.state;
        let [node_x, node_param] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let (dx, dparam) = (self.backward)(x, param, grad, extra);
        if let Some(node) = node_x {
            grads.register::<B>(node.id, dx);
        }
        if let Some(node) = node_param {
            grads.register::<B>(node.id, dparam);
        }
    }
}

/// `forward(x, param, extra)` under autodiff, differentiated by `backward`.
fn with_pair_backward<B: Backend, C: CheckpointStrategy, E>(
    x: Tracked<B, C>,
    param: Tracked<B, C>,
    extra: E,
    forward: fn(FloatTensor<B>, FloatTensor<B>, E) -> FloatTensor<B>,
    backward: PairGradients<B, E>,
) -> Tracked<B, C>
where
    E: Clone + Send + std::fmt::Debug + 'static,
{
    let nodes = [x.node(), param.node()];
    let (x, param) = (x.into_primitive(), param.into_primitive());
    let out = forward(x.clone(), param.clone(), extra.clone());
    match (PairBackward { backward })
        .prepare::<C>(nodes)
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(prep) => prep.finish((x, param, extra), out),
        OpsKind::UnTracked(prep) => prep.finish(out),
    }
}

/// A pair backward called on autodiff tensors: its gradients are constants (actlab needs
/// no gradient of a gradient; the curvature probes take finite differences of gradients).
fn constant_pair<B: Backend, C: CheckpointStrategy, E>(
    x: Tracked<B, C>,
    param: Tracked<B, C>,
    grad: Tracked<B, C>,
    extra: E,
    backward: PairGradients<B, E>,
) -> (Tracked<B, C>, Tracked<B, C>) {
    let (dx, dparam) = backward(
        x.into_primitive(),
        param.into_primitive(),
        grad.into_primitive(),
        extra,
    );
    (
        FloatTensor::<Autodiff<B, C>>::new(dx),
        FloatTensor::<Autodiff<B, C>>::new(dparam),
    )
}

impl<B: Backend + FusedOps, C: CheckpointStrategy> FusedOps for Autodiff<B, C> {
    fn fused_activation(x: FloatTensor<Self>, function: FusedKernel) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct FusedBackward;

        impl<B: Backend + FusedOps> Backward<B, 1> for FusedBackward {
            type State = (FloatTensor<B>, FusedKernel);

            fn backward(
                self,
                ops: Ops<Self::State, 1>,
                grads: &mut Gradients,
                _: &mut Checkpointer,
            ) {
                let (x, function) = ops.state;
                unary::<B, _>(ops.parents, ops.node, grads, |grad| {
                    B::fused_activation_backward(x, grad, function)
                });
            }
        }

        let node = x.node();
        let input = x.into_primitive();
        let out = B::fused_activation(input.clone(), function);
        match FusedBackward
            .prepare::<C>([node])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => prep.finish((input, function), out),
            OpsKind::UnTracked(prep) => prep.finish(out),
        }
    }

    fn fused_activation_backward(
        x: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        function: FusedKernel,
    ) -> FloatTensor<Self> {
        // A gradient of a gradient is not needed by actlab (curvature probes take finite
        // differences of gradients): the result is a constant.
        let out = B::fused_activation_backward(x.into_primitive(), grad.into_primitive(), function);
        FloatTensor::<Self>::new(out)
    }

    fn telu(x: FloatTensor<Self>, alpha: FloatTensor<Self>) -> FloatTensor<Self> {
        with_pair_backward::<B, C, ()>(
            x,
            alpha,
            (),
            |x, alpha, ()| B::telu(x, alpha),
            |x, alpha, grad, ()| B::telu_backward(x, alpha, grad),
        )
    }

    fn telu_backward(
        x: FloatTensor<Self>,
        alpha: FloatTensor<Self>,
        grad: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        constant_pair::<B, C, ()>(x, alpha, grad, (), |x, alpha, grad, ()| {
            B::telu_backward(x, alpha, grad)
        })
    }

    fn staf(
        x: FloatTensor<Self>,
        c: FloatTensor<Self>,
        omega: FloatTensor<Self>,
        phi: FloatTensor<Self>,
        units: usize,
    ) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct StafBackward;

        /// x, C, Omega, Phi, units.
        type StafState<B> = (
            FloatTensor<B>,
            FloatTensor<B>,
            FloatTensor<B>,
            FloatTensor<B>,
            usize,
        );

        impl<B: Backend + FusedOps> Backward<B, 4> for StafBackward {
            type State = StafState<B>;

            fn backward(
                self,
                ops: Ops<Self::State, 4>,
                grads: &mut Gradients,
                _: &mut Checkpointer,
            ) {
                let (x, c, omega, phi, units) = ops.state;
                let grad = grads.consume::<B>(&ops.node);
                let (dx, params) = B::staf_backward(x, c, omega, phi, grad, units);
                let [node_x, node_c, node_omega, node_phi] = ops.parents;
                if let Some(node) = node_x {
                    grads.register::<B>(node.id, dx);
                }
                for (index, node) in [node_c, node_omega, node_phi].into_iter().enumerate() {
                    if let Some(node) = node {
                        grads.register::<B>(node.id, row::<B>(params.clone(), index));
                    }
                }
            }
        }

        let nodes = [x.node(), c.node(), omega.node(), phi.node()];
        let (x, c, omega, phi) = (
            x.into_primitive(),
            c.into_primitive(),
            omega.into_primitive(),
            phi.into_primitive(),
        );
        let y = B::staf(x.clone(), c.clone(), omega.clone(), phi.clone(), units);
        match StafBackward.prepare::<C>(nodes).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish((x, c, omega, phi, units), y),
            OpsKind::UnTracked(prep) => prep.finish(y),
        }
    }

    fn staf_backward(
        x: FloatTensor<Self>,
        c: FloatTensor<Self>,
        omega: FloatTensor<Self>,
        phi: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        units: usize,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        let (dx, params) = B::staf_backward(
            x.into_primitive(),
            c.into_primitive(),
            omega.into_primitive(),
            phi.into_primitive(),
            grad.into_primitive(),
            units,
        );
        (
            FloatTensor::<Self>::new(dx),
            FloatTensor::<Self>::new(params),
        )
    }

    fn expression(
        x: FloatTensor<Self>,
        params: FloatTensor<Self>,
        kernel: Arc<ExprKernel>,
    ) -> FloatTensor<Self> {
        with_pair_backward::<B, C, _>(x, params, kernel, B::expression, B::expression_backward)
    }

    fn expression_backward(
        x: FloatTensor<Self>,
        params: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        kernel: Arc<ExprKernel>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        constant_pair::<B, C, _>(x, params, grad, kernel, B::expression_backward)
    }
}
