//! Flags of `actlab export`.

use std::path::PathBuf;

use clap::Args;

/// Flags of `actlab export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A run folder (trained or imported).
    #[arg(long, value_name = "DIR")]
    pub run: PathBuf,
    /// Which checkpoint, e.g. epoch-5 [default: the last].
    #[arg(long)]
    pub checkpoint: Option<String>,
    /// The safetensors file to write (refused if it exists, unless --force).
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
    /// Replace an existing FILE.
    #[arg(long)]
    pub force: bool,
}
