//! One module per subcommand. Each is a leaf: it parses nothing itself, calls the
//! libraries, and shares helpers only through `crate::context`.

pub mod bench;
pub mod compare;
pub mod completions;
pub mod dead_neurons;
pub mod eval;
pub mod export;
pub mod gradients;
pub mod hessian;
pub mod import;
pub mod landscape;
pub mod ls;
pub mod merge;
pub mod ntk;
pub mod outputs;
pub mod plot;
pub mod registry;
pub mod report;
pub mod rerun;
pub mod show;
pub mod slurm;
pub mod summary;
pub mod surface;
pub mod tensorboard;
pub mod train;
pub mod worker;
