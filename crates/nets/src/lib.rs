//! SimpleNetwork, the chapter's configurable MLP, and its layer summary.

mod network;
pub mod pytorch;
mod summary;

pub use network::{LayerTrace, SimpleNetwork};
pub use spec::{LayerKind, NetError, NetworkConfig};
pub use summary::{LayerRow, Summary};
