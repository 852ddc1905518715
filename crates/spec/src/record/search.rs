//! What a study records besides its runs: every candidate of the space with what
//! became of it before training (`candidates.json`), and the leaderboard drawn from the
//! rungs' run records (`leaderboard.json`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::record::evolution::EvolutionLog;
use crate::record::stats::{Comparison, Summary};
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
    /// An evolution's generations and births, when the strategy evolves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evolution: Option<EvolutionLog>,
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

impl Leaderboard {
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
