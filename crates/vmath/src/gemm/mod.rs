//! Matrix products whose bits do not depend on the machine.
//!
//! `C[i][j] = C0 + Σ_p A[i][p] B[p][j]` is computed as one chain of fused multiply-adds
//! over `p = 0, 1, …, k-1`, in that order, starting from `C0` (zero, or what `C` holds).
//! Everything a fast product varies by machine — the register tile, the vector width,
//! the cache blocking, the split over threads — changes only which elements are
//! computed together, never the order of one element's chain: a k-block ends by storing
//! the running sums into `C` (float32, exact) and the next block loads them back. So the
//! AVX-512, AVX2 and baseline paths, any block sizes and any split of the rows give the
//! same bits (`tests/gemm.rs` checks each).
//!
//! gemm (the crate behind Burn's CPU backend) does not: it picks its k-block from the L1
//! cache it detects and adds each block's partial sum to `C`, so a product with k = 784
//! is summed in one block on one CPU and two on another, and its AVX-512 and AVX2
//! kernels differ. No maintained crate fixes the summation order (matrixmultiply adds
//! per-block partial sums too), hence this one.

mod lanes;
mod matrix;

use std::cell::RefCell;

use crate::{Isa, run_on};
#[cfg(target_arch = "x86_64")]
use lanes::x86;
use lanes::{Lanes, Scalar};
pub use matrix::{MatMut, MatRef};

/// Whether the product overwrites `C` or adds to what it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// `C = A B`: every chain starts from zero.
    Zero,
    /// `C = C + A B`: every chain starts from `C`'s value (a bias written there first).
    FromC,
}

/// Cache blocking: performance only, never the bits (a test runs odd sizes against the
/// default ones).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Blocking {
    /// Steps of k per block (A's and B's packed panels hold this many).
    pub kc: usize,
    /// Columns of B packed at a time.
    pub nc: usize,
}

impl Default for Blocking {
    fn default() -> Self {
        // A 256-deep panel of 6 rows (6 KiB) stays in L1 beside a column strip of B; B's
        // block (256 × 512 × 4 = 512 KiB) in L2. Chosen by measurement on this project's
        // machines, and free to change: the bits do not depend on it.
        Blocking { kc: 256, nc: 512 }
    }
}

/// `C = A B` or `C += A B` (see [`Start`]) with `C` row-major, `a.rows × b.cols`, rows
/// `ldc` apart, on the detected instruction set.
pub fn gemm(a: MatRef, b: MatRef, c: &mut [f32], ldc: usize, start: Start) {
    let c = MatMut::row_major(c, a.rows, b.cols, ldc);
    gemm_into(a, b, c, start);
}

/// [`gemm`] into a block of a matrix (see [`MatMut`]), on the detected instruction set.
pub fn gemm_into(a: MatRef, b: MatRef, c: MatMut, start: Start) {
    gemm_block(Isa::detected(), Blocking::default(), a, b, c, start)
        .unwrap_or_else(|| unreachable!("the detected path runs on this CPU"));
}

/// [`gemm`] on a chosen path and blocking; `None`, and `C` untouched, when the CPU lacks
/// the path.
pub fn gemm_with(
    isa: Isa,
    blocking: Blocking,
    a: MatRef,
    b: MatRef,
    c: &mut [f32],
    ldc: usize,
    start: Start,
) -> Option<()> {
    let c = MatMut::row_major(c, a.rows, b.cols, ldc);
    gemm_block(isa, blocking, a, b, c, start)
}

fn gemm_block(
    isa: Isa,
    blocking: Blocking,
    a: MatRef,
    b: MatRef,
    mut c: MatMut,
    start: Start,
) -> Option<()> {
    if !isa.supported() {
        return None;
    }
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert_eq!(k, b.rows, "gemm: A is {m}×{k}, B is {}×{n}", b.rows);
    assert!(
        c.rows == m && c.cols == n,
        "gemm: C is {}×{}, A B is {m}×{n}",
        c.rows,
        c.cols
    );
    assert!(blocking.kc > 0 && blocking.nc > 0, "gemm: empty blocking");
    if m == 0 || n == 0 {
        return Some(());
    }
    if k == 0 {
        // No step of k: the sums are where they start.
        if start == Start::Zero {
            for i in 0..m {
                c.row_part(i, 0, n).fill(0.0);
            }
        }
        return Some(());
    }
    let problem = Problem { a, b, blocking };
    // The tiles by path: 12 accumulator registers of 16 (AVX-512) or 8 (AVX2) lanes plus
    // two for B and one broadcast; the baseline goes one float at a time (tests only).
    // The buffers are taken outside `run_on`: everything inside must inline into its
    // function compiled for the path, and a closure handed to `with_borrow_mut` is not.
    PACKS.with_borrow_mut(|packs| {
        run_on(
            isa,
            #[inline(always)]
            move || match isa {
                #[cfg(target_arch = "x86_64")]
                Isa::Avx512 => problem.run::<x86::Avx512, 6, 2, 32>(&mut c, start, packs),
                #[cfg(target_arch = "x86_64")]
                Isa::Avx2 => problem.run::<x86::Avx2, 6, 2, 16>(&mut c, start, packs),
                _ => problem.run::<Scalar, 4, 8, 8>(&mut c, start, packs),
            },
        )
    })
}

struct Problem<'a> {
    a: MatRef<'a>,
    b: MatRef<'a>,
    blocking: Blocking,
}

impl Problem<'_> {
    /// `NR` is the tile's width, `NV` vectors of `S::LANES` (a constant, so that the
    /// packing loops copy whole rows of a panel as fixed-size arrays).
    #[inline(always)]
    fn run<S: Lanes, const MR: usize, const NV: usize, const NR: usize>(
        &self,
        c: &mut MatMut,
        start: Start,
        (a_pack, b_pack): &mut (Vec<f32>, Vec<f32>),
    ) {
        const { assert!(NV > 0 && NR == NV * S::LANES && NR <= MAX_NR) };
        let (m, k, n) = (self.a.rows, self.a.cols, self.b.cols);
        let kc_max = self.blocking.kc.min(k);
        let nc_max = self.blocking.nc.min(n).div_ceil(NR) * NR;
        {
            // Reused between products: every value a tile reads is packed first.
            grow(b_pack, kc_max * nc_max);
            grow(a_pack, kc_max * MR);
            for jc in (0..n).step_by(nc_max) {
                let nc = nc_max.min(n - jc);
                for pc in (0..k).step_by(kc_max) {
                    let kc = kc_max.min(k - pc);
                    // The first block of k starts each chain from zero in registers
                    // (the same +0.0 that `Start::Zero` writes); later blocks and
                    // `Start::FromC` load the running sums from C.
                    let load = pc > 0 || start == Start::FromC;
                    pack_b::<NR>(&self.b, pc, kc, jc, nc, b_pack);
                    for ir in (0..m).step_by(MR) {
                        let mr = MR.min(m - ir);
                        pack_a::<MR>(&self.a, ir, mr, pc, kc, a_pack);
                        for (panel, jr) in (0..nc).step_by(NR).enumerate() {
                            let nr = NR.min(nc - jr);
                            let b_panel = &b_pack[panel * kc * NR..(panel + 1) * kc * NR];
                            let a_panel = &a_pack[..kc * MR];
                            let at = (ir, jc + jr);
                            tile::<S, MR, NV, NR>(a_panel, b_panel, c, at, (mr, nr), load);
                        }
                    }
                }
            }
        }
    }
}

thread_local! {
    /// Each thread's packed panels of A and B, kept between products: allocating and
    /// zeroing half a megabyte per product cost more than a small layer's arithmetic.
    static PACKS: RefCell<(Vec<f32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

fn grow(buffer: &mut Vec<f32>, len: usize) {
    if buffer.len() < len {
        buffer.resize(len, 0.0);
    }
}

/// B's rows `pc..pc+kc`, columns `jc..jc+nc`, as panels of `NR` columns, each `kc × NR`
/// row-major; columns past the edge are zero.
#[inline(always)]
fn pack_b<const NR: usize>(
    b: &MatRef,
    pc: usize,
    kc: usize,
    jc: usize,
    nc: usize,
    out: &mut [f32],
) {
    for (panel, jr) in (0..nc).step_by(NR).enumerate() {
        let nr = NR.min(nc - jr);
        let dst = &mut out[panel * kc * NR..(panel + 1) * kc * NR];
        if b.col_stride == 1 {
            for (p, row) in dst.chunks_exact_mut(NR).enumerate() {
                let from = (pc + p) * b.row_stride + jc + jr;
                if nr == NR {
                    let row: &mut [f32; NR] = row.try_into().expect("a panel row");
                    *row = b.data[from..from + NR].try_into().expect("a row of B");
                } else {
                    row[..nr].copy_from_slice(&b.data[from..from + nr]);
                    row[nr..].fill(0.0);
                }
            }
        } else if b.row_stride == 1 {
            // A transposed view (the input gradient's `Wᵀ`): each column of the panel is
            // a contiguous run of k in memory, so walk the columns and scatter down the
            // panel, instead of gathering one element of NR rows per step.
            if nr < NR {
                dst.fill(0.0);
            }
            for j in 0..nr {
                let from = (jc + jr + j) * b.col_stride + pc;
                let column = &b.data[from..from + kc];
                for (step, &v) in dst.chunks_exact_mut(NR).zip(column) {
                    step[j] = v;
                }
            }
        } else {
            for (p, row) in dst.chunks_exact_mut(NR).enumerate() {
                for (j, v) in row[..nr].iter_mut().enumerate() {
                    *v = b.at(pc + p, jc + jr + j);
                }
                row[nr..].fill(0.0);
            }
        }
    }
}

/// A's rows `ir..ir+mr`, columns `pc..pc+kc`, as `kc × MR` (MR values per step of k);
/// rows past the edge are zero: one panel of Aᵀ as [`pack_b`] packs B's (`mr <= MR`).
#[inline(always)]
fn pack_a<const MR: usize>(
    a: &MatRef,
    ir: usize,
    mr: usize,
    pc: usize,
    kc: usize,
    out: &mut [f32],
) {
    pack_b::<MR>(&a.t(), pc, kc, ir, mr, out);
}

/// One `MR × NR` tile of C at `(row, col)`: take its running sums (from C when `load`,
/// else zeros), add `kc` steps of k, store the `mr × nr` that lie inside C. The padded
/// rows and columns compute zeros that are never stored. `NR` is `NV` vectors of
/// `S::LANES`. A whole tile moves between C and the registers directly; a tile cut by
/// C's edge goes through a buffer.
#[inline(always)]
fn tile<S: Lanes, const MR: usize, const NV: usize, const NR: usize>(
    a: &[f32],
    b: &[f32],
    c: &mut MatMut,
    (row, col): (usize, usize),
    (mr, nr): (usize, usize),
    load: bool,
) {
    let kc = a.len() / MR;
    assert!(b.len() >= kc * NR && mr <= MR && nr <= NR);
    let whole = nr == NR;
    let mut edge = [0.0f32; NR];
    // SAFETY: `S` is only instantiated inside `run_on` for a path the CPU has; every
    // pointer below stays inside `a` (kc * MR values), `b` (kc * NR), `edge` (NR) or a
    // row part of C of NR values (`whole`).
    unsafe {
        let mut acc = [[S::zero(); NV]; MR];
        if load {
            for (i, sums) in acc.iter_mut().enumerate().take(mr) {
                let part = c.row_part(row + i, col, nr);
                let from = if whole {
                    part.as_ptr()
                } else {
                    edge[..nr].copy_from_slice(part);
                    edge.as_ptr()
                };
                for (v, lanes) in sums.iter_mut().enumerate() {
                    *lanes = S::load(from.add(v * S::LANES));
                }
            }
        }
        let (a, b) = (a.as_ptr(), b.as_ptr());
        for p in 0..kc {
            let b_step: [S::V; NV] = std::array::from_fn(|v| S::load(b.add(p * NR + v * S::LANES)));
            for (i, row) in acc.iter_mut().enumerate() {
                let a_value = S::splat(*a.add(p * MR + i));
                for (sum, &b_value) in row.iter_mut().zip(&b_step) {
                    *sum = S::mul_add(a_value, b_value, *sum);
                }
            }
        }
        for (i, sums) in acc.iter().enumerate().take(mr) {
            let part = c.row_part(row + i, col, nr);
            let to = if whole {
                part.as_mut_ptr()
            } else {
                edge.as_mut_ptr()
            };
            for (v, &lanes) in sums.iter().enumerate() {
                S::store(to.add(v * S::LANES), lanes);
            }
            if !whole {
                c.row_part(row + i, col, nr).copy_from_slice(&edge[..nr]);
            }
        }
    }
}

/// The widest tile row (AVX-512's two vectors).
const MAX_NR: usize = 32;

/// The product's work in floating-point operations (a multiply-add is two).
pub fn flops(m: usize, k: usize, n: usize) -> f64 {
    2.0 * m as f64 * k as f64 * n as f64
}
