//! STAF, the sinusoidal trainable activation function: a learned Fourier series.

use burn::config::Config;
use burn::module::{Module, Param};
use burn::tensor::{Device, Distribution, Tensor};

/// Configuration of [`Staf`].
#[derive(Config, Debug)]
pub struct StafConfig {
    /// Number of sinusoidal terms. The book: 25.
    #[config(default = 25)]
    pub tau: usize,
}

impl StafConfig {
    /// Builds the module on `device`; C, Omega and Phi are drawn from N(0, 1), in that
    /// order, from the device's random stream.
    pub fn init(&self, device: &Device) -> Staf {
        let normal = || {
            Param::from_tensor(Tensor::random(
                [self.tau],
                Distribution::Normal(0.0, 1.0),
                device,
            ))
        };
        let c = normal();
        let omega = normal();
        let phi = normal();
        Staf { c, omega, phi }
    }
}

/// `sum_i C_i * sin(Omega_i * x + Phi_i)`, all parameters trainable.
#[derive(Module, Debug)]
pub struct Staf {
    /// Amplitudes, shape `[tau]`.
    pub c: Param<Tensor<1>>,
    /// Frequencies, shape `[tau]`.
    pub omega: Param<Tensor<1>>,
    /// Phases, shape `[tau]`.
    pub phi: Param<Tensor<1>>,
}

impl Staf {
    /// Applies the function element-wise.
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        let shape = x.shape();
        let [tau] = self.c.dims();
        // One broadcast over all terms, [n, 1] x [1, tau], then the sum over terms as
        // a matrix product with C: no per-term loop, and any input rank.
        let flat = x.reshape([-1, 1]);
        let phases = flat * self.omega.val().reshape([1, tau]) + self.phi.val().reshape([1, tau]);
        phases
            .sin()
            .matmul(self.c.val().reshape([tau, 1]))
            .reshape(shape)
    }
}
