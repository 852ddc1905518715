//! SimpleNetwork, the chapter's configurable MLP, and its layer summary.

#![warn(missing_docs)]

pub mod conv;
pub mod dense;
mod lsuv;
mod network;
mod norm;
mod pickle;
pub mod pytorch;
mod seeded;
mod summary;
pub mod update;

/// Work on several inputs at once, each kept to its own thread: the data-parallel
/// step's slices (the training loop reaches the kernels' pool helpers through here).
pub use acts::each_apart;
pub use lsuv::{LSUV_BATCH, LSUV_MAX_RESCALES, LSUV_TOLERANCE};
pub use network::{LayerTrace, SimpleNetwork};
pub use norm::Norm;
pub use summary::{LayerRow, Summary};
