//! Flags of `actlab compare`.

use std::path::PathBuf;

use clap::Args;

use crate::parse;

/// Flags of `actlab compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The new experiment folder.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// The experiment folder it is compared with.
    #[arg(value_name = "BASELINE")]
    pub baseline: PathBuf,
    /// Exit with code 3, naming them, when activations regressed: significantly worse
    /// (one-sided Welch, Holm-adjusted, α = 0.05) by more than --margin points; with code
    /// 5 when no activation had the 3 runs on each side a test needs (nothing tested).
    #[arg(long)]
    pub fail_on_regression: bool,
    /// Points of final test accuracy an activation may lose before it counts as
    /// regressed.
    #[arg(long, default_value_t = 0.5, value_parser = parse::non_negative_f64, value_name = "PTS")]
    pub margin: f64,
    /// Settings the two experiments may differ in, comma-separated, by the name the
    /// refusal gives (`train.lr`, `network.hidden`; `train` accepts every training
    /// setting): compared anyway, and named in the result. Without it, experiments
    /// trained differently are refused.
    #[arg(long, value_delimiter = ',', value_name = "FIELDS")]
    pub accept: Vec<String>,
}
