//! What a network needs to know to build its activation modules.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::custom::Definition;
use crate::fourier::FourierOptions;
use crate::names::{UnknownName, closest_names};
use crate::registry::{ActivationKind, Family, ParamInfo};

named_choices! {
    /// How many instances of a trainable activation a network holds.
    #[derive(Default)]
    pub enum Scope: "scope" {
        /// One module reused after every hidden layer, as the book does.
        #[default]
        Shared = "shared",
        /// One module per hidden layer, each with its own parameters.
        PerLayer = "per-layer",
        /// One module per hidden layer with parameters per hidden unit (PReLU's channel mode).
        PerNeuron = "per-neuron",
    }
}

/// Which function: a registry entry, the Fourier activation with its options, or a user
/// definition.
#[derive(Clone, Debug, PartialEq)]
pub enum ActivationSpec {
    /// A built-in activation without options.
    Builtin(ActivationKind),
    /// The Fourier activation (STAF generalised) with its settings.
    Fourier(FourierOptions),
    /// A user-defined one, checked, written out in full so that a record can rebuild it.
    Custom(Definition),
}

impl ActivationSpec {
    /// The name runs and tables use.
    pub fn name(&self) -> &str {
        match self {
            ActivationSpec::Builtin(kind) => kind.name(),
            ActivationSpec::Fourier(_) => ActivationKind::Fourier.name(),
            ActivationSpec::Custom(def) => def.name(),
        }
    }

    /// The built-in kind, if it is one.
    pub fn builtin(&self) -> Option<ActivationKind> {
        match self {
            ActivationSpec::Builtin(kind) => Some(*kind),
            ActivationSpec::Fourier(_) => Some(ActivationKind::Fourier),
            ActivationSpec::Custom(_) => None,
        }
    }

    /// Whether the function has trainable parameters.
    pub fn is_trainable(&self) -> bool {
        self.param_count() > 0
    }

    /// The trainable parameters of one module instance per unit, in module order.
    pub fn params(&self) -> Vec<ParamInfo> {
        match self {
            ActivationSpec::Builtin(kind) => kind.family().params(),
            ActivationSpec::Fourier(options) => Family::Sinusoids(*options).params(),
            ActivationSpec::Custom(def) => def.source().param_info(),
        }
    }

    /// Number of trainable scalars of one module instance per unit.
    pub fn param_count(&self) -> usize {
        self.params().iter().map(|p| p.count).sum()
    }

    /// The formula as `acts list` shows it.
    pub fn formula(&self) -> String {
        match self {
            ActivationSpec::Builtin(kind) => kind.info().formula.to_string(),
            ActivationSpec::Fourier(options) => {
                format!("sum_{{i<{}}} C_i * sin(Omega_i * x + Phi_i)", options.tau)
            }
            ActivationSpec::Custom(def) => def.source().formula(),
        }
    }

    /// Resolves a name: a built-in first, then the given definitions (both
    /// case-insensitive); the error lists every valid name.
    pub fn resolve(name: &str, definitions: &[Definition]) -> Result<Self, UnknownName> {
        let builtin_error = match name.parse::<ActivationKind>() {
            Ok(kind) => return Ok(ActivationSpec::from(kind)),
            Err(e) => e,
        };
        if let Some(def) = definitions
            .iter()
            .find(|d| d.name().eq_ignore_ascii_case(name.trim()))
        {
            return Ok(ActivationSpec::Custom(def.clone()));
        }
        let mut valid = builtin_error.valid;
        valid.extend(definitions.iter().map(|d| d.name().to_string()));
        Err(UnknownName {
            suggestions: closest_names(name.trim(), &valid),
            valid,
            ..builtin_error
        })
    }
}

impl From<ActivationKind> for ActivationSpec {
    /// The kind with its default options (Fourier: STAF's).
    fn from(kind: ActivationKind) -> Self {
        match kind {
            ActivationKind::Fourier => ActivationSpec::Fourier(FourierOptions::default()),
            other => ActivationSpec::Builtin(other),
        }
    }
}

impl fmt::Display for ActivationSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An activation and the scope of its parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "ActivationConfigFields", from = "ActivationConfigFields")]
pub struct ActivationConfig {
    /// Which function.
    pub kind: ActivationSpec,
    /// Shared, per-layer or per-neuron parameters; irrelevant for parameter-free functions.
    pub scope: Scope,
}

/// How an [`ActivationConfig`] is written in records: `kind` is a built-in name or a
/// definition, and the Fourier options sit beside it (the shape records have had since
/// before user definitions and options existed, so every old record still reads).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivationConfigFields {
    kind: KindField,
    #[serde(default)]
    scope: Scope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fourier: Option<FourierOptions>,
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum KindField {
    Builtin(ActivationKind),
    Custom(Definition),
}

impl From<ActivationConfig> for ActivationConfigFields {
    fn from(config: ActivationConfig) -> Self {
        let (kind, fourier) = match config.kind {
            ActivationSpec::Builtin(kind) => (KindField::Builtin(kind), None),
            ActivationSpec::Fourier(options) => {
                (KindField::Builtin(ActivationKind::Fourier), Some(options))
            }
            ActivationSpec::Custom(def) => (KindField::Custom(def), None),
        };
        Self {
            kind,
            scope: config.scope,
            fourier,
        }
    }
}

impl From<ActivationConfigFields> for ActivationConfig {
    fn from(fields: ActivationConfigFields) -> Self {
        let kind = match fields.kind {
            KindField::Builtin(ActivationKind::Fourier) => {
                ActivationSpec::Fourier(fields.fourier.unwrap_or_default())
            }
            KindField::Builtin(kind) => ActivationSpec::Builtin(kind),
            KindField::Custom(def) => ActivationSpec::Custom(def),
        };
        Self {
            kind,
            scope: fields.scope,
        }
    }
}

impl ActivationConfig {
    /// The book's setting: the given function, shared.
    pub fn new(kind: impl Into<ActivationSpec>) -> Self {
        Self {
            kind: kind.into(),
            scope: Scope::Shared,
        }
    }

    /// The modules a network with these hidden widths holds, as the number of units each
    /// has parameters for: one module of 1 when shared or parameter-free (the same
    /// function everywhere), one of 1 per layer when per-layer, one per layer with a
    /// parameter set per unit when per-neuron.
    pub fn module_units(&self, hidden: &[usize]) -> Vec<usize> {
        match (self.scope, self.kind.is_trainable()) {
            (Scope::PerLayer, true) => vec![1; hidden.len()],
            (Scope::PerNeuron, true) => hidden.to_vec(),
            _ => vec![1],
        }
    }

    /// With the given scope.
    pub fn with_scope(self, scope: Scope) -> Self {
        Self { scope, ..self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fourier::FourierInit;

    #[test]
    fn scope_parses_both_spellings() {
        assert_eq!("per_layer".parse::<Scope>(), Ok(Scope::PerLayer));
        assert_eq!("Shared".parse::<Scope>(), Ok(Scope::Shared));
        let err = "perlayer".parse::<Scope>().unwrap_err().to_string();
        assert!(err.contains("did you mean per-layer"), "{err}");
        assert_eq!(Scope::NAMES, ["shared", "per-layer", "per-neuron"]);
    }

    #[test]
    fn instances_follow_scope_only_for_trainable_kinds() {
        let hidden = [8, 4, 2];
        let prelu = ActivationConfig::new(ActivationKind::PReLU);
        assert_eq!(prelu.module_units(&hidden), [1]);
        assert_eq!(
            prelu
                .clone()
                .with_scope(Scope::PerLayer)
                .module_units(&hidden),
            [1, 1, 1]
        );
        assert_eq!(
            prelu.with_scope(Scope::PerNeuron).module_units(&hidden),
            [8, 4, 2]
        );
        let relu = ActivationConfig::new(ActivationKind::ReLU).with_scope(Scope::PerNeuron);
        assert_eq!(relu.module_units(&hidden), [1]);
        let fourier = ActivationSpec::Fourier(FourierOptions {
            tau: 8,
            ..FourierOptions::default()
        });
        assert_eq!(fourier.param_count(), 24);
        assert_eq!(ActivationSpec::from(ActivationKind::STAF).param_count(), 75);
    }

    /// Records keep their shape: a Fourier activation's options beside `kind`, and a
    /// record written before the options existed reads as the defaults.
    #[test]
    fn configs_round_trip_in_the_record_shape() {
        let fourier = ActivationConfig::new(ActivationSpec::Fourier(FourierOptions {
            tau: 8,
            init: FourierInit::Paper,
            omega0: 10.0,
        }))
        .with_scope(Scope::PerLayer);
        let text = serde_json::to_string(&fourier).unwrap();
        assert_eq!(
            text,
            r#"{"kind":"Fourier","scope":"per-layer","fourier":{"tau":8,"init":"paper","omega0":10.0}}"#
        );
        let back: ActivationConfig = serde_json::from_str(&text).unwrap();
        assert_eq!(back, fourier);
        let old: ActivationConfig = serde_json::from_str(r#"{"kind":"Fourier"}"#).unwrap();
        assert_eq!(old.kind, ActivationSpec::Fourier(FourierOptions::STAF));
        let relu: ActivationConfig =
            serde_json::from_str(r#"{"kind":"ReLU","scope":"shared"}"#).unwrap();
        assert_eq!(relu, ActivationConfig::new(ActivationKind::ReLU));
        assert_eq!(
            serde_json::to_string(&relu).unwrap(),
            r#"{"kind":"ReLU","scope":"shared"}"#
        );
    }
}
