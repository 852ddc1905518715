//! User-defined activations compiled to fused kernels: the expression (or a mixture's
//! weighted sum) becomes a graph of float32 operations with every common subexpression
//! once ([`graph`]), its derivatives in x and in every parameter are taken symbolically
//! on that graph and simplified, and the forward value and the backward gradients each
//! become one straight-line program over registers of lanes ([`program`]), run block by
//! block with vmath's vectorised functions ([`exec`]).
//!
//! The backward program recomputes the forward values it needs from x (as STAF's
//! backward does) instead of storing them: reading one more tensor costs more than a
//! few vectorised operations on data already in cache.
//!
//! An interpreter, not generated machine code: each step is a loop over a block in the
//! cache, so the dispatch is paid once per step and block, not per element. No
//! maintained crate compiles scalar expressions to vector loops for Burn's CPU backend
//! (`cranelift` would JIT scalar code; `numexpr` is this design in Python).

mod exec;
mod fixed;
#[cfg(feature = "wgpu")]
mod gpu;
mod graph;
mod program;

use std::fmt;
use std::sync::Arc;

use spec::{Compiled, Definition};

use exec::Inputs;
use graph::{Graph, Op, Var};
use program::Program;

/// Steps beyond which an expression stays on the composed path: far beyond anything
/// written by hand, and the parser's bounds keep definitions well below it.
const MAX_STEPS: usize = 4096;

/// A definition compiled to its forward and backward programs.
#[derive(Clone)]
pub struct ExprKernel {
    // Shared with the GPU kernels' compile-time arguments (`gpu`).
    forward: Arc<Program>,
    backward: Arc<Program>,
    params: usize,
}

impl fmt::Debug for ExprKernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ExprKernel {{ forward: {} steps, backward: {} steps, params: {} }}",
            self.forward.steps.len(),
            self.backward.steps.len(),
            self.params
        )
    }
}

impl ExprKernel {
    /// Compiles `definition`; the error says why it stays on the composed path.
    pub fn compile(definition: &Definition) -> Result<ExprKernel, String> {
        let mut graph = Graph::default();
        let (value, params) = match definition.compiled() {
            Compiled::Expression(expr) => {
                (graph.build(expr), definition.source().param_names().len())
            }
            Compiled::Mixture(functions) => {
                // sum_i f_i(x) w_i in the composed order: ((f_0 w_0 + f_1 w_1) + f_2 w_2).
                let x = graph.node(Op::X);
                let terms: Vec<_> = functions
                    .iter()
                    .enumerate()
                    .map(|(i, &f)| {
                        let value = graph.node(Op::Value(f, x));
                        let weight = graph.node(Op::Param(i as u16));
                        graph.node(Op::Mul(value, weight))
                    })
                    .collect();
                let sum = terms
                    .into_iter()
                    .reduce(|a, b| graph.node(Op::Add(a, b)))
                    .ok_or("a mixture without functions")?;
                (sum, functions.len())
            }
        };
        let forward = Program::new(&graph, &[value]);
        let grad = graph.node(Op::Grad);
        let mut outputs = Vec::with_capacity(params + 1);
        for var in std::iter::once(Var::X).chain((0..params).map(|i| Var::Param(i as u16))) {
            let slope = graph.derivative(value, var);
            outputs.push(graph.mul(grad, slope));
        }
        let backward = Program::new(&graph, &outputs);
        let steps = forward.steps.len() + backward.steps.len();
        if steps > MAX_STEPS {
            return Err(format!(
                "{steps} steps forward and backward, more than the {MAX_STEPS} compiled"
            ));
        }
        Ok(ExprKernel {
            forward: Arc::new(forward),
            backward: Arc::new(backward),
            params,
        })
    }

    /// Trainable values the kernel reads (parameters, or a mixture's weights).
    pub fn params(&self) -> usize {
        self.params
    }

    /// Steps of the forward and of the backward program.
    pub fn steps(&self) -> (usize, usize) {
        (self.forward.steps.len(), self.backward.steps.len())
    }

    fn inputs<'a>(
        &self,
        x: &'a [f32],
        params: &'a [f32],
        size: usize,
        grad: &'a [f32],
    ) -> Inputs<'a> {
        assert!(
            self.params == 0 || params.len() == self.params * size,
            "{} parameter values for {} parameters of size {size}",
            params.len(),
            self.params
        );
        assert!(
            size <= 1 || x.len().is_multiple_of(size),
            "per-unit parameters of {size} values for {} elements",
            x.len()
        );
        Inputs {
            x,
            grad,
            params,
            size: size.max(1),
        }
    }

    /// `out = f(x)`; `params` is `[params, size]`, size 1 (shared) or x's last dimension.
    pub fn forward(&self, x: &[f32], params: &[f32], size: usize, out: &mut [f32]) {
        assert_eq!(x.len(), out.len(), "expression forward: lengths differ");
        let sums = exec::run(&self.forward, self.inputs(x, params, size, &[]), out);
        debug_assert!(sums.is_empty(), "a forward program has one output");
    }

    /// Writes `dx = grad f'(x)` and returns the parameters' gradients, `[params, size]`.
    pub fn backward(
        &self,
        x: &[f32],
        params: &[f32],
        size: usize,
        grad: &[f32],
        dx: &mut [f32],
    ) -> Vec<f32> {
        assert!(
            x.len() == grad.len() && x.len() == dx.len(),
            "expression backward: lengths differ"
        );
        exec::run(&self.backward, self.inputs(x, params, size, grad), dx)
    }
}
