//! What a study records besides its runs: every candidate of the space with what
//! became of it before training (`candidates.json`), and the leaderboard drawn from the
//! rungs' run records (`leaderboard.json`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::record::stats::{Comparison, Summary};
use crate::record::stats_tables::p_value;
use crate::train::TrainConfig;

/// What became of a candidate before any training.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "fate", rename_all = "kebab-case")]
pub enum Fate {
    /// The simplest of its class of equal-output formulas: trained under `name`.
    Distinct {
        /// Its activation name in the rungs (`C0042`).
        name: String,
    },
    /// Equal outputs to a simpler candidate, which is trained in its place.
    SameAs {
        /// The name of the candidate trained for it.
        name: String,
    },
    /// Not trained, and why (non-finite, constant, affine, fragile).
    Rejected {
        /// The reason, in words, with the input where it shows.
        reason: String,
    },
}

/// One candidate of the space.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CandidateEntry {
    /// Its formula.
    pub formula: String,
    /// Trainable scalars and their initial values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, f64>,
    /// The operators in its schema's slots, in pre-order.
    pub operators: Vec<String>,
    /// The schema, as the config writes it.
    pub schema: String,
    /// What became of it.
    #[serde(flatten)]
    pub fate: Fate,
}

/// Every candidate of a study's space, in enumeration order, with the outcome of the
/// checks before training and the strategy's pick for the first rung.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CandidateList {
    /// The study's name.
    pub study: String,
    /// The candidates.
    pub candidates: Vec<CandidateEntry>,
    /// The distinct candidates the first rung trains, by name, in order.
    pub selected: Vec<String>,
}

impl CandidateList {
    /// How many candidates met each fate: distinct, same as another, rejected (by the
    /// reason's first words, before any ':').
    pub fn tally(&self) -> (usize, usize, BTreeMap<String, usize>) {
        let mut distinct = 0;
        let mut same = 0;
        let mut rejected: BTreeMap<String, usize> = BTreeMap::new();
        for c in &self.candidates {
            match &c.fate {
                Fate::Distinct { .. } => distinct += 1,
                Fate::SameAs { .. } => same += 1,
                Fate::Rejected { reason } => {
                    let head = reason.split(':').next().unwrap_or(reason).to_string();
                    *rejected.entry(head).or_default() += 1;
                }
            }
        }
        (distinct, same, rejected)
    }
}

/// Where one rung stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RungProgress {
    /// 1-based.
    pub rung: usize,
    /// Epochs per run.
    pub epochs: usize,
    /// Seeds per candidate.
    pub seeds: usize,
    /// Candidates it trains (baselines not counted).
    pub candidates: usize,
    /// Runs planned (baselines included).
    pub planned: usize,
    /// Runs finished.
    pub finished: usize,
}

/// One line of the leaderboard: a candidate or a baseline at the highest rung it
/// reached.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeaderRow {
    /// 1-based rank: by the highest rung reached, then by mean accuracy there.
    pub rank: usize,
    /// Activation name (`C0042`, or the baseline's).
    pub name: String,
    /// Formula.
    pub formula: String,
    /// Trainable scalars and their initial values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, f64>,
    /// A baseline trained at every rung, not a candidate.
    pub baseline: bool,
    /// The highest rung (1-based) with a finished result.
    pub rung: usize,
    /// Epochs per run at that rung.
    pub epochs: usize,
    /// Finished runs at that rung.
    pub seeds: usize,
    /// Mean final test accuracy (%) over them; absent when a run diverged.
    pub accuracy: Option<f64>,
    /// Student t 95% interval of the mean, when it has 3 or more seeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<[f64; 2]>,
    /// `completed`, or `diverged (seed S, epoch E)`.
    pub state: String,
    /// Mean final test accuracy (%) at each rung it trained in, first to last (`None`
    /// where a run diverged).
    #[serde(default)]
    pub by_rung: Vec<Option<f64>>,
}

/// A study's leaderboard, from its rungs' records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Leaderboard {
    /// The study's name.
    pub study: String,
    /// Every rung, first to last.
    pub rungs: Vec<RungProgress>,
    /// Whether every rung has finished.
    pub complete: bool,
    /// Candidates enumerated, distinct, trained in the first rung.
    pub enumerated: usize,
    /// Distinct candidates after the checks.
    pub distinct: usize,
    /// Rows, best first.
    pub rows: Vec<LeaderRow>,
    /// The confirmation stage, once it has started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<Confirmation>,
}

/// One activation of the confirmation: a candidate or one it is compared with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfirmGroup {
    /// Activation name.
    pub name: String,
    /// Its formula.
    pub formula: String,
    /// A candidate of the study (else an activation the candidates must beat).
    pub candidate: bool,
    /// Final test accuracy (%) over its completed runs; absent before any completes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<Summary>,
    /// Runs that diverged (left out of the statistics).
    pub diverged: usize,
    /// Each trainable scalar's learned value over the completed runs (a run's value is
    /// the mean over its units when the scope is not shared).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub learned: BTreeMap<String, Summary>,
}

/// The confirmation: the best candidates trained again with many seeds, beside the
/// activations they must beat, and compared with each of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Confirmation {
    /// Training settings of every run.
    pub train: TrainConfig,
    /// Seeds per activation.
    pub seeds: usize,
    /// Runs planned.
    pub planned: usize,
    /// Runs finished.
    pub finished: usize,
    /// The activations each candidate is compared with.
    pub against: Vec<String>,
    /// Significance level of the verdicts, after Holm's correction over every
    /// comparison of the table.
    pub alpha: f64,
    /// Every activation trained, candidates first.
    pub groups: Vec<ConfirmGroup>,
    /// Each candidate against each of `against`, Holm-corrected together.
    pub comparisons: Vec<Comparison>,
    /// Each completed candidate run's learned scalars, by run: kept here so that a
    /// study whose checkpoints are gone still has them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub learned_runs: BTreeMap<String, BTreeMap<String, f64>>,
}

fn summary_text(s: &Summary, digits: usize) -> String {
    match s.ci {
        Some([lo, hi]) => format!("{:.digits$} [{lo:.digits$}, {hi:.digits$}]", s.mean),
        None => format!("{:.digits$}", s.mean),
    }
}

impl Confirmation {
    /// The confirmation as Markdown: each activation's accuracy and learned scalars,
    /// then each comparison with its verdict.
    pub fn markdown(&self) -> String {
        let t = &self.train;
        let mut out = format!(
            "## Confirmation\n\n{} epochs, {} seeds per activation ({}/{} runs finished); {} lr {} momentum {}, batch {}.\n\n",
            t.epochs,
            self.seeds,
            self.finished,
            self.planned,
            t.optimizer,
            t.lr,
            t.momentum,
            t.batch_size
        );
        out.push_str("| Activation | Formula | Runs | Accuracy (%), mean [95% CI] | Learned (mean [95% CI] over seeds) |\n|---|---|---:|---|---|\n");
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
            out.push_str(&format!(
                "| {}{} | `{}` | {runs}{diverged} | {} | {} |\n",
                g.name,
                if g.candidate { "" } else { " (against)" },
                g.formula.replace('|', "\\|"),
                g.accuracy
                    .as_ref()
                    .map_or_else(|| "-".into(), |a| summary_text(a, 2)),
                learned.join(", ")
            ));
        }
        out.push_str(&format!(
            "\nEach candidate against each activation it must beat: Welch's test, Holm-corrected over all {} comparisons (alpha {}); P(better) is the probability that a run of the candidate beats one of the other.\n\n",
            self.comparisons.len(),
            self.alpha
        ));
        out.push_str("| Candidate | Against | Difference (points) [95% CI] | Holm p | P(better) | Hedges' g | Verdict |\n|---|---|---|---:|---:|---:|---|\n");
        let num = |v: Option<f64>, digits: usize| {
            v.map_or_else(|| "-".into(), |v| format!("{v:.digits$}"))
        };
        for c in &self.comparisons {
            let difference = match c.ci {
                Some([lo, hi]) => format!("{:+.2} [{lo:+.2}, {hi:+.2}]", c.difference),
                None => format!("{:+.2}", c.difference),
            };
            out.push_str(&format!(
                "| {} | {} | {difference} | {} | {} | {} | {} |\n",
                c.group,
                c.against,
                p_value(c.p_holm),
                num(c.improvement, 2),
                num(c.hedges_g, 2),
                c.verdict()
            ));
        }
        out
    }
}

impl LeaderRow {
    fn accuracy_text(&self) -> String {
        match (self.accuracy, self.interval) {
            (Some(a), Some([lo, hi])) => format!("{a:.2} [{lo:.2}, {hi:.2}]"),
            (Some(a), None) => format!("{a:.2}"),
            (None, _) => "-".into(),
        }
    }

    fn params_text(&self) -> String {
        self.params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl Leaderboard {
    /// The leaderboard as a Markdown table, with where each rung stands above it.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "# Study {}{}\n\n{} candidates enumerated, {} distinct after the checks.\n\n",
            self.study,
            if self.complete { "" } else { " (in progress)" },
            self.enumerated,
            self.distinct
        );
        out.push_str(
            "| Rung | Epochs | Seeds | Candidates | Runs finished |\n|---:|---:|---:|---:|---:|\n",
        );
        for r in &self.rungs {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {}/{} |\n",
                r.rung, r.epochs, r.seeds, r.candidates, r.finished, r.planned
            ));
        }
        out.push_str("\nRanked by the highest rung reached, then by mean final test accuracy there (95% Student t interval with 3 or more seeds).\n\n");
        out.push_str("| Rank | Name | Formula | Initial parameters | Rung | Epochs | Seeds | Accuracy (%) | State |\n|---:|---|---|---|---:|---:|---:|---|---|\n");
        for row in &self.rows {
            let name = if row.baseline {
                format!("{} (baseline)", row.name)
            } else {
                row.name.clone()
            };
            out.push_str(&format!(
                "| {} | {name} | `{}` | {} | {} | {} | {} | {} | {} |\n",
                row.rank,
                row.formula.replace('|', "\\|"),
                row.params_text(),
                row.rung,
                row.epochs,
                row.seeds,
                row.accuracy_text(),
                row.state
            ));
        }
        if let Some(confirmation) = &self.confirmation {
            out.push('\n');
            out.push_str(&confirmation.markdown());
        }
        out
    }

    /// The rows as CSV, one per candidate or baseline.
    pub fn csv(&self) -> String {
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        let mut out = String::from(
            "rank,name,baseline,formula,params,rung,epochs,seeds,accuracy,ci_low,ci_high,state\n",
        );
        for row in &self.rows {
            let [lo, hi] = row
                .interval
                .map_or([String::new(), String::new()], |[l, h]| {
                    [l.to_string(), h.to_string()]
                });
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{lo},{hi},{}\n",
                row.rank,
                quote(&row.name),
                row.baseline,
                quote(&row.formula),
                quote(&row.params_text()),
                row.rung,
                row.epochs,
                row.seeds,
                row.accuracy.map_or(String::new(), |a| a.to_string()),
                quote(&row.state)
            ));
        }
        out
    }
}
