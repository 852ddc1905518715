//! One module per subcommand. Each is a leaf: it parses nothing itself, calls the
//! libraries, and shares helpers only through `crate::context`.

pub mod acts;
pub mod bench;
pub mod compare;
pub mod completions;
pub mod eval;
pub mod export;
pub mod import;
pub mod ls;
pub mod merge;
pub mod plot;
pub mod probe;
pub mod report;
pub mod rerun;
pub mod search;
pub mod show;
pub mod slurm;
pub mod summary;
pub mod tensorboard;
pub mod train;
pub mod worker;
