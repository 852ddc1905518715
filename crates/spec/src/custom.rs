//! User-defined activations: a name, an expression and trainable scalar parameters,
//! written in TOML as `[[activation]]` tables, usable wherever a built-in name is.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::expr::{Expr, ExprError, function_names};
use crate::kind::ActivationKind;

/// An activation defined in a config file:
///
/// ```toml
/// [[activation]]
/// name = "SwiGELU2"
/// expr = "0.5 * (x * sigmoid(beta * x) + gelu(x))"
/// params = { beta = 1.0 }      # trainable scalars and their initial values
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomActivation {
    /// The name `--acts` and `acts = [...]` use (case-insensitive).
    pub name: String,
    /// The function of `x` and the parameters.
    pub expr: String,
    /// Trainable scalars by name, with their initial values (in name order).
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
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
    /// The parameter names, in the order of their tensors.
    pub fn param_names(&self) -> Vec<String> {
        self.params.keys().cloned().collect()
    }

    /// The initial values, in [`Self::param_names`] order.
    pub fn initial_values(&self) -> Vec<f64> {
        self.params.values().copied().collect()
    }

    /// Checks the definition and parses its expression.
    pub fn compile(&self) -> Result<Expr, DefinitionError> {
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
            if !value.is_finite() {
                return Err(fail(
                    &field,
                    format!("is {value}; an initial value must be finite"),
                ));
            }
        }
        let names = self.param_names();
        let expr = Expr::parse(&self.expr, &names)
            .map_err(|e: ExprError| fail("expr", format!("{:?}: {e}", self.expr)))?;
        if let Some(unused) = names.iter().enumerate().find(|(i, _)| !expr.uses_param(*i)) {
            return Err(fail(
                &format!("params.{}", unused.1),
                "is never used in the expression; a trainable parameter must shape the function"
                    .into(),
            ));
        }
        Ok(expr)
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
        }
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
        assert!(err(def("M", "x * k", &[("k", f64::NAN)])).contains("must be finite"));
        assert!(err(def("M", "x * x", &[("x", 1.0)])).contains("not a usable parameter name"));
    }
}
