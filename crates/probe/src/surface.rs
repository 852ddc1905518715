//! The book's `compute_gradient_flow`: Z = f(X) + f(Y) on a square grid, and the
//! magnitude of its gradient, from autodiff.

use acts::Activation;
use burn::tensor::{Device, Tensor, TensorData};
use spec::ActivationSpec;
use spec::record::probe::SurfaceReport;

/// Evaluates a fresh module of `spec` (random initial parameters drawn from `seed`) on
/// the `n` x `n` grid over `[-range, range]^2` on `device` (autodiff is added here), as
/// the book does with 100 points over [-5, 5]. As in the book, RReLU is in training mode:
/// its slopes are random draws.
pub fn activation_surface(
    spec: &ActivationSpec,
    seed: u64,
    n: usize,
    range: f64,
    device: &Device,
) -> SurfaceReport {
    let device = device.clone().autodiff();
    device.seed(seed);
    let activation = Activation::init(spec, 1, &device);
    let (lo, hi) = (-range, range);
    let axis: Vec<f64> = (0..n)
        .map(|i| lo + (hi - lo) * i as f64 / (n - 1).max(1) as f64)
        .collect();
    let (xs, ys): (Vec<f32>, Vec<f32>) = axis
        .iter()
        .flat_map(|&y| axis.iter().map(move |&x| (x as f32, y as f32)))
        .unzip();
    let tensor =
        |v: Vec<f32>| Tensor::<1>::from_data(TensorData::new(v, [n * n]), &device).require_grad();
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
    SurfaceReport {
        activation: spec.name().to_string(),
        seed,
        x: axis.clone(),
        y: axis,
        z: values(z),
        gradient_magnitude: values(magnitude),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spec::ActivationKind;

    #[test]
    fn relu_gradient_is_zero_one_or_root_two_by_quadrant() {
        let grid = activation_surface(&ActivationKind::ReLU.into(), 7, 100, 5.0, &Device::flex());
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
