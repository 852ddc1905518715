//! Normalisation between a hidden layer's Linear map and its activation (`norm =`):
//! Burn's own LayerNorm and BatchNorm, with PyTorch's defaults (ε = 1e-5; BatchNorm's
//! momentum 0.1). BatchNorm uses the batch's statistics on an autodiff device (while
//! training) and its running ones otherwise (evaluation and the probes, on the inference
//! copy); its running statistics are module state, so checkpoints and resume points
//! carry them.

use burn::module::Module;
use burn::nn::{BatchNorm, BatchNormConfig, LayerNorm, LayerNormConfig};
use burn::tensor::{Device, Tensor};
use spec::NormKind;

/// One hidden layer's normalisation.
#[derive(Module, Debug)]
pub enum Norm {
    /// Over each sample's units.
    Layer(LayerNorm),
    /// Over the batch, per unit.
    Batch(BatchNorm),
}

impl Norm {
    /// The normalisation `kind` of a layer of `units`, if any.
    pub fn init(kind: NormKind, units: usize, device: &Device) -> Option<Self> {
        match kind {
            NormKind::None => None,
            NormKind::Layer => Some(Norm::Layer(LayerNormConfig::new(units).init(device))),
            NormKind::Batch => Some(Norm::Batch(BatchNormConfig::new(units).init(device))),
        }
    }

    /// Values it keeps that training does not optimise (BatchNorm's running mean and
    /// variance), which Burn's `num_params` counts.
    pub fn buffers(&self) -> usize {
        match self {
            Norm::Layer(_) => 0,
            Norm::Batch(norm) => 2 * norm.gamma.shape().num_elements(),
        }
    }

    /// The normalised pre-activations `[batch, units]`.
    pub fn forward(&self, z: Tensor<2>) -> Tensor<2> {
        match self {
            Norm::Layer(norm) => norm.forward(z),
            Norm::Batch(norm) => norm.forward(z),
        }
    }
}
