//! A learnable cubic B-spline activation on a fixed uniform grid.

use burn::module::{Module, Param};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor, TensorData};
use spec::SPLINE_COEFFICIENTS;

/// The spline lives on [-SPAN, SPAN]; beyond it the function continues as a straight line.
pub const SPLINE_SPAN: f64 = 4.0;
/// Grid intervals on [-SPAN, SPAN] (knot spacing 1): the registry's coefficient count
/// is one per interval plus three for a cubic's support.
const INTERVALS: usize = SPLINE_COEFFICIENTS - 3;
const SPACING: f64 = 2.0 * SPLINE_SPAN / INTERVALS as f64;

/// The centre of basis function `i`: -SPAN - spacing, ..., SPAN + spacing.
fn centre(i: usize) -> f64 {
    -SPLINE_SPAN + (i as f64 - 1.0) * SPACING
}

/// `sum_i c_i B((x - t_i) / h)` with the uniform cubic B-spline
/// `B(d) = (relu(2 - |d|)^3 - 4 relu(1 - |d|)^3) / 6` for x in [-4, 4], continued linearly
/// with the end slopes outside. Unlike the book's version (SciPy on detached NumPy
/// arrays), it is built from tensor operations, so gradients reach both the input and
/// the coefficients.
#[derive(Module, Debug)]
pub struct BSpline {
    /// The control coefficients c_i.
    pub coefficients: Param<Tensor<1>>,
}

impl BSpline {
    /// Coefficients set to ReLU at the basis centres, for each of `units` units
    /// (unit-major): the spline then equals ReLU except within one knot of 0, where it is
    /// a smooth cubic blend (a cubic B-spline with c_i = g(t_i) reproduces straight lines
    /// exactly).
    pub fn init(units: usize, device: &Device) -> Self {
        let relu_at_centres: Vec<f64> = (0..units)
            .flat_map(|_| (0..SPLINE_COEFFICIENTS).map(|i| centre(i).max(0.0)))
            .collect();
        Self::from_coefficients(relu_at_centres, device)
    }

    /// Given coefficients: [`SPLINE_COEFFICIENTS`] per unit, unit-major.
    fn from_coefficients(values: Vec<f64>, device: &Device) -> Self {
        let n = values.len();
        let tensor = Tensor::from_data(TensorData::new(values, [n]), device);
        Self {
            coefficients: Param::from_tensor(tensor),
        }
    }

    /// Applies the function element-wise: one broadcast of the input against the basis
    /// centres and one matrix product with the coefficients, as STAF.
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        let k = SPLINE_COEFFICIENTS;
        let [n] = self.coefficients.dims();
        if n > k {
            return self.forward_per_unit(x, n / k);
        }
        let shape = x.shape();
        let c = self.coefficients.val();
        let centres: Vec<f32> = (0..k).map(|i| centre(i) as f32).collect();
        let centres = Tensor::<2>::from_data(TensorData::new(centres, [1, k]), &x.device());
        let flat = x.reshape([-1, 1]);
        let inside = flat.clone().clamp(-SPLINE_SPAN, SPLINE_SPAN);
        let distance = ((inside - centres) / SPACING).abs();
        let basis = (relu(distance.clone().neg() + 2.0).powi_scalar(3)
            - relu(distance.neg() + 1.0).powi_scalar(3) * 4.0)
            / 6.0;
        let spline = basis.matmul(c.clone().reshape([k, 1]));
        // A cubic B-spline's slope at a knot is (c_{i+1} - c_{i-1}) / 2h.
        let end_slope = |high: usize, low: usize| {
            (c.clone().narrow(0, high, 1) - c.clone().narrow(0, low, 1)).reshape([1, 1])
                / (2.0 * SPACING)
        };
        let right = relu(flat.clone() - SPLINE_SPAN) * end_slope(k - 1, k - 3);
        let left = relu(flat.neg() - SPLINE_SPAN) * end_slope(2, 0);
        (spline + right - left).reshape(shape)
    }

    /// Each of the input's last-axis units with its own coefficients: the basis of
    /// `[rows, units, 1]` against `[1, 1, K]`, weighted by `[1, units, K]` and summed.
    fn forward_per_unit<const D: usize>(&self, x: Tensor<D>, units: usize) -> Tensor<D> {
        let shape = x.shape();
        let k = SPLINE_COEFFICIENTS;
        let c = self.coefficients.val().reshape([units, k]);
        let centres: Vec<f32> = (0..k).map(|i| centre(i) as f32).collect();
        let centres = Tensor::<3>::from_data(TensorData::new(centres, [1, 1, k]), &x.device());
        let flat = x.reshape([-1, units as i64]);
        let inside = flat
            .clone()
            .clamp(-SPLINE_SPAN, SPLINE_SPAN)
            .unsqueeze_dim::<3>(2);
        let distance = ((inside - centres) / SPACING).abs();
        let basis = (relu(distance.clone().neg() + 2.0).powi_scalar(3)
            - relu(distance.neg() + 1.0).powi_scalar(3) * 4.0)
            / 6.0;
        let spline = (basis * c.clone().unsqueeze_dim::<3>(0))
            .sum_dim(2)
            .reshape([-1, units as i64]);
        let end_slope = |high: usize, low: usize| {
            (c.clone().narrow(1, high, 1) - c.clone().narrow(1, low, 1)).reshape([1, units])
                / (2.0 * SPACING)
        };
        let right = relu(flat.clone() - SPLINE_SPAN) * end_slope(k - 1, k - 3);
        let left = relu(flat.neg() - SPLINE_SPAN) * end_slope(2, 0);
        (spline + right - left).reshape(shape)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(module: &BSpline, points: &[f64]) -> Vec<f64> {
        let device = Device::flex();
        let x: Vec<f32> = points.iter().map(|&v| v as f32).collect();
        let x = Tensor::<1>::from_data(TensorData::new(x, [points.len()]), &device);
        let y = module.forward(x).into_data().try_into_vec::<f32>().unwrap();
        y.into_iter().map(f64::from).collect()
    }

    /// The uniform cubic B-spline by its textbook pieces (not the relu form in the code).
    fn cubic_b(d: f64) -> f64 {
        let a = d.abs();
        if a < 1.0 {
            (4.0 - 6.0 * a * a + 3.0 * a * a * a) / 6.0
        } else if a < 2.0 {
            (2.0 - a).powi(3) / 6.0
        } else {
            0.0
        }
    }

    #[test]
    fn starts_as_relu_away_from_zero_and_beyond_the_grid() {
        let module = BSpline::init(1, &Device::flex());
        let points = [-9.0, -4.5, -3.0, -1.0, 1.0, 2.5, 4.0, 4.5, 12.0];
        for (&x, y) in points.iter().zip(eval(&module, &points)) {
            assert!((y - x.max(0.0)).abs() < 1e-5, "at {x}: {y}");
        }
        // Within one knot of 0 it is the smooth blend: 1/6 at 0 (c_0 = 1 at x = 1).
        let at_zero = eval(&module, &[0.0])[0];
        assert!((at_zero - 1.0 / 6.0).abs() < 1e-6, "{at_zero}");
    }

    #[test]
    fn is_the_textbook_spline_inside_and_its_tangent_outside() {
        let c: Vec<f64> = (0..SPLINE_COEFFICIENTS)
            .map(|i| ((i * 7 % 5) as f64 - 2.0) * 0.3 + (i as f64 * 0.9).sin())
            .collect();
        let module = BSpline::from_coefficients(c.clone(), &Device::flex());
        let spline = |x: f64| -> f64 {
            (0..SPLINE_COEFFICIENTS)
                .map(|i| c[i] * cubic_b(x - centre(i)))
                .sum()
        };
        let inside = [-4.0, -3.7, -2.0, -0.5, 0.0, 0.3, 1.5, 3.9, 4.0];
        for (&x, y) in inside.iter().zip(eval(&module, &inside)) {
            assert!((y - spline(x)).abs() < 1e-5, "at {x}: {y} vs {}", spline(x));
        }
        let n = SPLINE_COEFFICIENTS;
        let right_slope = (c[n - 1] - c[n - 3]) / 2.0;
        let left_slope = (c[2] - c[0]) / 2.0;
        let outside = [-7.0, -4.5, 4.5, 6.0];
        for (&x, y) in outside.iter().zip(eval(&module, &outside)) {
            let want = if x > 0.0 {
                spline(4.0) + (x - 4.0) * right_slope
            } else {
                spline(-4.0) + (x + 4.0) * left_slope
            };
            assert!((y - want).abs() < 1e-5, "at {x}: {y} vs {want}");
        }
        // The end slopes are the spline's own: a central difference at the edge agrees.
        let h = 1e-4;
        let edge = (spline(4.0) - spline(4.0 - h)) / h;
        assert!((edge - right_slope).abs() < 1e-3, "{edge} vs {right_slope}");
    }
}
