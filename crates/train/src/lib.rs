//! Training: the loop, optimisers, checkpoints and run records (the records themselves
//! are `spec`'s). Nothing here prints; progress goes to an [`Observer`].

#![warn(missing_docs)]

mod checkpoint;
mod events;
mod fit;
mod optimizer;
mod step;
mod track;

pub use checkpoint::{
    CheckpointError, OpenedRun, RunFolderError, load_network, open_run, save_checkpoint,
};
pub use events::EventsObserver;
pub use fit::{
    Observer, RunContext, SilentObserver, Start, StepPhases, TrainError, UnitCounter, evaluate, fit,
};
pub use optimizer::build_optimizer;
use spec::{ExperimentLayout, SummaryTable, artifact, fsio};

/// Writes an experiment's summary into its folder: `summary.md` and `summary.json`,
/// and as CSV per activation (`summary.csv`), per run and per activation and epoch.
pub fn write_summary(layout: &ExperimentLayout, table: &SummaryTable) -> std::io::Result<()> {
    fsio::write_atomic(&layout.summary("md"), table.markdown().as_bytes())?;
    fsio::write_atomic(&layout.summary("csv"), table.csv().as_bytes())?;
    fsio::write_atomic(&layout.runs_csv(), table.runs_csv().as_bytes())?;
    fsio::write_atomic(&layout.epochs_csv(), table.epochs_csv().as_bytes())?;
    artifact::write(&layout.summary("json"), table)
}
