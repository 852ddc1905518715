//! `run.json`: everything about one run, rewritten after every epoch.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::network::NetworkConfig;
use crate::train::TrainConfig;

/// A loss in JSON, which has no NaN or infinity (serde_json writes `null`, which does not
/// read back): an overflowed loss, e.g. the test loss after the epoch whose weights
/// made the next batch diverge, is written as the string `"inf"`, `"-inf"` or `"NaN"`.
mod loss_text {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        match *v {
            v if v.is_finite() => s.serialize_f64(v),
            v if v.is_nan() => s.serialize_str("NaN"),
            v if v > 0.0 => s.serialize_str("inf"),
            _ => s.serialize_str("-inf"),
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumberOrText {
        Number(f64),
        Text(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        match NumberOrText::deserialize(d)? {
            NumberOrText::Number(v) => Ok(v),
            NumberOrText::Text(t) => match t.as_str() {
                "NaN" => Ok(f64::NAN),
                "inf" => Ok(f64::INFINITY),
                "-inf" => Ok(f64::NEG_INFINITY),
                other => Err(D::Error::custom(format!(
                    "expected a number, \"inf\", \"-inf\" or \"NaN\", found \"{other}\""
                ))),
            },
        }
    }
}

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
        /// Weights read from a PyTorch file (`actlab import`), not trained here.
        Imported = "imported",
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
    /// Weights read from a PyTorch file (`actlab import`): no epochs, one checkpoint.
    Imported,
}

impl RunStatus {
    /// The status's name.
    pub fn state(self) -> RunState {
        match self {
            RunStatus::Running => RunState::Running,
            RunStatus::Completed => RunState::Completed,
            RunStatus::Diverged(_) => RunState::Diverged,
            RunStatus::Interrupted(_) => RunState::Interrupted,
            RunStatus::Imported => RunState::Imported,
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
            RunStatus::Running | RunStatus::Completed | RunStatus::Imported => (None, None),
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
            RunState::Imported => RunStatus::Imported,
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
    #[serde(with = "loss_text")]
    pub loss: f64,
}

/// Metrics of one epoch, as the book reports them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochMetrics {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean training loss over the epoch's samples (the model changes during the epoch).
    #[serde(with = "loss_text")]
    pub train_loss: f64,
    /// Fraction of training samples classified correctly during the epoch.
    pub train_accuracy: f64,
    /// Mean loss over the full test set after the epoch.
    #[serde(with = "loss_text")]
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
    /// Dead and saturated units over the training set after the epoch, with
    /// `[train] dead_units`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<crate::record::probe::UnitCensus>,
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

/// The file an imported run's weights were read from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSource {
    /// The file, as given.
    pub file: PathBuf,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// `pytorch` (a `torch.save` state dict) or `safetensors`.
    pub format: String,
}

/// What a run's bits depend on: a numerics fingerprint written with every run, read by
/// `actlab rerun` to say whether another machine should repeat it exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Numerics {
    /// Every product and sum in actlab's fixed order: the same bits on any x86-64 CPU
    /// with AVX2 and FMA, with or without AVX-512, on any number of threads (for the
    /// same code revision and config). False when Burn's own operations took part, whose
    /// order follows the CPU; `machine_order` says why.
    pub portable: bool,
    /// The vector path actlab's kernels ran on (`avx512`, `avx2`, `baseline`): recorded
    /// for the reader; it does not reach the bits of a portable run.
    pub isa: String,
    /// Why the run is not portable, one reason each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub machine_order: Vec<String>,
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
    /// What fixes the bits of the numbers below (absent in records written before
    /// actlab fixed its summation order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerics: Option<Numerics>,
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
    /// Where an imported run's weights came from (`actlab import`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported: Option<ImportSource>,
    /// Dead and saturated units over the training set at initialisation, with
    /// `[train] dead_units`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_units: Option<crate::record::probe::UnitCensus>,
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
        matches!(
            self.status,
            RunStatus::Completed | RunStatus::Diverged(_) | RunStatus::Imported
        )
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

    #[test]
    fn an_overflowed_loss_is_written_as_text_and_reads_back() {
        let epoch = |test_loss: f64| EpochMetrics {
            epoch: 1,
            train_loss: 2.5,
            train_accuracy: 0.1,
            test_loss,
            test_accuracy: 0.1,
            train_seconds: 1.0,
            eval_seconds: 0.1,
            layers: Vec::new(),
            running_loss: vec![RunningLoss {
                batch: 1,
                loss: f64::NAN,
            }],
            batches: 2,
            units: None,
        };
        for (loss, text) in [
            (f64::INFINITY, "\"inf\""),
            (f64::NEG_INFINITY, "\"-inf\""),
            (0.25, "0.25"),
        ] {
            let json = serde_json::to_string(&epoch(loss)).unwrap();
            assert!(json.contains(&format!("\"test_loss\":{text}")), "{json}");
            assert!(json.contains("\"loss\":\"NaN\""), "{json}");
            let back: EpochMetrics = serde_json::from_str(&json).unwrap();
            assert_eq!(back.test_loss, loss);
            assert!(back.running_loss[0].loss.is_nan());
        }
        let err = serde_json::from_str::<RunningLoss>(r#"{"batch":1,"loss":"big"}"#).unwrap_err();
        assert!(err.to_string().contains("found \"big\""), "{err}");
    }
}
