//! Dead neurons, the book's definition: a hidden unit whose post-activation output is
//! exactly zero for every sample of the dataset.

use std::path::PathBuf;

use burn::tensor::{Device, Tensor, TensorData};
use data::{BatchBuffer, Split};
use nets::{NetworkConfig, SimpleNetwork};
use serde::{Deserialize, Serialize};

/// Dead units of one hidden layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeadLayer {
    /// 1-based hidden layer.
    pub layer: usize,
    /// Units in the layer.
    pub units: usize,
    /// Units whose output was exactly 0 for every sample.
    pub dead: usize,
    /// `dead / units`.
    pub ratio: f64,
    /// 0-based indices of the dead units.
    pub dead_units: Vec<usize>,
}

/// Where the probed network came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum ProbeSource {
    /// A checkpoint of a training run.
    Checkpoint {
        /// The run folder.
        run: PathBuf,
        /// The checkpoint, relative to the run folder.
        checkpoint: PathBuf,
        /// The epoch after which it was saved.
        epoch: usize,
    },
    /// A freshly initialised network.
    Init {
        /// The initialisation seed.
        seed: u64,
    },
}

/// The saved result of a dead-neuron probe: what was probed, on which data, and the counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeadNeuronProbe {
    /// Always `dead-neurons`.
    pub probe: String,
    /// Where the network came from.
    pub source: ProbeSource,
    /// The network's config.
    pub network: NetworkConfig,
    /// The dataset split passed through (`train`, as the book).
    pub split: String,
    /// The counts.
    pub report: DeadNeuronReport,
}

/// Dead units of every hidden layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeadNeuronReport {
    /// Samples passed through the network.
    pub samples: usize,
    /// Per hidden layer, input side first.
    pub layers: Vec<DeadLayer>,
}

/// Passes every sample of `split` through `model` (the inference copy, on `device`)
/// and finds the units that never produced anything but 0.
pub fn dead_neurons(
    model: &SimpleNetwork,
    split: &Split,
    batch_size: usize,
    device: &Device,
) -> DeadNeuronReport {
    // A unit is dead iff the largest |output| over all samples is exactly 0; keeping a
    // running max on the device needs one small tensor per layer, not a mask per batch.
    let mut max_abs: Option<Vec<Tensor<1>>> = None;
    let mut buf = BatchBuffer::default();
    let indices: Vec<usize> = (0..split.len()).collect();
    for chunk in indices.chunks(batch_size.max(1)) {
        buf.fill(split, chunk);
        let x = Tensor::<2>::from_data(
            TensorData::new(buf.pixels.clone(), [chunk.len(), split.pixels()]),
            device,
        );
        let (_, hidden) = model.forward_with_hidden(x);
        let batch_max: Vec<Tensor<1>> = hidden
            .into_iter()
            .map(|h| h.abs().max_dim(0).squeeze_dim::<1>(0))
            .collect();
        max_abs = Some(match max_abs {
            None => batch_max,
            Some(acc) => acc
                .into_iter()
                .zip(batch_max)
                .map(|(a, b)| a.max_pair(b))
                .collect(),
        });
    }
    let layers = max_abs
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let values: Vec<f32> = m.into_data().try_into_vec::<f32>().expect("f32 outputs");
            let dead_units: Vec<usize> = values
                .iter()
                .enumerate()
                .filter(|(_, v)| **v == 0.0)
                .map(|(u, _)| u)
                .collect();
            DeadLayer {
                layer: i + 1,
                units: values.len(),
                dead: dead_units.len(),
                ratio: dead_units.len() as f64 / values.len().max(1) as f64,
                dead_units,
            }
        })
        .collect();
    DeadNeuronReport {
        samples: split.len(),
        layers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use acts::{ActivationConfig, ActivationKind};
    use burn::module::Param;

    /// A 4-16-8 ReLU network with zero weights: a unit's output is relu(bias), so the
    /// units given bias -1 are dead and those given +1 alive, whatever the input.
    #[test]
    fn counts_units_killed_by_construction_exactly() {
        let device = Device::flex();
        let mut cfg = NetworkConfig::book(ActivationConfig::new(ActivationKind::ReLU))
            .with_hidden(vec![16, 8]);
        cfg.input = 4;
        let mut model = SimpleNetwork::new(&cfg, &device).unwrap();
        let set = |linear: &mut burn::nn::Linear, dead: &[usize]| {
            let [fan_in, fan_out] = linear.weight.dims();
            linear.weight = Param::from_tensor(Tensor::zeros([fan_in, fan_out], &device));
            let bias: Vec<f32> = (0..fan_out)
                .map(|u| if dead.contains(&u) { -1.0 } else { 1.0 })
                .collect();
            linear.bias = Some(Param::from_tensor(Tensor::from_data(
                TensorData::new(bias, [fan_out]),
                &device,
            )));
        };
        set(&mut model.hidden[0], &[2, 5, 11]);
        set(&mut model.hidden[1], &[0]);
        let images: Vec<u8> = (0..400u32).map(|i| (i * 37 % 256) as u8).collect();
        let split = Split::new(images, vec![0; 100], 4).unwrap();
        let report = dead_neurons(&model, &split, 32, &device);
        assert_eq!(report.samples, 100);
        assert_eq!(report.layers[0].dead_units, [2, 5, 11]);
        assert_eq!(report.layers[0].dead, 3);
        assert!((report.layers[0].ratio - 3.0 / 16.0).abs() < 1e-12);
        assert_eq!(report.layers[1].dead_units, [0]);
    }

    #[test]
    fn smooth_activation_has_no_dead_units() {
        let device = Device::flex();
        let mut cfg = NetworkConfig::book(ActivationConfig::new(ActivationKind::Swish))
            .with_hidden(vec![16, 8]);
        cfg.input = 4;
        let model = SimpleNetwork::new(&cfg, &device).unwrap();
        let images: Vec<u8> = (0..400u32).map(|i| (i * 37 % 256) as u8).collect();
        let split = Split::new(images, vec![0; 100], 4).unwrap();
        let report = dead_neurons(&model, &split, 32, &device);
        assert!(report.layers.iter().all(|l| l.dead == 0));
    }
}
