//! The dead-neuron probe against an independent count: the network's weights are read
//! out, every pre-activation of every sample is computed again here in f64, and the
//! dead units, the pre-activation moments and the chapter's prediction ∏ Φ(−μₗ/σₗ) are
//! taken from those numbers (Φ from statrs' normal distribution, not the probe's erfc).
//!
//! Tolerance: the probe runs in float32, so moments agree to 1e-4 relative (784-term dot
//! products in float32 err by about 1e-6 relative); dead units must be the same units.

mod common;

use std::sync::Arc;

use burn::tensor::Device;
use common::Dense;
use data::{Split, normalise_pixel};
use nets::SimpleNetwork;
use probe::dead_neurons;
use spec::rng::SplitMix64;
use spec::{ActivationConfig, ActivationKind, ActivationSpec, NetworkConfig};
use statrs::distribution::{ContinuousCDF, Normal};

const PIXELS: usize = 12;
const SAMPLES: usize = 300;

#[test]
fn dead_units_moments_and_the_prediction_match_a_recount() {
    let mut rng = SplitMix64::new(5);
    let images: Vec<u8> = (0..SAMPLES * PIXELS)
        .map(|_| rng.below(256) as u8)
        .collect();
    let labels: Vec<u8> = (0..SAMPLES).map(|_| rng.below(10) as u8).collect();
    let split = Arc::new(Split::new(images.clone(), labels, PIXELS).unwrap());

    let device = Device::default();
    device.seed(9);
    // Narrow, deep and shifted by the bias: some units die, most do not.
    let config = NetworkConfig {
        input: PIXELS,
        conv: Vec::new(),
        hidden: vec![16, 8, 6, 4],
        classes: 10,
        activation: Some(ActivationConfig::new(ActivationSpec::Builtin(
            ActivationKind::ReLU,
        ))),
        layer: spec::LayerKind::Linear,
        init: spec::InitScheme::Pytorch,
        norm: spec::NormKind::None,
    };
    let model = SimpleNetwork::new(&config, &device).unwrap();
    let report = dead_neurons(&model, &split, 64, &device);

    let mut h: Vec<Vec<f64>> = images
        .chunks(PIXELS)
        .map(|img| img.iter().map(|&b| f64::from(normalise_pixel(b))).collect())
        .collect();
    let standard = Normal::new(0.0, 1.0).unwrap();
    let mut predicted = 1.0;
    let mut any_dead = false;
    assert_eq!(report.layers.len(), model.hidden.len());
    for (layer, got) in model.hidden.iter().zip(&report.layers) {
        let dense = Dense::of(layer);
        let units = dense.bias.len();
        let z: Vec<Vec<f64>> = h.iter().map(|x| dense.apply(x)).collect();
        let all: Vec<f64> = z.iter().flatten().copied().collect();
        let mean = all.iter().sum::<f64>() / all.len() as f64;
        let std = (all.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / all.len() as f64).sqrt();
        predicted *= standard.cdf(-mean / std);
        let dead: Vec<usize> = (0..units)
            .filter(|&u| z.iter().all(|row| row[u] <= 0.0))
            .collect();
        any_dead |= !dead.is_empty();

        let what = format!("layer {}", got.layer);
        assert!(
            (got.pre_activation_mean - mean).abs() <= 1e-4 * (std + mean.abs()),
            "{what}: mean {} vs {mean}",
            got.pre_activation_mean
        );
        assert!(
            (got.pre_activation_std - std).abs() <= 1e-4 * std,
            "{what}: std {} vs {std}",
            got.pre_activation_std
        );
        assert!(
            (got.predicted_dead - predicted).abs() <= 1e-4 * predicted,
            "{what}: prediction {} vs {predicted}",
            got.predicted_dead
        );
        assert_eq!(got.dead_units, dead, "{what}");
        assert_eq!(got.units, units);
        h = z
            .into_iter()
            .map(|row| row.into_iter().map(|v| v.max(0.0)).collect())
            .collect();
    }
    assert!(
        any_dead,
        "the network should hold dead units for the count to be tested"
    );
}

/// On a convolutional network a unit is a channel: a channel whose bias is negative and
/// weights zero is dead at every position of every image, one with a positive bias
/// never silent; the counts are per channel, the sparsity over samples × positions.
#[test]
fn a_convolution_s_units_are_its_channels() {
    use burn::module::Param;
    use burn::tensor::{Tensor, TensorData};
    let mut rng = SplitMix64::new(2);
    let n = 40;
    let images: Vec<u8> = (0..n * 784).map(|_| rng.below(256) as u8).collect();
    let labels: Vec<u8> = (0..n).map(|_| rng.below(10) as u8).collect();
    let split = Arc::new(Split::new(images, labels, 784).unwrap());
    let device = Device::default();
    let config = NetworkConfig::book(ActivationConfig::new(ActivationKind::ReLU))
        .with_conv(vec![3, 4])
        .with_hidden(vec![8]);
    let mut model = SimpleNetwork::new(&config, &device).unwrap();
    let conv = &mut model.conv[0];
    conv.weight = Param::from_tensor(Tensor::zeros([3, 1, 5, 5], &device));
    conv.bias = Some(Param::from_tensor(Tensor::from_data(
        TensorData::new(vec![-1.0f32, 1.0, -0.5], [3]),
        &device,
    )));
    let report = dead_neurons(&model, &split, 16, &device);
    let first = &report.layers[0];
    assert_eq!((first.units, first.dead_units.clone()), (3, vec![0, 2]));
    assert_eq!(first.sparsity, [1.0, 0.0, 1.0]);
    assert_eq!(first.pre_activation_mean, (-1.0 + 1.0 - 0.5) / 3.0);
    // Every value the second convolution sees is the same (relu(1)/1 pooled, zero padding
    // only on the first), so each of its channels is constant too: dead or never silent.
    let second = &report.layers[1];
    assert_eq!(second.units, 4);
    for (u, &s) in second.sparsity.iter().enumerate() {
        assert!(s == 0.0 || s == 1.0, "channel {u}: sparsity {s}");
        assert_eq!(second.dead_units.contains(&u), s == 1.0, "channel {u}");
    }
    assert_eq!(report.layers.len(), 3);
}
