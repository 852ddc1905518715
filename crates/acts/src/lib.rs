//! Activation functions of chapter 4 as Burn modules, and the registry that names them.
//!
//! The registry ([`ActivationKind`]) maps case-insensitive names to kinds; an
//! [`ActivationConfig`] (kind + [`Scope`]) builds the [`Activation`] module that a
//! network applies after each hidden layer.

mod activation;
mod config;
mod eval;
mod kind;
mod names;
mod scalar;
mod staf;

pub use activation::{Activation, FixedActivation};
pub use config::{ActivationConfig, Scope};
pub use eval::{ParamEvaluation, PointEvaluation, evaluate_points};
pub use kind::{ActivationInfo, ActivationKind, BOOK_ACTIVATIONS, Category, ParamInfo};
pub use names::{UnknownName, closest_names};
pub use scalar::ScalarActivation;
pub use staf::{Staf, StafConfig};
