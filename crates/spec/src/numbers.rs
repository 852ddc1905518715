//! Numbers that reach a tensor: Burn computes in float32, and converting a float64
//! beyond float32's range to a tensor element is a panic, not an infinity. Every number a
//! config or expression gives is checked against this range where it is read.

/// The largest finite float32, as a float64.
pub const F32_MAX: f64 = f32::MAX as f64;

/// `v` as a person writes it: 0.001 and 250, but 1e39 rather than its 40 digits.
pub fn show(v: f64) -> String {
    if v != 0.0 && v.is_finite() && (v.abs() >= 1e9 || v.abs() < 1e-4) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Whether `v` is finite in float32.
pub fn fits_f32(v: f64) -> bool {
    v.is_finite() && v.abs() <= F32_MAX
}

/// Why `v` does not fit, in words, when it does not.
pub fn f32_problem(v: f64) -> Option<String> {
    if v.is_nan() {
        Some("is not a number (NaN)".into())
    } else if !v.is_finite() {
        Some(format!("is {v}"))
    } else if v.abs() > F32_MAX {
        Some(format!(
            "is {v:.3e}, beyond float32's range (±3.4e38), in which actlab computes"
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_is_float32s() {
        assert!(fits_f32(3.4e38) && fits_f32(-1e-45) && fits_f32(0.0));
        assert!(!fits_f32(3.5e38) && !fits_f32(f64::INFINITY) && !fits_f32(f64::NAN));
        assert!(
            f32_problem(1e39)
                .unwrap()
                .contains("beyond float32's range")
        );
    }
}
