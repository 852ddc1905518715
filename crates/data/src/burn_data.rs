//! FashionMNIST for any Burn program: the verified, offline dataset actlab trains on as a
//! `burn::data::dataset::Dataset` whose items are shaped like burn-dataset's `MnistItem`
//! (so Burn's MNIST example code takes it unchanged), and a `Batcher` for
//! `DataLoaderBuilder` that makes the tensors actlab trains on.
//!
//! ```no_run
//! use burn::data::dataloader::DataLoaderBuilder;
//! use data::{FashionMnistBatcher, FashionMnistDataset};
//!
//! let (train, _test) = FashionMnistDataset::splits(None).expect("FashionMNIST is installed");
//! let loader = DataLoaderBuilder::new(FashionMnistBatcher)
//!     .batch_size(128)
//!     .shuffle(7)
//!     .num_workers(2)
//!     .build(train);
//! for batch in loader.iter() {
//!     let batch = batch.expect("the items read");
//!     let _ = (batch.images, batch.targets); // [128, 784] and [128]
//! }
//! ```

use std::path::Path;
use std::sync::Arc;

use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::{Dataset, DatasetError};
use burn::tensor::{Device, Int, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::batch::normalise_pixel;
use crate::error::DataError;
use crate::locate::{DATA_ENV, locate};
use crate::mnist::{FashionMnist, IMAGE_PIXELS, Split};

/// Image width and height.
pub const SIDE: usize = 28;

/// One image and its class, as burn-dataset's `MnistItem`: pixel values 0.0 to 255.0,
/// row by row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FashionMnistItem {
    /// The image.
    pub image: [[f32; SIDE]; SIDE],
    /// Its class, 0 to 9.
    pub label: u8,
}

/// A split of FashionMNIST as a Burn `Dataset`.
#[derive(Clone, Debug)]
pub struct FashionMnistDataset {
    split: Arc<Split>,
}

impl FashionMnistDataset {
    /// A dataset of `split`'s samples (an `Arc<Split>` is shared, not copied).
    pub fn new(split: impl Into<Arc<Split>>) -> Self {
        Self {
            split: split.into(),
        }
    }

    /// The training and test splits from `dir`, or from where actlab looks (`$ACTLAB_DATA`,
    /// `./data/fashion-mnist`, `/usr/share/datasets/fashion-mnist`), each file checked to
    /// be FashionMNIST's.
    pub fn splits(dir: Option<&Path>) -> Result<(Self, Self), DataError> {
        let from_env = std::env::var_os(DATA_ENV).map(std::path::PathBuf::from);
        let dir = locate(dir, from_env.as_deref())?;
        let FashionMnist { train, test, .. } = FashionMnist::load(&dir, true)?;
        Ok((Self::new(train), Self::new(test)))
    }

    /// The split it reads.
    pub fn split(&self) -> &Split {
        &self.split
    }
}

impl Dataset<FashionMnistItem> for FashionMnistDataset {
    /// Panics when `index >= len()`, as the trait asks.
    fn get(&self, index: usize) -> Result<FashionMnistItem, DatasetError> {
        let len = self.split.len();
        assert!(index < len, "index {index} of a dataset of {len} images");
        if self.split.pixels() != IMAGE_PIXELS {
            return Err(DatasetError::new(DataError::NotSquareImages {
                pixels: self.split.pixels(),
            }));
        }
        let pixels = self.split.image(index);
        let image = std::array::from_fn(|row| {
            std::array::from_fn(|column| f32::from(pixels[row * SIDE + column]))
        });
        Ok(FashionMnistItem {
            image,
            label: self.split.labels()[index],
        })
    }

    fn len(&self) -> usize {
        self.split.len()
    }
}

/// A batch as actlab trains on it: images flattened to `[n, 784]` and normalised as the
/// book's torchvision transform does (`(x / 255 - 0.5) / 0.5`), and class indices `[n]`.
#[derive(Clone, Debug)]
pub struct FashionMnistBatch {
    /// `[n, 784]`, each pixel in [-1, 1].
    pub images: Tensor<2>,
    /// `[n]`, each 0 to 9.
    pub targets: Tensor<1, Int>,
}

/// Makes [`FashionMnistBatch`]es for Burn's `DataLoaderBuilder`.
#[derive(Clone, Copy, Debug, Default)]
pub struct FashionMnistBatcher;

impl Batcher<FashionMnistItem, FashionMnistBatch> for FashionMnistBatcher {
    fn batch(&self, items: Vec<FashionMnistItem>, device: &Device) -> FashionMnistBatch {
        let n = items.len();
        let mut pixels = Vec::with_capacity(n * IMAGE_PIXELS);
        let mut labels = Vec::with_capacity(n);
        for item in &items {
            // The values are whole numbers 0 to 255: the same f32 arithmetic as actlab's
            // own batches, so the tensors are identical.
            pixels.extend(
                item.image
                    .iter()
                    .flatten()
                    .map(|&v| normalise_pixel(v as u8)),
            );
            labels.push(i64::from(item.label));
        }
        FashionMnistBatch {
            images: Tensor::from_data(TensorData::new(pixels, [n, IMAGE_PIXELS]), device),
            targets: Tensor::from_data(TensorData::new(labels, [n]), device),
        }
    }
}

/// Makes [`FashionMnistBatch`]es from sample indices into one split, without building
/// items first: actlab's own data loaders (any image size, as the probes' small
/// synthetic sets have). The same tensors as [`FashionMnistBatcher`] for FashionMNIST.
#[derive(Clone, Debug)]
pub struct SplitBatcher {
    split: Arc<Split>,
}

impl SplitBatcher {
    /// Batches of `split`'s samples.
    pub fn new(split: impl Into<Arc<Split>>) -> Self {
        Self {
            split: split.into(),
        }
    }
}

impl Batcher<usize, FashionMnistBatch> for SplitBatcher {
    fn batch(&self, indices: Vec<usize>, device: &Device) -> FashionMnistBatch {
        let lut: [f32; 256] = std::array::from_fn(|b| normalise_pixel(b as u8));
        let (n, pixels) = (indices.len(), self.split.pixels());
        let mut values = Vec::with_capacity(n * pixels);
        let mut labels = Vec::with_capacity(n);
        for &i in &indices {
            values.extend(self.split.image(i).iter().map(|&b| lut[b as usize]));
            labels.push(i64::from(self.split.labels()[i]));
        }
        FashionMnistBatch {
            images: Tensor::from_data(TensorData::new(values, [n, pixels]), device),
            targets: Tensor::from_data(TensorData::new(labels, [n]), device),
        }
    }
}

/// The samples of a dataset in a given order: with actlab's `epoch_order`, a Burn
/// `DataLoader` (without a shuffle of its own) sees an epoch exactly as actlab does.
#[derive(Clone, Debug)]
pub struct InOrder<D> {
    inner: D,
    order: Arc<Vec<usize>>,
}

impl<D> InOrder<D> {
    /// `inner`'s samples in `order`.
    pub fn new(inner: D, order: Vec<usize>) -> Self {
        Self {
            inner,
            order: Arc::new(order),
        }
    }
}

impl<I, D: Dataset<I>> Dataset<I> for InOrder<D> {
    fn get(&self, index: usize) -> Result<I, DatasetError> {
        self.inner.get(self.order[index])
    }

    fn len(&self) -> usize {
        self.order.len()
    }
}
