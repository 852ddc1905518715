//! The dataset as Burn's `Dataset` and `Batcher`: lengths, items against the raw IDX
//! bytes, batches against the ones actlab's training loop builds (`SplitBatcher` over
//! sample indices) and against the book's normalisation of the raw bytes, and Burn's
//! `DataLoader` over actlab's shuffled order giving actlab's batches.

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::Dataset;
use burn::tensor::{Device, Int, Tensor};
use data::{
    FashionMnist, FashionMnistBatcher, FashionMnistDataset, InOrder, Split, SplitBatcher,
    epoch_order, normalise_pixel, read_idx,
};

/// A split of `n` images whose pixel p of image i is (7 i + p) mod 256.
fn synthetic(n: usize) -> (Split, Vec<u8>, Vec<u8>) {
    let images: Vec<u8> = (0..n * 784)
        .map(|k| ((7 * (k / 784) + k % 784) % 256) as u8)
        .collect();
    let labels: Vec<u8> = (0..n).map(|i| (i * 3 % 10) as u8).collect();
    let split = Split::new(images.clone(), labels.clone(), 784).unwrap();
    (split, images, labels)
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().unwrap()
}

fn classes(t: Tensor<1, Int>) -> Vec<i64> {
    t.into_data()
        .convert::<i64>()
        .try_into_vec::<i64>()
        .unwrap()
}

#[test]
fn items_are_the_raw_bytes_in_mnist_shape() {
    let (split, images, labels) = synthetic(5);
    let dataset = FashionMnistDataset::new(split);
    assert_eq!(dataset.len(), 5);
    for i in 0..5 {
        let item = dataset.get(i).unwrap();
        assert_eq!(item.label, labels[i]);
        for (r, row) in item.image.iter().enumerate() {
            for (c, &v) in row.iter().enumerate() {
                assert_eq!(
                    v,
                    f32::from(images[i * 784 + r * 28 + c]),
                    "image {i} ({r}, {c})"
                );
            }
        }
    }
    let out_of_range = std::panic::catch_unwind(|| dataset.get(5));
    assert!(
        out_of_range.is_err(),
        "get past the end panics, as Burn's trait says"
    );
}

#[test]
fn a_batch_is_the_one_actlabs_training_loop_builds() {
    let (split, _, _) = synthetic(300);
    let device = Device::flex();
    let indices = [17usize, 3, 250, 3, 99];
    let dataset = FashionMnistDataset::new(split.clone());
    let items = indices.iter().map(|&i| dataset.get(i).unwrap()).collect();
    let batch = FashionMnistBatcher.batch(items, &device);
    let actlab = SplitBatcher::new(split.clone()).batch(indices.to_vec(), &device);
    assert_eq!(batch.images.dims(), [5, 784]);
    let pixels = values(batch.images);
    assert_eq!(pixels, values(actlab.images), "pixels differ from actlab's");
    assert_eq!(classes(batch.targets), classes(actlab.targets));
    // Both are the book's normalisation of the raw bytes.
    let raw: Vec<f32> = indices
        .iter()
        .flat_map(|&i| split.image(i).iter().map(|&b| normalise_pixel(b)))
        .collect();
    assert_eq!(pixels, raw);
}

#[test]
fn burns_data_loader_over_actlabs_order_gives_actlabs_batches() {
    let (split, _, _) = synthetic(300);
    let device = Device::flex();
    let order = epoch_order(split.len(), 7, 2);
    let loader = DataLoaderBuilder::new(FashionMnistBatcher)
        .batch_size(128)
        .set_device(device)
        .build(InOrder::new(
            FashionMnistDataset::new(split.clone()),
            order.clone(),
        ));
    let actlab = SplitBatcher::new(split.clone());
    let mut batches = 0;
    for (batch, chunk) in loader.iter().zip(order.chunks(128)) {
        let batch = batch.unwrap();
        let expected = actlab.batch(chunk.to_vec(), &Device::flex());
        assert_eq!(values(batch.images), values(expected.images));
        assert_eq!(classes(batch.targets), classes(expected.targets));
        batches += 1;
    }
    assert_eq!(batches, 3, "300 samples in batches of 128");
}

#[test]
fn the_real_splits_have_fashion_mnists_sizes_and_bytes() {
    let (train, test) = FashionMnistDataset::splits(None)
        .unwrap_or_else(|e| panic!("this test needs FashionMNIST (run scripts/setup.sh): {e}"));
    assert_eq!((train.len(), test.len()), (60_000, 10_000));
    // The first test image against the IDX file read on its own.
    let dir = data::locate(
        None,
        std::env::var_os(data::DATA_ENV)
            .as_deref()
            .map(std::path::Path::new),
    )
    .unwrap();
    let raw = FashionMnist::load(&dir, true).unwrap();
    let images = read_idx(&first_existing(&dir, "t10k-images-idx3-ubyte")).unwrap();
    let item = test.get(0).unwrap();
    assert_eq!(item.label, raw.test.labels()[0]);
    assert_eq!(
        item.label, 9,
        "the first FashionMNIST test image is an ankle boot"
    );
    let first: Vec<f32> = images.data[..784].iter().map(|&b| f32::from(b)).collect();
    assert_eq!(item.image.concat(), first);
}

/// `dir/name`, or `dir/name.gz`.
fn first_existing(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let raw = dir.join(name);
    if raw.is_file() {
        raw
    } else {
        dir.join(format!("{name}.gz"))
    }
}
