//! Analyses of trained or freshly initialised networks.

mod dead;

pub use dead::{DeadLayer, DeadNeuronProbe, DeadNeuronReport, ProbeSource, dead_neurons};
