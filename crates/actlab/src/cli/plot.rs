//! Flags of `actlab plot` and its subcommands.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::cli::shared::{DefinitionArgs, DeviceArgs};

/// Flags of `actlab plot`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct PlotArgs {
    /// What to draw.
    #[command(subcommand)]
    pub command: Option<PlotCommand>,
    /// Draw again from saved data: a figure or probe report JSON, a run.json or run
    /// folder (training curves), or an experiment folder or its experiment.json (every
    /// run side by side).
    #[arg(long, value_name = "PATH")]
    pub from: Option<PathBuf>,
    /// Folder for the figure's files, NAME.json, NAME.svg and NAME.png [default:
    /// results/figures for `acts` and `dead-neurons`; beside the data for --from].
    #[arg(long, value_name = "DIR", global = true)]
    pub out: Option<PathBuf>,
    /// Replace figure files that exist already (`plot acts`, `plot dead-neurons`, and
    /// `--from` with `--out`; a record's own figure beside it is always redrawn).
    #[arg(long, global = true)]
    pub force: bool,
}

/// Figures computed afresh.
#[derive(Debug, Subcommand)]
pub enum PlotCommand {
    /// Each activation and its derivative on [-4, 4] (200 points), three per row:
    /// activations.json/.svg/.png.
    Acts(PlotActsArgs),
    /// Dead-neuron reports side by side: dead units per layer as grouped bars, one
    /// group per layer and one bar per report: dead-neurons.json/.svg/.png.
    #[command(
        after_help = "Example:\n  actlab plot dead-neurons results/first/ReLU-s7/probes/dead-neurons-epoch-1.json results/first/TeLU-s7/probes/dead-neurons-epoch-1.json"
    )]
    DeadNeurons {
        /// Reports written by `actlab probe dead-neurons`.
        #[arg(required = true, value_name = "REPORT")]
        reports: Vec<PathBuf>,
    },
}

/// Flags of `actlab plot acts`.
#[derive(Debug, Args)]
pub struct PlotActsArgs {
    /// Activations [default: the book's 13].
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub acts: Option<Vec<String>>,
    /// Seed of random initial parameters (STAF, Fourier).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Where user-defined activations come from.
    #[command(flatten)]
    pub defs: DefinitionArgs,
    /// Where the computation runs.
    #[command(flatten)]
    pub compute: DeviceArgs,
}
