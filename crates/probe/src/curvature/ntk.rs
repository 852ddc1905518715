//! The empirical neural tangent kernel: K_ij = ⟨∂f(x_i)/∂θ, ∂f(x_j)/∂θ⟩ with f the sum
//! of a sample's logits (one scalar per sample, so K is samples × samples; the
//! per-logit kernel is ten times larger in each direction and has the same trace up to
//! the cross terms), at the network's current parameters.

use burn::tensor::Tensor;
use nalgebra::{DMatrix, SymmetricEigen};
use nets::SimpleNetwork;

use super::objective::parameter_gradient;

/// Eigenvalues (ascending) and trace of the kernel of `model` (on an autodiff device)
/// over the samples `x`.
pub fn ntk_probe(model: &SimpleNetwork, x: Tensor<2>) -> (Vec<f64>, f64) {
    let [n, _] = x.dims();
    let gradients: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            let out = model.forward(x.clone().narrow(0, i, 1)).sum();
            parameter_gradient(model, &out.backward())
        })
        .collect();
    let mut k = DMatrix::<f64>::zeros(n, n);
    for i in 0..n {
        for j in 0..=i {
            let v: f64 = gradients[i]
                .iter()
                .zip(&gradients[j])
                .map(|(a, b)| a * b)
                .sum();
            k[(i, j)] = v;
            k[(j, i)] = v;
        }
    }
    let trace = k.trace();
    let mut eigenvalues: Vec<f64> = SymmetricEigen::new(k).eigenvalues.iter().copied().collect();
    eigenvalues.sort_by(f64::total_cmp);
    (eigenvalues, trace)
}
