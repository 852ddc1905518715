//! The expression language of user-defined activations: numbers, `x`, named parameters,
//! `+ - * / ^`, unary minus, comparisons (inside `where`), and element-wise functions.
//!
//! ```text
//! expr       := comparison
//! comparison := sum (("<" | "<=" | ">" | ">=") sum)?
//! sum        := product (("+" | "-") product)*
//! product    := unary (("*" | "/") unary)*
//! unary      := "-" unary | power
//! power      := atom ("^" unary)?          right-associative; -x^2 is -(x^2)
//! atom       := number | name | name "(" expr ("," expr)* ")" | "(" expr ")"
//! ```
//!
//! Parsing also type-checks: a comparison is a condition, usable only as the first
//! argument of `where`/`if`; everything else is a number. Every error carries the
//! 1-based column it points at.

use std::fmt;

use crate::registry::FixedFn;

mod parse;
mod print;

pub use parse::function_names;

/// Binary arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `^`
    Pow,
}

/// Comparisons, which make conditions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Comparison {
    /// `<`
    Less,
    /// `<=`
    LessEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterEqual,
}

/// One-argument functions of the language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryFn {
    /// e^a
    Exp,
    /// ln a
    Log,
    /// sin a
    Sin,
    /// cos a
    Cos,
    /// |a|
    Abs,
    /// √a
    Sqrt,
    /// The error function, 2/√π ∫₀ᵃ e^(−t²) dt (GELU is x Φ(x) = x (1 + erf(x/√2)) / 2).
    Erf,
}

impl UnaryFn {
    /// The function in float64: the language's meaning, and how constant subexpressions
    /// are folded before they meet a tensor.
    pub fn eval_f64(self, a: f64) -> f64 {
        match self {
            UnaryFn::Exp => a.exp(),
            UnaryFn::Log => a.ln(),
            UnaryFn::Sin => a.sin(),
            UnaryFn::Cos => a.cos(),
            UnaryFn::Abs => a.abs(),
            UnaryFn::Sqrt => a.sqrt(),
            // The standard library has no erf; libm's is musl's (within 1 ulp).
            UnaryFn::Erf => libm::erf(a),
        }
    }
}

/// `min(a, b)` and `max(a, b)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extremum {
    /// The smaller.
    Min,
    /// The larger.
    Max,
}

/// What a name in call position refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Callee {
    Unary(UnaryFn),
    Extremum(Extremum),
    Where,
    Activation(FixedFn),
}

impl Callee {
    /// The language's own functions by name (`if` is `where`); registry functions come after.
    const BUILTIN: [(&'static str, Callee); 11] = [
        ("exp", Callee::Unary(UnaryFn::Exp)),
        ("log", Callee::Unary(UnaryFn::Log)),
        ("sin", Callee::Unary(UnaryFn::Sin)),
        ("cos", Callee::Unary(UnaryFn::Cos)),
        ("abs", Callee::Unary(UnaryFn::Abs)),
        ("sqrt", Callee::Unary(UnaryFn::Sqrt)),
        ("erf", Callee::Unary(UnaryFn::Erf)),
        ("min", Callee::Extremum(Extremum::Min)),
        ("max", Callee::Extremum(Extremum::Max)),
        ("where", Callee::Where),
        ("if", Callee::Where),
    ];

    fn arity(self) -> usize {
        match self {
            Callee::Unary(_) | Callee::Activation(_) => 1,
            Callee::Extremum(_) => 2,
            Callee::Where => 3,
        }
    }
}

/// A parsed, type-checked numeric expression: conditions appear only inside `Where`.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A literal.
    Number(f64),
    /// The input.
    X,
    /// A trainable parameter, by its index in the definition's parameter list.
    Param(usize),
    /// `-a`
    Neg(Box<Expr>),
    /// `a op b`
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `f(a)` for the language's one-argument functions.
    Unary(UnaryFn, Box<Expr>),
    /// `min(a, b)` or `max(a, b)`.
    Extremum(Extremum, Box<Expr>, Box<Expr>),
    /// `where(condition, a, b)`: a where the condition holds, b elsewhere.
    Where(Box<Condition>, Box<Expr>, Box<Expr>),
    /// A parameter-free registry activation applied to `a`, e.g. `gelu(a)`.
    Activation(FixedFn, Box<Expr>),
}

/// `a cmp b`: the first argument of `where`.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// The comparison.
    pub op: Comparison,
    /// Its left side.
    pub left: Expr,
    /// Its right side.
    pub right: Expr,
}

/// Why an expression cannot be used, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    /// 1-based column (in characters) of the offending spot.
    pub column: usize,
    /// What is wrong and what would be valid.
    pub message: String,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for ExprError {}

impl ExprError {
    /// The part of `text` around the column this error points at, quoted, at most 60
    /// characters (with `…` where it is cut), so that a long expression is not echoed
    /// whole.
    pub fn excerpt(&self, text: &str) -> String {
        const SIDE: usize = 30;
        let chars: Vec<char> = text.chars().collect();
        if chars.len() <= 2 * SIDE {
            return format!("{text:?}");
        }
        let at = self.column.saturating_sub(1).min(chars.len());
        let start = at.saturating_sub(SIDE);
        let end = (start + 2 * SIDE).min(chars.len());
        let piece: String = chars[start..end].iter().collect();
        format!(
            "\"{}{}{}\"",
            if start > 0 { "…" } else { "" },
            piece.escape_debug(),
            if end < chars.len() { "…" } else { "" }
        )
    }
}

impl Expr {
    /// Parses and type-checks `text`; `params` are the names of the trainable parameters.
    pub fn parse(text: &str, params: &[String]) -> Result<Expr, ExprError> {
        parse::parse(text, params)
    }

    /// The sub-expressions this one computes from, conditions' sides included.
    fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Number(_) | Expr::X | Expr::Param(_) => Vec::new(),
            Expr::Neg(a) | Expr::Unary(_, a) | Expr::Activation(_, a) => vec![a],
            Expr::Binary(_, a, b) | Expr::Extremum(_, a, b) => vec![a, b],
            Expr::Where(c, a, b) => vec![&c.left, &c.right, a, b],
        }
    }

    /// Operations and function calls in the tree (leaves, i.e. x, parameters and
    /// numbers, not counted): `x * sigmoid(x)` has 2. A `where` counts its comparison.
    pub fn operations(&self) -> usize {
        let own = match self {
            Expr::Number(_) | Expr::X | Expr::Param(_) => 0,
            Expr::Where(..) => 2,
            _ => 1,
        };
        own + self
            .children()
            .iter()
            .map(|c| c.operations())
            .sum::<usize>()
    }

    /// Whether the expression reads parameter `index`.
    pub fn uses_param(&self, index: usize) -> bool {
        matches!(self, Expr::Param(i) if *i == index)
            || self.children().iter().any(|c| c.uses_param(index))
    }

    /// Evaluates at `x` in f64 with the given parameter values: the reference for tests
    /// and the numeric meaning of the language. `None` when the expression calls a
    /// registry activation, which has no f64 implementation here.
    pub fn eval_f64(&self, x: f64, params: &[f64]) -> Option<f64> {
        let eval = |e: &Expr| e.eval_f64(x, params);
        Some(match self {
            Expr::Number(v) => *v,
            Expr::X => x,
            Expr::Param(i) => params[*i],
            Expr::Neg(a) => -eval(a)?,
            Expr::Binary(op, a, b) => {
                let (a, b) = (eval(a)?, eval(b)?);
                match op {
                    BinaryOp::Add => a + b,
                    BinaryOp::Sub => a - b,
                    BinaryOp::Mul => a * b,
                    BinaryOp::Div => a / b,
                    BinaryOp::Pow => a.powf(b),
                }
            }
            Expr::Unary(f, a) => f.eval_f64(eval(a)?),
            Expr::Extremum(Extremum::Min, a, b) => eval(a)?.min(eval(b)?),
            Expr::Extremum(Extremum::Max, a, b) => eval(a)?.max(eval(b)?),
            Expr::Where(c, a, b) => {
                if c.holds_f64(x, params)? {
                    eval(a)?
                } else {
                    eval(b)?
                }
            }
            Expr::Activation(..) => return None,
        })
    }
}

impl Condition {
    /// Whether the condition holds at `x` (f64 reference; `None` as for [`Expr::eval_f64`]).
    pub fn holds_f64(&self, x: f64, params: &[f64]) -> Option<bool> {
        let (a, b) = (
            self.left.eval_f64(x, params)?,
            self.right.eval_f64(x, params)?,
        );
        Some(match self.op {
            Comparison::Less => a < b,
            Comparison::LessEqual => a <= b,
            Comparison::Greater => a > b,
            Comparison::GreaterEqual => a >= b,
        })
    }
}

#[cfg(test)]
mod tests;
