//! Flags of `actlab probe dead-neurons`.

use std::path::PathBuf;

use clap::Args;

use crate::cli::shared::{EnvArgs, NetworkArgs};

/// Flags of `actlab probe dead-neurons`.
#[derive(Debug, Args)]
pub struct DeadNeuronArgs {
    /// A run folder (holding run.json and checkpoints/).
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with = "init",
        required_unless_present = "init"
    )]
    pub run: Option<PathBuf>,
    /// Which checkpoint of the run, e.g. epoch-5 [default: the last].
    #[arg(long, requires = "run")]
    pub checkpoint: Option<String>,
    /// Probe a freshly initialised network instead of a run.
    #[arg(long)]
    pub init: bool,
    /// The network to build.
    #[command(flatten)]
    pub network: NetworkArgs,
    /// Seed of the fresh network's initialisation.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Folder for the report (dead-neurons-<checkpoint>.json, or
    /// dead-neurons-init-<network>.json) and its figure [default: the run's probes/, or
    /// results/probes with --init].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Where things run and where the data is.
    #[command(flatten)]
    pub env: EnvArgs,
    /// Replace a report (and its figure) that exists already.
    #[arg(long)]
    pub force: bool,
}
