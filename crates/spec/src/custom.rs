//! User-defined activations, written in TOML as `[[activation]]` tables and usable
//! wherever a built-in name is: an expression with trainable scalar parameters, or a
//! learned mixture of registry functions.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::expr::{Expr, ExprError, function_names};
use crate::registry::{ActivationKind, FixedFn, ParamInfo};

/// An activation defined in a config file, by an expression:
///
/// ```toml
/// [[activation]]
/// name = "SwiGELU2"
/// expr = "0.5 * (x * sigmoid(beta * x) + gelu(x))"
/// params = { beta = 1.0 }      # trainable scalars and their initial values
/// ```
///
/// or as a mixture, `sum_i softmax(w)_i f_i(x)` with the weights w learned:
///
/// ```toml
/// [[activation]]
/// name = "Mix3"
/// mix = ["ReLU", "Tanh", "GELU"]
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomActivation {
    /// The name `--acts` and `acts = [...]` use (case-insensitive).
    pub name: String,
    /// The function of `x` and the parameters (empty for a mixture).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub expr: String,
    /// Trainable scalars by name, with their initial values (in name order).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, f64>,
    /// The registry functions of a mixture (empty for an expression).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mix: Vec<String>,
}

/// A checked user definition: its source and what it computes. The only way to one is
/// [`CustomActivation::compile`] (or reading a record, which compiles it again), so
/// whatever holds a `Definition` can build its module without failing.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(into = "CustomActivation", try_from = "CustomActivation")]
pub struct Definition {
    source: CustomActivation,
    compiled: Compiled,
}

impl Definition {
    /// The definition as written.
    pub fn source(&self) -> &CustomActivation {
        &self.source
    }

    /// What it computes.
    pub fn compiled(&self) -> &Compiled {
        &self.compiled
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.source.name
    }
}

impl PartialEq for Definition {
    /// Definitions are equal when written alike (the compiled form follows from it).
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl From<Definition> for CustomActivation {
    fn from(definition: Definition) -> Self {
        definition.source
    }
}

impl TryFrom<CustomActivation> for Definition {
    type Error = DefinitionError;

    fn try_from(source: CustomActivation) -> Result<Self, DefinitionError> {
        source.compile()
    }
}

/// What a definition computes, once checked.
#[derive(Clone, Debug, PartialEq)]
pub enum Compiled {
    /// An expression of x and the parameters.
    Expression(Expr),
    /// `sum_i softmax(w)_i f_i(x)` over these functions, w learned (starting equal).
    Mixture(Vec<FixedFn>),
}

/// A definition that cannot be used; the message names the activation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefinitionError {
    /// The activation's name as written.
    pub name: String,
    /// The field at fault: `name`, `expr` or `params.<p>`.
    pub field: String,
    /// What is wrong, with the column for expression errors.
    pub message: String,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "activation '{}': `{}` {}",
            self.name, self.field, self.message
        )
    }
}

impl std::error::Error for DefinitionError {}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl CustomActivation {
    /// The parameter names, in the order of their tensors: a mixture has one, its
    /// weight logits.
    pub fn param_names(&self) -> Vec<String> {
        if self.mix.is_empty() {
            self.params.keys().cloned().collect()
        } else {
            vec!["weights".to_string()]
        }
    }

    /// Trainable scalars per unit.
    pub fn param_count(&self) -> usize {
        if self.mix.is_empty() {
            self.params.len()
        } else {
            self.mix.len()
        }
    }

    /// The parameters as `acts list` and records describe them.
    pub fn param_info(&self) -> Vec<ParamInfo> {
        if self.mix.is_empty() {
            self.params
                .iter()
                .map(|(name, value)| ParamInfo {
                    name: name.clone(),
                    count: 1,
                    init: format!("{value:?}"),
                })
                .collect()
        } else {
            vec![ParamInfo {
                name: "weights".into(),
                count: self.mix.len(),
                init: "0 (equal mix)".into(),
            }]
        }
    }

    /// The formula as `acts list` shows it.
    pub fn formula(&self) -> String {
        if self.mix.is_empty() {
            self.expr.clone()
        } else {
            format!("sum softmax(w)_i f_i(x), f = {}", self.mix.join(", "))
        }
    }

    /// The initial values, in [`Self::param_names`] order.
    pub fn initial_values(&self) -> Vec<f64> {
        self.params.values().copied().collect()
    }

    /// Checks the definition and parses its expression or resolves its mixture.
    pub fn compile(&self) -> Result<Definition, DefinitionError> {
        let compiled = self.compile_body()?;
        Ok(Definition {
            source: self.clone(),
            compiled,
        })
    }

    fn compile_body(&self) -> Result<Compiled, DefinitionError> {
        let fail = |field: &str, message: String| DefinitionError {
            name: self.name.clone(),
            field: field.to_string(),
            message,
        };
        let name_ok = !self.name.is_empty()
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !name_ok {
            return Err(fail(
                "name",
                "must be letters, digits, '_' or '-' (it names run folders), e.g. \"SwiGELU2\""
                    .into(),
            ));
        }
        if let Ok(builtin) = self.name.parse::<ActivationKind>() {
            return Err(fail(
                "name",
                format!("is taken by the built-in {builtin}; choose another name"),
            ));
        }
        match (self.expr.is_empty(), self.mix.is_empty()) {
            (false, false) => {
                return Err(fail(
                    "mix",
                    "and `expr` are both given; a definition is one or the other".into(),
                ));
            }
            (true, true) => {
                return Err(fail(
                    "expr",
                    "is missing: give expr = \"...\" (a formula in x) or mix = [\"ReLU\", \"Tanh\"] (a learned mixture)".into(),
                ));
            }
            (true, false) => return self.compile_mixture().map(Compiled::Mixture),
            (false, true) => {}
        }
        for (param, value) in &self.params {
            let field = format!("params.{param}");
            if !is_identifier(param) || param == "x" {
                return Err(fail(
                    &field,
                    "is not a usable parameter name: letters, digits and '_', not starting with a digit, and not x".into(),
                ));
            }
            if function_names()
                .iter()
                .any(|f| f.eq_ignore_ascii_case(param))
            {
                return Err(fail(
                    &field,
                    format!(
                        "is the name of a function; call the parameter something else than '{param}'"
                    ),
                ));
            }
            if let Some(problem) = crate::numbers::f32_problem(*value) {
                return Err(fail(
                    &field,
                    format!("{problem}; an initial value must be a finite float32"),
                ));
            }
        }
        let names = self.param_names();
        let expr = Expr::parse(&self.expr, &names)
            .map_err(|e: ExprError| fail("expr", format!("{}: {e}", e.excerpt(&self.expr))))?;
        if let Some(unused) = names.iter().enumerate().find(|(i, _)| !expr.uses_param(*i)) {
            return Err(fail(
                &format!("params.{}", unused.1),
                "is never used in the expression; a trainable parameter must shape the function"
                    .into(),
            ));
        }
        Ok(Compiled::Expression(expr))
    }

    /// The functions of a mixture: at least two distinct parameter-free registry
    /// functions, and no `params` (a mixture learns only its weights).
    fn compile_mixture(&self) -> Result<Vec<FixedFn>, DefinitionError> {
        let fail = |field: String, message: String| DefinitionError {
            name: self.name.clone(),
            field,
            message,
        };
        if !self.params.is_empty() {
            return Err(fail(
                "params".into(),
                "cannot be given to a mixture: it learns only its weights".into(),
            ));
        }
        if self.mix.len() < 2 {
            return Err(fail(
                "mix".into(),
                format!(
                    "has {} function(s); a mixture needs at least two",
                    self.mix.len()
                ),
            ));
        }
        let mut kinds = Vec::new();
        for (i, name) in self.mix.iter().enumerate() {
            let usable = name.parse::<ActivationKind>().ok().and_then(|k| k.fixed());
            let Some(kind) = usable else {
                let valid: Vec<&str> = FixedFn::all().map(FixedFn::name).collect();
                return Err(fail(
                    format!("mix[{i}]"),
                    format!(
                        "is '{name}', not a parameter-free registry function; valid: {}",
                        valid.join(", ")
                    ),
                ));
            };
            if kinds.contains(&kind) {
                return Err(fail(format!("mix[{i}]"), format!("repeats {kind}")));
            }
            kinds.push(kind);
        }
        Ok(kinds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(name: &str, expr: &str, params: &[(&str, f64)]) -> CustomActivation {
        CustomActivation {
            name: name.into(),
            expr: expr.into(),
            params: params.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            mix: Vec::new(),
        }
    }

    fn mixture(names: &[&str]) -> CustomActivation {
        CustomActivation {
            mix: names.iter().map(|n| n.to_string()).collect(),
            ..def("Mix", "", &[])
        }
    }

    #[test]
    fn mixtures_resolve_registry_functions() {
        let m = mixture(&["relu", "Tanh", "GELU"]);
        assert_eq!(
            m.compile().unwrap().compiled(),
            &Compiled::Mixture(vec![FixedFn::ReLU, FixedFn::Tanh, FixedFn::GELU])
        );
        assert_eq!(m.param_names(), ["weights"]);
        assert_eq!(m.param_count(), 3);
        let err = |d: CustomActivation| d.compile().unwrap_err().to_string();
        assert!(err(mixture(&["ReLU"])).contains("at least two"));
        assert!(
            err(mixture(&["ReLU", "PReLU"])).contains("`mix[1]` is 'PReLU', not a parameter-free")
        );
        assert!(err(mixture(&["ReLU", "relu"])).contains("repeats ReLU"));
        assert!(
            err(CustomActivation {
                expr: "x".into(),
                ..mixture(&["ReLU", "Tanh"])
            })
            .contains("both given")
        );
        assert!(err(def("M", "", &[])).contains("`expr` is missing"));
        let with_params = CustomActivation {
            params: [("k".to_string(), 1.0)].into(),
            ..mixture(&["ReLU", "Tanh"])
        };
        assert!(err(with_params).contains("only its weights"));
    }

    #[test]
    fn a_good_definition_compiles() {
        let d = def(
            "SwiGELU2",
            "0.5 * (x * sigmoid(beta * x) + gelu(x))",
            &[("beta", 1.0)],
        );
        assert!(d.compile().is_ok());
        assert_eq!(d.param_names(), ["beta"]);
    }

    #[test]
    fn bad_definitions_say_which_field_and_why() {
        let err = |d: CustomActivation| d.compile().unwrap_err().to_string();
        let e = err(def("Mine", "x +", &[]));
        assert!(
            e.starts_with("activation 'Mine': `expr` \"x +\": column 4: expected"),
            "{e}"
        );
        let e = err(def("Mine", "beta * x", &[]));
        assert!(e.contains("column 1: unknown name 'beta'"), "{e}");
        assert!(err(def("relu", "x", &[])).contains("taken by the built-in ReLU"));
        assert!(err(def("a/b", "x", &[])).contains("`name` must be"));
        assert!(err(def("M", "x", &[("k", 1.0)])).contains("`params.k` is never used"));
        assert!(err(def("M", "x * exp", &[("exp", 1.0)])).contains("name of a function"));
        assert!(err(def("M", "x * k", &[("k", f64::NAN)])).contains("must be a finite float32"));
        assert!(err(def("M", "x * k", &[("k", 1e39)])).contains("beyond float32's range"));
        assert!(err(def("M", "x * x", &[("x", 1.0)])).contains("not a usable parameter name"));
    }
}
