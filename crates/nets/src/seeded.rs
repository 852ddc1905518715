//! One initial state on every device: a network drawn from a seed on the host and
//! handed to the device it will run on.
//!
//! Each Burn backend has its own random stream: Flex and NdArray draw with a `StdRng`
//! through `TensorData::random`, wgpu with a generator on the GPU, so one seed gave each
//! device other weights, and a run on wgpu could not be told apart from its flex twin by
//! numerics or by the draw. Here the draw always happens on the host, the Flex CPU
//! device, and the drawn tensors are copied to the run's device; on Flex itself nothing
//! moves and Burn's lazy draws stay where they always were, so no flex record changes.
//! Orthogonal initialisation (a QR on the drawing device) and LSUV's rescaling (measured
//! on data) run on the host too, so their bits do not depend on the device either.

use burn::module::Module;
use burn::tensor::{Device, Tensor};
use spec::{NetError, NetworkConfig};

use crate::SimpleNetwork;

/// The device every initial state is drawn on: Flex, as `device` is (with or without
/// autodiff), so that the first pass draws what a training pass there would.
fn host_for(device: &Device) -> Device {
    let host = Device::flex();
    if device.is_autodiff() {
        host.autodiff()
    } else {
        host
    }
}

impl SimpleNetwork {
    /// The network a run starts from at `seed` ([`SimpleNetwork::initialised`]), the same
    /// bits on every device. `images(n, device)` gives the first `n` training images on
    /// `device` (for LSUV). `first_rows` is the row count of the first pass the caller
    /// will make: on another device than the host, the weights are drawn by a pass of
    /// zeros of that shape on the host, which draws what that pass would on the host
    /// itself (RReLU's slopes interleave with the weights' lazy draws). `device` is then
    /// seeded with `seed` too, so that what it draws later (RReLU's slopes) is still a
    /// function of the seed, though of its own stream.
    pub fn from_seed(
        config: &NetworkConfig,
        seed: u64,
        device: &Device,
        first_rows: usize,
        images: impl FnOnce(usize, &Device) -> Tensor<2>,
    ) -> Result<Self, NetError> {
        if acts::is_flex(device) {
            device.seed(seed);
            return Self::initialised(config, device, |n| images(n, device));
        }
        let host = host_for(device);
        host.seed(seed);
        let network = Self::initialised(config, &host, |n| images(n, &host))?;
        network.draw_as_a_first_pass([first_rows.max(1), config.input], &host);
        device.seed(seed);
        Ok(network.fork(device))
    }

    /// Draws what Burn draws lazily at the network's first pass (its weights, and on an
    /// autodiff device RReLU's slopes), as a pass of a batch of `shape` would: a pass of
    /// zeros.
    pub fn draw_as_a_first_pass(&self, shape: [usize; 2], device: &Device) {
        let _ = self.forward(Tensor::zeros(shape, device));
    }
}
