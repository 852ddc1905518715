//! Throughput of `vmath::gemm` on the shapes of the book's network and wider ones, one
//! thread, per instruction-set path: `cargo run --release -p vmath --example gemm_speed`.

use std::time::Instant;
use vmath::Isa;
use vmath::gemm::{Blocking, MatRef, Start, flops, gemm_with};

fn main() {
    let shapes: &[(&str, usize, usize, usize)] = &[
        ("book layer 1 forward", 128, 784, 256),
        ("book layer 1 weight grad", 784, 128, 256),
        ("book layer 2 input grad", 128, 192, 256),
        ("book layer 2 forward", 128, 256, 192),
        ("book layer 4 forward", 128, 128, 64),
        ("book output forward", 128, 64, 10),
        ("book layer 1 input grad", 128, 256, 784),
        ("1024 forward", 128, 1024, 1024),
        ("1024 weight grad", 1024, 128, 1024),
        ("2048 square", 512, 2048, 2048),
    ];
    for isa in Isa::ALL
        .into_iter()
        .filter(|isa| isa.supported() && *isa != Isa::Baseline)
    {
        for &(name, m, k, n) in shapes {
            let a: Vec<f32> = (0..m * k)
                .map(|i| ((i * 7919) % 1000) as f32 / 1000.0 - 0.5)
                .collect();
            let b: Vec<f32> = (0..k * n)
                .map(|i| ((i * 104729) % 997) as f32 / 997.0 - 0.5)
                .collect();
            let mut c = vec![0.0f32; m * n];
            let mut times = Vec::new();
            for _ in 0..7 {
                let t = Instant::now();
                let reps = (2e8 / flops(m, k, n)).ceil() as usize;
                for _ in 0..reps {
                    gemm_with(
                        isa,
                        Blocking::default(),
                        MatRef::row_major(&a, m, k),
                        MatRef::row_major(&b, k, n),
                        &mut c,
                        n,
                        Start::Zero,
                    )
                    .unwrap();
                }
                times.push(t.elapsed().as_secs_f64() / reps as f64);
            }
            times.sort_by(f64::total_cmp);
            let median = times[times.len() / 2];
            println!(
                "{:8} {name:26} {m}×{k}×{n}: {:.1} GFLOP/s",
                isa.name(),
                flops(m, k, n) / median / 1e9
            );
        }
    }
}
