//! Flags of `actlab summary`.

use clap::Args;

use crate::cli::shared::NetworkArgs;

/// Flags of `actlab summary`.
#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// The network to build.
    #[command(flatten)]
    pub network: NetworkArgs,
}
