//! The MLP itself.

use acts::Activation;
use burn::module::Module;
use burn::nn::conv::Conv2d;
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::TensorData;
use burn::tensor::{Device, Tensor};

use spec::{InitScheme, LayerKind, NetError, NetworkConfig};

use crate::norm::Norm;

/// Burn's initializer of `init`'s formula with `gain` (Burn's Kaiming and Xavier are
/// PyTorch's, gain passed in), or `None` for PyTorch's default, which is Burn's own
/// (weights and biases U(±1/√fan_in)).
pub(crate) fn initializer(init: InitScheme, gain: f64) -> Option<Initializer> {
    Some(match init {
        InitScheme::Pytorch => return None,
        InitScheme::HeNormal | InitScheme::HeNormalFanOut => Initializer::KaimingNormal {
            gain,
            fan_out_only: init == InitScheme::HeNormalFanOut,
        },
        InitScheme::HeUniform | InitScheme::HeUniformFanOut => Initializer::KaimingUniform {
            gain,
            fan_out_only: init == InitScheme::HeUniformFanOut,
        },
        InitScheme::XavierNormal => Initializer::XavierNormal { gain: 1.0 },
        InitScheme::XavierUniform => Initializer::XavierUniform { gain: 1.0 },
        // N(0, 1/fan_in) is Kaiming-normal with gain 1.
        InitScheme::LecunNormal => Initializer::KaimingNormal {
            gain: 1.0,
            fan_out_only: false,
        },
        InitScheme::Orthogonal => Initializer::Orthogonal { gain },
        // Rescaled on data afterwards (SimpleNetwork::lsuv).
        InitScheme::Lsuv => Initializer::Orthogonal { gain: 1.0 },
    })
}

/// A Linear layer drawn by `init` with `gain`: PyTorch's default as Burn's own, any other
/// scheme's weights by [`initializer`] and biases 0.
fn linear(fan_in: usize, fan_out: usize, init: InitScheme, gain: f64, device: &Device) -> Linear {
    let config = LinearConfig::new(fan_in, fan_out);
    let Some(initializer) = initializer(init, gain) else {
        return config.init(device);
    };
    let mut layer = config
        .with_initializer(initializer)
        .with_bias(false)
        .init(device);
    layer.bias = Some(Initializer::Zeros.init([fan_out], device));
    layer
}

/// One activated layer's values on a batch: `[batch, units]` for a Linear layer,
/// `[batch · positions, channels]` for a convolution (`crate::conv`).
#[derive(Debug, Clone)]
pub struct LayerTrace {
    /// The activation's argument z: the Linear output (the gate's when gated) or the
    /// convolution's, normalised when the network normalises.
    pub pre_activation: Tensor<2>,
    /// f(z).
    pub activated: Tensor<2>,
    /// The layer's output: f(z), or f(z) times the value map when gated.
    pub output: Tensor<2>,
}

/// Linear layers with an activation after each hidden one (the book's `SimpleNetwork`),
/// after convolutions where the config has them (`crate::conv`). The activated layers
/// are numbered convolutions first: `activations`, `norms` and the traces follow that order.
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
    /// Gated (GLU) layers only: the gate's Linear map of each hidden layer, whose
    /// activated output multiplies the hidden Linear's. Empty for the book's network.
    pub gates: Vec<Linear>,
    /// Normalised networks only: each activated layer's normalisation of the activation's
    /// argument. Empty for the book's network.
    pub norms: Vec<Norm>,
    /// Convolutional networks only: the convolutions before the hidden Linear layers.
    /// Empty for the book's network.
    pub conv: Vec<Conv2d>,
}

impl SimpleNetwork {
    /// Builds the network with its config's initialisation (by default Burn's default
    /// Linear one, PyTorch's Kaiming-uniform), drawing from the device's random stream.
    pub fn new(config: &NetworkConfig, device: &Device) -> Result<Self, NetError> {
        config.check()?;
        let mut shapes = config.linear_shapes();
        let (out_in, out_out) = shapes.pop().expect("at least the output layer");
        // The hidden layers take the activation's gain; the output layer, which no
        // activation follows, PyTorch's "linear" gain of 1.
        let gain = spec::activation_gain(config.activation.as_ref());
        // Drawn lazily, at first use: in forward order whatever the order built.
        let conv = Self::conv_layers(&config.conv_shapes()?, config.init, gain, device);
        let hidden: Vec<Linear> = shapes
            .iter()
            .map(|&(i, o)| linear(i, o, config.init, gain, device))
            .collect();
        let output = linear(out_in, out_out, config.init, 1.0, device);
        let activations = match &config.activation {
            Some(act) => act
                .module_units(&config.activated_widths())
                .into_iter()
                .map(|units| Activation::init(&act.kind, units, device))
                .collect(),
            None => Vec::new(),
        };
        // Scales of 1 and shifts of 0: nothing drawn, so the weights are what they were.
        let norms = config
            .activated_widths()
            .iter()
            .filter_map(|&units| Norm::init(config.norm, units, device))
            .collect();
        let mut network = Self {
            hidden,
            output,
            activations,
            gates: Vec::new(),
            norms,
            conv,
        };
        // Built last, so a Linear network draws exactly what it did before gates existed.
        if config.layer == LayerKind::Glu {
            network.init_gated(config, &shapes, device);
        }
        Ok(network)
    }

    /// Re-initialises the hidden maps and adds the gates of a GLU network so that each
    /// gated layer keeps a unit-variance signal unit-variance. With PyTorch's default
    /// Linear init the product `f(gate) * value` shrinks the signal at every layer (both
    /// factors are well below 1), and four such layers silence the network: it starts at,
    /// and stays at, loss ln 10. Here the gate is LeCun-normal (z ~ N(0, 1) for unit
    /// inputs) and the value map's gain is 1 / sqrt(E[f(z)^2]), measured on the activation.
    fn init_gated(&mut self, config: &NetworkConfig, shapes: &[(usize, usize)], device: &Device) {
        let gain = match &config.activation {
            Some(act) => {
                // All units start alike, so one single-unit module measures them all.
                let probe = Activation::init(&act.kind, 1, device);
                1.0 / mean_square_under_normal(&probe, device).sqrt()
            }
            None => 1.0,
        };
        let normal = |gain: f64| Initializer::KaimingNormal {
            gain,
            fan_out_only: false,
        };
        self.hidden = shapes
            .iter()
            .map(|&(i, o)| {
                LinearConfig::new(i, o)
                    .with_initializer(normal(gain))
                    .init(device)
            })
            .collect();
        self.gates = shapes
            .iter()
            .map(|&(i, o)| {
                LinearConfig::new(i, o)
                    .with_initializer(normal(1.0))
                    .init(device)
            })
            .collect();
    }

    /// Draws every lazily initialised parameter (Burn draws a Linear layer's weights at
    /// their first use) in the order the forward pass would: the weights a training run
    /// starts from, unless an activation draws at every training pass too (RReLU), whose
    /// draws a training pass interleaves with the weights' (training's `initial_copy`
    /// draws as the first step does instead).
    pub fn initialise_in_forward_order(&self) {
        for conv in &self.conv {
            let _ = conv.weight.val();
            let _ = conv.bias.as_ref().map(|b| b.val());
        }
        for (i, layer) in self.hidden.iter().enumerate() {
            let _ = layer.weight.val();
            let _ = layer.bias.as_ref().map(|b| b.val());
            if let Some(gate) = self.gates.get(i) {
                let _ = gate.weight.val();
                let _ = gate.bias.as_ref().map(|b| b.val());
            }
        }
        let _ = self.output.weight.val();
        let _ = self.output.bias.as_ref().map(|b| b.val());
    }

    /// Trainable parameters, as PyTorch's `parameters()` counts them: Burn's
    /// `num_params` less BatchNorm's running statistics (buffers in PyTorch).
    pub fn trainable_params(&self) -> usize {
        self.num_params() - self.norms.iter().map(Norm::buffers).sum::<usize>()
    }

    /// Activated layers: the convolutions, then the hidden Linear layers.
    pub fn activated_layers(&self) -> usize {
        self.conv.len() + self.hidden.len()
    }

    /// Units of every activated layer: a convolution's channels, a Linear layer's width.
    pub fn layer_widths(&self) -> Vec<usize> {
        let conv = self.conv.iter().map(|c| c.weight.dims()[0]);
        conv.chain(self.hidden.iter().map(|l| l.weight.dims()[1]))
            .collect()
    }

    /// The activation applied after activated layer `layer` (0-based, convolutions
    /// first), if any.
    pub fn activation(&self, layer: usize) -> Option<&Activation> {
        match self.activations.len() {
            0 => None,
            1 => self.activations.first(),
            _ => self.activations.get(layer),
        }
    }

    /// Whether a training forward pass draws random numbers (RReLU's slopes).
    pub fn draws_while_training(&self) -> bool {
        self.activations
            .iter()
            .any(Activation::draws_while_training)
    }

    /// Logits for a batch `[batch, input]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let x = self.conv_front(x, &mut Vec::new());
        let hidden = (0..self.hidden.len()).fold(x, |h, i| self.hidden_layer(i, h));
        crate::dense::linear(&self.output, hidden)
    }

    /// Hidden layer `i` on its input: `f(h W + b)`, or `f(h V + c) * (h W + b)` when gated.
    fn hidden_layer(&self, i: usize, h: Tensor<2>) -> Tensor<2> {
        self.hidden_layer_traced(i, h).output
    }

    /// Hidden Linear layer `i` on its input, with its intermediate values.
    fn hidden_layer_traced(&self, i: usize, h: Tensor<2>) -> LayerTrace {
        // The value map runs before the gate: Burn draws a parameter's initial values at
        // its first use, so this order fixes which weights a seed gives.
        let (z, value) = match self.gates.get(i) {
            None => (crate::dense::linear(&self.hidden[i], h), None),
            Some(gate) => {
                let value = crate::dense::linear(&self.hidden[i], h.clone());
                (crate::dense::linear(gate, h), Some(value))
            }
        };
        self.activate(self.conv.len() + i, z, value)
    }

    /// Activated layer `layer`'s normalisation and activation of its map's output `z`,
    /// times the value map's output when gated.
    pub(crate) fn activate(
        &self,
        layer: usize,
        z: Tensor<2>,
        value: Option<Tensor<2>>,
    ) -> LayerTrace {
        let z = match self.norms.get(layer) {
            Some(norm) => norm.forward(z),
            None => z,
        };
        let activated = self.apply_activation(layer, z.clone());
        let output = match value {
            None => activated.clone(),
            Some(value) => activated.clone() * value,
        };
        LayerTrace {
            pre_activation: z,
            activated,
            output,
        }
    }

    /// Logits and every activated layer's trace (for probes that look at f'(z) as well
    /// as at f(z)), convolutions first.
    pub fn forward_traced(&self, x: Tensor<2>) -> (Tensor<2>, Vec<LayerTrace>) {
        let mut layers = Vec::with_capacity(self.activated_layers());
        let mut h = self.conv_front(x, &mut layers);
        for i in 0..self.hidden.len() {
            let trace = self.hidden_layer_traced(i, h);
            h = trace.output.clone();
            layers.push(trace);
        }
        (crate::dense::linear(&self.output, h), layers)
    }

    /// Logits and every activated layer's output (convolutions' as rows per position,
    /// `crate::conv`), for probes (Burn has no forward hooks, so the network hands them
    /// out itself).
    pub fn forward_with_hidden(&self, x: Tensor<2>) -> (Tensor<2>, Vec<Tensor<2>>) {
        let (logits, traces) = self.forward_traced(x);
        (logits, traces.into_iter().map(|t| t.output).collect())
    }

    pub(crate) fn apply_activation(&self, layer: usize, z: Tensor<2>) -> Tensor<2> {
        match self.activation(layer) {
            Some(act) => act.forward(z),
            None => z,
        }
    }
}

/// E[f(z)^2] for z ~ N(0, 1), by the trapezoidal rule on [-8, 8] (the tails beyond
/// carry less than 1e-14 of the mass, and every registry function grows at most
/// linearly there).
fn mean_square_under_normal(activation: &Activation, device: &Device) -> f64 {
    const POINTS: usize = 1601;
    let step = 16.0 / (POINTS - 1) as f64;
    let z: Vec<f64> = (0..POINTS).map(|i| -8.0 + i as f64 * step).collect();
    let input: Vec<f32> = z.iter().map(|&v| v as f32).collect();
    let y = activation
        .forward(Tensor::<1>::from_data(
            TensorData::new(input, [POINTS]),
            device,
        ))
        .into_data()
        .try_into_vec::<f32>()
        .expect("float32 activations");
    let density = |v: f64| (-0.5 * v * v).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let total: f64 = z
        .iter()
        .zip(&y)
        .enumerate()
        .map(|(i, (&v, &f))| {
            let weight = if i == 0 || i == POINTS - 1 { 0.5 } else { 1.0 };
            weight * (f as f64).powi(2) * density(v)
        })
        .sum();
    (total * step).max(1e-12)
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Distribution;
    use spec::{ActivationConfig, ActivationKind, Scope};

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

    /// A gated layer is `f(h V + c) * (h W + b)`: checked against the two Linear maps and
    /// the activation applied by hand, and its gates receive gradients.
    #[test]
    fn glu_layers_gate_a_second_linear_map() {
        let device = Device::flex().autodiff();
        let cfg = NetworkConfig::book(ActivationConfig::new(ActivationKind::SiLU))
            .with_hidden(vec![6, 4])
            .with_layer(LayerKind::Glu);
        let net = SimpleNetwork::new(&cfg, &device).unwrap();
        assert_eq!(net.gates.len(), 2);
        let plain = 784 * 6 + 6 + 6 * 4 + 4 + 4 * 10 + 10;
        assert_eq!(net.num_params(), plain + 784 * 6 + 6 + 6 * 4 + 4);
        assert_eq!(crate::Summary::of(&cfg).total_params, net.num_params());
        assert_eq!(cfg.model_name(), "SimpleNetwork-GLU-SiLU");

        let x = Tensor::<2>::random([3, 784], Distribution::Normal(0.0, 1.0), &device);
        assert!(
            (mean_square_under_normal(
                &acts::Activation::init(&ActivationKind::ReLU.into(), 1, &device),
                &device
            ) - 0.5)
                .abs()
                < 1e-6
        );
        let (_, hidden) = net.forward_with_hidden(x.clone());
        let silu = burn::tensor::activation::silu;
        let first = silu(net.gates[0].forward(x.clone())) * net.hidden[0].forward(x.clone());
        let got: Vec<f32> = hidden[0].clone().into_data().try_into_vec().unwrap();
        let want: Vec<f32> = first.into_data().try_into_vec().unwrap();
        // The network's Linear maps sum in actlab's fixed order (nets::dense), Burn's in
        // gemm's, and acts' fused SiLU differs from Burn's composed one in the last bits:
        // agreement to float32 rounding over the layer's inputs, not to the bit.
        for (g, w) in got.iter().zip(&want) {
            assert!(
                (g - w).abs() <= 1e-5 * w.abs().max(1.0),
                "{got:?} vs {want:?}"
            );
        }

        // The init keeps the signal alive through gated layers: unit-variance inputs give
        // outputs of about unit scale (wide layers, so that the estimate is steady).
        device.seed(11);
        let wide = NetworkConfig::book(ActivationConfig::new(ActivationKind::SiLU))
            .with_hidden(vec![512, 512, 512])
            .with_layer(LayerKind::Glu);
        let wide = SimpleNetwork::new(&wide, &device).unwrap();
        let unit = Tensor::<2>::random([256, 784], Distribution::Normal(0.0, 1.0), &device);
        let (_, deep) = wide.forward_with_hidden(unit);
        for (i, h) in deep.into_iter().enumerate() {
            let n = h.dims().iter().product::<usize>() as f32;
            let std = (h.powi_scalar(2).sum().into_scalar::<f32>() / n).sqrt();
            assert!((0.5..2.0).contains(&std), "layer {i} output std {std}");
        }
        let x = x.clone();
        let grads = net.forward(x).sum().backward();
        for (i, gate) in net.gates.iter().enumerate() {
            let g: Vec<f32> = gate
                .weight
                .val()
                .grad(&grads)
                .unwrap()
                .into_data()
                .try_into_vec()
                .unwrap();
            assert!(g.iter().any(|v| *v != 0.0), "gate {i} gets no gradient");
        }
    }
}
