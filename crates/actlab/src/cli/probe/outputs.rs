//! Flags of `actlab probe outputs`.

use std::path::PathBuf;

use clap::Args;

use crate::cli::shared::EnvArgs;
use crate::parse;

/// Flags of `actlab probe outputs`.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// A run folder (holding run.json and checkpoints/).
    #[arg(long, value_name = "DIR")]
    pub run: PathBuf,
    /// Which checkpoint of the run, e.g. epoch-5 [default: the last].
    #[arg(long)]
    pub checkpoint: Option<String>,
    /// Histogram bins.
    #[arg(long, default_value_t = 60, value_parser = parse::up_to::<100_000>)]
    pub bins: usize,
    /// Folder for outputs-<checkpoint>.json and its figure [default: the run's probes/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Where things run and where the data is.
    #[command(flatten)]
    pub env: EnvArgs,
    /// Replace a report (and its figure) that exists already.
    #[arg(long)]
    pub force: bool,
}
