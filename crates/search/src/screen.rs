//! Candidates screened before any training: each is evaluated in float32 at fixed
//! inputs, as a run computes it (values, input derivatives, parameter gradients);
//! those that are non-finite, constant, affine or numerically fragile there are
//! refused with the reason, and candidates with equal outputs are trained once, under
//! the simplest formula of their class.

use burn::tensor::Device;
use spec::record::eval::PointEvaluation;
use spec::record::search::{CandidateEntry, CandidateList, Fate};
use spec::search::{CANDIDATE_PREFIX, Candidate, Search};
use spec::{ActivationSpec, CustomActivation, Expr};

/// The inputs every candidate is evaluated at: a uniform grid on [-6, 6] (where the
/// second differences that reveal an affine function are taken) and the tails. The
/// grid is shifted off 0 and the integers, where kinks are: there a derivative is a
/// convention (|x|' at 0 is 0, max(x, -x)' is 1), and functions equal everywhere else
/// must compare equal.
pub const SAMPLES: usize = GRID + TAILS.len();
const GRID: usize = 49;
const GRID_HALF_WIDTH: f64 = 6.0;
const GRID_SHIFT: f64 = 0.0123;
const TAILS: [f64; 6] = [-20.0, -12.0, -8.0, 8.0, 12.0, 20.0];

/// |f| beyond this on the grid is fragile: the next layer's products overflow early.
const FRAGILE_VALUE: f64 = 1e4;
/// |f'| beyond this on the grid is fragile: gradients explode through a few layers.
const FRAGILE_SLOPE: f64 = 1e3;
/// Relative tolerance of "equal outputs" (float32 rounding of equal functions written
/// differently stays far below it).
const EQUAL: f64 = 1e-5;

fn inputs() -> Vec<f64> {
    let step = 2.0 * GRID_HALF_WIDTH / (GRID - 1) as f64;
    let mut xs: Vec<f64> = (0..GRID)
        .map(|i| -GRID_HALF_WIDTH + GRID_SHIFT + i as f64 * step)
        .collect();
    xs.extend(TAILS);
    xs
}

/// What a candidate computes at the sample inputs, all concatenated: values, input
/// derivatives, then each parameter's gradient summed over the inputs.
struct Fingerprint {
    params: usize,
    outputs: Vec<f64>,
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= EQUAL * (1.0 + a.abs() + b.abs())
}

impl Fingerprint {
    fn equals(&self, other: &Fingerprint) -> bool {
        self.params == other.params
            && self
                .outputs
                .iter()
                .zip(&other.outputs)
                .all(|(a, b)| close(*a, *b))
    }
}

/// Why `e` (at `xs`) is not worth training, if it is not.
fn refusal(e: &PointEvaluation) -> Option<String> {
    // Inputs as the evaluation saw them, in float32: they print short.
    let xs = &e.x;
    let value: Vec<f64> = e.value.iter().map(|&v| v as f64).collect();
    let slope: Vec<f64> = e.derivative.iter().map(|&v| v as f64).collect();
    for (i, &x) in xs.iter().enumerate() {
        if !value[i].is_finite() {
            return Some(format!("not finite: f({x}) = {}", value[i]));
        }
        if !slope[i].is_finite() {
            return Some(format!("not finite: f'({x}) = {}", slope[i]));
        }
    }
    // A shared parameter's gradient is summed over the inputs.
    if let Some(p) = e
        .params
        .iter()
        .find(|p| p.gradient.iter().any(|g| !g.is_finite()))
    {
        return Some(format!(
            "not finite: the gradient of {} summed over the inputs",
            p.name
        ));
    }
    let grid = &value[..GRID];
    let scale = grid.iter().fold(0f64, |m, v| m.max(v.abs()));
    let (lo, hi) = value
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    if hi - lo <= 1e-6 * (1.0 + scale) {
        return Some(format!("constant: f(x) = {lo} at every input sampled"));
    }
    let curved = grid
        .windows(3)
        .any(|w| (w[2] - 2.0 * w[1] + w[0]).abs() > 1e-4 * (1.0 + w[1].abs()));
    if !curved {
        return Some("affine: a network of it is a linear model".into());
    }
    for (i, &x) in xs[..GRID].iter().enumerate() {
        if value[i].abs() > FRAGILE_VALUE {
            return Some(format!(
                "fragile: |f({x})| = {:.3e}, beyond {FRAGILE_VALUE:e} on [-6, 6]",
                value[i].abs()
            ));
        }
        if slope[i].abs() > FRAGILE_SLOPE {
            return Some(format!(
                "fragile: |f'({x})| = {:.3e}, beyond {FRAGILE_SLOPE:e} on [-6, 6]",
                slope[i].abs()
            ));
        }
    }
    None
}

/// The candidate's definition under `name`, if it compiles.
fn definition(name: &str, c: &Candidate) -> CustomActivation {
    CustomActivation {
        name: name.to_string(),
        expr: c.formula.clone(),
        params: c.params.clone(),
        mix: Vec::new(),
    }
}

/// How simple a formula is: fewer operations, then fewer parameters, then shorter.
fn simplicity(c: &Candidate) -> (usize, usize, usize) {
    let names: Vec<String> = c.params.keys().cloned().collect();
    let operations = Expr::parse(&c.formula, &names).map_or(usize::MAX, |e| e.operations());
    (operations, c.params.len(), c.formula.len())
}

/// The activation name of candidate `index` of `count`: `C` and the index, padded so
/// that names sort in enumeration order.
pub(crate) fn candidate_name(index: usize, count: usize) -> String {
    let width = count.saturating_sub(1).to_string().len().max(4);
    format!("{CANDIDATE_PREFIX}{index:0width$}")
}

/// Every candidate of the study's space with its fate: refused (and why), trained, or
/// trained as a simpler candidate with equal outputs. Evaluated on `device` (flex:
/// float32 as the runs compute). `progress` is told each candidate done.
pub fn screen(
    search: &Search,
    device: &Device,
    mut progress: impl FnMut(usize, usize),
) -> CandidateList {
    let candidates = search.space().candidates();
    let count = candidates.len();
    let xs = inputs();
    let mut fates: Vec<Option<Fate>> = vec![None; count];
    let mut prints: Vec<Option<Fingerprint>> = Vec::with_capacity(count);
    for (i, c) in candidates.iter().enumerate() {
        progress(i, count);
        let print = match definition("Candidate", c).compile() {
            Err(e) => {
                fates[i] = Some(Fate::Rejected {
                    reason: format!("does not compile: {}", e.message),
                });
                None
            }
            Ok(def) => {
                let e = acts::evaluate_points(&ActivationSpec::Custom(def), &xs, 0, device);
                match refusal(&e) {
                    Some(reason) => {
                        fates[i] = Some(Fate::Rejected { reason });
                        None
                    }
                    None => {
                        let mut outputs: Vec<f64> = e.value.iter().map(|&v| v as f64).collect();
                        outputs.extend(e.derivative.iter().map(|&v| v as f64));
                        for p in &e.params {
                            outputs.extend(p.gradient.iter().map(|&v| v as f64));
                        }
                        Some(Fingerprint {
                            params: e.params.len(),
                            outputs,
                        })
                    }
                }
            }
        };
        prints.push(print);
    }
    progress(count, count);
    // Classes of equal outputs: sorted by the value at one input, equal candidates are
    // neighbours within the tolerance, so each is compared only with those.
    let mut parent: Vec<usize> = (0..count).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let key = |i: usize| prints[i].as_ref().map(|p| p.outputs[GRID / 2 + 3]);
    let mut order: Vec<usize> = (0..count).filter(|&i| prints[i].is_some()).collect();
    order.sort_by(|&a, &b| key(a).unwrap().total_cmp(&key(b).unwrap()).then(a.cmp(&b)));
    for (k, &i) in order.iter().enumerate() {
        let ki = key(i).unwrap();
        for &j in &order[k + 1..] {
            let kj = key(j).unwrap();
            if !close(ki, kj) {
                break;
            }
            if prints[i]
                .as_ref()
                .unwrap()
                .equals(prints[j].as_ref().unwrap())
            {
                let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                parent[ri.max(rj)] = ri.min(rj);
            }
        }
    }
    // The simplest member of each class is trained, under its own index's name.
    let mut simplest: Vec<Option<usize>> = vec![None; count];
    for i in (0..count).filter(|&i| prints[i].is_some()) {
        let r = root(&mut parent, i);
        let better = match simplest[r] {
            None => true,
            Some(s) => simplicity(&candidates[i]) < simplicity(&candidates[s]),
        };
        if better {
            simplest[r] = Some(i);
        }
    }
    for i in (0..count).filter(|&i| prints[i].is_some()) {
        let r = root(&mut parent, i);
        let s = simplest[r].expect("every class has a member");
        let name = candidate_name(s, count);
        fates[i] = Some(if s == i {
            Fate::Distinct { name }
        } else {
            Fate::SameAs { name }
        });
    }
    let schemas = &search.space().schemas;
    CandidateList {
        study: search.name().to_string(),
        candidates: candidates
            .into_iter()
            .zip(fates)
            .map(|(c, fate)| CandidateEntry {
                schema: schemas[c.schema].0.clone(),
                formula: c.formula,
                params: c.params,
                operators: c.operators,
                fate: fate.expect("every candidate has a fate"),
            })
            .collect(),
        selected: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_reason_and_the_input() {
        let xs = inputs();
        let point = |f: &dyn Fn(f64) -> f64, d: &dyn Fn(f64) -> f64| PointEvaluation {
            activation: "t".into(),
            x: xs.iter().map(|&x| x as f32).collect(),
            value: xs.iter().map(|&x| f(x) as f32).collect(),
            derivative: xs.iter().map(|&x| d(x) as f32).collect(),
            params: Vec::new(),
        };
        let r = |f: &dyn Fn(f64) -> f64, d: &dyn Fn(f64) -> f64| refusal(&point(f, d));
        assert_eq!(r(&|x| x * x, &|x| 2.0 * x), None);
        assert_eq!(r(&|x| x.max(0.0), &|x| f64::from(x > 0.0)), None);
        assert!(r(&|_| 3.0, &|_| 0.0).unwrap().starts_with("constant"));
        assert!(
            r(&|x| 2.0 * x + 1.0, &|_| 2.0)
                .unwrap()
                .starts_with("affine")
        );
        assert!(
            r(&|x| x.exp().exp(), &|x| x.exp() * x.exp().exp())
                .unwrap()
                .starts_with("not finite: f(4.5123)")
        );
        assert!(
            r(&|x| x.powi(6), &|x| 6.0 * x.powi(5))
                .unwrap()
                .starts_with("fragile: |f(-5.9877)|")
        );
        assert!(
            r(&|x| 1.0 / (x.abs() + 1e-4), &|x| -x.signum()
                / (x.abs() + 1e-4).powi(2))
            .unwrap()
            .starts_with("fragile: |f'(0.0123)|")
        );
    }

    #[test]
    fn names_sort_in_enumeration_order() {
        assert_eq!(candidate_name(42, 100), "C0042");
        assert_eq!(candidate_name(42, 123_456), "C000042");
    }
}
