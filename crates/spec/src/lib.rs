//! What to run and what came of it, as plain data: the activation registry, the
//! expression language, the network, training and experiment configs with their checks,
//! the typed records actlab saves (runs, summaries, probe reports, figures) with their
//! `kind` tags, and the layout of an experiment folder. Nothing here touches a tensor,
//! so the crate builds in seconds, its parsers can be fuzzed, and every other crate
//! shares one definition of each setting and each file.

#[macro_use]
mod names;
mod activation;
pub mod artifact;
pub mod claim;
mod custom;
mod experiment;
mod expr;
pub mod figure;
pub mod fsio;
mod kind;
pub mod layout;
mod located;
mod network;
pub mod numbers;
pub mod record;
pub mod resources;
pub mod rng;
mod train;

pub use activation::{ActivationConfig, ActivationSpec, FourierInit, FourierOptions, Scope};
pub use artifact::{AnyArtifact, Artifact, ArtifactError, ArtifactKind};
pub use custom::{Compiled, CustomActivation, Definition, DefinitionError};
pub use experiment::{ConfigError, Experiment, ExperimentFile, RunSpec};
pub use expr::{
    BinaryOp, Comparison, Condition, Expr, ExprError, Extremum, UnaryFn, function_names,
};
pub use kind::{
    ActivationInfo, ActivationKind, BOOK_ACTIVATIONS, Category, Family, FixedFn, ParamInfo,
    RATIONAL_LEAKY_RELU_INIT, SPLINE_COEFFICIENTS, ScalarFn, ScalarParam,
};
pub use layout::{ExperimentLayout, RunLayout};
pub use names::{NamedChoice, UnknownName, closest_names};
pub use network::{LayerKind, NetError, NetworkConfig};
pub use record::run::{
    BatchPoint, CheckpointRef, EpochMetrics, ImportSource, LayerTrack, ResumePoint, RunRecord,
    RunState, RunStatus, RunningLoss,
};
pub use record::summary::{SummaryRow, SummaryTable};
pub use train::{OptimizerKind, TrainConfig};
