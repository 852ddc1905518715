//! The discovered functions as a figure: each of the best candidates and its slope over
//! [-5, 5], at its learned scalars once the confirmation has them (else at their initial
//! values), beside the study's parameter-free baselines. Values and slopes come from
//! the module the runs train (float32, Burn's autodiff), not from a second formula.

use burn::tensor::Device;
use spec::figure::{Figure, Panel, Series};
use spec::record::search::Leaderboard;
use spec::{ActivationKind, ActivationSpec, CustomActivation};

/// How many candidates the figure shows when the study has no confirmation (with three
/// baselines, as many lines as the palette has colours).
const SHOWN: usize = 4;
/// Points across [-X_MAX, X_MAX].
const POINTS: usize = 201;
const X_MAX: f64 = 5.0;

/// One function to draw: its label and what it is.
struct Drawn {
    label: String,
    spec: ActivationSpec,
    reference: bool,
}

/// What the figure draws: the confirmed candidates at their learned means (or the best
/// candidates at their initial scalars), then the parameter-free baselines.
fn functions(board: &Leaderboard) -> Vec<Drawn> {
    let mut drawn = Vec::new();
    let confirmed = board.confirmation.as_ref().map(|c| {
        c.groups
            .iter()
            .filter(|g| g.candidate)
            .map(|g| (g.name.clone(), g.learned.clone()))
            .collect::<Vec<_>>()
    });
    let rows = board.rows.iter().filter(|r| !r.baseline);
    let chosen: Vec<_> = match confirmed {
        Some(groups) => groups
            .into_iter()
            .filter_map(|(name, learned)| {
                let row = board.rows.iter().find(|r| r.name == name)?;
                let mut params = row.params.clone();
                for (k, s) in learned {
                    params.insert(k, s.mean);
                }
                Some((row, params))
            })
            .collect(),
        None => rows.take(SHOWN).map(|r| (r, r.params.clone())).collect(),
    };
    for (row, params) in chosen {
        let definition = CustomActivation {
            name: row.name.clone(),
            expr: row.formula.clone(),
            params,
            mix: Vec::new(),
        };
        if let Ok(compiled) = definition.compile() {
            drawn.push(Drawn {
                // Names alone keep the legend beside its panel; the leaderboard has
                // the formulas and the learned values.
                label: row.name.clone(),
                spec: ActivationSpec::Custom(compiled),
                reference: false,
            });
        }
    }
    for row in board.rows.iter().filter(|r| r.baseline) {
        let Ok(kind) = row.name.parse::<ActivationKind>() else {
            continue;
        };
        if !kind.is_trainable() {
            drawn.push(Drawn {
                label: row.name.clone(),
                spec: ActivationSpec::Builtin(kind),
                reference: true,
            });
        }
    }
    drawn
}

/// The figure of `board`'s discovered functions and their slopes, evaluated on `device`.
pub fn discovered_figure(board: &Leaderboard, device: &Device) -> Figure {
    let xs: Vec<f64> = (0..POINTS)
        .map(|i| -X_MAX + 2.0 * X_MAX * i as f64 / (POINTS - 1) as f64)
        .collect();
    let mut values = Vec::new();
    let mut slopes = Vec::new();
    for f in functions(board) {
        let e = acts::evaluate_points(&f.spec, &xs, 0, device);
        let widen = |v: &[f32]| v.iter().map(|&y| y as f64).collect::<Vec<f64>>();
        let series = if f.reference {
            Series::dashed
        } else {
            Series::line
        };
        values.push(series(f.label.clone(), xs.clone(), widen(&e.value)));
        slopes.push(series(f.label, xs.clone(), widen(&e.derivative)));
    }
    // The study's name is on the leaderboard's figure; this title says what is drawn.
    let title = if board.confirmation.is_some() {
        "The confirmed candidates at their learned scalars (mean over seeds)"
    } else {
        "The best candidates at their initial scalars"
    };
    Figure::new(
        title,
        2,
        vec![
            Panel::new("f(x)", "x", "f(x)", values),
            Panel::new("f'(x)", "x", "f'(x)", slopes),
        ],
    )
}
