//! Flags of `actlab merge`.

use std::path::PathBuf;

use clap::Args;

/// Flags of `actlab merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The experiment folder the shards trained into.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}
