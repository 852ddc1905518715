//! Expressions written back as text that parses to the same tree, with no more
//! parentheses than the grammar needs: how the search writes the candidates it builds
//! as `[[activation]]` formulas, and as PyTorch code (Python's `**` binds as `^` does
//! here, tighter than unary minus and right-associative, so one printer serves both).

use std::fmt::Write;

use super::{BinaryOp, Comparison, Expr, Extremum, UnaryFn, parse::function_name};

/// Binding strength, loosest first: what a context demands of the operand it holds.
const SUM: u8 = 1;
const PRODUCT: u8 = 2;
const UNARY: u8 = 3;
const POWER: u8 = 4;
const ATOM: u8 = 5;

fn strength(e: &Expr) -> u8 {
    match e {
        Expr::Number(v) if v.is_sign_negative() => UNARY,
        Expr::Neg(_) => UNARY,
        Expr::Binary(BinaryOp::Add | BinaryOp::Sub, ..) => SUM,
        Expr::Binary(BinaryOp::Mul | BinaryOp::Div, ..) => PRODUCT,
        Expr::Binary(BinaryOp::Pow, ..) => POWER,
        _ => ATOM,
    }
}

/// A literal as Rust writes the shortest decimal that reads back to it, integers
/// without `.0`.
fn number_text(v: f64) -> String {
    let text = format!("{v:?}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_string)
}

fn unary_name(f: UnaryFn) -> &'static str {
    match f {
        UnaryFn::Exp => "exp",
        UnaryFn::Log => "log",
        UnaryFn::Sin => "sin",
        UnaryFn::Cos => "cos",
        UnaryFn::Abs => "abs",
        UnaryFn::Sqrt => "sqrt",
        UnaryFn::Erf => "erf",
    }
}

fn comparison(op: Comparison) -> &'static str {
    match op {
        Comparison::Less => "<",
        Comparison::LessEqual => "<=",
        Comparison::Greater => ">",
        Comparison::GreaterEqual => ">=",
    }
}

/// What the text is written in.
#[derive(Clone, Copy, PartialEq)]
enum Dialect {
    /// actlab's expression language.
    Actlab,
    /// A PyTorch `forward(self, x)` body: parameters are `self.<name>`.
    Torch,
}

struct Printer<'a> {
    params: &'a [String],
    out: String,
    dialect: Dialect,
    /// Why the expression has no PyTorch form, once found.
    missing: Option<String>,
}

impl Printer<'_> {
    /// Writes `e` where the grammar needs at least strength `need`.
    fn operand(&mut self, e: &Expr, need: u8) {
        if strength(e) < need {
            self.out.push('(');
            self.expr(e);
            self.out.push(')');
        } else {
            self.expr(e);
        }
    }

    fn call(&mut self, name: &str, args: &[&Expr]) {
        self.out.push_str(name);
        self.out.push('(');
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.expr(a);
        }
        self.out.push(')');
    }

    /// `min`/`max`; in PyTorch `torch.minimum`/`torch.maximum` of two tensors, or a
    /// clamp where one side is a number (those take no Python number).
    fn extremum(&mut self, m: Extremum, a: &Expr, b: &Expr) {
        let name = match m {
            Extremum::Min => "min",
            Extremum::Max => "max",
        };
        if self.dialect == Dialect::Actlab {
            return self.call(name, &[a, b]);
        }
        let (tensor, number) = match (a, b) {
            (Expr::Number(n), t) | (t, Expr::Number(n)) => (t, *n),
            _ => return self.call(&format!("torch.{name}imum"), &[a, b]),
        };
        self.out.push_str("torch.clamp(");
        self.expr(tensor);
        let bound = match m {
            Extremum::Min => "max",
            Extremum::Max => "min",
        };
        let _ = write!(self.out, ", {bound}={})", number_text(number));
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Number(v) => self.out.push_str(&number_text(*v)),
            Expr::X => self.out.push('x'),
            Expr::Param(i) => {
                if self.dialect == Dialect::Torch {
                    self.out.push_str("self.");
                }
                self.out.push_str(&self.params[*i]);
            }
            Expr::Neg(a) => {
                self.out.push('-');
                self.operand(a, UNARY);
            }
            Expr::Binary(BinaryOp::Pow, a, b) => {
                // Right-associative, exponent a unary: a^b^c is a^(b^c), x^-2 needs none.
                self.operand(a, ATOM);
                self.out.push_str(match self.dialect {
                    Dialect::Actlab => "^",
                    Dialect::Torch => " ** ",
                });
                self.operand(b, UNARY);
            }
            Expr::Binary(op, a, b) => {
                let (symbol, own) = match op {
                    BinaryOp::Add => (" + ", SUM),
                    BinaryOp::Sub => (" - ", SUM),
                    BinaryOp::Mul => (" * ", PRODUCT),
                    _ => (" / ", PRODUCT),
                };
                // Left-associative: the left operand may be as loose as the operator,
                // the right one must bind tighter to stay where it is.
                self.operand(a, own);
                self.out.push_str(symbol);
                self.operand(b, own + 1);
            }
            Expr::Unary(f, a) => match self.dialect {
                Dialect::Actlab => self.call(unary_name(*f), &[a]),
                Dialect::Torch => self.call(&format!("torch.{}", unary_name(*f)), &[a]),
            },
            Expr::Extremum(m, a, b) => self.extremum(*m, a, b),
            Expr::Activation(f, a) => match self.dialect {
                Dialect::Actlab => self.call(&function_name(*f), &[a]),
                Dialect::Torch => match f.kind().torch().module.filter(|m| m.starts_with("nn.")) {
                    Some(module) => self.call(module, &[a]),
                    None => {
                        self.missing
                            .get_or_insert(format!("{} has no torch.nn module", f.name()));
                        self.call(&function_name(*f), &[a]);
                    }
                },
            },
            Expr::Where(c, a, b) => {
                self.out.push_str(match self.dialect {
                    Dialect::Actlab => "where(",
                    Dialect::Torch => "torch.where(",
                });
                self.expr(&c.left);
                let _ = write!(self.out, " {} ", comparison(c.op));
                self.expr(&c.right);
                self.out.push_str(", ");
                self.expr(a);
                self.out.push_str(", ");
                self.expr(b);
                self.out.push(')');
            }
        }
    }
}

impl Expr {
    /// The expression as text that [`Expr::parse`] with the same `params` reads back to
    /// this tree.
    pub fn to_text(&self, params: &[String]) -> String {
        let mut printer = Printer {
            params,
            out: String::new(),
            dialect: Dialect::Actlab,
            missing: None,
        };
        printer.expr(self);
        printer.out
    }

    /// The expression as a PyTorch expression in `x` (a tensor) and `self.<param>`
    /// (each an `nn.Parameter`), with actlab's meaning; an error naming the registry
    /// function that `torch.nn` does not have.
    pub fn to_torch(&self, params: &[String]) -> Result<String, String> {
        let mut printer = Printer {
            params,
            out: String::new(),
            dialect: Dialect::Torch,
            missing: None,
        };
        printer.expr(self);
        match printer.missing {
            Some(why) => Err(why),
            None => Ok(printer.out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str, params: &[&str]) -> String {
        let params: Vec<String> = params.iter().map(|p| p.to_string()).collect();
        let parsed = Expr::parse(text, &params).unwrap();
        let printed = parsed.to_text(&params);
        assert_eq!(
            Expr::parse(&printed, &params).unwrap(),
            parsed,
            "{text} printed as {printed}"
        );
        printed
    }

    #[test]
    fn printed_text_reads_back_to_the_same_tree_with_few_parentheses() {
        assert_eq!(
            round_trip("x * sigmoid(beta * x)", &["beta"]),
            "x * sigmoid(beta * x)"
        );
        assert_eq!(round_trip("(x - 1) - (x - 2)", &[]), "x - 1 - (x - 2)");
        assert_eq!(round_trip("x / (x * x)", &[]), "x / (x * x)");
        assert_eq!(round_trip("(-x)^2 + -x^2", &[]), "(-x)^2 + -x^2");
        assert_eq!(round_trip("x^(x^2) * (x^x)^2", &[]), "x^x^2 * (x^x)^2");
        assert_eq!(round_trip("x ^ -0.5", &[]), "x^-0.5");
        assert_eq!(round_trip("-(x + 1)", &[]), "-(x + 1)");
        assert_eq!(round_trip("x * 1e-6 + 0.001", &[]), "x * 1e-6 + 0.001");
        assert_eq!(
            round_trip("where(x + 1 > 0, min(x, 2), gelu_tanh(x))", &[]),
            "where(x + 1 > 0, min(x, 2), gelu_tanh(x))"
        );
        assert_eq!(
            round_trip("log(abs(x) + 0.001)", &[]),
            "log(abs(x) + 0.001)"
        );
    }
}
