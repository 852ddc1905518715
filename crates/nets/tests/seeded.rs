//! One initial state on every device (`SimpleNetwork::from_seed`): ndarray, with and
//! without autodiff, starts from the bits flex starts from. A test binary of its own:
//! Burn's random stream is global to the process, and tests drawing beside it in the same
//! process would interleave their draws with this one's.

use burn::module::Module;
use burn::module::{ModuleVisitor, Param};
use burn::tensor::TensorData;
use burn::tensor::{Device, Tensor};
use nets::SimpleNetwork;
use spec::NetworkConfig;
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
            let host = if device.is_autodiff() {
                Device::flex().autodiff()
            } else {
                Device::flex()
            };
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
