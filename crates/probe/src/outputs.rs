//! Layer outputs of a (trained) network: the distribution of each hidden layer's
//! post-activation values over a whole dataset split, and how many sit at exactly zero.

use burn::tensor::{Device, Tensor, TensorData};
use data::{BatchBuffer, Split};
use nets::SimpleNetwork;
use serde::{Deserialize, Serialize};

use crate::gradients::{Histogram, Stats, histogram, stats};

/// One hidden layer's outputs over the split.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerOutputs {
    /// 1-based hidden layer.
    pub layer: usize,
    /// Units in the layer.
    pub units: usize,
    /// Distribution of every output value (samples x units of them).
    pub histogram: Histogram,
    /// Their statistics.
    pub stats: Stats,
    /// Fraction of the values that are exactly 0 (activation sparsity).
    pub zero_fraction: f64,
}

/// Every hidden layer's outputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputReport {
    /// Samples passed through.
    pub samples: usize,
    /// Input side first.
    pub layers: Vec<LayerOutputs>,
}

/// Passes all of `split` through `model` (the inference copy, on `device`) in batches.
pub fn layer_outputs(
    model: &SimpleNetwork,
    split: &Split,
    batch_size: usize,
    bins: usize,
    device: &Device,
) -> OutputReport {
    let mut buf = BatchBuffer::default();
    let mut values: Vec<Vec<f32>> = vec![Vec::new(); model.hidden.len()];
    let indices: Vec<usize> = (0..split.len()).collect();
    for chunk in indices.chunks(batch_size) {
        buf.fill(split, chunk);
        let x = Tensor::<2>::from_data(
            TensorData::new(buf.pixels.clone(), [chunk.len(), split.pixels()]),
            device,
        );
        let (_, hidden) = model.forward_with_hidden(x);
        for (all, h) in values.iter_mut().zip(hidden) {
            all.extend(
                h.into_data()
                    .try_into_vec::<f32>()
                    .expect("float32 outputs"),
            );
        }
    }
    let layers = values
        .iter()
        .enumerate()
        .map(|(i, v)| LayerOutputs {
            layer: i + 1,
            units: model.hidden[i].weight.dims()[1],
            histogram: histogram(v, bins),
            stats: stats(v),
            zero_fraction: v.iter().filter(|x| **x == 0.0).count() as f64 / v.len().max(1) as f64,
        })
        .collect();
    OutputReport {
        samples: split.len(),
        layers,
    }
}
