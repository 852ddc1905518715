//! A study's leaderboard as a figure: how the candidates that went furthest fared rung by
//! rung, beside the baselines, where every candidate of the first rung landed, and for
//! an evolution, the first rung generation by generation.

use spec::figure::{Figure, Panel, Series};
use spec::record::search::Leaderboard;

/// The leaderboard's figure: accuracy against each rung's epochs for every row that
/// reached the last rung trained (baselines dashed), and the first rung's accuracies in
/// rank order.
pub fn leaderboard_figure(board: &Leaderboard) -> Figure {
    let epochs: Vec<f64> = board.rungs.iter().map(|r| r.epochs as f64).collect();
    let furthest = board.rows.iter().map(|r| r.rung).max().unwrap_or(0);
    let mut climbs = Vec::new();
    for row in board
        .rows
        .iter()
        .filter(|r| r.rung == furthest && furthest > 1)
    {
        let (x, y): (Vec<f64>, Vec<f64>) = row
            .by_rung
            .iter()
            .zip(&epochs)
            .filter_map(|(a, e)| a.map(|a| (*e, a)))
            .unzip();
        // Names alone keep the legend beside its panel; the leaderboard has the formulas.
        let name = row.name.clone();
        climbs.push(if row.baseline {
            Series::dashed(name, x, y)
        } else {
            Series::line(name, x, y)
        });
    }
    let mut first: Vec<f64> = board
        .rows
        .iter()
        .filter(|r| !r.baseline)
        .filter_map(|r| r.by_rung.first().copied().flatten())
        .collect();
    first.sort_by(|a, b| b.total_cmp(a));
    let ranks: Vec<f64> = (1..=first.len()).map(|i| i as f64).collect();
    let mut spread = vec![Series::dots("candidates", ranks, first)];
    // Each baseline as a line across the ranks of the candidates the first rung trained.
    let trained = board.rungs.first().map_or(0, |r| r.candidates);
    for row in board.rows.iter().filter(|r| r.baseline) {
        if let Some(Some(a)) = row.by_rung.first() {
            spread.push(Series::dashed(
                row.name.clone(),
                vec![1.0, trained.max(2) as f64],
                vec![*a, *a],
            ));
        }
    }
    let mut panels = vec![
        Panel::new(
            "The last rung, rung by rung",
            "epochs per run at the rung",
            "mean final test accuracy (%)",
            climbs,
        ),
        Panel::new(
            "Rung 1: every candidate that did not diverge",
            "rank",
            "final test accuracy (%)",
            spread,
        ),
    ];
    panels.extend(evolution_panel(board));
    Figure::new(format!("Study {}", board.study), 2, panels)
}

/// An evolution's first-rung accuracies by generation, and the best so far.
fn evolution_panel(board: &Leaderboard) -> Option<Panel> {
    let evolution = board.evolution.as_ref()?;
    let first_rung = |name: &str| {
        board
            .rows
            .iter()
            .find(|r| r.name == name)
            .and_then(|r| r.by_rung.first().copied().flatten())
    };
    let (x, y): (Vec<f64>, Vec<f64>) = evolution
        .births
        .iter()
        .filter_map(|b| first_rung(&b.name).map(|a| (b.generation as f64, a)))
        .unzip();
    let (gx, gy): (Vec<f64>, Vec<f64>) = evolution
        .generations
        .iter()
        .filter_map(|g| {
            g.best_so_far
                .as_ref()
                .map(|(_, a)| (g.generation as f64, *a))
        })
        .unzip();
    Some(Panel::new(
        "Evolution: the first rung by generation",
        "generation",
        "final test accuracy (%)",
        vec![
            Series::dots("candidates", x, y),
            Series::line("best so far", gx, gy),
        ],
    ))
}
