//! State dicts read from their files: a `torch.save` archive (its pickles checked for
//! code first, then read by burn-store's reader) or a safetensors file.

use std::collections::BTreeMap;
use std::path::Path;

use burn::store::pytorch::PytorchReader;
use burn::store::pytorch_reader::DType as TorchDType;

use super::{Array, InteropError, StateDict};

/// Reads a state dict: a `torch.save` file (`.pt`, `.pth`, or any name) or a safetensors
/// file, told apart by their contents.
pub fn read_state_dict(path: &Path) -> Result<StateDict, InteropError> {
    let bytes = spec::fsio::read_limited(path, spec::fsio::limits::STATE_DICT, "state dict")
        .map_err(|e| InteropError::File(format!("{}: cannot read it: {e}", path.display())))?;
    parse_state_dict(path, &bytes)
}

/// A state dict from the `bytes` of the file `path` (named in errors).
pub fn parse_state_dict(path: &Path, bytes: &[u8]) -> Result<StateDict, InteropError> {
    let file = |problem: String| InteropError::File(format!("{}: {problem}", path.display()));
    // torch.save writes a ZIP archive (legacy files start with a pickle protocol byte).
    let is_torch = bytes.starts_with(b"PK\x03\x04") || bytes.first() == Some(&0x80);
    if is_torch {
        read_torch(path, bytes).map_err(file)
    } else {
        read_safetensors(bytes).map_err(|e| {
            file(format!(
                "neither a PyTorch state dict (torch.save) nor a safetensors file ({e})"
            ))
        })
    }
}

/// Float values of `N`-byte elements, each decoded by `decode`.
pub(super) fn floats<const N: usize>(raw: &[u8], decode: impl Fn([u8; N]) -> f32) -> Vec<f32> {
    raw.chunks_exact(N)
        .map(|c| decode(c.try_into().expect("chunks of N bytes")))
        .collect()
}

fn read_torch(path: &Path, bytes: &[u8]) -> Result<StateDict, String> {
    crate::pickle::check_torch_file(bytes).map_err(|crate::pickle::Refusal(why)| why)?;
    let reader = PytorchReader::from_reader(std::io::Cursor::new(bytes), None)
        .or_else(|_| PytorchReader::new(path))
        .map_err(|e| format!("not a readable PyTorch state dict; truncated or corrupt? ({e})"))?;
    let mut tensors = BTreeMap::new();
    for (key, tensor) in reader.tensors() {
        let raw = tensor
            .read()
            .map_err(|e| format!("the file is truncated or corrupt ({e})"))?;
        let values = match tensor.dtype() {
            // PytorchReader hands out native-endian bytes.
            TorchDType::F32 => floats(&raw, f32::from_ne_bytes),
            TorchDType::F64 => floats(&raw, |b| f64::from_ne_bytes(b) as f32),
            other => {
                return Err(format!(
                    "`{key}` is {other:?}; actlab reads float32 (or float64) state dicts"
                ));
            }
        };
        tensors.insert(
            key.clone(),
            Array {
                shape: tensor.shape().to_vec(),
                values,
            },
        );
    }
    if tensors.is_empty() {
        return Err("holds no tensors: not a state dict".into());
    }
    Ok(StateDict {
        tensors,
        format: "pytorch",
    })
}

fn read_safetensors(bytes: &[u8]) -> Result<StateDict, String> {
    let file = safetensors::SafeTensors::deserialize(bytes).map_err(|e| e.to_string())?;
    let mut tensors = BTreeMap::new();
    for (key, view) in file.tensors() {
        let values = match view.dtype() {
            // Safetensors files are little-endian.
            safetensors::Dtype::F32 => floats(view.data(), f32::from_le_bytes),
            safetensors::Dtype::F64 => floats(view.data(), |b| f64::from_le_bytes(b) as f32),
            other => {
                return Err(format!(
                    "`{key}` is {other:?}; actlab reads float32 (or float64) tensors"
                ));
            }
        };
        tensors.insert(
            key,
            Array {
                shape: view.shape().to_vec(),
                values,
            },
        );
    }
    if tensors.is_empty() {
        return Err("holds no tensors".into());
    }
    Ok(StateDict {
        tensors,
        format: "safetensors",
    })
}
