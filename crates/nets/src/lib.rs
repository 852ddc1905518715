//! SimpleNetwork, the chapter's configurable MLP, and its layer summary.

mod config;
mod network;
mod summary;

pub use config::{NetError, NetworkConfig};
pub use network::SimpleNetwork;
pub use summary::{LayerRow, Summary};
