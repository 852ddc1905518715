//! What to run, as plain data: the activation registry, and the network, training and
//! experiment configs with their checks. Nothing here touches a tensor, so the crate
//! builds in seconds, its parsers can be fuzzed, and every other crate shares one
//! definition of each setting.

mod activation;
mod custom;
mod experiment;
mod expr;
mod kind;
mod names;
mod network;
mod train;

pub use activation::{ActivationConfig, ActivationSpec, FourierInit, FourierOptions, Scope};
pub use custom::{Compiled, CustomActivation, DefinitionError};
pub use experiment::{ConfigError, Experiment, ExperimentFile, RunSpec};
pub use expr::{BinaryOp, Builtin, Comparison, Expr, ExprError, Function, function_names};
pub use kind::{ActivationInfo, ActivationKind, BOOK_ACTIVATIONS, Category, ParamInfo};
pub use names::{UnknownName, closest_names};
pub use network::{LayerKind, NetError, NetworkConfig};
pub use train::{OptimizerKind, TrainConfig};
