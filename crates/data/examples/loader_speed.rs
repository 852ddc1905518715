//! One training epoch of the book's network (ReLU, SGD lr 1e-3 momentum 0.8, batch 128)
//! fed four ways, side by side: batches assembled in line before each step (the
//! hand-written batching actlab had before it trained through Burn's loader), Burn's
//! `DataLoader` over the shuffled sample indices with `SplitBatcher` on one worker
//! thread (what `actlab train` does now) and on two, and Burn's `DataLoader` over the
//! MNIST-shaped `FashionMnistDataset` with `FashionMnistBatcher` (what another Burn
//! program would write). Rounds alternate them; medians are printed, and whether each
//! one-worker loader trained exactly as the in-line batches.
//!
//!     cargo run --release --example loader_speed [ROUNDS]

use std::time::Instant;

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::InMemDataset;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{GradientsParams, SgdConfig};
use burn::tensor::{Device, Int, Tensor};
use data::{
    FashionMnist, FashionMnistBatcher, FashionMnistDataset, InOrder, SplitBatcher, epoch_order,
};
use nets::SimpleNetwork;
use spec::{ActivationConfig, ActivationKind, ActivationSpec, NetworkConfig};

const BATCH: usize = 128;
const SEED: u64 = 7;

/// Where the batches come from.
#[derive(Clone, Copy, Debug)]
enum Feed {
    InLine,
    Indices { workers: usize },
    MnistItems,
}

/// Trains one epoch from the seed; returns its seconds and the final loss.
fn epoch(feed: Feed, data: &FashionMnist, dataset: &FashionMnistDataset) -> (f64, f32) {
    let device = Device::flex().autodiff();
    device.seed(SEED);
    let network = NetworkConfig::book(ActivationConfig::new(ActivationSpec::Builtin(
        ActivationKind::ReLU,
    )));
    let mut model = SimpleNetwork::new(&network, &device).expect("the book's network");
    let mut optimizer = SgdConfig::new()
        .with_momentum(Some(
            MomentumConfig::new().with_momentum(0.8).with_dampening(0.0),
        ))
        .init();
    let loss_fn = CrossEntropyLossConfig::new().init(&device);
    let order = epoch_order(data.train.len(), SEED, 0);
    let mut last = 0.0f32;
    let mut step = |model: SimpleNetwork, x: Tensor<2>, y: Tensor<1, Int>| -> SimpleNetwork {
        let loss = loss_fn.forward(model.forward(x), y);
        last = loss.clone().into_scalar();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        optimizer.step(1e-3, model, grads)
    };
    let start = Instant::now();
    match feed {
        Feed::InLine => {
            let batcher = SplitBatcher::new(data.train.clone());
            for chunk in order.chunks(BATCH) {
                let batch = batcher.batch(chunk.to_vec(), &device);
                model = step(model, batch.images, batch.targets);
            }
        }
        Feed::Indices { workers } => {
            let loader = DataLoaderBuilder::new(SplitBatcher::new(data.train.clone()))
                .batch_size(BATCH)
                .num_workers(workers)
                .set_device(device.clone())
                .build(InMemDataset::new(order));
            for batch in loader.iter() {
                let batch = batch.expect("samples batch");
                model = step(model, batch.images, batch.targets);
            }
        }
        Feed::MnistItems => {
            let loader = DataLoaderBuilder::new(FashionMnistBatcher)
                .batch_size(BATCH)
                .num_workers(1)
                .set_device(device.clone())
                .build(InOrder::new(dataset.clone(), order));
            for batch in loader.iter() {
                let batch = batch.expect("FashionMNIST items read");
                model = step(model, batch.images, batch.targets);
            }
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    drop(model.valid());
    (seconds, last)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let dir = data::locate(
        None,
        std::env::var_os(data::DATA_ENV)
            .as_deref()
            .map(std::path::Path::new),
    )
    .expect("FashionMNIST is installed (scripts/setup.sh)");
    let data = FashionMnist::load(&dir, true).expect("FashionMNIST reads");
    let dataset = FashionMnistDataset::new(data.train.clone());
    let feeds = [
        Feed::InLine,
        Feed::Indices { workers: 1 },
        Feed::Indices { workers: 2 },
        Feed::MnistItems,
    ];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); feeds.len()];
    let mut losses = vec![0.0f32; feeds.len()];
    // A warm-up epoch of each, untimed.
    for &feed in &feeds {
        epoch(feed, &data, &dataset);
    }
    for round in 0..rounds {
        for (i, &feed) in feeds.iter().enumerate() {
            let (seconds, loss) = epoch(feed, &data, &dataset);
            println!("round {round}: {feed:?}: {seconds:.3} s, last loss {loss}");
            times[i].push(seconds);
            losses[i] = loss;
        }
    }
    let own = median(times[0].clone());
    println!(
        "\nmedian of {rounds} epochs (load average before: {})",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    for (i, feed) in feeds.iter().enumerate() {
        let m = median(times[i].clone());
        println!("{feed:?}: {m:.3} s ({:.3} x in line)", m / own);
    }
    for i in [1, 3] {
        println!(
            "{:?} trained exactly as the in-line batches: {}",
            feeds[i],
            if losses[i] == losses[0] { "yes" } else { "no" }
        );
    }
}
