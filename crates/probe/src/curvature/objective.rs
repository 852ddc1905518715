//! The training loss on a fixed set of samples as a function of the network's
//! parameters, flattened into one vector: its value, gradient, and Hessian-vector
//! products.
//!
//! Burn 0.22 differentiates once, so H·v is a central difference of gradients,
//! `(∇L(w + εv) − ∇L(w − εv)) / 2ε`, computed on a float64 device: with v scaled to unit
//! norm and ε = 1e-5 the truncation error is O(ε²‖∇³L‖) ≈ 1e-10 and the rounding error
//! O(u‖∇L‖/ε) ≈ 1e-11 (u = 1.1e-16), far below what the spectra resolve. Kinked
//! activations (ReLU, LeakyReLU, PReLU, Hardtanh, ...) have a Hessian only almost
//! everywhere: their second derivative is 0 off the kink, and the difference measures
//! exactly that unless a pre-activation lies within about ε of a kink, which at ε = 1e-5
//! on float64 weights happens for a vanishing share of units; the report counts none of
//! the kink's Dirac mass, as every Hessian tool in the field does (Gauss-Newton part plus
//! the smooth part).

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::tensor::{Device, Gradients, Int, Tensor, TensorData};
use nets::SimpleNetwork;

/// A contiguous run of parameters belonging to one module of the network.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// e.g. `layer 1` (hidden Linear 1, weights and bias), `output`, `activation`.
    pub name: String,
    /// Its indices in the flat parameter vector.
    pub range: Range<usize>,
}

/// One float parameter tensor: its shape, indices in the flat vector, and block.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamSlot {
    /// Burn's shape (a Linear weight is `[in, out]`).
    pub shape: Vec<usize>,
    /// Its indices in the flat vector.
    pub range: Range<usize>,
    /// The block's name.
    pub block: String,
}

/// Where each float parameter sits in the flat vector, in the module's visiting order.
#[derive(Clone, Debug, Default)]
struct Layout {
    params: Vec<ParamSlot>,
    blocks: Vec<Block>,
    dim: usize,
}

/// Records shapes, values and module names of the float parameters in visiting order.
struct Flatten {
    path: Vec<String>,
    layout: Layout,
    values: Vec<f64>,
}

fn block_name(path: &[String]) -> String {
    match path {
        [top, index, ..] if top == "hidden" => {
            format!("layer {}", index.parse::<usize>().map_or(0, |i| i + 1))
        }
        [top, index, ..] if top == "conv" => {
            format!("conv {}", index.parse::<usize>().map_or(0, |i| i + 1))
        }
        [top, index, ..] if top == "gates" => {
            format!("gate {}", index.parse::<usize>().map_or(0, |i| i + 1))
        }
        [top, ..] if top == "output" => "output".into(),
        [top, ..] if top == "activations" => "activation".into(),
        _ => path.join("."),
    }
}

impl ModuleVisitor for Flatten {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.val();
        let shape = tensor.dims().to_vec();
        let values = tensor
            .into_data()
            .convert::<f64>()
            .try_into_vec::<f64>()
            .expect("float values");
        let name = block_name(&self.path);
        let start = self.layout.dim;
        self.layout.dim += values.len();
        match self.layout.blocks.last_mut() {
            Some(last) if last.name == name => last.range.end = self.layout.dim,
            _ => self.layout.blocks.push(Block {
                name,
                range: start..self.layout.dim,
            }),
        }
        self.layout.params.push(ParamSlot {
            shape,
            range: start..self.layout.dim,
            block: self.layout.blocks.last().expect("just pushed").name.clone(),
        });
        self.values.extend(values);
    }
}

/// Every float parameter of `model`, flattened in its visiting order, with its layout.
fn flatten(model: &SimpleNetwork) -> Flatten {
    let mut flatten = Flatten {
        path: Vec::new(),
        layout: Layout::default(),
        values: Vec::new(),
    };
    model.visit(&mut flatten);
    flatten
}

/// The parameters of `model` as one vector, in the order an [`Objective`] of the same
/// network uses.
pub fn parameters(model: &SimpleNetwork) -> Vec<f64> {
    flatten(model).values
}

/// Replaces every float parameter by the next values of a flat vector.
struct Assign<'a> {
    values: &'a [f64],
    at: usize,
    device: Device,
}

impl ModuleMapper for Assign<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let device = self.device.clone();
        let values = self.values;
        let at = &mut self.at;
        param.map(|tensor| {
            let shape = tensor.dims();
            let n: usize = shape.iter().product();
            let data = TensorData::new(values[*at..*at + n].to_vec(), shape);
            *at += n;
            let replaced = Tensor::from_data(data, &device);
            // Differentiable on an autodiff device; loss values only on a plain one.
            if tensor.is_autodiff() {
                replaced.require_grad()
            } else {
                replaced
            }
        })
    }
}

/// Collects the gradient of every float parameter in visiting order.
struct GradientOf<'a> {
    grads: &'a Gradients,
    out: Vec<f64>,
}

impl ModuleVisitor for GradientOf<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let n: usize = param.val().dims().iter().product();
        match param.val().grad(self.grads) {
            Some(g) => self.out.extend(
                g.into_data()
                    .convert::<f64>()
                    .try_into_vec::<f64>()
                    .expect("float gradients"),
            ),
            None => self.out.extend(std::iter::repeat_n(0.0, n)),
        }
    }
}

/// The gradient of every float parameter of `model` in `grads`, flattened in the
/// module's visiting order (zeros where a parameter got none).
pub fn parameter_gradient(model: &SimpleNetwork, grads: &Gradients) -> Vec<f64> {
    let mut collect = GradientOf {
        grads,
        out: Vec::new(),
    };
    model.visit(&mut collect);
    collect.out
}

/// Mean cross-entropy of a network over fixed samples, as a function of its flattened
/// parameters.
pub struct Objective {
    model: SimpleNetwork,
    x: Tensor<2>,
    y: Tensor<1, Int>,
    layout: Layout,
    point: Vec<f64>,
    device: Device,
    /// Pre-activation values where the activation's derivative jumps (none for a smooth
    /// one): products near them are taken with smaller steps, see [`Objective::hvp`].
    kinks: Vec<f64>,
    /// The pre-activations at the point, with kinks: what a shifted pass must not cross.
    base_pre_activations: Vec<Tensor<2>>,
    /// Products in which some unit crossed a kink at every step tried.
    crossed: AtomicUsize,
}

/// The step of the central difference for a unit direction.
pub const EPSILON: f64 = 1e-5;

impl Objective {
    /// The loss of `model` (on an autodiff device, float64 for Hessian work) over the
    /// samples `x` with labels `y`, at the model's current parameters.
    pub fn new(model: SimpleNetwork, x: Tensor<2>, y: Tensor<1, Int>, device: &Device) -> Self {
        let flatten = flatten(&model);
        Self {
            model,
            x,
            y,
            layout: flatten.layout,
            point: flatten.values,
            device: device.clone(),
            kinks: Vec::new(),
            base_pre_activations: Vec::new(),
            crossed: AtomicUsize::new(0),
        }
    }

    /// With the pre-activation values where the activation's derivative (or value)
    /// jumps, e.g. `[0.0]` for ReLU.
    pub fn with_kinks(self, kinks: Vec<f64>) -> Self {
        // Every product at the point compares against these: computed once.
        let base_pre_activations = if kinks.is_empty() {
            Vec::new()
        } else {
            self.pre_activations(&self.model_at(&self.point))
        };
        Self {
            kinks,
            base_pre_activations,
            ..self
        }
    }

    /// The kinks products avoid.
    pub fn kinks(&self) -> &[f64] {
        &self.kinks
    }

    /// Products so far in which a unit crossed a kink even at the smallest step.
    pub fn kink_crossings(&self) -> usize {
        self.crossed.load(Ordering::Relaxed)
    }

    /// Number of parameters.
    pub fn dim(&self) -> usize {
        self.layout.dim
    }

    /// The parameters the objective was made at.
    pub fn point(&self) -> &[f64] {
        &self.point
    }

    /// The parameter blocks: each hidden layer, the output layer, the activation.
    pub fn blocks(&self) -> &[Block] {
        &self.layout.blocks
    }

    /// Every parameter tensor, in the flat vector's order.
    pub fn params(&self) -> &[ParamSlot] {
        &self.layout.params
    }

    /// The samples and labels the loss averages over.
    pub fn samples_tensors(&self) -> (Tensor<2>, Tensor<1, Int>) {
        (self.x.clone(), self.y.clone())
    }

    /// Samples the loss averages over.
    pub fn samples(&self) -> usize {
        self.y.dims()[0]
    }

    /// The network with parameters `w`.
    pub fn model_at(&self, w: &[f64]) -> SimpleNetwork {
        assert_eq!(
            w.len(),
            self.dim(),
            "a parameter vector of the network's size"
        );
        let mut assign = Assign {
            values: w,
            at: 0,
            device: self.device.clone(),
        };
        self.model.clone().map(&mut assign)
    }

    fn loss_on(&self, model: &SimpleNetwork, x: Tensor<2>, y: Tensor<1, Int>) -> Tensor<1> {
        nets::dense::cross_entropy(model.forward(x), y)
    }

    /// The loss at `w`.
    pub fn loss(&self, w: &[f64]) -> f64 {
        let model = self.model_at(w);
        self.loss_on(&model, self.x.clone(), self.y.clone())
            .into_scalar::<f64>()
    }

    /// The loss and the share of samples classified correctly at `w`.
    pub fn loss_and_accuracy(&self, w: &[f64]) -> (f64, f64) {
        let model = self.model_at(w);
        let logits = model.forward(self.x.clone());
        let n = self.samples();
        let hits: i64 = logits
            .clone()
            .argmax(1)
            .reshape([n])
            .equal(self.y.clone())
            .int()
            .sum()
            .into_scalar();
        let loss = nets::dense::cross_entropy(logits, self.y.clone()).into_scalar::<f64>();
        (loss, hits as f64 / n.max(1) as f64)
    }

    fn gradient_on(
        &self,
        model: &SimpleNetwork,
        x: Tensor<2>,
        y: Tensor<1, Int>,
    ) -> (f64, Vec<f64>) {
        let loss = self.loss_on(model, x, y);
        let value = loss.clone().into_scalar::<f64>();
        let grads = loss.backward();
        (value, parameter_gradient(model, &grads))
    }

    /// The loss and its gradient at `w`.
    pub fn loss_and_gradient(&self, w: &[f64]) -> (f64, Vec<f64>) {
        let model = self.model_at(w);
        self.gradient_on(&model, self.x.clone(), self.y.clone())
    }

    /// ‖∇L_B‖² at the objective's point for each full mini-batch B of `batch_size`
    /// consecutive samples (the subset is a random permutation, so these are random
    /// batches).
    pub fn minibatch_gradient_norms(&self, batch_size: usize) -> Vec<f64> {
        let model = self.model_at(&self.point);
        let batch_size = batch_size.max(1);
        (0..self.samples() / batch_size)
            .map(|b| {
                let x = self.x.clone().narrow(0, b * batch_size, batch_size);
                let y = self.y.clone().narrow(0, b * batch_size, batch_size);
                let (_, g) = self.gradient_on(&model, x, y);
                g.iter().map(|v| v * v).sum()
            })
            .collect()
    }

    /// H(w)·v by a central difference of gradients with step [`EPSILON`] along v / ‖v‖.
    ///
    /// With kinks, a step that moves some pre-activation across one picks up the jump
    /// of the activation's derivative divided by 2ε, an error that does not shrink with
    /// ε (the chance of a crossing falls as ε, the jump's weight grows as 1/ε). So the
    /// steps tried are [`KINKED_STEPS`], smallest last, and the first at which no unit
    /// of any sample changes side of a kink is taken: the Hessian of the smooth piece
    /// the point lies in, which is the Hessian almost everywhere (the Dirac mass at the
    /// kink is not counted, as in every Hessian tool of the field). When every step
    /// crosses, the smallest is taken and the product counted in
    /// [`Objective::kink_crossings`].
    pub fn hvp(&self, w: &[f64], v: &[f64]) -> Vec<f64> {
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm == 0.0 {
            return vec![0.0; v.len()];
        }
        let shifted =
            |h: f64| -> Vec<f64> { w.iter().zip(v).map(|(wi, vi)| wi + h * vi).collect() };
        let difference = |plus: &[f64], minus: &[f64], h: f64| -> Vec<f64> {
            plus.iter()
                .zip(minus)
                .map(|(p, m)| (p - m) / (2.0 * h))
                .collect()
        };
        if self.kinks.is_empty() {
            let h = EPSILON / norm;
            let (_, plus) = self.loss_and_gradient(&shifted(h));
            let (_, minus) = self.loss_and_gradient(&shifted(-h));
            return difference(&plus, &minus, h);
        }
        let fresh;
        let base = if w == self.point.as_slice() {
            &self.base_pre_activations
        } else {
            fresh = self.pre_activations(&self.model_at(w));
            &fresh
        };
        let mut last = Vec::new();
        for (k, step) in KINKED_STEPS.iter().enumerate() {
            let h = step / norm;
            let (plus, plus_pre) = self.gradient_traced(&shifted(h));
            let (minus, minus_pre) = self.gradient_traced(&shifted(-h));
            let clean =
                self.crossings(base, &plus_pre) == 0 && self.crossings(base, &minus_pre) == 0;
            last = difference(&plus, &minus, h);
            if clean {
                return last;
            }
            if k + 1 == KINKED_STEPS.len() {
                self.crossed.fetch_add(1, Ordering::Relaxed);
            }
        }
        last
    }

    /// Each hidden layer's pre-activations at `model`'s parameters.
    fn pre_activations(&self, model: &SimpleNetwork) -> Vec<Tensor<2>> {
        let (_, traces) = model.forward_traced(self.x.clone());
        traces.into_iter().map(|t| t.pre_activation).collect()
    }

    /// The gradient at `w`, and the pre-activations it passed through.
    fn gradient_traced(&self, w: &[f64]) -> (Vec<f64>, Vec<Tensor<2>>) {
        let model = self.model_at(w);
        let (logits, traces) = model.forward_traced(self.x.clone());
        let pre: Vec<Tensor<2>> = traces.into_iter().map(|t| t.pre_activation).collect();
        let loss = nets::dense::cross_entropy(logits, self.y.clone());
        let grads = loss.backward();
        (parameter_gradient(&model, &grads), pre)
    }

    /// Units (over every sample and layer) on different sides of a kink in `a` and `b`.
    fn crossings(&self, a: &[Tensor<2>], b: &[Tensor<2>]) -> i64 {
        let mut total = 0;
        for (za, zb) in a.iter().zip(b) {
            for &k in &self.kinks {
                let side = |z: &Tensor<2>| z.clone().inner().greater_equal_elem(k).int();
                total += side(za)
                    .not_equal(side(zb))
                    .int()
                    .sum()
                    .into_scalar::<i64>();
            }
        }
        total
    }
}

/// Steps of the central difference for a unit direction when the activation has kinks,
/// tried in turn: the truncation error is negligible at all of them, and the rounding
/// error of float64 gradients at the smallest is about u‖∇L‖/1e-10 ≈ 1e-6 relative.
pub const KINKED_STEPS: [f64; 3] = [1e-8, 1e-9, 1e-10];
