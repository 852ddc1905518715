//! A study's leaderboard as tables ([`TextTable`]): the rungs, the ranking, an
//! evolution's generations and the confirmation. `leaderboard.md`, `--status` and the
//! study's report page are all drawn from them.

use crate::record::evolution::EvolutionLog;
use crate::record::search::{Confirmation, LeaderRow, Leaderboard};
use crate::record::stats::Summary;
use crate::record::stats_tables::p_value;
use crate::record::table::TextTable;

fn summary_text(s: &Summary, digits: usize) -> String {
    match s.ci {
        Some([lo, hi]) => format!("{:.digits$} [{lo:.digits$}, {hi:.digits$}]", s.mean),
        None => format!("{:.digits$}", s.mean),
    }
}

/// A formula as a code span in a markdown cell (a `|` would end the cell).
fn code(formula: &str) -> String {
    format!("`{}`", formula.replace('|', "\\|"))
}

impl LeaderRow {
    fn accuracy_text(&self) -> String {
        match (self.accuracy, self.interval) {
            (Some(a), Some([lo, hi])) => format!("{a:.2} [{lo:.2}, {hi:.2}]"),
            (Some(a), None) => format!("{a:.2}"),
            (None, _) => "-".into(),
        }
    }

    pub(crate) fn params_text(&self) -> String {
        self.params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl EvolutionLog {
    /// `name`'s ancestry, newest first: `C0263 (gen 3: sigmoid → tanh in slot 2) ← C0100
    /// (gen 0: drawn at random)`.
    pub fn lineage(&self, name: &str) -> Option<String> {
        let mut parts = Vec::new();
        let mut at = Some(name.to_string());
        // A lineage cannot be longer than the births; the bound guards a corrupt file.
        while let Some(n) = at.take().filter(|_| parts.len() <= self.births.len()) {
            let birth = self.births.iter().find(|b| b.name == n)?;
            parts.push(format!("{n} (gen {}: {})", birth.generation, birth.change));
            at = birth.parent.clone();
        }
        Some(parts.join(" ← "))
    }

    /// The generations, with the lineage of `best` below.
    pub fn table(&self, best: &[&str]) -> TextTable {
        let mut table = TextTable::new(
            "Evolution",
            &[
                ("Generation", true),
                ("Candidates", true),
                ("Completed", true),
                ("Mean (%)", true),
                ("Best (%)", false),
                ("Best so far (%)", false),
            ],
        );
        let named = |v: &Option<(String, f64)>| {
            v.as_ref()
                .map_or_else(|| "-".into(), |(n, a)| format!("{n} {a:.2}"))
        };
        for g in &self.generations {
            table.rows.push(vec![
                g.generation.to_string(),
                g.candidates.to_string(),
                g.completed.to_string(),
                g.mean.map_or_else(|| "-".into(), |m| format!("{m:.2}")),
                named(&g.best),
                named(&g.best_so_far),
            ]);
        }
        table.notes.push(format!(
            "Regularised evolution: population {}, tournaments of {}; each generation's children are mutants of tournament winners among the latest {} candidates trained. Accuracy is the first rung's.",
            self.population, self.sample, self.population
        ));
        for name in best {
            if let Some(line) = self.lineage(name) {
                table.notes.push(format!("Where {name} came from: {line}"));
            }
        }
        table
    }
}

impl Confirmation {
    /// Each activation's accuracy and learned scalars, then each comparison with its
    /// verdict.
    pub fn tables(&self) -> [TextTable; 2] {
        let t = &self.train;
        let mut groups = TextTable::new(
            "Confirmation",
            &[
                ("Activation", false),
                ("Formula", false),
                ("Runs", true),
                ("Accuracy (%), mean [95% CI]", false),
                ("Learned (mean [95% CI] over seeds)", false),
            ],
        );
        for g in &self.groups {
            let runs = g.accuracy.as_ref().map_or(0, |a| a.n);
            let diverged = if g.diverged > 0 {
                format!(" (+{} diverged)", g.diverged)
            } else {
                String::new()
            };
            let learned: Vec<String> = g
                .learned
                .iter()
                .map(|(k, v)| format!("{k} = {}", summary_text(v, 3)))
                .collect();
            groups.rows.push(vec![
                format!("{}{}", g.name, if g.candidate { "" } else { " (against)" }),
                code(&g.formula),
                format!("{runs}{diverged}"),
                g.accuracy
                    .as_ref()
                    .map_or_else(|| "-".into(), |a| summary_text(a, 2)),
                learned.join(", "),
            ]);
        }
        groups.notes.push(format!(
            "{} epochs, {} seeds per activation ({}/{} runs finished); {} lr {} momentum {}, batch {}.",
            t.epochs,
            self.seeds,
            self.finished,
            self.planned,
            t.optimizer,
            t.lr,
            t.momentum,
            t.batch_size
        ));
        let mut comparisons = TextTable::new(
            "Confirmation: each candidate against each activation it must beat",
            &[
                ("Candidate", false),
                ("Against", false),
                ("Difference (points) [95% CI]", false),
                ("Holm p", true),
                ("P(better)", true),
                ("Hedges' g", true),
                ("Verdict", false),
            ],
        );
        let num = |v: Option<f64>, digits: usize| {
            v.map_or_else(|| "-".into(), |v| format!("{v:.digits$}"))
        };
        for c in &self.comparisons {
            let difference = match c.ci {
                Some([lo, hi]) => format!("{:+.2} [{lo:+.2}, {hi:+.2}]", c.difference),
                None => format!("{:+.2}", c.difference),
            };
            comparisons.rows.push(vec![
                c.group.clone(),
                c.against.clone(),
                difference,
                p_value(c.p_holm),
                num(c.improvement, 2),
                num(c.hedges_g, 2),
                c.verdict().to_string(),
            ]);
        }
        comparisons.notes.push(format!(
            "Welch's test, Holm-corrected over all {} comparisons (alpha {}); P(better) is the probability that a run of the candidate beats one of the other.",
            self.comparisons.len(),
            self.alpha
        ));
        [groups, comparisons]
    }
}

impl Leaderboard {
    /// The study's standing in a sentence.
    pub fn headline(&self) -> String {
        format!(
            "{} candidates enumerated, {} distinct after the checks{}.",
            self.enumerated,
            self.distinct,
            if self.complete { "" } else { "; in progress" }
        )
    }

    /// Every table: the rungs, the ranking, an evolution's generations, the
    /// confirmation's two.
    pub fn tables(&self) -> Vec<TextTable> {
        let mut rungs = TextTable::new(
            "Rungs",
            &[
                ("Rung", true),
                ("Epochs", true),
                ("Seeds", true),
                ("Candidates", true),
                ("Runs finished", true),
            ],
        );
        for r in &self.rungs {
            rungs.rows.push(vec![
                r.rung.to_string(),
                r.epochs.to_string(),
                r.seeds.to_string(),
                r.candidates.to_string(),
                format!("{}/{}", r.finished, r.planned),
            ]);
        }
        let mut ranking = TextTable::new(
            "Leaderboard",
            &[
                ("Rank", true),
                ("Name", false),
                ("Formula", false),
                ("Initial parameters", false),
                ("Rung", true),
                ("Epochs", true),
                ("Seeds", true),
                ("Accuracy (%)", false),
                ("State", false),
            ],
        );
        for row in &self.rows {
            let name = if row.baseline {
                format!("{} (baseline)", row.name)
            } else {
                row.name.clone()
            };
            ranking.rows.push(vec![
                row.rank.to_string(),
                name,
                code(&row.formula),
                row.params_text(),
                row.rung.to_string(),
                row.epochs.to_string(),
                row.seeds.to_string(),
                row.accuracy_text(),
                row.state.clone(),
            ]);
        }
        ranking.notes.push("Ranked by the highest rung reached, then by mean final test accuracy there (95% Student t interval with 3 or more seeds).".into());
        let mut tables = vec![rungs, ranking];
        if let Some(evolution) = &self.evolution {
            let best: Vec<&str> = self
                .rows
                .iter()
                .filter(|r| !r.baseline)
                .take(3)
                .map(|r| r.name.as_str())
                .collect();
            tables.push(evolution.table(&best));
        }
        if let Some(confirmation) = &self.confirmation {
            tables.extend(confirmation.tables());
        }
        tables
    }

    /// The leaderboard as Markdown: the headline, then every table under its heading.
    pub fn markdown(&self) -> String {
        let sections: Vec<String> = self.tables().iter().map(TextTable::section).collect();
        format!(
            "# Study {}\n\n{}\n\n{}",
            self.study,
            self.headline(),
            sections.join("\n")
        )
    }
}
