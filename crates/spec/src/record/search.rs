//! What a study records besides its runs: every candidate of the space with what
//! became of it before training (`candidates.json`), and the leaderboard drawn from the
//! rungs' run records (`leaderboard.json`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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
