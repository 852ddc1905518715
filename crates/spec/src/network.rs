//! The shape of a SimpleNetwork.

use crate::activation::{ActivationConfig, ActivationSpec};
use crate::conv::{ConvShape, conv_shapes, flat_features};
use crate::init::InitScheme;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A network shape that cannot be built.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum NetError {
    /// A layer of width zero.
    #[error("layer {index} of `hidden` has width 0; every hidden layer needs at least one unit")]
    ZeroWidthLayer {
        /// 1-based position in `hidden`.
        index: usize,
    },
    /// Zero input features or classes.
    #[error("`{field}` is 0; it must be at least 1")]
    ZeroSize {
        /// The field name.
        field: &'static str,
    },
    /// Too many layers, or a layer too wide.
    #[error("`hidden` {problem}")]
    TooLarge {
        /// What is too large, and the bound.
        problem: String,
    },
    /// Fourier options that cannot be used.
    #[error("`fourier.{field}` {problem}")]
    Fourier {
        /// The option.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// A gated network draws its own weights.
    #[error(
        "init = \"{init}\" with layer = \"glu\": a gated network draws its own weights (LeCun-normal gates, value maps scaled to keep unit variance); drop init or use layer = \"linear\""
    )]
    GatedInit {
        /// The scheme asked for.
        init: InitScheme,
    },
    /// A convolutional front that cannot be built, or a setting it does not take.
    #[error("`conv` {problem}")]
    Conv {
        /// What is wrong, and what would be valid.
        problem: String,
    },
}

named_choices! {
    /// What a hidden layer is.
    #[derive(Default)]
    pub enum LayerKind: "layer type" {
        /// `f(x W + b)`: the book's Linear layer and activation.
        #[default]
        Linear = "linear",
        /// A gated linear unit, `f(x V + c) * (x W + b)`: the activation gates a second linear
        /// map (SwiGLU with SiLU, GEGLU with GELU, ReGLU with ReLU, Dauphin et al.'s GLU with
        /// Sigmoid). Twice the weights of a Linear layer of the same width.
        Glu = "glu",
    }
}

named_choices! {
    /// What normalises each hidden layer's pre-activations, before the activation.
    #[derive(Default)]
    pub enum NormKind: "normalisation" {
        /// None: the book's network.
        #[default]
        None = "none",
        /// LayerNorm: each sample's pre-activations over the layer's units, then a learned
        /// scale and shift per unit (ε = 1e-5, as torch.nn.LayerNorm).
        Layer = "layer",
        /// BatchNorm: each unit's pre-activations over the batch while training, its
        /// running mean and variance (momentum 0.1, ε = 1e-5, as torch.nn.BatchNorm1d) in
        /// evaluation; a learned scale and shift per unit.
        Batch = "batch",
    }
}

impl NormKind {
    /// Whether there is none (the book's network).
    pub fn is_none(&self) -> bool {
        *self == NormKind::None
    }

    /// Trainable parameters it adds to a hidden layer of `units` (scale and shift).
    pub fn params(&self, units: usize) -> usize {
        if self.is_none() { 0 } else { 2 * units }
    }
}

impl LayerKind {
    /// Whether it is the book's plain Linear layer.
    pub fn is_linear(&self) -> bool {
        *self == LayerKind::Linear
    }
}

/// Input size, hidden widths, classes and the activation after each hidden layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// Input features (784 for 28x28 images).
    pub input: usize,
    /// Channels of the convolutions before the Linear layers (`crate::conv`); empty for
    /// the book's MLP.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conv: Vec<usize>,
    /// Widths of the hidden layers.
    pub hidden: Vec<usize>,
    /// Output classes.
    pub classes: usize,
    /// Activation after every hidden layer; `None` for the book's no-activation variant.
    pub activation: Option<ActivationConfig>,
    /// The hidden layers' type (Linear unless set).
    #[serde(default, skip_serializing_if = "LayerKind::is_linear")]
    pub layer: LayerKind,
    /// How the Linear weights are drawn (PyTorch's default unless set).
    #[serde(default, skip_serializing_if = "InitScheme::is_pytorch")]
    pub init: InitScheme,
    /// What normalises the pre-activations (none unless set).
    #[serde(default, skip_serializing_if = "NormKind::is_none")]
    pub norm: NormKind,
}

impl NetworkConfig {
    /// Most hidden layers a network may have (more is a typo, not an experiment).
    pub const MAX_LAYERS: usize = 1_000;
    /// Most units a hidden layer may have.
    pub const MAX_WIDTH: usize = 1_000_000;

    /// The book's hidden widths.
    pub const BOOK_HIDDEN: [usize; 4] = [256, 192, 128, 64];

    /// The book's network (784-256-192-128-64-10) with the given activation.
    pub fn book(activation: ActivationConfig) -> Self {
        Self {
            input: 784,
            conv: Vec::new(),
            hidden: Self::BOOK_HIDDEN.to_vec(),
            classes: 10,
            activation: Some(activation),
            layer: LayerKind::Linear,
            init: InitScheme::Pytorch,
            norm: NormKind::None,
        }
    }

    /// With the given hidden-layer type.
    pub fn with_layer(self, layer: LayerKind) -> Self {
        Self { layer, ..self }
    }

    /// LeNet-5's shape as d2l.ai trains it: convolutions of 6 and 16 channels, hidden
    /// layers of 120 and 84.
    pub const LENET_CONV: [usize; 2] = [6, 16];
    /// LeNet-5's hidden widths.
    pub const LENET_HIDDEN: [usize; 2] = [120, 84];

    /// `SimpleNetwork-<Activation>` (`ConvNetwork-` with convolutions), with `GLU-` before
    /// the activation for gated layers and `LayerNorm-` or `BatchNorm-` for normalised ones.
    pub fn model_name(&self) -> String {
        let layer = match self.layer {
            LayerKind::Linear => "",
            LayerKind::Glu => "GLU-",
        };
        let norm = match self.norm {
            NormKind::None => "",
            NormKind::Layer => "LayerNorm-",
            NormKind::Batch => "BatchNorm-",
        };
        let base = if self.conv.is_empty() {
            "SimpleNetwork"
        } else {
            "ConvNetwork"
        };
        format!("{base}-{layer}{norm}{}", self.activation_name())
    }

    /// With the given normalisation.
    pub fn with_norm(self, norm: NormKind) -> Self {
        Self { norm, ..self }
    }

    /// With the given initialisation.
    pub fn with_init(self, init: InitScheme) -> Self {
        Self { init, ..self }
    }

    /// With a convolutional front of these channels (none when empty).
    pub fn with_conv(self, conv: Vec<usize>) -> Self {
        Self { conv, ..self }
    }

    /// With other hidden widths.
    pub fn with_hidden(self, hidden: Vec<usize>) -> Self {
        Self { hidden, ..self }
    }

    /// Without activations (a purely linear network).
    pub fn without_activation(self) -> Self {
        Self {
            activation: None,
            ..self
        }
    }

    /// Checks that every size is positive and none is absurd.
    pub fn check(&self) -> Result<(), NetError> {
        if self.input == 0 {
            return Err(NetError::ZeroSize { field: "input" });
        }
        if self.layer == LayerKind::Glu && !self.init.is_pytorch() {
            return Err(NetError::GatedInit { init: self.init });
        }
        if self.classes == 0 {
            return Err(NetError::ZeroSize { field: "classes" });
        }
        if let Some(ActivationSpec::Fourier(options)) = self.activation.as_ref().map(|a| &a.kind)
            && let Some((field, problem)) = options.problem()
        {
            return Err(NetError::Fourier { field, problem });
        }
        if self.hidden.len() > Self::MAX_LAYERS {
            return Err(NetError::TooLarge {
                problem: format!(
                    "has {} layers; at most {} are allowed",
                    self.hidden.len(),
                    Self::MAX_LAYERS
                ),
            });
        }
        if let Some(i) = self.hidden.iter().position(|&w| w > Self::MAX_WIDTH) {
            return Err(NetError::TooLarge {
                problem: format!(
                    "layer {} has {} units; a layer may have at most {}",
                    i + 1,
                    self.hidden[i],
                    Self::MAX_WIDTH
                ),
            });
        }
        if let Some(i) = self.hidden.iter().position(|&w| w == 0) {
            return Err(NetError::ZeroWidthLayer { index: i + 1 });
        }
        self.conv_shapes().map(|_| ())
    }

    /// The convolutions' shapes (none for an MLP), or what is wrong with them: the front
    /// itself, or a setting it does not take.
    pub fn conv_shapes(&self) -> Result<Vec<ConvShape>, NetError> {
        let problem = |problem: String| NetError::Conv { problem };
        if self.conv.is_empty() {
            return Ok(Vec::new());
        }
        if self.layer == LayerKind::Glu {
            return Err(problem(
                "is set with layer = \"glu\"; convolutions are not gated: drop conv or use layer = \"linear\"".into(),
            ));
        }
        if self.norm == NormKind::Layer {
            return Err(problem(
                "is set with norm = \"layer\"; a convolution's channels are normalised by norm = \"batch\" (BatchNorm2d), not LayerNorm".into(),
            ));
        }
        if self.init == InitScheme::Lsuv {
            return Err(problem(
                "is set with init = \"lsuv\"; LSUV rescales Linear layers only: pick another init for a network with convolutions".into(),
            ));
        }
        conv_shapes(self.input, &self.conv).map_err(problem)
    }

    /// Every activated layer as people write it, convolutions first: `c6` for a
    /// convolution of 6 channels, `120` for a Linear layer of 120 units.
    pub fn layer_labels(&self) -> Vec<String> {
        let conv = self.conv.iter().map(|c| format!("c{c}"));
        conv.chain(self.hidden.iter().map(usize::to_string))
            .collect()
    }

    /// Units of every activated layer, convolutions first: a convolution's are its
    /// channels (per-neuron parameters and probes are per channel), a Linear layer's its
    /// width.
    pub fn activated_widths(&self) -> Vec<usize> {
        self.conv.iter().chain(&self.hidden).copied().collect()
    }

    /// The display name of the activation ("No Activation" when there is none).
    pub fn activation_name(&self) -> &str {
        self.activation
            .as_ref()
            .map_or("No Activation", |a| a.kind.name())
    }

    /// (fan_in, fan_out) of every Linear layer, output layer last; the first takes the
    /// convolutions' flattened maps where there are convolutions.
    pub fn linear_shapes(&self) -> Vec<(usize, usize)> {
        let features = self
            .conv_shapes()
            .ok()
            .and_then(|shapes| flat_features(&shapes))
            .unwrap_or(self.input);
        let mut widths = vec![features];
        widths.extend(&self.hidden);
        widths.push(self.classes);
        widths.windows(2).map(|w| (w[0], w[1])).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ActivationConfig, ActivationKind};

    #[test]
    fn zero_width_is_rejected_with_its_position() {
        let cfg = NetworkConfig::book(ActivationConfig::new(ActivationKind::ReLU))
            .with_hidden(vec![256, 0, 64]);
        assert_eq!(cfg.check(), Err(NetError::ZeroWidthLayer { index: 2 }));
    }

    #[test]
    fn lenet_chains_its_convolutions_into_the_linear_layers() {
        let cfg = NetworkConfig::book(ActivationConfig::new(ActivationKind::ReLU))
            .with_conv(NetworkConfig::LENET_CONV.to_vec())
            .with_hidden(NetworkConfig::LENET_HIDDEN.to_vec());
        assert_eq!(cfg.check(), Ok(()));
        assert_eq!(cfg.linear_shapes(), [(400, 120), (120, 84), (84, 10)]);
        assert_eq!(cfg.activated_widths(), [6, 16, 120, 84]);
        assert_eq!(cfg.model_name(), "ConvNetwork-ReLU");
        for (bad, says) in [
            (cfg.clone().with_norm(NormKind::Layer), "norm = \"batch\""),
            (
                cfg.clone().with_init(InitScheme::Lsuv),
                "Linear layers only",
            ),
            (cfg.clone().with_layer(LayerKind::Glu), "not gated"),
            (cfg.clone().with_conv(vec![6, 16, 16]), "at most 2 fit"),
        ] {
            let err = bad.check().unwrap_err().to_string();
            assert!(err.starts_with("`conv` ") && err.contains(says), "{err}");
        }
        assert_eq!(cfg.with_norm(NormKind::Batch).check(), Ok(()));
    }

    #[test]
    fn linear_shapes_chain_the_widths() {
        let cfg = NetworkConfig::book(ActivationConfig::new(ActivationKind::ReLU));
        assert_eq!(
            cfg.linear_shapes(),
            [(784, 256), (256, 192), (192, 128), (128, 64), (64, 10)]
        );
    }
}
