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
pub use fused::{FusedOps, enabled as fused_kernels_enabled, set_enabled as set_fused_kernels};
pub use rational::Rational;
pub use scalar::ScalarActivation;
pub use spline::{BSpline, SPLINE_SPAN};
pub use staf::Staf;
