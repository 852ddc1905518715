//! The expression as a graph of float32 operations with shared nodes (each distinct
//! operation on the same operands exists once: common subexpressions are one node), built
//! to compute exactly what the composed tensor operations of `custom.rs` compute, and
//! differentiated symbolically.

use std::collections::HashMap;

use spec::{BinaryOp, Comparison, Condition, Expr, Extremum, FixedFn, UnaryFn};

/// A node's index; a node's operands always have smaller ones (the order is topological).
pub(super) type Id = u32;

/// One float32 operation on whole lanes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Op {
    /// The input.
    X,
    /// The gradient flowing in (backward programs only).
    Grad,
    /// Parameter `i`: shared (one value) or one value per unit of x's last dimension.
    Param(u16),
    /// A constant, by its float32 bits.
    Const(u32),
    Neg(Id),
    Add(Id, Id),
    Sub(Id, Id),
    Mul(Id, Id),
    Div(Id, Id),
    /// `a^n` for an integer n, by repeated squaring as Rust's `powi` (compiler-rt).
    PowInt(Id, i32),
    /// `a^b`, computed in float64 (`f64::powf`) and rounded once.
    Pow(Id, Id),
    Exp(Id),
    Log(Id),
    Sin(Id),
    Cos(Id),
    Abs(Id),
    Sqrt(Id),
    Erf(Id),
    /// -1, 0 or 1 (0 at ±0, as Burn's `sign`).
    Sign(Id),
    /// `(l cmp r) ? a : b`.
    Select(Comparison, Id, Id, Id, Id),
    /// A registry function's value.
    Value(FixedFn, Id),
    /// A registry function's derivative.
    Slope(FixedFn, Id),
}

impl Op {
    /// Leaves are read, not computed: x, the incoming gradient, parameters, constants.
    pub(super) fn is_leaf(self) -> bool {
        matches!(self, Op::X | Op::Grad | Op::Param(_) | Op::Const(_))
    }

    /// The same operation with each operand replaced by `f(operand)`, called in operand
    /// order (a `Select`'s comparison sides, then its branches).
    pub(super) fn map_operands(self, mut f: impl FnMut(Id) -> Id) -> Op {
        match self {
            Op::X | Op::Grad | Op::Param(_) | Op::Const(_) => self,
            Op::Neg(a) => Op::Neg(f(a)),
            Op::Add(a, b) => Op::Add(f(a), f(b)),
            Op::Sub(a, b) => Op::Sub(f(a), f(b)),
            Op::Mul(a, b) => Op::Mul(f(a), f(b)),
            Op::Div(a, b) => Op::Div(f(a), f(b)),
            Op::PowInt(a, n) => Op::PowInt(f(a), n),
            Op::Pow(a, b) => Op::Pow(f(a), f(b)),
            Op::Exp(a) => Op::Exp(f(a)),
            Op::Log(a) => Op::Log(f(a)),
            Op::Sin(a) => Op::Sin(f(a)),
            Op::Cos(a) => Op::Cos(f(a)),
            Op::Abs(a) => Op::Abs(f(a)),
            Op::Sqrt(a) => Op::Sqrt(f(a)),
            Op::Erf(a) => Op::Erf(f(a)),
            Op::Sign(a) => Op::Sign(f(a)),
            Op::Select(c, l, r, a, b) => Op::Select(c, f(l), f(r), f(a), f(b)),
            Op::Value(g, a) => Op::Value(g, f(a)),
            Op::Slope(g, a) => Op::Slope(g, f(a)),
        }
    }

    /// The nodes this one reads.
    pub(super) fn operands(self) -> Vec<Id> {
        let mut read = Vec::new();
        self.map_operands(|id| {
            read.push(id);
            id
        });
        read
    }

    /// The operation computed with this one for little more than its own cost: a registry
    /// function's slope with its value (one exp or erf for both), cos with sin.
    pub(super) fn partner(self) -> Option<Op> {
        match self {
            Op::Value(f, a) => Some(Op::Slope(f, a)),
            Op::Slope(f, a) => Some(Op::Value(f, a)),
            Op::Sin(a) => Some(Op::Cos(a)),
            Op::Cos(a) => Some(Op::Sin(a)),
            _ => None,
        }
    }
}

/// What a derivative is taken with respect to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Var {
    X,
    Param(u16),
}

/// Nodes, each once.
#[derive(Default, Debug)]
pub(super) struct Graph {
    pub(super) nodes: Vec<Op>,
    index: HashMap<Op, Id>,
    /// Algebraic simplification (`a * 0 = 0`, `a + 0 = a`, constants folded) is on while
    /// differentiating. The forward expression keeps every operation the composed path
    /// performs, so that both round alike (`0 * inf` stays NaN there, as in Burn).
    algebra: bool,
    derivatives: HashMap<(Id, Var), Id>,
}

/// A value while building: a constant is kept in float64 until it meets a node, as the
/// composed evaluation keeps its `Value::Number`.
#[derive(Clone, Copy)]
enum Built {
    Number(f64),
    Node(Id),
}

impl Graph {
    /// The node for `op`, created if new.
    pub(super) fn node(&mut self, op: Op) -> Id {
        if let Some(&id) = self.index.get(&op) {
            return id;
        }
        let id = self.nodes.len() as Id;
        self.nodes.push(op);
        self.index.insert(op, id);
        id
    }

    /// The node for `op`, if there is one.
    pub(super) fn find(&self, op: Op) -> Option<Id> {
        self.index.get(&op).copied()
    }

    pub(super) fn constant(&mut self, v: f32) -> Id {
        self.node(Op::Const(v.to_bits()))
    }

    /// The constant a node holds, if it is one.
    fn value_of(&self, id: Id) -> Option<f32> {
        match self.nodes[id as usize] {
            Op::Const(bits) => Some(f32::from_bits(bits)),
            _ => None,
        }
    }

    fn is(&self, id: Id, v: f32) -> bool {
        self.value_of(id) == Some(v)
    }

    /// Both operands as constants, when folding is on.
    fn folded(&self, a: Id, b: Id) -> Option<(f32, f32)> {
        if !self.algebra {
            return None;
        }
        Some((self.value_of(a)?, self.value_of(b)?))
    }

    pub(super) fn neg(&mut self, a: Id) -> Id {
        if self.algebra {
            if let Some(v) = self.value_of(a) {
                return self.constant(-v);
            }
            if let Op::Neg(inner) = self.nodes[a as usize] {
                return inner;
            }
        }
        self.node(Op::Neg(a))
    }

    pub(super) fn add(&mut self, a: Id, b: Id) -> Id {
        if let Some((x, y)) = self.folded(a, b) {
            return self.constant(x + y);
        }
        if self.algebra && self.is(a, 0.0) {
            return b;
        }
        if self.algebra && self.is(b, 0.0) {
            return a;
        }
        self.node(Op::Add(a, b))
    }

    pub(super) fn sub(&mut self, a: Id, b: Id) -> Id {
        if let Some((x, y)) = self.folded(a, b) {
            return self.constant(x - y);
        }
        if self.algebra && self.is(b, 0.0) {
            return a;
        }
        if self.algebra && self.is(a, 0.0) {
            return self.neg(b);
        }
        self.node(Op::Sub(a, b))
    }

    pub(super) fn mul(&mut self, a: Id, b: Id) -> Id {
        if let Some((x, y)) = self.folded(a, b) {
            return self.constant(x * y);
        }
        if self.algebra {
            if self.is(a, 0.0) || self.is(b, 0.0) {
                return self.constant(0.0);
            }
            if self.is(a, 1.0) {
                return b;
            }
            if self.is(b, 1.0) {
                return a;
            }
            if self.is(a, -1.0) {
                return self.neg(b);
            }
            if self.is(b, -1.0) {
                return self.neg(a);
            }
        }
        self.node(Op::Mul(a, b))
    }

    pub(super) fn div(&mut self, a: Id, b: Id) -> Id {
        if let Some((x, y)) = self.folded(a, b) {
            return self.constant(x / y);
        }
        if self.algebra && self.is(a, 0.0) {
            return a;
        }
        if self.algebra && self.is(b, 1.0) {
            return a;
        }
        self.node(Op::Div(a, b))
    }

    pub(super) fn select(&mut self, cmp: Comparison, l: Id, r: Id, a: Id, b: Id) -> Id {
        if self.algebra && a == b {
            return a;
        }
        self.node(Op::Select(cmp, l, r, a, b))
    }

    /// `a^n` for an integer n as the derivative needs it (`a^1 = a`, `a^0 = 1`).
    fn pow_int(&mut self, a: Id, n: i32) -> Id {
        match n {
            0 => self.constant(1.0),
            1 => a,
            _ => self.node(Op::PowInt(a, n)),
        }
    }

    /// The graph of `expr`'s value: operation for operation what `custom.rs`'s evaluator
    /// does with tensors (constant subexpressions in float64 first, a number meeting a
    /// tensor as a float32 scalar).
    pub(super) fn build(&mut self, expr: &Expr) -> Id {
        let built = self.built(expr);
        self.node_of(built)
    }

    fn node_of(&mut self, v: Built) -> Id {
        match v {
            Built::Number(n) => self.constant(n as f32),
            Built::Node(id) => id,
        }
    }

    fn built(&mut self, expr: &Expr) -> Built {
        use Built::{Node, Number};
        match expr {
            Expr::Number(v) => Number(*v),
            Expr::X => Node(self.node(Op::X)),
            Expr::Param(i) => Node(self.node(Op::Param(*i as u16))),
            Expr::Neg(a) => match self.built(a) {
                Number(v) => Number(-v),
                Node(a) => Node(self.node(Op::Neg(a))),
            },
            Expr::Binary(op, a, b) => {
                let (a, b) = (self.built(a), self.built(b));
                self.binary(*op, a, b)
            }
            Expr::Unary(f, a) => match self.built(a) {
                Number(v) => Number(f.eval_f64(v)),
                Node(a) => Node(self.node(match f {
                    UnaryFn::Exp => Op::Exp(a),
                    UnaryFn::Log => Op::Log(a),
                    UnaryFn::Sin => Op::Sin(a),
                    UnaryFn::Cos => Op::Cos(a),
                    UnaryFn::Abs => Op::Abs(a),
                    UnaryFn::Sqrt => Op::Sqrt(a),
                    UnaryFn::Erf => Op::Erf(a),
                })),
            },
            Expr::Extremum(e, a, b) => {
                let (a, b) = (self.built(a), self.built(b));
                self.extremum(*e, a, b)
            }
            Expr::Where(condition, when, otherwise) => {
                let Condition { op, left, right } = condition.as_ref();
                let (l, r) = (self.build(left), self.build(right));
                let (a, b) = (self.build(when), self.build(otherwise));
                Node(self.node(Op::Select(*op, l, r, a, b)))
            }
            Expr::Activation(f, a) => {
                let a = self.build(a);
                Node(self.node(Op::Value(*f, a)))
            }
        }
    }

    fn binary(&mut self, op: BinaryOp, a: Built, b: Built) -> Built {
        use BinaryOp as B;
        use Built::{Node, Number};
        Node(match (a, b) {
            (Number(a), Number(b)) => {
                return Number(match op {
                    B::Add => a + b,
                    B::Sub => a - b,
                    B::Mul => a * b,
                    B::Div => a / b,
                    B::Pow => a.powf(b),
                });
            }
            (Node(t), Number(n)) => {
                let c = self.constant(n as f32);
                match op {
                    B::Add => self.node(Op::Add(t, c)),
                    B::Sub => self.node(Op::Sub(t, c)),
                    B::Mul => self.node(Op::Mul(t, c)),
                    B::Div => self.node(Op::Div(t, c)),
                    B::Pow => self.power(t, n),
                }
            }
            (Number(n), Node(t)) => match op {
                B::Add => {
                    let c = self.constant(n as f32);
                    self.node(Op::Add(t, c))
                }
                B::Sub => {
                    let (minus, c) = (self.node(Op::Neg(t)), self.constant(n as f32));
                    self.node(Op::Add(minus, c))
                }
                B::Mul => {
                    let c = self.constant(n as f32);
                    self.node(Op::Mul(t, c))
                }
                B::Div => {
                    // Burn's `recip` then `mul_scalar`: two roundings, as composed.
                    let one = self.constant(1.0);
                    let recip = self.node(Op::Div(one, t));
                    let c = self.constant(n as f32);
                    self.node(Op::Mul(recip, c))
                }
                B::Pow => {
                    // n^t = e^(t ln n).
                    let c = self.constant(n.ln() as f32);
                    let z = self.node(Op::Mul(t, c));
                    self.node(Op::Exp(z))
                }
            },
            (Node(a), Node(b)) => {
                if op == B::Mul
                    && let Some(fused) = self.builtin_form(a, b).or_else(|| self.builtin_form(b, a))
                {
                    return Node(fused);
                }
                self.node(match op {
                    B::Add => Op::Add(a, b),
                    B::Sub => Op::Sub(a, b),
                    B::Mul => Op::Mul(a, b),
                    B::Div => Op::Div(a, b),
                    B::Pow => Op::Pow(a, b),
                })
            }
        })
    }

    /// `u * g(u)` as the registry function it spells, computed by that function's kernel
    /// (one exp for Mish instead of tanh's and softplus's, and the same bits as the
    /// built-in): `u * sigmoid(u)` is SiLU, `u * tanh(softplus(u))` Mish,
    /// `u * tanh(exp(u))` TanhExp. The product's value differs from the composed one by
    /// roundings only (the parity tests hold it to them).
    fn builtin_form(&mut self, u: Id, other: Id) -> Option<Id> {
        let inner = |op: Op| match op {
            Op::Value(f, a) => Some((f, a)),
            _ => None,
        };
        let (outer, arg) = inner(self.nodes[other as usize])?;
        let function = match (outer, inner(self.nodes[arg as usize])) {
            (FixedFn::Sigmoid, _) if arg == u => FixedFn::SiLU,
            (FixedFn::Tanh, Some((FixedFn::Softplus, a))) if a == u => FixedFn::Mish,
            (FixedFn::Tanh, _) => match self.nodes[arg as usize] {
                Op::Exp(a) if a == u => FixedFn::TanhExp,
                _ => return None,
            },
            _ => return None,
        };
        Some(self.node(Op::Value(function, u)))
    }

    /// `t ^ n` as `custom.rs`'s `power` chooses: Burn's integer power for an integer up
    /// to 64, its float power for other numbers, e^(n ln|t|) for a huge (even) integer.
    fn power(&mut self, t: Id, n: f64) -> Id {
        let integer = n.fract() == 0.0;
        if integer && n.abs() <= 64.0 {
            return self.node(Op::PowInt(t, n as i32));
        }
        let c = self.constant(n as f32);
        if !integer || n.abs() < 9.0e15 {
            return self.node(Op::Pow(t, c));
        }
        let abs = self.node(Op::Abs(t));
        let log = self.node(Op::Log(abs));
        let z = self.node(Op::Mul(log, c));
        self.node(Op::Exp(z))
    }

    /// `min`/`max` as composed: against a number, Burn's clamp (ties pass the gradient to
    /// the tensor); between tensors, `min_pair`/`max_pair` (ties to the left operand).
    fn extremum(&mut self, e: Extremum, a: Built, b: Built) -> Built {
        use Built::{Node, Number};
        let min = e == Extremum::Min;
        match (a, b) {
            (Number(l), Number(r)) => Number(if min { l.min(r) } else { l.max(r) }),
            (Node(t), Number(n)) | (Number(n), Node(t)) => {
                let c = self.constant(n as f32);
                // clamp_max: t > n ? n : t; clamp_min: t < n ? n : t.
                let cmp = if min {
                    Comparison::Greater
                } else {
                    Comparison::Less
                };
                Node(self.node(Op::Select(cmp, t, c, c, t)))
            }
            (Node(l), Node(r)) => Node(if min {
                // min_pair: r < l ? r : l.
                self.node(Op::Select(Comparison::Less, r, l, r, l))
            } else {
                // max_pair: l < r ? r : l.
                self.node(Op::Select(Comparison::Less, l, r, r, l))
            }),
        }
    }

    /// d node / d var, simplified, its nodes shared with the value's.
    pub(super) fn derivative(&mut self, id: Id, var: Var) -> Id {
        if let Some(&d) = self.derivatives.get(&(id, var)) {
            return d;
        }
        self.algebra = true;
        let d = match self.nodes[id as usize] {
            Op::X => self.constant(if var == Var::X { 1.0 } else { 0.0 }),
            Op::Param(i) => self.constant(if var == Var::Param(i) { 1.0 } else { 0.0 }),
            Op::Grad | Op::Const(_) | Op::Sign(_) | Op::Slope(..) => self.constant(0.0),
            Op::Neg(a) => {
                let da = self.derivative(a, var);
                self.neg(da)
            }
            Op::Add(a, b) => {
                let (da, db) = (self.derivative(a, var), self.derivative(b, var));
                self.add(da, db)
            }
            Op::Sub(a, b) => {
                let (da, db) = (self.derivative(a, var), self.derivative(b, var));
                self.sub(da, db)
            }
            Op::Mul(a, b) => {
                let (da, db) = (self.derivative(a, var), self.derivative(b, var));
                let (left, right) = (self.mul(da, b), self.mul(a, db));
                self.add(left, right)
            }
            Op::Div(a, b) => {
                // da / b - db (a / b) / b, reusing the value a / b.
                let (da, db) = (self.derivative(a, var), self.derivative(b, var));
                let first = self.div(da, b);
                let ratio = self.div(id, b);
                let second = self.mul(db, ratio);
                self.sub(first, second)
            }
            Op::PowInt(a, n) => {
                let da = self.derivative(a, var);
                let (c, lower) = (self.constant(n as f32), self.pow_int(a, n - 1));
                let slope = self.mul(c, lower);
                self.mul(da, slope)
            }
            Op::Pow(a, b) => {
                // b a^(b-1) da + a^b ln(a) db.
                let (da, db) = (self.derivative(a, var), self.derivative(b, var));
                let one = self.constant(1.0);
                let lower_exponent = self.sub(b, one);
                let lower = self.node(Op::Pow(a, lower_exponent));
                let base_slope = self.mul(b, lower);
                let left = self.mul(da, base_slope);
                let right = if self.is(db, 0.0) {
                    db
                } else {
                    let log = self.node(Op::Log(a));
                    let exponent_slope = self.mul(id, log);
                    self.mul(db, exponent_slope)
                };
                self.add(left, right)
            }
            Op::Exp(a) => {
                let da = self.derivative(a, var);
                self.mul(da, id)
            }
            Op::Log(a) => {
                let da = self.derivative(a, var);
                self.div(da, a)
            }
            Op::Sin(a) => {
                let da = self.derivative(a, var);
                let cos = self.node(Op::Cos(a));
                self.mul(da, cos)
            }
            Op::Cos(a) => {
                let da = self.derivative(a, var);
                let sin = self.node(Op::Sin(a));
                let term = self.mul(da, sin);
                self.neg(term)
            }
            Op::Abs(a) => {
                let da = self.derivative(a, var);
                let sign = self.node(Op::Sign(a));
                self.mul(da, sign)
            }
            Op::Sqrt(a) => {
                let da = self.derivative(a, var);
                let two = self.constant(2.0);
                let twice = self.mul(two, id);
                self.div(da, twice)
            }
            Op::Erf(a) => {
                // da 2/√π e^(−a²).
                let da = self.derivative(a, var);
                let square = self.mul(a, a);
                let minus = self.neg(square);
                let bell = self.node(Op::Exp(minus));
                let scale = self.constant(std::f32::consts::FRAC_2_SQRT_PI);
                let slope = self.mul(scale, bell);
                self.mul(da, slope)
            }
            Op::Select(cmp, l, r, a, b) => {
                let (da, db) = (self.derivative(a, var), self.derivative(b, var));
                self.select(cmp, l, r, da, db)
            }
            Op::Value(f, a) => {
                let da = self.derivative(a, var);
                if self.is(da, 0.0) {
                    da
                } else {
                    let slope = self.node(Op::Slope(f, a));
                    self.mul(da, slope)
                }
            }
        };
        self.derivatives.insert((id, var), d);
        d
    }
}
