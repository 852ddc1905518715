//! Flags of `actlab rerun`.

use std::path::PathBuf;

use clap::Args;

use crate::cli::shared::EnvArgs;

/// Flags of `actlab rerun`.
#[derive(Debug, Args)]
pub struct RerunArgs {
    /// A run's run.json, or its folder.
    #[arg(value_name = "RUN_JSON")]
    pub record: PathBuf,
    /// Folder the new run folder goes in [default: results/rerun/<experiment>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Overwrite an earlier rerun in the same place.
    #[arg(long)]
    pub force: bool,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
    /// Where things run and where the data is.
    #[command(flatten)]
    pub env: EnvArgs,
}
