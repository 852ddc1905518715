//! Checkpoints: the network's tensors in burnpack (`.bpk`), its config beside them.

use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::store::{BurnpackStore, ModuleSnapshot};
use burn::tensor::Device;
use nets::{NetworkConfig, SimpleNetwork};
use thiserror::Error;

use crate::atomic::{temp_path, write_json_atomic};

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

/// Saves `model` as `run_dir/checkpoints/<name>.bpk` (atomically) with `model.json`
/// beside it; returns the checkpoint's path relative to `run_dir`.
pub fn save_checkpoint(
    model: &SimpleNetwork,
    config: &NetworkConfig,
    run_dir: &Path,
    name: &str,
) -> Result<PathBuf, CheckpointError> {
    let relative = Path::new(CHECKPOINT_DIR).join(format!("{name}.bpk"));
    let path = run_dir.join(&relative);
    let io = |path: &Path, message: String| CheckpointError::Io {
        path: path.to_path_buf(),
        message,
    };
    let dir = run_dir.join(CHECKPOINT_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e.to_string()))?;
    let config_path = dir.join(MODEL_CONFIG);
    write_json_atomic(&config_path, config).map_err(|e| io(&config_path, e.to_string()))?;
    let tmp = temp_path(&path);
    let mut store = BurnpackStore::from_file(&tmp)
        .auto_extension(false)
        .overwrite(true);
    let saved = model
        .valid()
        .save_into(&mut store)
        .map_err(|e| io(&path, e.to_string()))
        .and_then(|()| std::fs::rename(&tmp, &path).map_err(|e| io(&path, e.to_string())));
    if saved.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    saved.map(|()| relative)
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
    let text = std::fs::read_to_string(&config_path).map_err(|e| CheckpointError::Io {
        path: config_path.clone(),
        message: e.to_string(),
    })?;
    let config: NetworkConfig = serde_json::from_str(&text).map_err(|e| CheckpointError::Io {
        path: config_path.clone(),
        message: format!("not a network config: {e}"),
    })?;
    let mismatch = |problem: String| CheckpointError::Mismatch {
        path: checkpoint.to_path_buf(),
        config: config_path.clone(),
        problem,
    };
    let mut model = SimpleNetwork::new(&config, device).map_err(|e| mismatch(e.to_string()))?;
    if !checkpoint.is_file() {
        return Err(CheckpointError::Io {
            path: checkpoint.to_path_buf(),
            message: "no such checkpoint file".to_string(),
        });
    }
    // Shapes and completeness are checked below from the apply result, so that a
    // checkpoint of another network is reported as such, not as an unreadable file.
    let mut store = BurnpackStore::from_file(checkpoint)
        .auto_extension(false)
        .validate(false)
        .allow_partial(true);
    let result = model
        .load_from(&mut store)
        .map_err(|e| CheckpointError::Io {
            path: checkpoint.to_path_buf(),
            message: format!("not a readable burnpack checkpoint: {e}"),
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
    Ok((model, config))
}
