//! Value and derivative of every parameter-free registry function, lane by lane, for
//! expressions that call them (`gelu(x)`, `relu(x - 1)`). The functions with a fused
//! kernel use its `value_and_slope`; the piecewise-linear ones (composed tensor
//! operations elsewhere) are written out here with the composed path's values at the
//! joints and its derivative there (which side owns a joint follows Burn's masks).

use spec::{FixedFn, FusedKernel, Kernel};
use vmath::math::select;

/// Runs `$body` with `$f` bound to `$function` as a constant, so that the loop inside
/// `$body` is compiled once per function with no match in it. Only the functions
/// without a fused kernel: the others go through `kernels::with_kernel`.
macro_rules! with_piecewise {
    ($function:expr, $f:ident => $body:expr) => {
        with_piecewise!(@arms $function, $f, $body;
            ReLU, LeakyReLU, Hardswish, Softsign, Hardtanh, Hardsigmoid, ReLU6, Identity, Step)
    };
    (@arms $function:expr, $f:ident, $body:expr; $($variant:ident),*) => {
        match $function {
            $(spec::FixedFn::$variant => {
                const $f: spec::FixedFn = spec::FixedFn::$variant;
                $body
            })*
            other => unreachable!("{other:?} has a fused kernel"),
        }
    };
}
pub(super) use with_piecewise;

/// How lanes compute a registry function: its fused kernel's `value_and_slope`, or the
/// piecewise formulas here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Lanes {
    Fused(FusedKernel),
    Piecewise(FixedFn),
}

impl Lanes {
    pub(super) fn of(f: FixedFn) -> Lanes {
        match f.kind().kernel() {
            Kernel::Fused(kernel) => Lanes::Fused(kernel),
            _ => Lanes::Piecewise(f),
        }
    }
}

/// `f(x)` and `f'(x)` for a function without a fused kernel. Ranges are tested with `&`
/// of two comparisons, which stays branch-free (vectorised); `contains` short-circuits.
#[allow(clippy::manual_range_contains)]
#[inline(always)]
pub(super) fn value_and_slope(f: FixedFn, x: f32) -> (f32, f32) {
    let positive = x > 0.0;
    match f {
        // relu(x) = x > 0 ? x : 0, slope 0 at 0 (Burn's relu backward).
        FixedFn::ReLU => (select(positive, x, 0.0), select(positive, 1.0, 0.0)),
        // relu(x) + 0.01 min(x, 0): the slope at 0 is min's (its gradient passes at a tie).
        FixedFn::LeakyReLU => (
            select(positive, x, 0.0) + select(positive, 0.0, x) * 0.01,
            select(positive, 1.0, 0.01),
        ),
        // x (x + 3) / 6 between the joints; 0 from -3 down, x from 3 up.
        FixedFn::Hardswish => {
            let middle = x * (x + 3.0) / 6.0;
            let value = select(x >= 3.0, x, select(x <= -3.0, 0.0, middle));
            let slope = select(x >= 3.0, 1.0, select(x <= -3.0, 0.0, (x + x + 3.0) / 6.0));
            (value, slope)
        }
        FixedFn::Softsign => {
            let d = x.abs() + 1.0;
            (x / d, 1.0 / (d * d))
        }
        FixedFn::Hardtanh => {
            let inside = (x > -1.0) & (x < 1.0);
            let value = select(x <= -1.0, -1.0, select(x >= 1.0, 1.0, x));
            (value, select(inside, 1.0, 0.0))
        }
        FixedFn::Hardsigmoid => {
            let inside = (x > -3.0) & (x < 3.0);
            let value = select(x <= -3.0, 0.0, select(x >= 3.0, 1.0, x / 6.0 + 0.5));
            (value, select(inside, 1.0 / 6.0, 0.0))
        }
        FixedFn::ReLU6 => {
            let inside = (x > 0.0) & (x < 6.0);
            let value = select(x <= 0.0, 0.0, select(x >= 6.0, 6.0, x));
            (value, select(inside, 1.0, 0.0))
        }
        FixedFn::Identity => (x, 1.0),
        // The straight-through step: 1 from 0 up, the clipped identity's slope.
        FixedFn::Step => (
            select(x >= 0.0, 1.0, 0.0),
            select((x >= -1.0) & (x <= 1.0), 1.0, 0.0),
        ),
        other => unreachable!("{other:?} has a fused kernel"),
    }
}
