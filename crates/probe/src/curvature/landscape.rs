//! Loss landscapes: the loss along the line between two weight vectors (Goodfellow,
//! Vinyals and Saxe, 2015), and over a plane spanned by two filter-normalised random
//! directions (Li, Xu, Taylor, Studer and Goldstein, 2018). Every grid point is an
//! independent pass over the subset, so the points are spread over the worker threads.

use rayon::prelude::*;
use spec::record::curvature::{LandscapeLine, LandscapeSurface};
use spec::rng::SplitMix64;

use super::objective::Objective;
use super::spectrum::gaussian;

/// What to compute.
#[derive(Clone, Debug)]
pub struct LandscapeSettings {
    /// Grid points per axis of the surface (odd keeps the centre on the grid).
    pub steps: usize,
    /// The surface's range of α and β: [−range, range].
    pub range: f64,
    /// Points on the line (61 over [-0.25, 1.25] puts both ends on the grid).
    pub line_points: usize,
    /// How far the line extends past each end, as a share of its length.
    pub line_margin: f64,
    /// Seed of the random directions.
    pub direction_seed: u64,
    /// Move biases and activation parameters too (filter-normalised per element).
    pub include_biases: bool,
}

impl Default for LandscapeSettings {
    fn default() -> Self {
        Self {
            steps: 41,
            range: 1.0,
            line_points: 61,
            line_margin: 0.25,
            direction_seed: 1,
            include_biases: false,
        }
    }
}

/// A random direction filter-normalised against `w`: Gaussian, then each Linear
/// weight's column (Burn stores `[in, out]`, so a column is the weights feeding one
/// output neuron) rescaled to that column's norm in `w`; biases and activation
/// parameters zero, or, with `include_biases`, each element rescaled to |w|.
pub fn filter_normalised(
    objective: &Objective,
    w: &[f64],
    rng: &mut SplitMix64,
    include_biases: bool,
) -> Vec<f64> {
    let mut d = gaussian(rng, w.len());
    for slot in objective.params() {
        let range = slot.range.clone();
        match slot.shape[..] {
            [rows, cols] => {
                for j in 0..cols {
                    let column = |v: &[f64]| -> f64 {
                        (0..rows)
                            .map(|i| v[range.start + i * cols + j].powi(2))
                            .sum::<f64>()
                            .sqrt()
                    };
                    let scale = column(w) / column(&d).max(1e-300);
                    for i in 0..rows {
                        d[range.start + i * cols + j] *= scale;
                    }
                }
            }
            _ if include_biases => {
                for k in range {
                    d[k] = d[k].signum() * w[k].abs();
                }
            }
            _ => d[range].iter_mut().for_each(|v| *v = 0.0),
        }
    }
    d
}

/// Loss and accuracy at `w + a·d1 + b·d2` for each (a, b), in parallel.
fn evaluate(
    objective: &Objective,
    points: &[(f64, f64)],
    w: &[f64],
    d1: &[f64],
    d2: &[f64],
) -> Vec<(f64, f64)> {
    points
        .par_iter()
        .map(|&(a, b)| {
            let at: Vec<f64> = w
                .iter()
                .zip(d1)
                .zip(d2)
                .map(|((wi, x), y)| wi + a * x + b * y)
                .collect();
            objective.loss_and_accuracy(&at)
        })
        .collect()
}

/// The line from `from` (α = 0) to `to` (α = 1), extended past both ends.
pub fn line(
    objective: &Objective,
    from: &[f64],
    to: &[f64],
    labels: (String, String),
    settings: &LandscapeSettings,
) -> LandscapeLine {
    let n = settings.line_points.max(2);
    let (lo, hi) = (-settings.line_margin, 1.0 + settings.line_margin);
    let alpha: Vec<f64> = (0..n)
        .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
        .collect();
    let direction: Vec<f64> = to.iter().zip(from).map(|(b, a)| b - a).collect();
    let zero = vec![0.0; from.len()];
    let points: Vec<(f64, f64)> = alpha.iter().map(|&a| (a, 0.0)).collect();
    let values = evaluate(objective, &points, from, &direction, &zero);
    LandscapeLine {
        from: labels.0,
        to: labels.1,
        alpha,
        loss: values.iter().map(|v| v.0).collect(),
        accuracy: values.iter().map(|v| v.1).collect(),
    }
}

/// The surface around the objective's point over two filter-normalised directions.
pub fn surface(objective: &Objective, settings: &LandscapeSettings) -> LandscapeSurface {
    let w = objective.point().to_vec();
    let mut rng = SplitMix64::new(settings.direction_seed);
    let d1 = filter_normalised(objective, &w, &mut rng, settings.include_biases);
    let d2 = filter_normalised(objective, &w, &mut rng, settings.include_biases);
    let n = settings.steps.max(2);
    let axis: Vec<f64> = (0..n)
        .map(|i| -settings.range + 2.0 * settings.range * i as f64 / (n - 1) as f64)
        .collect();
    let points: Vec<(f64, f64)> = axis
        .iter()
        .flat_map(|&b| axis.iter().map(move |&a| (a, b)))
        .collect();
    let values = evaluate(objective, &points, &w, &d1, &d2);
    LandscapeSurface {
        alpha: axis.clone(),
        beta: axis,
        loss: values.iter().map(|v| v.0).collect(),
        accuracy: values.iter().map(|v| v.1).collect(),
        direction_seed: settings.direction_seed,
        include_biases: settings.include_biases,
    }
}
