//! Each initialisation scheme draws what its formula says: the weights' mean, spread and
//! range on a 400 → 300 layer over ten draws within sampling error of the formula, the
//! formula equal to what `torch.nn.init` draws for the same fans (the fixture of
//! scripts/check-init-pytorch.sh), the gains `torch.nn.init.calculate_gain` gives, biases
//! 0 except under PyTorch's default, orthogonal weights orthogonal.

use burn::tensor::{Device, Tensor};
use nets::SimpleNetwork;
use spec::{ActivationConfig, ActivationKind, InitScheme, NetworkConfig, activation_gain};

const FIXTURE: &str = include_str!("fixtures/torch-init.json");
const DRAWS: u64 = 10;

fn fixture() -> serde_json::Value {
    serde_json::from_str(FIXTURE).unwrap()
}

fn network(init: InitScheme, kind: ActivationKind) -> NetworkConfig {
    NetworkConfig::book(ActivationConfig::new(kind))
        .with_hidden(vec![300])
        .with_init(init)
}

/// The first layer's weights and biases of `DRAWS` networks, as f64.
fn drawn(init: InitScheme) -> (Vec<f64>, Vec<f64>) {
    let mut config = network(init, ActivationKind::ReLU);
    config.input = 400;
    let device = Device::flex();
    let (mut weights, mut biases) = (Vec::new(), Vec::new());
    for seed in 0..DRAWS {
        device.seed(seed);
        let net = SimpleNetwork::new(&config, &device).unwrap();
        let layer = &net.hidden[0];
        weights.extend(values(layer.weight.val()));
        biases.extend(values(layer.bias.as_ref().unwrap().val()));
    }
    (weights, biases)
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f64> {
    let data = t.into_data().try_to_vec::<f32>().unwrap();
    data.into_iter().map(f64::from).collect()
}

fn mean_std(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

#[test]
fn every_scheme_draws_its_formula_and_torch_draws_the_same() {
    let fixture = fixture();
    let gain = activation_gain(Some(&ActivationConfig::new(ActivationKind::ReLU)));
    for &init in InitScheme::ALL {
        let (weights, biases) = drawn(init);
        let n = weights.len() as f64;
        let formula = init.weight_std(400, 300, gain);
        let (mean, std) = mean_std(&weights);
        // Five standard errors: of a mean, σ/√n; of a standard deviation, at most σ/√n
        // relative (σ/√(2n) for a normal sample, less for a uniform one).
        assert!(mean.abs() < 5.0 * formula / n.sqrt(), "{init}: mean {mean}");
        assert!(
            (std / formula - 1.0).abs() < 5.0 / n.sqrt(),
            "{init}: std {std}, the formula {formula}"
        );
        // LSUV's draw is the orthogonal one before the data rescale it (tested below);
        // torch.nn.init has no LSUV.
        if init.is_data_dependent() {
            continue;
        }
        let torch = &fixture["schemes"][init.name()];
        let torch_std = torch["std"].as_f64().unwrap();
        let torch_n = torch["n"].as_f64().unwrap();
        assert!(
            (torch_std / formula - 1.0).abs() < 5.0 / torch_n.sqrt(),
            "{init}: torch.nn.init draws std {torch_std}, the formula says {formula}"
        );
        // Uniform schemes stay inside ±√3 σ and reach near it; normal ones go beyond.
        let largest = weights.iter().fold(0f64, |m, w| m.max(w.abs()));
        let bound = 3f64.sqrt() * formula;
        let uniform = matches!(
            init,
            InitScheme::Pytorch
                | InitScheme::HeUniform
                | InitScheme::HeUniformFanOut
                | InitScheme::XavierUniform
        );
        if uniform {
            assert!(
                largest <= bound * (1.0 + 1e-6) && largest > 0.999 * bound,
                "{init}: largest |w| {largest}, bound {bound}"
            );
            let torch_max = torch["max_abs"].as_f64().unwrap();
            assert!(
                (torch_max / bound - 1.0).abs() < 1e-3,
                "{init}: torch's bound {torch_max}"
            );
        } else if init != InitScheme::Orthogonal {
            assert!(
                largest > 4.0 * formula,
                "{init}: largest |w| {largest} is not a normal tail"
            );
        }
        // PyTorch's default draws biases U(±1/√fan_in); every other scheme sets them to 0.
        let largest_bias = biases.iter().fold(0f64, |m, b| m.max(b.abs()));
        if init == InitScheme::Pytorch {
            assert!(
                largest_bias <= 1.0 / 20.0 && largest_bias > 0.04,
                "{largest_bias}"
            );
        } else {
            assert_eq!(largest_bias, 0.0, "{init}: biases are not 0");
        }
    }
}

#[test]
fn gains_are_torchs_and_orthogonal_weights_are_orthogonal() {
    let fixture = fixture();
    for (name, kind) in [
        ("ReLU", ActivationKind::ReLU),
        ("LeakyReLU", ActivationKind::LeakyReLU),
        ("Tanh", ActivationKind::Tanh),
        ("SELU", ActivationKind::SELU),
        ("Sigmoid", ActivationKind::Sigmoid),
    ] {
        let ours = activation_gain(Some(&ActivationConfig::new(kind)));
        let torch = fixture["gains"][name].as_f64().unwrap();
        assert!(
            (ours - torch).abs() < 1e-12,
            "{name}: {ours} against torch's {torch}"
        );
    }
    assert_eq!(
        activation_gain(None),
        fixture["gains"]["linear"].as_f64().unwrap()
    );
    // Burn stores a Linear weight as [fan_in, fan_out] = [400, 300]: its 300 columns are
    // orthogonal, each of squared norm gain².
    let mut config = network(InitScheme::Orthogonal, ActivationKind::Tanh);
    config.input = 400;
    let device = Device::flex();
    device.seed(1);
    let net = SimpleNetwork::new(&config, &device).unwrap();
    let w = values(net.hidden[0].weight.val());
    let gain2 = (5.0f64 / 3.0).powi(2);
    let w = &w;
    let column = |j: usize| (0..400).map(move |i| w[i * 300 + j]);
    for (a, b) in [(0, 0), (0, 1), (17, 17), (17, 299), (150, 151)] {
        let dot: f64 = column(a).zip(column(b)).map(|(x, y)| x * y).sum();
        let want = if a == b { gain2 } else { 0.0 };
        assert!((dot - want).abs() < 1e-4 * gain2, "columns {a}, {b}: {dot}");
    }
    // The output layer, which no activation follows, takes gain 1: He normal there is
    // N(0, 1/fan_in).
    let mut config = network(InitScheme::HeNormal, ActivationKind::ReLU);
    config.input = 400;
    device.seed(2);
    let net = SimpleNetwork::new(&config, &device).unwrap();
    let out = values(net.output.weight.val());
    let (_, std) = mean_std(&out);
    let formula = InitScheme::HeNormal.weight_std(300, 10, 1.0);
    assert!(
        (std / formula - 1.0).abs() < 5.0 / (out.len() as f64).sqrt(),
        "{std} vs {formula}"
    );
}

#[test]
fn a_gated_network_refuses_another_scheme() {
    let config =
        network(InitScheme::HeNormal, ActivationKind::SiLU).with_layer(spec::LayerKind::Glu);
    let err = SimpleNetwork::new(&config, &Device::flex()).unwrap_err();
    assert!(
        err.to_string()
            .contains("a gated network draws its own weights"),
        "{err}"
    );
}

/// LSUV: every Linear layer's outputs on the batch end with variance 1 within the
/// tolerance, layer by layer on the rescaled layers before it; the weights stay
/// orthogonal (only scaled), the biases 0, and the network is a function of the seed and
/// the images alone.
#[test]
fn lsuv_gives_every_layer_unit_variance_on_its_batch() {
    let config = NetworkConfig::book(ActivationConfig::new(ActivationKind::Tanh))
        .with_hidden(vec![64, 32])
        .with_init(InitScheme::Lsuv);
    let device = Device::flex();
    device.seed(3);
    // Images of pixel-like scale (mean 0.3, most of the mass in [0, 1]).
    let images = Tensor::<2>::random(
        [nets::LSUV_BATCH, 784],
        burn::tensor::Distribution::Normal(0.3, 0.4),
        &device,
    );
    // The tests of this file run side by side on one global random stream: the weights
    // before the rescale are read from the network itself, not from a second draw.
    device.seed(1);
    let mut net = SimpleNetwork::new(&config, &device).unwrap();
    net.initialise_in_forward_order();
    let before: Vec<Vec<f64>> = (0..2).map(|i| values(net.hidden[i].weight.val())).collect();
    let copy = net.clone();
    let reached = net.lsuv(images.clone());

    assert_eq!(reached.len(), 3, "two hidden layers and the output layer");
    let (logits, hidden) = net.forward_traced(images.clone());
    let variance = |t: Tensor<2>| {
        let v = values(t);
        let (_, std) = mean_std(&v);
        std * std
    };
    for (i, layer) in hidden.into_iter().enumerate() {
        let var = variance(layer.pre_activation);
        assert!(
            (var - 1.0).abs() < nets::LSUV_TOLERANCE,
            "layer {i}: variance {var}"
        );
        assert!(
            (var - reached[i]).abs() < 1e-3,
            "layer {i}: {var} vs {}",
            reached[i]
        );
        // Only scaled: the drawn orthogonal weights times one factor.
        let after = values(net.hidden[i].weight.val());
        let ratio = after[0] / before[i][0];
        assert!(ratio != 1.0, "layer {i} was not rescaled");
        for (k, (a, b)) in after.iter().zip(&before[i]).enumerate() {
            // A few float32 roundings (one per rescaling) apart at most.
            let want = b * ratio;
            assert!(
                (a - want).abs() <= 1e-6 * want.abs() + 1e-12,
                "layer {i}: {a} vs {want} at {k}"
            );
        }
        let biases = values(net.hidden[i].bias.as_ref().unwrap().val());
        assert!(biases.iter().all(|&b| b == 0.0));
    }
    assert!((variance(logits) - 1.0).abs() < nets::LSUV_TOLERANCE);
    // The same weights and images give the same network.
    let mut again = copy;
    assert_eq!(again.lsuv(images.clone()), reached);
    assert_eq!(
        values(again.output.weight.val()),
        values(net.output.weight.val())
    );
    // The builder asks for LSUV's batch, and only for a data-dependent scheme.
    let mut asked = Vec::new();
    SimpleNetwork::initialised(&config, &device, |n| {
        asked.push(n);
        images.clone()
    })
    .unwrap();
    SimpleNetwork::initialised(
        &config.clone().with_init(InitScheme::Orthogonal),
        &device,
        |n| {
            asked.push(n);
            images.clone()
        },
    )
    .unwrap();
    assert_eq!(asked, [nets::LSUV_BATCH]);
}
