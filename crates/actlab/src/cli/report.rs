//! Flags of `actlab report`.

use std::path::PathBuf;

use clap::Args;

/// Flags of `actlab report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The experiment folder (holding experiment.json), or a study's (search.json).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Folder for index.html [default: the experiment or study folder].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}
