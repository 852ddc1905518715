//! Activations shaped by a few trainable scalars: PReLU, the book's TeLU, adaptive
//! sigmoid, SGT and NIPUNA. Their parameters and initial values are the registry's.

use burn::module::{Module, Param};
use burn::tensor::activation as f;
use burn::tensor::{Device, Tensor};

use spec::{ScalarFn, ScalarParam};

/// Γ(3/2) = √π / 2, SGT's scale.
const GAMMA_3_2: f64 = 0.886_226_925_452_758;

/// A function of x and a few trainable scalars (each a `[units]` tensor, in the
/// registry's parameter order).
#[derive(Module, Debug)]
pub struct ScalarActivation {
    #[module(skip)]
    function: ScalarFn,
    #[module(skip)]
    specs: &'static [ScalarParam],
    /// The parameters, in registry order.
    pub params: Vec<Param<Tensor<1>>>,
}

impl ScalarActivation {
    /// A fresh module: each parameter at its initial value, one per unit.
    pub fn init(
        function: ScalarFn,
        specs: &'static [ScalarParam],
        units: usize,
        device: &Device,
    ) -> Self {
        let params = specs
            .iter()
            .map(|p| Param::from_tensor(Tensor::full([units], p.initial, device)))
            .collect();
        Self {
            function,
            specs,
            params,
        }
    }

    /// The function this module computes.
    pub fn function(&self) -> ScalarFn {
        self.function
    }

    /// The parameters with their registry names.
    pub(crate) fn named_params(&self) -> Vec<(String, &Param<Tensor<1>>)> {
        self.specs
            .iter()
            .map(|p| p.name.to_string())
            .zip(&self.params)
            .collect()
    }

    /// The same module with its parameters taken, in order, from `params`.
    pub(crate) fn with_params(self, params: impl Iterator<Item = Param<Tensor<1>>>) -> Self {
        Self {
            params: params.take(self.params.len()).collect(),
            ..self
        }
    }

    /// Parameter `i` for an element-wise product with `x`: repeated to x's shape on the
    /// fused path (its gradient then summed in a fixed order), else `[1, ..., 1, units]`
    /// for Burn to broadcast.
    fn param<const D: usize>(&self, i: usize, x: &Tensor<D>) -> Tensor<D> {
        crate::fused::per_unit(self.params[i].val(), x)
    }

    /// Applies the function element-wise.
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        match self.function {
            // relu(x) + alpha * min(x, 0): rather than Burn's `PRelu`, so that the
            // derivative at 0 is alpha, as in PyTorch (Burn's gives 1), and without
            // `mask_where` (slow on the CPU backend; see `leaky_relu`).
            ScalarFn::PReLU => {
                let alpha = self.param(0, &x);
                f::relu(x.clone()) + x.clamp_max(0.0) * alpha
            }
            // relu(x) + alpha * (exp(min(x, 0)) - 1): exp sees min(x, 0), so it cannot
            // overflow to inf for large x (inf * 0 would be NaN in alpha's gradient, as in
            // PyTorch's `where` form); one term is an exact zero on each side.
            ScalarFn::TeLU if crate::fused::kernels_apply(&x) => {
                crate::fused::telu(x, self.params[0].val())
            }
            ScalarFn::TeLU => {
                let alpha = self.param(0, &x);
                let negative = x.clone().clamp_max(0.0).exp().sub_scalar(1.0) * alpha;
                f::relu(x) + negative
            }
            ScalarFn::AdaptiveSigmoid => {
                let (k, theta) = (self.param(0, &x), self.param(1, &x));
                f::sigmoid((x - theta) * k)
            }
            ScalarFn::SGT => {
                let gamma = self.param(0, &x);
                (x * gamma).tanh() * GAMMA_3_2
            }
            ScalarFn::NIPUNA => {
                // softplus sees min(x, 0) only: its branch is discarded for x > 0.
                let alpha = self.param(0, &x);
                let negative = f::softplus(x.clone().clamp_max(0.0), 1.0) * alpha;
                negative.mask_where(x.clone().greater_elem(0.0), x)
            }
        }
    }
}
