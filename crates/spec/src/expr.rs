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

use serde::{Deserialize, Serialize};

use crate::kind::ActivationKind;

/// Binary arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

/// Functions of the language besides the registry's activations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Builtin {
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
    /// min(a, b)
    Min,
    /// max(a, b)
    Max,
    /// where(condition, a, b): a where the condition holds, b elsewhere.
    Where,
}

impl Builtin {
    const ALL: [(&'static str, Builtin, usize); 10] = [
        ("exp", Builtin::Exp, 1),
        ("log", Builtin::Log, 1),
        ("sin", Builtin::Sin, 1),
        ("cos", Builtin::Cos, 1),
        ("abs", Builtin::Abs, 1),
        ("sqrt", Builtin::Sqrt, 1),
        ("min", Builtin::Min, 2),
        ("max", Builtin::Max, 2),
        ("where", Builtin::Where, 3),
        ("if", Builtin::Where, 3),
    ];
}

/// A function call's target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Function {
    /// One of the language's own functions.
    Builtin(Builtin),
    /// A parameter-free activation of the registry, e.g. `gelu`, `sigmoid`.
    Activation(ActivationKind),
}

/// A parsed, type-checked expression.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// `a cmp b`, a condition.
    Compare(Comparison, Box<Expr>, Box<Expr>),
    /// `f(args)`
    Call(Function, Vec<Expr>),
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

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Number(f64),
    Name(String),
    Op(&'static str),
    Open,
    Close,
    Comma,
    End,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Number(v) => format!("the number {v}"),
            Token::Name(n) => format!("'{n}'"),
            Token::Op(op) => format!("'{op}'"),
            Token::Open => "'('".into(),
            Token::Close => "')'".into(),
            Token::Comma => "','".into(),
            Token::End => "the end of the expression".into(),
        }
    }
}

/// Splits `text` into tokens, each with its 1-based column.
fn tokenize(text: &str) -> Result<Vec<(Token, usize)>, ExprError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            // An exponent: e or E, an optional sign, digits.
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    while j < chars.len() && chars[j].is_ascii_digit() {
                        j += 1;
                    }
                    i = j;
                }
            }
            let literal: String = chars[start..i].iter().collect();
            let value = literal.parse::<f64>().map_err(|_| ExprError {
                column,
                message: format!("'{literal}' is not a number"),
            })?;
            tokens.push((Token::Number(value), column));
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push((Token::Name(chars[start..i].iter().collect()), column));
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let (token, width) = match (c, two.as_str()) {
            (_, "<=") => (Token::Op("<="), 2),
            (_, ">=") => (Token::Op(">="), 2),
            (_, "**") => (Token::Op("^"), 2),
            ('<', _) => (Token::Op("<"), 1),
            ('>', _) => (Token::Op(">"), 1),
            ('+', _) => (Token::Op("+"), 1),
            ('-', _) => (Token::Op("-"), 1),
            ('*', _) => (Token::Op("*"), 1),
            ('/', _) => (Token::Op("/"), 1),
            ('^', _) => (Token::Op("^"), 1),
            ('(', _) => (Token::Open, 1),
            (')', _) => (Token::Close, 1),
            (',', _) => (Token::Comma, 1),
            _ => {
                return Err(ExprError {
                    column,
                    message: format!(
                        "unexpected character '{c}'; expressions use numbers, names, + - * / ^, < <= > >=, parentheses and commas"
                    ),
                });
            }
        };
        tokens.push((token, column));
        i += width;
    }
    tokens.push((Token::End, chars.len() + 1));
    Ok(tokens)
}

/// What an expression produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Type {
    Number,
    Condition,
}

struct Parser<'a> {
    tokens: Vec<(Token, usize)>,
    at: usize,
    params: &'a [String],
    /// Current nesting of the recursive descent, bounded so that a pathological
    /// expression is an error rather than a stack overflow.
    depth: usize,
}

/// Deepest nesting of parentheses, calls, signs and powers an expression may have.
const MAX_DEPTH: usize = 100;

/// The registry's parameter-free, deterministic activations, by their names in
/// expressions: lower case, `-` written `_` (e.g. `gelu_tanh`).
fn activation_function(name: &str) -> Option<ActivationKind> {
    ActivationKind::all()
        .filter(|k| !k.is_trainable() && *k != ActivationKind::RReLU)
        .find(|k| k.name().to_ascii_lowercase().replace('-', "_") == name.to_ascii_lowercase())
}

/// Every function name an expression may call.
pub fn function_names() -> Vec<String> {
    let mut names: Vec<String> = Builtin::ALL.iter().map(|(n, _, _)| n.to_string()).collect();
    names.extend(
        ActivationKind::all()
            .filter(|k| !k.is_trainable() && *k != ActivationKind::RReLU)
            .map(|k| k.name().to_ascii_lowercase().replace('-', "_")),
    );
    names
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.at].0
    }

    fn column(&self) -> usize {
        self.tokens[self.at].1
    }

    fn advance(&mut self) -> (Token, usize) {
        let token = self.tokens[self.at].clone();
        if self.at + 1 < self.tokens.len() {
            self.at += 1;
        }
        token
    }

    fn error<T>(&self, message: String) -> Result<T, ExprError> {
        Err(ExprError {
            column: self.column(),
            message,
        })
    }

    /// An operand of arithmetic must be a number, not a condition.
    fn number(&self, (expr, ty): (Expr, Type), column: usize) -> Result<Expr, ExprError> {
        match ty {
            Type::Number => Ok(expr),
            Type::Condition => Err(ExprError {
                column,
                message: "a comparison is a condition, usable only as the first argument of where(condition, a, b)".into(),
            }),
        }
    }

    /// Enters one level of nesting around `parse`.
    fn nested<T>(
        &mut self,
        parse: impl FnOnce(&mut Self) -> Result<T, ExprError>,
    ) -> Result<T, ExprError> {
        if self.depth >= MAX_DEPTH {
            return self.error(format!(
                "the expression nests more than {MAX_DEPTH} levels deep here"
            ));
        }
        self.depth += 1;
        let result = parse(self);
        self.depth -= 1;
        result
    }

    fn comparison(&mut self) -> Result<(Expr, Type), ExprError> {
        self.nested(Self::comparison_inner)
    }

    fn comparison_inner(&mut self) -> Result<(Expr, Type), ExprError> {
        let column = self.column();
        let left = self.sum()?;
        let op = match self.peek() {
            Token::Op("<") => Comparison::Less,
            Token::Op("<=") => Comparison::LessEqual,
            Token::Op(">") => Comparison::Greater,
            Token::Op(">=") => Comparison::GreaterEqual,
            _ => return Ok(left),
        };
        self.advance();
        let left = self.number(left, column)?;
        let right_column = self.column();
        let right = self.sum()?;
        let right = self.number(right, right_column)?;
        if let Token::Op(op @ ("<" | "<=" | ">" | ">=")) = self.peek() {
            return self.error(format!(
                "comparisons do not chain ('{op}' after a comparison); combine conditions with nested where()"
            ));
        }
        Ok((
            Expr::Compare(op, Box::new(left), Box::new(right)),
            Type::Condition,
        ))
    }

    fn sum(&mut self) -> Result<(Expr, Type), ExprError> {
        let column = self.column();
        let mut left = self.product()?;
        loop {
            let op = match self.peek() {
                Token::Op("+") => BinaryOp::Add,
                Token::Op("-") => BinaryOp::Sub,
                _ => return Ok(left),
            };
            self.advance();
            let l = self.number(left, column)?;
            let right_column = self.column();
            let right = self.product()?;
            let r = self.number(right, right_column)?;
            left = (Expr::Binary(op, Box::new(l), Box::new(r)), Type::Number);
        }
    }

    fn product(&mut self) -> Result<(Expr, Type), ExprError> {
        let column = self.column();
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Token::Op("*") => BinaryOp::Mul,
                Token::Op("/") => BinaryOp::Div,
                _ => return Ok(left),
            };
            self.advance();
            let l = self.number(left, column)?;
            let right_column = self.column();
            let right = self.unary()?;
            let r = self.number(right, right_column)?;
            left = (Expr::Binary(op, Box::new(l), Box::new(r)), Type::Number);
        }
    }

    fn unary(&mut self) -> Result<(Expr, Type), ExprError> {
        self.nested(Self::unary_inner)
    }

    fn unary_inner(&mut self) -> Result<(Expr, Type), ExprError> {
        if self.peek() == &Token::Op("-") {
            self.advance();
            let column = self.column();
            let operand = self.unary()?;
            let operand = self.number(operand, column)?;
            return Ok((Expr::Neg(Box::new(operand)), Type::Number));
        }
        self.power()
    }

    fn power(&mut self) -> Result<(Expr, Type), ExprError> {
        let column = self.column();
        let base = self.atom()?;
        if self.peek() != &Token::Op("^") {
            return Ok(base);
        }
        self.advance();
        let base = self.number(base, column)?;
        let exponent_column = self.column();
        let exponent = self.unary()?;
        let exponent = self.number(exponent, exponent_column)?;
        Ok((
            Expr::Binary(BinaryOp::Pow, Box::new(base), Box::new(exponent)),
            Type::Number,
        ))
    }

    fn atom(&mut self) -> Result<(Expr, Type), ExprError> {
        let (token, column) = self.advance();
        match token {
            Token::Number(v) => Ok((Expr::Number(v), Type::Number)),
            Token::Open => {
                let inner = self.comparison()?;
                self.expect_close("to close the '(' at column", column)?;
                Ok(inner)
            }
            Token::Name(name) if self.peek() == &Token::Open => self.call(&name, column),
            Token::Name(name) => self.name(&name, column),
            other => Err(ExprError {
                column,
                message: format!(
                    "expected a number, x, a parameter, a function call or '(', found {}",
                    other.describe()
                ),
            }),
        }
    }

    fn expect_close(&mut self, what: &str, open_column: usize) -> Result<(), ExprError> {
        if self.peek() == &Token::Close {
            self.advance();
            return Ok(());
        }
        self.error(format!(
            "expected ')' {what} {open_column}, found {}",
            self.peek().describe()
        ))
    }

    fn name(&self, name: &str, column: usize) -> Result<(Expr, Type), ExprError> {
        if name == "x" {
            return Ok((Expr::X, Type::Number));
        }
        if let Some(i) = self.params.iter().position(|p| p == name) {
            return Ok((Expr::Param(i), Type::Number));
        }
        let valid = if self.params.is_empty() {
            "x (this activation declares no parameters)".to_string()
        } else {
            format!("x and the parameters {}", self.params.join(", "))
        };
        let hint = if function_names().iter().any(|f| f == name) {
            format!("; '{name}' is a function: write {name}(...)")
        } else {
            format!("; declare a trainable parameter with params = {{ {name} = 1.0 }}")
        };
        Err(ExprError {
            column,
            message: format!("unknown name '{name}'; valid names are {valid}{hint}"),
        })
    }

    fn call(&mut self, name: &str, column: usize) -> Result<(Expr, Type), ExprError> {
        let lower = name.to_ascii_lowercase();
        let (function, arity) =
            if let Some((_, b, n)) = Builtin::ALL.iter().find(|(n, _, _)| *n == lower) {
                (Function::Builtin(*b), *n)
            } else if let Some(kind) = activation_function(&lower) {
                (Function::Activation(kind), 1)
            } else {
                return Err(ExprError {
                    column,
                    message: format!(
                        "unknown function '{name}'; valid functions: {}",
                        function_names().join(", ")
                    ),
                });
            };
        self.advance(); // '('
        let mut args = Vec::new();
        loop {
            let arg_column = self.column();
            let arg = self.comparison()?;
            let wants_condition = function == Function::Builtin(Builtin::Where) && args.is_empty();
            match (arg.1, wants_condition) {
                (Type::Condition, true) | (Type::Number, false) => args.push(arg.0),
                (Type::Number, true) => {
                    return Err(ExprError {
                        column: arg_column,
                        message: format!(
                            "the first argument of {lower}() must be a comparison such as x > 0"
                        ),
                    });
                }
                (Type::Condition, false) => args.push(self.number(arg, arg_column)?),
            }
            match self.peek() {
                Token::Comma => {
                    self.advance();
                }
                Token::Close => {
                    self.advance();
                    break;
                }
                other => {
                    return self.error(format!(
                        "expected ',' or ')' in the call of {name}() at column {column}, found {}",
                        other.describe()
                    ));
                }
            }
        }
        if args.len() != arity {
            return Err(ExprError {
                column,
                message: format!(
                    "{name}() takes {arity} argument{}, given {}",
                    if arity == 1 { "" } else { "s" },
                    args.len()
                ),
            });
        }
        Ok((Expr::Call(function, args), Type::Number))
    }
}

impl Expr {
    /// Parses and type-checks `text`; `params` are the names of the trainable parameters.
    pub fn parse(text: &str, params: &[String]) -> Result<Expr, ExprError> {
        let tokens = tokenize(text)?;
        let mut parser = Parser {
            tokens,
            at: 0,
            params,
            depth: 0,
        };
        let column = parser.column();
        let expr = parser.comparison()?;
        if parser.peek() != &Token::End {
            return parser.error(format!(
                "expected an operator or the end of the expression, found {}",
                parser.peek().describe()
            ));
        }
        parser.number(expr, column)
    }

    /// Whether the expression reads parameter `index`.
    pub fn uses_param(&self, index: usize) -> bool {
        match self {
            Expr::Param(i) => *i == index,
            Expr::Number(_) | Expr::X => false,
            Expr::Neg(a) => a.uses_param(index),
            Expr::Binary(_, a, b) | Expr::Compare(_, a, b) => {
                a.uses_param(index) || b.uses_param(index)
            }
            Expr::Call(_, args) => args.iter().any(|a| a.uses_param(index)),
        }
    }

    /// Evaluates at `x` in f64 with the given parameter values (the reference for tests
    /// and the numeric meaning of the language).
    pub fn eval_f64(&self, x: f64, params: &[f64]) -> f64 {
        match self {
            Expr::Number(v) => *v,
            Expr::X => x,
            Expr::Param(i) => params[*i],
            Expr::Neg(a) => -a.eval_f64(x, params),
            Expr::Binary(op, a, b) => {
                let (a, b) = (a.eval_f64(x, params), b.eval_f64(x, params));
                match op {
                    BinaryOp::Add => a + b,
                    BinaryOp::Sub => a - b,
                    BinaryOp::Mul => a * b,
                    BinaryOp::Div => a / b,
                    BinaryOp::Pow => a.powf(b),
                }
            }
            Expr::Compare(..) => self.holds_f64(x, params) as u8 as f64,
            Expr::Call(Function::Builtin(Builtin::Where), args) => {
                if args[0].holds_f64(x, params) {
                    args[1].eval_f64(x, params)
                } else {
                    args[2].eval_f64(x, params)
                }
            }
            Expr::Call(Function::Builtin(b), args) => {
                let a = args[0].eval_f64(x, params);
                match b {
                    Builtin::Exp => a.exp(),
                    Builtin::Log => a.ln(),
                    Builtin::Sin => a.sin(),
                    Builtin::Cos => a.cos(),
                    Builtin::Abs => a.abs(),
                    Builtin::Sqrt => a.sqrt(),
                    Builtin::Min => a.min(args[1].eval_f64(x, params)),
                    Builtin::Max => a.max(args[1].eval_f64(x, params)),
                    Builtin::Where => unreachable!("handled above"),
                }
            }
            Expr::Call(Function::Activation(kind), _) => {
                panic!("{kind}: registry functions have no f64 reference here")
            }
        }
    }

    fn holds_f64(&self, x: f64, params: &[f64]) -> bool {
        match self {
            Expr::Compare(op, a, b) => {
                let (a, b) = (a.eval_f64(x, params), b.eval_f64(x, params));
                match op {
                    Comparison::Less => a < b,
                    Comparison::LessEqual => a <= b,
                    Comparison::Greater => a > b,
                    Comparison::GreaterEqual => a >= b,
                }
            }
            _ => unreachable!("type-checked: only comparisons are conditions"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, params: &[&str]) -> Result<Expr, ExprError> {
        let params: Vec<String> = params.iter().map(|p| p.to_string()).collect();
        Expr::parse(text, &params)
    }

    fn value(text: &str, x: f64, params: &[(&str, f64)]) -> f64 {
        let names: Vec<&str> = params.iter().map(|p| p.0).collect();
        let values: Vec<f64> = params.iter().map(|p| p.1).collect();
        parse(text, &names).unwrap().eval_f64(x, &values)
    }

    #[test]
    fn precedence_and_associativity_follow_mathematics() {
        assert_eq!(value("1 + 2 * 3", 0.0, &[]), 7.0);
        assert_eq!(value("(1 + 2) * 3", 0.0, &[]), 9.0);
        assert_eq!(value("2 ^ 3 ^ 2", 0.0, &[]), 512.0);
        assert_eq!(value("-x ^ 2", 3.0, &[]), -9.0);
        assert_eq!(value("8 / 4 / 2", 0.0, &[]), 1.0);
        assert_eq!(value("10 - 4 - 3", 0.0, &[]), 3.0);
        assert_eq!(value("x ** 2", 3.0, &[]), 9.0);
        assert_eq!(value("--x", 2.0, &[]), 2.0);
        assert_eq!(value("1.5e1 + .5 + 2E-1", 0.0, &[]), 15.7);
    }

    #[test]
    fn functions_parameters_and_where() {
        assert_eq!(value("beta * x", 2.0, &[("beta", 1.5)]), 3.0);
        let leaky = "where(x > 0, x, a * x)";
        assert_eq!(value(leaky, 2.0, &[("a", 0.1)]), 2.0);
        assert!((value(leaky, -2.0, &[("a", 0.1)]) + 0.2).abs() < 1e-15);
        assert_eq!(value("if(x <= 1, 0, 1)", 1.0, &[]), 0.0);
        assert_eq!(value("max(x, 0) + min(x, 0) * 2", -1.0, &[]), -2.0);
        assert_eq!(
            value(
                "sqrt(abs(x)) + exp(0) + log(1) + sin(0) + cos(0)",
                -4.0,
                &[]
            ),
            4.0
        );
        assert!(matches!(
            parse("0.5 * (x * sigmoid(beta * x) + GELU(x))", &["beta"]).unwrap(),
            Expr::Binary(BinaryOp::Mul, _, _)
        ));
        assert!(parse("gelu_tanh(x) + hardswish(x)", &[]).is_ok());
    }

    #[test]
    fn errors_name_the_column_and_what_was_expected() {
        let err = |text: &str, params: &[&str]| parse(text, params).unwrap_err();
        let e = err("x +", &[]);
        assert_eq!(e.column, 4);
        assert!(
            e.message.starts_with("expected a number, x, a parameter"),
            "{e}"
        );
        assert!(e.message.contains("the end of the expression"), "{e}");

        let e = err("foo(x)", &[]);
        assert_eq!(e.column, 1);
        assert!(
            e.message
                .starts_with("unknown function 'foo'; valid functions: exp, log"),
            "{e}"
        );
        assert!(e.message.contains("sigmoid"), "{e}");

        let e = err("2 * beta * x", &[]);
        assert_eq!(e.column, 5);
        assert!(e.message.contains("unknown name 'beta'"), "{e}");
        assert!(e.message.contains("params = { beta = 1.0 }"), "{e}");

        assert_eq!(err("(x + 1", &[]).column, 7);
        assert_eq!(err("x 2", &[]).column, 3);
        assert_eq!(err("x $ 2", &[]).column, 3);
        assert!(
            err("max(x)", &[])
                .message
                .contains("takes 2 arguments, given 1")
        );
        assert!(
            err("where(x, 1, 2)", &[])
                .message
                .contains("must be a comparison")
        );
        assert!(err("x > 0", &[]).message.contains("condition"));
        assert!(err("(x > 0) + 1", &[]).message.contains("condition"));
        assert!(
            err("where(0 < x < 1, 1, 0)", &[])
                .message
                .contains("do not chain")
        );
        assert!(err("exp", &[]).message.contains("is a function"));
        assert!(err("prelu(x)", &[]).message.contains("unknown function"));
        assert!(err("", &[]).message.contains("found the end"));
        let deep = format!("{}x{}", "(".repeat(500), ")".repeat(500));
        assert!(
            err(&deep, &[])
                .message
                .contains("nests more than 100 levels")
        );
        assert!(
            err(&"-".repeat(10_000), &[])
                .message
                .contains("nests more than")
        );
        assert!(
            err(&"x^".repeat(5_000), &[])
                .message
                .contains("nests more than")
        );
        // Columns count characters, not bytes.
        assert_eq!(err("ä + ", &[]).column, 1);
    }
}
