//! Activation functions of chapter 4 as Burn modules, and the registry that names them.
//!
//! The registry ([`ActivationKind`]) maps case-insensitive names to kinds; an
//! [`ActivationConfig`] (kind + [`Scope`]) builds the [`Activation`] module that a
//! network applies after each hidden layer.

mod activation;
mod custom;
mod eval;
mod rational;
mod scalar;
mod spline;
mod staf;

pub use activation::{Activation, FixedActivation};
pub use custom::CustomModule;
pub use eval::{ParamEvaluation, PointEvaluation, evaluate_points};
pub use rational::{RATIONAL_LEAKY_RELU_INIT, Rational};
pub use scalar::ScalarActivation;
pub use spline::{BSpline, SPLINE_COEFFICIENTS, SPLINE_SPAN};
// The registry is plain data and lives in `spec`; re-exported here, where activations are.
pub use spec::{
    ActivationConfig, ActivationInfo, ActivationKind, ActivationSpec, BOOK_ACTIVATIONS, Category,
    CustomActivation, DefinitionError, ParamInfo, Scope, UnknownName, closest_names,
};
pub use staf::{Staf, StafConfig};
