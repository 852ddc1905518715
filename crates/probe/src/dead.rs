//! Dead neurons, the book's definition: a hidden unit whose post-activation output is
//! exactly zero for every sample of the dataset.

use burn::tensor::{Device, Tensor};
use data::Split;
use nets::SimpleNetwork;
use spec::record::probe::{DeadLayer, DeadNeuronReport, SATURATION_SLOPE, SILENT_OUTPUT};
use std::sync::Arc;
use train::for_each_batch;

/// Step of the left difference (f(z) - f(z - h)) / h that estimates f'(z) (the probed
/// network runs without autodiff): its error, about h |f''| / 2, is far below the
/// threshold for smooth functions, and at a kink it takes the left side, as autodiff
/// does for ReLU at 0 — so a dead ReLU unit (z <= 0 throughout) has slope exactly 0.
const SLOPE_STEP: f64 = 1e-3;

/// Φ, the standard normal distribution function.
fn normal_cdf(x: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-x / std::f64::consts::SQRT_2)
}

/// Passes every sample of `split` through `model` (the inference copy, on `device`)
/// and finds the units that never produced anything but 0.
pub fn dead_neurons(
    model: &SimpleNetwork,
    split: &Arc<Split>,
    batch_size: usize,
    device: &Device,
) -> DeadNeuronReport {
    // A unit is dead iff the largest |output| over all samples is exactly 0, saturated
    // iff the largest |f'(z)| is below SATURATION_SLOPE; running maxima and silent counts
    // stay on the device, one small tensor per layer.
    let mut max_abs: Option<Vec<Tensor<1>>> = None;
    let mut max_slope: Option<Vec<Tensor<1>>> = None;
    let mut silent: Option<Vec<Tensor<1>>> = None;
    // Sums of z and z² per layer over every sample and unit, for the chapter's
    // prediction of dying units from the pre-activations' mean and spread.
    let mut moments: Option<Vec<Tensor<1>>> = None;
    let fold = |acc: Option<Vec<Tensor<1>>>, batch: Vec<Tensor<1>>, max: bool| {
        Some(match acc {
            None => batch,
            Some(acc) => acc
                .into_iter()
                .zip(batch)
                .map(|(a, b)| if max { a.max_pair(b) } else { a + b })
                .collect(),
        })
    };
    for_each_batch(split, batch_size, device, |x, _| {
        let (_, layers) = model.forward_traced(x);
        let (mut batch_max, mut batch_slope, mut batch_silent, mut batch_moments) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (i, trace) in layers.into_iter().enumerate() {
            let (z, h) = (trace.pre_activation, trace.output);
            batch_moments.push(Tensor::cat(
                vec![
                    z.clone().sum().reshape([1]),
                    z.clone().powi_scalar(2).sum().reshape([1]),
                ],
                0,
            ));
            let column_max = |t: Tensor<2>| t.max_dim(0).squeeze_dim::<1>(0);
            let slope = match model.activation(i) {
                Some(act) => {
                    let left = act.forward(z.sub_scalar(SLOPE_STEP));
                    (trace.activated - left).abs().div_scalar(SLOPE_STEP)
                }
                None => z.ones_like(),
            };
            batch_slope.push(column_max(slope));
            batch_silent.push(
                h.clone()
                    .abs()
                    .lower_elem(SILENT_OUTPUT)
                    .float()
                    .sum_dim(0)
                    .squeeze_dim::<1>(0),
            );
            batch_max.push(column_max(h.abs()));
        }
        max_abs = fold(max_abs.take(), batch_max, true);
        max_slope = fold(max_slope.take(), batch_slope, true);
        silent = fold(silent.take(), batch_silent, false);
        moments = fold(moments.take(), batch_moments, false);
    });
    let moments: Vec<Vec<f32>> = moments
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.into_data().try_into_vec::<f32>().expect("f32"))
        .collect();
    let mut predicted = 1.0;
    let host = |t: Tensor<1>| -> Vec<f32> { t.into_data().try_into_vec::<f32>().expect("f32") };
    let slopes: Vec<Vec<f32>> = max_slope
        .unwrap_or_default()
        .into_iter()
        .map(host)
        .collect();
    let silent: Vec<Vec<f32>> = silent.unwrap_or_default().into_iter().map(host).collect();
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
            let units = values.len().max(1) as f64;
            let saturated = slopes[i]
                .iter()
                .filter(|s| (**s as f64) < SATURATION_SLOPE)
                .count();
            let count = (split.len() * values.len()).max(1) as f64;
            let mean = moments[i][0] as f64 / count;
            let std = (moments[i][1] as f64 / count - mean * mean).max(0.0).sqrt();
            // The chapter: a unit dies with probability ∏ Φ(−μₗ/σₗ) over the layers up to
            // its own.
            predicted *= normal_cdf(-mean / std.max(1e-300));
            let sparsity: Vec<f64> = silent[i]
                .iter()
                .map(|&c| c as f64 / split.len().max(1) as f64)
                .collect();
            DeadLayer {
                layer: i + 1,
                units: values.len(),
                dead: dead_units.len(),
                ratio: dead_units.len() as f64 / units,
                dead_units,
                saturated,
                saturated_ratio: saturated as f64 / units,
                mean_sparsity: sparsity.iter().sum::<f64>() / units,
                sparsity,
                pre_activation_mean: mean,
                pre_activation_std: std,
                predicted_dead: predicted,
            }
        })
        .collect();
    DeadNeuronReport {
        samples: split.len(),
        saturation_slope: SATURATION_SLOPE,
        silent_output: SILENT_OUTPUT,
        layers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::module::Param;
    use burn::tensor::TensorData;
    use nets::NetworkConfig;
    use spec::{ActivationConfig, ActivationKind};

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
        let split = Arc::new(Split::new(images, vec![0; 100], 4).unwrap());
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
        let split = Arc::new(Split::new(images, vec![0; 100], 4).unwrap());
        let report = dead_neurons(&model, &split, 32, &device);
        assert!(report.layers.iter().all(|l| l.dead == 0));
    }

    /// Sigmoid with huge weights: every pre-activation is far out on the flat tails, so
    /// every unit is saturated (|f'(z)| < 1e-2) without being dead; tiny weights keep
    /// every unit in the linear middle, where none is.
    #[test]
    fn saturation_is_counted_where_no_unit_is_dead() {
        let device = Device::flex();
        let mut cfg = NetworkConfig::book(ActivationConfig::new(ActivationKind::Sigmoid))
            .with_hidden(vec![6]);
        cfg.input = 4;
        let images: Vec<u8> = (0..400u32).map(|i| 128 + (i * 37 % 100) as u8).collect();
        let split = Arc::new(Split::new(images, vec![0; 100], 4).unwrap());
        for (weight, saturated) in [(50.0f32, 6), (1e-3, 0)] {
            let mut model = SimpleNetwork::new(&cfg, &device).unwrap();
            model.hidden[0].weight = Param::from_tensor(Tensor::full([4, 6], weight, &device));
            model.hidden[0].bias = Some(Param::from_tensor(Tensor::zeros([6], &device)));
            let report = dead_neurons(&model, &split, 32, &device);
            let layer = &report.layers[0];
            assert_eq!(layer.dead, 0);
            assert_eq!(layer.saturated, saturated, "weight {weight}");
            assert_eq!(layer.sparsity.len(), 6);
        }
    }

    /// ReLU units killed by construction are silent on every sample: sparsity 1.
    #[test]
    fn dead_units_are_fully_sparse_and_saturated() {
        let device = Device::flex();
        let mut cfg =
            NetworkConfig::book(ActivationConfig::new(ActivationKind::ReLU)).with_hidden(vec![3]);
        cfg.input = 4;
        let mut model = SimpleNetwork::new(&cfg, &device).unwrap();
        model.hidden[0].weight = Param::from_tensor(Tensor::zeros([4, 3], &device));
        model.hidden[0].bias = Some(Param::from_tensor(Tensor::from_data(
            TensorData::new(vec![-1.0f32, 1.0, -2.0], [3]),
            &device,
        )));
        let images: Vec<u8> = (0..400u32).map(|i| (i % 256) as u8).collect();
        let split = Arc::new(Split::new(images, vec![0; 100], 4).unwrap());
        let layer = &dead_neurons(&model, &split, 32, &device).layers[0];
        assert_eq!(layer.dead_units, [0, 2]);
        assert_eq!(layer.sparsity, [1.0, 0.0, 1.0]);
        assert_eq!(layer.saturated, 2);
    }
}
