//! Analyses of trained or freshly initialised networks.

mod dead;
mod gradients;
mod outputs;
mod surface;

pub use dead::{
    DeadLayer, DeadNeuronProbe, DeadNeuronReport, ProbeSource, SATURATION_SLOPE, SILENT_OUTPUT,
    dead_neurons,
};
pub use gradients::{
    GradientProbe, Histogram, LayerGradients, Stats, gradient_probe, histogram, stats,
};
pub use outputs::{LayerOutputs, OutputReport, layer_outputs};
pub use surface::{SurfaceGrid, activation_surface};
