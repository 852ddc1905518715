//! `run.json`: everything about one run, rewritten after every epoch.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::network::NetworkConfig;
use crate::train::TrainConfig;

/// A batch of an epoch, both 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchPoint {
    /// The epoch.
    pub epoch: usize,
    /// The batch within it.
    pub batch: usize,
}

named_choices! {
    /// The name of a run's status, as tables show it.
    pub enum RunState: "run status" {
        /// Still training (or stopped without a chance to say so).
        Running = "running",
        /// Trained every epoch.
        Completed = "completed",
        /// Stopped at a non-finite loss.
        Diverged = "diverged",
        /// Stopped on request.
        Interrupted = "interrupted",
    }
}

/// Where a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "StatusFields", try_from = "StatusFields")]
pub enum RunStatus {
    /// Still training (or stopped without a chance to say so).
    Running,
    /// Trained every epoch.
    Completed,
    /// Stopped at a non-finite loss in this batch.
    Diverged(BatchPoint),
    /// Stopped on request (Ctrl-C) after this batch, with a checkpoint of that moment.
    Interrupted(BatchPoint),
}

impl RunStatus {
    /// The status's name.
    pub fn state(self) -> RunState {
        match self {
            RunStatus::Running => RunState::Running,
            RunStatus::Completed => RunState::Completed,
            RunStatus::Diverged(_) => RunState::Diverged,
            RunStatus::Interrupted(_) => RunState::Interrupted,
        }
    }
}

/// How a status is written in `run.json`: its name, and the batch where a diverged or
/// interrupted run stopped as `[epoch, batch]` beside it.
#[derive(Serialize, Deserialize)]
struct StatusFields {
    status: RunState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    diverged_at: Option<(usize, usize)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    interrupted_at: Option<(usize, usize)>,
}

impl From<RunStatus> for StatusFields {
    fn from(status: RunStatus) -> Self {
        let pair = |p: BatchPoint| Some((p.epoch, p.batch));
        let (diverged_at, interrupted_at) = match status {
            RunStatus::Diverged(p) => (pair(p), None),
            RunStatus::Interrupted(p) => (None, pair(p)),
            RunStatus::Running | RunStatus::Completed => (None, None),
        };
        Self {
            status: status.state(),
            diverged_at,
            interrupted_at,
        }
    }
}

impl TryFrom<StatusFields> for RunStatus {
    type Error = String;

    fn try_from(fields: StatusFields) -> Result<Self, String> {
        let point = |at: Option<(usize, usize)>, field: &str| {
            // Written without the batch before 0.2 in no case, but a hand-edited record
            // may lack it: say so rather than inventing one.
            at.map(|(epoch, batch)| BatchPoint { epoch, batch })
                .ok_or_else(|| format!("status `{}` needs `{field}`", fields.status))
        };
        Ok(match fields.status {
            RunState::Running => RunStatus::Running,
            RunState::Completed => RunStatus::Completed,
            RunState::Diverged => RunStatus::Diverged(point(fields.diverged_at, "diverged_at")?),
            RunState::Interrupted => {
                RunStatus::Interrupted(point(fields.interrupted_at, "interrupted_at")?)
            }
        })
    }
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
    /// The distribution of W after the epoch ([`LayerTrack::HISTOGRAM_BINS`] bins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_histogram: Option<crate::record::probe::Histogram>,
}

impl LayerTrack {
    /// Bins of [`LayerTrack::weight_histogram`].
    pub const HISTOGRAM_BINS: usize = 30;
}

/// The training loss averaged over an epoch's batches so far, after batch `batch`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunningLoss {
    /// 1-based batch of the epoch.
    pub batch: usize,
    /// Mean training loss over the epoch's samples up to that batch.
    pub loss: f64,
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
    /// The running training loss every `log_every` batches (empty in records of actlab
    /// before 0.2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub running_loss: Vec<RunningLoss>,
    /// Batches in the epoch (0 in records of actlab before 0.2).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub batches: usize,
}

fn is_zero(v: &usize) -> bool {
    *v == 0
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

impl CheckpointRef {
    /// The checkpoint's name, as `--checkpoint` takes it (e.g. `epoch-5`).
    pub fn name(&self) -> String {
        self.path
            .file_stem()
            .map_or_else(|| "checkpoint".into(), |s| s.to_string_lossy().into_owned())
    }
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
    /// The network: the one place a run's network is written down.
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
    pub dataset_md5: BTreeMap<String, String>,
    /// Where the run stands (with the batch where it stopped, when it stopped early).
    #[serde(flatten)]
    pub status: RunStatus,
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
    /// Whether `--resume` has anything left to do for this run.
    pub fn is_finished(&self) -> bool {
        matches!(self.status, RunStatus::Completed | RunStatus::Diverged(_))
    }

    /// The record as it stood at the end of `epoch`, marked running again and noting
    /// the resume: later epochs, checkpoints and the interruption are dropped.
    pub fn rewound_to(mut self, epoch: usize) -> Self {
        self.epochs.truncate(epoch);
        self.checkpoints
            .retain(|c| c.batch.is_none() && c.epoch <= epoch);
        self.status = RunStatus::Running;
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

    /// The checkpoint named `name` (e.g. `epoch-5`, with or without `.bpk`), or the last
    /// one saved when `name` is `None`.
    pub fn checkpoint(&self, name: Option<&str>) -> Option<&CheckpointRef> {
        match name {
            Some(name) => {
                let wanted = name.trim_end_matches(".bpk");
                self.checkpoints.iter().find(|c| c.name() == wanted)
            }
            None => self.checkpoints.last(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_is_written_as_its_name_and_position() {
        let json = |s: RunStatus| serde_json::to_string(&s).unwrap();
        assert_eq!(json(RunStatus::Completed), r#"{"status":"completed"}"#);
        let at = BatchPoint {
            epoch: 3,
            batch: 17,
        };
        assert_eq!(
            json(RunStatus::Diverged(at)),
            r#"{"status":"diverged","diverged_at":[3,17]}"#
        );
        let back: RunStatus =
            serde_json::from_str(r#"{"status":"interrupted","interrupted_at":[1,2]}"#).unwrap();
        assert_eq!(
            back,
            RunStatus::Interrupted(BatchPoint { epoch: 1, batch: 2 })
        );
        let err = serde_json::from_str::<RunStatus>(r#"{"status":"diverged"}"#).unwrap_err();
        assert!(err.to_string().contains("needs `diverged_at`"), "{err}");
    }
}
