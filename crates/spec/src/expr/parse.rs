//! The tokenizer and the recursive-descent parser, which also type-checks.

use super::*;

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
            if !crate::numbers::fits_f32(value) {
                return Err(ExprError {
                    column,
                    message: format!(
                        "the number {literal} is beyond float32's range (±3.4e38), in which actlab computes"
                    ),
                });
            }
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

/// What a piece of an expression is, once parsed: a number, or a condition (usable only
/// as the first argument of `where`).
enum Parsed {
    Number(Expr),
    Condition(Condition),
}

struct Parser<'a> {
    tokens: Vec<(Token, usize)>,
    at: usize,
    params: &'a [String],
    /// Current nesting of the recursive descent, bounded so that a pathological
    /// expression is an error rather than a stack overflow.
    depth: usize,
}

/// Deepest nesting an expression may have: parentheses, calls, signs and powers, and each
/// term of a sum or factor of a product (`a + b + c` is two deep), so that every pass
/// over the tree (folding, evaluation, derivatives, dropping it) stays far from the
/// stack's end.
pub(super) const MAX_DEPTH: usize = 100;

/// Longest expression, in characters: bounds the tree's size as the depth bounds its
/// height.
pub(super) const MAX_LENGTH: usize = 4096;

/// The name of a parameter-free registry function in expressions: lower case, `-`
/// written `_` (e.g. `gelu_tanh`).
pub(super) fn function_name(f: FixedFn) -> String {
    f.name().to_ascii_lowercase().replace('-', "_")
}

/// Every function name an expression may call.
pub fn function_names() -> Vec<String> {
    let mut names: Vec<String> = Callee::BUILTIN.iter().map(|(n, _)| n.to_string()).collect();
    names.extend(FixedFn::all().map(function_name));
    names
}

fn callee(name: &str) -> Option<Callee> {
    let lower = name.to_ascii_lowercase();
    Callee::BUILTIN
        .iter()
        .find(|(n, _)| *n == lower)
        .map(|(_, c)| *c)
        .or_else(|| {
            FixedFn::all()
                .find(|f| function_name(*f) == lower)
                .map(Callee::Activation)
        })
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
    /// `expr` with its value in place when it is an operation on numbers alone (so that
    /// every number left in an expression is one float32 holds): an error, at `column`
    /// where the operation starts, when that value is not finite in float32.
    fn folded(&self, expr: Expr, column: usize) -> Result<Expr, ExprError> {
        let constant = match &expr {
            Expr::Neg(a) | Expr::Unary(_, a) => matches!(**a, Expr::Number(_)),
            Expr::Binary(_, a, b) | Expr::Extremum(_, a, b) => {
                matches!(**a, Expr::Number(_)) && matches!(**b, Expr::Number(_))
            }
            _ => false,
        };
        if !constant {
            return Ok(expr);
        }
        let value = expr.eval_f64(0.0, &[]).unwrap_or(f64::NAN);
        if crate::numbers::fits_f32(value) {
            return Ok(Expr::Number(value));
        }
        let what = if value.is_nan() {
            "is not a number (NaN: a logarithm or square root of a negative number, or 0/0)"
                .to_string()
        } else if value.is_infinite() {
            format!("is {value} (a division by zero or an overflow)")
        } else {
            format!(
                "works out to {value:.3e}, beyond float32's range (±3.4e38), in which actlab computes"
            )
        };
        Err(ExprError {
            column,
            message: format!("this part, on numbers alone, {what}"),
        })
    }

    fn number(&self, parsed: Parsed, column: usize) -> Result<Expr, ExprError> {
        match parsed {
            Parsed::Number(expr) => Ok(expr),
            Parsed::Condition(_) => Err(ExprError {
                column,
                message: "a comparison is a condition, usable only as the first argument of where(condition, a, b)".into(),
            }),
        }
    }

    /// Parses a number-valued operand at the current position.
    fn operand(
        &mut self,
        parse: impl FnOnce(&mut Self) -> Result<Parsed, ExprError>,
    ) -> Result<Expr, ExprError> {
        let column = self.column();
        let parsed = parse(self)?;
        self.number(parsed, column)
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

    fn comparison(&mut self) -> Result<Parsed, ExprError> {
        self.nested(Self::comparison_inner)
    }

    fn comparison_inner(&mut self) -> Result<Parsed, ExprError> {
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
        let right = self.operand(Self::sum)?;
        if let Token::Op(op @ ("<" | "<=" | ">" | ">=")) = self.peek() {
            return self.error(format!(
                "comparisons do not chain ('{op}' after a comparison); combine conditions with nested where()"
            ));
        }
        Ok(Parsed::Condition(Condition { op, left, right }))
    }

    fn sum(&mut self) -> Result<Parsed, ExprError> {
        self.chain(Self::product, |token| match token {
            Token::Op("+") => Some(BinaryOp::Add),
            Token::Op("-") => Some(BinaryOp::Sub),
            _ => None,
        })
    }

    fn product(&mut self) -> Result<Parsed, ExprError> {
        self.chain(Self::unary, |token| match token {
            Token::Op("*") => Some(BinaryOp::Mul),
            Token::Op("/") => Some(BinaryOp::Div),
            _ => None,
        })
    }

    /// A left-associative chain `operand (op operand)*`, each link one level deeper
    /// (the tree it builds is as deep as the chain is long).
    fn chain(
        &mut self,
        operand: fn(&mut Self) -> Result<Parsed, ExprError>,
        op_of: fn(&Token) -> Option<BinaryOp>,
    ) -> Result<Parsed, ExprError> {
        let depth = self.depth;
        let result = self.chain_links(operand, op_of);
        self.depth = depth;
        result
    }

    fn chain_links(
        &mut self,
        operand: fn(&mut Self) -> Result<Parsed, ExprError>,
        op_of: fn(&Token) -> Option<BinaryOp>,
    ) -> Result<Parsed, ExprError> {
        let column = self.column();
        let mut left = operand(self)?;
        while let Some(op) = op_of(self.peek()) {
            if self.depth + 1 >= MAX_DEPTH {
                return self.error(format!(
                    "the expression nests more than {MAX_DEPTH} levels deep here (each term of a sum or factor of a product is a level); split it into parameters or simpler terms"
                ));
            }
            self.depth += 1;
            self.advance();
            let l = self.number(left, column)?;
            let r = self.operand(operand)?;
            left = Parsed::Number(self.folded(Expr::Binary(op, Box::new(l), Box::new(r)), column)?);
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Parsed, ExprError> {
        self.nested(Self::unary_inner)
    }

    fn unary_inner(&mut self) -> Result<Parsed, ExprError> {
        if self.peek() == &Token::Op("-") {
            let column = self.column();
            self.advance();
            let operand = self.operand(Self::unary)?;
            return Ok(Parsed::Number(
                self.folded(Expr::Neg(Box::new(operand)), column)?,
            ));
        }
        self.power()
    }

    fn power(&mut self) -> Result<Parsed, ExprError> {
        let column = self.column();
        let base = self.atom()?;
        if self.peek() != &Token::Op("^") {
            return Ok(base);
        }
        self.advance();
        let base = self.number(base, column)?;
        let exponent = self.operand(Self::unary)?;
        let power = Expr::Binary(BinaryOp::Pow, Box::new(base), Box::new(exponent));
        Ok(Parsed::Number(self.folded(power, column)?))
    }

    fn atom(&mut self) -> Result<Parsed, ExprError> {
        let (token, column) = self.advance();
        match token {
            Token::Number(v) => Ok(Parsed::Number(Expr::Number(v))),
            Token::Open => {
                let inner = self.comparison()?;
                self.expect_close("to close the '(' at column", column)?;
                Ok(inner)
            }
            Token::Name(name) if self.peek() == &Token::Open => self.call(&name, column),
            Token::Name(name) => self.name(&name, column).map(Parsed::Number),
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

    fn name(&self, name: &str, column: usize) -> Result<Expr, ExprError> {
        if name == "x" {
            return Ok(Expr::X);
        }
        if let Some(i) = self.params.iter().position(|p| p == name) {
            return Ok(Expr::Param(i));
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

    fn call(&mut self, name: &str, column: usize) -> Result<Parsed, ExprError> {
        let Some(function) = callee(name) else {
            return Err(ExprError {
                column,
                message: format!(
                    "unknown function '{name}'; valid functions: {}",
                    function_names().join(", ")
                ),
            });
        };
        let lower = name.to_ascii_lowercase();
        self.advance(); // '('
        let mut condition = None;
        let mut args = Vec::new();
        loop {
            let arg_column = self.column();
            let arg = self.comparison()?;
            let wants_condition =
                function == Callee::Where && condition.is_none() && args.is_empty();
            match (arg, wants_condition) {
                (Parsed::Condition(c), true) => condition = Some(c),
                (Parsed::Number(_), true) => {
                    return Err(ExprError {
                        column: arg_column,
                        message: format!(
                            "the first argument of {lower}() must be a comparison such as x > 0"
                        ),
                    });
                }
                (arg, false) => args.push(self.number(arg, arg_column)?),
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
        let arity = function.arity();
        let given = args.len() + usize::from(condition.is_some());
        if given != arity {
            return Err(ExprError {
                column,
                message: format!(
                    "{name}() takes {arity} argument{}, given {given}",
                    if arity == 1 { "" } else { "s" },
                ),
            });
        }
        let mut args = args.into_iter().map(Box::new);
        let mut next = || args.next().expect("arity checked above");
        let called = match function {
            Callee::Unary(f) => Expr::Unary(f, next()),
            Callee::Extremum(e) => Expr::Extremum(e, next(), next()),
            Callee::Activation(f) => Expr::Activation(f, next()),
            Callee::Where => {
                let condition = condition.expect("where's condition is counted in its arity");
                Expr::Where(Box::new(condition), next(), next())
            }
        };
        Ok(Parsed::Number(self.folded(called, column)?))
    }
}

/// Parses and type-checks `text`; `params` are the names of the trainable parameters.
pub(super) fn parse(text: &str, params: &[String]) -> Result<Expr, ExprError> {
    let length = text.chars().count();
    if length > MAX_LENGTH {
        return Err(ExprError {
            column: MAX_LENGTH + 1,
            message: format!(
                "the expression is {length} characters long; at most {MAX_LENGTH} are read"
            ),
        });
    }
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        params,
        depth: 0,
    };
    let expr = parser.operand(Parser::comparison)?;
    if parser.peek() != &Token::End {
        return parser.error(format!(
            "expected an operator or the end of the expression, found {}",
            parser.peek().describe()
        ));
    }
    Ok(expr)
}
