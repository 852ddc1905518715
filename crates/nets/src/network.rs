//! The MLP itself.

use acts::Activation;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::{Device, Tensor};

use spec::{NetError, NetworkConfig};

/// Linear layers with an activation after each hidden one (the book's `SimpleNetwork`).
#[derive(Module, Debug)]
pub struct SimpleNetwork {
    /// Hidden Linear layers, input side first.
    pub hidden: Vec<Linear>,
    /// The final Linear layer producing logits.
    pub output: Linear,
    /// No module (no activation), one (used after every hidden layer, as the book's
    /// shared module), or one per hidden layer. A shared module's parameters live here
    /// once: a `Param` cloned into several layers would not stay shared under the optimiser.
    pub activations: Vec<Activation>,
}

impl SimpleNetwork {
    /// Builds the network with Burn's default Linear initialisation (PyTorch's
    /// Kaiming-uniform), drawing from the device's random stream.
    pub fn new(config: &NetworkConfig, device: &Device) -> Result<Self, NetError> {
        config.check()?;
        let mut shapes = config.linear_shapes();
        let (out_in, out_out) = shapes.pop().expect("at least the output layer");
        let hidden: Vec<Linear> = shapes
            .iter()
            .map(|&(i, o)| LinearConfig::new(i, o).init(device))
            .collect();
        let output = LinearConfig::new(out_in, out_out).init(device);
        let activations = match &config.activation {
            Some(act) => act
                .module_units(&config.hidden)
                .into_iter()
                .map(|units| Activation::from_config(act, units, device))
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        Ok(Self {
            hidden,
            output,
            activations,
        })
    }

    /// The activation applied after hidden layer `layer`, if any.
    fn activation(&self, layer: usize) -> Option<&Activation> {
        match self.activations.len() {
            0 => None,
            1 => self.activations.first(),
            _ => self.activations.get(layer),
        }
    }

    /// Logits for a batch `[batch, input]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let hidden = self.hidden.iter().enumerate().fold(x, |h, (i, linear)| {
            self.apply_activation(i, linear.forward(h))
        });
        self.output.forward(hidden)
    }

    /// Logits and every hidden layer's post-activation output, for probes (Burn has no
    /// forward hooks, so the network hands them out itself).
    pub fn forward_with_hidden(&self, x: Tensor<2>) -> (Tensor<2>, Vec<Tensor<2>>) {
        let mut outputs = Vec::with_capacity(self.hidden.len());
        let mut h = x;
        for (i, linear) in self.hidden.iter().enumerate() {
            h = self.apply_activation(i, linear.forward(h));
            outputs.push(h.clone());
        }
        (self.output.forward(h), outputs)
    }

    fn apply_activation(&self, layer: usize, z: Tensor<2>) -> Tensor<2> {
        match self.activation(layer) {
            Some(act) => act.forward(z),
            None => z,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use acts::{ActivationConfig, ActivationKind, Scope};
    use burn::tensor::Distribution;

    fn count(kind: Option<ActivationKind>, scope: Scope) -> usize {
        let device = Device::flex();
        let mut cfg = NetworkConfig::book(ActivationConfig::new(ActivationKind::ReLU));
        cfg.activation = kind.map(|k| ActivationConfig::new(k).with_scope(scope));
        SimpleNetwork::new(&cfg, &device).unwrap().num_params()
    }

    #[test]
    fn parameter_totals_match_the_book() {
        assert_eq!(count(None, Scope::Shared), 283_914);
        for kind in ["Sigmoid", "ReLU", "GELU", "Swish", "RReLU"] {
            assert_eq!(
                count(Some(kind.parse().unwrap()), Scope::Shared),
                283_914,
                "{kind}"
            );
        }
        assert_eq!(count(Some(ActivationKind::PReLU), Scope::Shared), 283_915);
        assert_eq!(count(Some(ActivationKind::TeLU), Scope::Shared), 283_915);
        assert_eq!(count(Some(ActivationKind::STAF), Scope::Shared), 283_989);
        assert_eq!(
            count(Some(ActivationKind::STAF), Scope::PerLayer),
            283_914 + 4 * 75
        );
    }

    #[test]
    fn forward_shapes_and_hidden_outputs() {
        let device = Device::flex();
        let cfg = NetworkConfig::book(ActivationConfig::new(ActivationKind::ReLU));
        let net = SimpleNetwork::new(&cfg, &device).unwrap();
        let x = Tensor::<2>::random([5, 784], Distribution::Default, &device);
        let (logits, hidden) = net.forward_with_hidden(x.clone());
        assert_eq!(logits.dims(), [5, 10]);
        let widths: Vec<usize> = hidden.iter().map(|h| h.dims()[1]).collect();
        assert_eq!(widths, [256, 192, 128, 64]);
        let min: f32 = hidden[0].clone().min().into_scalar();
        assert!(min >= 0.0, "ReLU outputs are non-negative");
        let direct: Vec<f32> = net.forward(x).into_data().try_into_vec::<f32>().unwrap();
        let via_hidden: Vec<f32> = logits.into_data().try_into_vec::<f32>().unwrap();
        assert_eq!(direct, via_hidden);
    }
}
