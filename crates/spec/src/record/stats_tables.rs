//! The statistics as tables: markdown and terminal (via [`TextTable`]) and CSV.

use std::fmt::Write as _;

use crate::record::stats::{Comparison, CurvePoint, ExperimentComparison, ExperimentStatistics};
use crate::record::table::TextTable;

/// Formats a p-value: three decimals, or two significant digits below 0.001.
pub(crate) fn p_value(p: Option<f64>) -> String {
    match p {
        None => "-".into(),
        Some(p) if p >= 0.001 => format!("{p:.3}"),
        Some(p) => format!("{p:.1e}"),
    }
}

/// `lo–hi` with `digits` decimals, or "-" without an interval.
fn interval(ci: Option<[f64; 2]>, digits: usize, signed: bool) -> String {
    match ci {
        Some([lo, hi]) if signed => format!("[{lo:+.digits$}, {hi:+.digits$}]"),
        Some([lo, hi]) => format!("[{lo:.digits$}, {hi:.digits$}]"),
        None => "-".into(),
    }
}

impl ExperimentComparison {
    /// Group by group: both means, the change with its interval and tests, the verdict.
    pub fn table(&self) -> TextTable {
        let mut table = TextTable::new(
            format!("{} against {}", self.new, self.baseline),
            &[
                ("Activation", false),
                ("n", true),
                ("New (%)", true),
                ("Baseline (%)", true),
                ("Δ (pts)", true),
                ("95 % CI", true),
                ("p (Holm)", true),
                ("P(new better)", true),
                (&format!("p worse by > {} (Holm)", self.margin), true),
                ("Verdict", false),
            ],
        );
        for g in &self.groups {
            let c = &g.comparison;
            table.rows.push(vec![
                c.group.clone(),
                format!("{}/{}", g.new.n, g.baseline.n),
                format!("{:.2}", g.new.mean),
                format!("{:.2}", g.baseline.mean),
                format!("{:+.2}", c.difference),
                interval(c.ci, 2, true),
                p_value(c.p_holm),
                c.improvement.map_or("-".into(), |p| format!("{p:.2}")),
                p_value(g.p_worse_holm),
                g.verdict().into(),
            ]);
        }
        table.notes.push(format!(
            "A group regressed when its mean final test accuracy is lower by more than {} \
             points, significantly at α = {} (one-sided Welch test, Holm-adjusted over the \
             groups); \"improved\" and \"worse\" are two-sided Welch tests, Holm-adjusted.",
            self.margin, self.alpha
        ));
        if !self.unmatched.is_empty() {
            table.notes.push(format!(
                "In only one of the two, not compared: {}.",
                self.unmatched.join(", ")
            ));
        }
        if !self.accepted.is_empty() {
            let list: Vec<String> = self
                .accepted
                .iter()
                .map(|d| format!("{} ({} against {})", d.field, d.new, d.baseline))
                .collect();
            table.notes.push(format!(
                "Trained differently, compared as asked (--accept): {}; a difference in accuracy may come from these as much as from the activation.",
                list.join(", ")
            ));
        }
        if self.groups.iter().any(|g| g.comparison.p.is_none()) {
            table.notes.push(
                "Groups with fewer than 3 runs on either side are reported, not tested.".into(),
            );
        }
        table
    }
}

impl ExperimentStatistics {
    /// The columns of [`Self::csv`].
    pub const CSV_HEADER: &'static str = "activation,n,accuracy_mean,accuracy_sd,\
        accuracy_ci_low,accuracy_ci_high,accuracy_median,accuracy_min,accuracy_max,\
        test_loss_mean,test_loss_sd,test_loss_ci_low,test_loss_ci_high,baseline,difference,\
        difference_ci_low,difference_ci_high,p,p_holm,improvement,improvement_ci_low,\
        improvement_ci_high,hedges_g,vs_baseline,vs_best\n";
    /// The columns of [`Self::epochs_csv`].
    pub const EPOCHS_CSV_HEADER: &'static str = "activation,epoch,n,mean,ci_low,ci_high\n";

    /// Per group, best first: n and the spread of the final test accuracy and loss.
    pub fn groups_table(&self) -> TextTable {
        let mut table = TextTable::new(
            "Final test accuracy and loss over seeds",
            &[
                ("Activation", false),
                ("n", true),
                ("Accuracy (%)", true),
                ("sd", true),
                ("95 % CI", true),
                ("Median", true),
                ("Min–max", true),
                ("Test loss", true),
                ("95 % CI (loss)", true),
            ],
        );
        for g in self.ranked() {
            let (a, l) = (&g.accuracy, &g.test_loss);
            table.rows.push(vec![
                self.marked(g),
                a.n.to_string(),
                format!("{:.2}", a.mean),
                a.sd.map_or("-".into(), |sd| format!("{sd:.2}")),
                interval(a.ci, 2, false),
                format!("{:.2}", a.median),
                format!("{:.2}–{:.2}", a.min, a.max),
                format!("{:.4}", l.mean),
                interval(l.ci, 4, false),
            ]);
        }
        table.notes.push(
            "Mean of each activation's runs (one per seed); sd: sample standard deviation; \
             95 % CI: Student t interval of the mean."
                .into(),
        );
        table.notes.extend(self.caution_notes());
        table
    }

    /// Every other group against the baseline, best first, with the marks against the
    /// baseline and the best group.
    pub fn comparison_table(&self) -> TextTable {
        let base = &self.baseline;
        let mut table = TextTable::new(
            format!("Against the baseline, {base}"),
            &[
                ("Activation", false),
                (&format!("Δ vs {base} (pts)"), true),
                ("95 % CI", true),
                ("p", true),
                ("p (Holm)", true),
                (&format!("P(better than {base})"), true),
                ("95 % CI (P)", true),
                ("Hedges' g", true),
                (&format!("vs {base}"), false),
                (&format!("vs best ({})", self.best), false),
            ],
        );
        for g in self.ranked() {
            let c = Self::against(&self.vs_baseline, &g.name);
            let cell = |f: &dyn Fn(&Comparison) -> String| c.map_or("-".into(), f);
            table.rows.push(vec![
                self.marked(g),
                cell(&|c| format!("{:+.2}", c.difference)),
                cell(&|c| interval(c.ci, 2, true)),
                cell(&|c| p_value(c.p)),
                cell(&|c| p_value(c.p_holm)),
                cell(&|c| c.improvement.map_or("-".into(), |p| format!("{p:.2}"))),
                cell(&|c| interval(c.improvement_ci, 2, false)),
                cell(&|c| c.hedges_g.map_or("-".into(), |g| format!("{g:.2}"))),
                self.verdict_vs_baseline(&g.name).into(),
                self.verdict_vs_best(&g.name).into(),
            ]);
        }
        let tests = self.vs_baseline.iter().filter(|c| c.p.is_some()).count();
        if tests == 0 {
            table.notes.push(
                "Δ: difference of mean final test accuracy. Nothing is tested: no two groups \
                 both have enough runs."
                    .into(),
            );
        } else {
            table.notes.push(format!(
                "Δ: difference of mean final test accuracy, with Welch's 95 % interval; p: \
                 Welch's t-test, Holm-adjusted over the {tests} tested comparisons with {base} \
                 (and, for the last column, over those with the best); P(better): probability \
                 that a run beats a run of {base} (rliable's probability of improvement), with \
                 a percentile bootstrap interval ({} resamples, seed {}). \"better\" and \
                 \"worse\" mean significant at α = {} after Holm's correction; \"within \
                 noise\" means not.",
                self.bootstrap_resamples, self.bootstrap_seed, self.alpha
            ));
        }
        if self.some_untested() {
            table.notes.push(format!(
                "Groups with fewer than {} runs are reported, not tested: too few seeds for a \
                 claim (train with --seeds {} or more).",
                self.min_runs_for_tests, self.min_runs_for_tests
            ));
        }
        table.notes.extend(self.caution_notes());
        table
    }

    /// Test accuracy per epoch: the mean of each group's runs with its 95 % interval.
    pub fn epochs_table(&self) -> TextTable {
        let ranked = self.ranked();
        let mut columns: Vec<(&str, bool)> = vec![("Epoch", true)];
        columns.extend(ranked.iter().map(|g| (g.name.as_str(), true)));
        let mut table = TextTable::new(
            "Test accuracy per epoch (%, mean ± 95 % CI half-width)",
            &columns,
        );
        let epochs = ranked.iter().map(|g| g.curve.len()).max().unwrap_or(0);
        for e in 0..epochs {
            let mut row = vec![(e + 1).to_string()];
            row.extend(ranked.iter().map(|g| match g.curve.get(e) {
                Some(CurvePoint {
                    mean,
                    ci: Some([lo, hi]),
                    ..
                }) => {
                    format!("{mean:.2} ± {:.2}", (hi - lo) / 2.0)
                }
                Some(p) => format!("{:.2}", p.mean),
                None => "-".into(),
            }));
            table.rows.push(row);
        }
        table
    }

    /// One row per group, in the experiment's order: its spread and its comparison with
    /// the baseline, as CSV (empty cells where there is no value).
    pub fn csv(&self) -> String {
        let mut out = String::from(Self::CSV_HEADER);
        let num = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v}"));
        let low = |ci: Option<[f64; 2]>| num(ci.map(|c| c[0]));
        let high = |ci: Option<[f64; 2]>| num(ci.map(|c| c[1]));
        for g in &self.groups {
            let (a, l) = (&g.accuracy, &g.test_loss);
            let c = Self::against(&self.vs_baseline, &g.name);
            let cells = [
                g.name.clone(),
                a.n.to_string(),
                num(Some(a.mean)),
                num(a.sd),
                low(a.ci),
                high(a.ci),
                num(Some(a.median)),
                num(Some(a.min)),
                num(Some(a.max)),
                num(Some(l.mean)),
                num(l.sd),
                low(l.ci),
                high(l.ci),
                self.baseline.clone(),
                num(c.map(|c| c.difference)),
                low(c.and_then(|c| c.ci)),
                high(c.and_then(|c| c.ci)),
                num(c.and_then(|c| c.p)),
                num(c.and_then(|c| c.p_holm)),
                num(c.and_then(|c| c.improvement)),
                low(c.and_then(|c| c.improvement_ci)),
                high(c.and_then(|c| c.improvement_ci)),
                num(c.and_then(|c| c.hedges_g)),
                self.verdict_vs_baseline(&g.name).into(),
                self.verdict_vs_best(&g.name).into(),
            ];
            let _ = writeln!(out, "{}", cells.map(|c| csv_cell(&c)).join(","));
        }
        out
    }

    /// Test accuracy per epoch and group, long form, as CSV.
    pub fn epochs_csv(&self) -> String {
        let mut out = String::from(Self::EPOCHS_CSV_HEADER);
        for g in &self.groups {
            for p in &g.curve {
                let (lo, hi) = p.ci.map_or((String::new(), String::new()), |[lo, hi]| {
                    (lo.to_string(), hi.to_string())
                });
                let _ = writeln!(
                    out,
                    "{},{},{},{},{lo},{hi}",
                    csv_cell(&g.name),
                    p.epoch,
                    p.n,
                    p.mean
                );
            }
        }
        out
    }
}

/// A CSV cell: quoted when it holds a comma or a quote.
fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
