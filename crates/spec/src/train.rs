//! Hyper-parameters of one training run.

use std::fmt;
use std::str::FromStr;

use crate::names::{UnknownName, closest_names};
use serde::{Deserialize, Serialize};

/// The optimiser.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    /// SGD with (PyTorch-style, undampened) momentum, the book's choice.
    #[default]
    Sgd,
    /// Adam with PyTorch's defaults (betas 0.9, 0.999; eps 1e-8).
    Adam,
}

impl OptimizerKind {
    const NAMES: [&'static str; 2] = ["sgd", "adam"];
}

impl fmt::Display for OptimizerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Adam => "adam",
        })
    }
}

impl FromStr for OptimizerKind {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sgd" => Ok(OptimizerKind::Sgd),
            "adam" => Ok(OptimizerKind::Adam),
            other => Err(UnknownName {
                what: "optimizer",
                given: other.to_string(),
                suggestions: closest_names(other, &Self::NAMES),
                valid: Self::NAMES.map(String::from).to_vec(),
            }),
        }
    }
}

/// Hyper-parameters of a run; the defaults are the book's `train_all_models`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// Passes over the training set.
    pub epochs: usize,
    /// Samples per optimiser step.
    pub batch_size: usize,
    /// Samples per evaluation batch (does not change results beyond float rounding).
    pub eval_batch_size: usize,
    /// The optimiser.
    pub optimizer: OptimizerKind,
    /// Learning rate.
    pub lr: f64,
    /// SGD momentum (0 for plain SGD; ignored by Adam).
    pub momentum: f64,
    /// L2 weight decay added to the gradient (0 for none).
    pub weight_decay: f64,
    /// Epochs (1-based) after which a checkpoint is saved; the last epoch always is.
    pub save_epochs: Vec<usize>,
    /// Seeds model initialisation, shuffling and RReLU's slopes.
    pub seed: u64,
    /// Record per layer, every epoch, the mean gradient norm and the weights' mean, std
    /// and norm (the book's `train_model_with_metrics`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub track_grads: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 15,
            batch_size: 128,
            eval_batch_size: 1000,
            optimizer: OptimizerKind::Sgd,
            lr: 1e-3,
            // The book's train_all_models uses 0.8, although its text says 0.9.
            momentum: 0.8,
            weight_decay: 0.0,
            save_epochs: Vec::new(),
            seed: 7,
            track_grads: false,
        }
    }
}

impl TrainConfig {
    /// Whether a checkpoint is written after epoch `epoch` (1-based).
    pub fn saves_after(&self, epoch: usize) -> bool {
        epoch == self.epochs || self.save_epochs.contains(&epoch)
    }
}
