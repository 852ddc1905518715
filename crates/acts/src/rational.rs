//! Rational activation (Padé activation unit, Molina et al. 2020): a ratio of
//! polynomials whose coefficients are trained.

use burn::module::{Module, Param};
use burn::tensor::{Device, Tensor, TensorData};

/// `P(x) / Q(x)` with `P(x) = a_0 + a_1 x + ... + a_5 x^5` and the safe denominator
/// `Q(x) = 1 + |b_1 x| + |b_2 x^2| + |b_3 x^3| + |b_4 x^4|`, which is at least 1, so the
/// function has no poles whatever the coefficients become.
#[derive(Module, Debug)]
pub struct Rational {
    /// a_0..a_5, ascending powers.
    pub numerator: Param<Tensor<1>>,
    /// b_1..b_4, ascending powers (only their magnitudes matter).
    pub denominator: Param<Tensor<1>>,
    /// Units with their own coefficients (1 unless per-neuron).
    #[module(skip)]
    pub(crate) units: usize,
}

impl Rational {
    /// The given starting coefficients (numerator ascending from a_0, denominator from
    /// b_1) for each of `units` units, stored power-major: coefficient k of every unit,
    /// then k + 1.
    pub fn init(numerator: &[f64], denominator: &[f64], units: usize, device: &Device) -> Self {
        let repeat = |c: &[f64]| -> Vec<f64> {
            c.iter()
                .flat_map(|&v| std::iter::repeat_n(v, units))
                .collect()
        };
        let param = |values: Vec<f64>| {
            let n = values.len();
            Param::from_tensor(Tensor::from_data(TensorData::new(values, [n]), device))
        };
        Self {
            numerator: param(repeat(numerator)),
            denominator: param(repeat(denominator)),
            units,
        }
    }

    /// Applies the function element-wise (Horner's scheme for both polynomials).
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        let a = self.numerator.val();
        let b = self.denominator.val().abs();
        let [numerator_len] = a.dims();
        let units = self.units;
        let like = x.clone();
        let coefficient = |t: &Tensor<1>, k: usize| {
            crate::fused::per_unit(t.clone().narrow(0, k * units, units), &like)
        };
        let degree_p = numerator_len / units;
        let mut p = coefficient(&a, degree_p - 1) * x.clone();
        for k in (1..degree_p - 1).rev() {
            p = (p + coefficient(&a, k)) * x.clone();
        }
        p = p + coefficient(&a, 0);
        // |b_k x^k| = |b_k| |x|^k: Horner in |x| over the magnitudes.
        let ax = x.abs();
        let [denominator_len] = b.dims();
        let degree_q = denominator_len / units;
        let mut q = coefficient(&b, degree_q - 1) * ax.clone();
        for k in (0..degree_q - 1).rev() {
            q = (q + coefficient(&b, k)) * ax.clone();
        }
        p / (q + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(module: &Rational, points: &[f64]) -> Vec<f64> {
        let device = Device::flex();
        let x: Vec<f32> = points.iter().map(|&v| v as f32).collect();
        let x = Tensor::<1>::from_data(TensorData::new(x, [points.len()]), &device);
        let y = module.forward(x).into_data().try_into_vec::<f32>().unwrap();
        y.into_iter().map(f64::from).collect()
    }

    #[test]
    fn starts_as_leaky_relu_on_the_fitted_range() {
        let (a, b) = spec::RATIONAL_LEAKY_RELU_INIT;
        let module = Rational::init(&a, &b, 1, &Device::flex());
        let points: Vec<f64> = (0..=600).map(|i| -3.0 + i as f64 * 0.01).collect();
        let worst = points
            .iter()
            .zip(eval(&module, &points))
            .map(|(&x, y)| (y - if x > 0.0 { x } else { 0.01 * x }).abs())
            .fold(0.0, f64::max);
        assert!(worst < 0.031, "max deviation from LeakyReLU {worst}");
    }

    #[test]
    fn matches_its_formula_for_any_coefficients() {
        let a = [0.3, -1.2, 0.5, 0.25, -0.75, 0.1];
        let b = [-0.6, 1.5, -0.2, 0.05];
        let module = Rational::init(&a, &b, 1, &Device::flex());
        let points = [-7.0, -2.5, -1.0, -0.1, 0.0, 0.4, 1.0, 3.3, 9.0];
        for (&x, y) in points.iter().zip(eval(&module, &points)) {
            let p: f64 = (0..6).map(|k| a[k] * x.powi(k as i32)).sum();
            let q: f64 = 1.0
                + (1..5)
                    .map(|k| (b[k - 1] * x.powi(k as i32)).abs())
                    .sum::<f64>();
            let want = p / q;
            assert!(
                (y - want).abs() <= 1e-5 * (1.0 + want.abs()),
                "at {x}: {y} vs {want}"
            );
        }
    }
}
