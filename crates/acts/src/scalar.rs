//! Activations shaped by a few trainable scalars: PReLU, the book's TeLU, adaptive
//! sigmoid, SGT and NIPUNA.

use burn::module::{Module, Param};
use burn::tensor::activation as f;
use burn::tensor::{Device, Tensor};

use spec::ActivationKind;

/// Γ(3/2) = √π / 2, SGT's scale.
const GAMMA_3_2: f64 = 0.886_226_925_452_758;

/// A function of x and a few trainable scalars (each a `[1]` tensor, in the registry's
/// parameter order).
#[derive(Module, Debug)]
pub struct ScalarActivation {
    #[module(skip)]
    kind: ActivationKind,
    /// The parameters, in registry order.
    pub params: Vec<Param<Tensor<1>>>,
}

impl ScalarActivation {
    /// Initial values of each kind's parameters.
    fn initial(kind: ActivationKind) -> &'static [f64] {
        match kind {
            // PyTorch's and the book's initial values.
            ActivationKind::PReLU => &[0.25],
            ActivationKind::TeLU => &[1.0],
            // k = 1, theta = 0: the plain sigmoid.
            ActivationKind::AdaptiveSigmoid => &[1.0, 0.0],
            ActivationKind::SGT => &[1.0],
            ActivationKind::NIPUNA => &[1.0],
            other => panic!("{other} is not a scalar-parameter activation"),
        }
    }

    /// Whether `kind` is built by this module.
    pub fn handles(kind: ActivationKind) -> bool {
        matches!(
            kind,
            ActivationKind::PReLU
                | ActivationKind::TeLU
                | ActivationKind::AdaptiveSigmoid
                | ActivationKind::SGT
                | ActivationKind::NIPUNA
        )
    }

    /// A fresh module with the initial values.
    pub fn new(kind: ActivationKind, device: &Device) -> Self {
        Self::for_units(kind, 1, device)
    }

    /// A fresh module with a parameter set per unit (per-neuron scope), all initial.
    pub fn for_units(kind: ActivationKind, units: usize, device: &Device) -> Self {
        let params = Self::initial(kind)
            .iter()
            .map(|&v| Param::from_tensor(Tensor::full([units], v, device)))
            .collect();
        Self { kind, params }
    }

    /// A module with the given parameter values, in registry order.
    pub fn with_values(kind: ActivationKind, values: &[f64], device: &Device) -> Self {
        let params = values
            .iter()
            .map(|&v| Param::from_tensor(Tensor::full([1], v, device)))
            .collect();
        Self { kind, params }
    }

    /// The kind this module computes.
    pub fn kind(&self) -> ActivationKind {
        self.kind
    }

    /// Parameter `i`, shaped to broadcast over the input: `[1, ..., 1, units]`.
    fn param<const D: usize>(&self, i: usize) -> Tensor<D> {
        self.params[i].val().unsqueeze::<D>()
    }

    /// Applies the function element-wise.
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        match self.kind {
            // relu(x) + alpha * min(x, 0): rather than Burn's `PRelu`, so that the
            // derivative at 0 is alpha, as in PyTorch (Burn's gives 1), and without
            // `mask_where` (slow on the CPU backend; see `leaky_relu`).
            ActivationKind::PReLU => f::relu(x.clone()) + x.clamp_max(0.0) * self.param::<D>(0),
            // relu(x) + alpha * (exp(min(x, 0)) - 1): exp sees min(x, 0), so it cannot
            // overflow to inf for large x (inf * 0 would be NaN in alpha's gradient, as in
            // PyTorch's `where` form); one term is an exact zero on each side.
            ActivationKind::TeLU => {
                let negative = x.clone().clamp_max(0.0).exp().sub_scalar(1.0) * self.param::<D>(0);
                f::relu(x) + negative
            }
            ActivationKind::AdaptiveSigmoid => {
                f::sigmoid((x - self.param::<D>(1)) * self.param::<D>(0))
            }
            ActivationKind::SGT => (x * self.param::<D>(0)).tanh() * GAMMA_3_2,
            ActivationKind::NIPUNA => {
                // softplus sees min(x, 0) only: its branch is discarded for x > 0.
                let negative = f::softplus(x.clone().clamp_max(0.0), 1.0) * self.param::<D>(0);
                negative.mask_where(x.clone().greater_elem(0.0), x)
            }
            other => unreachable!("{other} is not a scalar-parameter activation"),
        }
    }
}
