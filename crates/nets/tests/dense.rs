//! `nets::dense`: the Linear layer and cross-entropy with a fixed summation order, against
//! Burn's own `Linear` and `CrossEntropyLoss` (values and every gradient, within float32
//! rounding), against their definition (bit for bit: each output the bias followed by
//! one fused multiply-add per input in order; each bias gradient a sum in batch order),
//! and unchanged by the number of threads.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::{Device, Distribution, Int, Tensor, TensorData};
use nets::dense::{cross_entropy, linear};

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().unwrap()
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn assert_close(what: &str, ours: &[f32], burn: &[f32], tolerance: f32) {
    assert_eq!(ours.len(), burn.len(), "{what}: lengths");
    let scale = burn.iter().fold(1e-30f32, |m, v| m.max(v.abs()));
    for (i, (&a, &b)) in ours.iter().zip(burn).enumerate() {
        assert!(
            (a - b).abs() <= tolerance * scale,
            "{what}[{i}]: ours {a:e}, Burn's {b:e} (scale {scale:e})"
        );
    }
}

fn layer(inputs: usize, outputs: usize, device: &Device) -> Linear {
    device.seed(3);
    let layer = LinearConfig::new(inputs, outputs).init(device);
    let _ = layer.weight.val();
    layer
}

/// y, and the gradients of `sum(y * r)` for x, W and b.
fn pass(
    forward: impl Fn(&Linear, Tensor<2>) -> Tensor<2>,
    layer: &Linear,
    x: &Tensor<2>,
    r: &Tensor<2>,
) -> [Vec<f32>; 4] {
    let x = x.clone().require_grad();
    let y = forward(layer, x.clone());
    let grads = (y.clone() * r.clone()).sum().backward();
    [
        values(y),
        values(x.grad(&grads).unwrap()),
        values(layer.weight.grad(&grads).unwrap()),
        values(layer.bias.as_ref().unwrap().grad(&grads).unwrap()),
    ]
}

#[test]
fn linear_agrees_with_burn_and_with_its_definition() {
    let device = Device::flex().autodiff();
    let (batch, inputs, outputs) = (37, 300, 45);
    let layer = layer(inputs, outputs, &device);
    let x = Tensor::<2>::random([batch, inputs], Distribution::Normal(0.0, 1.0), &device);
    let r = Tensor::<2>::random([batch, outputs], Distribution::Normal(0.0, 1.0), &device);
    let ours = pass(linear, &layer, &x, &r);
    let burn = pass(|l, x| l.forward(x), &layer, &x, &r);
    for (what, (o, b)) in ["y", "dx", "dW", "db"].iter().zip(ours.iter().zip(&burn)) {
        assert_close(what, o, b, 1e-5);
    }
    // The definition: y[i][j] = fma chain over p from b[j]; db[j] = sum over i in order.
    let (xv, w, bias, rv) = (
        values(x.clone()),
        values(layer.weight.val()),
        values(layer.bias.as_ref().unwrap().val()),
        values(r.clone()),
    );
    let mut y = vec![0.0f32; batch * outputs];
    for i in 0..batch {
        for j in 0..outputs {
            let mut acc = bias[j];
            for p in 0..inputs {
                acc = xv[i * inputs + p].mul_add(w[p * outputs + j], acc);
            }
            y[i * outputs + j] = acc;
        }
    }
    assert_eq!(
        bits(&ours[0]),
        bits(&y),
        "y is the bias and one chain of FMAs per output"
    );
    let mut db = vec![0.0f32; outputs];
    for row in rv.chunks(outputs) {
        for (s, g) in db.iter_mut().zip(row) {
            *s += g;
        }
    }
    assert_eq!(bits(&ours[3]), bits(&db), "db is summed in batch order");
    let mut dw = vec![0.0f32; inputs * outputs];
    for p in 0..inputs {
        for j in 0..outputs {
            let mut acc = 0.0f32;
            for i in 0..batch {
                acc = xv[i * inputs + p].mul_add(rv[i * outputs + j], acc);
            }
            dw[p * outputs + j] = acc;
        }
    }
    assert_eq!(
        bits(&ours[2]),
        bits(&dw),
        "dW is one chain of FMAs over the batch"
    );
}

#[test]
fn the_thread_count_does_not_reach_the_bits() {
    let device = Device::flex().autodiff();
    // Above the size at which products are cut over the pool.
    let (batch, inputs, outputs) = (128, 512, 256);
    let layer = layer(inputs, outputs, &device);
    let x = Tensor::<2>::random([batch, inputs], Distribution::Normal(0.0, 1.0), &device);
    let r = Tensor::<2>::random([batch, outputs], Distribution::Normal(0.0, 1.0), &device);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| pass(linear, &layer, &x, &r))
    };
    let one = run(1);
    for threads in [2, 3, 4] {
        let many = run(threads);
        for (what, (a, b)) in ["y", "dx", "dW", "db"].iter().zip(one.iter().zip(&many)) {
            assert_eq!(
                bits(a),
                bits(b),
                "{what} on {threads} threads differs from 1 thread"
            );
        }
    }
}

#[test]
fn cross_entropy_agrees_with_burn() {
    let device = Device::flex().autodiff();
    let (batch, classes) = (50, 10);
    device.seed(9);
    let logits = Tensor::<2>::random([batch, classes], Distribution::Normal(0.0, 3.0), &device);
    let targets: Vec<i64> = (0..batch as i64)
        .map(|i| (i * 7) % classes as i64)
        .collect();
    let targets = Tensor::<1, Int>::from_data(TensorData::new(targets, [batch]), &device);
    let run = |ours: bool| {
        let z = logits.clone().require_grad();
        let loss = if ours {
            cross_entropy(z.clone(), targets.clone())
        } else {
            CrossEntropyLossConfig::new()
                .init(&device)
                .forward(z.clone(), targets.clone())
        };
        let grads = loss.clone().backward();
        (values(loss), values(z.grad(&grads).unwrap()))
    };
    let (ours, burn) = (run(true), run(false));
    assert_close("loss", &ours.0, &burn.0, 1e-6);
    assert_close("dlogits", &ours.1, &burn.1, 1e-6);
    // A confident, correct batch has a loss near zero; a wrong one near the logit gap.
    let sure = Tensor::<2>::from_data(
        TensorData::new(vec![20.0f32, 0.0, 0.0, 20.0], [2, 2]),
        &device,
    );
    let right = Tensor::<1, Int>::from_data(TensorData::new(vec![0i64, 1], [2]), &device);
    let wrong = Tensor::<1, Int>::from_data(TensorData::new(vec![1i64, 0], [2]), &device);
    let right: f32 = cross_entropy(sure.clone(), right).into_scalar();
    let wrong: f32 = cross_entropy(sure, wrong).into_scalar();
    assert!(
        right < 1e-8 && (wrong - 20.0).abs() < 1e-5,
        "right {right}, wrong {wrong}"
    );
}
