//! The convolutional front (`conv = [...]`, `spec::conv`): Burn's `Conv2d` and average
//! pooling, with the activation applied per channel. A convolution's output `[batch,
//! channels, side, side]` is laid out as rows `[batch · side · side, channels]` before
//! its normalisation and activation, so that a channel is to every activation, every
//! scope and every probe what a unit of a Linear layer is: one per-neuron parameter,
//! one BatchNorm2d statistic, one column of the dead-unit census.

mod ops;

use burn::backend::Dispatch;
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::AvgPool2dConfig;
use burn::tensor::{Device, Tensor};
use spec::conv::{CONV_KERNEL, CONV_POOL, ConvShape};

use crate::network::{LayerTrace, SimpleNetwork, initializer};
use ops::ConvOps;

/// The convolution of `shape`, drawn as [`crate::network`]'s Linear layers are: PyTorch's
/// default (weights and biases U(±1/√fan_in), fan_in = in_channels · 5 · 5) as Burn's
/// own, any other scheme's weights by Burn's initializer and biases 0.
fn conv_layer(shape: &ConvShape, init: spec::InitScheme, gain: f64, device: &Device) -> Conv2d {
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

/// Most samples [`SimpleNetwork::conv_front`] passes at once when nothing is
/// differentiated.
const PIECE: usize = 64;

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
    /// The convolutions of `shapes`, drawn by `init` with `gain` ([`conv_layer`]).
    pub(crate) fn conv_layers(
        shapes: &[ConvShape],
        init: spec::InitScheme,
        gain: f64,
        device: &Device,
    ) -> Vec<Conv2d> {
        shapes
            .iter()
            .map(|shape| conv_layer(shape, init, gain, device))
            .collect()
    }

    /// The images `[batch, side²]` as one-channel maps, through every convolution:
    /// the flattened maps the first Linear layer takes, with each convolution's trace.
    pub(crate) fn conv_front(&self, x: Tensor<2>, traces: &mut Vec<LayerTrace>) -> Tensor<2> {
        if self.conv.is_empty() {
            return x;
        }
        if acts::fused_kernels_apply(&x) {
            return self.conv_front_in_pieces(x, traces);
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

    /// [`Self::conv_front_fixed_order`] on pieces of at most [`PIECE`] samples when
    /// nothing is differentiated (evaluation, probes): a piece's patches stay in the
    /// cache, where a batch of 1,000 images' (78 MB for LeNet's first convolution) would
    /// be written and read from memory. Every value is computed from its own sample
    /// alone, so the pieces give the same bits as one pass.
    fn conv_front_in_pieces(&self, x: Tensor<2>, traces: &mut Vec<LayerTrace>) -> Tensor<2> {
        let [batch, features] = x.dims();
        if x.is_autodiff() || batch <= PIECE {
            return self.conv_front_fixed_order(x, traces);
        }
        let mut outputs = Vec::new();
        let mut pieces: Vec<Vec<LayerTrace>> = Vec::new();
        for start in (0..batch).step_by(PIECE) {
            let piece = x
                .clone()
                .slice([start..(start + PIECE).min(batch), 0..features]);
            let mut piece_traces = Vec::new();
            outputs.push(self.conv_front_fixed_order(piece, &mut piece_traces));
            pieces.push(piece_traces);
        }
        for layer in 0..self.conv.len() {
            let join = |field: fn(&LayerTrace) -> &Tensor<2>| {
                Tensor::cat(pieces.iter().map(|p| field(&p[layer]).clone()).collect(), 0)
            };
            traces.push(LayerTrace {
                pre_activation: join(|t| &t.pre_activation),
                activated: join(|t| &t.activated),
                output: join(|t| &t.output),
            });
        }
        Tensor::cat(outputs, 0)
    }

    /// [`SimpleNetwork::conv_front`] on the CPU in float32: patches of channels-last maps
    /// times the weights by `dense`'s machine-free product, pooled by `ops` (a sum order
    /// fixed here). The convolution's output rows are the activation's rows as they are,
    /// so nothing is transposed but the last maps, to PyTorch's channel-major flattening.
    fn conv_front_fixed_order(&self, x: Tensor<2>, traces: &mut Vec<LayerTrace>) -> Tensor<2> {
        let [batch, features] = x.dims();
        let side = (features as f64).sqrt().round() as usize;
        let mut maps: Tensor<4> = x.reshape([batch, side, side, 1]);
        for (i, conv) in self.conv.iter().enumerate() {
            let [out_channels, in_channels, kernel, _] = conv.weight.dims();
            let padding = match conv.padding {
                PaddingConfig2d::Explicit(top, ..) => top,
                _ => 0,
            };
            let side_in = maps.dims()[1];
            let side_out = side_in + 2 * padding + 1 - kernel;
            let patches: Tensor<2> = Tensor::from_dispatch(<Dispatch as ConvOps>::patches(
                maps.into_dispatch(),
                kernel,
                padding,
            ));
            // [out, in, ky, kx] as rows (ky, kx, in) of columns out: the patches' order.
            let weight = conv
                .weight
                .val()
                .permute([2, 3, 1, 0])
                .reshape([kernel * kernel * in_channels, out_channels]);
            let bias = conv.bias.as_ref().expect("convolutions have biases").val();
            let z = crate::dense::affine(patches, weight, bias);
            let trace = self.activate(i, z, None);
            let output = trace
                .output
                .clone()
                .reshape([batch, side_out, side_out, out_channels]);
            maps = Tensor::from_dispatch(<Dispatch as ConvOps>::pool(output.into_dispatch()));
            traces.push(trace);
        }
        let [batch, h, w, channels] = maps.dims();
        maps.permute([0, 3, 1, 2])
            .reshape([batch, channels * h * w])
    }
}
