//! Training: configs and experiments, the training loop, checkpoints, run records and
//! the experiment summary table. Nothing here prints; progress goes to an [`Observer`].

mod atomic;
mod checkpoint;
mod fit;
mod optimizer;
mod record;
mod summary;
mod track;

pub use atomic::{write_atomic, write_json_atomic};
pub use checkpoint::{CHECKPOINT_DIR, CheckpointError, load_network, save_checkpoint};
pub use fit::{Observer, RunContext, SilentObserver, Start, StepPhases, TrainError, evaluate, fit};
pub use optimizer::build_optimizer;
pub use record::{
    CheckpointRef, EpochMetrics, LayerTrack, RUN_RECORD, ResumePoint, RunRecord, RunStatus,
};
pub use spec::{ConfigError, Experiment, ExperimentFile, OptimizerKind, RunSpec, TrainConfig};
pub use summary::{SummaryRow, SummaryTable};
