//! FashionMNIST: an IDX reader (`.gz` or raw), the dataset held in memory as bytes,
//! seeded per-epoch shuffling, and the dataset as Burn's `Dataset` with a `Batcher`, so
//! that actlab (and any Burn program) batches it with Burn's data loaders.

#![warn(missing_docs)]

mod batch;
mod burn_data;
mod checksum;
mod error;
mod idx;
mod loader;
mod locate;
mod mnist;

pub use batch::{epoch_order, normalise_pixel};
pub use burn_data::{
    FashionMnistBatch, FashionMnistBatcher, FashionMnistDataset, FashionMnistItem, InOrder, SIDE,
    SplitBatcher,
};
pub use checksum::Digests;
pub use error::DataError;
pub use idx::{IdxArray, decompress, encode_idx, parse_idx, read_idx};
pub use loader::{epoch_batches, first_samples, for_each_batch, for_each_batch_group, samples_at};
pub use locate::{DATA_ENV, DEBIAN_DIR, DEBIAN_PACKAGE, LOCAL_DIR, locate};
pub use mnist::{FashionMnist, IMAGE_PIXELS, NUM_CLASSES, Split, SplitName};
