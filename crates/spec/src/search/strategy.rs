//! `[strategy]`: which candidates a study trains first. Exhaustive and random search
//! pick the first rung's candidates at once; regularised evolution (Real et al., 2019)
//! trains them generation by generation, each generation's children mutated from
//! tournament winners among the latest trained candidates. A candidate's trainable
//! scalars are tuned by gradient in every run, as PANGAEA tunes its parameters; the
//! evolution searches the form.

use serde::{Deserialize, Serialize};

named_choices! {
    /// How a study picks the candidates its first rung trains.
    #[derive(Default)]
    pub enum StrategyKind: "search strategy" {
        /// Every distinct candidate of the space.
        #[default]
        Exhaustive = "exhaustive",
        /// `trials` distinct candidates drawn from the space with `seed`: the baseline
        /// any cleverer strategy must beat.
        Random = "random",
        /// `trials` distinct candidates by regularised evolution: a random first
        /// generation of `population`, then generations of `children` mutants of
        /// tournament winners.
        Evolution = "evolution",
    }
}

/// `[strategy]` as written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StrategyFile {
    /// Exhaustive, random or evolution.
    pub kind: StrategyKind,
    /// How many distinct candidates a random or evolution strategy trains in all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trials: Option<usize>,
    /// Seeds every random choice.
    pub seed: u64,
    /// Evolution: the first generation's size, and how many of the latest trained
    /// candidates parents are drawn from (default 20).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<usize>,
    /// Evolution: the candidates each later generation trains (default 10).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub children: Option<usize>,
    /// Evolution: the tournament, how many of the population are drawn for each child;
    /// the best of them is its parent (default 5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample: Option<usize>,
}

impl Default for StrategyFile {
    fn default() -> Self {
        Self {
            kind: StrategyKind::Exhaustive,
            trials: None,
            seed: 1,
            population: None,
            children: None,
            sample: None,
        }
    }
}

/// The most generations an evolution may have: each is a stage, run after the last.
pub const MAX_GENERATIONS: usize = 100;

/// A checked evolution strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Evolution {
    /// Distinct candidates trained in all.
    pub trials: usize,
    /// The first generation's size and the population parents are drawn from.
    pub population: usize,
    /// Candidates per later generation.
    pub children: usize,
    /// Tournament size.
    pub sample: usize,
    /// Seeds the first generation's draw, the tournaments and the mutations.
    pub seed: u64,
}

impl Evolution {
    /// Generations, the first (generation 0, the random population) included.
    pub fn generations(&self) -> usize {
        1 + (self.trials - self.population).div_ceil(self.children)
    }

    /// Candidates generation `g` trains: the population, then `children` each, the
    /// last what is left of `trials`.
    pub fn size(&self, g: usize) -> usize {
        match g {
            0 => self.population,
            _ => {
                let before = self.population + self.children * (g - 1);
                self.children.min(self.trials.saturating_sub(before))
            }
        }
    }
}

impl StrategyFile {
    /// The evolution, for an evolution strategy (checked first).
    pub fn evolution(&self) -> Option<Evolution> {
        (self.kind == StrategyKind::Evolution).then(|| Evolution {
            trials: self.trials.unwrap_or(0),
            population: self.population.unwrap_or(20),
            children: self.children.unwrap_or(10),
            sample: self.sample.unwrap_or(5),
            seed: self.seed,
        })
    }

    /// The invalid field and why, if any.
    pub(super) fn check(&self) -> Result<(), (String, String)> {
        let invalid = |field: &str, problem: String| Err((format!("strategy.{field}"), problem));
        let evolving = self.kind == StrategyKind::Evolution;
        for (field, set) in [
            ("population", self.population),
            ("children", self.children),
            ("sample", self.sample),
        ] {
            if set.is_some() && !evolving {
                return invalid(
                    field,
                    "is set, but only kind = \"evolution\" uses it; drop it, or evolve".into(),
                );
            }
        }
        match (self.kind, self.trials) {
            (StrategyKind::Random | StrategyKind::Evolution, None | Some(0)) => {
                return invalid(
                    "trials",
                    format!(
                        "is missing or 0; the {} strategy trains `trials` distinct candidates, e.g. trials = 60",
                        self.kind
                    ),
                );
            }
            (StrategyKind::Exhaustive, Some(_)) => {
                return invalid(
                    "trials",
                    "is set, but an exhaustive strategy trains every distinct candidate; drop it, or use kind = \"random\"".into(),
                );
            }
            _ => {}
        }
        let Some(e) = self.evolution() else {
            return Ok(());
        };
        if e.population < 2 || e.population >= e.trials {
            return invalid(
                "population",
                format!(
                    "is {}; give 2 to {} (fewer than trials = {}, or nothing evolves), e.g. population = {}",
                    e.population,
                    e.trials.saturating_sub(1).max(2),
                    e.trials,
                    (e.trials / 3).max(2)
                ),
            );
        }
        if e.children == 0 {
            return invalid(
                "children",
                "is 0; a generation trains at least one child (children = 10)".into(),
            );
        }
        if e.sample == 0 || e.sample > e.population {
            return invalid(
                "sample",
                format!(
                    "is {}; a tournament draws 1 to population = {} candidates (sample = {})",
                    e.sample,
                    e.population,
                    e.population.min(5)
                ),
            );
        }
        if e.generations() > MAX_GENERATIONS {
            return invalid(
                "children",
                format!(
                    "is {}: trials = {} would take {} generations, and at most {MAX_GENERATIONS} run one after another; raise children to at least {}",
                    e.children,
                    e.trials,
                    e.generations(),
                    (e.trials - e.population).div_ceil(MAX_GENERATIONS - 1)
                ),
            );
        }
        Ok(())
    }
}
