//! The convolutional front (`conv = [...]`, `spec::conv`): Burn's `Conv2d` and average
//! pooling, with the activation applied per channel. A convolution's output `[batch,
//! channels, side, side]` is laid out as rows `[batch · side · side, channels]` before
//! its normalisation and activation, so that a channel is to every activation, every
//! scope and every probe what a unit of a Linear layer is: one per-neuron parameter,
//! one BatchNorm2d statistic, one column of the dead-unit census.

use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::AvgPool2dConfig;
use burn::tensor::{Device, Tensor};
use spec::conv::{CONV_KERNEL, CONV_POOL, ConvShape};

use crate::network::{LayerTrace, SimpleNetwork, initializer};

/// The convolution of `shape`, drawn as [`crate::network`]'s Linear layers are: PyTorch's
/// default (weights and biases U(±1/√fan_in), fan_in = in_channels · 5 · 5) as Burn's
/// own, any other scheme's weights by Burn's initializer and biases 0.
pub(crate) fn conv_layer(
    shape: &ConvShape,
    init: spec::InitScheme,
    gain: f64,
    device: &Device,
) -> Conv2d {
    let config = Conv2dConfig::new(
        [shape.in_channels, shape.out_channels],
        [CONV_KERNEL, CONV_KERNEL],
    )
    .with_padding(PaddingConfig2d::Explicit(
        shape.padding,
        shape.padding,
        shape.padding,
        shape.padding,
    ));
    match initializer(init, gain) {
        None => config.init(device),
        Some(initializer) => {
            let mut layer = config
                .with_initializer(initializer)
                .with_bias(false)
                .init(device);
            layer.bias = Some(burn::nn::Initializer::Zeros.init([shape.out_channels], device));
            layer
        }
    }
}

/// Maps `[batch, channels, h, w]` as rows `[batch · h · w, channels]`.
pub fn maps_to_rows(maps: Tensor<4>) -> Tensor<2> {
    let [batch, channels, h, w] = maps.dims();
    maps.permute([0, 2, 3, 1])
        .reshape([batch * h * w, channels])
}

/// Rows `[batch · h · w, channels]` back as maps `[batch, channels, h, w]`.
pub fn rows_to_maps(rows: Tensor<2>, [batch, channels, h, w]: [usize; 4]) -> Tensor<4> {
    rows.reshape([batch, h, w, channels]).permute([0, 3, 1, 2])
}

impl SimpleNetwork {
    /// The images `[batch, side²]` as one-channel maps, through every convolution:
    /// the flattened maps the first Linear layer takes, with each convolution's trace.
    pub(crate) fn conv_front(&self, x: Tensor<2>, traces: &mut Vec<LayerTrace>) -> Tensor<2> {
        if self.conv.is_empty() {
            return x;
        }
        let [batch, features] = x.dims();
        let side = (features as f64).sqrt().round() as usize;
        let mut maps = x.reshape([batch, 1, side, side]);
        let pool = AvgPool2dConfig::new([CONV_POOL, CONV_POOL]).init();
        for (i, conv) in self.conv.iter().enumerate() {
            let z = conv.forward(maps);
            let dims = z.dims();
            let trace = self.activate(i, maps_to_rows(z), None);
            maps = pool.forward(rows_to_maps(trace.output.clone(), dims));
            traces.push(trace);
        }
        let [batch, channels, h, w] = maps.dims();
        maps.reshape([batch, channels * h * w])
    }
}
