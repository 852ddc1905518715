//! Flags of `actlab slurm`.

use std::path::PathBuf;

use clap::Args;

use crate::parse;

/// Flags of `actlab slurm`.
#[derive(Debug, Args)]
pub struct SlurmArgs {
    /// The experiment config (TOML) the array trains, or a study's (`actlab search`).
    #[arg(value_name = "CONFIG")]
    pub config: PathBuf,
    /// Tasks running at once (sbatch --array=0-N%K) [default: no limit].
    #[arg(long, value_parser = parse::positive_usize, value_name = "K")]
    pub array_limit: Option<usize>,
    /// Time limit of each task, as Slurm reads it (e.g. 01:00:00).
    #[arg(long, value_name = "HH:MM:SS")]
    pub time: Option<String>,
    /// Partition (or comma-separated partitions) to submit to: letters, digits, `_`, `.`
    /// and `-` [default: the cluster's].
    #[arg(long, value_name = "P")]
    pub partition: Option<String>,
    /// Where to write the script [default: NAME.sbatch in the current folder].
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,
    /// FashionMNIST folder the tasks read [default: what actlab finds on each node].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The tasks skip the MD5 check of the dataset (for other IDX datasets).
    #[arg(long)]
    pub no_verify: bool,
    /// The actlab the tasks and the merge run, as the cluster's nodes see it [default:
    /// this one].
    #[arg(long, value_name = "PATH")]
    pub executable: Option<PathBuf>,
    /// Replace an existing script.
    #[arg(long)]
    pub force: bool,
}
