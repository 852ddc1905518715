//! Batches of images as tensors, through Burn's data loaders: sample indices (actlab's
//! shuffled order for training, in order for evaluation and the probes) batched by
//! [`SplitBatcher`].

use std::sync::Arc;

use crate::{FashionMnistBatch, Split, SplitBatcher};
use burn::data::dataloader::{DataLoader, DataLoaderBuilder};
use burn::data::dataset::InMemDataset;
use burn::tensor::{Device, Int, Tensor};

/// A loader of `split`'s samples `indices`, `batch_size` at a time, on `device`; with
/// `prefetch`, one worker thread assembles the next batch while the current one is used
/// (a single worker keeps the batches in order).
fn loader(
    split: &Arc<Split>,
    indices: Vec<usize>,
    batch_size: usize,
    prefetch: bool,
    device: &Device,
) -> Arc<dyn DataLoader<FashionMnistBatch>> {
    let builder = DataLoaderBuilder::new(SplitBatcher::new(split.clone()))
        .batch_size(batch_size.max(1))
        .set_device(device.clone());
    let builder = if prefetch {
        builder.num_workers(1)
    } else {
        builder
    };
    builder.build(InMemDataset::new(indices))
}

/// The batches of an epoch: `split`'s samples in `order`, `batch_size` at a time, on
/// `device`, the next one assembled while the current one trains (measured: see
/// crates/data/examples/loader_speed.rs).
pub fn epoch_batches(
    split: &Arc<Split>,
    order: Vec<usize>,
    batch_size: usize,
    device: &Device,
) -> Arc<dyn DataLoader<FashionMnistBatch>> {
    loader(split, order, batch_size, true, device)
}

/// Every sample of `split` in order, `batch_size` at a time, as inputs on `device` with
/// the batch's labels (for passes over a whole split: evaluation and probes).
pub fn for_each_batch(
    split: &Arc<Split>,
    batch_size: usize,
    device: &Device,
    mut visit: impl FnMut(Tensor<2>, Tensor<1, Int>),
) {
    for batch in loader(split, (0..split.len()).collect(), batch_size, false, device).iter() {
        // Indices into memory: batching cannot fail.
        let batch = batch.expect("in-memory samples batch");
        visit(batch.images, batch.targets);
    }
}

/// [`for_each_batch`], `group` batches at a time (the last group may hold fewer), for
/// passes that work on several batches at once and fold their results in batch order.
pub fn for_each_batch_group(
    split: &Arc<Split>,
    batch_size: usize,
    group: usize,
    device: &Device,
    mut visit: impl FnMut(Vec<(Tensor<2>, Tensor<1, Int>)>),
) {
    let mut batches = Vec::with_capacity(group.max(1));
    for_each_batch(split, batch_size, device, |x, y| {
        batches.push((x, y));
        if batches.len() >= group.max(1) {
            visit(std::mem::take(&mut batches));
        }
    });
    if !batches.is_empty() {
        visit(batches);
    }
}

/// The first `n` samples of `split` (all of them when it has fewer) as one batch.
pub fn first_samples(split: &Arc<Split>, n: usize, device: &Device) -> (Tensor<2>, Tensor<1, Int>) {
    let n = n.min(split.len());
    samples_at(split, &(0..n).collect::<Vec<_>>(), device)
}

/// `split`'s samples `indices` (each below its length) as one batch.
pub fn samples_at(
    split: &Arc<Split>,
    indices: &[usize],
    device: &Device,
) -> (Tensor<2>, Tensor<1, Int>) {
    let batch = (!indices.is_empty())
        .then(|| {
            loader(split, indices.to_vec(), indices.len(), false, device)
                .iter()
                .next()
        })
        .flatten()
        .and_then(Result::ok);
    match batch {
        Some(b) => (b.images, b.targets),
        None => (
            Tensor::<2>::zeros([0, split.pixels()], device),
            Tensor::<1, Int>::zeros([0], device),
        ),
    }
}
