//! The dataset: found and read as the flags say, and checked against a run's record.

use std::path::PathBuf;

use anyhow::Context;
use data::FashionMnist;
use spec::RunRecord;

use crate::cli::shared::EnvArgs;
use crate::failure::{Failure, input};

/// Finds and reads FashionMNIST.
pub fn load_data(env: &EnvArgs) -> Result<FashionMnist, Failure> {
    let from_env = std::env::var_os(data::DATA_ENV).map(PathBuf::from);
    let dir = data::locate(env.data_dir.as_deref(), from_env.as_deref()).map_err(input)?;
    FashionMnist::load(&dir, !env.no_verify).map_err(input)
}

/// Checks that `data` is what the run trained on (by the MD5s its record keeps), unless
/// `--no-verify` says other data is meant.
pub fn check_run_data(
    record: &RunRecord,
    data: &FashionMnist,
    env: &EnvArgs,
) -> Result<(), Failure> {
    if env.no_verify {
        return Ok(());
    }
    data.check_recorded(&record.dataset_md5)
        .with_context(|| {
            format!(
                "run {} trained on other data (pass --no-verify to probe it on this data anyway)",
                record.run
            )
        })
        .map_err(input)
}
