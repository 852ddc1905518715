//! How a network's Linear weights are drawn: PyTorch's `nn.Linear` default (the book's),
//! or one of the schemes `torch.nn.init` offers, with the gain of the activation where
//! the scheme takes one (`torch.nn.init.calculate_gain`).

use crate::{ActivationConfig, ActivationKind, ActivationSpec};

named_choices! {
    /// The initialisation of every Linear layer.
    #[derive(Default)]
    pub enum InitScheme: "initialisation" {
        /// PyTorch's `nn.Linear` default: Kaiming-uniform with a = √5, weights and biases
        /// U(±1/√fan_in). The book's.
        #[default]
        Pytorch = "pytorch",
        /// He (Kaiming) normal: N(0, gain²/fan_in); biases 0.
        HeNormal = "he-normal",
        /// He (Kaiming) uniform: U(±gain·√(3/fan_in)); biases 0.
        HeUniform = "he-uniform",
        /// He normal with fan_out: N(0, gain²/fan_out), which keeps the backward pass's
        /// variance instead of the forward's; biases 0.
        HeNormalFanOut = "he-normal-fan-out",
        /// He uniform with fan_out: U(±gain·√(3/fan_out)); biases 0.
        HeUniformFanOut = "he-uniform-fan-out",
        /// Xavier (Glorot) normal: N(0, 2/(fan_in + fan_out)); biases 0.
        XavierNormal = "xavier-normal",
        /// Xavier (Glorot) uniform: U(±√(6/(fan_in + fan_out))); biases 0.
        XavierUniform = "xavier-uniform",
        /// LeCun normal: N(0, 1/fan_in), SELU's (self-normalising) init; biases 0.
        LecunNormal = "lecun-normal",
        /// (Semi-)orthogonal weights times the activation's gain (Saxe et al.); biases 0.
        Orthogonal = "orthogonal",
        /// Layer-sequential unit variance (Mishkin and Matas, 2016): orthogonal weights,
        /// then, layer by layer from the input, each scaled until its outputs on a batch
        /// of training images have variance 1 (within 0.1, at most 10 rescalings);
        /// biases 0. Data-dependent: the batch is the first 512 training images.
        Lsuv = "lsuv",
    }
}

impl InitScheme {
    /// Whether it is PyTorch's default, the book's.
    pub fn is_pytorch(&self) -> bool {
        *self == InitScheme::Pytorch
    }

    /// Whether the weights depend on data as well as on the seed (LSUV).
    pub fn is_data_dependent(self) -> bool {
        self == InitScheme::Lsuv
    }

    /// Whether the scheme multiplies by the activation's gain (He and orthogonal).
    pub fn takes_gain(self) -> bool {
        matches!(
            self,
            InitScheme::HeNormal
                | InitScheme::HeUniform
                | InitScheme::HeNormalFanOut
                | InitScheme::HeUniformFanOut
                | InitScheme::Orthogonal
        )
    }

    /// The weights' standard deviation for a layer of these fans with `gain` (the
    /// formula every scheme but the orthogonal ones draws from; the orthogonal one's
    /// entries have gain/√max(fan_in, fan_out) as their root mean square, LSUV's before
    /// the data rescale them 1/√max(fan_in, fan_out)).
    pub fn weight_std(self, fan_in: usize, fan_out: usize, gain: f64) -> f64 {
        let (fan_in, fan_out) = (fan_in as f64, fan_out as f64);
        match self {
            // U(±1/√fan_in) has variance 1/(3 fan_in).
            InitScheme::Pytorch => 1.0 / (3.0 * fan_in).sqrt(),
            InitScheme::HeNormal | InitScheme::HeUniform => gain / fan_in.sqrt(),
            InitScheme::HeNormalFanOut | InitScheme::HeUniformFanOut => gain / fan_out.sqrt(),
            InitScheme::XavierNormal | InitScheme::XavierUniform => {
                (2.0 / (fan_in + fan_out)).sqrt()
            }
            InitScheme::LecunNormal => 1.0 / fan_in.sqrt(),
            InitScheme::Orthogonal => gain / fan_in.max(fan_out).sqrt(),
            // Its draw before the data rescale it: orthogonal with gain 1.
            InitScheme::Lsuv => 1.0 / fan_in.max(fan_out).sqrt(),
        }
    }
}

/// `torch.nn.init.calculate_gain` for the activation after a layer: √2 for ReLU,
/// √(2 / (1 + 0.01²)) for LeakyReLU (its slope), 5/3 for Tanh, 3/4 for SELU, and 1
/// (PyTorch's "linear") for every other, and for the output layer (`None`).
pub fn activation_gain(activation: Option<&ActivationConfig>) -> f64 {
    match activation.map(|a| &a.kind) {
        Some(ActivationSpec::Builtin(kind)) => match kind {
            ActivationKind::ReLU => 2f64.sqrt(),
            ActivationKind::LeakyReLU => (2.0 / (1.0 + 0.01f64.powi(2))).sqrt(),
            ActivationKind::Tanh => 5.0 / 3.0,
            ActivationKind::SELU => 0.75,
            _ => 1.0,
        },
        _ => 1.0,
    }
}
