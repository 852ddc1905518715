//! Normalised networks: LayerNorm normalises each sample's pre-activations, BatchNorm
//! each unit's over the batch while training and applies its running statistics in
//! evaluation; the layer table counts their parameters as the network has them.

use burn::module::Module;
use burn::tensor::{Device, Distribution, Tensor};
use nets::{SimpleNetwork, Summary};
use spec::{ActivationConfig, ActivationKind, NetworkConfig, NormKind};

fn network(norm: NormKind) -> NetworkConfig {
    NetworkConfig::book(ActivationConfig::new(ActivationKind::Tanh))
        .with_hidden(vec![48, 24])
        .with_norm(norm)
}

/// Rows (or, with `by_column`, columns) of a `[rows, cols]` tensor: each one's mean
/// and population variance.
fn moments(t: Tensor<2>, by_column: bool) -> Vec<(f64, f64)> {
    let [rows, cols] = t.dims();
    let v: Vec<f32> = t.into_data().try_into_vec().unwrap();
    let (outer, inner) = if by_column {
        (cols, rows)
    } else {
        (rows, cols)
    };
    (0..outer)
        .map(|o| {
            let at = |i: usize| {
                f64::from(if by_column {
                    v[i * cols + o]
                } else {
                    v[o * cols + i]
                })
            };
            let mean = (0..inner).map(at).sum::<f64>() / inner as f64;
            let var = (0..inner).map(|i| (at(i) - mean).powi(2)).sum::<f64>() / inner as f64;
            (mean, var)
        })
        .collect()
}

#[test]
fn layer_norm_normalises_each_sample_and_batch_norm_each_unit() {
    let device = Device::flex().autodiff();
    let x = Tensor::<2>::random([64, 784], Distribution::Normal(0.3, 0.4), &device);
    let layer = SimpleNetwork::new(&network(NormKind::Layer), &device).unwrap();
    let (_, traces) = layer.forward_traced(x.clone());
    for (mean, var) in moments(traces[1].pre_activation.clone(), false) {
        // Scale 1 and shift 0 at the start; ε = 1e-5 keeps the variance a hair under 1.
        assert!(
            mean.abs() < 1e-5 && (var - 1.0).abs() < 1e-3,
            "{mean} {var}"
        );
    }
    let batch = SimpleNetwork::new(&network(NormKind::Batch), &device).unwrap();
    let (_, traces) = batch.forward_traced(x.clone());
    for (mean, var) in moments(traces[0].pre_activation.clone(), true) {
        assert!(
            mean.abs() < 1e-5 && (var - 1.0).abs() < 1e-3,
            "{mean} {var}"
        );
    }
    // In evaluation BatchNorm applies its running statistics: after that one training
    // pass, 0.9 · (0, 1) + 0.1 · the batch's (whose variance is about 0.08), so the
    // outputs keep about the raw spread instead of a variance of 1.
    let (_, inference) = batch.valid().forward_traced(x.without_autodiff());
    let spread: f64 = moments(inference[0].pre_activation.clone(), true)
        .iter()
        .map(|(_, v)| v)
        .sum::<f64>()
        / 48.0;
    assert!(
        spread < 0.5,
        "evaluation normalised with the batch: {spread}"
    );
}

#[test]
fn the_layer_table_counts_the_scales_and_shifts() {
    for norm in [NormKind::None, NormKind::Layer, NormKind::Batch] {
        let config = network(norm);
        let net = SimpleNetwork::new(&config, &Device::flex()).unwrap();
        let summary = Summary::of(&config);
        assert_eq!(summary.total_params, net.trainable_params(), "{norm}");
        assert_eq!(
            spec::resources::parameters(&config),
            net.trainable_params() as u64,
            "{norm}"
        );
        let extra = if norm.is_none() { 0 } else { 2 * (48 + 24) };
        let plain = 784 * 48 + 48 + 48 * 24 + 24 + 24 * 10 + 10;
        assert_eq!(net.trainable_params(), plain + extra, "{norm}");
        // Burn's count holds BatchNorm's running mean and variance too.
        let buffers = if norm == NormKind::Batch {
            2 * (48 + 24)
        } else {
            0
        };
        assert_eq!(net.num_params(), plain + extra + buffers, "{norm}");
    }
}
