//! The arithmetic limit of one core: fused multiply-adds per second with nothing but
//! registers involved, on a given vector path.
//!
//! A matrix product can at best keep the FMA units busy every cycle; this measures what
//! "every cycle" is on the machine at hand (clock, FMA units, vector width), so that
//! `actlab bench` states a product's speed as a share of a measured limit instead of a
//! datasheet figure. Written with intrinsics because the point is the exact instruction
//! mix: independent accumulators, one FMA each per round, enough of them to cover the
//! FMA latency on every x86-64 core made so far (4–5 cycles, two units).

use crate::Isa;

/// Independent accumulator registers per round: latency × units with room to spare.
const CHAINS: usize = 12;

/// Floating-point operations per second (an FMA counts two) of `rounds` rounds of
/// [`CHAINS`] vector FMAs on `isa` on the calling thread; `None` when the CPU lacks the
/// path. One call of a few million rounds takes milliseconds.
pub fn fma_flops(isa: Isa, rounds: usize) -> Option<f64> {
    if !isa.supported() {
        return None;
    }
    let start = std::time::Instant::now();
    let (lanes, checksum) = match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `supported` found AVX-512F on this CPU.
        Isa::Avx512 => (16, unsafe { x86::avx512(rounds) }),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `supported` found AVX2 and FMA on this CPU.
        Isa::Avx2 => (8, unsafe { x86::avx2(rounds) }),
        _ => (1, scalar(rounds)),
    };
    let seconds = start.elapsed().as_secs_f64();
    // The accumulators feed a value the optimiser cannot drop.
    std::hint::black_box(checksum);
    Some(2.0 * (CHAINS * lanes * rounds) as f64 / seconds)
}

/// The baseline path: scalar `mul_add` (an `fmaf` call where the target has no FMA).
fn scalar(rounds: usize) -> f32 {
    let mut acc = [0.0f32; CHAINS];
    let (a, b) = std::hint::black_box((0.999_999f32, 1e-7f32));
    for _ in 0..rounds {
        for value in &mut acc {
            *value = value.mul_add(a, b);
        }
    }
    acc.iter().sum()
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::CHAINS;
    use std::arch::x86_64::*;

    /// Rounds of [`CHAINS`] 8-lane FMAs.
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn avx2(rounds: usize) -> f32 {
        let a = _mm256_set1_ps(std::hint::black_box(0.999_999));
        let b = _mm256_set1_ps(std::hint::black_box(1e-7));
        let mut acc = [_mm256_setzero_ps(); CHAINS];
        for _ in 0..rounds {
            for value in &mut acc {
                *value = _mm256_fmadd_ps(*value, a, b);
            }
        }
        let mut out = [0.0f32; 8];
        let sum = acc
            .iter()
            .fold(_mm256_setzero_ps(), |s, &v| _mm256_add_ps(s, v));
        // SAFETY: `out` holds 8 floats.
        unsafe { _mm256_storeu_ps(out.as_mut_ptr(), sum) };
        out.iter().sum()
    }

    /// Rounds of [`CHAINS`] 16-lane FMAs.
    #[target_feature(enable = "avx512f")]
    pub(super) fn avx512(rounds: usize) -> f32 {
        let a = _mm512_set1_ps(std::hint::black_box(0.999_999));
        let b = _mm512_set1_ps(std::hint::black_box(1e-7));
        let mut acc = [_mm512_setzero_ps(); CHAINS];
        for _ in 0..rounds {
            for value in &mut acc {
                *value = _mm512_fmadd_ps(*value, a, b);
            }
        }
        let sum = acc
            .iter()
            .fold(_mm512_setzero_ps(), |s, &v| _mm512_add_ps(s, v));
        _mm512_reduce_add_ps(sum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_the_cpu_has_is_measured_and_no_other() {
        for isa in Isa::ALL {
            match fma_flops(isa, 100_000) {
                Some(flops) => {
                    assert!(isa.supported(), "{isa:?} measured on a CPU without it");
                    // Even the scalar path does more than ten million FMAs a second.
                    assert!(flops.is_finite() && flops > 1e7, "{isa:?}: {flops}");
                }
                None => assert!(!isa.supported(), "{isa:?} is supported but not measured"),
            }
        }
    }
}
