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
    /// One module per hidden layer with parameters per hidden unit (PReLU's channel mode).
    PerNeuron,
}

impl Scope {
    const NAMES: [&'static str; 3] = ["shared", "per-layer", "per-neuron"];

    /// The name used in configs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Shared => Self::NAMES[0],
            Scope::PerLayer => Self::NAMES[1],
            Scope::PerNeuron => Self::NAMES[2],
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
            "per-neuron" => Ok(Scope::PerNeuron),
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
            ActivationSpec::Custom(def) => def.param_count(),
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

/// How a Fourier activation's parameters start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FourierInit {
    /// C, Omega and Phi from N(0, 1): the book's STAF.
    #[default]
    Normal,
    /// The STAF authors' code (AlirezaMorsali/STAF, modules/staf.py): Omega = omega0 U(0, 1),
    /// Phi = U(-pi, pi), C = sign(L) sqrt(|L|) with L ~ Laplace(0, 1 / (2 tau)).
    Paper,
}

impl FromStr for FourierInit {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const NAMES: [&str; 2] = ["normal", "paper"];
        match s.trim().to_ascii_lowercase().as_str() {
            "normal" => Ok(FourierInit::Normal),
            "paper" => Ok(FourierInit::Paper),
            other => Err(UnknownName {
                what: "Fourier initialisation",
                given: other.to_string(),
                suggestions: closest_names(other, &NAMES),
                valid: NAMES.map(String::from).to_vec(),
            }),
        }
    }
}

/// Settings of the Fourier activation, `sum_{i < tau} C_i sin(Omega_i x + Phi_i)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FourierOptions {
    /// Number of sinusoids.
    pub tau: usize,
    /// How C, Omega and Phi start.
    pub init: FourierInit,
    /// Frequency scale of the paper's initialisation (its default, for image fitting, is 30).
    pub omega0: f64,
}

impl Default for FourierOptions {
    fn default() -> Self {
        Self {
            tau: 25,
            init: FourierInit::Normal,
            omega0: 30.0,
        }
    }
}

impl FourierOptions {
    /// Why the options cannot be used, if they cannot (field name, problem).
    pub fn problem(&self) -> Option<(&'static str, String)> {
        if !(1..=1024).contains(&self.tau) {
            return Some(("tau", format!("is {}; it must be in 1..=1024", self.tau)));
        }
        if !(self.omega0.is_finite() && self.omega0 > 0.0) {
            return Some((
                "omega0",
                format!("is {}; it must be a positive finite number", self.omega0),
            ));
        }
        None
    }
}

/// An activation and the scope of its parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivationConfig {
    /// Which function (serialised as `kind` since records written before user
    /// definitions existed hold a built-in name there).
    pub kind: ActivationSpec,
    /// Shared, per-layer or per-neuron parameters; irrelevant for parameter-free functions.
    #[serde(default)]
    pub scope: Scope,
    /// Settings of the Fourier activation (defaults when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fourier: Option<FourierOptions>,
}

impl ActivationConfig {
    /// The book's setting: the given function, shared.
    pub fn new(kind: impl Into<ActivationSpec>) -> Self {
        Self {
            kind: kind.into(),
            scope: Scope::Shared,
            fourier: None,
        }
    }

    /// With the given Fourier settings.
    pub fn with_fourier(self, fourier: FourierOptions) -> Self {
        Self {
            fourier: Some(fourier),
            ..self
        }
    }

    /// The Fourier settings in effect (the defaults unless set).
    pub fn fourier_options(&self) -> FourierOptions {
        self.fourier.unwrap_or_default()
    }

    /// Trainable scalars of one module instance per unit it serves.
    pub fn params_per_unit(&self) -> usize {
        match &self.kind {
            ActivationSpec::Builtin(ActivationKind::Fourier) => 3 * self.fourier_options().tau,
            other => other.param_count(),
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

    #[test]
    fn scope_parses_both_spellings() {
        assert_eq!("per_layer".parse::<Scope>(), Ok(Scope::PerLayer));
        assert_eq!("Shared".parse::<Scope>(), Ok(Scope::Shared));
        let err = "perlayer".parse::<Scope>().unwrap_err().to_string();
        assert!(err.contains("did you mean per-layer"), "{err}");
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
        let fourier = ActivationConfig::new(ActivationKind::Fourier).with_fourier(FourierOptions {
            tau: 8,
            ..FourierOptions::default()
        });
        assert_eq!(fourier.params_per_unit(), 24);
    }
}
