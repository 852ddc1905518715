//! Analyses of trained or freshly initialised networks: each takes a network (or an
//! activation) and data, and returns one of `spec`'s probe reports.

#![warn(missing_docs)]

pub mod curvature;
mod dead;
mod gradients;
mod outputs;
mod surface;

pub use dead::dead_neurons;
pub use gradients::{gradient_probe, stats};
pub use outputs::layer_outputs;
pub use surface::activation_surface;
