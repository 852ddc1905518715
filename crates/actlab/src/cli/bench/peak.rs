//! Flags of `actlab bench peak`.

use clap::Args;

use crate::parse;

/// Flags of `actlab bench peak`.
#[derive(Debug, Args)]
pub struct BenchPeakArgs {
    /// Thread counts to measure [default: 1 and every core].
    #[arg(long, value_delimiter = ',', value_name = "N,...", value_parser = parse::up_to::<1024>)]
    pub threads: Option<Vec<usize>>,
}
