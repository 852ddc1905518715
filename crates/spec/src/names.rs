//! Name matching shared by every registry-like lookup: case-insensitive, with
//! "did you mean" suggestions for typos.

use std::fmt;

/// An unknown name, with the closest valid ones and the full list of valid names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// What kind of thing was looked up ("activation", "scope", ...).
    pub what: &'static str,
    /// The name as the user wrote it.
    pub given: String,
    /// Valid names closest to `given`, best first (may be empty).
    pub suggestions: Vec<String>,
    /// Every valid name.
    pub valid: Vec<String>,
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} '{}'", self.what, self.given)?;
        if !self.suggestions.is_empty() {
            write!(f, "; did you mean {}?", self.suggestions.join(" or "))?;
        }
        write!(f, " (valid: {})", self.valid.join(", "))
    }
}

impl std::error::Error for UnknownName {}

/// An enum of named choices (scope, layer type, optimiser, ...), each name written once:
/// the macro derives serde's spelling, [`std::fmt::Display`], a case-insensitive
/// [`std::str::FromStr`] (also taking `_` for `-`) whose error suggests the closest
/// names, and the list of names that help texts and error messages show.
macro_rules! named_choices {
    (
        $(#[$meta:meta])*
        pub enum $name:ident: $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant ),+
        }

        impl $name {
            /// Every choice, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every choice's name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The name used in configs and on the command line.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl $crate::names::NamedChoice for $name {
            const NAMES: &'static [&'static str] = $name::NAMES;
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::names::UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $crate::names::parse_choice(s, $what, Self::ALL, Self::NAMES)
            }
        }
    };
}

/// A closed set of named choices (scope, layer type, optimiser, ...): what a command
/// line needs to offer them and parse them.
pub trait NamedChoice: Copy + std::str::FromStr<Err = UnknownName> + Send + Sync + 'static {
    /// Every choice's name, in declaration order.
    const NAMES: &'static [&'static str];
}

/// Looks `given` up among `names` (case-insensitive, `_` read as `-`).
#[doc(hidden)]
pub fn parse_choice<T: Copy>(
    given: &str,
    what: &'static str,
    all: &[T],
    names: &[&str],
) -> Result<T, UnknownName> {
    let wanted = given.trim().to_ascii_lowercase().replace('_', "-");
    match names.iter().position(|n| n.eq_ignore_ascii_case(&wanted)) {
        Some(i) => Ok(all[i]),
        None => Err(UnknownName {
            what,
            given: wanted.clone(),
            suggestions: closest_names(&wanted, names),
            valid: names.iter().map(|n| n.to_string()).collect(),
        }),
    }
}

/// Levenshtein distance over lowercase chars: small enough to keep here rather than
/// pulling in a crate for one function.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitution.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The valid names closest to `given`: those within a third of its length in edit
/// distance (at least 2), or sharing a prefix with it, best first, at most three.
pub fn closest_names<S: AsRef<str>>(given: &str, valid: &[S]) -> Vec<String> {
    let lower = given.to_lowercase();
    let budget = (given.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = valid
        .iter()
        .map(AsRef::as_ref)
        .filter_map(|name| {
            let d = edit_distance(given, name);
            let name_lower = name.to_lowercase();
            let prefix = !lower.is_empty()
                && (name_lower.starts_with(&lower) || lower.starts_with(&name_lower));
            (d <= budget || prefix).then_some((d, name))
        })
        .collect();
    scored.sort_by_key(|&(d, name)| (d, name));
    scored
        .into_iter()
        .take(3)
        .map(|(_, name)| name.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(edit_distance("relu", "ReLU"), 0);
        assert_eq!(edit_distance("relu", "elu"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggests_close_names_first() {
        let valid = ["ReLU", "PReLU", "RReLU", "GELU", "Tanh"];
        let got = closest_names("Relu6", &valid);
        assert_eq!(got.first().map(String::as_str), Some("ReLU"));
        assert!(!got.iter().any(|n| n == "Tanh"));
        assert!(closest_names("zzzzzzzz", &valid).is_empty());
    }
}
