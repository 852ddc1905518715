//! A batch of images as tensors: the one place host buffers become tensors, for
//! training, evaluation and the probes.

use burn::tensor::{Device, Int, Tensor, TensorData};
use data::{BatchBuffer, Split};

/// The batch's pixels as `[n, pixels]` on `device`.
pub fn batch_inputs(buf: &BatchBuffer, pixels: usize, device: &Device) -> Tensor<2> {
    let n = buf.len();
    Tensor::<2>::from_data(TensorData::new(buf.pixels.clone(), [n, pixels]), device)
}

/// The batch's pixels `[n, pixels]` and class indices `[n]` on `device`.
pub fn batch_tensors(
    buf: &BatchBuffer,
    pixels: usize,
    device: &Device,
) -> (Tensor<2>, Tensor<1, Int>) {
    let n = buf.len();
    let y = Tensor::<1, Int>::from_data(TensorData::new(buf.labels.clone(), [n]), device);
    (batch_inputs(buf, pixels, device), y)
}

/// Every sample of `split` in order, `batch_size` at a time, as inputs on `device` with
/// the batch's labels (for passes over a whole split: evaluation and probes).
pub fn for_each_batch(
    split: &Split,
    batch_size: usize,
    device: &Device,
    mut visit: impl FnMut(Tensor<2>, Tensor<1, Int>),
) {
    let mut buf = BatchBuffer::default();
    let indices: Vec<usize> = (0..split.len()).collect();
    for chunk in indices.chunks(batch_size.max(1)) {
        buf.fill(split, chunk);
        let (x, y) = batch_tensors(&buf, split.pixels(), device);
        visit(x, y);
    }
}
