//! The book's gradient check: a fresh network, one training batch, cross-entropy,
//! backward; then per Linear layer the distribution of the weight gradients and of the
//! weights, as histograms with summary statistics.

use burn::tensor::{Device, Tensor};
use data::Split;
use data::first_samples;
use nets::SimpleNetwork;
use spec::{
    NetworkConfig,
    record::probe::{
        DatasetSplit, GradientReport, Histogram, LayerGradients, ProbeRecord, ProbeSource, Stats,
    },
};
use std::sync::Arc;

/// Statistics of `values` (not empty).
pub fn stats(values: &[f32]) -> Stats {
    let n = values.len().max(1) as f64;
    let mean = values.iter().map(|&v| v as f64).sum::<f64>() / n;
    let var = values
        .iter()
        .map(|&v| (v as f64 - mean).powi(2))
        .sum::<f64>()
        / n;
    let mut abs: Vec<f64> = values.iter().map(|v| v.abs() as f64).collect();
    abs.sort_by(f64::total_cmp);
    let quantile = |q: f64| abs[((abs.len() - 1) as f64 * q).round() as usize];
    Stats {
        count: values.len(),
        mean,
        std: var.sqrt(),
        min: values.iter().fold(f64::INFINITY, |m, &v| m.min(v as f64)),
        max: values
            .iter()
            .fold(f64::NEG_INFINITY, |m, &v| m.max(v as f64)),
        abs_p50: quantile(0.5),
        abs_p90: quantile(0.9),
        abs_p99: quantile(0.99),
    }
}

fn to_vec(t: Tensor<2>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().expect("float32 values")
}

/// Builds `network` on the autodiff `device` from `seed`, runs one batch (the first
/// `batch` samples of the training split) forward and backward, and reports every
/// convolution and Linear layer.
pub fn gradient_probe(
    network: &NetworkConfig,
    seed: u64,
    train: &Arc<Split>,
    batch: usize,
    bins: usize,
    device: &Device,
) -> Result<ProbeRecord<GradientReport>, spec::NetError> {
    let model = SimpleNetwork::from_seed(network, seed, device, batch, |n, d| {
        first_samples(train, n, d).0
    })?;
    let (x, y) = first_samples(train, batch, device);
    let [n] = y.dims();
    let loss = nets::dense::cross_entropy(model.forward(x), y);
    let loss_value: f32 = loss.clone().into_scalar();
    let grads = loss.backward();
    // Every weight as a [fan_in, fan_out] matrix: a convolution's [out, in, 5, 5] as
    // [in · 25, out], the fans PyTorch's initialisers use.
    let as_matrix = |w: Tensor<4>| {
        let [out, inp, kh, kw] = w.dims();
        w.reshape([out, inp * kh * kw]).transpose()
    };
    let conv = model.conv.iter().map(|c| {
        let value = c.weight.val();
        let gradient = value.grad(&grads).expect("every weight has a gradient");
        (as_matrix(value), as_matrix(gradient))
    });
    let linear = model.hidden.iter().chain([&model.output]).map(|l| {
        let value = l.weight.val();
        let gradient = value.grad(&grads).expect("every weight has a gradient");
        (value, gradient)
    });
    let layers = conv
        .chain(linear)
        .enumerate()
        .map(|(i, (value, gradient))| {
            let [fan_in, fan_out] = value.dims();
            let gradient = to_vec(gradient);
            let weight = to_vec(value);
            LayerGradients {
                layer: i + 1,
                shape: [fan_in, fan_out],
                gradient: Histogram::of(&gradient, bins),
                gradient_stats: stats(&gradient),
                weight: Histogram::of(&weight, bins),
                weight_stats: stats(&weight),
            }
        })
        .collect();
    Ok(ProbeRecord {
        source: ProbeSource::Init { seed },
        network: network.clone(),
        split: DatasetSplit::Train,
        report: GradientReport {
            batch: n,
            loss: loss_value as f64,
            layers,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_counts_add_up_and_bins_are_right() {
        let values = [0.0f32, 0.1, 0.2, 0.2, 0.9, 1.0];
        let h = Histogram::of(&values, 5);
        assert_eq!(h.counts.iter().sum::<u64>(), 6);
        assert_eq!(h.edges.len(), 6);
        assert_eq!(h.counts, [2, 2, 0, 0, 2]);
        let s = stats(&values);
        assert!((s.mean - 2.4 / 6.0).abs() < 1e-7);
        assert_eq!((s.min, s.max), (0.0, 1.0));
        assert_eq!(Histogram::of(&[3.0; 4], 3).counts.iter().sum::<u64>(), 4);
    }
}
