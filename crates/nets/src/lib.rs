//! SimpleNetwork, the chapter's configurable MLP, and its layer summary.

#![warn(missing_docs)]

pub mod conv;
pub mod dense;
mod lsuv;
mod network;
mod norm;
mod pickle;
pub mod pytorch;
mod summary;
pub mod update;

pub use lsuv::{LSUV_BATCH, LSUV_MAX_RESCALES, LSUV_TOLERANCE};
pub use network::{LayerTrace, SimpleNetwork};
pub use norm::Norm;
pub use summary::{LayerRow, Summary};
