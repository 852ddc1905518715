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

use burn::backend::DispatchDevice;
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

/// Whether `device` is the host itself (Flex, with or without autodiff).
pub fn draws_on_the_host(device: &Device) -> bool {
    matches!(
        device.clone().inner().as_dispatch(),
        DispatchDevice::Flex(_)
    )
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
        if draws_on_the_host(device) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use burn::module::{ModuleVisitor, Param};
    use burn::tensor::TensorData;
    use spec::{ActivationConfig, InitScheme};

    /// Every float parameter's bits, in visiting order.
    #[derive(Default)]
    struct Bits(Vec<u32>);

    impl ModuleVisitor for Bits {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let values = param.val().into_data().convert::<f32>();
            let values = values.try_to_vec::<f32>().expect("float32 parameters");
            self.0.extend(values.iter().map(|v| v.to_bits()));
        }
    }

    /// The initial state of the book's network with `activation` and `init` on `device`
    /// at `seed`, after a first pass of 32 rows (which draws what is still lazy).
    fn drawn(activation: &str, init: InitScheme, seed: u64, device: &Device) -> Vec<u32> {
        let mut config = NetworkConfig::book(ActivationConfig::new(
            activation.parse::<spec::ActivationKind>().unwrap(),
        ));
        config.init = init;
        let input = config.input;
        // Images that are the same on every device (LSUV measures on them).
        let images = |n: usize, device: &Device| {
            let values = (0..n * input).map(|i| ((i as f32) * 0.37).sin().abs());
            Tensor::from_data(
                TensorData::new(values.collect::<Vec<_>>(), [n, input]),
                device,
            )
        };
        let network = SimpleNetwork::from_seed(&config, seed, device, 32, images).unwrap();
        network.draw_as_a_first_pass([32, input], device);
        let mut bits = Bits::default();
        network.visit(&mut bits);
        bits.0
    }

    #[test]
    #[allow(deprecated)] // NdArray is the second CPU backend this build has
    fn every_device_starts_from_the_hosts_bits() {
        let cases = [
            ("ReLU", InitScheme::Pytorch),
            ("STAF", InitScheme::Pytorch),
            ("RReLU", InitScheme::Pytorch),
            ("GELU", InitScheme::Orthogonal),
            ("Tanh", InitScheme::Lsuv),
        ];
        for (activation, init) in cases {
            // With autodiff a first pass draws RReLU's slopes between the weights, so
            // each device is held to the host with autodiff as it has it.
            for device in [Device::ndarray().autodiff(), Device::ndarray()] {
                let host = host_for(&device);
                let expected = drawn(activation, init, 11, &host);
                assert_ne!(
                    expected,
                    drawn(activation, init, 12, &host),
                    "{activation} {init:?}: the seed must reach the draw"
                );
                let got = drawn(activation, init, 11, &device);
                assert_eq!(got.len(), expected.len(), "{activation} {init:?}");
                let differing = got.iter().zip(&expected).filter(|(a, b)| a != b).count();
                assert_eq!(
                    differing,
                    0,
                    "{activation} {init:?} on {device:?}: {differing} of {} initial values differ from the host's",
                    expected.len()
                );
            }
        }
    }
}
