//! Hyper-parameters of one training run.

use serde::{Deserialize, Serialize};

named_choices! {
    /// The optimiser.
    #[derive(Default)]
    pub enum OptimizerKind: "optimizer" {
        /// SGD with (PyTorch-style, undampened) momentum, the book's choice.
        #[default]
        Sgd = "sgd",
        /// Adam with PyTorch's defaults (betas 0.9, 0.999; eps 1e-8).
        Adam = "adam",
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
    /// Count dead and saturated units over the training set at initialisation and
    /// after every epoch (the dead-neuron probe's counts, in `run.json`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dead_units: bool,
    /// Batches between two records of the running training loss (in `run.json`, and in
    /// TensorBoard's curves).
    #[serde(skip_serializing_if = "TrainConfig::is_default_log_every")]
    pub log_every: usize,
    /// Also write TensorBoard event files as the run trains (`actlab tensorboard` writes
    /// them from the records afterwards just as well).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub tensorboard: bool,
    /// Slices every training batch is cut into for the data-parallel step: each slice's
    /// forward and backward pass on its own thread, the gradients summed in slice
    /// order. The count, not the thread count, fixes the bits; 1 (the book's) trains
    /// each batch whole.
    #[serde(skip_serializing_if = "TrainConfig::is_one_slice")]
    pub slices: usize,
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
            dead_units: false,
            log_every: Self::LOG_EVERY,
            tensorboard: false,
            slices: 1,
        }
    }
}

impl TrainConfig {
    /// Batches between two records of the running loss, by default.
    pub const LOG_EVERY: usize = 50;

    /// The settings as a run's record keeps them: whether TensorBoard events were
    /// written is not part of what the run was, so a record is the same either way.
    pub fn recorded(&self) -> Self {
        Self {
            tensorboard: false,
            ..self.clone()
        }
    }

    fn is_default_log_every(v: &usize) -> bool {
        *v == Self::LOG_EVERY
    }

    fn is_one_slice(v: &usize) -> bool {
        *v == 1
    }

    /// More slices than this buys nothing on any machine actlab runs on (a slice of a
    /// 128-sample batch would be a few rows).
    pub const MAX_SLICES: usize = 64;

    /// More epochs than anyone trains this network for: a typo, refused.
    pub const MAX_EPOCHS: usize = 100_000;
    /// A larger batch than any dataset actlab reads has images.
    pub const MAX_BATCH: usize = 1_000_000;

    /// Whether a checkpoint is written after epoch `epoch` (1-based; 0 is the initial
    /// weights, written before training when `save_epochs` has 0).
    pub fn saves_after(&self, epoch: usize) -> bool {
        epoch == self.epochs || self.save_epochs.contains(&epoch)
    }

    /// The first value that cannot be used, as (field, what is wrong and what would be
    /// valid); `None` when every value is usable.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        let positive = [
            ("epochs", self.epochs),
            ("batch_size", self.batch_size),
            ("eval_batch_size", self.eval_batch_size),
            ("log_every", self.log_every),
            ("slices", self.slices),
        ];
        if let Some((field, _)) = positive.iter().find(|(_, v)| *v == 0) {
            return Some((field, "is 0; it must be at least 1".into()));
        }
        let bounded = [
            ("epochs", self.epochs, Self::MAX_EPOCHS),
            ("batch_size", self.batch_size, Self::MAX_BATCH),
            ("eval_batch_size", self.eval_batch_size, Self::MAX_BATCH),
            ("slices", self.slices, Self::MAX_SLICES),
        ];
        if let Some((field, v, max)) = bounded.iter().find(|(_, v, max)| v > max) {
            return Some((field, format!("is {v}; it must be at most {max}")));
        }
        if self.slices > self.batch_size {
            return Some((
                "slices",
                format!(
                    "is {}, more than the {} samples of a batch; every slice needs one: use at most batch_size",
                    self.slices, self.batch_size
                ),
            ));
        }
        if !(crate::numbers::fits_f32(self.lr) && self.lr > 0.0) {
            return Some((
                "lr",
                format!(
                    "is {}; it must be a positive finite number within float32's range, e.g. 1e-3",
                    crate::numbers::show(self.lr)
                ),
            ));
        }
        if !(0.0..1.0).contains(&self.momentum) {
            return Some((
                "momentum",
                format!("is {}; it must be in [0, 1)", self.momentum),
            ));
        }
        if !(crate::numbers::fits_f32(self.weight_decay) && self.weight_decay >= 0.0) {
            return Some((
                "weight_decay",
                format!(
                    "is {}; it must be a finite number >= 0 within float32's range",
                    crate::numbers::show(self.weight_decay)
                ),
            ));
        }
        if let Some(e) = self.save_epochs.iter().find(|&&e| e > self.epochs) {
            return Some((
                "save_epochs",
                format!(
                    "contains {e}; epochs are numbered 1..={} (0 saves the initial weights)",
                    self.epochs
                ),
            ));
        }
        None
    }
}

impl TrainConfig {
    /// [`TrainConfig::problem`], and then what cannot be used with a network normalised
    /// by `norm`: slices would cut the batch BatchNorm normalises over.
    pub fn problem_with_norm(&self, norm: crate::NormKind) -> Option<(&'static str, String)> {
        if let Some(problem) = self.problem() {
            return Some(problem);
        }
        (self.slices > 1 && norm == crate::NormKind::Batch).then(|| {
            (
                "slices",
                format!(
                    "is {} with norm = \"batch\"; BatchNorm normalises over the whole batch, which slices would cut: use slices = 1, or norm = \"layer\"",
                    self.slices
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_book_defaults_are_usable_and_bad_values_are_named() {
        assert_eq!(TrainConfig::default().problem(), None);
        let bad = |f: fn(&mut TrainConfig)| {
            let mut t = TrainConfig::default();
            f(&mut t);
            t.problem().map(|(field, _)| field)
        };
        assert_eq!(bad(|t| t.epochs = 0), Some("epochs"));
        assert_eq!(bad(|t| t.lr = f64::NAN), Some("lr"));
        assert_eq!(bad(|t| t.momentum = 1.0), Some("momentum"));
        assert_eq!(bad(|t| t.weight_decay = -1.0), Some("weight_decay"));
        assert_eq!(bad(|t| t.save_epochs = vec![16]), Some("save_epochs"));
        assert_eq!(bad(|t| t.slices = 0), Some("slices"));
        let sliced = TrainConfig {
            slices: 2,
            ..TrainConfig::default()
        };
        assert_eq!(sliced.problem_with_norm(crate::NormKind::Layer), None);
        let (field, problem) = sliced.problem_with_norm(crate::NormKind::Batch).unwrap();
        assert_eq!(field, "slices");
        assert!(problem.contains("norm = \"layer\""), "{problem}");
        assert_eq!(bad(|t| t.slices = 65), Some("slices"));
        assert_eq!(
            bad(|t| {
                t.batch_size = 3;
                t.slices = 4
            }),
            Some("slices")
        );
        assert_eq!("ADAM".parse::<OptimizerKind>(), Ok(OptimizerKind::Adam));
    }
}
