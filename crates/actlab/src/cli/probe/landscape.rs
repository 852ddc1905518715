//! Flags of `actlab probe landscape`.

use std::path::PathBuf;

use clap::Args;

use crate::cli::shared::EnvArgs;
use crate::parse;

/// Flags of `actlab probe landscape`.
#[derive(Debug, Args)]
pub struct LandscapeArgs {
    /// A run folder with at least one checkpoint.
    #[arg(long, value_name = "DIR")]
    pub run: PathBuf,
    /// The line's far end: another run's last checkpoint [default: this run's last,
    /// from its first].
    #[arg(long, value_name = "DIR")]
    pub to: Option<PathBuf>,
    /// Only the line.
    #[arg(long, conflicts_with = "no_line")]
    pub no_surface: bool,
    /// Only the surface.
    #[arg(long)]
    pub no_line: bool,
    /// Grid points per axis of the surface (`--steps` before it was named as in
    /// `probe surface`).
    #[arg(long, alias = "steps", default_value_t = 41, value_parser = parse::up_to::<401>)]
    pub grid: usize,
    /// The surface spans [-RANGE, RANGE] along each direction.
    #[arg(long, default_value_t = 1.0, value_parser = parse::positive_f64)]
    pub range: f64,
    /// Seed of the two random directions.
    #[arg(long, default_value_t = 1)]
    pub direction_seed: u64,
    /// Move biases and the activation's parameters too (zero in the directions by
    /// default, as in Li et al.).
    #[arg(long)]
    pub include_biases: bool,
    /// Training images the loss averages over (a fixed subset).
    #[arg(long, default_value_t = 2048, value_parser = parse::up_to::<60_000>)]
    pub samples: usize,
    /// Seed of the subset.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Folder for the reports and figures [default: the run's probes/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Where things run and where the data is.
    #[command(flatten)]
    pub env: EnvArgs,
    /// Replace a report (and its figure) that exists already.
    #[arg(long)]
    pub force: bool,
}
