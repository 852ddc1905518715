//! Layer outputs of a (trained) network: the distribution of each hidden layer's
//! post-activation values over a whole dataset split, and how many sit at exactly zero.

use burn::tensor::Device;
use data::Split;
use data::for_each_batch;
use nets::SimpleNetwork;
use spec::record::probe::{Histogram, LayerOutputs, OutputReport};
use std::sync::Arc;

use crate::gradients::stats;

/// Passes all of `split` through `model` (the inference copy, on `device`) in batches.
pub fn layer_outputs(
    model: &SimpleNetwork,
    split: &Arc<Split>,
    batch_size: usize,
    bins: usize,
    device: &Device,
) -> OutputReport {
    let mut values: Vec<Vec<f32>> = vec![Vec::new(); model.activated_layers()];
    for_each_batch(split, batch_size, device, |x, _| {
        let (_, hidden) = model.forward_with_hidden(x);
        for (all, h) in values.iter_mut().zip(hidden) {
            all.extend(
                h.into_data()
                    .try_into_vec::<f32>()
                    .expect("float32 outputs"),
            );
        }
    });
    let layers = values
        .iter()
        .enumerate()
        .map(|(i, v)| LayerOutputs {
            layer: i + 1,
            units: model.layer_widths()[i],
            histogram: Histogram::of(v, bins),
            stats: stats(v),
            zero_fraction: v.iter().filter(|x| **x == 0.0).count() as f64 / v.len().max(1) as f64,
        })
        .collect();
    OutputReport {
        samples: split.len(),
        layers,
    }
}
