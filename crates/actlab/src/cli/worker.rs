//! Flags of the internal `actlab worker`.

use std::path::PathBuf;

use clap::Args;

use crate::cli::shared::EnvArgs;

/// Flags of the internal `actlab worker`.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// The experiment folder.
    pub dir: PathBuf,
    /// The run's name.
    pub run: String,
    /// Where things run and where the data is.
    #[command(flatten)]
    pub env: EnvArgs,
}
