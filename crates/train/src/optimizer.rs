//! The optimiser a [`TrainConfig`] describes.
//!
//! Both are Burn's rules with the update of each parameter fused into one pass over its
//! elements on the CPU (`nets::update`, the same bits as Burn's chain of tensor
//! operations, split over the threads): [`Sgd`] (dampening 0, as PyTorch and the book),
//! its state saved under the names Burn's `SgdState` uses, and [`Adam`], with Burn's own
//! state. Checkpoints written through Burn's optimisers load and resume exactly.

use burn::optim::decay::WeightDecayConfig;
use burn::optim::{
    AdamConfig, AdamState, AdaptiveMomentumState, LearningRate, ModuleOptimizer, Optimizer,
    RecordState, StateSink, StateSource, join_path,
};
use burn::tensor::{Device, ElementConversion, Tensor};
use spec::{OptimizerKind, TrainConfig};

/// The optimiser this config describes.
pub fn build_optimizer(config: &TrainConfig) -> ModuleOptimizer {
    let decay = (config.weight_decay > 0.0).then_some(config.weight_decay as f32);
    match config.optimizer {
        OptimizerKind::Sgd => ModuleOptimizer::from(Sgd {
            momentum: (config.momentum > 0.0).then(|| config.momentum.elem()),
            decay,
        }),
        OptimizerKind::Adam => {
            let [beta_1, beta_2, epsilon] = Adam::RULE;
            let config = AdamConfig::new()
                .with_beta_1(beta_1)
                .with_beta_2(beta_2)
                .with_epsilon(epsilon)
                .with_weight_decay(decay.map(WeightDecayConfig::new));
            ModuleOptimizer::from(Adam {
                decay,
                burn: config.build(),
            })
        }
    }
}

/// Adam (PyTorch's defaults: β = (0.9, 0.999), ε = 1e-8), with optional L2 weight decay.
#[derive(Clone)]
pub struct Adam {
    decay: Option<f32>,
    /// Burn's Adam with the same settings: the path for tensors the fused update does
    /// not take, and the state's device moves.
    burn: burn::optim::Adam,
}

impl Adam {
    /// `[β1, β2, ε]`: PyTorch's defaults (Burn's ε is 1e-5).
    const RULE: [f32; 3] = [0.9, 0.999, 1e-8];
}

impl Optimizer for Adam {
    type State<const D: usize> = AdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        if !nets::update::applies(&tensor) {
            return self.burn.step(lr, tensor, grad, state);
        }
        let (time, moments) = match state {
            Some(AdamState { momentum }) => {
                (momentum.time + 1, (momentum.moment_1, momentum.moment_2))
            }
            // Not read on the first step.
            None => (1, (grad.clone(), grad.clone())),
        };
        let step = i32::try_from(time).expect("fewer than 2^31 optimiser steps");
        let (tensor, m1, m2) = nets::update::adam(
            tensor,
            grad,
            moments,
            lr.elem(),
            Self::RULE,
            step,
            self.decay,
        );
        let momentum = AdaptiveMomentumState::new(time, m1, m2);
        (tensor, Some(AdamState::new(momentum)))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        burn::optim::Adam::to_device(state, device)
    }
}

/// Stochastic gradient descent with optional momentum (dampening 0, not Nesterov) and L2
/// weight decay: per parameter, `g = grad + decay · param`, `v = g + momentum · v`
/// (`v = g` on the first step), `param −= lr · v`, each operation rounded to the
/// parameter's type as Burn's `Sgd` rounds it.
#[derive(Clone, Debug)]
pub struct Sgd {
    /// Momentum (float32, as Burn keeps it); `None` for plain SGD.
    momentum: Option<f32>,
    /// The L2 penalty; `None` for none.
    decay: Option<f32>,
}

/// A parameter's state: its velocity, when the optimiser has momentum.
#[derive(Clone)]
pub struct SgdState<const D: usize> {
    velocity: Option<Tensor<D>>,
}

/// Where Burn's `SgdState { momentum: Some(MomentumState { velocity }) }` keeps the
/// velocity in a record: `<prefix>.momentum.velocity`.
const MOMENTUM: &str = "momentum";
const VELOCITY: &str = "velocity";

impl<const D: usize> RecordState for SgdState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        if let Some(velocity) = &self.velocity {
            let path = join_path(prefix, MOMENTUM);
            out.push_tensor(&path, VELOCITY, velocity.clone().into_data());
        }
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        let path = join_path(prefix, MOMENTUM);
        let velocity = if src.has_under(&path) {
            Some(Tensor::from_data(src.take_tensor(&path, VELOCITY)?, device))
        } else {
            None
        };
        Some(Self { velocity })
    }
}

impl Optimizer for Sgd {
    type State<const D: usize> = SgdState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let velocity = state.and_then(|s| s.velocity);
        let (tensor, velocity) = if nets::update::applies(&tensor) {
            let lr = lr.elem::<f32>();
            match (self.momentum, velocity) {
                (Some(momentum), Some(velocity)) => {
                    nets::update::sgd_momentum(tensor, grad, velocity, lr, momentum, self.decay)
                }
                _ => nets::update::sgd_first(tensor, grad, lr, self.decay),
            }
        } else {
            self.composed(lr, tensor, grad, velocity)
        };
        let velocity = self.momentum.map(|_| velocity);
        (tensor, Some(SgdState { velocity }))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        SgdState {
            velocity: state.velocity.map(|v| v.to_device(device)),
        }
    }
}

impl Sgd {
    /// The update as Burn's `Sgd` composes it from tensor operations (float64, wgpu,
    /// `ACTLAB_FUSED=0`): returns the parameter and `g` or the new velocity.
    fn composed<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        mut grad: Tensor<D>,
        velocity: Option<Tensor<D>>,
    ) -> (Tensor<D>, Tensor<D>) {
        if let Some(decay) = self.decay {
            grad = tensor.clone().mul_scalar(decay).add(grad);
        }
        let velocity = match (self.momentum, velocity) {
            // Burn multiplies the gradient by 1 − dampening = 1 first: exact, left out.
            (Some(momentum), Some(velocity)) => grad.add(velocity.mul_scalar(momentum)),
            _ => grad,
        };
        (tensor - velocity.clone().mul_scalar(lr), velocity)
    }
}
