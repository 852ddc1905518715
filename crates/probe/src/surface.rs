//! The book's `compute_gradient_flow`: Z = f(X) + f(Y) on a square grid, and the
//! magnitude of its gradient, from autodiff.

use acts::Activation;
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

/// Z and |grad Z| on an n x n grid, row-major (row i is y[i]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SurfaceGrid {
    /// The activation's name.
    pub activation: String,
    /// Grid abscissae.
    pub x: Vec<f64>,
    /// Grid ordinates.
    pub y: Vec<f64>,
    /// f(x) + f(y), row-major.
    pub z: Vec<f64>,
    /// sqrt((dZ/dX)^2 + (dZ/dY)^2), row-major.
    pub gradient_magnitude: Vec<f64>,
}

/// Evaluates `activation` (on an autodiff `device`) on the `n` x `n` grid over
/// `[lo, hi]^2`, as the book does with 100 points over [-5, 5].
pub fn activation_surface(
    name: &str,
    activation: &Activation,
    n: usize,
    lo: f64,
    hi: f64,
    device: &Device,
) -> SurfaceGrid {
    let axis: Vec<f64> = (0..n)
        .map(|i| lo + (hi - lo) * i as f64 / (n - 1).max(1) as f64)
        .collect();
    let (xs, ys): (Vec<f32>, Vec<f32>) = axis
        .iter()
        .flat_map(|&y| axis.iter().map(move |&x| (x as f32, y as f32)))
        .unzip();
    let tensor =
        |v: Vec<f32>| Tensor::<1>::from_data(TensorData::new(v, [n * n]), device).require_grad();
    let (x, y) = (tensor(xs), tensor(ys));
    let z = activation.forward(x.clone()) + activation.forward(y.clone());
    let grads = z.clone().sum().backward();
    let values = |t: Tensor<1>| -> Vec<f64> {
        t.into_data()
            .try_into_vec::<f32>()
            .expect("float32")
            .into_iter()
            .map(f64::from)
            .collect()
    };
    let dx = x.grad(&grads).expect("dZ/dX");
    let dy = y.grad(&grads).expect("dZ/dY");
    let magnitude = (dx.clone() * dx + dy.clone() * dy).sqrt();
    SurfaceGrid {
        activation: name.to_string(),
        x: axis.clone(),
        y: axis,
        z: values(z),
        gradient_magnitude: values(magnitude),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use acts::ActivationKind;

    #[test]
    fn relu_gradient_is_zero_one_or_root_two_by_quadrant() {
        let device = Device::flex().autodiff();
        let relu = Activation::new(ActivationKind::ReLU, &device);
        let grid = activation_surface("ReLU", &relu, 100, -5.0, 5.0, &device);
        assert_eq!(grid.z.len(), 100 * 100);
        let root_two = f64::from(2f32.sqrt());
        for (i, &y) in grid.y.iter().enumerate() {
            for (j, &x) in grid.x.iter().enumerate() {
                let want = match (x > 0.0, y > 0.0) {
                    (false, false) => 0.0,
                    (true, true) => root_two,
                    _ => 1.0,
                };
                assert_eq!(grid.gradient_magnitude[i * 100 + j], want, "at ({x}, {y})");
                let z = x.max(0.0) as f32 + y.max(0.0) as f32;
                assert!((grid.z[i * 100 + j] - z as f64).abs() < 1e-6);
            }
        }
    }
}
