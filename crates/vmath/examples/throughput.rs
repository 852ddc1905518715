//! Nanoseconds per element of each vectorised function against the C library's scalar
//! one (what Burn's CPU backend calls), on 1M float32 points, median of 21 passes:
//! `cargo run --release -p vmath --example throughput` (`ACTLAB_ISA=avx2|baseline` to
//! measure a lower path).

use std::hint::black_box;
use std::time::Instant;

use vmath::{Isa, map, math};

fn median_ns_per_element(points: &[f32], mut pass: impl FnMut(&[f32], &mut [f32])) -> f64 {
    let mut out = vec![0.0f32; points.len()];
    let mut times: Vec<f64> = (0..21)
        .map(|_| {
            let start = Instant::now();
            pass(black_box(points), &mut out);
            black_box(&out);
            start.elapsed().as_secs_f64() * 1e9 / points.len() as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let points: Vec<f32> = (0..1_000_000).map(|i| (i as f32) * 2e-5 - 10.0).collect();
    println!("instruction set: {}", Isa::detected().name());
    println!(
        "{:<10} {:>10} {:>10} {:>7}",
        "function", "vmath ns", "libm ns", "ratio"
    );
    let row = |name: &str, ours: fn(&[f32], &mut [f32]), libm: fn(f32) -> f32| {
        let fast = median_ns_per_element(&points, ours);
        let slow = median_ns_per_element(&points, |x, out| {
            for (o, &v) in out.iter_mut().zip(x) {
                *o = libm(v);
            }
        });
        println!("{name:<10} {fast:>10.3} {slow:>10.3} {:>7.1}", slow / fast);
    };
    row("exp", |x, o| map(x, o, math::exp), f32::exp);
    row("tanh", |x, o| map(x, o, math::tanh), f32::tanh);
    row(
        "sigmoid",
        |x, o| map(x, o, math::sigmoid),
        |v| 1.0 / (1.0 + (-v).exp()),
    );
    row(
        "softplus",
        |x, o| map(x, o, math::softplus),
        |v| v.exp().ln_1p(),
    );
    row("sin", |x, o| map(x, o, |v| math::sin_cos(v).0), f32::sin);
    row("sin alone", |x, o| map(x, o, math::sin), f32::sin);
    row("cos", |x, o| map(x, o, |v| math::sin_cos(v).1), f32::cos);
}
