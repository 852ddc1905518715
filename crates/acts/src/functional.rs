//! The activation functions as tensor operations, without state: the parameter-free
//! functions, and the pieces (leaky ReLU, ELU, exact division) that the modules with
//! parameters and the user-defined expressions build on.

use burn::tensor::Tensor;
use burn::tensor::activation as f;
use spec::{FixedFn, Kernel};

use crate::fused;

/// `x if x > 0 else slope * x` as `relu(x) + slope * min(x, 0)`: the same values (one
/// term is always an exact zero), PyTorch's derivative at 0 (the slope: `min` passes
/// its gradient at equality, `relu` does not; Burn's own `leaky_relu` gives 1), and no
/// `mask_where`, which costs Burn's CPU backend more than the rest together.
fn leaky_relu<const D: usize>(x: Tensor<D>, slope: f64) -> Tensor<D> {
    f::relu(x.clone()) + x.clamp_max(0.0).mul_scalar(slope)
}

/// `x / divisor`, differentiated exactly in float64 too: Burn 0.22's backward of
/// `div_scalar` multiplies by `1 / divisor` computed in float32 (burn-autodiff
/// ops/tensor.rs, `DivScalar`), an error of 3e-8 relative for 6. Dividing by an untracked
/// one-element tensor gives the same forward values (IEEE division either way) and an
/// exact backward.
pub(crate) fn divide_by<const D: usize>(x: Tensor<D>, divisor: f64) -> Tensor<D> {
    let divisor = Tensor::<D>::full([1; D], divisor, &x.device());
    x / divisor
}

/// `x * relu6(x + 3) / 6` with PyTorch's derivative at the joints: 0 at x = -3 and 1 at
/// x = 3 (the outer pieces own their end points).
fn hard_swish<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let low = x.clone().lower_equal_elem(-3.0);
    let high = x.clone().greater_equal_elem(3.0);
    let middle = divide_by(x.clone() * (x.clone() + 3.0), 6.0);
    middle.mask_where(high, x.clone()).mask_fill(low, 0.0)
}

/// GELU, x Φ(x). Burn's own `gelu` differentiates exactly on Flex alone: every other
/// backend (wgpu, NdArray) inherits Burn's default backward, the derivative of the tanh
/// approximation, which is off by up to 8.7e-4 (at x = 2.02) and 0 in the far tail (x =
/// −5.35: 0 against −1.26e-6). There GELU is composed of erf, whose derivative
/// (2/√π e^(−u²)) Burn has exactly; the forward pass is the same operations as Burn's.
fn gelu<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    if fused::is_flex(&x.device()) {
        return f::gelu(x);
    }
    x.clone() * ((x / std::f64::consts::SQRT_2).erf() + 1.0) * 0.5
}

/// Mish, x tanh(softplus(x)). Off Flex, GPU arithmetic rounds tanh near 1 coarsely
/// enough to put the derivative 1.3e-6 off PyTorch's at x = 5.9. There tanh(softplus(x))
/// is computed from w = e^x (e^x + 2) as w / (w + 2) for x <= 0 and as 1 - 2 / (w + 2)
/// for x > 0: neither the value nor the derivative Burn takes of it subtracts nearby
/// numbers (w / (w + 2) differentiated as a quotient would, for large w). e^x is capped
/// at e^20, past which the ratio is 1 in float32. Flex keeps Burn's own operations,
/// whose bits the float64 references were computed with.
fn mish<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    if fused::is_flex(&x.device()) {
        return f::mish(x);
    }
    let e = x.clone().clamp_max(20.0).exp();
    let w = e.clone() * (e + 2.0);
    let small = w.clone() / (w.clone() + 2.0);
    let large = (w + 2.0).recip() * -2.0 + 1.0;
    let positive = x.clone().greater_elem(0.0);
    x * small.mask_where(positive, large)
}

/// GELU's tanh approximation, `0.5 x (1 + tanh(u)) = x * sigmoid(2u)`. Evaluated as
/// `x - x * sigmoid(-2u)` for x > 0 so that neither the value nor the derivative takes
/// `1 - (a number near 1)`: both sides then match PyTorch's float32 within 4 ulp.
fn gelu_tanh<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    const SQRT_2_OVER_PI: f64 = 0.797_884_560_802_865_4;
    let two_u = (x.clone() + x.clone().powi_scalar(3) * 0.044_715) * (2.0 * SQRT_2_OVER_PI);
    let negative_side = x.clone() * f::sigmoid(two_u.clone());
    let positive_side = x.clone() - x.clone() * f::sigmoid(two_u.neg());
    negative_side.mask_where(x.greater_elem(0.0), positive_side)
}

/// The threshold `1 if x >= 0 else 0` whose gradient is Hardtanh's (1 on [-1, 1], 0
/// outside): the value comes from the step, the gradient from the clipped identity
/// (Bengio et al. 2013's straight-through estimator), since the step's own is 0.
fn step_straight_through<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let step = x.clone().greater_equal_elem(0.0).float();
    let clipped = x.clone().clamp(-1.0, 1.0);
    clipped.clone() + (step - clipped).detach()
}

/// SELU's constants (Klambauer et al. 2017), as PyTorch spells them.
const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;
const SELU_SCALE: f64 = 1.050_700_987_355_480_5;

/// `scale * (x if x > 0 else alpha * (exp(x) - 1))` as
/// `scale * (relu(x) + alpha * (exp(min(x, 0)) - 1))`: one term is an exact zero on each
/// side, exp never overflows (so no NaN gradient), the derivative at 0 is PyTorch's
/// (`alpha * scale`), and no `mask_where` is needed (see `leaky_relu`).
fn elu<const D: usize>(x: Tensor<D>, alpha: f64, scale: f64) -> Tensor<D> {
    let negative = x
        .clone()
        .clamp_max(0.0)
        .exp()
        .sub_scalar(1.0)
        .mul_scalar(alpha);
    (f::relu(x) + negative).mul_scalar(scale)
}

/// `ln(sigmoid(x))` without overflow: `x - ln(1 + e^x)` below 0, `-ln(1 + e^-x)` from 0 on
/// (derivative 1/2 at 0, as PyTorch); each branch's exp sees only its own side.
fn log_sigmoid<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let below = x.clone() - x.clone().clamp_max(0.0).exp().log1p();
    let above = x.clone().clamp_min(0.0).neg().exp().log1p().neg();
    above.mask_where(x.lower_elem(0.0), below)
}

/// Applies a parameter-free, deterministic activation (also the registry functions of
/// user-defined expressions).
pub(crate) fn apply_fixed<const D: usize>(function: FixedFn, x: Tensor<D>) -> Tensor<D> {
    use FixedFn as K;
    if let Kernel::Fused(kernel) = function.kind().kernel()
        && fused::kernels_apply(&x)
    {
        return fused::activation(kernel, x);
    }
    match function {
        K::Sigmoid => f::sigmoid(x),
        K::Tanh => f::tanh(x),
        K::ReLU => f::relu(x),
        K::GELU => gelu(x),
        K::Mish => mish(x),
        K::LeakyReLU => leaky_relu(x, 0.01),
        K::SiLU | K::Swish => f::silu(x),
        K::Hardswish => hard_swish(x),
        K::GELUTanh => gelu_tanh(x),
        K::ELU => elu(x, 1.0, 1.0),
        K::SELU => elu(x, SELU_ALPHA, SELU_SCALE),
        K::CELU => elu(x, 1.0, 1.0),
        K::Softplus => f::softplus(x, 1.0),
        K::Softsign => x.clone() / (x.abs() + 1.0),
        K::Hardtanh => {
            let low = x.clone().lower_equal_elem(-1.0);
            let high = x.clone().greater_equal_elem(1.0);
            x.mask_fill(low, -1.0).mask_fill(high, 1.0)
        }
        K::Hardsigmoid => {
            let low = x.clone().lower_equal_elem(-3.0);
            let high = x.clone().greater_equal_elem(3.0);
            (x / 6.0 + 0.5).mask_fill(low, 0.0).mask_fill(high, 1.0)
        }
        K::LogSigmoid => log_sigmoid(x),
        K::Tanhshrink => x.clone() - x.tanh(),
        K::ReLU6 => {
            let low = x.clone().lower_equal_elem(0.0);
            let high = x.clone().greater_equal_elem(6.0);
            x.mask_fill(low, 0.0).mask_fill(high, 6.0)
        }
        K::Identity => x,
        K::Step => step_straight_through(x),
        K::SwiGELU => (f::silu(x.clone()) + gelu(x)) * 0.5,
        // exp sees min(x, 20): tanh(e^20) is 1 in float32, and an overflowing exp would
        // turn the derivative's (1 - tanh^2) * e^x into 0 * inf = NaN.
        K::TanhExp => x.clone() * x.clamp_max(20.0).exp().tanh(),
    }
}
