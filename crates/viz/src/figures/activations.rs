//! Activation curves and their derivatives.

use spec::figure::{Figure, Panel, Series};
use spec::record::eval::PointEvaluation;

/// Each activation's values (solid) and derivatives (dashed), three panels per row.
pub fn activation_figure(evaluations: &[PointEvaluation]) -> Figure {
    let as_f64 = |v: &[f32]| v.iter().map(|&a| a as f64).collect::<Vec<_>>();
    let panels = evaluations
        .iter()
        .map(|e| {
            let xs = as_f64(&e.x);
            Panel::new(
                e.activation.clone(),
                "x",
                "f(x), f'(x)",
                vec![
                    Series::line("f(x)", xs.clone(), as_f64(&e.value)),
                    Series::dashed("f'(x)", xs, as_f64(&e.derivative)),
                ],
            )
        })
        .collect();
    Figure::new(
        "Activation functions (solid) and their derivatives (dashed)",
        3,
        panels,
    )
}
