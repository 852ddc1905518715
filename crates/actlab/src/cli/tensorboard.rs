//! Flags of `actlab tensorboard`.

use std::path::PathBuf;

use clap::Args;

/// Flags of `actlab tensorboard`.
#[derive(Debug, Args)]
pub struct TensorboardArgs {
    /// An experiment folder, or a folder with experiments below it.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Write OUT/<experiment>/<run>/events.out.tfevents.* [default: into each run's
    /// tensorboard/ folder].
    #[arg(long, value_name = "OUT")]
    pub out: Option<PathBuf>,
}
