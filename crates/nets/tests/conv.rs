//! The convolutional network (`conv = [...]`): its forward pass equals a direct float64
//! computation of convolution, per-channel activation, pooling, flattening and Linear
//! layers; every activated layer's trace is per channel; its initialisation follows
//! the schemes' formulas with a convolution's fans.

use burn::module::Module;
use burn::tensor::{Device, Distribution, Tensor};
use nets::SimpleNetwork;
use spec::conv::CONV_KERNEL;
use spec::{ActivationConfig, ActivationKind, InitScheme, NetworkConfig, Scope, activation_gain};

fn values<const D: usize>(t: Tensor<D>) -> Vec<f64> {
    let data = t.into_data().try_to_vec::<f32>().unwrap();
    data.into_iter().map(f64::from).collect()
}

/// One convolution (5×5, `padding`), PReLU with one slope per channel, 2×2 average
/// pooling, in float64: `input` is `[channels][side][side]`.
fn conv_block(
    input: &[Vec<Vec<f64>>],
    weight: &[f64],
    bias: &[f64],
    slopes: &[f64],
    padding: usize,
) -> Vec<Vec<Vec<f64>>> {
    let (cin, side) = (input.len(), input[0].len());
    let out_side = side + 2 * padding - CONV_KERNEL + 1;
    let at = |c: usize, y: isize, x: isize| {
        let p = padding as isize;
        let (y, x) = (y - p, x - p);
        if y < 0 || x < 0 || y >= side as isize || x >= side as isize {
            0.0
        } else {
            input[c][y as usize][x as usize]
        }
    };
    let k = CONV_KERNEL;
    (0..bias.len())
        .map(|o| {
            let activated: Vec<Vec<f64>> = (0..out_side)
                .map(|y| {
                    (0..out_side)
                        .map(|x| {
                            let mut z = bias[o];
                            for c in 0..cin {
                                for ky in 0..k {
                                    for kx in 0..k {
                                        let w = weight[((o * cin + c) * k + ky) * k + kx];
                                        z += w * at(c, (y + ky) as isize, (x + kx) as isize);
                                    }
                                }
                            }
                            if z > 0.0 { z } else { slopes[o] * z }
                        })
                        .collect()
                })
                .collect();
            (0..out_side / 2)
                .map(|y| {
                    (0..out_side / 2)
                        .map(|x| {
                            (activated[2 * y][2 * x]
                                + activated[2 * y][2 * x + 1]
                                + activated[2 * y + 1][2 * x]
                                + activated[2 * y + 1][2 * x + 1])
                                / 4.0
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

#[test]
fn forward_is_convolution_per_channel_activation_pooling_and_linear_layers() {
    let device = Device::flex();
    device.seed(3);
    let config = NetworkConfig::book(
        ActivationConfig::new(ActivationKind::PReLU).with_scope(Scope::PerNeuron),
    )
    .with_conv(vec![3, 4])
    .with_hidden(vec![8]);
    let mut net = SimpleNetwork::new(&config, &device).unwrap();
    // Distinct slopes per channel and unit, so that a channel mixed up shows.
    for (layer, module) in net.activations.iter_mut().enumerate() {
        let units = module.params()[0].1.dims()[0];
        let slopes: Vec<f64> = (0..units)
            .map(|u| 0.05 * (u + layer) as f64 - 0.1)
            .collect();
        *module = module.clone().with_param_values(&[slopes]).unwrap();
    }
    let x = Tensor::<2>::random([2, 784], Distribution::Normal(0.0, 1.0), &device);
    let (logits, traces) = net.forward_traced(x.clone());
    assert_eq!(logits.dims(), [2, 10]);
    let rows: Vec<[usize; 2]> = traces.iter().map(|t| t.output.dims()).collect();
    assert_eq!(rows, [[2 * 28 * 28, 3], [2 * 10 * 10, 4], [2, 8]]);
    assert_eq!(net.layer_widths(), [3, 4, 8]);

    let slopes: Vec<Vec<f64>> = net
        .activations
        .iter()
        .map(|m| values(m.params()[0].1.clone()))
        .collect();
    let images = values(x);
    let got = values(logits);
    for sample in 0..2 {
        let image: Vec<Vec<f64>> = (0..28)
            .map(|y| images[sample * 784 + y * 28..sample * 784 + y * 28 + 28].to_vec())
            .collect();
        let mut maps = vec![image];
        for (i, conv) in net.conv.iter().enumerate() {
            let weight = values(conv.weight.val());
            let bias = values(conv.bias.as_ref().unwrap().val());
            maps = conv_block(&maps, &weight, &bias, &slopes[i], [2, 0][i]);
        }
        // Flattened channel-major, as torch.nn.Flatten.
        let mut h: Vec<f64> = maps.into_iter().flatten().flatten().collect();
        assert_eq!(h.len(), 4 * 5 * 5);
        let layers = net.hidden.iter().chain([&net.output]);
        for (j, layer) in layers.enumerate() {
            let [fan_in, fan_out] = layer.weight.dims();
            let w = values(layer.weight.val());
            let b = values(layer.bias.as_ref().unwrap().val());
            h = (0..fan_out)
                .map(|o| {
                    let z = b[o] + (0..fan_in).map(|i| h[i] * w[i * fan_out + o]).sum::<f64>();
                    match j < net.hidden.len() {
                        true if z <= 0.0 => slopes[2 + j][o] * z,
                        _ => z,
                    }
                })
                .collect();
        }
        for (o, want) in h.iter().enumerate() {
            let have = got[sample * 10 + o];
            assert!(
                (have - want).abs() < 1e-5 * want.abs().max(1.0),
                "sample {sample} logit {o}: {have} vs {want}"
            );
        }
    }
}

/// Every scheme draws a convolution's weights with PyTorch's fans (channels × 5 × 5):
/// the second convolution of `conv = [16, 12]` has fan_in 400 and fan_out 300.
#[test]
fn convolutions_draw_each_scheme_with_torchs_fans() {
    let device = Device::flex();
    let gain = activation_gain(Some(&ActivationConfig::new(ActivationKind::ReLU)));
    for &init in InitScheme::ALL {
        if init.is_data_dependent() {
            let config = NetworkConfig::book(ActivationConfig::new(ActivationKind::ReLU))
                .with_conv(vec![16, 12])
                .with_init(init);
            assert!(
                SimpleNetwork::new(&config, &device).is_err(),
                "LSUV is refused"
            );
            continue;
        }
        let config = NetworkConfig::book(ActivationConfig::new(ActivationKind::ReLU))
            .with_conv(vec![16, 12])
            .with_hidden(vec![10])
            .with_init(init);
        let mut weights = Vec::new();
        for seed in 0..20 {
            device.seed(seed);
            let net = SimpleNetwork::new(&config, &device).unwrap();
            assert_eq!(net.conv[1].weight.dims(), [12, 16, 5, 5]);
            weights.extend(values(net.conv[1].weight.val()));
        }
        let n = weights.len() as f64;
        let mean = weights.iter().sum::<f64>() / n;
        let std = (weights.iter().map(|w| (w - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let formula = init.weight_std(400, 300, gain);
        assert!(mean.abs() < 5.0 * formula / n.sqrt(), "{init}: mean {mean}");
        assert!(
            (std / formula - 1.0).abs() < 5.0 / n.sqrt(),
            "{init}: std {std}, the formula {formula}"
        );
    }
}

/// The parameter count is PyTorch's LeNet-5's (61,706), and a gradient reaches every
/// convolution's weights through the pooling and the per-channel activation.
#[test]
fn lenet_has_torchs_parameters_and_trains_its_convolutions() {
    let device = Device::flex().autodiff();
    let config = NetworkConfig::book(ActivationConfig::new(ActivationKind::TeLU))
        .with_conv(NetworkConfig::LENET_CONV.to_vec())
        .with_hidden(NetworkConfig::LENET_HIDDEN.to_vec());
    let net = SimpleNetwork::new(&config, &device).unwrap();
    assert_eq!(net.trainable_params(), 61_706 + 1);
    assert_eq!(
        nets::Summary::of(&config).total_params,
        net.trainable_params()
    );
    let x = Tensor::<2>::random([4, 784], Distribution::Normal(0.0, 1.0), &device);
    let grads = net.forward(x).powi_scalar(2).sum().backward();
    for (i, conv) in net.conv.iter().enumerate() {
        let g = values(conv.weight.val().grad(&grads).unwrap());
        assert!(
            g.iter().any(|v| *v != 0.0),
            "convolution {i} gets no gradient"
        );
    }
}

/// The CPU path's gradients (patches, pooling and products in actlab's fixed order)
/// equal those of the same network composed of Burn's own Conv2d, AvgPool2d and Linear,
/// to float32 rounding: the backward passes of `conv::ops` are the convolution's.
#[test]
fn fixed_order_gradients_equal_burns_composed_ones() {
    use burn::nn::pool::AvgPool2dConfig;
    use nets::conv::{maps_to_rows, rows_to_maps};
    let device = Device::flex().autodiff();
    device.seed(5);
    let config = NetworkConfig::book(
        ActivationConfig::new(ActivationKind::PReLU).with_scope(Scope::PerNeuron),
    )
    .with_conv(vec![3, 4])
    .with_hidden(vec![8]);
    let net = SimpleNetwork::new(&config, &device).unwrap();
    let x = Tensor::<2>::random([6, 784], Distribution::Normal(0.0, 1.0), &device);
    let ours = net.forward(x.clone()).powi_scalar(2).sum().backward();

    let pool = AvgPool2dConfig::new([2, 2]).init();
    let mut maps = x.reshape([6, 1, 28, 28]);
    for (i, conv) in net.conv.iter().enumerate() {
        let z = conv.forward(maps);
        let dims = z.dims();
        let act = net.activation(i).unwrap().forward(maps_to_rows(z));
        maps = pool.forward(rows_to_maps(act, dims));
    }
    let mut h = maps.reshape([6, 4 * 5 * 5]);
    h = net.activation(2).unwrap().forward(net.hidden[0].forward(h));
    let theirs = net.output.forward(h).powi_scalar(2).sum().backward();

    let grads = |g: &burn::tensor::Gradients| {
        let mut all = Vec::new();
        for conv in &net.conv {
            all.push(values(conv.weight.val().grad(g).unwrap()));
            all.push(values(conv.bias.as_ref().unwrap().val().grad(g).unwrap()));
        }
        all.push(values(net.hidden[0].weight.val().grad(g).unwrap()));
        all
    };
    for (i, (a, b)) in grads(&ours).iter().zip(grads(&theirs)).enumerate() {
        let scale = b.iter().fold(0f64, |m, v| m.max(v.abs()));
        assert!(scale > 0.0, "tensor {i} has a gradient");
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() <= 1e-4 * scale, "tensor {i}: {x} vs {y}");
        }
    }
}

/// Evaluation passes large batches in pieces of samples; training (autodiff) in one:
/// the logits and every trace are the same bits either way.
#[test]
fn pieces_give_the_bits_of_one_pass() {
    let config = NetworkConfig::book(ActivationConfig::new(ActivationKind::TeLU))
        .with_conv(vec![3, 4])
        .with_hidden(vec![8]);
    let plain = Device::flex();
    plain.seed(8);
    let net = SimpleNetwork::new(&config, &plain).unwrap();
    let x = Tensor::<2>::random([150, 784], Distribution::Normal(0.0, 1.0), &plain);
    let (logits, traces) = net.forward_traced(x.clone());
    let tracked = Device::flex().autodiff();
    let (whole, whole_traces) = net
        .clone()
        .fork(&tracked)
        .forward_traced(x.clone().to_device(&tracked));
    assert_eq!(values(logits), values(whole));
    for (a, b) in traces.into_iter().zip(whole_traces) {
        assert_eq!(values(a.output), values(b.output));
        assert_eq!(values(a.pre_activation), values(b.pre_activation));
    }
}
