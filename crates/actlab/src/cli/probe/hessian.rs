//! Flags of `actlab probe hessian`.

use std::path::PathBuf;

use clap::Args;

use crate::cli::shared::EnvArgs;
use crate::parse;

/// Flags of `actlab probe hessian`.
#[derive(Debug, Args)]
pub struct HessianArgs {
    /// A run folder (trained or imported).
    #[arg(long, value_name = "DIR")]
    pub run: PathBuf,
    /// Which checkpoint of the run, e.g. epoch-5 [default: the last].
    #[arg(long)]
    pub checkpoint: Option<String>,
    /// Training images in the fixed subset the loss averages over.
    #[arg(long, default_value_t = 2048, value_parser = parse::up_to::<60_000>)]
    pub samples: usize,
    /// Seed of the subset (a permutation of the training set) and of the random vectors.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Largest eigenvalues to report.
    #[arg(long, default_value_t = 5, value_parser = parse::up_to::<100>)]
    pub top: usize,
    /// Lanczos steps, for the whole Hessian and for each density run (`--steps` before
    /// it was named for what it counts).
    #[arg(long, alias = "steps", default_value_t = 40, value_parser = parse::up_to::<500>)]
    pub lanczos_steps: usize,
    /// Rademacher vectors for the trace and ‖H‖_F.
    #[arg(long, default_value_t = 30, value_parser = parse::up_to::<100_000>)]
    pub vectors: usize,
    /// Skip the per-block spectra (each layer, the activation).
    #[arg(long)]
    pub no_blocks: bool,
    /// Folder for hessian-<checkpoint>.json and its figure [default: the run's probes/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Where things run and where the data is.
    #[command(flatten)]
    pub env: EnvArgs,
    /// Replace a report (and its figure) that exists already.
    #[arg(long)]
    pub force: bool,
}
