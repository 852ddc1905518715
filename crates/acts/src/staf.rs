//! STAF, the sinusoidal trainable activation function, and the Fourier activation that
//! generalises it: `sum_{i < tau} C_i sin(Omega_i x + Phi_i)`, all of C, Omega, Phi learned.

use burn::module::{Module, Param};
use burn::tensor::{Device, Distribution, Tensor};
use spec::{FourierInit, FourierOptions};

/// `sum_i C_i * sin(Omega_i * x + Phi_i)`, all parameters trainable; per-neuron, each unit
/// has its own tau terms.
#[derive(Module, Debug)]
pub struct Staf {
    /// Amplitudes, shape `[units * tau]` (unit-major).
    pub c: Param<Tensor<1>>,
    /// Frequencies, shape `[units * tau]`.
    pub omega: Param<Tensor<1>>,
    /// Phases, shape `[units * tau]`.
    pub phi: Param<Tensor<1>>,
    #[module(skip)]
    pub(crate) units: usize,
}

impl Staf {
    /// A fresh module with `options.tau` terms for each of `units` units, drawn from the
    /// device's random stream: C, Omega and Phi in that order (the paper's init draws
    /// Omega, Phi, then C, as its code does).
    pub fn init(options: FourierOptions, units: usize, device: &Device) -> Self {
        let n = options.tau * units;
        let draw = |distribution| Tensor::<1>::random([n], distribution, device);
        let (c, omega, phi) = match options.init {
            FourierInit::Normal => {
                let normal = Distribution::Normal(0.0, 1.0);
                (draw(normal), draw(normal), draw(normal))
            }
            FourierInit::Paper => {
                let omega = draw(Distribution::Uniform(0.0, 1.0)) * options.omega0;
                let phi = draw(Distribution::Uniform(
                    -std::f64::consts::PI,
                    std::f64::consts::PI,
                ));
                // Laplace(0, b) by inversion: -b sign(u) ln(1 - 2|u|), u ~ U(-1/2, 1/2).
                let b = 1.0 / (2.0 * options.tau as f64);
                let u = draw(Distribution::Uniform(-0.5, 0.5));
                let laplace = u.clone().sign() * (u.abs() * -2.0 + 1.0).log() * -b;
                let c = laplace.clone().sign() * laplace.abs().sqrt();
                (c, omega, phi)
            }
        };
        Staf {
            c: Param::from_tensor(c),
            omega: Param::from_tensor(omega),
            phi: Param::from_tensor(phi),
            units,
        }
    }

    /// Applies the function element-wise.
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        let shape = x.shape();
        let [n] = self.c.dims();
        let units = self.units;
        let tau = n / units;
        if crate::fused::kernels_apply(&x) {
            let (c, omega, phi) = (self.c.val(), self.omega.val(), self.phi.val());
            return crate::fused::staf(x, c, omega, phi, units);
        }
        if units == 1 {
            // One broadcast over all terms, [n, 1] x [1, tau], then the sum over terms as
            // a matrix product with C: no per-term loop, and any input rank.
            let flat = x.reshape([-1, 1]);
            let phases =
                flat * self.omega.val().reshape([1, tau]) + self.phi.val().reshape([1, tau]);
            return phases
                .sin()
                .matmul(self.c.val().reshape([tau, 1]))
                .reshape(shape);
        }
        // Per neuron: [rows, units, 1] against [1, units, tau], summed over the terms.
        let flat = x.reshape([-1, units as i64]).unsqueeze_dim::<3>(2);
        let per_unit = |p: &Param<Tensor<1>>| p.val().reshape([1, units, tau]);
        let phases = flat * per_unit(&self.omega) + per_unit(&self.phi);
        (phases.sin() * per_unit(&self.c)).sum_dim(2).reshape(shape)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(p: &Param<Tensor<1>>) -> Vec<f64> {
        let v = p.val().into_data().try_into_vec::<f32>().unwrap();
        v.into_iter().map(f64::from).collect()
    }

    /// The paper's initialisation, by its distributions: Omega = omega0 U(0, 1),
    /// Phi = U(-pi, pi), C = sign(L) sqrt(|L|) with L ~ Laplace(0, 1/(2 tau)), so
    /// E[C^2] = E|L| = 1/(2 tau).
    #[test]
    fn paper_initialisation_follows_its_distributions() {
        let device = Device::flex();
        device.seed(3);
        let tau = 4000;
        let options = FourierOptions {
            tau,
            init: FourierInit::Paper,
            omega0: 30.0,
        };
        let staf = Staf::init(options, 1, &device);
        let omega = values(&staf.omega);
        assert!(omega.iter().all(|w| (0.0..30.0).contains(w)));
        let mean_omega = omega.iter().sum::<f64>() / tau as f64;
        assert!((mean_omega - 15.0).abs() < 0.6, "{mean_omega}");
        let phi = values(&staf.phi);
        let pi = std::f64::consts::PI;
        assert!(phi.iter().all(|p| (-pi..pi + 1e-6).contains(p)));
        let c = values(&staf.c);
        let mean_square = c.iter().map(|v| v * v).sum::<f64>() / tau as f64;
        let want = 1.0 / (2.0 * tau as f64);
        // Var(|L|) = b^2, so the sample mean of 4000 is within 5% of b 99.8% of the time.
        assert!(
            (mean_square / want - 1.0).abs() < 0.05,
            "{mean_square} vs {want}"
        );
        let positive = c.iter().filter(|v| **v > 0.0).count() as f64 / tau as f64;
        assert!((positive - 0.5).abs() < 0.05, "{positive}");
    }
}
