//! Checkpoints: the network's tensors in burnpack (`.bpk`), its config beside them.

use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::optim::ModuleOptimizer;
use burn::store::{BurnpackStore, ModuleSnapshot};
use burn::tensor::Device;
use nets::{NetworkConfig, SimpleNetwork};
use thiserror::Error;

use crate::atomic::{temp_path, write_json_atomic};
use crate::record::ResumePoint;

/// Sub-folder of a run folder holding checkpoints.
pub const CHECKPOINT_DIR: &str = "checkpoints";
/// The network config saved beside the checkpoints.
const MODEL_CONFIG: &str = "model.json";

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
    /// The file does not fit the network its config describes.
    #[error("{path}: checkpoint does not fit the network in {config} ({problem})")]
    Mismatch {
        /// The checkpoint.
        path: PathBuf,
        /// The config file.
        config: PathBuf,
        /// What did not fit.
        problem: String,
    },
}

/// Creates `run_dir/checkpoints/` (with `model.json`, the network config) if needed.
fn checkpoint_dir(config: &NetworkConfig, run_dir: &Path) -> Result<PathBuf, CheckpointError> {
    let dir = run_dir.join(CHECKPOINT_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
    let config_path = dir.join(MODEL_CONFIG);
    write_json_atomic(&config_path, config).map_err(|e| io_error(&config_path, e))?;
    Ok(dir)
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
    let tmp = temp_path(path);
    let written = write(&tmp).and_then(|()| std::fs::rename(&tmp, path).map_err(|e| e.to_string()));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.map_err(|message| io_error(path, message))
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

/// Saves `model` as `run_dir/checkpoints/<name>.bpk` (atomically) with `model.json`
/// beside it; returns the checkpoint's path relative to `run_dir`.
pub fn save_checkpoint(
    model: &SimpleNetwork,
    config: &NetworkConfig,
    run_dir: &Path,
    name: &str,
) -> Result<PathBuf, CheckpointError> {
    checkpoint_dir(config, run_dir)?;
    let relative = Path::new(CHECKPOINT_DIR).join(format!("{name}.bpk"));
    save_model(model, &run_dir.join(&relative))?;
    Ok(relative)
}

/// Saves what `--resume` needs after `epoch`: the model and the optimiser state, under
/// names that carry the epoch, so that the record can switch from one complete pair to
/// the next in a single atomic write.
pub fn save_resume_point(
    model: &SimpleNetwork,
    optimizer: &ModuleOptimizer,
    config: &NetworkConfig,
    run_dir: &Path,
    epoch: usize,
) -> Result<ResumePoint, CheckpointError> {
    checkpoint_dir(config, run_dir)?;
    let point = ResumePoint {
        epoch,
        model: Path::new(CHECKPOINT_DIR).join(format!("resume-e{epoch}.bpk")),
        optimizer: Path::new(CHECKPOINT_DIR).join(format!("resume-e{epoch}.optimizer.bpk")),
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
    let model_path = run_dir.join(&point.model);
    let record = run_dir.join(crate::record::RUN_RECORD);
    let model = apply_checkpoint(model, &model_path, &record)?;
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

/// Loads a checkpoint file into a network built from the `model.json` beside it.
pub fn load_network(
    checkpoint: &Path,
    device: &Device,
) -> Result<(SimpleNetwork, NetworkConfig), CheckpointError> {
    let config_path = checkpoint
        .parent()
        .unwrap_or(Path::new("."))
        .join(MODEL_CONFIG);
    let text = std::fs::read_to_string(&config_path).map_err(|e| io_error(&config_path, e))?;
    let config: NetworkConfig = serde_json::from_str(&text)
        .map_err(|e| io_error(&config_path, format!("not a network config: {e}")))?;
    let model = SimpleNetwork::new(&config, device).map_err(|e| CheckpointError::Mismatch {
        path: checkpoint.to_path_buf(),
        config: config_path.clone(),
        problem: e.to_string(),
    })?;
    let model = apply_checkpoint(model, checkpoint, &config_path)?;
    Ok((model, config))
}

/// Loads the tensors of `checkpoint` into `model`, which must have the same structure;
/// `config` names the file that describes that structure, for the error message.
fn apply_checkpoint(
    mut model: SimpleNetwork,
    checkpoint: &Path,
    config: &Path,
) -> Result<SimpleNetwork, CheckpointError> {
    let mismatch = |problem: String| CheckpointError::Mismatch {
        path: checkpoint.to_path_buf(),
        config: config.to_path_buf(),
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
