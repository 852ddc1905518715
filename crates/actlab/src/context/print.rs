//! What commands print: JSON for `--json`, paths, dates.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use serde::Serialize;

use crate::failure::{Failure, failed};

/// `YYYY-MM-DD HH:MM` (UTC) of a time (the civil-from-days algorithm of H. Hinnant).
pub fn utc(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        rest / 3600,
        (rest % 3600) / 60
    )
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .context("serialising the output")
        .map_err(failed)?;
    outln!("{text}");
    Ok(())
}

/// Says where files went, on one line.
pub fn print_paths(paths: &[PathBuf]) {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    outln!("{}", names.join("  "));
}

/// `n` and the word, plural unless n is 1: `1 epoch`, `3 seeds`.
pub fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_are_utc_dates() {
        assert_eq!(utc(UNIX_EPOCH), "1970-01-01 00:00");
        let t = UNIX_EPOCH + Duration::from_secs(1_764_476_733);
        assert_eq!(utc(t), "2025-11-30 04:25");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(utc(leap), "2000-02-29 00:00");
    }

    #[test]
    fn counts_are_singular_only_for_one() {
        assert_eq!(count(1, "epoch"), "1 epoch");
        assert_eq!(count(0, "seed"), "0 seeds");
        assert_eq!(count(3, "seed"), "3 seeds");
    }
}
