//! Flags of `actlab eval`.

use std::path::PathBuf;

use clap::Args;

use crate::cli::shared::EnvArgs;
use crate::parse;

/// Flags of `actlab eval`.
#[derive(Debug, Args)]
pub struct EvalRunArgs {
    /// A run folder (trained or imported).
    #[arg(long, value_name = "DIR")]
    pub run: PathBuf,
    /// Which checkpoint, e.g. epoch-5 [default: the last].
    #[arg(long)]
    pub checkpoint: Option<String>,
    /// Also print the logits of the first N test images.
    #[arg(long, value_name = "N", value_parser = parse::up_to::<10_000>)]
    pub logits: Option<usize>,
    /// Where things run and where the data is.
    #[command(flatten)]
    pub env: EnvArgs,
}
