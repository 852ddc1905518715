//! Flags of `actlab search`.

use std::path::PathBuf;

use clap::Args;

use crate::cli::shared::EnvArgs;
use crate::parse;

/// Flags of `actlab search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The study's config (TOML): the space, the strategy, the rungs; see
    /// configs/search-quick.toml.
    #[arg(value_name = "CONFIG", required_unless_present_any = ["resume", "status"])]
    pub config: Option<PathBuf>,
    /// Parent folder of the study folder (default: the config's `out`, else results).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["resume", "status"])]
    pub out: Option<PathBuf>,
    /// The study folder's name (default: the config's `name`).
    #[arg(long, conflicts_with_all = ["resume", "status"])]
    pub name: Option<String>,
    /// Overwrite a study folder that already holds results.
    #[arg(long, conflicts_with_all = ["resume", "status"])]
    pub force: bool,
    /// Continue a study (e.g. results/search-quick) after an interruption or a kill:
    /// the candidates are read back, every finished run is kept, unfinished ones
    /// continue from their last epoch, and each promotion is decided again from the
    /// records, so the study ends as it would have uninterrupted.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["config", "status"])]
    pub resume: Option<PathBuf>,
    /// Print where a study stands (running or finished) and its leaderboard so far;
    /// trains nothing.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["config", "resume"])]
    pub status: Option<PathBuf>,
    /// Check the config, screen the candidates and write the study folder, then stop:
    /// what a cluster job does once before its array tasks (`actlab slurm`).
    #[arg(long, conflicts_with_all = ["resume", "status"])]
    pub prepare: bool,
    /// With --resume and --shard: train only this stage's runs (an evolution's
    /// generations first, then the rungs, then the confirmation; `--status` and the
    /// error for a wrong S list them); every earlier stage must have finished.
    #[arg(long, value_name = "S", requires = "shard", value_parser = parse::positive_usize)]
    pub stage: Option<usize>,
    /// With --resume and --stage: train only shard I of N of the stage's planned runs
    /// (run k belongs to shard k mod N; `auto/N` takes I from SLURM_ARRAY_TASK_ID or
    /// JOB_COMPLETION_INDEX), into the shared study folder; then stop.
    #[arg(long, value_name = "I/N", value_parser = parse::shard, requires_all = ["resume", "stage"])]
    pub shard: Option<parse::ShardChoice>,
    /// Runs to train at once, each in a process of its own; `auto` is one per core.
    #[arg(long, default_value = "1", value_parser = parse::jobs, value_name = "N")]
    pub jobs: usize,
    /// No progress output (the leaderboard is still printed).
    #[arg(long, short)]
    pub quiet: bool,
    /// Where things run and where the data is.
    #[command(flatten)]
    pub env: EnvArgs,
}
