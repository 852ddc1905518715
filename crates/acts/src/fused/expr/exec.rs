//! Runs a program over float32 slices: the data cut into pieces (over the thread pool
//! when large), each piece into blocks of [`BLOCK`] lanes, each block through every step
//! with vectorised loops (inside `vmath::run`, so with the CPU's widest lanes).
//!
//! Parameters are shared (one value) or per unit (one per column of x's last dimension):
//! with per-unit parameters a block never crosses a row, so a parameter's lanes are a
//! slice of its values. Parameter gradients are summed in float64 in an order fixed by
//! the pieces and blocks, which depend on the shape only (not on the thread count).

use spec::Comparison;
use vmath::math::{self, select};

use super::fixed::{self, Lanes, with_piecewise};
use super::graph::Op;
use super::program::{BLOCK, Program, Reg, Step};
use crate::fused::kernels::{value_and_slope as fused_value_and_slope, with_kernel};
use crate::fused::{PIECE, each_piece};

/// Pieces worth a hand-off to the thread pool (as for the built-in kernels).
const PARALLEL_PIECES: usize = 8;

/// Float64 lanes of a shared parameter's gradient sum (element k in lane k mod 16).
const SUM_LANES: usize = 16;

/// The data a program reads.
#[derive(Clone, Copy)]
pub(super) struct Inputs<'a> {
    pub(super) x: &'a [f32],
    pub(super) grad: &'a [f32],
    /// `[params, size]`, row-major.
    pub(super) params: &'a [f32],
    /// 1 (shared parameters) or the number of units (x's last dimension).
    pub(super) size: usize,
}

/// One contiguous run of at most `BLOCK` elements within a row.
#[derive(Clone, Copy)]
struct Segment {
    start: usize,
    len: usize,
    /// Column of the first element (per-unit parameters), else 0.
    column: usize,
}

impl Inputs<'_> {
    /// Elements per piece: whole rows with per-unit parameters.
    fn piece_len(&self) -> usize {
        if self.size > 1 {
            (PIECE / self.size).max(1) * self.size
        } else {
            PIECE
        }
    }

    /// The segments of the elements `[start, end)`.
    fn segments(&self, start: usize, end: usize) -> impl Iterator<Item = Segment> + '_ {
        let row = if self.size > 1 {
            self.size
        } else {
            end - start
        };
        (start..end).step_by(row.max(1)).flat_map(move |row_start| {
            let row_end = (row_start + row).min(end);
            (row_start..row_end).step_by(BLOCK).map(move |s| Segment {
                start: s,
                len: (row_end - s).min(BLOCK),
                column: if self.size > 1 { s - row_start } else { 0 },
            })
        })
    }
}

/// The registers of one piece, with constants and shared parameters filled in.
fn registers(program: &Program, inputs: Inputs) -> Vec<f32> {
    let mut regs = vec![0.0f32; program.registers * BLOCK];
    let mut fill = |reg: Reg, v: f32| regs[reg as usize * BLOCK..][..BLOCK].fill(v);
    for &(reg, v) in &program.constants {
        fill(reg, v);
    }
    if inputs.size == 1 {
        for &(reg, index) in &program.params {
            fill(reg, inputs.params[index as usize]);
        }
    }
    regs
}

/// Loads a segment's inputs and runs every step on it.
#[inline(always)]
fn run_segment(program: &Program, inputs: Inputs, regs: &mut [f32], seg: Segment) {
    let mut load = |reg: Option<Reg>, from: &[f32]| {
        if let Some(reg) = reg {
            regs[reg as usize * BLOCK..][..seg.len].copy_from_slice(&from[..seg.len]);
        }
    };
    load(program.x, &inputs.x[seg.start..]);
    if program.grad.is_some() {
        load(program.grad, &inputs.grad[seg.start..]);
    }
    if inputs.size > 1 {
        for &(reg, index) in &program.params {
            let row = &inputs.params[index as usize * inputs.size..][..inputs.size];
            load(Some(reg), &row[seg.column..]);
        }
    }
    let mut partner = [0.0f32; BLOCK];
    for step in &program.steps {
        eval(step, regs, seg.len, &mut partner);
        if let Some(also) = step.also {
            regs[also as usize * BLOCK..][..seg.len].copy_from_slice(&partner[..seg.len]);
        }
    }
}

/// Register `reg`'s first `len` lanes.
#[inline(always)]
fn lanes(regs: &[f32], reg: Reg, len: usize) -> &[f32] {
    &regs[reg as usize * BLOCK..][..len]
}

/// Writes the first output to `out` and returns each further output summed over the
/// elements, per unit (`[outputs - 1, size]`), in float64, rounded at the end (empty for
/// a forward program).
pub(super) fn run(program: &Program, inputs: Inputs, out: &mut [f32]) -> Vec<f32> {
    let piece = inputs.piece_len();
    let sums_per_output = if inputs.size > 1 {
        inputs.size
    } else {
        SUM_LANES
    };
    let terms = program.outputs.len() - 1;
    let pieces: Vec<_> = out.chunks_mut(piece).enumerate().collect();
    let partials = each_piece(pieces, PARALLEL_PIECES, |(index, out)| {
        vmath::run(
            #[inline(always)]
            || {
                let mut regs = registers(program, inputs);
                let mut sums = vec![0.0f64; terms * sums_per_output];
                let start = index * piece;
                for seg in inputs.segments(start, start + out.len()) {
                    run_segment(program, inputs, &mut regs, seg);
                    let first = lanes(&regs, program.outputs[0], seg.len);
                    out[seg.start - start..][..seg.len].copy_from_slice(first);
                    for (k, &reg) in program.outputs[1..].iter().enumerate() {
                        let values = lanes(&regs, reg, seg.len);
                        let sums = &mut sums[k * sums_per_output..][..sums_per_output];
                        if inputs.size > 1 {
                            let sums = &mut sums[seg.column..][..seg.len];
                            for (s, &v) in sums.iter_mut().zip(values) {
                                *s += v as f64;
                            }
                        } else {
                            // Segments start at multiples of 16: lane j is element j mod 16.
                            for chunk in values.chunks(SUM_LANES) {
                                for (s, &v) in sums.iter_mut().zip(chunk) {
                                    *s += v as f64;
                                }
                            }
                        }
                    }
                }
                sums
            },
        )
    });
    let mut total = vec![0.0f64; terms * sums_per_output];
    for partial in partials {
        for (t, p) in total.iter_mut().zip(partial) {
            *t += p;
        }
    }
    if inputs.size > 1 {
        total.into_iter().map(|s| s as f32).collect()
    } else {
        total
            .chunks(SUM_LANES)
            .map(|lanes| lanes.iter().sum::<f64>() as f32)
            .collect()
    }
}

/// The register `dst` writable, every other readable.
struct Others<'a> {
    before: &'a [f32],
    after: &'a [f32],
    dst: usize,
}

impl<'a> Others<'a> {
    #[inline(always)]
    fn get(&self, reg: Reg, len: usize) -> &'a [f32] {
        let reg = reg as usize;
        debug_assert_ne!(reg, self.dst, "a step reads the register it writes");
        if reg < self.dst {
            &self.before[reg * BLOCK..][..len]
        } else {
            &self.after[(reg - self.dst - 1) * BLOCK..][..len]
        }
    }
}

#[inline(always)]
fn map1(dst: &mut [f32], a: &[f32], f: impl Fn(f32) -> f32) {
    for (d, &a) in dst.iter_mut().zip(a) {
        *d = f(a);
    }
}

#[inline(always)]
fn map2(dst: &mut [f32], a: &[f32], b: &[f32], f: impl Fn(f32, f32) -> f32) {
    for ((d, &a), &b) in dst.iter_mut().zip(a).zip(b) {
        *d = f(a, b);
    }
}

#[inline(always)]
fn select_lanes(dst: &mut [f32], [l, r, a, b]: [&[f32]; 4], holds: impl Fn(f32, f32) -> bool) {
    let pairs = l.iter().zip(r).zip(a.iter().zip(b));
    for (d, ((&l, &r), (&a, &b))) in dst.iter_mut().zip(pairs) {
        *d = select(holds(l, r), a, b);
    }
}

/// `a^n` as Burn's CPU backend computes it: products for |n| <= 2 (where it
/// multiplies), otherwise the float64 power rounded once (it calls `powf`, correctly
/// rounded; the float64 cube of a float32 is exact, a higher power within an ulp).
#[inline(always)]
fn pow_int(dst: &mut [f32], a: &[f32], n: i32) {
    match n {
        0 => dst.fill(1.0),
        1 => dst.copy_from_slice(a),
        2 => map1(dst, a, |v| v * v),
        -1 => map1(dst, a, |v| 1.0 / v),
        -2 => map1(dst, a, |v| 1.0 / (v * v)),
        3 => map1(dst, a, |v| {
            let v = v as f64;
            (v * v * v) as f32
        }),
        _ => map1(dst, a, |v| (v as f64).powi(n) as f32),
    }
}

/// `(dst, partner) = f(a)` lane by lane.
#[inline(always)]
fn map_pair(dst: &mut [f32], partner: &mut [f32], a: &[f32], f: impl Fn(f32) -> (f32, f32)) {
    for ((d, p), &a) in dst.iter_mut().zip(partner.iter_mut()).zip(a) {
        (*d, *p) = f(a);
    }
}

/// Runs one step on `len` lanes; a step with a partner (`Step::also`) writes the
/// partner's lanes to `partner` (the caller copies them to their register).
#[inline(always)]
fn eval(step: &Step, regs: &mut [f32], len: usize, partner: &mut [f32; BLOCK]) {
    let dst_index = step.dst as usize;
    let (before, rest) = regs.split_at_mut(dst_index * BLOCK);
    let (dst, after) = rest.split_at_mut(BLOCK);
    let others = Others {
        before,
        after,
        dst: dst_index,
    };
    let dst = &mut dst[..len];
    let r = |reg: Reg| others.get(reg, len);
    let paired = step.also.is_some();
    let partner = &mut partner[..len];
    match step.op {
        Op::Neg(a) => map1(dst, r(a), |v| -v),
        Op::Add(a, b) => map2(dst, r(a), r(b), |u, v| u + v),
        Op::Sub(a, b) => map2(dst, r(a), r(b), |u, v| u - v),
        Op::Mul(a, b) => map2(dst, r(a), r(b), |u, v| u * v),
        Op::Div(a, b) => map2(dst, r(a), r(b), |u, v| u / v),
        Op::PowInt(a, n) => pow_int(dst, r(a), n),
        Op::Pow(a, b) => map2(dst, r(a), r(b), |u, v| (u as f64).powf(v as f64) as f32),
        Op::Exp(a) => map1(dst, r(a), math::exp_full),
        Op::Log(a) => map1(dst, r(a), math::ln),
        Op::Sin(a) if paired => map_pair(dst, partner, r(a), math::sin_cos),
        Op::Cos(a) if paired => map_pair(dst, partner, r(a), |v| {
            let (sin, cos) = math::sin_cos(v);
            (cos, sin)
        }),
        Op::Sin(a) => map1(dst, r(a), math::sin),
        Op::Cos(a) => map1(dst, r(a), |v| math::sin_cos(v).1),
        Op::Abs(a) => map1(dst, r(a), f32::abs),
        Op::Sqrt(a) => map1(dst, r(a), f32::sqrt),
        Op::Erf(a) => map1(dst, r(a), math::erf),
        Op::Sign(a) => map1(dst, r(a), |v| {
            select(v > 0.0, 1.0, select(v < 0.0, -1.0, 0.0))
        }),
        Op::Select(cmp, l, rr, a, b) => {
            let operands = [r(l), r(rr), r(a), r(b)];
            match cmp {
                Comparison::Less => select_lanes(dst, operands, |l, r| l < r),
                Comparison::LessEqual => select_lanes(dst, operands, |l, r| l <= r),
                Comparison::Greater => select_lanes(dst, operands, |l, r| l > r),
                Comparison::GreaterEqual => select_lanes(dst, operands, |l, r| l >= r),
            }
        }
        Op::Value(_, a) | Op::Slope(_, a) if paired => {
            let slope_first = matches!(step.op, Op::Slope(..));
            let a = r(a);
            let order = move |(value, slope): (f32, f32)| {
                if slope_first {
                    (slope, value)
                } else {
                    (value, slope)
                }
            };
            match step.lanes.expect("registry steps carry their lanes") {
                Lanes::Fused(kernel) => with_kernel!(kernel, K => map_pair(
                    dst, partner, a, #[inline(always)] |v| order(fused_value_and_slope(K, v))
                )),
                Lanes::Piecewise(f) => with_piecewise!(f, F => map_pair(
                    dst, partner, a, #[inline(always)] |v| order(fixed::value_and_slope(F, v))
                )),
            }
        }
        Op::Value(_, a) | Op::Slope(_, a) => {
            let slope = matches!(step.op, Op::Slope(..));
            let a = r(a);
            match step.lanes.expect("registry steps carry their lanes") {
                Lanes::Fused(kernel) => with_kernel!(kernel, K => if slope {
                    map1(dst, a, #[inline(always)] |v| fused_value_and_slope(K, v).1)
                } else {
                    map1(dst, a, #[inline(always)] |v| fused_value_and_slope(K, v).0)
                }),
                Lanes::Piecewise(f) => with_piecewise!(f, F => if slope {
                    map1(dst, a, #[inline(always)] |v| fixed::value_and_slope(F, v).1)
                } else {
                    map1(dst, a, #[inline(always)] |v| fixed::value_and_slope(F, v).0)
                }),
            }
        }
        Op::X | Op::Grad | Op::Param(_) | Op::Const(_) => {
            unreachable!("leaves are loaded, not computed")
        }
    }
}
