//! Layer-sequential unit variance (Mishkin and Matas, "All you need is a good init",
//! 2016): the data-dependent part of `init = "lsuv"`. Written here because Burn has no
//! data-dependent initialiser; it follows the authors' algorithm and their PyTorch code
//! (`LSUVinit`: orthogonal weights first, variance tolerance 0.1, at most 10 rescalings).

use burn::module::Module;
use burn::tensor::{Device, Tensor};
use spec::{NetError, NetworkConfig};

use crate::SimpleNetwork;

/// How far from 1 a layer's output variance may stay.
pub const LSUV_TOLERANCE: f64 = 0.1;
/// Most rescalings of one layer.
pub const LSUV_MAX_RESCALES: usize = 10;
/// Training images in the batch LSUV measures on (the first ones of the training set).
pub const LSUV_BATCH: usize = 512;

/// The variance of every value of `t` (population variance, in float64).
fn variance(t: &Tensor<2>) -> f64 {
    let values: Vec<f32> = t
        .clone()
        .into_data()
        .try_into_vec()
        .expect("float32 activations");
    let n = values.len().max(1) as f64;
    let mean = values.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    values
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n
}

impl SimpleNetwork {
    /// The network as a run starts from it: [`SimpleNetwork::new`], then, for a
    /// data-dependent initialisation (LSUV), rescaled on `images(n)`: the first `n`
    /// training images.
    pub fn initialised(
        config: &NetworkConfig,
        device: &Device,
        images: impl FnOnce(usize) -> Tensor<2>,
    ) -> Result<Self, NetError> {
        let mut network = Self::new(config, device)?;
        if config.init.is_data_dependent() {
            network.lsuv(images(LSUV_BATCH));
        }
        Ok(network)
    }

    /// Rescales every Linear layer, input side first, until its outputs on `images`
    /// have variance 1 (within [`LSUV_TOLERANCE`], at most [`LSUV_MAX_RESCALES`] times),
    /// each layer measured on the outputs of the layers before it as rescaled. The
    /// measuring runs on the inference copy (RReLU at its mean slope, no random draw),
    /// and each factor is applied to both copies alike, so the training network ends
    /// with exactly the measured weights. Returns the variance each layer ended with.
    pub fn lsuv(&mut self, images: Tensor<2>) -> Vec<f64> {
        self.initialise_in_forward_order();
        let mut measured = self.valid();
        // Measured without autodiff, wherever the images come from.
        let mut h = images.without_autodiff();
        let mut reached = Vec::with_capacity(self.hidden.len() + 1);
        for i in 0..=self.hidden.len() {
            let mut var = 0.0;
            for attempt in 0..=LSUV_MAX_RESCALES {
                let z = crate::dense::linear(measured.linear_mut(i), h.clone());
                var = variance(&z);
                if (var - 1.0).abs() < LSUV_TOLERANCE || attempt == LSUV_MAX_RESCALES || var == 0.0
                {
                    h = match i < self.hidden.len() {
                        // No convolution comes first: LSUV refuses them.
                        true => measured.apply_activation(i, z),
                        false => z,
                    };
                    break;
                }
                let scale = (1.0 / var.sqrt()) as f32;
                for layer in [measured.linear_mut(i), self.linear_mut(i)] {
                    let weight = layer.weight.clone();
                    // The product is the new leaf: no graph back to the old weights.
                    layer.weight = weight.map(|w| match w.is_autodiff() {
                        true => w.mul_scalar(scale).detach().require_grad(),
                        false => w.mul_scalar(scale),
                    });
                }
            }
            reached.push(var);
        }
        reached
    }

    /// Linear layer `i`: a hidden one, or the output layer for `i == hidden.len()`.
    fn linear_mut(&mut self, i: usize) -> &mut burn::nn::Linear {
        match self.hidden.get_mut(i) {
            Some(layer) => layer,
            None => &mut self.output,
        }
    }
}
