//! Flags of `actlab show`.

use std::path::PathBuf;

use clap::Args;

use crate::cli::shared::DeviceArgs;

/// Flags of `actlab show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A run folder (holding run.json), or its run.json.
    #[arg(value_name = "RUN")]
    pub run: PathBuf,
    /// The checkpoint whose activation parameters to show, e.g. epoch-5 [default: the last].
    #[arg(long)]
    pub checkpoint: Option<String>,
    /// Where the computation runs.
    #[command(flatten)]
    pub compute: DeviceArgs,
}
