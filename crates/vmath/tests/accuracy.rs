//! Every vectorised function against float64 on dense grids, on every instruction-set
//! path this CPU has, and every path giving the same bits. Which paths the CPU has is
//! found here with std's own feature detection, not vmath's, and a path it has that
//! vmath did not run fails the test; the paths compared are printed (`--nocapture`).

use vmath::{Isa, math, run_on};

/// The paths this CPU can run, by std's detection of the features each path enables.
fn paths_of_this_cpu() -> Vec<Isa> {
    let mut paths = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        let has = |features: &[bool]| features.iter().all(|&f| f);
        let avx2 = has(&[
            is_x86_feature_detected!("avx2"),
            is_x86_feature_detected!("fma"),
        ]);
        let avx512 = avx2
            && has(&[
                is_x86_feature_detected!("avx512f"),
                is_x86_feature_detected!("avx512dq"),
                is_x86_feature_detected!("avx512vl"),
            ]);
        if avx512 {
            paths.push(Isa::Avx512);
        }
        if avx2 {
            paths.push(Isa::Avx2);
        }
    }
    paths.push(Isa::Baseline);
    paths
}

/// `f` at every point on each path this CPU has, each call inlined into that path's
/// loop (a generic — a function item or closure, not a function pointer — so that each
/// path really vectorises it); a path the CPU has must run, one it lacks must not.
fn on_every_path(points: &[f32], f: impl Fn(f32) -> f32 + Copy) -> Vec<(Isa, Vec<f32>)> {
    let ours = paths_of_this_cpu();
    let mut results = Vec::new();
    for isa in Isa::ALL {
        let mut out = vec![0.0f32; points.len()];
        let ran = run_on(isa, || {
            for (o, &x) in out.iter_mut().zip(points) {
                *o = f(x);
            }
        });
        assert_eq!(
            ran.is_some(),
            ours.contains(&isa),
            "{isa:?}: vmath {} it, the CPU {} it",
            if ran.is_some() { "ran" } else { "did not run" },
            if ours.contains(&isa) { "has" } else { "lacks" },
        );
        if ran.is_some() {
            results.push((isa, out));
        }
    }
    results
}

/// The spacing of float32 numbers at `v` (the ulp of its magnitude).
fn ulp(v: f64) -> f64 {
    let a = (v as f32).abs();
    (a.next_up() - a) as f64
}

/// `count` evenly spaced float32 points in [low, high].
fn grid(low: f64, high: f64, count: usize) -> Vec<f32> {
    (0..count)
        .map(|i| (low + (high - low) * i as f64 / (count - 1) as f64) as f32)
        .collect()
}

/// The largest error of `ours` against `exact` over the points, in ulps of the exact
/// value, with absolute errors below `floor` forgiven, on each path; returns the worst
/// (ulps, x, path).
fn worst_ulps(
    points: &[f32],
    ours: impl Fn(f32) -> f32 + Copy,
    exact: impl Fn(f64) -> f64,
    floor: f64,
) -> (f64, f32, Isa) {
    let want: Vec<f64> = points.iter().map(|&x| exact(x as f64)).collect();
    let mut worst = (0.0, 0.0, Isa::Baseline);
    for (isa, values) in on_every_path(points, ours) {
        for ((&x, &want), &got) in points.iter().zip(&want).zip(&values) {
            let got = got as f64;
            assert!(
                got.is_finite() || !want.is_finite(),
                "non-finite at {x} on {isa:?}: {got}"
            );
            let diff = (got - want).abs();
            if diff <= floor {
                continue;
            }
            let ulps = diff / ulp(want);
            if ulps > worst.0 {
                worst = (ulps, x, isa);
            }
        }
    }
    worst
}

fn check(name: &str, worst: (f64, f32, Isa), bound: f64) {
    let (ulps, x, isa) = worst;
    println!(
        "{name}: worst {ulps:.2} ulp at x = {x} ({isa:?}; paths {:?})",
        paths_of_this_cpu()
    );
    assert!(
        ulps <= bound,
        "{name}: {ulps:.2} ulp at x = {x} on {isa:?} (bound {bound})"
    );
}

#[test]
fn exp_is_within_two_ulp() {
    let points = grid(-87.3, 88.3, 400_001);
    check("exp", worst_ulps(&points, math::exp, f64::exp, 0.0), 2.0);
    assert_eq!(math::exp(-100.0), 0.0);
    assert_eq!(math::exp(0.0), 1.0);
    assert!(math::exp(f32::NAN).is_nan());
}

#[test]
fn the_full_range_exp_and_ln_are_within_two_ulp() {
    let points = grid(-87.3, 88.72, 400_001);
    check(
        "exp_full",
        worst_ulps(&points, math::exp_full, f64::exp, 0.0),
        2.0,
    );
    assert_eq!(math::exp_full(88.8), f32::INFINITY);
    assert_eq!(math::exp_full(f32::INFINITY), f32::INFINITY);
    assert_eq!(math::exp_full(-100.0), 0.0);
    assert!(math::exp_full(88.72).is_finite());
    assert!(math::exp_full(f32::NAN).is_nan());
    let mut points = grid(1e-6, 10.0, 200_001);
    points.extend(grid(10.0, 1e30, 200_001));
    points.extend((0..149).map(|k| 2f32.powi(-k) * 1.3));
    check("ln", worst_ulps(&points, math::ln, f64::ln, 0.0), 2.0);
    assert_eq!(math::ln(0.0), f32::NEG_INFINITY);
    assert_eq!(math::ln(f32::INFINITY), f32::INFINITY);
    assert!(math::ln(-1.0).is_nan() && math::ln(f32::NAN).is_nan());
    assert_eq!(math::ln(1.0), 0.0);
}

#[test]
fn log1p_is_within_two_ulp() {
    let mut points = grid(0.0, 1.0, 200_001);
    points.extend(grid(1.0, 1e6, 200_001));
    points.extend((0..120).map(|k| 2f32.powi(-k)));
    check(
        "log1p",
        worst_ulps(&points, math::log1p, f64::ln_1p, 0.0),
        2.0,
    );
}

#[test]
fn softplus_tanh_and_sigmoid_are_within_a_few_ulp() {
    let points = grid(-30.0, 30.0, 600_001);
    let softplus = |x: f64| if x > 20.0 { x } else { x.exp().ln_1p() };
    check(
        "softplus",
        worst_ulps(&points, math::softplus, softplus, 0.0),
        3.0,
    );
    check("tanh", worst_ulps(&points, math::tanh, f64::tanh, 0.0), 3.0);
    let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
    check(
        "sigmoid",
        worst_ulps(&points, math::sigmoid, sigmoid, 0.0),
        3.0,
    );
}

#[test]
fn erf_and_the_normal_cdf_are_within_1e7_absolute() {
    let points = grid(-12.0, 12.0, 480_001);
    let erf = |x: f64| statrs::function::erf::erf(x);
    let cdf = |x: f64| 0.5 * statrs::function::erf::erfc(-x / std::f64::consts::SQRT_2);
    // Absolute errors up to 1e-7 are allowed; beyond that, 2 ulp.
    check("erf", worst_ulps(&points, math::erf, erf, 1e-7), 2.0);
    check(
        "normal_cdf",
        worst_ulps(&points, math::normal_cdf, cdf, 1e-7),
        2.0,
    );
    // Relative accuracy in the lower tail, where GELU's negative side lives: the fit is
    // within 2e-7; e^{-t Q(t)} adds the rounding of its float32 argument (|t Q| <= 16,
    // whose ulp is 1e-6 relative), so 1e-5 is allowed — `1 + erf` would lose it all.
    let tail = grid(-5.6, -1.4, 4001);
    for (isa, values) in on_every_path(&tail, math::normal_cdf) {
        for (&x, &got) in tail.iter().zip(&values) {
            let want = cdf(x as f64);
            let got = got as f64;
            assert!(
                (got / want - 1.0).abs() < 1e-5,
                "Φ({x}) = {got} on {isa:?}, want {want}"
            );
        }
    }
}

#[test]
fn sin_and_cos_are_within_two_ulp_or_1e7() {
    let points = grid(-3000.0, 3000.0, 600_001);
    let sin = |x: f32| math::sin_cos(x).0;
    let cos = |x: f32| math::sin_cos(x).1;
    check("sin", worst_ulps(&points, sin, f64::sin, 1e-7), 2.0);
    check("cos", worst_ulps(&points, cos, f64::cos, 1e-7), 2.0);
    let small = grid(-4.0, 4.0, 400_001);
    check("sin near 0", worst_ulps(&small, sin, f64::sin, 0.0), 2.0);
    // The sine alone (STAF's forward pass): the same bounds.
    check(
        "sin alone",
        worst_ulps(&points, math::sin, f64::sin, 1e-7),
        2.0,
    );
    check(
        "sin alone near 0",
        worst_ulps(&small, math::sin, f64::sin, 0.0),
        2.0,
    );
}

/// `f` gives the same bits on every path the CPU has.
fn same_bits_on_every_path(name: &str, points: &[f32], f: impl Fn(f32) -> f32 + Copy) {
    let results = on_every_path(points, f);
    let (first, reference) = &results[0];
    for (isa, out) in &results[1..] {
        let differ = out
            .iter()
            .zip(reference)
            .filter(|(a, b)| a.to_bits() != b.to_bits())
            .count();
        assert_eq!(
            differ, 0,
            "{name}: {differ} values on {isa:?} differ from {first:?}"
        );
    }
}

#[test]
fn every_instruction_set_gives_the_same_bits() {
    println!(
        "detected: {:?}; compared: {:?}",
        Isa::detected(),
        paths_of_this_cpu()
    );
    let points = grid(-100.0, 100.0, 100_003);
    same_bits_on_every_path("exp", &points, math::exp);
    same_bits_on_every_path("exp_full", &points, math::exp_full);
    let positive: Vec<f32> = points.iter().map(|v| v.abs() * 1e3).collect();
    same_bits_on_every_path("ln", &positive, math::ln);
    same_bits_on_every_path("softplus", &points, math::softplus);
    same_bits_on_every_path("tanh", &points, math::tanh);
    same_bits_on_every_path("sigmoid", &points, math::sigmoid);
    same_bits_on_every_path("erf", &points, math::erf);
    same_bits_on_every_path("normal_cdf", &points, math::normal_cdf);
    same_bits_on_every_path("sin", &points, |x| math::sin_cos(x).0);
    same_bits_on_every_path("sin alone", &points, math::sin);
    same_bits_on_every_path("cos", &points, |x| math::sin_cos(x).1);
}
