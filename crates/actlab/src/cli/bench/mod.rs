//! Flags of `actlab bench acts`, `actlab bench train` and (in `peak`) `actlab bench peak`.

use clap::{Args, Subcommand};

use crate::cli::shared::{DefinitionArgs, DeviceArgs, EnvArgs, ShapeArgs};
use crate::parse;

mod peak;
pub use peak::BenchPeakArgs;

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Forward + backward of each activation on a [128, 256] tensor (median µs).
    #[command(after_help = "Example:\n  actlab bench acts --acts ReLU,TeLU,STAF --threads 2")]
    Acts(BenchActsArgs),
    /// Training epochs of the book's network: epoch, evaluation and dead-neuron-pass
    /// seconds, and each step's time split into batch assembly, forward, backward and
    /// optimiser.
    #[command(
        after_help = "Examples:\n  actlab bench train --acts ReLU,STAF --epochs 3 --json\n  \
        actlab bench train --defs configs/expression-kernels.toml --acts ReLU,ReLUSine --composed-too"
    )]
    Train(BenchTrainArgs),
    /// This machine's limits: the cores' FMA throughput (registers only) and training's
    /// matrix product on 1024 × 1024 × 1024, on one thread and on every core (best of 5,
    /// GFLOP/s). `bench train` prints its products' share of the product peak.
    #[command(after_help = "Example:\n  actlab bench peak --threads 1,2,4")]
    Peak(BenchPeakArgs),
}

/// Flags of `actlab bench acts`.
#[derive(Debug, Args)]
pub struct BenchActsArgs {
    /// Activations [default: all of the registry].
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub acts: Option<Vec<String>>,
    /// Timed iterations per activation (a fifth more run first, untimed).
    #[arg(long, default_value_t = 50, value_parser = parse::up_to::<1_000_000>)]
    pub iterations: usize,
    /// Where user-defined activations come from.
    #[command(flatten)]
    pub defs: DefinitionArgs,
    /// Where the computation runs.
    #[command(flatten)]
    pub compute: DeviceArgs,
}

/// Flags of `actlab bench train`.
#[derive(Debug, Args)]
pub struct BenchTrainArgs {
    /// Activations, one run each.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "NAMES",
        default_value = "ReLU,TeLU,STAF"
    )]
    pub acts: Vec<String>,
    /// Epochs per run; the first is a warm-up when there are several.
    #[arg(long, default_value_t = 3, value_parser = parse::positive_usize)]
    pub epochs: usize,
    /// Training batch size.
    #[arg(long, default_value_t = 128, value_parser = parse::positive_usize)]
    pub batch_size: usize,
    /// Slices every batch is cut into for the data-parallel step (`train --slices`).
    #[arg(long, default_value_t = 1, value_parser = parse::up_to::<64>, value_name = "N")]
    pub slices: usize,
    /// Train on the first N training images only; epoch and dead-neuron-pass times are
    /// then scaled to the 60,000 of a full epoch (for wide networks, where a full epoch
    /// takes minutes).
    #[arg(long, value_name = "N", value_parser = parse::positive_usize)]
    pub images: Option<usize>,
    /// Also train each user-defined activation with its expression kernels off (Burn's
    /// composed tensor operations, as `ACTLAB_FUSED_EXPR=0`), right after the fused run:
    /// the two paths side by side in one process.
    #[arg(long)]
    pub composed_too: bool,
    /// Where user-defined activations come from.
    #[command(flatten)]
    pub defs: DefinitionArgs,
    /// The shape of every network built.
    #[command(flatten)]
    pub shape: ShapeArgs,
    /// Where things run and where the data is.
    #[command(flatten)]
    pub env: EnvArgs,
}
