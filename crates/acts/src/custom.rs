//! User-defined activations: an expression of the `spec` language, or a learned mixture
//! of registry functions. On the CPU device in float32 each runs as the kernels it is
//! compiled to (`fused::expr`: one pass forward, one backward, derivatives taken
//! symbolically); elsewhere, in float64, or with `ACTLAB_FUSED_EXPR=0`, as composed
//! tensor operations that Burn's autodiff differentiates. The composed evaluation here is
//! also the reference the kernels are tested against.

use burn::module::{Module, Param};
use burn::tensor::activation::softmax;
use burn::tensor::{Bool, Device, Tensor};
use spec::{
    BinaryOp, Comparison, Compiled, Condition, Definition, Expr, Extremum, FixedFn, UnaryFn,
};

use std::sync::Arc;

use crate::functional::{apply_fixed, divide_by};
use crate::fused::{self, ExprKernel};

/// A user-defined activation: an expression with one trainable tensor per declared
/// parameter (`[units]`), or a mixture with one tensor of weight logits
/// (`[functions * units]`, function-major).
#[derive(Module, Debug)]
pub struct CustomModule {
    #[module(skip)]
    definition: Definition,
    /// The definition compiled to fused kernels (flex or wgpu, float32), or why it is not.
    #[module(skip)]
    kernel: Result<Arc<ExprKernel>, String>,
    /// The parameters, in the definition's (name) order.
    pub params: Vec<Param<Tensor<1>>>,
}

/// An intermediate result: a constant is kept as a number until it meets a tensor.
// Values live on the stack for one step of the recursive evaluation; boxing the tensor
// would allocate at every node to save bytes that are never kept.
#[allow(clippy::large_enum_variant)]
enum Value<const D: usize> {
    Number(f64),
    Tensor(Tensor<D>),
}

impl CustomModule {
    /// The definition with each parameter's initial value for each of `units` units;
    /// a mixture starts with equal weights (the plain average of its functions).
    pub fn init(definition: &Definition, units: usize, device: &Device) -> Self {
        let params = match definition.compiled() {
            Compiled::Expression(_) => definition
                .source()
                .initial_values()
                .iter()
                .map(|&v| Param::from_tensor(Tensor::full([units], v, device)))
                .collect(),
            Compiled::Mixture(functions) => {
                vec![Param::from_tensor(Tensor::zeros(
                    [functions.len() * units],
                    device,
                ))]
            }
        };
        Self {
            definition: definition.clone(),
            kernel: ExprKernel::compile(definition).map(Arc::new),
            params,
        }
    }

    /// The compiled kernels, or why the definition runs composed everywhere.
    pub fn kernel(&self) -> Result<&ExprKernel, &str> {
        self.kernel.as_deref().map_err(String::as_str)
    }

    /// The definition this module computes.
    pub fn definition(&self) -> &Definition {
        &self.definition
    }

    /// The parameters with their names.
    pub(crate) fn named_params(&self) -> Vec<(String, &Param<Tensor<1>>)> {
        self.definition
            .source()
            .param_names()
            .into_iter()
            .zip(&self.params)
            .collect()
    }

    /// The same module with its parameters taken, in order, from `params`.
    pub(crate) fn with_params(self, params: impl Iterator<Item = Param<Tensor<1>>>) -> Self {
        Self {
            params: params.take(self.params.len()).collect(),
            ..self
        }
    }

    /// Applies the function element-wise: by its compiled kernels where fused kernels
    /// apply (flex or wgpu, float32), else by composed tensor operations.
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        if let Ok(kernel) = &self.kernel
            && fused::expressions_enabled()
            && fused::kernels_apply(&x)
        {
            let params = self.kernel_params(&x.device());
            return fused::expression(x, params, kernel.clone());
        }
        let expr = match self.definition.compiled() {
            Compiled::Expression(expr) => expr,
            Compiled::Mixture(functions) => return self.mixture(functions, x),
        };
        let params: Vec<Tensor<D>> = self
            .params
            .iter()
            .map(|p| crate::fused::per_unit(p.val(), &x))
            .collect();
        let out = Evaluator {
            x: &x,
            params: &params,
        }
        .tensor(expr);
        // A result that does not depend on x (a constant, or parameters alone) still
        // has one value per input element.
        x.zeros_like() + out
    }

    /// The values the kernel reads, `[params, size]`: the parameters stacked, a mixture's
    /// softmax weights, or an unread `[1, 1]` when there are none.
    fn kernel_params(&self, device: &Device) -> Tensor<2> {
        match self.definition.compiled() {
            Compiled::Mixture(functions) => self.mixture_weights(functions.len()),
            Compiled::Expression(_) if self.params.is_empty() => Tensor::zeros([1, 1], device),
            Compiled::Expression(_) => {
                Tensor::stack(self.params.iter().map(|p| p.val()).collect(), 0)
            }
        }
    }

    /// `softmax(w)` over the functions for each unit, `[functions, size]`.
    fn mixture_weights(&self, k: usize) -> Tensor<2> {
        let [n] = self.params[0].dims();
        softmax(self.params[0].val().reshape([k, n / k]), 0)
    }

    /// `sum_i softmax(w)_i f_i(x)`, the softmax taken over the functions for each unit.
    fn mixture<const D: usize>(&self, functions: &[FixedFn], x: Tensor<D>) -> Tensor<D> {
        let k = functions.len();
        let [n] = self.params[0].dims();
        let weights = self.mixture_weights(k);
        functions
            .iter()
            .enumerate()
            .map(|(i, &function)| {
                let w = weights.clone().narrow(0, i, 1).reshape([n / k]);
                apply_fixed(function, x.clone()) * w.unsqueeze::<D>()
            })
            .reduce(|a, b| a + b)
            .expect("a mixture has at least two functions")
    }
}

/// `t ^ n` as f64::powf computes it. An integer power keeps negative bases real; a huge
/// integer one (every float from 2^53 up is an even integer) goes through |t|, because
/// Burn 0.22's `powf_scalar` converts an integer-valued exponent to i64 and panics
/// beyond i64's range.
fn power<const D: usize>(t: Tensor<D>, n: f64) -> Tensor<D> {
    if n.fract() != 0.0 || !n.is_finite() {
        t.powf_scalar(n)
    } else if n.abs() <= 64.0 {
        t.powi_scalar(n as i32)
    } else if n.abs() < 9.0e15 {
        // An integer that i64 holds: Burn's own integer power.
        t.powf_scalar(n)
    } else {
        // Even: |t|^n = e^(n ln|t|), which is 0, 1 or infinite here as powf says.
        t.abs().log().mul_scalar(n).exp()
    }
}

struct Evaluator<'a, const D: usize> {
    x: &'a Tensor<D>,
    params: &'a [Tensor<D>],
}

impl<const D: usize> Evaluator<'_, D> {
    /// `v` as a tensor of the input's shape.
    fn full(&self, v: Value<D>) -> Tensor<D> {
        match v {
            Value::Number(n) => self.x.zeros_like().add_scalar(n),
            Value::Tensor(t) if t.dims() == self.x.dims() => t,
            Value::Tensor(t) => self.x.zeros_like() + t,
        }
    }

    fn tensor(&self, expr: &Expr) -> Tensor<D> {
        let v = self.eval(expr);
        self.full(v)
    }

    fn eval(&self, expr: &Expr) -> Value<D> {
        match expr {
            Expr::Number(v) => Value::Number(*v),
            Expr::X => Value::Tensor(self.x.clone()),
            Expr::Param(i) => Value::Tensor(self.params[*i].clone()),
            Expr::Neg(a) => match self.eval(a) {
                Value::Number(v) => Value::Number(-v),
                Value::Tensor(t) => Value::Tensor(t.neg()),
            },
            Expr::Binary(op, a, b) => self.binary(*op, self.eval(a), self.eval(b)),
            Expr::Where(condition, when, otherwise) => {
                let mask = self.condition(condition);
                let (when, otherwise) = (self.tensor(when), self.tensor(otherwise));
                Value::Tensor(otherwise.mask_where(mask, when))
            }
            Expr::Extremum(e, a, b) => {
                let min = *e == Extremum::Min;
                match (self.eval(a), self.eval(b)) {
                    (Value::Number(l), Value::Number(r)) => {
                        Value::Number(if min { l.min(r) } else { l.max(r) })
                    }
                    (Value::Tensor(t), Value::Number(n)) | (Value::Number(n), Value::Tensor(t)) => {
                        Value::Tensor(if min { t.clamp_max(n) } else { t.clamp_min(n) })
                    }
                    (l, r) => {
                        let (l, r) = (self.full(l), self.full(r));
                        Value::Tensor(if min { l.min_pair(r) } else { l.max_pair(r) })
                    }
                }
            }
            Expr::Unary(f, a) => match self.eval(a) {
                Value::Number(v) => Value::Number(f.eval_f64(v)),
                Value::Tensor(t) => Value::Tensor(match f {
                    UnaryFn::Exp => t.exp(),
                    UnaryFn::Log => t.log(),
                    UnaryFn::Sin => t.sin(),
                    UnaryFn::Cos => t.cos(),
                    UnaryFn::Abs => t.abs(),
                    UnaryFn::Sqrt => t.sqrt(),
                    UnaryFn::Erf => t.erf(),
                }),
            },
            Expr::Activation(function, a) => Value::Tensor(apply_fixed(*function, self.tensor(a))),
        }
    }

    fn binary(&self, op: BinaryOp, a: Value<D>, b: Value<D>) -> Value<D> {
        use BinaryOp as B;
        match (a, b) {
            (Value::Number(a), Value::Number(b)) => Value::Number(match op {
                B::Add => a + b,
                B::Sub => a - b,
                B::Mul => a * b,
                B::Div => a / b,
                B::Pow => a.powf(b),
            }),
            (Value::Tensor(t), Value::Number(n)) => Value::Tensor(match op {
                B::Add => t.add_scalar(n),
                B::Sub => t.sub_scalar(n),
                B::Mul => t.mul_scalar(n),
                B::Div => divide_by(t, n),
                B::Pow => power(t, n),
            }),
            (Value::Number(n), Value::Tensor(t)) => Value::Tensor(match op {
                B::Add => t.add_scalar(n),
                B::Sub => t.neg().add_scalar(n),
                B::Mul => t.mul_scalar(n),
                B::Div => t.recip().mul_scalar(n),
                // n^t = e^(t ln n).
                B::Pow => t.mul_scalar(n.ln()).exp(),
            }),
            (Value::Tensor(a), Value::Tensor(b)) => Value::Tensor(match op {
                B::Add => a + b,
                B::Sub => a - b,
                B::Mul => a * b,
                B::Div => a / b,
                B::Pow => a.powf(b),
            }),
        }
    }

    fn condition(&self, c: &Condition) -> Tensor<D, Bool> {
        let (a, b) = (self.tensor(&c.left), self.tensor(&c.right));
        match c.op {
            Comparison::Less => a.lower(b),
            Comparison::LessEqual => a.lower_equal(b),
            Comparison::Greater => a.greater(b),
            Comparison::GreaterEqual => a.greater_equal(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::Activation;
    use burn::tensor::TensorData;
    use spec::{ActivationSpec, CustomActivation};

    /// The module of `d` with the given values: one per parameter of an expression, the
    /// weight logits of a mixture.
    fn with_values(d: &CustomActivation, values: &[f64], device: &Device) -> CustomModule {
        let values = if d.mix.is_empty() {
            values.iter().map(|&v| vec![v]).collect()
        } else {
            vec![values.to_vec()]
        };
        let spec = ActivationSpec::Custom(d.compile().unwrap());
        match Activation::init(&spec, 1, device).with_param_values(&values) {
            Ok(Activation::Custom(m)) => m,
            other => panic!("a definition builds a custom module: {other:?}"),
        }
    }

    fn fresh(d: &CustomActivation, device: &Device) -> CustomModule {
        CustomModule::init(&d.compile().unwrap(), 1, device)
    }

    fn def(expr: &str, params: &[(&str, f64)]) -> CustomActivation {
        CustomActivation {
            name: "Mine".into(),
            expr: expr.into(),
            params: params.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            mix: Vec::new(),
        }
    }

    const POINTS: [f32; 10] = [-3.7, -2.2, -1.3, -0.7, -0.25, 0.35, 0.8, 1.6, 2.9, 4.4];

    fn run(module: &CustomModule, device: &Device) -> Vec<f64> {
        let x = Tensor::<1>::from_data(TensorData::from(POINTS), device);
        let y = module.forward(x).into_data().try_into_vec::<f32>().unwrap();
        y.into_iter().map(f64::from).collect()
    }

    /// Every construct of the language, against the f64 meaning of the same expression.
    #[test]
    fn tensor_evaluation_matches_the_language_semantics() {
        let device = Device::flex();
        let cases: [(&str, &[(&str, f64)]); 8] = [
            ("where(x > 0, x, a * x)", &[("a", 0.1)]),
            ("min(x, 1) + max(0.5, x) - max(x, x * x / 4)", &[]),
            ("x ^ 3 - 2 ^ x + x ^ k", &[("k", 2.0)]),
            ("-x / (1 + abs(x)) + sqrt(abs(x) + 1)", &[]),
            (
                "exp(-x * x / 2) * cos(w * x) + log(1 + x * x) * sin(x)",
                &[("w", 1.5)],
            ),
            ("if(x <= c, c, x) - 3", &[("c", 0.5)]),
            ("2.5", &[]),
            ("b * 2", &[("b", 0.25)]),
        ];
        for (expr, params) in cases {
            let d = def(expr, params);
            let module = fresh(&d, &device);
            let definition = d.compile().unwrap();
            let Compiled::Expression(compiled) = definition.compiled() else {
                panic!("an expression")
            };
            let got = run(&module, &device);
            for (&x, y) in POINTS.iter().zip(got) {
                let want = compiled.eval_f64(x as f64, &d.initial_values()).unwrap();
                assert!(
                    (y - want).abs() <= 1e-5 * (1.0 + want.abs()),
                    "{expr} at {x}: {y} vs {want}"
                );
            }
        }
    }

    /// Central differences (float32, h = 1e-2, as for the built-ins) against autodiff,
    /// in the input and in every parameter of a definition that uses most constructs.
    #[test]
    fn gradients_agree_with_finite_differences() {
        let device = Device::flex().autodiff();
        let d = def(
            "a * x * sigmoid(b * x) + where(x > 0, c * x ^ 2, 0) + 0.1 * sin(x) * gelu(x)",
            &[("a", 1.2), ("b", 0.8), ("c", -0.3)],
        );
        let module = fresh(&d, &device);
        let x = Tensor::<1>::from_data(TensorData::from(POINTS), &device).require_grad();
        let grads = module.forward(x.clone()).sum().backward();
        let dx: Vec<f32> = x.grad(&grads).unwrap().into_data().try_into_vec().unwrap();
        let h = 1e-2f64;
        let at = |points: [f32; 10], values: &[f64]| -> Vec<f64> {
            let m = with_values(&d, values, &device);
            let t = Tensor::<1>::from_data(TensorData::from(points), &device);
            let y = m.forward(t).into_data().try_into_vec::<f32>().unwrap();
            y.into_iter().map(f64::from).collect()
        };
        let init = d.initial_values();
        let plus = at(POINTS.map(|p| p + h as f32), &init);
        let minus = at(POINTS.map(|p| p - h as f32), &init);
        for i in 0..POINTS.len() {
            let numeric = (plus[i] - minus[i]) / (2.0 * h);
            let tol = 1e-3 * (1.0 + (dx[i] as f64).abs());
            assert!(
                (numeric - dx[i] as f64).abs() <= tol,
                "d/dx at {}: {} vs {numeric}",
                POINTS[i],
                dx[i]
            );
        }
        for (p, param) in module.params.iter().enumerate() {
            let auto: f32 = param.val().grad(&grads).unwrap().into_scalar();
            let shifted = |delta: f64| -> f64 {
                let mut v = init.clone();
                v[p] += delta;
                at(POINTS, &v).iter().sum()
            };
            let numeric = (shifted(h) - shifted(-h)) / (2.0 * h);
            assert!(
                (numeric - auto as f64).abs() <= 1e-2 * (1.0 + (auto as f64).abs()),
                "d/d{}: {auto} vs {numeric}",
                d.param_names()[p]
            );
        }
    }

    /// A mixture starts as the plain average of its functions; the weights' gradient is
    /// the softmax Jacobian applied to each function's sum, checked by central differences.
    #[test]
    fn a_mixture_averages_at_first_and_learns_its_weights() {
        let device = Device::flex().autodiff();
        let mix = CustomActivation {
            name: "Mix3".into(),
            expr: String::new(),
            params: Default::default(),
            mix: vec!["ReLU".into(), "Tanh".into(), "Sigmoid".into()],
        };
        let module = fresh(&mix, &device);
        let got = run(&module, &device);
        for (&x, y) in POINTS.iter().zip(&got) {
            let x = x as f64;
            let want = (x.max(0.0) + x.tanh() + 1.0 / (1.0 + (-x).exp())) / 3.0;
            assert!((y - want).abs() < 1e-6, "at {x}: {y} vs {want}");
        }
        let x = Tensor::<1>::from_data(TensorData::from(POINTS), &device);
        let logits = [0.3, -0.2, 0.5];
        let module = with_values(&mix, &logits, &device);
        let grads = module.forward(x).sum().backward();
        let auto: Vec<f32> = module.params[0]
            .val()
            .grad(&grads)
            .unwrap()
            .into_data()
            .try_into_vec()
            .unwrap();
        let h = 1e-2;
        for i in 0..3 {
            let sum_at = |delta: f64| -> f64 {
                let mut v = logits.to_vec();
                v[i] += delta;
                let m = with_values(&mix, &v, &device);
                run(&m, &device).iter().sum()
            };
            let numeric = (sum_at(h) - sum_at(-h)) / (2.0 * h);
            assert!(
                (numeric - auto[i] as f64).abs() <= 1e-2 * (1.0 + (auto[i] as f64).abs()),
                "weight {i}: {} vs {numeric}",
                auto[i]
            );
        }
    }
}
