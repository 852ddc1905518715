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

use crate::{Isa, run_on};

/// A read-only matrix: element `(i, j)` at `data[i * row_stride + j * col_stride]`, so a
/// transpose is a view, not a copy.
#[derive(Clone, Copy, Debug)]
pub struct MatRef<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
}

impl<'a> MatRef<'a> {
    /// A row-major `rows × cols` matrix.
    pub fn row_major(data: &'a [f32], rows: usize, cols: usize) -> MatRef<'a> {
        MatRef::strided(data, rows, cols, cols, 1)
    }

    /// The transpose of a row-major `cols × rows` matrix, viewed as `rows × cols`.
    pub fn transposed(data: &'a [f32], rows: usize, cols: usize) -> MatRef<'a> {
        MatRef::strided(data, rows, cols, 1, rows)
    }

    /// Any strides; panics when the last element lies outside `data`.
    pub fn strided(
        data: &'a [f32],
        rows: usize,
        cols: usize,
        row_stride: usize,
        col_stride: usize,
    ) -> MatRef<'a> {
        if rows > 0 && cols > 0 {
            let last = (rows - 1) * row_stride + (cols - 1) * col_stride;
            assert!(
                last < data.len(),
                "matrix view {rows}×{cols} (strides {row_stride}, {col_stride}) needs {} values, has {}",
                last + 1,
                data.len()
            );
        }
        MatRef {
            data,
            rows,
            cols,
            row_stride,
            col_stride,
        }
    }

    /// Rows `start..end` of the matrix.
    pub fn rows(self, start: usize, end: usize) -> MatRef<'a> {
        assert!(
            start <= end && end <= self.rows,
            "rows {start}..{end} of {}",
            self.rows
        );
        let offset = if start < end {
            start * self.row_stride
        } else {
            0
        };
        MatRef {
            data: &self.data[offset.min(self.data.len())..],
            rows: end - start,
            ..self
        }
    }

    /// The number of rows.
    pub fn row_count(&self) -> usize {
        self.rows
    }

    /// The number of columns.
    pub fn col_count(&self) -> usize {
        self.cols
    }

    #[inline(always)]
    fn at(&self, i: usize, j: usize) -> f32 {
        self.data[i * self.row_stride + j * self.col_stride]
    }
}

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
    gemm_with(Isa::detected(), Blocking::default(), a, b, c, ldc, start)
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
    if !isa.supported() {
        return None;
    }
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert_eq!(k, b.rows, "gemm: A is {m}×{k}, B is {}×{n}", b.rows);
    assert!(ldc >= n, "gemm: ldc {ldc} < n {n}");
    if m > 0 && n > 0 {
        assert!(
            c.len() >= (m - 1) * ldc + n,
            "gemm: C holds {} values, needs {}",
            c.len(),
            (m - 1) * ldc + n
        );
    }
    assert!(blocking.kc > 0 && blocking.nc > 0, "gemm: empty blocking");
    if start == Start::Zero {
        for row in c.chunks_mut(ldc).take(m) {
            row[..n].fill(0.0);
        }
    }
    if m == 0 || n == 0 || k == 0 {
        return Some(());
    }
    let problem = Problem {
        a,
        b,
        ldc,
        blocking,
    };
    // The tiles by path: 12 accumulator registers of 16 (AVX-512) or 8 (AVX2) lanes plus
    // two for B and one broadcast; the baseline goes one float at a time (tests only).
    run_on(
        isa,
        #[inline(always)]
        move || match isa {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => problem.run::<x86::Avx512, 6, 2>(c),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => problem.run::<x86::Avx2, 6, 2>(c),
            _ => problem.run::<Scalar, 4, 8>(c),
        },
    )
}

struct Problem<'a> {
    a: MatRef<'a>,
    b: MatRef<'a>,
    ldc: usize,
    blocking: Blocking,
}

impl Problem<'_> {
    #[inline(always)]
    fn run<S: Lanes, const MR: usize, const NV: usize>(&self, c: &mut [f32]) {
        const { assert!(NV > 0) };
        let nr_lanes = NV * S::LANES;
        let (m, k, n) = (self.a.rows, self.a.cols, self.b.cols);
        let kc_max = self.blocking.kc.min(k);
        let nc_max = self.blocking.nc.min(n).div_ceil(nr_lanes) * nr_lanes;
        let mut b_pack = vec![0.0f32; kc_max * nc_max];
        let mut a_pack = vec![0.0f32; kc_max * MR];
        for jc in (0..n).step_by(nc_max) {
            let nc = nc_max.min(n - jc);
            for pc in (0..k).step_by(kc_max) {
                let kc = kc_max.min(k - pc);
                pack_b(&self.b, nr_lanes, pc, kc, jc, nc, &mut b_pack);
                for ir in (0..m).step_by(MR) {
                    let mr = MR.min(m - ir);
                    pack_a::<MR>(&self.a, ir, mr, pc, kc, &mut a_pack);
                    for (panel, jr) in (0..nc).step_by(nr_lanes).enumerate() {
                        let nr = nr_lanes.min(nc - jr);
                        let b_panel = &b_pack[panel * kc * nr_lanes..(panel + 1) * kc * nr_lanes];
                        let origin = ir * self.ldc + jc + jr;
                        let a_panel = &a_pack[..kc * MR];
                        tile::<S, MR, NV>(a_panel, b_panel, c, origin, self.ldc, mr, nr);
                    }
                }
            }
        }
    }
}

/// B's rows `pc..pc+kc`, columns `jc..jc+nc`, as panels of `width` columns, each `kc × NR`
/// row-major; columns past the edge are zero.
#[inline(always)]
fn pack_b(b: &MatRef, width: usize, pc: usize, kc: usize, jc: usize, nc: usize, out: &mut [f32]) {
    for (panel, jr) in (0..nc).step_by(width).enumerate() {
        let nr = width.min(nc - jr);
        let dst = &mut out[panel * kc * width..(panel + 1) * kc * width];
        for (p, row) in dst.chunks_exact_mut(width).enumerate() {
            if b.col_stride == 1 {
                let from = (pc + p) * b.row_stride + jc + jr;
                row[..nr].copy_from_slice(&b.data[from..from + nr]);
            } else {
                for (j, v) in row[..nr].iter_mut().enumerate() {
                    *v = b.at(pc + p, jc + jr + j);
                }
            }
            row[nr..].fill(0.0);
        }
    }
}

/// A's rows `ir..ir+mr`, columns `pc..pc+kc`, as `kc × MR` (MR values per step of k);
/// rows past the edge are zero.
#[inline(always)]
fn pack_a<const MR: usize>(
    a: &MatRef,
    ir: usize,
    mr: usize,
    pc: usize,
    kc: usize,
    out: &mut [f32],
) {
    let dst = &mut out[..kc * MR];
    if a.row_stride == 1 {
        // A transposed view: one step of k is contiguous across rows.
        for (p, step) in dst.chunks_exact_mut(MR).enumerate() {
            let from = (pc + p) * a.col_stride + ir;
            step[..mr].copy_from_slice(&a.data[from..from + mr]);
            step[mr..].fill(0.0);
        }
    } else {
        for (p, step) in dst.chunks_exact_mut(MR).enumerate() {
            for (i, v) in step[..mr].iter_mut().enumerate() {
                *v = a.at(ir + i, pc + p);
            }
            step[mr..].fill(0.0);
        }
    }
}

/// One `MR × NR` tile of C: load its running sums, add `kc` steps of k, store the `mr ×
/// nr` that lie inside C. The padded rows and columns compute zeros that are never stored.
/// `NR` is `NV` vectors of `S::LANES`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn tile<S: Lanes, const MR: usize, const NV: usize>(
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    origin: usize,
    ldc: usize,
    mr: usize,
    nr: usize,
) {
    let width = NV * S::LANES;
    let kc = a.len() / MR;
    assert!(b.len() >= kc * width && width <= MAX_NR && mr <= MR && nr <= width);
    let mut edge = [0.0f32; MAX_NR];
    // SAFETY: `S` is only instantiated inside `run_on` for a path the CPU has; every
    // pointer below stays inside `a` (kc * MR values), `b` (kc * width) or `edge`.
    unsafe {
        let mut acc = [[S::zero(); NV]; MR];
        for (i, row) in acc.iter_mut().enumerate().take(mr) {
            let from = origin + i * ldc;
            edge[..nr].copy_from_slice(&c[from..from + nr]);
            for (v, lanes) in row.iter_mut().enumerate() {
                *lanes = S::load(edge.as_ptr().add(v * S::LANES));
            }
        }
        let (a, b) = (a.as_ptr(), b.as_ptr());
        for p in 0..kc {
            let b_step: [S::V; NV] =
                std::array::from_fn(|v| S::load(b.add(p * width + v * S::LANES)));
            for (i, row) in acc.iter_mut().enumerate() {
                let a_value = S::splat(*a.add(p * MR + i));
                for (sum, &b_value) in row.iter_mut().zip(&b_step) {
                    *sum = S::mul_add(a_value, b_value, *sum);
                }
            }
        }
        for (i, row) in acc.iter().enumerate().take(mr) {
            for (v, &lanes) in row.iter().enumerate() {
                S::store(edge.as_mut_ptr().add(v * S::LANES), lanes);
            }
            let to = origin + i * ldc;
            c[to..to + nr].copy_from_slice(&edge[..nr]);
        }
    }
}

/// The widest tile row (AVX-512's two vectors).
const MAX_NR: usize = 32;

/// A vector of float32 lanes and the four operations the tile needs. `mul_add` is one
/// rounding on every implementation, so the paths agree bit for bit.
trait Lanes {
    type V: Copy;
    const LANES: usize;
    unsafe fn zero() -> Self::V;
    unsafe fn splat(x: f32) -> Self::V;
    unsafe fn load(from: *const f32) -> Self::V;
    unsafe fn store(to: *mut f32, v: Self::V);
    /// `a * b + c` with one rounding.
    unsafe fn mul_add(a: Self::V, b: Self::V, c: Self::V) -> Self::V;
}

/// One float32 at a time (`fmaf` from the C library where the CPU has no FMA).
struct Scalar;

impl Lanes for Scalar {
    type V = f32;
    const LANES: usize = 1;
    #[inline(always)]
    unsafe fn zero() -> f32 {
        0.0
    }
    #[inline(always)]
    unsafe fn splat(x: f32) -> f32 {
        x
    }
    #[inline(always)]
    unsafe fn load(from: *const f32) -> f32 {
        unsafe { *from }
    }
    #[inline(always)]
    unsafe fn store(to: *mut f32, v: f32) {
        unsafe { *to = v }
    }
    #[inline(always)]
    unsafe fn mul_add(a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Lanes;
    use std::arch::x86_64::*;

    /// Eight lanes (AVX2 with FMA).
    pub(super) struct Avx2;

    impl Lanes for Avx2 {
        type V = __m256;
        const LANES: usize = 8;
        #[inline(always)]
        unsafe fn zero() -> __m256 {
            unsafe { _mm256_setzero_ps() }
        }
        #[inline(always)]
        unsafe fn splat(x: f32) -> __m256 {
            unsafe { _mm256_set1_ps(x) }
        }
        #[inline(always)]
        unsafe fn load(from: *const f32) -> __m256 {
            unsafe { _mm256_loadu_ps(from) }
        }
        #[inline(always)]
        unsafe fn store(to: *mut f32, v: __m256) {
            unsafe { _mm256_storeu_ps(to, v) }
        }
        #[inline(always)]
        unsafe fn mul_add(a: __m256, b: __m256, c: __m256) -> __m256 {
            unsafe { _mm256_fmadd_ps(a, b, c) }
        }
    }

    /// Sixteen lanes (AVX-512F).
    pub(super) struct Avx512;

    impl Lanes for Avx512 {
        type V = __m512;
        const LANES: usize = 16;
        #[inline(always)]
        unsafe fn zero() -> __m512 {
            unsafe { _mm512_setzero_ps() }
        }
        #[inline(always)]
        unsafe fn splat(x: f32) -> __m512 {
            unsafe { _mm512_set1_ps(x) }
        }
        #[inline(always)]
        unsafe fn load(from: *const f32) -> __m512 {
            unsafe { _mm512_loadu_ps(from) }
        }
        #[inline(always)]
        unsafe fn store(to: *mut f32, v: __m512) {
            unsafe { _mm512_storeu_ps(to, v) }
        }
        #[inline(always)]
        unsafe fn mul_add(a: __m512, b: __m512, c: __m512) -> __m512 {
            unsafe { _mm512_fmadd_ps(a, b, c) }
        }
    }
}

/// The product's work in floating-point operations (a multiply-add is two).
pub fn flops(m: usize, k: usize, n: usize) -> f64 {
    2.0 * m as f64 * k as f64 * n as f64
}
