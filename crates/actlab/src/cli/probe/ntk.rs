//! Flags of `actlab probe ntk`.

use std::path::PathBuf;

use clap::Args;

use crate::cli::shared::{EnvArgs, NetworkArgs};
use crate::parse;

/// Flags of `actlab probe ntk`.
#[derive(Debug, Args)]
pub struct NtkArgs {
    /// The network to build.
    #[command(flatten)]
    pub network: NetworkArgs,
    /// Test images (the kernel is N x N).
    #[arg(long, default_value_t = 100, value_parser = parse::up_to::<2_000>)]
    pub samples: usize,
    /// Seed of the initialisation.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Folder for the report and its figure [default: results/probes].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Where things run and where the data is.
    #[command(flatten)]
    pub env: EnvArgs,
    /// Replace a report (and its figure) that exists already.
    #[arg(long)]
    pub force: bool,
}
