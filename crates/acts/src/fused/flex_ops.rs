//! The operation whose kernel exists on the CPU (Flex) alone: a per-unit parameter
//! repeated to x's shape so that its gradient is summed in a fixed order (Burn's
//! broadcast sums follow the CPU's vector width). On every other device the callers
//! broadcast (see the module's `applies`); GPU reductions are in the device's own order.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind, unary};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Flex, TensorMetadata, backend_extension};
use burn::tensor::Shape;

use super::kernels;
use super::ops::{flex_tensor as flex, flex_values as values};

/// A kernel for Flex alone, routed through Autodiff; the callers in `acts` use them only
/// on Flex (the module's `applies`).
#[backend_extension(Flex, Autodiff)]
pub trait FlexOps: Backend {
    /// A parameter `[1]` or `[units]` repeated into a `[rows, units]` tensor, so that the
    /// expressions using it are element-wise and its gradient is summed here, in a fixed
    /// order, not by Burn's broadcast (whose sums follow the CPU's vector width).
    fn expand_param(param: FloatTensor<Self>, rows: usize, units: usize) -> FloatTensor<Self>;
    /// `grad` `[rows, units]` summed back to the parameter's `size` (1 or units).
    fn expand_param_backward(grad: FloatTensor<Self>, size: usize) -> FloatTensor<Self>;
}

impl FlexOps for Flex {
    fn expand_param(param: FloatTensor<Self>, rows: usize, units: usize) -> FloatTensor<Self> {
        let values = values(&param);
        assert!(
            values.len() == 1 || values.len() == units,
            "a parameter of {} values for {units} units",
            values.len()
        );
        let mut repeated = Vec::with_capacity(rows * units);
        if values.len() == 1 {
            repeated.resize(rows * units, values[0]);
        } else {
            for _ in 0..rows {
                repeated.extend_from_slice(&values);
            }
        }
        flex(repeated, Shape::new([rows, units]))
    }

    fn expand_param_backward(grad: FloatTensor<Self>, size: usize) -> FloatTensor<Self> {
        let grad_values = values(&grad);
        let rows = grad_values.len() / size.max(1);
        let sums = kernels::sum_columns(&grad_values, rows, size);
        flex(sums, Shape::new([size]))
    }
}

impl<B: Backend + FlexOps, C: CheckpointStrategy> FlexOps for Autodiff<B, C> {
    fn expand_param(param: FloatTensor<Self>, rows: usize, units: usize) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct ExpandBackward;

        impl<B: Backend + FlexOps> Backward<B, 1> for ExpandBackward {
            type State = usize;

            fn backward(
                self,
                ops: Ops<Self::State, 1>,
                grads: &mut Gradients,
                _: &mut Checkpointer,
            ) {
                let size = ops.state;
                unary::<B, _>(ops.parents, ops.node, grads, |grad| {
                    B::expand_param_backward(grad, size)
                });
            }
        }

        let node = param.node();
        let param = param.into_primitive();
        let size = param.shape().num_elements();
        let out = B::expand_param(param, rows, units);
        match ExpandBackward
            .prepare::<C>([node])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => prep.finish(size, out),
            OpsKind::UnTracked(prep) => prep.finish(out),
        }
    }

    fn expand_param_backward(grad: FloatTensor<Self>, size: usize) -> FloatTensor<Self> {
        FloatTensor::<Self>::new(B::expand_param_backward(grad.into_primitive(), size))
    }
}
