//! Flags of `actlab ls`.

use std::path::PathBuf;

use clap::Args;

/// Flags of `actlab ls`.
#[derive(Debug, Args)]
pub struct LsArgs {
    /// The folder to look in (experiment folders below it, up to three levels deep).
    #[arg(value_name = "DIR", default_value = "results")]
    pub dir: PathBuf,
}
