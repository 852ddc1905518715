//! A user expression's programs as `#[cube]` kernels on Burn's CubeCL backend (wgpu).
//!
//! On the CPU a program is interpreted block by block. On a GPU each thread takes one
//! element through every step, so the program is unrolled into the kernel itself: the
//! program is the kernel's compile-time argument, and its steps are emitted, one
//! operation each, when CubeCL compiles the kernel (once per expression; CubeCL caches
//! kernels by their compile-time arguments). Registers become the compiled kernel's
//! values; the per-element work is straight-line code with no dispatch.
//!
//! Each operation takes the CPU's formula where the CPU computes it in float32; the two
//! that the CPU computes in float64 (`a^b`, and `a^n` beyond |n| = 2), which WGSL lacks, are
//! float32 here (`powf`, and repeated squaring).
//!
//! Parameter gradients: each element's terms are written out, then summed over the rows
//! in order per unit (or in fixed strided partial sums added in order, when shared),
//! as `cube` sums STAF's and TeLU's.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use burn::backend::TensorMetadata;
use burn::tensor::Shape;
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;
use spec::{Comparison, FixedFn};

use super::ExprKernel;
use super::fixed::Lanes;
use super::graph::Op;
use super::program::{Program, Reg};
use crate::fused::cube::{self as kernels, empty, grid, input, lanes, sum_middle};

/// A program as a kernel's compile-time argument: compared and hashed by its contents
/// (constants by their bits), so that each expression compiles once.
#[derive(Clone, Debug)]
pub(crate) struct CubeProgram(Arc<Program>);

impl PartialEq for CubeProgram {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.key() == other.key()
    }
}

impl Eq for CubeProgram {}

impl Hash for CubeProgram {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

/// A program's contents in hashable form.
type ProgramKey<'a> = (
    Vec<(u32, Op, Option<u32>, Option<Lanes>)>,
    usize,
    Option<Reg>,
    Option<Reg>,
    &'a [(Reg, u16)],
    Vec<(Reg, u32)>,
    &'a [Reg],
);

impl CubeProgram {
    fn key(&self) -> ProgramKey<'_> {
        let p = &*self.0;
        (
            p.steps
                .iter()
                .map(|s| (s.dst, s.op, s.also, s.lanes))
                .collect(),
            p.registers,
            p.x,
            p.grad,
            &p.params,
            p.constants.iter().map(|&(r, v)| (r, v.to_bits())).collect(),
            &p.outputs,
        )
    }

    /// Parameters the program reads (not necessarily all, nor in order).
    fn params(&self) -> usize {
        self.0.params.len()
    }

    /// The parameter (its row of `[params, size]`) the program's `k`-th read is.
    fn param_row(&self, k: usize) -> usize {
        self.0.params[k].1 as usize
    }

    fn outputs(&self) -> usize {
        self.0.outputs.len()
    }

    /// Emits the program's steps for one element: the outputs, in order.
    fn emit<F: Float>(
        &self,
        scope: &Scope,
        x: NativeExpand<F>,
        grad: NativeExpand<F>,
        params: &SequenceExpand<F>,
    ) -> SequenceExpand<F> {
        let p = &*self.0;
        let mut regs: Vec<Option<NativeExpand<F>>> = vec![None; p.registers];
        let params: Vec<NativeExpand<F>> = params.iter_cloned().collect();
        if let Some(reg) = p.x {
            regs[reg as usize] = Some(x);
        }
        if let Some(reg) = p.grad {
            regs[reg as usize] = Some(grad);
        }
        for (k, &(reg, _)) in p.params.iter().enumerate() {
            regs[reg as usize] = Some(params[k]);
        }
        for &(reg, v) in &p.constants {
            regs[reg as usize] = Some(F::__expand_new(scope, v));
        }
        for step in &p.steps {
            let r =
                |reg: Reg| regs[reg as usize].expect("a program reads registers it has written");
            let constant = |reg: Reg| {
                p.constants
                    .iter()
                    .find(|&&(r, _)| r == reg)
                    .map(|&(_, v)| v)
            };
            let (value, partner) = emit_step::<F>(scope, step.op, step.lanes, r, constant);
            regs[step.dst as usize] = Some(value);
            if let Some(also) = step.also {
                regs[also as usize] = Some(partner.expect("a step with a partner computes it"));
            }
        }
        let mut outputs = Sequence::<F>::__expand_new(scope);
        for &reg in &p.outputs {
            let value = regs[reg as usize].expect("outputs are written");
            outputs.__expand_push_method(scope, value);
        }
        outputs
    }
}

/// One step: its value, and its partner's (cos with sin, a registry function's slope
/// with its value).
fn emit_step<F: Float>(
    scope: &Scope,
    op: Op,
    lanes: Option<Lanes>,
    r: impl Fn(Reg) -> NativeExpand<F>,
    constant_in: impl Fn(Reg) -> Option<f32>,
) -> (NativeExpand<F>, Option<NativeExpand<F>>) {
    let constant = |v: f32| F::__expand_new(scope, v);
    let value = match op {
        Op::Neg(a) => r(a).__expand_neg_method(scope),
        Op::Add(a, b) => r(a).__expand_add_method(scope, r(b)),
        Op::Sub(a, b) => r(a).__expand_sub_method(scope, r(b)),
        Op::Mul(a, b) => r(a).__expand_mul_method(scope, r(b)),
        Op::Div(a, b) => r(a).__expand_div_method(scope, r(b)),
        Op::PowInt(a, n) => pow_int::<F>(scope, r(a), n),
        Op::Pow(a, b) => match constant_in(b) {
            Some(n) => pow_constant::<F>(scope, r(a), n),
            None => F::__expand_powf(scope, r(a), r(b)),
        },
        Op::Exp(a) => F::__expand_exp(scope, r(a)),
        Op::Log(a) => F::__expand_ln(scope, r(a)),
        Op::Sin(a) => {
            return (
                F::__expand_sin(scope, r(a)),
                Some(F::__expand_cos(scope, r(a))),
            );
        }
        Op::Cos(a) => {
            return (
                F::__expand_cos(scope, r(a)),
                Some(F::__expand_sin(scope, r(a))),
            );
        }
        Op::Abs(a) => F::__expand_abs(scope, r(a)),
        Op::Sqrt(a) => F::__expand_sqrt(scope, r(a)),
        Op::Erf(a) => F::__expand_erf(scope, r(a)),
        Op::Sign(a) => {
            let a = r(a);
            let zero = constant(0.0);
            let positive = a.__expand_gt_method(scope, &zero);
            let negative = a.__expand_lt_method(scope, &zero);
            let inner = select::expand(scope, negative, constant(-1.0), zero);
            select::expand(scope, positive, constant(1.0), inner)
        }
        Op::Select(cmp, l, rr, a, b) => {
            let (l, rr) = (r(l), r(rr));
            let holds = match cmp {
                Comparison::Less => l.__expand_lt_method(scope, &rr),
                Comparison::LessEqual => l.__expand_le_method(scope, &rr),
                Comparison::Greater => l.__expand_gt_method(scope, &rr),
                Comparison::GreaterEqual => l.__expand_ge_method(scope, &rr),
            };
            select::expand(scope, holds, r(a), r(b))
        }
        Op::Value(_, a) | Op::Slope(_, a) => {
            let slope_first = matches!(op, Op::Slope(..));
            let lanes = lanes.expect("registry steps carry their lanes");
            let value = registry::<F>(scope, r(a), lanes, false);
            let slope = registry::<F>(scope, r(a), lanes, true);
            return if slope_first {
                (slope, Some(value))
            } else {
                (value, Some(slope))
            };
        }
        Op::X | Op::Grad | Op::Param(_) | Op::Const(_) => {
            unreachable!("leaves are loaded, not computed")
        }
    };
    (value, None)
}

/// `a^b` for a constant b, as `a^k a^f` with k the nearest integer (by repeated squaring)
/// and |f| <= 1/2 (`sqrt` for a half, else the device's `powf`). The device's `powf` is
/// `2^(b log2 a)` in float32, whose error grows with |b log2 a|: 20 ulp at 2486^1.5 on
/// lavapipe, beyond what `expression_kernels.rs` allows (the CPU computes the power in
/// float64); `a^k` and a square root round a few times, each within an ulp.
fn pow_constant<F: Float>(scope: &Scope, a: NativeExpand<F>, b: f32) -> NativeExpand<F> {
    let k = b.round();
    if !b.is_finite() || k.abs() > 64.0 {
        let b = F::__expand_new(scope, b);
        return F::__expand_powf(scope, a, b);
    }
    let whole = pow_int::<F>(scope, a, k as i32);
    let fraction = b - k;
    let part = if fraction == 0.0 {
        return whole;
    } else if fraction == 0.5 {
        F::__expand_sqrt(scope, a)
    } else if fraction == -0.5 {
        let one = F::__expand_new(scope, 1.0);
        one.__expand_div_method(scope, F::__expand_sqrt(scope, a))
    } else {
        let f = F::__expand_new(scope, fraction);
        F::__expand_powf(scope, a, f)
    };
    whole.__expand_mul_method(scope, part)
}

/// A registry function's value or slope: its fused kernel's formula, or the piecewise
/// formula of `fixed`.
fn registry<F: Float>(
    scope: &Scope,
    a: NativeExpand<F>,
    lanes: Lanes,
    slope: bool,
) -> NativeExpand<F> {
    match (lanes, slope) {
        (Lanes::Fused(kernel), false) => kernels::value::expand::<F>(scope, a, kernel),
        (Lanes::Fused(kernel), true) => kernels::slope::expand::<F>(scope, a, kernel),
        (Lanes::Piecewise(f), false) => piecewise_value::expand::<F>(scope, a, f),
        (Lanes::Piecewise(f), true) => piecewise_slope::expand::<F>(scope, a, f),
    }
}

/// `a^n` by repeated squaring (Rust's `powi`), `1 / a^|n|` for negative n; the CPU's
/// |n| <= 2 are the same products.
fn pow_int<F: Float>(scope: &Scope, a: NativeExpand<F>, n: i32) -> NativeExpand<F> {
    let one = F::__expand_new(scope, 1.0);
    let mut result: Option<NativeExpand<F>> = None;
    let mut base = a;
    let mut e = n.unsigned_abs();
    while e > 0 {
        if e & 1 == 1 {
            result = Some(match result {
                None => base,
                Some(r) => r.__expand_mul_method(scope, base),
            });
        }
        e >>= 1;
        if e > 0 {
            base = base.__expand_mul_method(scope, base);
        }
    }
    let power = result.unwrap_or(one);
    if n < 0 {
        one.__expand_div_method(scope, power)
    } else {
        power
    }
}

/// The piecewise registry functions' values (`fixed::value_and_slope`).
#[cube]
fn piecewise_value<F: Float>(x: F, #[comptime] f: FixedFn) -> F {
    let zero = F::new(0.0);
    let one = F::new(1.0);
    match f {
        FixedFn::ReLU => select(x > zero, x, zero),
        FixedFn::LeakyReLU => select(x > zero, x, zero) + select(x > zero, zero, x) * F::new(0.01),
        FixedFn::Hardswish => {
            let middle = x * (x + F::new(3.0)) / F::new(6.0);
            select(x >= F::new(3.0), x, select(x <= F::new(-3.0), zero, middle))
        }
        FixedFn::Softsign => x / (F::abs(x) + one),
        FixedFn::Hardtanh => select(x <= -one, -one, select(x >= one, one, x)),
        FixedFn::Hardsigmoid => select(
            x <= F::new(-3.0),
            zero,
            select(x >= F::new(3.0), one, x / F::new(6.0) + F::new(0.5)),
        ),
        FixedFn::ReLU6 => select(x <= zero, zero, select(x >= F::new(6.0), F::new(6.0), x)),
        FixedFn::Identity => x,
        FixedFn::Step => select(x >= zero, one, zero),
        _ => comptime!(unreachable!("{f:?} has a fused kernel")),
    }
}

/// The piecewise registry functions' derivatives (`fixed::value_and_slope`).
#[cube]
fn piecewise_slope<F: Float>(x: F, #[comptime] f: FixedFn) -> F {
    let zero = F::new(0.0);
    let one = F::new(1.0);
    match f {
        FixedFn::ReLU => select(x > zero, one, zero),
        FixedFn::LeakyReLU => select(x > zero, one, F::new(0.01)),
        FixedFn::Hardswish => select(
            x >= F::new(3.0),
            one,
            select(x <= F::new(-3.0), zero, (x + x + F::new(3.0)) / F::new(6.0)),
        ),
        FixedFn::Softsign => {
            let d = F::abs(x) + one;
            one / (d * d)
        }
        FixedFn::Hardtanh => select(x > -one && x < one, one, zero),
        FixedFn::Hardsigmoid => {
            select(x > F::new(-3.0) && x < F::new(3.0), F::new(1.0 / 6.0), zero)
        }
        FixedFn::ReLU6 => select(x > zero && x < F::new(6.0), one, zero),
        FixedFn::Identity => one,
        FixedFn::Step => select(x >= -one && x <= one, one, zero),
        _ => comptime!(unreachable!("{f:?} has a fused kernel")),
    }
}

/// The program's outputs for one element.
#[cube]
fn run_program<F: Float>(
    x: F,
    grad: F,
    params: &Sequence<F>,
    #[comptime] program: CubeProgram,
) -> Sequence<F> {
    intrinsic!(|scope| program.emit::<F>(scope, x, grad, params))
}

/// Element k of x through the program: the first output to `out[k]`, output j > 0 to
/// `terms[(j - 1) * n + k]` (a parameter's gradient term, summed afterwards). Parameters
/// are `[params, size]`: element k reads column k mod size.
#[cube(launch)]
fn expression_kernel<F: Float>(
    x: &[F],
    grad: &[F],
    params: &[F],
    out: &mut [F],
    terms: &mut [F],
    size: u32,
    #[comptime] program: CubeProgram,
) {
    let k = ABSOLUTE_POS;
    let n = out.len();
    if k < n {
        let size = size as usize;
        let column = k % size;
        // The parameters the program reads, in the order of its reads.
        let mut values = Sequence::<F>::new();
        #[unroll]
        for p in 0..comptime!(program.params()) {
            let row = comptime!(program.param_row(p));
            values.push(params[row * size + column]);
        }
        let count = comptime!(program.outputs());
        let outputs = run_program::<F>(x[k], grad[k], &values, program);
        out[k] = *outputs.index(0);
        #[unroll]
        for j in 1..count {
            terms[(j - 1) * n + k] = *outputs.index(j);
        }
    }
}

/// Sums `[outer, n]` over n: elements j, j + stride, ... of each row by thread (row, j),
/// in order.
#[cube(launch)]
fn strided_sum_kernel<F: Float>(input: &[F], out: &mut [F], n: u32, stride: u32) {
    let q = ABSOLUTE_POS;
    if q < out.len() {
        let n = n as usize;
        let stride = stride as usize;
        let row = q / stride;
        let j = q % stride;
        let steps = (n - j).div_ceil(stride);
        let mut sum = F::new(0.0);
        for s in 0..steps {
            sum += input[row * n + j + s * stride];
        }
        out[q] = sum;
    }
}

impl ExprKernel {
    /// Runs `program` on every element; returns the first output and the terms buffer.
    fn launch(
        &self,
        program: &Arc<Program>,
        x: &CubeTensor,
        grad: &CubeTensor,
        params: &CubeTensor,
    ) -> (CubeTensor, CubeTensor) {
        let n = x.shape().num_elements();
        let size = params.shape()[1].max(1);
        let program = CubeProgram(Arc::clone(program));
        let out = empty(x, x.shape());
        let terms = empty(x, Shape::new([(program.outputs() - 1).max(1) * n.max(1)]));
        let (count, dim) = grid(x, n);
        expression_kernel::launch::<f32>(
            &x.client,
            count,
            dim,
            x.clone().into_buffer_arg(),
            grad.clone().into_buffer_arg(),
            params.clone().into_buffer_arg(),
            out.clone().into_buffer_arg(),
            terms.clone().into_buffer_arg(),
            size as u32,
            program,
        );
        (out, terms)
    }

    /// The expression's value on the GPU; `params` is `[params, size]`.
    pub(crate) fn cube_forward(&self, x: CubeTensor, params: CubeTensor) -> CubeTensor {
        let (x, params) = (input(x), input(params));
        // The forward program reads no gradient: x stands in for the buffer.
        self.launch(&self.forward, &x, &x, &params).0
    }

    /// `dx` and the parameters' gradients (`[params, size]`) on the GPU.
    pub(crate) fn cube_backward(
        &self,
        x: CubeTensor,
        params: CubeTensor,
        grad: CubeTensor,
    ) -> (CubeTensor, CubeTensor) {
        let (x, params, grad) = (input(x), input(params), input(grad));
        let (dx, terms) = self.launch(&self.backward, &x, &grad, &params);
        let shape = params.shape();
        if self.params == 0 {
            let zeros = kernels::zeros(&x, shape);
            return (dx, zeros);
        }
        let n = x.shape().num_elements();
        let size = shape[1];
        let stride = lanes(n, size);
        let partial = empty(&x, Shape::new([self.params, stride]));
        let (count, dim) = grid(&x, self.params * stride);
        strided_sum_kernel::launch::<f32>(
            &x.client,
            count,
            dim,
            terms.into_buffer_arg(),
            partial.clone().into_buffer_arg(),
            n as u32,
            stride as u32,
        );
        let sums = if size == 1 {
            sum_middle(partial, self.params, stride, 1)
        } else {
            partial
        };
        (dx, kernels::reshaped(sums, shape))
    }
}
