//! What to run and what came of it, as plain data: the activation registry, the
//! expression language, the network, training and experiment configs with their checks,
//! the typed records actlab saves (runs, summaries, probe reports, figures) with their
//! `kind` tags, and the layout of an experiment folder. Nothing here touches a tensor,
//! so the crate builds in seconds, its parsers can be fuzzed, and every other crate
//! shares one definition of each setting and each file.

#![warn(missing_docs)]

#[macro_use]
mod names;
mod activation;
pub mod artifact;
pub mod claim;
pub mod conv;
mod custom;
mod experiment;
mod expr;
pub mod figure;
mod file_kind;
mod fourier;
pub mod fsio;
mod init;
pub mod layout;
mod located;
mod network;
pub mod numbers;
pub mod record;
mod registry;
pub mod resources;
pub mod rng;
pub mod search;
mod train;

pub use activation::{ActivationConfig, ActivationSpec, Scope};
pub use artifact::{AnyArtifact, Artifact, ArtifactError};
pub use custom::{Compiled, CustomActivation, Definition, DefinitionError};
pub use experiment::{ConfigError, Experiment, ExperimentFile, RunSpec, Setting, first_repeat};
pub use expr::{
    BinaryOp, Comparison, Condition, Expr, ExprError, Extremum, UnaryFn, function_names,
};
pub use file_kind::ArtifactKind;
pub use fourier::{FourierInit, FourierOptions};
pub use init::{InitScheme, activation_gain};
pub use layout::{ExperimentLayout, RunLayout};
pub use names::{NamedChoice, UnknownName, closest_names};
pub use network::{LayerKind, NetError, NetworkConfig, NormKind};
pub use record::run::{
    BatchPoint, CheckpointRef, EpochMetrics, ImportSource, LayerTrack, Numerics, ResumePoint,
    RunRecord, RunState, RunStatus, RunningLoss,
};
pub use record::summary::{SummaryRow, SummaryTable};
pub use registry::{
    ActivationInfo, ActivationKind, BOOK_ACTIVATIONS, Category, Family, FixedFn, FusedKernel,
    Kernel, ParamInfo, RATIONAL_LEAKY_RELU_INIT, SPLINE_COEFFICIENTS, ScalarFn, ScalarParam, Torch,
    TorchParam,
};
pub use train::{OptimizerKind, TrainConfig};
