//! `[confirm]`: a study's last stage. The best candidates of the last rung are trained
//! again with many seeds at the full budget, beside the activations they must beat,
//! as one more experiment (`confirm/`), and compared with each of them under Holm's
//! correction.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::custom::CustomActivation;
use crate::experiment::{ConfigError, ExperimentFile, seeds_list_or_count};
use crate::train::TrainConfig;

use super::{SearchFile, layout, stage_field};

/// The fewest seeds a confirmation takes: the statistics test nothing below 3.
pub const MIN_CONFIRM_SEEDS: usize = 3;

/// `[confirm]` as written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmFile {
    /// How many of the last rung's best candidates are trained again.
    #[serde(default = "default_top")]
    pub top: usize,
    /// Epochs of every run (the book's 15).
    #[serde(default = "default_epochs")]
    pub epochs: usize,
    /// Seeds: a list, or a count N meaning 1..=N.
    #[serde(default = "default_seeds", deserialize_with = "seeds_list_or_count")]
    pub seeds: Vec<u64>,
    /// Registry activations each candidate is compared with; the first is the
    /// confirmation summary's baseline.
    #[serde(default = "default_against")]
    pub against: Vec<String>,
    /// Training settings of the confirmation (`[confirm.train]`; default: the study's
    /// `[train]`, whose settings chose the candidates). `epochs` comes from above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train: Option<TrainConfig>,
}

fn default_top() -> usize {
    3
}

fn default_epochs() -> usize {
    15
}

fn default_seeds() -> Vec<u64> {
    (1..=10).collect()
}

fn default_against() -> Vec<String> {
    ["ReLU", "TeLU", "PReLU", "STAF"].map(String::from).to_vec()
}

impl SearchFile {
    /// The training settings of every confirmation run.
    pub fn confirm_train(&self, confirm: &ConfirmFile) -> TrainConfig {
        TrainConfig {
            epochs: confirm.epochs,
            ..confirm.train.as_ref().unwrap_or(&self.train).clone()
        }
    }

    /// The confirmation's experiment in the study folder `dir`, training `candidates`
    /// after the activations they are compared with, unchecked.
    pub(super) fn confirm_file(
        &self,
        confirm: &ConfirmFile,
        dir: &Path,
        candidates: Vec<CustomActivation>,
    ) -> ExperimentFile {
        let mut acts = confirm.against.clone();
        acts.extend(candidates.iter().map(|c| c.name.clone()));
        ExperimentFile {
            name: layout::CONFIRM.into(),
            acts,
            seeds: confirm.seeds.clone(),
            conv: Vec::new(),
            hidden: self.hidden.clone(),
            scope: self.scope,
            layer: self.layer,
            init: Default::default(),
            norm: Default::default(),
            out: dir.to_path_buf(),
            train: self.confirm_train(confirm),
            definitions: candidates,
            fourier: None,
            baseline: confirm.against.first().cloned(),
            tensorboard_dir: None,
            settings: Vec::new(),
        }
    }

    /// Checks `[confirm]` as the experiment it will be; `origin` names the source.
    pub(super) fn check_confirm(
        &self,
        confirm: &ConfirmFile,
        probe: CustomActivation,
        origin: &str,
    ) -> Result<(), ConfigError> {
        let invalid = |field: &str, problem: String| ConfigError::Invalid {
            origin: origin.to_string(),
            field: field.to_string(),
            problem,
        };
        if confirm.top == 0 {
            return Err(invalid(
                "confirm.top",
                "is 0; confirm at least the best candidate (top = 3)".into(),
            ));
        }
        if confirm.seeds.len() < MIN_CONFIRM_SEEDS {
            return Err(invalid(
                "confirm.seeds",
                format!(
                    "has {} seeds; a confirmation tests with at least {MIN_CONFIRM_SEEDS}, and 10 or more tell small differences from noise (seeds = 10)",
                    confirm.seeds.len()
                ),
            ));
        }
        if confirm.against.is_empty() {
            return Err(invalid(
                "confirm.against",
                "is empty; name the activations the candidates must beat, e.g. [\"ReLU\", \"TeLU\"]".into(),
            ));
        }
        let against = confirm.against.len();
        let given_train = confirm.train.is_some();
        let file = self.confirm_file(
            confirm,
            Path::new(&self.out).join(&self.name).as_path(),
            vec![probe],
        );
        file.check_renamed(origin, |field| {
            stage_field(field, "confirm", ("confirm.against", against), given_train)
        })
        .map(|_| ())
    }
}
