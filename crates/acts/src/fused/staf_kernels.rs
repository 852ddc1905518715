//! STAF's fused forward and backward: `y = sum_i C_i sin(Omega_i x + Phi_i)` over tau
//! terms, with one parameter set (shared) or one per unit of x's last dimension.
//!
//! The forward pass needs only sines: `vmath::math::sin` (one reduction by π, one
//! polynomial), about half the work of `sin_cos`, which the backward pass needs.
//!
//! The backward pass computes the sines and cosines again rather than reading them from
//! the forward pass: kept, they are 50 floats per element (16 MB per step of the book's
//! network), and reading them back was measured slower than the vectorised `sin_cos`
//! (0.15 ns per element). Both passes go block by block (a row of units, or 256 elements
//! when shared), all terms per block, so the block's outputs stay in L1, and the blocks
//! are cut into eight segments that Rayon's pool runs in parallel (`--threads`).

use vmath::math;

/// STAF's parameters, term-major: `[tau][units]`, so that the inner loops run over
/// contiguous units (one unit when shared).
pub(super) struct Terms {
    pub c: Vec<f32>,
    pub omega: Vec<f32>,
    pub phi: Vec<f32>,
    pub units: usize,
    pub tau: usize,
}

impl Terms {
    /// From the module's unit-major parameters (`[units * tau]`, unit u's terms together).
    pub fn from_unit_major(c: &[f32], omega: &[f32], phi: &[f32], units: usize) -> Self {
        let tau = c.len() / units;
        let transpose = |p: &[f32]| -> Vec<f32> {
            (0..tau)
                .flat_map(|i| (0..units).map(move |u| p[u * tau + i]))
                .collect()
        };
        Terms {
            c: transpose(c),
            omega: transpose(omega),
            phi: transpose(phi),
            units,
            tau,
        }
    }

    /// Back to the module's unit-major order.
    pub fn to_unit_major(&self, term_major: &[f32]) -> Vec<f32> {
        (0..self.units)
            .flat_map(|u| (0..self.tau).map(move |i| term_major[i * self.units + u]))
            .collect()
    }

    /// Term i's parameters, one per unit.
    fn term(&self, i: usize) -> (&[f32], &[f32], &[f32]) {
        let at = i * self.units..(i + 1) * self.units;
        (&self.c[at.clone()], &self.omega[at.clone()], &self.phi[at])
    }
}

/// Elements per block when the parameters are shared: a multiple of [`LANES`], so that
/// element k of x always lands in lane k mod 16 of the float64 sums.
const SHARED_BLOCK: usize = 256;
/// Independent float64 sums per shared parameter: vectorisable, and the same bits
/// whatever the vector width (16 float64 are two AVX-512 registers, four AVX2 ones).
const LANES: usize = 16;

/// Blocks of x: rows of `units` elements with per-unit parameters, else fixed blocks.
fn block_width(n: usize, units: usize) -> usize {
    if units == 1 {
        SHARED_BLOCK.min(n.max(1))
    } else {
        units
    }
}

/// Blocks per segment: the work is cut into segments of whole blocks, run on Rayon's
/// pool (as many threads as `--threads`). The cut does not depend on the thread count, and
/// each segment's sums are added in segment order, so one thread and two give the same
/// bits.
fn segment_width(n: usize, width: usize) -> usize {
    const SEGMENTS: usize = 8;
    let blocks = n.div_ceil(width.max(1));
    blocks.div_ceil(SEGMENTS).max(1) * width.max(1)
}

/// Elements whose sums over the terms stay in registers in the shared forward pass (two
/// AVX2 vectors, one AVX-512 vector).
const FORWARD_CHUNK: usize = 16;

/// y with shared parameters: element-major, each chunk's sums over all terms in
/// registers and stored once (term-major, every term was a load, an add and a store per
/// element). Each element still adds its terms from 0 up, starting from 0: the bits of
/// the term-major loop.
#[inline(always)]
fn forward_shared(x: &[f32], y: &mut [f32], terms: &Terms) {
    #[inline(always)]
    fn chunk<const N: usize>(x: &[f32], y: &mut [f32], terms: &Terms) {
        let mut acc = [0.0f32; N];
        for i in 0..terms.tau {
            let (c, omega, phi) = (terms.c[i], terms.omega[i], terms.phi[i]);
            for j in 0..N {
                // Omega x + Phi rounded twice, as PyTorch computes it.
                acc[j] += c * math::sin(omega * x[j] + phi);
            }
        }
        y.copy_from_slice(&acc);
    }
    let whole = x.len() / FORWARD_CHUNK * FORWARD_CHUNK;
    let pieces = x[..whole].chunks_exact(FORWARD_CHUNK);
    for (x, y) in pieces.zip(y[..whole].chunks_exact_mut(FORWARD_CHUNK)) {
        chunk::<FORWARD_CHUNK>(x, y, terms);
    }
    for (x, y) in x[whole..].iter().zip(&mut y[whole..]) {
        chunk::<1>(std::slice::from_ref(x), std::slice::from_mut(y), terms);
    }
}

/// y for whole blocks, all terms per block.
#[inline(always)]
fn forward_blocks(x: &[f32], y: &mut [f32], width: usize, terms: &Terms) {
    if terms.units == 1 {
        return forward_shared(x, y, terms);
    }
    for (x, y) in x.chunks(width).zip(y.chunks_mut(width)) {
        for i in 0..terms.tau {
            match terms.term(i) {
                ([c], [omega], [phi]) => {
                    for (y, &x) in y.iter_mut().zip(x) {
                        // Omega x + Phi rounded twice, as PyTorch computes it.
                        *y += c * math::sin(omega * x + phi);
                    }
                }
                (c, omega, phi) => {
                    let params = c.iter().zip(omega.iter().zip(phi));
                    for ((y, &x), (c, (omega, phi))) in y.iter_mut().zip(x).zip(params) {
                        *y += c * math::sin(omega * x + phi);
                    }
                }
            }
        }
    }
}

/// STAF's value.
pub(super) fn forward(x: &[f32], terms: &Terms) -> Vec<f32> {
    let width = block_width(x.len(), terms.units);
    let segment = segment_width(x.len(), width);
    let mut y = vec![0.0f32; x.len()];
    let pieces: Vec<_> = x.chunks(segment).zip(y.chunks_mut(segment)).collect();
    super::each_piece(pieces, 2, |(x, y)| {
        vmath::run(
            #[inline(always)]
            || forward_blocks(x, y, width, terms),
        )
    });
    y
}

/// A term's running float64 sums of `g sin`, `g x cos` and `g cos` (C is applied at the
/// end): one per lane (shared parameters) or per unit.
struct TermSums {
    c: Vec<f64>,
    omega: Vec<f64>,
    phi: Vec<f64>,
}

/// One block of the backward pass: `dx = g sum_i C_i Omega_i cos_i`, and every term's sums
/// (16 lanes when shared, else one per unit: the block is then a row).
#[inline(always)]
fn backward_block(
    (x, grad, dx): (&[f32], &[f32], &mut [f32]),
    slope: &mut [f32],
    terms: &Terms,
    sums: &mut [TermSums],
) {
    let slope = &mut slope[..x.len()];
    slope.fill(0.0);
    for (i, sum) in sums.iter_mut().enumerate() {
        let (c, omega, phi) = terms.term(i);
        if let ([c], [omega], [phi]) = (c, omega, phi) {
            shared_block(x, grad, slope, sum, (*c, *omega, *phi));
            continue;
        }
        // Per unit: the block is a row, element u to unit u's sums.
        let accumulators = sum
            .c
            .iter_mut()
            .zip(sum.omega.iter_mut().zip(sum.phi.iter_mut()));
        let elements = x.iter().zip(grad).zip(slope.iter_mut()).zip(accumulators);
        let params = c.iter().zip(omega.iter().zip(phi));
        for ((((&x, &g), slope), (sum_c, (sum_omega, sum_phi))), (c, (omega, phi))) in
            elements.zip(params)
        {
            let (sin, cos) = math::sin_cos(omega * x + phi);
            *slope += c * omega * cos;
            *sum_c += (g * sin) as f64;
            *sum_omega += (g * x * cos) as f64;
            *sum_phi += (g * cos) as f64;
        }
    }
    for ((dx, slope), g) in dx.iter_mut().zip(slope.iter()).zip(grad) {
        *dx = g * slope;
    }
}

/// One block with shared parameters: element j of the block (of x, when blocks are
/// multiples of 16) to lane j mod 16. Within the block each lane sums in float32 (at most
/// 16 terms), then the block's lanes are added to the running float64 sums: the
/// accumulators stay in registers, and the order is fixed whatever the vector width.
#[inline(always)]
fn shared_block(
    x: &[f32],
    grad: &[f32],
    slope: &mut [f32],
    sum: &mut TermSums,
    (c, omega, phi): (f32, f32, f32),
) {
    let (mut sum_c, mut sum_omega, mut sum_phi) =
        ([0.0f32; LANES], [0.0f32; LANES], [0.0f32; LANES]);
    let whole = x.chunks_exact(LANES).zip(grad.chunks_exact(LANES));
    for ((x, grad), slope) in whole.zip(slope.chunks_exact_mut(LANES)) {
        for j in 0..LANES {
            let (sin, cos) = math::sin_cos(omega * x[j] + phi);
            slope[j] += c * omega * cos;
            sum_c[j] += grad[j] * sin;
            sum_omega[j] += grad[j] * x[j] * cos;
            sum_phi[j] += grad[j] * cos;
        }
    }
    let done = x.len() / LANES * LANES;
    for j in done..x.len() {
        let (sin, cos) = math::sin_cos(omega * x[j] + phi);
        slope[j] += c * omega * cos;
        sum_c[j - done] += grad[j] * sin;
        sum_omega[j - done] += grad[j] * x[j] * cos;
        sum_phi[j - done] += grad[j] * cos;
    }
    for j in 0..LANES {
        sum.c[j] += sum_c[j] as f64;
        sum.omega[j] += sum_omega[j] as f64;
        sum.phi[j] += sum_phi[j] as f64;
    }
}

/// The gradients of STAF given the output's: (dx, dC, dOmega, dPhi), the parameter
/// gradients term-major like [`Terms`]; the sines and cosines computed again, the sums
/// over elements in float64.
pub(super) fn backward(
    x: &[f32],
    terms: &Terms,
    grad: &[f32],
) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
    let width = block_width(x.len(), terms.units);
    let segment = segment_width(x.len(), width);
    let lanes = if terms.units == 1 { LANES } else { terms.units };
    let mut dx = vec![0.0f32; x.len()];
    // Each segment: its part of dx, and its own sums.
    let pieces: Vec<_> = x
        .chunks(segment)
        .zip(grad.chunks(segment))
        .zip(dx.chunks_mut(segment))
        .collect();
    let segments: Vec<Vec<TermSums>> = super::each_piece(pieces, 2, |((x, grad), dx)| {
        let mut sums: Vec<TermSums> = (0..terms.tau)
            .map(|_| TermSums {
                c: vec![0.0; lanes],
                omega: vec![0.0; lanes],
                phi: vec![0.0; lanes],
            })
            .collect();
        let mut slope = vec![0.0f32; width];
        vmath::run(
            #[inline(always)]
            || {
                let blocks = x.chunks(width).zip(grad.chunks(width));
                for ((x, grad), dx) in blocks.zip(dx.chunks_mut(width)) {
                    backward_block((x, grad, dx), &mut slope, terms, &mut sums);
                }
            },
        );
        sums
    });
    // Per term and unit: the segments, then the lanes (shared), added in order; C applied.
    let size = terms.tau * terms.units;
    let (mut dc, mut domega, mut dphi) =
        (vec![0.0f32; size], vec![0.0f32; size], vec![0.0f32; size]);
    for i in 0..terms.tau {
        let (c, _, _) = terms.term(i);
        for u in 0..terms.units {
            let total = |part: fn(&TermSums) -> &Vec<f64>| -> f64 {
                segments
                    .iter()
                    .map(|sums| {
                        let v = part(&sums[i]);
                        if terms.units == 1 {
                            v.iter().sum()
                        } else {
                            v[u]
                        }
                    })
                    .sum()
            };
            let at = i * terms.units + u;
            dc[at] = total(|s| &s.c) as f32;
            domega[at] = (c[u] as f64 * total(|s| &s.omega)) as f32;
            dphi[at] = (c[u] as f64 * total(|s| &s.phi)) as f32;
        }
    }
    (dx, dc, domega, dphi)
}
