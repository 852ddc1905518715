//! Dead neurons, the book's definition: a hidden unit whose post-activation output is
//! exactly zero for every sample of the dataset.

use burn::tensor::{Device, Tensor};
use data::Split;
use data::for_each_batch_group;
use nets::SimpleNetwork;
use spec::record::probe::{DeadLayer, DeadNeuronReport, SATURATION_SLOPE, SILENT_OUTPUT};
use std::sync::Arc;

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
    // iff the largest |f'(z)| is below SATURATION_SLOPE. Each batch's z, f(z), f(z - h)
    // and output come to the host once and every statistic is folded in in one pass
    // (the tensor-operation version took a dozen passes per layer and a strided column
    // reduction each; this is 2-3x faster on the CPU).
    // Batches go through the network one per thread at a time (`acts::each_apart`), and
    // their statistics are merged in batch order: the same bits on any thread count.
    let mut stats: Vec<LayerStats> = Vec::new();
    let threads = rayon::current_num_threads();
    for_each_batch_group(split, batch_size, threads, device, |batches| {
        for batch in acts::each_apart(batches, |(x, _)| batch_stats(model, x)) {
            for (i, layer) in batch.into_iter().enumerate() {
                match stats.get_mut(i) {
                    Some(so_far) => so_far.merge(layer),
                    None => stats.push(layer),
                }
            }
        }
    });
    let mut predicted = 1.0;
    let layers = stats
        .into_iter()
        .enumerate()
        .map(|(i, layer)| {
            let dead_units: Vec<usize> = layer
                .max_abs
                .iter()
                .enumerate()
                .filter(|(_, v)| **v == 0.0)
                .map(|(u, _)| u)
                .collect();
            let units = layer.max_abs.len().max(1) as f64;
            let saturated = layer
                .max_slope
                .iter()
                .filter(|s| (**s as f64) < SATURATION_SLOPE)
                .count();
            // Rows: samples, or samples × positions for a convolution (whose units are
            // channels).
            let count = (layer.rows as usize * layer.max_abs.len()).max(1) as f64;
            let mean = layer.sum / count;
            let std = (layer.sum_squares / count - mean * mean).max(0.0).sqrt();
            // The chapter: a unit dies with probability ∏ Φ(−μₗ/σₗ) over the layers up to
            // its own.
            predicted *= normal_cdf(-mean / std.max(1e-300));
            let sparsity: Vec<f64> = layer
                .silent
                .iter()
                .map(|&c| c as f64 / layer.rows.max(1) as f64)
                .collect();
            DeadLayer {
                layer: i + 1,
                units: layer.max_abs.len(),
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

/// Every activated layer's statistics over the batch `x`.
fn batch_stats(model: &SimpleNetwork, x: Tensor<2>) -> Vec<LayerStats> {
    let (_, layers) = model.forward_traced(x);
    layers
        .into_iter()
        .enumerate()
        .map(|(i, trace)| {
            let [_, units] = trace.pre_activation.dims();
            let mut stats = LayerStats::new(units);
            let left = model
                .activation(i)
                .map(|act| host(act.forward(trace.pre_activation.clone().sub_scalar(SLOPE_STEP))));
            let activated = left.as_ref().map(|_| host(trace.activated));
            let slope = activated.as_deref().zip(left.as_deref());
            stats.add(&host(trace.pre_activation), &host(trace.output), slope);
            stats
        })
        .collect()
}

/// A float32 tensor's values on the host.
fn host(t: Tensor<2>) -> Vec<f32> {
    t.into_data()
        .try_into_vec::<f32>()
        .expect("float32 activations")
}

/// One layer's running statistics over the samples seen so far, per unit.
struct LayerStats {
    /// Largest |output|.
    max_abs: Vec<f32>,
    /// Largest |f'(z)| (left differences; 1 without an activation).
    max_slope: Vec<f32>,
    /// Rows with |output| below SILENT_OUTPUT.
    silent: Vec<u64>,
    /// Rows seen: samples, or samples × positions for a convolution.
    rows: u64,
    /// Σz and Σz² over every sample and unit, in float64.
    sum: f64,
    sum_squares: f64,
}

impl LayerStats {
    fn new(units: usize) -> Self {
        LayerStats {
            max_abs: vec![0.0; units],
            max_slope: vec![0.0; units],
            silent: vec![0; units],
            rows: 0,
            sum: 0.0,
            sum_squares: 0.0,
        }
    }

    /// Folds in the statistics of the batches after these. Maxima and counts do not
    /// depend on the order; the sums are added batch by batch, as [`LayerStats::add`]
    /// would have added them (a batch's own sum starts from 0, which adds exactly).
    fn merge(&mut self, later: LayerStats) {
        for (max, m) in self.max_abs.iter_mut().zip(later.max_abs) {
            *max = if m > *max { m } else { *max };
        }
        for (max, m) in self.max_slope.iter_mut().zip(later.max_slope) {
            *max = if m > *max { m } else { *max };
        }
        for (silent, s) in self.silent.iter_mut().zip(later.silent) {
            *silent += s;
        }
        self.rows += later.rows;
        self.sum += later.sum;
        self.sum_squares += later.sum_squares;
    }

    /// Folds in one batch, row-major `[batch, units]`: z, the output, and f(z) with
    /// f(z - h) when there is an activation.
    fn add(&mut self, z: &[f32], output: &[f32], slope: Option<(&[f32], &[f32])>) {
        let units = self.max_abs.len();
        self.rows += (output.len() / units.max(1)) as u64;
        let step = SLOPE_STEP as f32;
        vmath::run(
            #[inline(always)]
            || {
                for row in output.chunks_exact(units) {
                    let columns = self.max_abs.iter_mut().zip(self.silent.iter_mut());
                    for ((max, silent), &h) in columns.zip(row) {
                        let h = h.abs();
                        *max = if h > *max { h } else { *max };
                        *silent += u64::from(h < SILENT_OUTPUT as f32);
                    }
                }
                match slope {
                    Some((activated, left)) => {
                        let rows = activated.chunks_exact(units).zip(left.chunks_exact(units));
                        for (activated, left) in rows {
                            let columns = self.max_slope.iter_mut().zip(activated.iter().zip(left));
                            for (max, (&a, &l)) in columns {
                                let s = (a - l).abs() / step;
                                *max = if s > *max { s } else { *max };
                            }
                        }
                    }
                    None => self.max_slope.fill(1.0),
                }
                // Σz and Σz² in float64 lanes: vectorised, deterministic.
                self.sum += vmath::lane_sum(z, |v| v as f64);
                self.sum_squares += vmath::lane_sum(z, |v| (v as f64) * (v as f64));
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::module::Param;
    use burn::tensor::TensorData;
    use spec::{ActivationConfig, ActivationKind, NetworkConfig};

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
