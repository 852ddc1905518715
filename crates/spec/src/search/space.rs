//! The search space: unary and binary operators as expression templates in `a` (and
//! `b`), schemas that nest them around `x` (Ramachandran et al.'s core unit
//! `b(u(x), u(x))`, AQuaSurF's `u(u(x))`), and every candidate they make, in one fixed
//! order.

use std::collections::BTreeMap;

use crate::expr::{Condition, Expr, function_names};
use crate::registry::FixedFn;

/// Named unary operators, besides every parameter-free registry function by its
/// expression name (`sigmoid`, `tanh`, `softplus`, ...).
pub const UNARY_PRESETS: &[(&str, &str)] = &[
    ("x", "a"),
    ("neg", "-a"),
    ("abs", "abs(a)"),
    ("square", "a^2"),
    ("cube", "a^3"),
    ("sqrt", "sqrt(a)"),
    ("exp", "exp(a)"),
    ("log", "log(abs(a) + 0.001)"),
    ("sin", "sin(a)"),
    ("cos", "cos(a)"),
    ("erf", "erf(a)"),
    ("max0", "max(a, 0)"),
    ("min0", "min(a, 0)"),
    ("gauss", "exp(-a^2)"),
    ("scale", "beta * a"),
    ("shift", "a + beta"),
];

/// Named binary operators.
pub const BINARY_PRESETS: &[(&str, &str)] = &[
    ("add", "a + b"),
    ("sub", "a - b"),
    ("mul", "a * b"),
    ("div", "a / (b + 0.001)"),
    ("max", "max(a, b)"),
    ("min", "min(a, b)"),
    ("sigmoid_mul", "sigmoid(a) * b"),
    ("blend", "beta * a + (1 - beta) * b"),
    ("gauss_diff", "exp(-beta * (a - b)^2)"),
];

/// The unary operators when a config names none: Ramachandran et al.'s list as far as
/// the expression language has it (no sinh, asinh or atan).
pub const DEFAULT_UNARY: &[&str] = &[
    "x", "neg", "abs", "square", "cube", "sqrt", "exp", "log", "sin", "cos", "erf", "max0", "min0",
    "gauss", "sigmoid", "tanh", "softplus", "scale",
];

/// The binary operators when a config names none.
pub const DEFAULT_BINARY: &[&str] = &["add", "sub", "mul", "div", "max", "min", "sigmoid_mul"];

/// The schemas when a config names none: one operator, one operator beside x, and
/// Ramachandran et al.'s core unit.
pub const DEFAULT_SCHEMAS: &[&str] = &["u(x)", "b(x, u(x))", "b(u(x), u(x))"];

/// `registry` in a unary list: every parameter-free registry function, less `exclude`.
pub const REGISTRY_GROUP: &str = "registry";

/// Bounds on a schema: nesting and operator slots.
pub const MAX_SCHEMA_DEPTH: usize = 6;
/// At most this many operators in one schema.
pub const MAX_SCHEMA_SLOTS: usize = 6;
/// At most this many characters in a schema or a template.
pub const MAX_TEMPLATE_CHARS: usize = 200;

/// An operator: its name in the config and its template, parsed with the operands `a`
/// and `b` and the space's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Operator {
    /// As the config names it (a preset, a registry function, or the template itself).
    pub name: String,
    template: Expr,
}

/// A schema: operator slots nested around `x`.
#[derive(Clone, Debug, PartialEq)]
pub enum Schema {
    /// The input.
    X,
    /// A unary operator of a schema.
    Unary(Box<Schema>),
    /// A binary operator of two schemas.
    Binary(Box<Schema>, Box<Schema>),
}

impl Schema {
    /// Parses `x`, `u(S)`, `b(S, S)`.
    pub fn parse(text: &str) -> Result<Schema, String> {
        if text.chars().count() > MAX_TEMPLATE_CHARS {
            return Err(format!("is longer than {MAX_TEMPLATE_CHARS} characters"));
        }
        let tokens: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
        let mut at = 0;
        let schema = Self::parse_at(&tokens, &mut at, 0)?;
        if at != tokens.len() {
            return Err(format!(
                "has {:?} after a complete schema; write x, u(S) or b(S, S), e.g. \"b(u(x), u(x))\"",
                tokens[at..].iter().collect::<String>()
            ));
        }
        if schema.slots() > MAX_SCHEMA_SLOTS {
            return Err(format!(
                "has {} operators; at most {MAX_SCHEMA_SLOTS} are allowed",
                schema.slots()
            ));
        }
        Ok(schema)
    }

    fn parse_at(tokens: &[char], at: &mut usize, depth: usize) -> Result<Schema, String> {
        let expected = "expected x, u(...) or b(..., ...)";
        if depth > MAX_SCHEMA_DEPTH {
            return Err(format!("nests deeper than {MAX_SCHEMA_DEPTH} levels"));
        }
        let head = *tokens
            .get(*at)
            .ok_or_else(|| format!("ends early; {expected}"))?;
        *at += 1;
        let mut expect = |c: char| {
            if tokens.get(*at) == Some(&c) {
                *at += 1;
                Ok(())
            } else {
                Err(format!("expected '{c}' at character {}", *at + 1))
            }
        };
        match head {
            'x' => Ok(Schema::X),
            'u' => {
                expect('(')?;
                let inner = Self::parse_at(tokens, at, depth + 1)?;
                if tokens.get(*at) != Some(&')') {
                    return Err(format!("expected ')' at character {}", *at + 1));
                }
                *at += 1;
                Ok(Schema::Unary(Box::new(inner)))
            }
            'b' => {
                expect('(')?;
                let left = Self::parse_at(tokens, at, depth + 1)?;
                if tokens.get(*at) != Some(&',') {
                    return Err(format!("expected ',' at character {}", *at + 1));
                }
                *at += 1;
                let right = Self::parse_at(tokens, at, depth + 1)?;
                if tokens.get(*at) != Some(&')') {
                    return Err(format!("expected ')' at character {}", *at + 1));
                }
                *at += 1;
                Ok(Schema::Binary(Box::new(left), Box::new(right)))
            }
            other => Err(format!("has '{other}'; {expected}")),
        }
    }

    /// Operator slots.
    pub fn slots(&self) -> usize {
        match self {
            Schema::X => 0,
            Schema::Unary(a) => 1 + a.slots(),
            Schema::Binary(a, b) => 1 + a.slots() + b.slots(),
        }
    }

    /// Whether each slot, in pre-order, is binary.
    pub fn slot_kinds(&self, kinds: &mut Vec<bool>) {
        match self {
            Schema::X => {}
            Schema::Unary(a) => {
                kinds.push(false);
                a.slot_kinds(kinds);
            }
            Schema::Binary(a, b) => {
                kinds.push(true);
                a.slot_kinds(kinds);
                b.slot_kinds(kinds);
            }
        }
    }
}

/// The template of `name`: a preset, a registry function, or `name` itself.
fn template_text(name: &str, binary: bool) -> String {
    let presets = if binary {
        BINARY_PRESETS
    } else {
        UNARY_PRESETS
    };
    if let Some((_, t)) = presets.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        return t.to_string();
    }
    let lower = name.to_ascii_lowercase();
    if !binary && function_names().contains(&lower) && !is_language_word(&lower) {
        return format!("{lower}(a)");
    }
    name.to_string()
}

/// Words of the language that are not one-argument functions.
fn is_language_word(name: &str) -> bool {
    matches!(name, "min" | "max" | "where" | "if")
}

/// The parameter-free registry functions by expression name.
pub fn registry_functions() -> Vec<(String, FixedFn)> {
    FixedFn::all()
        .map(|f| (f.name().to_ascii_lowercase().replace('-', "_"), f))
        .collect()
}

/// Registry functions an expression calls.
fn calls(e: &Expr, found: &mut Vec<FixedFn>) {
    let mut visit = |c: &Expr| calls(c, found);
    match e {
        Expr::Number(_) | Expr::X | Expr::Param(_) => {}
        Expr::Neg(a) | Expr::Unary(_, a) => visit(a),
        Expr::Activation(f, a) => {
            found.push(*f);
            calls(a, found);
        }
        Expr::Binary(_, a, b) | Expr::Extremum(_, a, b) => {
            visit(a);
            visit(b);
        }
        Expr::Where(c, a, b) => {
            visit(&c.left);
            visit(&c.right);
            visit(a);
            visit(b);
        }
    }
}

impl Operator {
    /// The operator `name` of arity 1 (or 2 when `binary`), its template checked
    /// against the parameters `params`; `exclude` are registry functions it must not
    /// call.
    pub fn resolve(
        name: &str,
        binary: bool,
        params: &[String],
        exclude: &[FixedFn],
    ) -> Result<Operator, String> {
        let text = template_text(name, binary);
        if text.chars().count() > MAX_TEMPLATE_CHARS {
            return Err(format!("is longer than {MAX_TEMPLATE_CHARS} characters"));
        }
        let mut names = vec!["a".to_string(), "b".to_string()];
        names.extend(params.iter().cloned());
        let template = Expr::parse(&text, &names).map_err(|e| {
            let presets = if binary { BINARY_PRESETS } else { UNARY_PRESETS };
            let known: Vec<&str> = presets.iter().map(|(n, _)| *n).collect();
            format!(
                "'{name}' is not a {} operator: {} (in {}); name one of {}{}, or write a template in a{}",
                if binary { "binary" } else { "unary" },
                e.message,
                e.excerpt(&text),
                known.join(", "),
                if binary { "" } else { ", a registry function such as sigmoid" },
                if binary { " and b such as \"a * sigmoid(b)\"" } else { " such as \"a * tanh(a)\"" }
            )
        })?;
        if !binary && template.uses_param(1) {
            return Err(format!(
                "'{name}' uses b, but a unary operator has one operand, a"
            ));
        }
        let mut used = Vec::new();
        calls(&template, &mut used);
        if let Some(f) = used.iter().find(|f| exclude.contains(f)) {
            return Err(format!(
                "'{name}' calls {}, which space.exclude leaves out",
                f.name().to_ascii_lowercase()
            ));
        }
        Ok(Operator {
            name: name.to_string(),
            template,
        })
    }
}

/// One candidate of the space: a formula with its trainable parameters, and how it
/// was made.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// The formula in x and the parameters.
    pub formula: String,
    /// Trainable scalars and their initial values.
    pub params: BTreeMap<String, f64>,
    /// The schema it instantiates (an index into the space's schemas).
    pub schema: usize,
    /// The operators in its slots, in pre-order.
    pub operators: Vec<String>,
}

/// A checked search space.
#[derive(Clone, Debug, PartialEq)]
pub struct Space {
    /// The unary operators.
    pub unary: Vec<Operator>,
    /// The binary operators.
    pub binary: Vec<Operator>,
    /// The schemas as written, parsed.
    pub schemas: Vec<(String, Schema)>,
    /// The parameters templates may use, with their initial values.
    pub params: BTreeMap<String, f64>,
}

/// `template` with operand k replaced by `args[k]` and parameter j by the parameter
/// `renamed[j]`.
fn substitute(template: &Expr, args: &[&Expr], renamed: &[usize]) -> Expr {
    let go = |e: &Expr| Box::new(substitute(e, args, renamed));
    match template {
        Expr::Param(i) if *i < 2 => args.get(*i).map_or(Expr::X, |a| (*a).clone()),
        Expr::Param(i) => Expr::Param(renamed[*i - 2]),
        Expr::Number(_) | Expr::X => template.clone(),
        Expr::Neg(a) => Expr::Neg(go(a)),
        Expr::Unary(f, a) => Expr::Unary(*f, go(a)),
        Expr::Activation(f, a) => Expr::Activation(*f, go(a)),
        Expr::Binary(op, a, b) => Expr::Binary(*op, go(a), go(b)),
        Expr::Extremum(m, a, b) => Expr::Extremum(*m, go(a), go(b)),
        Expr::Where(c, a, b) => Expr::Where(
            Box::new(Condition {
                op: c.op,
                left: substitute(&c.left, args, renamed),
                right: substitute(&c.right, args, renamed),
            }),
            go(a),
            go(b),
        ),
    }
}

impl Space {
    /// How many candidates the space holds (saturating).
    pub fn size(&self) -> u128 {
        self.schemas
            .iter()
            .map(|(_, s)| {
                let mut kinds = Vec::new();
                s.slot_kinds(&mut kinds);
                kinds.iter().fold(1u128, |n, &binary| {
                    n.saturating_mul(if binary {
                        self.binary.len()
                    } else {
                        self.unary.len()
                    } as u128)
                })
            })
            .fold(0u128, u128::saturating_add)
    }

    /// Every candidate, schema by schema, the first slot's operator varying slowest.
    pub fn candidates(&self) -> Vec<Candidate> {
        let mut all = Vec::new();
        for (index, (_, schema)) in self.schemas.iter().enumerate() {
            let mut kinds = Vec::new();
            schema.slot_kinds(&mut kinds);
            let sizes: Vec<usize> = kinds
                .iter()
                .map(|&b| {
                    if b {
                        self.binary.len()
                    } else {
                        self.unary.len()
                    }
                })
                .collect();
            if sizes.contains(&0) {
                continue;
            }
            let mut choice = vec![0usize; sizes.len()];
            // An odometer: the last slot turns fastest.
            'next: loop {
                all.push(self.instantiate(index, schema, &kinds, &choice));
                for k in (0..choice.len()).rev() {
                    choice[k] += 1;
                    if choice[k] < sizes[k] {
                        continue 'next;
                    }
                    choice[k] = 0;
                }
                break;
            }
        }
        all
    }

    fn instantiate(
        &self,
        schema_index: usize,
        schema: &Schema,
        kinds: &[bool],
        choice: &[usize],
    ) -> Candidate {
        let declared: Vec<&String> = self.params.keys().collect();
        // Each slot's parameters get their own names: beta, beta2, beta3, ...
        let mut names: Vec<String> = Vec::new();
        let mut values: Vec<f64> = Vec::new();
        let mut operators = Vec::new();
        let mut slot = 0;
        let expr = self.build(
            schema,
            kinds,
            choice,
            &mut slot,
            &declared,
            &mut names,
            &mut values,
            &mut operators,
        );
        let formula = expr.to_text(&names);
        Candidate {
            formula,
            params: names.into_iter().zip(values).collect(),
            schema: schema_index,
            operators,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        &self,
        schema: &Schema,
        kinds: &[bool],
        choice: &[usize],
        slot: &mut usize,
        declared: &[&String],
        names: &mut Vec<String>,
        values: &mut Vec<f64>,
        operators: &mut Vec<String>,
    ) -> Expr {
        let operator = match schema {
            Schema::X => return Expr::X,
            Schema::Unary(_) | Schema::Binary(..) => {
                let ops = if kinds[*slot] {
                    &self.binary
                } else {
                    &self.unary
                };
                &ops[choice[*slot]]
            }
        };
        *slot += 1;
        operators.push(operator.name.clone());
        let renamed: Vec<usize> = declared
            .iter()
            .enumerate()
            .map(|(j, base)| {
                if !operator.template.uses_param(j + 2) {
                    return usize::MAX;
                }
                let taken = names
                    .iter()
                    .filter(|n| strip_count(n) == base.as_str())
                    .count();
                names.push(if taken == 0 {
                    (*base).clone()
                } else {
                    format!("{base}{}", taken + 1)
                });
                values.push(self.params[*base]);
                names.len() - 1
            })
            .collect();
        let args: Vec<Expr> = match schema {
            Schema::Unary(a) => {
                vec![self.build(a, kinds, choice, slot, declared, names, values, operators)]
            }
            Schema::Binary(a, b) => {
                let left = self.build(a, kinds, choice, slot, declared, names, values, operators);
                let right = self.build(b, kinds, choice, slot, declared, names, values, operators);
                vec![left, right]
            }
            Schema::X => unreachable!("returned above"),
        };
        let refs: Vec<&Expr> = args.iter().collect();
        substitute(&operator.template, &refs, &renamed)
    }
}

/// `beta2` → `beta`: the declared name an instance name was made from.
fn strip_count(name: &str) -> &str {
    name.trim_end_matches(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space(unary: &[&str], binary: &[&str], schemas: &[&str]) -> Space {
        let params: BTreeMap<String, f64> = [("beta".to_string(), 1.0)].into();
        let names: Vec<String> = params.keys().cloned().collect();
        Space {
            unary: unary
                .iter()
                .map(|n| Operator::resolve(n, false, &names, &[]).unwrap())
                .collect(),
            binary: binary
                .iter()
                .map(|n| Operator::resolve(n, true, &names, &[]).unwrap())
                .collect(),
            schemas: schemas
                .iter()
                .map(|s| (s.to_string(), Schema::parse(s).unwrap()))
                .collect(),
            params,
        }
    }

    #[test]
    fn the_core_unit_enumerates_every_operator_choice_in_a_fixed_order() {
        let s = space(
            &["x", "sigmoid", "scale"],
            &["mul", "add", "sigmoid_mul"],
            &["u(x)", "b(u(x), u(x))"],
        );
        let all = s.candidates();
        assert_eq!(all.len() as u128, s.size());
        assert_eq!(all.len(), 3 + 3 * 3 * 3);
        let formulas: Vec<&str> = all.iter().map(|c| c.formula.as_str()).collect();
        assert_eq!(&formulas[..4], ["x", "sigmoid(x)", "beta * x", "x * x"]);
        assert!(formulas.contains(&"x * sigmoid(x)"));
        let swish = all
            .iter()
            .find(|c| c.formula == "sigmoid(beta * x) * x")
            .expect("the core unit holds Swish");
        assert_eq!(swish.operators, ["sigmoid_mul", "scale", "x"]);
        // Two slots with a parameter each get two parameters.
        let two = all
            .iter()
            .find(|c| c.formula == "beta * x + beta2 * x")
            .unwrap();
        assert_eq!(two.params.len(), 2);
        assert_eq!(two.params["beta2"], 1.0);
    }

    #[test]
    fn every_formula_reads_back_with_its_parameters() {
        let s = space(
            &[
                "x",
                "neg",
                "square",
                "log",
                "scale",
                "shift",
                "tanh",
                "a * exp(-a)",
            ],
            &["add", "sub", "div", "blend", "gauss_diff", "sigmoid_mul"],
            &["b(u(x), u(x))", "u(u(x))"],
        );
        for c in s.candidates() {
            let names: Vec<String> = c.params.keys().cloned().collect();
            assert!(Expr::parse(&c.formula, &names).is_ok(), "{}", c.formula);
        }
    }

    #[test]
    fn bad_schemas_and_operators_say_what_would_be_valid() {
        assert!(
            Schema::parse("b(u(x))")
                .unwrap_err()
                .contains("expected ','")
        );
        assert!(
            Schema::parse("u(x) u(x)")
                .unwrap_err()
                .contains("after a complete schema")
        );
        assert!(Schema::parse("v(x)").unwrap_err().contains("x, u(...)"));
        let deep = format!("{}x{}", "u(".repeat(10), ")".repeat(10));
        assert!(Schema::parse(&deep).unwrap_err().contains("deeper"));
        assert!(
            Schema::parse("b(b(u(x), u(x)), b(u(x), u(x)))")
                .unwrap_err()
                .contains("at most 6")
        );
        let err = Operator::resolve("sigmod", false, &[], &[]).unwrap_err();
        assert!(
            err.contains("not a unary operator") && err.contains("square"),
            "{err}"
        );
        let err = Operator::resolve("a + b", false, &[], &[]).unwrap_err();
        assert!(err.contains("uses b"), "{err}");
        let silu = registry_functions()
            .into_iter()
            .find(|(n, _)| n == "silu")
            .unwrap()
            .1;
        let err = Operator::resolve("silu", false, &[], &[silu]).unwrap_err();
        assert!(err.contains("exclude"), "{err}");
    }
}
