//! Analyses of trained or freshly initialised networks.

mod dead;
mod surface;

pub use dead::{DeadLayer, DeadNeuronProbe, DeadNeuronReport, ProbeSource, dead_neurons};
pub use surface::{SurfaceGrid, activation_surface};
