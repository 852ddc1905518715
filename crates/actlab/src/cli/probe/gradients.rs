//! Flags of `actlab probe gradients`.

use std::path::PathBuf;

use clap::Args;

use crate::cli::shared::{DefinitionArgs, EnvArgs, ShapeArgs};
use crate::parse;

/// Flags of `actlab probe gradients`.
#[derive(Debug, Args)]
pub struct GradientArgs {
    /// Activations [default: the book's 13].
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub acts: Option<Vec<String>>,
    /// The shape of every network built.
    #[command(flatten)]
    pub shape: ShapeArgs,
    /// Initialisation seed.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Samples in the batch (the first of the training set).
    #[arg(long, visible_alias = "batch", default_value_t = 128, value_parser = parse::up_to::<1_000_000>)]
    pub batch_size: usize,
    /// Histogram bins.
    #[arg(long, default_value_t = 50, value_parser = parse::up_to::<100_000>)]
    pub bins: usize,
    /// Folder for gradients-<Activation>.json and its figure [default: results/probes].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Where user-defined activations come from.
    #[command(flatten)]
    pub defs: DefinitionArgs,
    /// Where things run and where the data is.
    #[command(flatten)]
    pub env: EnvArgs,
    /// Replace a report (and its figure) that exists already.
    #[arg(long)]
    pub force: bool,
}
