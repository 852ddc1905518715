//! The probes (`actlab probe ...`), one module each; their flags are in `cli::probe`.

pub mod dead_neurons;
pub mod gradients;
pub mod hessian;
pub mod landscape;
pub mod ntk;
pub mod outputs;
pub mod surface;
