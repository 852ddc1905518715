//! A study's leaderboard as a figure: how the candidates that went furthest fared rung by
//! rung, beside the baselines, and where every candidate of the first rung landed.

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
    for row in board.rows.iter().filter(|r| r.baseline) {
        if let Some(Some(a)) = row.by_rung.first() {
            spread.push(Series::dashed(
                row.name.clone(),
                vec![1.0, board.distinct.max(2) as f64],
                vec![*a, *a],
            ));
        }
    }
    Figure::new(
        format!("Study {}", board.study),
        2,
        vec![
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
        ],
    )
}
