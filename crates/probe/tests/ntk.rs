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

use burn::tensor::{Distribution, Tensor};
use nalgebra::{DMatrix, SymmetricEigen};
use nets::SimpleNetwork;
use probe::curvature::ntk_probe;
use spec::{ActivationConfig, ActivationKind, ActivationSpec, NetworkConfig};

/// The values of a tensor as f64.
fn values<const D: usize>(t: Tensor<D>) -> Vec<f64> {
    t.into_data().convert::<f64>().try_to_vec::<f64>().unwrap()
}

/// One Linear layer as plain numbers: `weight[i][o]` (Burn's [inputs, outputs]) and bias.
struct Dense {
    inputs: usize,
    weight: Vec<f64>,
    bias: Vec<f64>,
}

impl Dense {
    fn of(layer: &burn::nn::Linear) -> Dense {
        let [inputs, _] = layer.weight.val().dims();
        Dense {
            inputs,
            weight: values(layer.weight.val()),
            bias: values(
                layer
                    .bias
                    .as_ref()
                    .expect("the book's layers have biases")
                    .val(),
            ),
        }
    }

    fn apply(&self, x: &[f64]) -> Vec<f64> {
        let outputs = self.bias.len();
        (0..outputs)
            .map(|o| {
                self.bias[o]
                    + (0..self.inputs)
                        .map(|i| x[i] * self.weight[i * outputs + o])
                        .sum::<f64>()
            })
            .collect()
    }

    fn params(&mut self) -> impl Iterator<Item = &mut f64> {
        self.weight.iter_mut().chain(self.bias.iter_mut())
    }
}

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
    let count: usize = layers.iter_mut().map(|l| l.params().count()).sum();
    let mut jacobian = DMatrix::<f64>::zeros(xs.len(), count);
    let mut column = 0;
    for l in 0..layers.len() {
        let size = layers[l].params().count();
        for p in 0..size {
            let original = *layers[l].params().nth(p).unwrap();
            let at = |value: f64, layers: &mut Vec<Dense>| -> Vec<f64> {
                *layers[l].params().nth(p).unwrap() = value;
                xs.iter().map(|x| forward(layers, activation, x)).collect()
            };
            let up = at(original + STEP, &mut layers);
            let down = at(original - STEP, &mut layers);
            at(original, &mut layers);
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
            hidden: vec![7, 5],
            classes: 3,
            activation: Some(ActivationConfig::new(ActivationSpec::Builtin(kind))),
            layer: spec::LayerKind::Linear,
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
