//! Any Burn program can train on actlab's FashionMNIST: a two-layer MLP written with
//! plain `burn::nn`, fed by Burn's own `DataLoaderBuilder` with this crate's dataset and
//! batcher. CI runs it (300 steps, a few seconds) so that the integration cannot rot.
//!
//!     cargo run --release --example burn_training [STEPS]
//!
//! (no `-p data`: from the workspace, it shares the workspace's build of Burn)

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataset::Dataset;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{Linear, LinearConfig, Relu};
use burn::optim::{GradientsParams, SgdConfig};
use burn::tensor::{Device, Tensor};
use data::{FashionMnistBatcher, FashionMnistDataset};

#[derive(Module, Debug)]
struct Mlp {
    hidden: Linear,
    output: Linear,
    relu: Relu,
}

impl Mlp {
    fn new(device: &Device) -> Self {
        Self {
            hidden: LinearConfig::new(784, 128).init(device),
            output: LinearConfig::new(128, 10).init(device),
            relu: Relu::new(),
        }
    }

    fn forward(&self, images: Tensor<2>) -> Tensor<2> {
        self.output
            .forward(self.relu.forward(self.hidden.forward(images)))
    }
}

fn fail(e: &dyn std::fmt::Display) -> ! {
    eprintln!("burn_training: {e}");
    std::process::exit(2);
}

fn main() {
    let steps: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let (train, test) = FashionMnistDataset::splits(None).unwrap_or_else(|e| fail(&e));
    println!(
        "FashionMNIST: {} training and {} test images",
        train.len(),
        test.len()
    );
    let device = Device::flex();
    let training = device.clone().autodiff();
    training.seed(7);
    let loader = DataLoaderBuilder::new(FashionMnistBatcher)
        .batch_size(64)
        .shuffle(7)
        .num_workers(2)
        .set_device(training.clone())
        .build(train);
    let mut model = Mlp::new(&training);
    let mut optimizer = SgdConfig::new().init();
    let loss_fn = CrossEntropyLossConfig::new().init(&training);
    for (step, batch) in loader.iter().take(steps).enumerate() {
        let batch = batch.unwrap_or_else(|e| fail(&e));
        let loss = loss_fn.forward(model.forward(batch.images), batch.targets);
        if step % 100 == 0 {
            let value: f32 = loss.clone().into_scalar();
            println!("step {step}: loss {value:.4}");
        }
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optimizer.step(0.1, model, grads);
    }
    let model = model.valid();
    let test_loader = DataLoaderBuilder::new(FashionMnistBatcher)
        .batch_size(1000)
        .set_device(device)
        .build(test);
    let (mut correct, mut total) = (0usize, 0usize);
    for batch in test_loader.iter() {
        let batch = batch.unwrap_or_else(|e| fail(&e));
        let [n] = batch.targets.dims();
        let hits: i64 = model
            .forward(batch.images)
            .argmax(1)
            .reshape([n])
            .equal(batch.targets)
            .int()
            .sum()
            .into_scalar();
        correct += hits as usize;
        total += n;
    }
    let accuracy = correct as f64 / total as f64;
    println!(
        "test accuracy after {steps} steps: {:.2}%",
        accuracy * 100.0
    );
    if accuracy < 0.6 {
        eprintln!(
            "burn_training: accuracy {:.2}% is below 60%: the dataset or batcher is wrong",
            accuracy * 100.0
        );
        std::process::exit(1);
    }
}
