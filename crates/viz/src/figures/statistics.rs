//! An experiment's statistics over seeds: each activation's difference from the baseline
//! with its interval (a forest plot), every seed's final accuracy (a strip plot), and
//! the test accuracy per epoch with its interval (ribbons); and an experiment's settings
//! side by side.

use spec::figure::{Figure, Panel, Series};
use spec::record::stats::{ExperimentStatistics, Summary};
use spec::record::transfer::{TransferRow, TransferTable};

/// The three panels of [`ExperimentStatistics`], in one figure.
pub fn statistics_figure(stats: &ExperimentStatistics) -> Figure {
    Figure::new(
        format!(
            "Experiment {}: {} per activation",
            stats.experiment,
            seeds_per_group(stats)
        ),
        3,
        vec![differences(stats), seeds(stats), curves(stats)],
    )
}

/// "5 seeds", or "2–5 seeds" when groups differ.
fn seeds_per_group(stats: &ExperimentStatistics) -> String {
    let n = stats.groups.iter().map(|g| g.accuracy.n);
    let (lo, hi) = (n.clone().min().unwrap_or(0), n.max().unwrap_or(0));
    match (lo, hi) {
        (1, 1) => "1 seed".into(),
        (lo, hi) if lo == hi => format!("{lo} seeds"),
        (lo, hi) => format!("{lo}–{hi} seeds"),
    }
}

/// Palette slots of the verdicts (Okabe and Ito's bluish green, vermillion and black).
const VERDICT_BETTER: usize = 2;
const VERDICT_WORSE: usize = 1;
const VERDICT_NOISE: usize = 6;

/// Each activation's difference of mean final accuracy from the baseline, with Welch's
/// interval, largest first; each verdict (better, worse, within noise) in its own colour.
fn differences(stats: &ExperimentStatistics) -> Panel {
    let mut rows: Vec<_> = stats.vs_baseline.iter().collect();
    rows.sort_by(|a, b| b.difference.total_cmp(&a.difference));
    let names = rows.iter().map(|c| c.group.clone()).collect();
    // Each colour keeps its meaning in every figure, whichever verdicts occur.
    let mut better = Series::dots("better", vec![], vec![]).with_colour(VERDICT_BETTER);
    let mut worse = Series::dots("worse", vec![], vec![]).with_colour(VERDICT_WORSE);
    let mut noise = Series::dots("no difference shown", vec![], vec![]).with_colour(VERDICT_NOISE);
    for (i, c) in rows.iter().enumerate() {
        let series = match (c.distinguishable, c.difference > 0.0) {
            (false, _) => &mut noise,
            (true, true) => &mut better,
            (true, false) => &mut worse,
        };
        series.x.push(i as f64);
        series.y.push(c.difference);
        // Untested groups have no interval: a whisker of zero length.
        series.band.push(c.ci.unwrap_or([c.difference; 2]));
    }
    let series = [better, worse, noise]
        .into_iter()
        .filter(|s| !s.x.is_empty())
        .collect();
    let points: Vec<(f64, [f64; 2])> = rows
        .iter()
        .map(|c| (c.difference, c.ci.unwrap_or([c.difference; 2])))
        .collect();
    Panel::new(
        format!(
            "Difference from {} (Holm-adjusted, α = {})",
            stats.baseline, stats.alpha
        ),
        "",
        format!(
            "Δ final test accuracy vs {} (points, 95 % CI)",
            stats.baseline
        ),
        series,
    )
    .with_categories(names)
    .with_reference(0.0)
    .with_limits(limits_without_outliers(&points, Some(0.0)))
}

/// Quantile `q` of sorted values, interpolated linearly.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let at = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo as f64)
}

/// Axis limits that keep far outliers (a network that did not learn, next to ones that
/// did) from squeezing the rest: when some value lies more than three interquartile
/// ranges outside the middle half, the extent of the others, their intervals and
/// `reference`; else none.
fn limits_without_outliers(points: &[(f64, [f64; 2])], reference: Option<f64>) -> Option<[f64; 2]> {
    let mut values: Vec<f64> = points
        .iter()
        .map(|p| p.0)
        .filter(|v| v.is_finite())
        .collect();
    if values.len() < 4 {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let (q1, q3) = (quantile(&values, 0.25), quantile(&values, 0.75));
    let reach = 3.0 * (q3 - q1);
    let inside = |v: f64| (q1 - reach..=q3 + reach).contains(&v);
    if values.iter().all(|&v| inside(v)) {
        return None;
    }
    let kept = points
        .iter()
        .filter(|p| inside(p.0))
        .flat_map(|&(v, [lo, hi])| [v, lo, hi])
        .chain(reference)
        .filter(|v| v.is_finite());
    let (lo, hi) = kept.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    (lo < hi).then_some([lo, hi])
}

/// Every run's final accuracy per activation, best mean first, beside the mean with its
/// Student t interval.
fn seeds(stats: &ExperimentStatistics) -> Panel {
    let ranked = stats.ranked();
    let names = ranked.iter().map(|g| g.name.clone()).collect();
    let mut runs = Series::dots("one seed", vec![], vec![]);
    let mut means = Series::dots("mean, 95 % CI", vec![], vec![]);
    for (i, g) in ranked.iter().enumerate() {
        for &v in &g.finals {
            runs.x.push(i as f64);
            runs.y.push(v);
        }
        means.x.push(i as f64);
        means.y.push(g.accuracy.mean);
        means
            .band
            .push(g.accuracy.ci.unwrap_or([g.accuracy.mean; 2]));
    }
    let points: Vec<(f64, [f64; 2])> = runs
        .y
        .iter()
        .map(|&v| (v, [v, v]))
        .chain(means.y.iter().zip(&means.band).map(|(&m, &b)| (m, b)))
        .collect();
    Panel::new(
        "Final test accuracy, every seed",
        "",
        "test accuracy after the last epoch (%)",
        vec![runs, means],
    )
    .with_categories(names)
    .with_limits(limits_without_outliers(&points, None))
}

/// Mean test accuracy per epoch with its interval, per activation.
fn curves(stats: &ExperimentStatistics) -> Panel {
    let series = stats
        .ranked()
        .into_iter()
        .map(|g| {
            let x = g.curve.iter().map(|p| p.epoch as f64).collect();
            let y = g.curve.iter().map(|p| p.mean).collect();
            let band = g
                .curve
                .iter()
                .map(|p| p.ci.unwrap_or([p.mean; 2]))
                .collect();
            Series::line(g.name.clone(), x, y).with_band(band)
        })
        .collect();
    Panel::new(
        "Test accuracy per epoch (mean, 95 % CI)",
        "epoch",
        "accuracy (%)",
        series,
    )
}

/// The transfer table drawn: per setting, each activation's mean final accuracy with
/// its interval, and, when the runs counted them, its dead units at initialisation and
/// after the last epoch.
pub fn transfer_figure(table: &TransferTable) -> Figure {
    let settings: Vec<String> = table.settings.iter().map(|s| s.name.clone()).collect();
    let by_setting =
        |title: &str, y_label: &str, value: &dyn Fn(&TransferRow) -> Option<Summary>| {
            let names = table.activations();
            // Each activation a little apart within its setting's row, so that the
            // intervals do not hide each other.
            let offset = |k: usize| 0.5 * (k as f64 + 0.5) / names.len() as f64 - 0.25;
            let series = names
                .iter()
                .enumerate()
                .filter_map(|(k, &name)| {
                    let mut line = Series::dots(name, vec![], vec![]).with_colour(k);
                    for (i, setting) in table.settings.iter().enumerate() {
                        let Some(s) = setting
                            .rows
                            .iter()
                            .find(|r| r.activation == name)
                            .and_then(value)
                        else {
                            continue;
                        };
                        line.x.push(i as f64 + offset(k));
                        line.y.push(s.mean);
                        line.band.push(s.ci.unwrap_or([s.mean; 2]));
                    }
                    (!line.x.is_empty()).then_some(line)
                })
                .collect::<Vec<_>>();
            (!series.is_empty()).then(|| {
                Panel::new(title, "setting", y_label, series).with_categories(settings.clone())
            })
        };
    let panels: Vec<Panel> = [
        by_setting(
            "Final test accuracy (mean, 95 % CI)",
            "accuracy (%)",
            &|r| Some(r.accuracy.clone()),
        ),
        by_setting("Dead units at initialisation", "% of hidden units", &|r| {
            r.units.as_ref().map(|u| u.dead_at_init.clone())
        }),
        by_setting(
            "Dead units after the last epoch",
            "% of hidden units",
            &|r| r.units.as_ref().map(|u| u.dead_at_end.clone()),
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    let columns = panels.len().max(1);
    Figure::new(
        format!(
            "Experiment {}: every activation under every setting",
            table.experiment
        ),
        columns,
        panels,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_far_outlier_is_kept_off_the_scale() {
        let mut points: Vec<(f64, [f64; 2])> =
            [5.9, 5.0, 4.7, 1.1, 0.7, 0.3, 0.1, -0.3, -0.9, -3.1, -3.7]
                .iter()
                .map(|&v| (v, [v - 0.5, v + 0.5]))
                .collect();
        assert_eq!(limits_without_outliers(&points, Some(0.0)), None);
        points.push((-69.6, [-74.7, -64.5]));
        assert_eq!(
            limits_without_outliers(&points, Some(0.0)),
            Some([-4.2, 6.4])
        );
    }
}
