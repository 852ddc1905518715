//! The empirical NTK against an independent one: the network's weights are read out and
//! its forward pass (sum of logits) is written again here in plain f64, and the Jacobian
//! with respect to every parameter is taken by central differences of that forward
//! pass. Neither Burn's autodiff nor its tensor operations enter the reference.
//!
//! Tolerance: central differences with step 1e-5 on a tanh network err by about
//! h²|f'''|/6 + u|f|/h ≈ 1e-10 per entry; the Gram matrix sums about 200 products of
//! O(1) entries, so its eigenvalues agree to 1e-7 of the largest. For LeakyReLU, a step
//! that crossed a kink would show as an error of order the slope change (0.99), far
//! above that bound, so such a failure would be loud, not hidden.

mod common;

use burn::tensor::{Distribution, Tensor};
use common::{Dense, values};
use nalgebra::{DMatrix, SymmetricEigen};
use nets::SimpleNetwork;
use probe::curvature::ntk_probe;
use spec::{ActivationConfig, ActivationKind, ActivationSpec, NetworkConfig};

/// Σ logits of the network written out by hand.
fn forward(layers: &[Dense], activation: fn(f64) -> f64, x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    for (i, layer) in layers.iter().enumerate() {
        h = layer.apply(&h);
        if i + 1 < layers.len() {
            h.iter_mut().for_each(|v| *v = activation(*v));
        }
    }
    h.iter().sum()
}

/// The NTK's eigenvalues from central-difference Jacobians of [`forward`].
fn reference_ntk(mut layers: Vec<Dense>, activation: fn(f64) -> f64, xs: &[Vec<f64>]) -> Vec<f64> {
    const STEP: f64 = 1e-5;
    let count: usize = layers.iter().map(Dense::param_count).sum();
    let mut jacobian = DMatrix::<f64>::zeros(xs.len(), count);
    let mut column = 0;
    for l in 0..layers.len() {
        for p in 0..layers[l].param_count() {
            let original = *layers[l].param(p);
            let mut outputs_at = |value: f64| -> Vec<f64> {
                *layers[l].param(p) = value;
                xs.iter().map(|x| forward(&layers, activation, x)).collect()
            };
            let up = outputs_at(original + STEP);
            let down = outputs_at(original - STEP);
            outputs_at(original);
            for (s, (u, d)) in up.iter().zip(&down).enumerate() {
                jacobian[(s, column)] = (u - d) / (2.0 * STEP);
            }
            column += 1;
        }
    }
    let gram = &jacobian * jacobian.transpose();
    let mut eigenvalues: Vec<f64> = SymmetricEigen::new(gram)
        .eigenvalues
        .iter()
        .copied()
        .collect();
    eigenvalues.sort_by(f64::total_cmp);
    eigenvalues
}

#[test]
fn the_ntk_is_the_gram_matrix_of_finite_difference_jacobians() {
    type Scalar = fn(f64) -> f64;
    let cases: [(ActivationKind, Scalar); 2] = [
        (ActivationKind::Tanh, f64::tanh),
        (ActivationKind::LeakyReLU, |z| {
            if z > 0.0 { z } else { 0.01 * z }
        }),
    ];
    for (kind, activation) in cases {
        let device = acts::float64_device().expect("flex supports float64");
        device.seed(3);
        let config = NetworkConfig {
            input: 12,
            conv: Vec::new(),
            hidden: vec![7, 5],
            classes: 3,
            activation: Some(ActivationConfig::new(ActivationSpec::Builtin(kind))),
            layer: spec::LayerKind::Linear,
            init: spec::InitScheme::Pytorch,
            norm: spec::NormKind::None,
        };
        let model = SimpleNetwork::new(&config, &device).unwrap();
        let samples = 6;
        let x = Tensor::<2>::random([samples, 12], Distribution::Normal(0.0, 1.0), &device);
        let flat = values(x.clone());
        let xs: Vec<Vec<f64>> = flat.chunks(12).map(<[f64]>::to_vec).collect();

        let (eigenvalues, trace) = ntk_probe(&model, x);

        let layers: Vec<Dense> = model
            .hidden
            .iter()
            .chain(std::iter::once(&model.output))
            .map(Dense::of)
            .collect();
        let expected = reference_ntk(layers, activation, &xs);
        let largest = expected[samples - 1];
        assert!(largest > 0.0);
        for (got, want) in eigenvalues.iter().zip(&expected) {
            assert!(
                (got - want).abs() <= 1e-7 * largest,
                "{kind}: eigenvalues {eigenvalues:?}, finite differences {expected:?}"
            );
        }
        let expected_trace: f64 = expected.iter().sum();
        assert!(
            (trace - expected_trace).abs() <= 1e-7 * expected_trace,
            "{kind}: trace {trace}, finite differences {expected_trace}"
        );
    }
}
