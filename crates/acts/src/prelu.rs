//! PReLU: a ReLU whose negative slope is trained.

use burn::config::Config;
use burn::module::{Module, Param};
use burn::tensor::{Device, Tensor};

/// Configuration of [`PReLU`].
#[derive(Config, Debug)]
pub struct PReLUConfig {
    /// Initial slope. PyTorch and the book: 0.25.
    #[config(default = 0.25)]
    pub alpha: f64,
}

impl PReLUConfig {
    /// Builds the module on `device`.
    pub fn init(&self, device: &Device) -> PReLU {
        PReLU {
            alpha: Param::from_tensor(Tensor::full([1], self.alpha, device)),
        }
    }
}

/// `x if x > 0 else alpha * x`, alpha trainable. Written out rather than Burn's `PRelu`
/// so that the derivative at 0 is alpha, as in PyTorch (Burn's gives 1).
#[derive(Module, Debug)]
pub struct PReLU {
    /// The trainable negative slope, shape `[1]`.
    pub alpha: Param<Tensor<1>>,
}

impl PReLU {
    /// Applies the function element-wise.
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        let non_positive = x.clone().lower_equal_elem(0.0);
        let scaled = x.clone() * self.alpha.val().unsqueeze::<D>();
        x.mask_where(non_positive, scaled)
    }
}
