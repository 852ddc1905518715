//! What a network needs to know to build its activation modules.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::custom::CustomActivation;
use crate::kind::ActivationKind;
use crate::names::{UnknownName, closest_names};

/// How many instances of a trainable activation a network holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// One module reused after every hidden layer, as the book does.
    #[default]
    Shared,
    /// One module per hidden layer, each with its own parameters.
    PerLayer,
}

impl Scope {
    const NAMES: [&'static str; 2] = ["shared", "per-layer"];

    /// The name used in configs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Shared => Self::NAMES[0],
            Scope::PerLayer => Self::NAMES[1],
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Scope {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "shared" => Ok(Scope::Shared),
            "per-layer" => Ok(Scope::PerLayer),
            other => Err(UnknownName {
                what: "scope",
                given: other.to_string(),
                suggestions: closest_names(other, &Self::NAMES),
                valid: Self::NAMES.map(String::from).to_vec(),
            }),
        }
    }
}

/// Which function: a registry entry or a user definition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ActivationSpec {
    /// A built-in activation, written as its name.
    Builtin(ActivationKind),
    /// A user-defined one, written out in full so that a record can rebuild it.
    Custom(CustomActivation),
}

impl ActivationSpec {
    /// The name runs and tables use.
    pub fn name(&self) -> &str {
        match self {
            ActivationSpec::Builtin(kind) => kind.name(),
            ActivationSpec::Custom(def) => &def.name,
        }
    }

    /// The built-in kind, if it is one.
    pub fn builtin(&self) -> Option<ActivationKind> {
        match self {
            ActivationSpec::Builtin(kind) => Some(*kind),
            ActivationSpec::Custom(_) => None,
        }
    }

    /// Whether the function has trainable parameters.
    pub fn is_trainable(&self) -> bool {
        self.param_count() > 0
    }

    /// Number of trainable scalars in one module instance.
    pub fn param_count(&self) -> usize {
        match self {
            ActivationSpec::Builtin(kind) => kind.param_count(),
            ActivationSpec::Custom(def) => def.params.len(),
        }
    }

    /// Resolves a name: a built-in first, then the given definitions (both
    /// case-insensitive); the error lists every valid name.
    pub fn resolve(name: &str, definitions: &[CustomActivation]) -> Result<Self, UnknownName> {
        let builtin_error = match name.parse::<ActivationKind>() {
            Ok(kind) => return Ok(ActivationSpec::Builtin(kind)),
            Err(e) => e,
        };
        if let Some(def) = definitions
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(name.trim()))
        {
            return Ok(ActivationSpec::Custom(def.clone()));
        }
        let mut valid = builtin_error.valid;
        valid.extend(definitions.iter().map(|d| d.name.clone()));
        Err(UnknownName {
            suggestions: closest_names(name.trim(), &valid),
            valid,
            ..builtin_error
        })
    }
}

impl From<ActivationKind> for ActivationSpec {
    fn from(kind: ActivationKind) -> Self {
        ActivationSpec::Builtin(kind)
    }
}

impl fmt::Display for ActivationSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An activation and the scope of its parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivationConfig {
    /// Which function (serialised as `kind` since records written before user
    /// definitions existed hold a built-in name there).
    pub kind: ActivationSpec,
    /// Shared or per-layer parameters; irrelevant for parameter-free functions.
    #[serde(default)]
    pub scope: Scope,
}

impl ActivationConfig {
    /// The book's setting: the given function, shared.
    pub fn new(kind: impl Into<ActivationSpec>) -> Self {
        Self {
            kind: kind.into(),
            scope: Scope::Shared,
        }
    }

    /// With the given scope.
    pub fn with_scope(self, scope: Scope) -> Self {
        Self { scope, ..self }
    }

    /// How many modules a network with `hidden_layers` hidden layers holds: one when
    /// shared or parameter-free (the same function everywhere), one per layer otherwise.
    pub fn instances(&self, hidden_layers: usize) -> usize {
        match (self.scope, self.kind.is_trainable()) {
            (Scope::PerLayer, true) => hidden_layers,
            _ => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_parses_both_spellings() {
        assert_eq!("per_layer".parse::<Scope>(), Ok(Scope::PerLayer));
        assert_eq!("Shared".parse::<Scope>(), Ok(Scope::Shared));
        let err = "perlayer".parse::<Scope>().unwrap_err().to_string();
        assert!(err.contains("did you mean per-layer"), "{err}");
    }

    #[test]
    fn instances_follow_scope_only_for_trainable_kinds() {
        let prelu = ActivationConfig::new(ActivationKind::PReLU);
        assert_eq!(prelu.instances(4), 1);
        assert_eq!(prelu.with_scope(Scope::PerLayer).instances(4), 4);
        let relu = ActivationConfig::new(ActivationKind::ReLU).with_scope(Scope::PerLayer);
        assert_eq!(relu.instances(4), 1);
    }
}
