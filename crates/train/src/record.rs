//! `run.json`: everything about one run, rewritten after every epoch.

use std::path::{Path, PathBuf};

use nets::NetworkConfig;
use serde::{Deserialize, Serialize};

use spec::TrainConfig;

/// File name of a run's record.
pub const RUN_RECORD: &str = "run.json";

/// Where a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Still training (or stopped without a chance to say so).
    Running,
    /// Trained every epoch.
    Completed,
    /// Stopped at a non-finite loss.
    Diverged,
    /// Stopped on request (Ctrl-C) after a batch, with a checkpoint of that moment.
    Interrupted,
}

/// One Linear layer's weights and gradients over an epoch (`--track grads`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerTrack {
    /// 1-based Linear layer (the last is the output layer).
    pub layer: usize,
    /// Mean over the epoch's steps of ||dLoss/dW||.
    pub grad_norm_mean: f64,
    /// Mean of W after the epoch.
    pub weight_mean: f64,
    /// Standard deviation of W after the epoch.
    pub weight_std: f64,
    /// ||W|| after the epoch.
    pub weight_norm: f64,
}

/// Metrics of one epoch, as the book reports them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochMetrics {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean training loss over the epoch's samples (the model changes during the epoch).
    pub train_loss: f64,
    /// Fraction of training samples classified correctly during the epoch.
    pub train_accuracy: f64,
    /// Mean loss over the full test set after the epoch.
    pub test_loss: f64,
    /// Test accuracy after the epoch.
    pub test_accuracy: f64,
    /// Wall seconds of the training part.
    pub train_seconds: f64,
    /// Wall seconds of the evaluation part.
    pub eval_seconds: f64,
    /// Per Linear layer, with `--track grads`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<LayerTrack>,
}

/// A saved checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointRef {
    /// The last completed epoch when it was saved.
    pub epoch: usize,
    /// Batches of the next epoch already trained (an interrupted run's checkpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<usize>,
    /// Path relative to the run folder.
    pub path: PathBuf,
}

/// The training state after a completed epoch, from which `--resume` continues.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumePoint {
    /// The completed epoch the state belongs to.
    pub epoch: usize,
    /// Model tensors (burnpack, parameter ids included), relative to the run folder.
    pub model: PathBuf,
    /// Optimiser state (burnpack, keyed by parameter id), relative to the run folder.
    pub optimizer: PathBuf,
}

/// The record of one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// actlab version that wrote it.
    pub actlab_version: String,
    /// Source revision of the binary that wrote it (git commit, `-dirty` if modified).
    #[serde(default)]
    pub revision: String,
    /// Experiment name.
    pub experiment: String,
    /// Run name, `<Activation>-s<seed>`.
    pub run: String,
    /// The network.
    pub network: NetworkConfig,
    /// Hyper-parameters, including the seed.
    pub train: TrainConfig,
    /// Trainable parameters.
    pub params: usize,
    /// Backend and device, e.g. `flex (cpu)`.
    pub device: String,
    /// Worker threads.
    pub threads: usize,
    /// Dataset folder.
    pub dataset: PathBuf,
    /// MD5 of each dataset file's IDX contents, by file name.
    #[serde(default)]
    pub dataset_md5: std::collections::BTreeMap<String, String>,
    /// Where the run stands.
    pub status: RunStatus,
    /// Set when the run diverged: (epoch, batch), 1-based.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diverged_at: Option<(usize, usize)>,
    /// Set when the run was interrupted: (epoch, batch) of the last finished batch, 1-based.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted_at: Option<(usize, usize)>,
    /// Where `--resume` continues from; present while the run is unfinished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<ResumePoint>,
    /// Epochs from which the run was resumed, in order (empty for an uninterrupted run).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resumed_after: Vec<usize>,
    /// Completed epochs.
    pub epochs: Vec<EpochMetrics>,
    /// Saved checkpoints.
    pub checkpoints: Vec<CheckpointRef>,
    /// Wall seconds from start to the last write.
    pub wall_seconds: f64,
}

impl RunRecord {
    /// Reads `run.json` from a run folder.
    pub fn load(run_dir: &Path) -> std::io::Result<Self> {
        let path = run_dir.join(RUN_RECORD);
        let text = std::fs::read_to_string(&path)?;
        serde_json::from_str(&text).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: not a run record: {e}", path.display()),
            )
        })
    }

    /// Whether `--resume` has anything left to do for this run.
    pub fn is_finished(&self) -> bool {
        matches!(self.status, RunStatus::Completed | RunStatus::Diverged)
    }

    /// The record as it stood at the end of `epoch`, marked running again and noting
    /// the resume: later epochs, checkpoints and the interruption are dropped.
    pub fn rewound_to(mut self, epoch: usize) -> Self {
        self.epochs.truncate(epoch);
        self.checkpoints
            .retain(|c| c.batch.is_none() && c.epoch <= epoch);
        self.status = RunStatus::Running;
        self.interrupted_at = None;
        self.diverged_at = None;
        self.resumed_after.push(epoch);
        self
    }

    /// The last epoch's metrics, if any epoch completed.
    pub fn last(&self) -> Option<&EpochMetrics> {
        self.epochs.last()
    }

    /// Seconds spent training and evaluating, summed over epochs.
    pub fn train_eval_seconds(&self) -> f64 {
        // A fold from +0.0: an empty f64 sum is -0.0, which would print as "-0.0".
        self.epochs
            .iter()
            .fold(0.0, |total, e| total + e.train_seconds + e.eval_seconds)
    }
}
