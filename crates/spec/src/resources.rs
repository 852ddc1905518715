//! Memory a command will need, estimated from its config before any work starts, so that
//! a network or batch that cannot fit is refused with a sentence instead of an aborted
//! allocation (or a machine thrashing first). The estimate counts float32 tensors:
//! parameters, their gradients and optimiser state, what the autodiff graph keeps of a
//! batch, an evaluation batch, and the dataset. It errs on the generous side; its purpose
//! is to catch the hopeless, not to budget the last megabyte.

use crate::conv::ConvShape;
use crate::network::{LayerKind, NetworkConfig};
use crate::train::{OptimizerKind, TrainConfig};

/// Bytes of a float32.
const F32: u64 = 4;
/// Tensors the autodiff graph keeps per unit of a layer for a training step (input,
/// pre-activation, activation output, their gradients, masks): measured rather than
/// derived, it bounds what Burn's flex backend holds for the book's activations.
const SAVED_PER_UNIT: u64 = 8;
/// FashionMNIST: 70,000 images of 784 pixels as bytes, and as much again for the batches
/// made of them.
pub const DATASET_BYTES: u64 = 70_000 * 784 * 2;
/// The program itself, its allocator's slack, and the figures.
const BASELINE: u64 = 64 << 20;

/// An estimate, by part.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// (what, bytes).
    pub parts: Vec<(&'static str, u64)>,
}

impl Estimate {
    /// All of it.
    pub fn total(&self) -> u64 {
        self.parts
            .iter()
            .fold(0u64, |sum, (_, b)| sum.saturating_add(*b))
    }

    /// The parts in words, largest first: "a batch's activations 12.0 GB, ...".
    pub fn describe(&self) -> String {
        let mut parts = self.parts.clone();
        parts.sort_by_key(|p| std::cmp::Reverse(p.1));
        parts
            .iter()
            .filter(|(_, b)| *b >= 1 << 20)
            .map(|(what, b)| format!("{what} {}", human(*b)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The estimate of `n` of these at once (`--jobs`).
    pub fn times(self, n: u64) -> Self {
        Self {
            parts: self
                .parts
                .into_iter()
                .map(|(w, b)| (w, b.saturating_mul(n)))
                .collect(),
        }
    }
}

/// Bytes as "1.2 GB" or "340 MB".
pub fn human(bytes: u64) -> String {
    let gb = bytes as f64 / 1e9;
    if gb >= 1.0 {
        format!("{gb:.1} GB")
    } else {
        format!("{:.0} MB", bytes as f64 / 1e6)
    }
}

/// Trainable scalars of the network (weights, biases, gates, activation parameters,
/// normalisations' scales and shifts).
pub fn parameters(network: &NetworkConfig) -> u64 {
    let shapes = network.linear_shapes();
    let last = shapes.len().saturating_sub(1);
    let mut total: u64 = 0;
    for (i, &(fan_in, fan_out)) in shapes.iter().enumerate() {
        let linear = (fan_in as u64)
            .saturating_mul(fan_out as u64)
            .saturating_add(fan_out as u64);
        let copies = if i < last && network.layer == LayerKind::Glu {
            2
        } else {
            1
        };
        total = total.saturating_add(linear.saturating_mul(copies));
    }
    if let Some(act) = &network.activation {
        let per_unit = act.kind.param_count() as u64;
        let units: u64 = act
            .module_units(&network.activated_widths())
            .iter()
            .map(|&u| u as u64)
            .sum();
        total = total.saturating_add(per_unit.saturating_mul(units.max(1)));
    }
    let norms: usize = network
        .activated_widths()
        .iter()
        .map(|&w| network.norm.params(w))
        .sum();
    let conv: usize = conv_shapes(network).iter().map(ConvShape::params).sum();
    total
        .saturating_add(norms as u64)
        .saturating_add(conv as u64)
}

/// The convolutions' shapes; none where there are none or the front cannot be built
/// (the network's own check reports that).
fn conv_shapes(network: &NetworkConfig) -> Vec<ConvShape> {
    network.conv_shapes().unwrap_or_default()
}

/// Values every activated layer holds per sample: a Linear layer's units, a
/// convolution's channels × positions.
fn activated_values(network: &NetworkConfig) -> u64 {
    let conv: u64 = conv_shapes(network)
        .iter()
        .map(|s| s.activations() as u64)
        .sum();
    network
        .hidden
        .iter()
        .map(|&w| w as u64)
        .sum::<u64>()
        .saturating_add(conv)
}

/// Units a sample passes through: input, every hidden layer (twice with gates), output.
fn units(network: &NetworkConfig) -> u64 {
    let gates = if network.layer == LayerKind::Glu {
        2
    } else {
        1
    };
    let hidden = activated_values(network);
    (network.input as u64)
        .saturating_add(hidden.saturating_mul(gates))
        .saturating_add(network.classes as u64)
}

/// Extra values per hidden unit that an activation keeps for its backward pass (STAF's
/// sines and cosines, a rational's powers): its parameters per unit, a proxy.
fn activation_terms(network: &NetworkConfig) -> u64 {
    network
        .activation
        .as_ref()
        .map_or(0, |a| a.kind.param_count() as u64)
}

/// What training `network` with `train` needs.
pub fn training(network: &NetworkConfig, train: &TrainConfig) -> Estimate {
    let params = parameters(network);
    let slots = match train.optimizer {
        OptimizerKind::Sgd if train.momentum > 0.0 => 1,
        OptimizerKind::Sgd => 0,
        OptimizerKind::Adam => 2,
    };
    // Weights, gradients, optimiser state; and a checkpoint's copy while it is written.
    let state = params.saturating_mul(F32).saturating_mul(3 + slots);
    let hidden = activated_values(network);
    let per_sample = units(network)
        .saturating_mul(SAVED_PER_UNIT)
        .saturating_add(hidden.saturating_mul(2 * activation_terms(network)));
    let batch = (train.batch_size as u64)
        .saturating_mul(per_sample)
        .saturating_mul(F32);
    let eval = (train.eval_batch_size as u64)
        .saturating_mul(units(network).saturating_mul(2))
        .saturating_mul(F32);
    Estimate {
        parts: vec![
            ("parameters, gradients and optimiser state", state),
            ("a batch's activations", batch),
            ("an evaluation batch", eval),
            ("the dataset", DATASET_BYTES),
            ("the program", BASELINE),
        ],
    }
}

/// What a forward pass of `samples` samples through `network`, keeping every layer's
/// output (the probes), needs.
pub fn probing(network: &NetworkConfig, samples: usize) -> Estimate {
    let params = parameters(network).saturating_mul(F32).saturating_mul(3);
    let outputs = (samples as u64)
        .saturating_mul(units(network).saturating_mul(SAVED_PER_UNIT))
        .saturating_add(
            (samples as u64)
                .saturating_mul(activated_values(network))
                .saturating_mul(2 * activation_terms(network)),
        )
        .saturating_mul(F32);
    Estimate {
        parts: vec![
            ("parameters and their gradients", params),
            ("every layer's outputs", outputs),
            ("the dataset", DATASET_BYTES),
            ("the program", BASELINE),
        ],
    }
}

/// Memory the kernel says is available to a new process now (`MemAvailable`), in bytes;
/// `None` where it does not say.
pub fn available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map(|kb| kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::{ActivationConfig, ActivationSpec};
    use crate::registry::ActivationKind;

    fn book(kind: ActivationKind) -> NetworkConfig {
        NetworkConfig::book(ActivationConfig::new(ActivationSpec::Builtin(kind)))
    }

    #[test]
    fn parameters_are_the_books() {
        assert_eq!(parameters(&book(ActivationKind::ReLU)), 283_914);
        assert_eq!(parameters(&book(ActivationKind::STAF)), 283_989);
    }

    #[test]
    fn the_book_fits_in_little_and_a_huge_network_does_not() {
        let small = training(&book(ActivationKind::ReLU), &TrainConfig::default()).total();
        assert!(small < 1 << 30, "{}", human(small));
        let wide = book(ActivationKind::ReLU).with_hidden(vec![100_000, 100_000]);
        let huge = training(&wide, &TrainConfig::default());
        // 1e10 weights of float32: weights, gradients, a checkpoint copy, momentum: 161 GB.
        assert!(huge.total() > 150_000_000_000, "{}", huge.describe());
        assert!(
            huge.describe()
                .starts_with("parameters, gradients and optimiser state 161.3 GB"),
            "{}",
            huge.describe()
        );
    }
}
