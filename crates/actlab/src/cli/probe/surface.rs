//! Flags of `actlab probe surface`.

use std::path::PathBuf;

use clap::Args;

use crate::cli::shared::{DefinitionArgs, DeviceArgs};
use crate::parse;

/// Flags of `actlab probe surface`.
#[derive(Debug, Args)]
pub struct SurfaceArgs {
    /// Activations [default: the book's 13].
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub acts: Option<Vec<String>>,
    /// Grid points per axis.
    #[arg(long, default_value_t = 100, value_parser = parse::up_to::<4096>)]
    pub grid: usize,
    /// The grid spans [-RANGE, RANGE] on both axes.
    #[arg(long, default_value_t = 5.0, value_parser = parse::positive_f64)]
    pub range: f64,
    /// Seed of random initial parameters (STAF, Fourier).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Folder for surface-<Activation>.json and its figure [default: results/probes].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Where user-defined activations come from.
    #[command(flatten)]
    pub defs: DefinitionArgs,
    /// Where the computation runs.
    #[command(flatten)]
    pub compute: DeviceArgs,
    /// Replace a report (and its figure) that exists already.
    #[arg(long)]
    pub force: bool,
}
