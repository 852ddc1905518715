//! Activation functions of chapter 4 as Burn modules.
//!
//! The registry (names, formulas, parameters and their initial values) is plain data in
//! `spec`; here [`Activation::init`] builds the module any [`ActivationSpec`] describes,
//! and a functional module holds the functions themselves as tensor operations.

#![warn(missing_docs)]

mod activation;
mod custom;
mod eval;
mod float64;
mod functional;
mod fused;
mod rational;
mod scalar;
mod spline;
mod staf;

pub use activation::{Activation, FixedActivation, ParamValuesError};
pub use custom::CustomModule;
pub use eval::evaluate_points;
pub use float64::float64_device;
pub use fused::{
    ExprKernel, FlexOps, FusedOps, PIECE as ELEMENTWISE_PIECE, applies as fused_kernels_apply,
    each_apart, each_piece, enabled as fused_kernels_enabled, flex_tensor, flex_values,
    gpu_kernel_operations, is_cube, is_flex, kernels_apply as activation_kernels_apply, may_split,
    on_this_thread, set_enabled as set_fused_kernels,
    set_expressions_enabled as set_expression_kernels,
};
pub use rational::Rational;
pub use scalar::ScalarActivation;
pub use spline::{BSpline, SPLINE_SPAN};
pub use staf::Staf;

use spec::{ActivationKind, ActivationSpec, Compiled, Kernel};

/// How an activation is computed on the CPU device (flex) in float32, in a few words for
/// `acts list` and `bench train`: a fused kernel (a registry kernel, or a user expression
/// compiled to one) or Burn's composed tensor operations, with the reason. Every other
/// device and float64 take the composed operations; `ACTLAB_FUSED=0` (everything) and
/// `ACTLAB_FUSED_EXPR=0` (user expressions) switch the kernels off.
pub fn kernel_path(activation: &ActivationSpec) -> String {
    if !fused::enabled() {
        return "composed (ACTLAB_FUSED=0)".into();
    }
    match activation {
        ActivationSpec::Custom(_) if !fused::expressions_enabled() => {
            "composed (ACTLAB_FUSED_EXPR=0)".into()
        }
        ActivationSpec::Custom(definition) => match ExprKernel::compile(definition) {
            Ok(kernel) => {
                let (forward, backward) = kernel.steps();
                format!("fused expression ({forward} + {backward} steps)")
            }
            Err(why) => format!("composed ({why})"),
        },
        other => match other.builtin().map(ActivationKind::kernel) {
            Some(Kernel::Composed) | None => "composed".into(),
            Some(_) => "fused".into(),
        },
    }
}

/// Why an activation's computation is not in actlab's fixed summation order, so that a
/// run's bits follow the machine (its vector width, for some the thread count); `None`
/// when the bits are the same on every x86-64 CPU with AVX2 and FMA. Its parameters'
/// gradients otherwise go through `expand_param` and its values through element-wise
/// operations or `vmath`.
pub fn machine_order(activation: &ActivationSpec) -> Option<&'static str> {
    match activation {
        ActivationSpec::Builtin(ActivationKind::BSpline) => {
            Some("BSpline weighs its basis with Burn's matrix product and sums")
        }
        ActivationSpec::Custom(_) if !fused::expressions_enabled() => {
            Some("ACTLAB_FUSED_EXPR=0: the expression in Burn's own operations")
        }
        ActivationSpec::Custom(definition)
            if matches!(definition.compiled(), Compiled::Mixture(_)) =>
        {
            Some("a mixture's softmax over its functions is Burn's reduction")
        }
        _ => None,
    }
}
