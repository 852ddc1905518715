//! The book's TeLU: an ELU whose scale alpha is trained.

use burn::config::Config;
use burn::module::{Module, Param};
use burn::tensor::{Device, Tensor};

/// Configuration of [`TeLU`].
#[derive(Config, Debug)]
pub struct TeLUConfig {
    /// Initial alpha. The book: 1.0.
    #[config(default = 1.0)]
    pub alpha: f64,
}

impl TeLUConfig {
    /// Builds the module on `device`.
    pub fn init(&self, device: &Device) -> TeLU {
        TeLU {
            alpha: Param::from_tensor(Tensor::full([1], self.alpha, device)),
        }
    }
}

/// `x if x > 0 else alpha * (exp(x) - 1)`, alpha trainable.
#[derive(Module, Debug)]
pub struct TeLU {
    /// The trainable scale of the negative branch, shape `[1]`.
    pub alpha: Param<Tensor<1>>,
}

impl TeLU {
    /// Applies the function element-wise.
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        // exp sees min(x, 0): the branch that `where` discards for x > 0 would
        // otherwise overflow to inf for large x, and inf * 0 is NaN in alpha's gradient.
        let negative = x
            .clone()
            .clamp_max(0.0)
            .exp()
            .sub_scalar(1.0)
            .mul(self.alpha.val().unsqueeze::<D>());
        negative.mask_where(x.clone().greater_elem(0.0), x)
    }
}
