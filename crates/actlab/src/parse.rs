//! Value parsers for flags, so that a bad number is refused by the flag's name, and a
//! parser for every named choice of `spec` (scope, layer type, optimiser, ...).

use std::ffi::OsStr;
use std::marker::PhantomData;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::ErrorKind;
use spec::NamedChoice;

/// Parses one of `T`'s names (case-insensitive, `_` for `-`), suggesting the closest on
/// a typo; `--help` lists the names.
#[derive(Clone, Copy, Debug, Default)]
pub struct Choice<T>(PhantomData<T>);

/// The parser of `T`'s names, for `#[arg(value_parser = choice::<T>())]`.
pub fn choice<T>() -> Choice<T> {
    Choice(PhantomData)
}

impl<T: NamedChoice> TypedValueParser for Choice<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        let flag = arg.map_or_else(|| "value".to_string(), |a| format!("'{a}'"));
        let text = value.to_str().ok_or_else(|| {
            clap::Error::raw(ErrorKind::InvalidUtf8, format!("{flag} is not UTF-8\n")).with_cmd(cmd)
        })?;
        text.parse::<T>().map_err(|e| {
            clap::Error::raw(
                ErrorKind::InvalidValue,
                format!("invalid value '{text}' for {flag}: {e}\n"),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(T::NAMES.iter().map(|n| PossibleValue::new(*n))))
    }
}

/// Which share of a sweep's planned runs a process trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardChoice {
    /// Shard `index` of `count`, 0-based.
    Index {
        /// This shard.
        index: usize,
        /// Shards in all.
        count: usize,
    },
    /// The index from the scheduler's environment (Slurm array task, Kubernetes
    /// indexed job) of `count` shards.
    Auto {
        /// Shards in all.
        count: usize,
    },
}

/// `I/N` (0 <= I < N) or `auto/N`.
pub fn shard(s: &str) -> Result<ShardChoice, String> {
    let usage = "must be I/N with 0 <= I < N, e.g. 0/4, or auto/N to take I from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX";
    let (index, count) = s.trim().split_once('/').ok_or(usage)?;
    let count: usize = count.parse().map_err(|_| usage)?;
    if count == 0 {
        return Err(usage.into());
    }
    if index == "auto" {
        return Ok(ShardChoice::Auto { count });
    }
    match index.parse::<usize>() {
        Ok(index) if index < count => Ok(ShardChoice::Index { index, count }),
        _ => Err(usage.into()),
    }
}

/// A whole number of at least 1.
pub fn positive_usize(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(v) => Ok(v),
        Err(_) => Err("must be a whole number of at least 1".into()),
    }
}

/// A number that float32 holds (actlab computes in float32).
fn finite(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if spec::numbers::fits_f32(v) => Ok(v),
        Ok(v) if v.is_finite() => {
            Err("must be within float32's range (at most 3.4e38 in size)".into())
        }
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

/// A whole number from 1 to `MAX`: a larger one is a typo, refused by name.
pub fn up_to<const MAX: usize>(s: &str) -> Result<usize, String> {
    let v = positive_usize(s)?;
    if v > MAX {
        return Err(format!("must be at most {MAX}"));
    }
    Ok(v)
}

/// How many runs at once: a positive count, or `auto` for the machine's cores.
pub fn jobs(s: &str) -> Result<usize, String> {
    if s.trim().eq_ignore_ascii_case("auto") {
        return Ok(std::thread::available_parallelism().map_or(1, |n| n.get()));
    }
    up_to::<1024>(s).map_err(|e| format!("{e}, or auto (one per core)"))
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
    fn choices_parse_by_name_and_suggest() {
        let cmd = clap::Command::new("t");
        let parse = |v: &str| choice::<spec::Scope>().parse_ref(&cmd, None, OsStr::new(v));
        assert_eq!(parse("Per_Layer").unwrap(), spec::Scope::PerLayer);
        let err = parse("global").unwrap_err().to_string();
        assert!(err.contains("unknown scope 'global'"), "{err}");
        let names: Vec<String> = choice::<spec::Scope>()
            .possible_values()
            .unwrap()
            .map(|p| p.get_name().to_string())
            .collect();
        assert_eq!(names, ["shared", "per-layer", "per-neuron"]);
    }

    #[test]
    fn shards_are_index_of_count() {
        assert_eq!(shard("1/4"), Ok(ShardChoice::Index { index: 1, count: 4 }));
        assert_eq!(shard("auto/8"), Ok(ShardChoice::Auto { count: 8 }));
        for bad in ["4/4", "1", "a/2", "0/0", "-1/3"] {
            assert!(shard(bad).is_err(), "{bad}");
        }
    }

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
