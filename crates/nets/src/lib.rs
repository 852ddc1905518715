//! SimpleNetwork, the chapter's configurable MLP, and its layer summary.

#![warn(missing_docs)]

pub mod dense;
mod network;
mod pickle;
pub mod pytorch;
mod summary;
pub mod update;

pub use network::{LayerTrace, SimpleNetwork};
pub use summary::{LayerRow, Summary};
