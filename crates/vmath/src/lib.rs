//! Vectorised float32 elementary functions for actlab's fused activation kernels.
//!
//! Burn's CPU backend evaluates `exp`, `sin`, `tanh`, `erf` by calling glibc's scalar
//! functions once per element (about 10 ns each, see `results/reference/speed/profiles.md`).
//! The functions here are branch-free polynomials (Cephes' `expf`, `logf`, `sinf`/`cosf`
//! and `tanhf` coefficients; `erf` fitted for this crate, see [`math::erf`]) written so
//! that the compiler vectorises a loop over them: a select instead of a branch, integer
//! exponents from bit patterns instead of casts. [`Kernels`] runs such loops in a
//! function compiled for AVX-512, for AVX2 with FMA, or for plain x86-64, whichever the
//! CPU has (detected once, at run time), so one binary runs everywhere.
//!
//! Every path computes bit-identical results: the polynomials use `mul_add`, which is a
//! single rounding whether it is an FMA instruction or the C library's `fmaf`, and each
//! element is computed on its own, whatever the vector width. A run on an AVX-512
//! machine and one on an AVX2 machine therefore train the same network.
//!
//! No maintained crate fitted: `wide` and `pulp` give lanes but no transcendental
//! functions with this accuracy, and SLEEF has no Rust port; `macerator` (burn-flex's)
//! has no `sin`/`erf`. Accuracy against float64 is tested in `tests/accuracy.rs`.

#![warn(missing_docs)]

pub mod gemm;
pub mod math;
pub mod peak;

use std::sync::OnceLock;

/// The instruction set the kernels run with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    /// 16 float32 lanes (AVX-512F).
    Avx512,
    /// 8 float32 lanes with fused multiply-add (AVX2 + FMA).
    Avx2,
    /// Whatever the baseline target gives (SSE2 on x86-64; `fmaf` from the C library).
    Baseline,
}

impl Isa {
    /// The best the CPU offers, detected once; `ACTLAB_ISA=avx2|baseline` forces a lower
    /// one (to check that every path gives the same bits, or to measure them).
    pub fn detected() -> Isa {
        static DETECTED: OnceLock<Isa> = OnceLock::new();
        *DETECTED.get_or_init(|| {
            let best = best_available();
            match std::env::var("ACTLAB_ISA").as_deref() {
                Ok("baseline") => Isa::Baseline,
                Ok("avx2") if best != Isa::Baseline => Isa::Avx2,
                _ => best,
            }
        })
    }

    /// Every path, widest first.
    pub const ALL: [Isa; 3] = [Isa::Avx512, Isa::Avx2, Isa::Baseline];

    /// Whether this CPU can run the path.
    pub fn supported(self) -> bool {
        let best = best_available();
        match self {
            Isa::Avx512 => best == Isa::Avx512,
            Isa::Avx2 => best != Isa::Baseline,
            Isa::Baseline => true,
        }
    }

    /// A short lower-case name (`avx512`, `avx2`, `baseline`).
    pub fn name(self) -> &'static str {
        match self {
            Isa::Avx512 => "avx512",
            Isa::Avx2 => "avx2",
            Isa::Baseline => "baseline",
        }
    }
}

/// The widest path this CPU runs, detected once (`run` asks on every kernel call).
fn best_available() -> Isa {
    static BEST: OnceLock<Isa> = OnceLock::new();
    *BEST.get_or_init(detect_best)
}

#[cfg(target_arch = "x86_64")]
fn detect_best() -> Isa {
    // Every feature `run_avx512` enables must be present.
    if is_x86_feature_detected!("avx512f")
        && is_x86_feature_detected!("avx512dq")
        && is_x86_feature_detected!("avx512vl")
        && is_x86_feature_detected!("avx2")
        && is_x86_feature_detected!("fma")
    {
        Isa::Avx512
    } else if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
        Isa::Avx2
    } else {
        Isa::Baseline
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn detect_best() -> Isa {
    Isa::Baseline
}

/// Runs `body` compiled for the detected instruction set: the body is inlined into a
/// function with that target feature, so its loops over [`math`] functions vectorise
/// with the widest lanes the CPU has. Keep `body` to plain loops over slices.
#[inline(always)]
pub fn run<R>(body: impl FnOnce() -> R) -> R {
    // `detected` names only paths the CPU has, so `run_on` always runs it.
    let isa = Isa::detected();
    run_on(isa, body).unwrap_or_else(|| unreachable!("{isa:?} was detected on this CPU"))
}

/// [`run`] on a chosen path (tests compare the paths); `None`, and `body` not run, when
/// the CPU lacks it: a caller asking for a path learns that it did not get it.
#[inline(always)]
pub fn run_on<R>(isa: Isa, body: impl FnOnce() -> R) -> Option<R> {
    if !isa.supported() {
        return None;
    }
    Some(match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `supported` found AVX-512F and FMA on this CPU.
        Isa::Avx512 => unsafe { run_avx512(body) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `supported` found AVX2 and FMA on this CPU.
        Isa::Avx2 => unsafe { run_avx2(body) },
        _ => body(),
    })
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
#[inline]
unsafe fn run_avx512<R>(body: impl FnOnce() -> R) -> R {
    body()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn run_avx2<R>(body: impl FnOnce() -> R) -> R {
    body()
}

/// `out[i] = f(x[i])`.
#[inline(always)]
pub fn map(x: &[f32], out: &mut [f32], f: impl Fn(f32) -> f32 + Copy) {
    assert_eq!(x.len(), out.len(), "map: lengths differ");
    run(
        #[inline(always)]
        move || {
            for (o, &v) in out.iter_mut().zip(x) {
                *o = f(v);
            }
        },
    )
}

/// `out[i] = f(a[i], b[i])`.
#[inline(always)]
pub fn map2(a: &[f32], b: &[f32], out: &mut [f32], f: impl Fn(f32, f32) -> f32 + Copy) {
    assert!(
        a.len() == out.len() && b.len() == out.len(),
        "map2: lengths differ"
    );
    run(
        #[inline(always)]
        move || {
            for ((o, &u), &v) in out.iter_mut().zip(a).zip(b) {
                *o = f(u, v);
            }
        },
    )
}

/// The sum of `term(v)` over `values` in float64, in 16 independent lanes (element k in
/// lane k mod 16) added in order at the end: vectorisable inside [`run`], and the same
/// bits whatever the vector width or thread count.
#[inline(always)]
pub fn lane_sum(values: &[f32], term: impl Fn(f32) -> f64) -> f64 {
    let mut lanes = [0.0f64; 16];
    let chunks = values.chunks_exact(16);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (acc, &v) in lanes.iter_mut().zip(chunk) {
            *acc += term(v);
        }
    }
    for (acc, &v) in lanes.iter_mut().zip(rest) {
        *acc += term(v);
    }
    lanes.iter().sum()
}
