//! This machine's limits, measured: the FMA throughput of its cores (registers only) and
//! the speed of training's own matrix product on a large square product, on one thread
//! and on several. `bench train` states its products as a share of them.
//!
//! Limits are best-of-N (a limit is what the machine can do, so the fastest repeat is
//! the estimate, not the median); everything compared with them is a median.

use std::time::Instant;

use serde::Serialize;
use vmath::Isa;
use vmath::gemm::{MatRef, Start, flops};

/// Repeats of each limit measurement; the best counts.
const REPEATS: usize = 5;
/// The square product's size: large enough that packing costs under a percent, small
/// enough (12 MB of operands) to take a tenth of a second on one core.
const SQUARE: usize = 1024;
/// FMA rounds per measurement (about 60 ms on a 2 GHz AVX2 core).
const FMA_ROUNDS: usize = 10_000_000;

/// The limits on `threads` threads.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Limits {
    pub threads: usize,
    /// FMA throughput of the vector path the kernels use, registers only, summed over
    /// the threads (GFLOP/s).
    pub fma_gflops: f64,
    /// `nets::dense::product` on 1024 × 1024 × 1024 (GFLOP/s): the peak of training's
    /// product on this machine.
    pub product_gflops: f64,
}

/// Measures the limits on a pool of `threads` threads.
pub fn measure(threads: usize) -> anyhow::Result<Limits> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let isa = Isa::detected();
    let fma = best_of(|| {
        // Every thread runs the same loop at once; their rates add up.
        let rates: Vec<Option<f64>> = pool.broadcast(|_| vmath::peak::fma_flops(isa, FMA_ROUNDS));
        rates.into_iter().map(|r| r.unwrap_or(0.0)).sum()
    });
    let a = operand(SQUARE * SQUARE, 7919);
    let b = operand(SQUARE * SQUARE, 104_729);
    let mut c = vec![0.0f32; SQUARE * SQUARE];
    let product = best_of(|| {
        let start = Instant::now();
        pool.install(|| {
            nets::dense::product(
                MatRef::row_major(&a, SQUARE, SQUARE),
                MatRef::row_major(&b, SQUARE, SQUARE),
                &mut c,
                Start::Zero,
            )
        });
        flops(SQUARE, SQUARE, SQUARE) / start.elapsed().as_secs_f64()
    });
    std::hint::black_box(&c);
    Ok(Limits {
        threads,
        fma_gflops: fma / 1e9,
        product_gflops: product / 1e9,
    })
}

/// The largest of [`REPEATS`] measurements.
fn best_of(mut measure: impl FnMut() -> f64) -> f64 {
    (0..REPEATS).map(|_| measure()).fold(0.0, f64::max)
}

/// Deterministic values in [-0.5, 0.5): a product of them neither overflows nor hits
/// subnormals (which would slow some CPUs and measure the wrong thing).
fn operand(len: usize, stride: usize) -> Vec<f32> {
    (0..len)
        .map(|i| ((i * stride) % 1000) as f32 / 1000.0 - 0.5)
        .collect()
}

/// Every thread count worth a row: one, and every core.
pub fn thread_counts() -> Vec<usize> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores > 1 { vec![1, cores] } else { vec![1] }
}
