//! Flags of `actlab acts list` and `actlab acts eval`.

use clap::{Args, Subcommand};

use crate::cli::shared::{DefinitionArgs, DeviceArgs};

/// Registry commands.
#[derive(Debug, Subcommand)]
pub enum ActsCommand {
    /// List every activation: name, category, formula, parameters, scopes.
    List(ListArgs),
    /// Value and derivative of an activation at given points, and for trainable ones the
    /// gradient of the sum over the points with respect to each parameter.
    #[command(
        after_help = "Examples:\n  actlab acts eval GELU --at -3,-1,0,1,3\n  actlab acts eval TeLU --at -100,0,100 --json"
    )]
    Eval(EvalArgs),
}

/// Flags of `actlab acts list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Where user-defined activations come from.
    #[command(flatten)]
    pub defs: DefinitionArgs,
}

/// Flags of `actlab acts eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Activation name (see `actlab acts list`).
    pub name: String,
    /// Points, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        allow_hyphen_values = true,
        required = true,
        value_name = "X1,X2,..."
    )]
    pub at: Vec<f64>,
    /// Seed of random initial parameters (STAF).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Where user-defined activations come from.
    #[command(flatten)]
    pub defs: DefinitionArgs,
    /// Where the computation runs.
    #[command(flatten)]
    pub compute: DeviceArgs,
}
