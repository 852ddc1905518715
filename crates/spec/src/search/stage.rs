//! A study's stages in the order they run, each one experiment folder: the
//! generations of an evolution (which together are the first rung), the rungs, and
//! the confirmation. `--stage S` and a Slurm study's arrays count them from 1.

use std::path::Path;

use crate::custom::CustomActivation;
use crate::experiment::{ConfigError, Experiment, ExperimentFile};

use super::{Search, SearchFile, layout};

/// One stage of a study.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Generation `g` (0-based: 0 is the random first population) of an evolution.
    Generation(usize),
    /// Rung `r` (0-based); with an evolution, rung 0 is its generations.
    Rung(usize),
    /// The confirmation of the best.
    Confirm,
}

impl Stage {
    /// Its experiment folder's name.
    pub fn folder(self) -> String {
        match self {
            Stage::Generation(g) => layout::generation_name(g),
            Stage::Rung(r) => layout::rung_name(r),
            Stage::Confirm => layout::CONFIRM.into(),
        }
    }
}

impl SearchFile {
    /// Generation `g`'s experiment in the study folder `dir`, unchecked: the first
    /// rung's, training `candidates`, with the baselines in generation 0 only.
    pub(super) fn generation_file(
        &self,
        dir: &Path,
        g: usize,
        candidates: Vec<CustomActivation>,
    ) -> ExperimentFile {
        let mut file = self.rung_file(dir, 0, candidates);
        file.name = layout::generation_name(g);
        if g > 0 {
            file.acts.retain(|a| !self.baselines.contains(a));
            file.baseline = None;
        }
        file
    }
}

impl Search {
    /// Every stage, in the order they run.
    pub fn stages(&self) -> Vec<Stage> {
        let generations = self
            .file
            .strategy
            .evolution()
            .map_or(0, |e| e.generations());
        let first_rung = usize::from(generations > 0);
        let mut stages: Vec<Stage> = (0..generations).map(Stage::Generation).collect();
        stages.extend((first_rung..self.rungs().len()).map(Stage::Rung));
        if self.confirm().is_some() {
            stages.push(Stage::Confirm);
        }
        stages
    }

    /// What stage `stage` is, for messages: `generation 2 of 6`, `rung 2 of 3`, `the
    /// confirmation`.
    pub fn describe(&self, stage: Stage) -> String {
        match stage {
            Stage::Generation(g) => format!(
                "generation {g} of {}",
                self.file
                    .strategy
                    .evolution()
                    .map_or(0, |e| e.generations() - 1)
            ),
            Stage::Rung(r) => format!("rung {} of {}", r + 1, self.rungs().len()),
            Stage::Confirm => "the confirmation".into(),
        }
    }

    /// Which `--stage` numbers are what: `1 to 5 the generations 0 to 4, 6 to 7 rungs 2
    /// to 3, 8 the confirmation`.
    pub fn stage_outline(&self) -> String {
        let span = |a: usize, b: usize| {
            if a == b {
                a.to_string()
            } else {
                format!("{a} to {b}")
            }
        };
        let stages = self.stages();
        let mut parts = Vec::new();
        let generations = stages
            .iter()
            .filter(|s| matches!(s, Stage::Generation(_)))
            .count();
        if generations > 0 {
            parts.push(format!(
                "{} the generations {}",
                span(1, generations),
                span(0, generations - 1)
            ));
        }
        let first_rung = usize::from(generations > 0);
        let rungs = self.rungs().len() - first_rung;
        if rungs > 0 {
            let numbers = span(generations + 1, generations + rungs);
            parts.push(match (generations, rungs) {
                (0, _) => format!("{numbers} the rungs"),
                (_, 1) => format!("{numbers} rung {}", self.rungs().len()),
                _ => format!(
                    "{numbers} rungs {}",
                    span(first_rung + 1, self.rungs().len())
                ),
            });
        }
        if self.confirm().is_some() {
            parts.push(format!("{} the confirmation", stages.len()));
        }
        parts.join(", ")
    }

    /// Generation `g` as an experiment training `candidates` (beside the baselines in
    /// generation 0), in `gen-<g>/` of the study folder.
    pub fn generation_experiment(
        &self,
        g: usize,
        candidates: Vec<CustomActivation>,
    ) -> Result<Experiment, ConfigError> {
        self.file
            .generation_file(self.dir(), g, candidates)
            .check(&layout::generation_name(g))
    }
}
