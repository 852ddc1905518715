//! Branch-free float32 elementary functions. Each is `#[inline(always)]` so that a loop
//! over one, run inside [`crate::run`], compiles to vector instructions: conditions are
//! selects (both sides are computed), exponents are built from bit patterns.
//!
//! Accuracy (tests/accuracy.rs, against float64 over the float32 range that matters):
//! `exp` and `log1p` within 2 ulp, `tanh`, `sigmoid`, `sin`/`cos` within a few ulp,
//! `erf`/`normal_cdf` within 1e-7 absolute — the float32 parity suite's 1e-6 absolute /
//! 4 ulp against PyTorch leaves room for the few roundings an activation adds.

/// A single rounding of `a * b + c`.
#[inline(always)]
fn fma(a: f32, b: f32, c: f32) -> f32 {
    a.mul_add(b, c)
}

/// `if condition { a } else { b }`, written so that it compiles to a blend.
#[inline(always)]
pub fn select(condition: bool, a: f32, b: f32) -> f32 {
    if condition { a } else { b }
}

/// 1.5 * 2^23: adding it to |v| < 2^22 rounds v to an integer, which then sits in the
/// low bits of the sum's mantissa.
const ROUNDER: f32 = 12_582_912.0;

/// 2^n, for the integer n held by `shifted = n + ROUNDER`, -126 <= n <= 127.
#[inline(always)]
fn pow2_of_shifted(shifted: f32) -> f32 {
    let n = shifted.to_bits().wrapping_sub(ROUNDER.to_bits());
    f32::from_bits(n.wrapping_add(127) << 23)
}

/// e^x. Below -87.34 (where e^x leaves the normal range) it is 0; above 88.37 it stays at
/// e^88.37 ≈ 2.4e38 instead of overflowing (actlab's activations never feed it a larger
/// argument: they clamp first). NaN gives NaN.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const HIGH: f32 = 88.37;
    let clamped = select(x > HIGH, HIGH, x);
    let clamped = select(clamped < EXP_LOW, EXP_LOW, clamped);
    let (e_r, shifted) = exp_reduced(clamped);
    select(x < EXP_LOW, 0.0, e_r * pow2_of_shifted(shifted))
}

/// Where e^x leaves the normal range.
const EXP_LOW: f32 = -87.336_55;

/// e^x = e^r 2^n for a clamped x: (e^r, n + ROUNDER).
#[inline(always)]
fn exp_reduced(clamped: f32) -> (f32, f32) {
    // x = n ln 2 + r, |r| <= ln 2 / 2; ln 2 in two parts so that n * part is exact.
    let shifted = fma(clamped, std::f32::consts::LOG2_E, ROUNDER);
    let n = shifted - ROUNDER;
    let r = fma(n, -0.693_359_4, clamped);
    let r = fma(n, 2.121_944_4e-4, r);
    // Cephes expf: e^r = 1 + r + r^2 P(r).
    let mut p = 1.987_569_1e-4;
    p = fma(p, r, 1.398_199_9e-3);
    p = fma(p, r, 8.333_452e-3);
    p = fma(p, r, 4.166_579_6e-2);
    p = fma(p, r, 1.666_666_5e-1);
    p = fma(p, r, 5e-1);
    (fma(p, r * r, r) + 1.0, shifted)
}

/// e^x over the whole float32 range, for user expressions (whose arguments nothing
/// clamps): [`exp`]'s polynomial, with 2^n applied in two halves so that n = 128 (x up
/// to 88.72) stays finite, infinity above that, and 0 below -87.34 (where [`exp`] is 0
/// too; subnormal results are flushed). The built-in activations keep [`exp`], whose
/// bits their references record.
#[inline(always)]
pub fn exp_full(x: f32) -> f32 {
    /// The largest float32 x with a finite e^x.
    const OVERFLOW: f32 = 88.722_83;
    let clamped = select(x > OVERFLOW, OVERFLOW, x);
    let clamped = select(clamped < EXP_LOW, EXP_LOW, clamped);
    let (e_r, shifted) = exp_reduced(clamped);
    // 2^n = 2^(n-1) * 2 for n > 0 (2^128 is not a float32; 2^127 * 2 of e_r < 1 is).
    let n_positive = shifted > ROUNDER;
    let high = (e_r * pow2_of_shifted(shifted - 1.0)) * 2.0;
    let value = select(n_positive, high, e_r * pow2_of_shifted(shifted));
    let value = select(x > OVERFLOW, f32::INFINITY, value);
    select(x < EXP_LOW, 0.0, value)
}

/// ln x over the whole float32 range: NaN below 0 (and for NaN), -inf at 0, +inf at
/// +inf; subnormal x scaled into the normal range first. Cephes logf, within 2 ulp.
#[inline(always)]
pub fn ln(x: f32) -> f32 {
    /// 2^23, and the smallest normal float32.
    const SCALE: f32 = 8_388_608.0;
    let subnormal = x < f32::MIN_POSITIVE;
    let w = select(subnormal, x * SCALE, x);
    // ln_positive wants a positive normal number: give it 1 where x is not one.
    let usable = (w > 0.0) & (w < f32::INFINITY);
    let y = ln_positive(select(usable, w, 1.0));
    let y = select(subnormal, y - 23.0 * std::f32::consts::LN_2, y);
    let y = select(x == 0.0, f32::NEG_INFINITY, y);
    let y = select(x == f32::INFINITY, f32::INFINITY, y);
    select((x < 0.0) | x.is_nan(), f32::NAN, y)
}

/// ln(w) for a positive, normal w (Cephes logf).
#[inline(always)]
fn ln_positive(w: f32) -> f32 {
    const SQRT_HALF: f32 = std::f32::consts::FRAC_1_SQRT_2;
    let bits = w.to_bits();
    // w = m 2^e with m in [0.5, 1).
    let e = ((bits >> 23) as i32 - 126) as f32;
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f00_0000);
    // Move m to [sqrt(1/2), sqrt(2)) and take f = m - 1.
    let low = m < SQRT_HALF;
    let e = select(low, e - 1.0, e);
    let f = select(low, m + m - 1.0, m - 1.0);
    let z = f * f;
    let mut p = 7.037_683_6e-2;
    p = fma(p, f, -1.151_461e-1);
    p = fma(p, f, 1.167_699_9e-1);
    p = fma(p, f, -1.242_014_1e-1);
    p = fma(p, f, 1.424_932_3e-1);
    p = fma(p, f, -1.666_805_8e-1);
    p = fma(p, f, 2.000_071_4e-1);
    p = fma(p, f, -2.499_999_4e-1);
    p = fma(p, f, 3.333_333e-1);
    let mut y = p * f * z;
    y = fma(e, -2.121_944_4e-4, y);
    y = fma(-0.5, z, y);
    fma(e, 0.693_359_4, f + y)
}

/// ln(1 + u) for u >= 0 (finite): the rounding of `1 + u` is put back as a first-order
/// term, so small u keep their relative accuracy.
#[inline(always)]
pub fn log1p(u: f32) -> f32 {
    let w = 1.0 + u;
    let lost = u - (w - 1.0);
    ln_positive(w) + lost / w
}

/// ln(1 + e^x) as PyTorch's softplus computes it: x itself above 20.
#[inline(always)]
pub fn softplus(x: f32) -> f32 {
    // max(x, 0) + ln(1 + e^-|x|): the exp never overflows.
    let positive = select(x > 0.0, x, 0.0);
    let value = positive + log1p(exp(-x.abs()));
    select(x > 20.0, x, value)
}

/// tanh(x): Cephes' odd polynomial below |x| = 0.625, `1 - 2 / (e^{2|x|} + 1)` above.
#[inline(always)]
pub fn tanh(x: f32) -> f32 {
    let a = x.abs();
    let z = x * x;
    let mut p = -5.704_988_7e-3;
    p = fma(p, z, 2.063_909e-2);
    p = fma(p, z, -5.373_971_6e-2);
    p = fma(p, z, 1.333_144_2e-1);
    p = fma(p, z, -3.333_328e-1);
    let small = fma(p * z, x, x);
    let large = (1.0 - 2.0 / (exp(a + a) + 1.0)).copysign(x);
    select(a < 0.625, small, large)
}

/// 1 / (1 + e^-x).
#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

/// erf(|t|) split as (erf on [0, 0.9277], or 1 - tail): returns (is_small, x P(x^2) or
/// the tail e^{-|t| Q(|t|)} = erfc(|t|)). Polynomials fitted for this crate by weighted
/// least squares at Chebyshev nodes (`crates/vmath/fit_erf.py`).
#[inline(always)]
fn erf_parts(t: f32) -> (bool, f32, f32) {
    let a = t.abs();
    let z = t * t;
    let mut p = -5.998_113e-4;
    p = fma(p, z, 4.995_849_4e-3);
    p = fma(p, z, -2.676_966e-2);
    p = fma(p, z, 1.128_195_4e-1);
    p = fma(p, z, -3.761_251_6e-1);
    // The fitted leading coefficient: 2/√π to within the fit, not the constant itself.
    #[allow(clippy::approx_constant)]
    let leading = 1.128_379_1;
    p = fma(p, z, leading);
    let near = t * p;
    // Beyond |t| = 4, erfc(|t|) < 1.6e-8: the tail is taken as 0 there (the fit ends at 4).
    let clamped = select(a > 4.0, 4.0, a);
    let mut q = -1.120_421_5e-6;
    q = fma(q, clamped, 3.572_786_2e-5);
    q = fma(q, clamped, -5.088_679e-4);
    q = fma(q, clamped, 4.344_288_7e-3);
    q = fma(q, clamped, -2.523_406_2e-2);
    q = fma(q, clamped, 1.079_827_8e-1);
    q = fma(q, clamped, 6.340_573e-1);
    q = fma(q, clamped, 1.128_929_4);
    let tail = select(a > 4.0, 0.0, exp(-clamped * q));
    (a < 0.927_734_4, near, tail)
}

/// erf(x).
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    let (small, near, tail) = erf_parts(x);
    select(small, near, (1.0 - tail).copysign(x))
}

/// Φ(x) = (1 + erf(x / √2)) / 2, the standard normal CDF; for x below -1.31 from the
/// tail directly, without the cancellation of `1 + erf`.
#[inline(always)]
pub fn normal_cdf(x: f32) -> f32 {
    let t = x * std::f32::consts::FRAC_1_SQRT_2;
    let (small, near, tail) = erf_parts(t);
    let far = select(t < 0.0, 0.5 * tail, 1.0 - 0.5 * tail);
    select(small, fma(0.5, near, 0.5), far)
}

/// sin x alone, from one reduction by π (x = qπ + r, |r| ≤ π/2, sin x = (−1)^q sin r) and
/// one odd polynomial of degree 9 on [−π/2, π/2]: about half the work of [`sin_cos`],
/// which needs both polynomials and a quadrant select (STAF's forward pass wants only
/// the sine). The coefficients were fitted for this crate (least squares with Lawson's
/// reweighting towards minimax relative error, then rounded to float32): 1.7 ulp at
/// worst on the reduced range; the range and accuracy are those of [`sin_cos`] (the same
/// three-part π, doubled).
#[inline(always)]
pub fn sin(x: f32) -> f32 {
    let shifted = fma(x, std::f32::consts::FRAC_1_PI, ROUNDER);
    let half_turns = shifted.to_bits().wrapping_sub(ROUNDER.to_bits());
    let q = shifted - ROUNDER;
    let r = fma(q, -3.140_625, x);
    let r = fma(q, -9.675_026e-4, r);
    let r = fma(q, -1.509_958e-7, r);
    let z = r * r;
    let mut u = 2.605_781_2e-6;
    u = fma(u, z, -1.980_960_4e-4);
    u = fma(u, z, 8.333_066_5e-3);
    u = fma(u, z, -1.666_666e-1);
    let sin_r = fma(z, u * r, r);
    f32::from_bits(sin_r.to_bits() ^ ((half_turns & 1) << 31))
}

/// (sin x, cos x), both from one reduction by π/2. Accurate for |x| up to about 1e5
/// (π/2 in three parts); STAF's arguments Ω x + Φ stay far below that.
#[inline(always)]
pub fn sin_cos(x: f32) -> (f32, f32) {
    let shifted = fma(x, std::f32::consts::FRAC_2_PI, ROUNDER);
    let quadrant = shifted.to_bits().wrapping_sub(ROUNDER.to_bits());
    let q = shifted - ROUNDER;
    let r = fma(q, -1.570_312_5, x);
    let r = fma(q, -4.837_513e-4, r);
    let r = fma(q, -7.549_79e-8, r);
    let z = r * r;
    // Cephes sinf / cosf on [-π/4, π/4].
    let mut s = -1.951_529_6e-4;
    s = fma(s, z, 8.332_161e-3);
    s = fma(s, z, -1.666_665_5e-1);
    let sin_r = fma(s * z, r, r);
    let mut c = 2.443_315_7e-5;
    c = fma(c, z, -1.388_731_6e-3);
    c = fma(c, z, 4.166_664_6e-2);
    let cos_r = fma(c * z, z, fma(-0.5, z, 1.0));
    // Quadrant k: sin x = (sin r, cos r, -sin r, -cos r)[k], cos x = (cos r, -sin r, -cos r, sin r)[k].
    let odd = quadrant & 1 != 0;
    let sin_x = select(odd, cos_r, sin_r);
    let cos_x = select(odd, sin_r, cos_r);
    let sin_sign = (quadrant & 2) << 30;
    let cos_sign = (quadrant.wrapping_add(1) & 2) << 30;
    (
        f32::from_bits(sin_x.to_bits() ^ sin_sign),
        f32::from_bits(cos_x.to_bits() ^ cos_sign),
    )
}
