//! The book's PyTorch `SimpleNetwork` (dldna/chapter_04/models/base.py) and actlab's
//! network, both ways: a state dict (`torch.save(model.state_dict())` or safetensors) read
//! into a [`SimpleNetwork`], and a network written as safetensors that the book's code
//! loads with `load_state_dict` unchanged.
//!
//! The book's network is `nn.Sequential(Linear, act, Linear, act, ..., Linear)` under
//! `layers`: Linear `i` at index `2i`, the activation after it at `2i + 1`, and one shared
//! activation instance appended at every odd index, so its parameters appear under each
//! (`layers.1.weight`, `layers.3.weight`, ... for `nn.PReLU`). PyTorch stores a Linear's
//! weight as `[out, in]`, Burn as `[in, out]`: Burn's own adapters
//! (`PyTorchToBurnAdapter`, `BurnToPyTorchAdapter`) transpose them as tensors are applied
//! to or collected from the module. Files are read with burn-store's `PytorchReader` (no
//! hand-written pickle reader) and the `safetensors` crate; writing goes through the
//! `safetensors` crate too, since a shared activation is one tensor in Burn but several
//! keys in the book's state dict, which no key remapping of a store can express.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use burn::store::burn_pack::{Bytes, DType, Tensor as PackTensor};
use burn::store::{BurnToPyTorchAdapter, ModuleSnapshot, PyTorchToBurnAdapter};
use burn::tensor::Device;
use thiserror::Error;

use acts::Activation;
use spec::{
    ActivationConfig, ActivationKind, ActivationSpec, LayerKind, NetworkConfig, Scope, TorchParam,
};

use crate::SimpleNetwork;

mod layout;
mod read;

use layout::{Layout, describe};
use read::floats;
pub use read::{parse_state_dict, read_state_dict};

/// What goes wrong reading or writing the book's state dicts; each message is one line
/// that names the file and the key.
#[derive(Debug, Error)]
pub enum InteropError {
    /// The file cannot be read as a state dict (its path is in the message).
    #[error("{0}")]
    File(String),
    /// A key of the state dict does not fit the network.
    #[error("`{key}`: {problem}")]
    Key {
        /// The state dict's key.
        key: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The network or activation has no counterpart in the book's state dicts.
    #[error("{0}")]
    Network(String),
}

fn key_error(key: &str, problem: impl Into<String>) -> InteropError {
    InteropError::Key {
        key: key.to_string(),
        problem: problem.into(),
    }
}

/// One tensor of a state dict: row-major float32 values and the PyTorch shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    /// PyTorch's shape (empty for a scalar such as TeLU's alpha).
    pub shape: Vec<usize>,
    /// The values.
    pub values: Vec<f32>,
}

/// A state dict: key → tensor, and the file's format.
#[derive(Clone, Debug)]
pub struct StateDict {
    /// The tensors by key.
    pub tensors: BTreeMap<String, Array>,
    /// `pytorch` (a `torch.save` file) or `safetensors`.
    pub format: &'static str,
}

/// The book's state-dict keys of an activation's parameters (from the registry), or an
/// error when the book's state dicts have no layout for them: every parameter-free
/// built-in has one (no keys), and of the trainable ones PReLU, TeLU and STAF.
fn book_keys(spec: &ActivationSpec) -> Result<&'static [TorchParam], InteropError> {
    let layout = match spec {
        ActivationSpec::Builtin(kind) => kind.torch().state_dict,
        _ => None,
    };
    layout.ok_or_else(|| {
        let trainable: Vec<&str> = ActivationKind::all()
            .filter(|k| k.is_trainable() && k.torch().state_dict.is_some())
            .map(ActivationKind::name)
            .collect();
        InteropError::Network(format!(
            "{}'s parameters have no PyTorch layout in the book's state dicts; actlab imports and exports the parameter-free built-ins and the trainable {}",
            spec.name(),
            trainable.join(", ")
        ))
    })
}

/// Each state-dict key of `module`'s parameters with the parameter's path inside the
/// module, as Burn's stores name it (`keys` are in the registry's parameter order, as
/// [`Activation::param_paths`] lists them).
fn keyed_paths(keys: &[TorchParam], module: &Activation) -> Vec<(TorchParam, String)> {
    keys.iter()
        .copied()
        .zip(module.param_paths().into_iter().map(|(_, path)| path))
        .collect()
}

/// What `import` makes of a state dict: the network it describes and its weights.
pub struct Imported {
    /// The network, scope inferred (or as asked).
    pub network: NetworkConfig,
    /// The weights.
    pub model: SimpleNetwork,
}

/// Builds actlab's network from a state dict of the book's `SimpleNetwork` (or of
/// actlab's `ConvNetwork`, `layout`) with activation `spec`: convolutions and hidden
/// widths from the shapes (the widths checked against `hidden` when given), the scope
/// from the activation's parameters (equal at every place: shared; else per layer; one
/// value per unit or channel: per neuron), or `scope` when given.
pub fn import(
    dict: &StateDict,
    spec: &ActivationSpec,
    hidden: Option<&[usize]>,
    scope: Option<Scope>,
    device: &Device,
) -> Result<Imported, InteropError> {
    let keys = book_keys(spec)?;
    // NaN or infinity in a weight would import "fine" and evaluate to chance.
    for (key, array) in &dict.tensors {
        if let Some((i, v)) = array
            .values
            .iter()
            .enumerate()
            .find(|(_, v)| !v.is_finite())
        {
            return Err(key_error(
                key,
                format!(
                    "holds {v} at index {i}; a network with non-finite weights computes nothing, so it is not imported"
                ),
            ));
        }
    }
    let described = describe(dict)?;
    let layout = described.layout;
    if let Some(hidden) = hidden
        && hidden != described.hidden.as_slice()
    {
        return Err(InteropError::Network(format!(
            "the file's hidden widths are {}, not --hidden {}",
            join(&described.hidden),
            join(hidden)
        )));
    }
    // Units of every activated layer: channels, then widths.
    let widths: Vec<usize> = described
        .conv
        .iter()
        .chain(&described.hidden)
        .copied()
        .collect();
    let mut used: BTreeSet<String> = described.keys.iter().cloned().collect();

    // The activation's parameters at every place, per attribute.
    let mut at_places: Vec<Vec<&Array>> = Vec::new();
    for &TorchParam { key: attr, .. } in keys {
        let mut places = Vec::new();
        for place in 0..layout.places() {
            let key = format!("layers.{}.{attr}", layout.activation(place));
            let array = dict.tensors.get(&key).ok_or_else(|| {
                key_error(
                    &key,
                    format!(
                        "missing: {}'s parameter `{attr}` after {}",
                        spec.name(),
                        layout.describe(place)
                    ),
                )
            })?;
            used.insert(key);
            places.push(array);
        }
        at_places.push(places);
    }
    if let Some(extra) = dict.tensors.keys().find(|k| !used.contains(*k)) {
        return Err(key_error(
            extra,
            format!(
                "not part of the network with {} ({})",
                spec.name(),
                if keys.is_empty() {
                    "a parameter-free activation: only the layers' weights and biases".to_string()
                } else {
                    format!(
                        "whose parameters are {}",
                        keys.iter()
                            .map(|k| format!("`{}`", k.key))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ),
        ));
    }

    let all_equal = at_places
        .iter()
        .all(|places| places.windows(2).all(|w| w[0] == w[1]));
    let per_unit = !keys.is_empty()
        && at_places.iter().all(|places| {
            places
                .iter()
                .zip(&widths)
                .all(|(a, &w)| a.values.len() == w && w > 1)
        });
    let inferred = if keys.is_empty() || (all_equal && !per_unit) {
        Scope::Shared
    } else if per_unit {
        Scope::PerNeuron
    } else {
        Scope::PerLayer
    };
    let scope = match scope {
        Some(Scope::Shared) if !all_equal => {
            let attr = keys[at_places
                .iter()
                .position(|p| p.windows(2).any(|w| w[0] != w[1]))
                .unwrap_or(0)]
            .key;
            return Err(key_error(
                &format!("layers.{}.{attr}", layout.activation(1)),
                format!(
                    "differs from `layers.{}.{attr}`, but a shared {} has one set of parameters (leave --scope out to import it per layer)",
                    layout.activation(0),
                    spec.name()
                ),
            ));
        }
        Some(scope) => scope,
        None => inferred,
    };
    let network = NetworkConfig::book(ActivationConfig::new(spec.clone()).with_scope(scope))
        .with_conv(described.conv.clone())
        .with_hidden(described.hidden.clone());
    let mut model =
        SimpleNetwork::new(&network, device).map_err(|e| InteropError::Network(e.to_string()))?;

    // actlab's shape of each activation parameter, to reshape the book's into.
    let shapes: HashMap<String, Vec<usize>> = model
        .collect(None, None, false)
        .into_iter()
        .map(|t| (t.name.clone(), t.shape.to_vec()))
        .collect();
    let mut snapshots = Vec::new();
    let modules = (0..layout.conv)
        .map(|i| (layout.conv(i), format!("conv.{i}")))
        .chain((0..layout.hidden).map(|j| (layout.linear(j), format!("hidden.{j}"))))
        .chain([(layout.linear(layout.hidden), "output".to_string())]);
    for (index, module) in modules {
        for field in ["weight", "bias"] {
            let array = &dict.tensors[&format!("layers.{index}.{field}")];
            snapshots.push(pack(
                &format!("{module}.{field}"),
                &array.shape,
                &array.values,
            ));
        }
    }
    let modules = network
        .activation
        .as_ref()
        .map_or(0, |a| a.module_units(&widths).len());
    let paths = model
        .activations
        .first()
        .map_or_else(Vec::new, |m| keyed_paths(keys, m));
    for ((TorchParam { key: attr, .. }, path), places) in paths.iter().zip(&at_places) {
        for module in 0..modules {
            let name = format!("activations.{module}.{path}");
            let array = places[module];
            let shape = shapes.get(&name).ok_or_else(|| {
                InteropError::Network(format!("actlab's {} has no parameter {name}", spec.name()))
            })?;
            if shape.iter().product::<usize>() != array.values.len() {
                return Err(key_error(
                    &format!("layers.{}.{attr}", layout.activation(module)),
                    format!(
                        "shape {:?}, but {} {scope} after a layer of {} units has {} values",
                        array.shape,
                        spec.name(),
                        widths[module],
                        shape.iter().product::<usize>()
                    ),
                ));
            }
            snapshots.push(pack(&name, shape, &array.values));
        }
    }
    let result = model.apply(snapshots, None, Some(Box::new(PyTorchToBurnAdapter)), false);
    if let Some(e) = result.errors.first() {
        return Err(InteropError::Network(e.to_string()));
    }
    if let Some((missing, _)) = result.missing.first() {
        return Err(InteropError::Network(format!(
            "nothing in the file for actlab's `{missing}`"
        )));
    }
    Ok(Imported { network, model })
}

fn pack(name: &str, shape: &[usize], values: &[f32]) -> PackTensor {
    PackTensor::new(
        name.to_string(),
        DType::F32,
        shape.to_vec(),
        None,
        Bytes::from_elems(values.to_vec()),
    )
}

fn join(widths: &[usize]) -> String {
    widths
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The book's state dict of `model` (whose network is `network`): every key
/// `SimpleNetwork(...).state_dict()` has (`ConvNetwork(...)`'s with convolutions,
/// `layout`), in PyTorch's layouts, a shared activation's parameters under each place it
/// is used.
pub fn export(
    model: &SimpleNetwork,
    network: &NetworkConfig,
) -> Result<BTreeMap<String, Array>, InteropError> {
    let activation = network.activation.as_ref().ok_or_else(|| {
        InteropError::Network(
            "a network without activations has no counterpart in the book's state dicts".into(),
        )
    })?;
    if network.layer != LayerKind::Linear {
        return Err(InteropError::Network(
            "gated (GLU) layers have no counterpart in the book's SimpleNetwork".into(),
        ));
    }
    if !network.norm.is_none() {
        return Err(InteropError::Network(format!(
            "norm = \"{}\": normalised layers have no counterpart in the book's SimpleNetwork",
            network.norm
        )));
    }
    let keys = book_keys(&activation.kind)?;
    let paths = model
        .activations
        .first()
        .map_or_else(Vec::new, |m| keyed_paths(keys, m));
    let layout = Layout {
        conv: network.conv.len(),
        hidden: network.hidden.len(),
    };
    let modules = activation.module_units(&network.activated_widths()).len();
    let mut out = BTreeMap::new();
    for tensor in model.collect(None, Some(Box::new(BurnToPyTorchAdapter)), false) {
        let shape = tensor.shape.to_vec();
        let name = tensor.name.clone();
        let bytes = tensor
            .to_bytes()
            .map_err(|e| InteropError::Network(format!("`{name}`: {e}")))?;
        // Burn keeps tensor bytes in native order.
        let values = floats(&bytes, f32::from_ne_bytes);
        let parts: Vec<&str> = name.splitn(3, '.').collect();
        match parts[..] {
            ["conv", i, field] => {
                let i: usize = i.parse().expect("a layer index");
                let key = format!("layers.{}.{field}", layout.conv(i));
                out.insert(key, Array { shape, values });
            }
            ["hidden", i, field] => {
                let i: usize = i.parse().expect("a layer index");
                let key = format!("layers.{}.{field}", layout.linear(i));
                out.insert(key, Array { shape, values });
            }
            ["output", field] => {
                let key = format!("layers.{}.{field}", layout.linear(layout.hidden));
                out.insert(key, Array { shape, values });
            }
            ["activations", m, path] => {
                let m: usize = m.parse().expect("a module index");
                let (key, _) = paths.iter().find(|(_, p)| p == path).ok_or_else(|| {
                    InteropError::Network(format!(
                        "actlab's `{name}` has no place in the book's state dict"
                    ))
                })?;
                let attr = key.key;
                // The book's TeLU alpha is a 0-d tensor; the others keep their length.
                let shape = if key.zero_dim {
                    Vec::new()
                } else {
                    vec![values.len()]
                };
                let places: Vec<usize> = if modules == 1 {
                    (0..layout.places()).collect()
                } else {
                    vec![m]
                };
                for place in places {
                    out.insert(
                        format!("layers.{}.{attr}", layout.activation(place)),
                        Array {
                            shape: shape.clone(),
                            values: values.clone(),
                        },
                    );
                }
            }
            _ => {
                return Err(InteropError::Network(format!(
                    "actlab's `{name}` has no place in the book's state dict"
                )));
            }
        }
    }
    Ok(out)
}

/// `tensors` as a safetensors file's bytes, with `metadata` in its header (safetensors'
/// `format = "pt"` marks it as PyTorch's, as `safetensors.torch.save_file` does).
pub fn safetensors_bytes(
    tensors: &BTreeMap<String, Array>,
    metadata: BTreeMap<String, String>,
) -> Result<Vec<u8>, InteropError> {
    let raw: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
        .iter()
        .map(|(k, a)| {
            let bytes = a.values.iter().flat_map(|v| v.to_le_bytes()).collect();
            (k.clone(), a.shape.clone(), bytes)
        })
        .collect();
    let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = raw
        .iter()
        .map(|(k, shape, bytes)| {
            safetensors::tensor::TensorView::new(safetensors::Dtype::F32, shape.clone(), bytes)
                .map(|v| (k.clone(), v))
                .map_err(|e| InteropError::Network(format!("`{k}`: {e}")))
        })
        .collect::<Result<_, _>>()?;
    let mut info: HashMap<String, String> = metadata.into_iter().collect();
    info.insert("format".into(), "pt".into());
    safetensors::serialize(views, Some(info)).map_err(|e| InteropError::Network(e.to_string()))
}
