//! Checkpoints: the network's tensors in burnpack (`.bpk`). The network they fit is the
//! one in the run's `run.json`, its only record.

use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::optim::ModuleOptimizer;
use burn::store::{BurnpackStore, ModuleSnapshot};
use burn::tensor::Device;
use nets::SimpleNetwork;
use spec::{
    CheckpointRef, NetworkConfig, ResumePoint, RunLayout, RunRecord,
    artifact::{self, ArtifactError},
    fsio::write_via_temp,
};
use thiserror::Error;

/// A checkpoint that cannot be written or read.
#[derive(Debug, Error)]
pub enum CheckpointError {
    /// Reading or writing failed.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The file does not fit the network its run records.
    #[error("{path}: checkpoint does not fit the network of its run ({problem})")]
    Mismatch {
        /// The checkpoint.
        path: PathBuf,
        /// What did not fit.
        problem: String,
    },
}

/// A run folder whose checkpoint cannot be opened.
#[derive(Debug, Error)]
pub enum RunFolderError {
    /// No readable run record.
    #[error("{dir}: not a run folder ({error}); give a folder such as results/train/ReLU-s7")]
    NotARun {
        /// The folder.
        dir: PathBuf,
        /// Why its record cannot be read.
        error: ArtifactError,
    },
    /// No checkpoint of that name.
    #[error("checkpoint {name}: no such checkpoint in {dir} (available: {available})")]
    NoSuchCheckpoint {
        /// The folder.
        dir: PathBuf,
        /// The name asked for.
        name: String,
        /// The names it has.
        available: String,
    },
    /// The run has saved no checkpoint.
    #[error("{dir}: the run saved no checkpoint yet")]
    NoCheckpoint {
        /// The folder.
        dir: PathBuf,
    },
    /// The checkpoint cannot be loaded.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
}

/// A run's network at one of its checkpoints.
pub struct OpenedRun {
    /// The run's record.
    pub record: RunRecord,
    /// The checkpoint loaded.
    pub checkpoint: CheckpointRef,
    /// The network with the checkpoint's weights, on the device asked for.
    pub model: SimpleNetwork,
}

/// Loads the checkpoint named `name` (e.g. `epoch-5`; the last one when `None`) of the
/// run in `run_dir` into the network its `run.json` describes.
pub fn open_run(
    run_dir: &Path,
    name: Option<&str>,
    device: &Device,
) -> Result<OpenedRun, RunFolderError> {
    let layout = RunLayout::new(run_dir);
    let record: RunRecord =
        artifact::read(&layout.record()).map_err(|error| RunFolderError::NotARun {
            dir: run_dir.to_path_buf(),
            error,
        })?;
    let checkpoint = match record.checkpoint(name) {
        Some(c) => c.clone(),
        None => {
            return Err(match name {
                Some(name) => {
                    let available: Vec<String> =
                        record.checkpoints.iter().map(CheckpointRef::name).collect();
                    RunFolderError::NoSuchCheckpoint {
                        dir: run_dir.to_path_buf(),
                        name: name.to_string(),
                        available: if available.is_empty() {
                            "none".into()
                        } else {
                            available.join(", ")
                        },
                    }
                }
                None => RunFolderError::NoCheckpoint {
                    dir: run_dir.to_path_buf(),
                },
            });
        }
    };
    let model = load_network(&record.network, &run_dir.join(&checkpoint.path), device)?;
    Ok(OpenedRun {
        record,
        checkpoint,
        model,
    })
}

fn io_error(path: &Path, message: impl ToString) -> CheckpointError {
    CheckpointError::Io {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

/// Writes a file through a temporary name, so that `path` is either absent, the old
/// file, or complete.
fn write_through_temp(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<(), CheckpointError> {
    write_via_temp(path, |tmp| write(tmp).map_err(std::io::Error::other))
        .map_err(|e| io_error(path, e))
}

/// Writes the model's tensors (with their parameter ids) to `path` as burnpack.
fn save_model(model: &SimpleNetwork, path: &Path) -> Result<(), CheckpointError> {
    write_through_temp(path, |tmp| {
        let mut store = BurnpackStore::from_file(tmp)
            .auto_extension(false)
            .overwrite(true);
        model
            .valid()
            .save_into(&mut store)
            .map_err(|e| e.to_string())
    })
}

/// Saves `model` as `run_dir/checkpoints/<name>.bpk` (atomically); returns the
/// checkpoint's path relative to `run_dir`.
pub fn save_checkpoint(
    model: &SimpleNetwork,
    run_dir: &Path,
    name: &str,
) -> Result<PathBuf, CheckpointError> {
    let relative = RunLayout::checkpoint(name);
    save_model(model, &run_dir.join(&relative))?;
    Ok(relative)
}

/// Saves what `--resume` needs after `epoch`: the model and the optimiser state, under
/// names that carry the epoch, so that the record can switch from one complete pair to
/// the next in a single atomic write.
pub fn save_resume_point(
    model: &SimpleNetwork,
    optimizer: &ModuleOptimizer,
    run_dir: &Path,
    epoch: usize,
) -> Result<ResumePoint, CheckpointError> {
    let (model_path, optimizer_path) = RunLayout::resume_point(epoch);
    let point = ResumePoint {
        epoch,
        model: model_path,
        optimizer: optimizer_path,
    };
    save_model(model, &run_dir.join(&point.model))?;
    write_through_temp(&run_dir.join(&point.optimizer), |tmp| {
        optimizer.save(tmp).map_err(|e| e.to_string())
    })?;
    Ok(point)
}

/// Deletes a resume point's files (they are superseded or no longer needed).
pub fn remove_resume_point(run_dir: &Path, point: &ResumePoint) {
    // A leftover file wastes a megabyte but harms nothing, so failures are ignored.
    let _ = std::fs::remove_file(run_dir.join(&point.model));
    let _ = std::fs::remove_file(run_dir.join(&point.optimizer));
}

/// Restores the model (into `model`, built from the run's config on the training
/// device) and the optimiser state of a resume point.
pub fn load_resume_point(
    model: SimpleNetwork,
    optimizer: ModuleOptimizer,
    run_dir: &Path,
    point: &ResumePoint,
) -> Result<(SimpleNetwork, ModuleOptimizer), CheckpointError> {
    let model = apply_checkpoint(model, &run_dir.join(&point.model))?;
    let optimizer_path = run_dir.join(&point.optimizer);
    if !optimizer_path.is_file() {
        return Err(io_error(&optimizer_path, "no such optimiser state file"));
    }
    let optimizer = optimizer.load(&optimizer_path).map_err(|e| {
        io_error(
            &optimizer_path,
            format!("not a readable optimiser state: {e}"),
        )
    })?;
    Ok((model, optimizer))
}

/// Loads a checkpoint file into a network built from `config` (its run's network).
pub fn load_network(
    config: &NetworkConfig,
    checkpoint: &Path,
    device: &Device,
) -> Result<SimpleNetwork, CheckpointError> {
    let model = SimpleNetwork::new(config, device).map_err(|e| CheckpointError::Mismatch {
        path: checkpoint.to_path_buf(),
        problem: e.to_string(),
    })?;
    apply_checkpoint(model, checkpoint)
}

/// Loads the tensors of `checkpoint` into `model`, which must have the same structure.
fn apply_checkpoint(
    mut model: SimpleNetwork,
    checkpoint: &Path,
) -> Result<SimpleNetwork, CheckpointError> {
    let mismatch = |problem: String| CheckpointError::Mismatch {
        path: checkpoint.to_path_buf(),
        problem,
    };
    if !checkpoint.is_file() {
        return Err(io_error(checkpoint, "no such checkpoint file"));
    }
    // Shapes and completeness are checked below from the apply result, so that a
    // checkpoint of another network is reported as such, not as an unreadable file.
    let mut store = BurnpackStore::from_file(checkpoint)
        .auto_extension(false)
        .validate(false)
        .allow_partial(true);
    let result = model.load_from(&mut store).map_err(|e| {
        io_error(
            checkpoint,
            format!("not a readable burnpack checkpoint: {e}"),
        )
    })?;
    if let Some(err) = result.errors.first() {
        return Err(mismatch(err.to_string()));
    }
    if let Some((missing, _)) = result.missing.first() {
        return Err(mismatch(format!("tensor `{missing}` is missing")));
    }
    if let Some(unused) = result.unused.first() {
        return Err(mismatch(format!(
            "tensor `{unused}` has no place in the network"
        )));
    }
    Ok(model)
}
