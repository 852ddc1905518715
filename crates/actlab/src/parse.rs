//! Value parsers for flags, so that a bad number is refused by the flag's name.

/// A whole number of at least 1.
pub fn positive_usize(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(v) => Ok(v),
        Err(_) => Err("must be a whole number of at least 1".into()),
    }
}

fn finite(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err("must be a finite number".into()),
        Err(_) => Err("must be a number such as 0.001 or 1e-3".into()),
    }
}

/// A finite number above 0.
pub fn positive_f64(s: &str) -> Result<f64, String> {
    finite(s).and_then(|v| {
        if v > 0.0 {
            Ok(v)
        } else {
            Err("must be greater than 0, e.g. 1e-3".into())
        }
    })
}

/// A finite number of at least 0.
pub fn non_negative_f64(s: &str) -> Result<f64, String> {
    finite(s).and_then(|v| {
        if v >= 0.0 {
            Ok(v)
        } else {
            Err("must be 0 or more".into())
        }
    })
}

/// A momentum in [0, 1).
pub fn momentum(s: &str) -> Result<f64, String> {
    finite(s).and_then(|v| {
        if (0.0..1.0).contains(&v) {
            Ok(v)
        } else {
            Err("must be in [0, 1), e.g. 0.9".into())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_checked() {
        assert_eq!(positive_usize("3"), Ok(3));
        assert!(positive_usize("0").is_err());
        assert!(positive_usize("-1").is_err());
        assert_eq!(positive_f64("1e-3"), Ok(1e-3));
        assert!(positive_f64("0").is_err());
        assert!(positive_f64("inf").is_err());
        assert!(positive_f64("NaN").is_err());
        assert!(momentum("1.0").is_err());
        assert_eq!(momentum("0"), Ok(0.0));
        assert!(non_negative_f64("-0.1").is_err());
    }
}
