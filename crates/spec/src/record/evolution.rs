//! What an evolution records in the leaderboard: how each candidate came to be trained
//! (its parent and the mutation), and each generation's accuracy beside the best so far.

use serde::{Deserialize, Serialize};

/// How a candidate came to be trained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Birth {
    /// Its name (`C0042`).
    pub name: String,
    /// The generation that trained it (0: the random first population).
    pub generation: usize,
    /// The tournament winner it was mutated from (none in generation 0, or when no new
    /// mutant was found).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// What changed: `sigmoid → tanh in slot 2`, `schema u(x) → b(x, u(x))`, `drawn at
    /// random`.
    pub change: String,
}

/// One generation's first-rung results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GenerationRow {
    /// 0-based; 0 is the random first population.
    pub generation: usize,
    /// Candidates it trains.
    pub candidates: usize,
    /// Candidates whose runs all completed.
    pub completed: usize,
    /// Mean accuracy (%) over its completed candidates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Its best candidate and accuracy (%).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best: Option<(String, f64)>,
    /// The best candidate trained up to and including it, and its accuracy (%).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_so_far: Option<(String, f64)>,
}

/// An evolution's generations and births.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvolutionLog {
    /// Population size (the first generation's, and the pool parents come from).
    pub population: usize,
    /// Tournament size.
    pub sample: usize,
    /// Every generation held so far.
    pub generations: Vec<GenerationRow>,
    /// Every candidate trained, in training order.
    pub births: Vec<Birth>,
}
