//! FashionMNIST: an IDX reader (`.gz` or raw), the dataset held in memory as bytes,
//! seeded per-epoch shuffling and batches assembled straight into one buffer.

mod batch;
mod checksum;
mod error;
mod idx;
mod locate;
mod mnist;

pub use batch::{BatchBuffer, epoch_order, normalise_pixel};
pub use checksum::Digests;
pub use error::DataError;
pub use idx::{IdxArray, decompress, encode_idx, parse_idx, read_idx};
pub use locate::{DATA_ENV, DEBIAN_DIR, DEBIAN_PACKAGE, LOCAL_DIR, locate};
pub use mnist::{FashionMnist, IMAGE_PIXELS, NUM_CLASSES, Split, SplitName};
pub use spec::rng::SplitMix64;
