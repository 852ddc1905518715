//! The convolutional front of a network: LeNet-5's, as d2l.ai trains it on FashionMNIST.
//! Each convolution has 5×5 kernels (the first padded by 2, so that a 28×28 image keeps its
//! size, the others unpadded), then the activation, then 2×2 average pooling with stride 2;
//! the last pooled maps are flattened, channel-major as `torch.nn.Flatten`, into the Linear
//! layers. `conv = [6, 16]` with `hidden = [120, 84]` is LeNet-5 (28 → 28 → 14 → 10 → 5:
//! 16 × 5 × 5 = 400 features).

use serde::{Deserialize, Serialize};

/// Side of every convolution's square kernel.
pub const CONV_KERNEL: usize = 5;
/// Side and stride of the average pooling after every convolution's activation.
pub const CONV_POOL: usize = 2;
/// Zero padding of the first convolution (the others have none).
pub const CONV_FIRST_PADDING: usize = 2;
/// Most convolutions a network may have.
pub const MAX_CONV_LAYERS: usize = 16;
/// Most channels a convolution may have.
pub const MAX_CHANNELS: usize = 4_096;

/// One convolution of the front, with the sizes it sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvShape {
    /// Input channels.
    pub in_channels: usize,
    /// Output channels (the activation's units, per channel).
    pub out_channels: usize,
    /// Zero padding on each side.
    pub padding: usize,
    /// Side of its (square) input maps.
    pub side_in: usize,
    /// Side of its output maps, where the activation applies.
    pub side_out: usize,
    /// Side of the maps after pooling.
    pub side_pooled: usize,
}

impl ConvShape {
    /// Multiply-adds of one sample's forward pass.
    pub fn macs(&self) -> u64 {
        (self.out_channels * self.side_out * self.side_out) as u64
            * (self.in_channels * CONV_KERNEL * CONV_KERNEL) as u64
    }

    /// Weights and biases.
    pub fn params(&self) -> usize {
        self.out_channels * self.in_channels * CONV_KERNEL * CONV_KERNEL + self.out_channels
    }

    /// Values the activation sees per sample (channels × positions).
    pub fn activations(&self) -> usize {
        self.out_channels * self.side_out * self.side_out
    }
}

/// The shapes of the convolutions `channels` on square one-channel images of `input`
/// pixels, or what is wrong with them (as the rest of a sentence naming `conv`).
pub fn conv_shapes(input: usize, channels: &[usize]) -> Result<Vec<ConvShape>, String> {
    if channels.len() > MAX_CONV_LAYERS {
        return Err(format!(
            "has {} layers; at most {MAX_CONV_LAYERS} are allowed",
            channels.len()
        ));
    }
    if let Some(i) = channels.iter().position(|&c| c == 0 || c > MAX_CHANNELS) {
        return Err(format!(
            "[{i}] is {}; a convolution needs 1 to {MAX_CHANNELS} channels",
            channels[i]
        ));
    }
    if channels.is_empty() {
        return Ok(Vec::new());
    }
    let side = (input as f64).sqrt().round() as usize;
    if side * side != input {
        return Err(format!(
            "needs square images, but the input has {input} features (not a square number); the images are 28×28 = 784"
        ));
    }
    let mut shapes = Vec::with_capacity(channels.len());
    let (mut in_channels, mut side_in) = (1, side);
    for (i, &out_channels) in channels.iter().enumerate() {
        let padding = if i == 0 { CONV_FIRST_PADDING } else { 0 };
        let padded = side_in + 2 * padding;
        if padded < CONV_KERNEL + CONV_POOL - 1 {
            return Err(format!(
                "has {} layers, but layer {i}'s maps are {side_in}×{side_in}, too small for a {CONV_KERNEL}×{CONV_KERNEL} kernel and {CONV_POOL}×{CONV_POOL} pooling; at most {i} fit {side}×{side} images",
                channels.len()
            ));
        }
        let side_out = padded - CONV_KERNEL + 1;
        let side_pooled = side_out / CONV_POOL;
        shapes.push(ConvShape {
            in_channels,
            out_channels,
            padding,
            side_in,
            side_out,
            side_pooled,
        });
        (in_channels, side_in) = (out_channels, side_pooled);
    }
    Ok(shapes)
}

/// Features the front hands to the first Linear layer.
pub fn flat_features(shapes: &[ConvShape]) -> Option<usize> {
    shapes
        .last()
        .map(|s| s.out_channels * s.side_pooled * s.side_pooled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenet_sizes_are_d2l_s() {
        let shapes = conv_shapes(784, &[6, 16]).unwrap();
        let sides: Vec<_> = shapes
            .iter()
            .map(|s| (s.side_in, s.side_out, s.side_pooled))
            .collect();
        assert_eq!(sides, [(28, 28, 14), (14, 10, 5)]);
        assert_eq!(flat_features(&shapes), Some(400));
        // PyTorch's LeNet: 1·6·25 + 6 and 6·16·25 + 16 parameters.
        assert_eq!(shapes[0].params() + shapes[1].params(), 156 + 2_416);
        assert_eq!(shapes[1].macs(), 16 * 100 * 150);
    }

    #[test]
    fn bad_fronts_are_refused_with_the_reason() {
        let too_deep = conv_shapes(784, &[6, 16, 8]).unwrap_err();
        assert!(too_deep.contains("at most 2 fit 28×28"), "{too_deep}");
        assert!(conv_shapes(780, &[6]).unwrap_err().contains("square"));
        assert!(
            conv_shapes(784, &[6, 0])
                .unwrap_err()
                .starts_with("[1] is 0")
        );
        assert_eq!(conv_shapes(780, &[]), Ok(Vec::new()));
    }
}
