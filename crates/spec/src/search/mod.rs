//! Activation search: a study's config as written (`SearchFile`), checked once into a
//! [`Search`], whose rungs are ordinary experiments (`rung-1/`, `rung-2/`, ...) whose
//! activations are the candidates a rung trains.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::activation::Scope;
use crate::custom::CustomActivation;
use crate::experiment::{
    ConfigError, Experiment, ExperimentFile, folder_name_problem, parse_toml, seeds_list_or_count,
};
use crate::located::{fields_of, locate};
use crate::network::{LayerKind, NetworkConfig};
use crate::registry::FixedFn;
use crate::train::TrainConfig;

mod check;
pub mod confirm;
pub mod layout;
pub mod space;
mod stage;
pub mod strategy;

pub use confirm::ConfirmFile;
pub use space::{Candidate, Operator, Schema, Space};
pub use stage::Stage;
pub use strategy::{Evolution, StrategyFile, StrategyKind};

/// `[space]`: what candidates are made of.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpaceFile {
    /// Schemas over `x` with unary slots `u(...)` and binary slots `b(..., ...)`.
    pub schemas: Vec<String>,
    /// Unary operators: presets, registry functions, `registry` for all of them, or
    /// templates in `a`.
    pub unary: Vec<String>,
    /// Binary operators: presets or templates in `a` and `b`.
    pub binary: Vec<String>,
    /// Trainable scalars templates may use, with their initial values.
    pub params: BTreeMap<String, f64>,
    /// Registry functions no operator may call (`silu`, to see whether the search
    /// finds x·σ(x) by itself).
    pub exclude: Vec<String>,
    /// The most candidates the space may enumerate.
    pub max_candidates: usize,
}

impl Default for SpaceFile {
    fn default() -> Self {
        Self {
            schemas: space::DEFAULT_SCHEMAS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            unary: space::DEFAULT_UNARY.iter().map(|s| s.to_string()).collect(),
            binary: space::DEFAULT_BINARY
                .iter()
                .map(|s| s.to_string())
                .collect(),
            params: [("beta".to_string(), 1.0)].into(),
            exclude: Vec::new(),
            max_candidates: 20_000,
        }
    }
}

/// `[[rung]]`: one round of successive halving.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RungFile {
    /// Epochs each run of the rung trains.
    pub epochs: usize,
    /// Seeds: one run per candidate and seed.
    #[serde(deserialize_with = "seeds_list_or_count")]
    pub seeds: Vec<u64>,
    /// How many candidates, best first by recorded accuracy, go on to the next rung
    /// (every rung but the last).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promote: Option<usize>,
}

/// A study as written in TOML.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchFile {
    /// The study's folder name under `out`.
    pub name: String,
    /// Parent folder of the study folder.
    pub out: PathBuf,
    /// Hidden layer widths of the network every trial trains.
    pub hidden: Vec<usize>,
    /// Scope of the candidates' trainable scalars.
    pub scope: Scope,
    /// Hidden-layer type.
    pub layer: LayerKind,
    /// Hyper-parameters of every run (`epochs` comes from each rung).
    pub train: TrainConfig,
    /// Registry activations trained at every rung beside the candidates, for reference;
    /// the first is what each rung's summary compares with.
    pub baselines: Vec<String>,
    /// What candidates are made of.
    pub space: SpaceFile,
    /// Which candidates the first rung trains.
    pub strategy: StrategyFile,
    /// The rungs of successive halving, first to last.
    #[serde(rename = "rung")]
    pub rungs: Vec<RungFile>,
    /// The last stage: the best candidates trained again with many seeds and compared
    /// with the activations they must beat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm: Option<ConfirmFile>,
}

impl Default for SearchFile {
    fn default() -> Self {
        Self {
            name: "search".into(),
            out: PathBuf::from("results"),
            hidden: NetworkConfig::BOOK_HIDDEN.to_vec(),
            scope: Scope::Shared,
            layer: LayerKind::Linear,
            train: TrainConfig {
                lr: 0.01,
                momentum: 0.9,
                ..TrainConfig::default()
            },
            baselines: vec!["ReLU".into()],
            space: SpaceFile::default(),
            strategy: StrategyFile::default(),
            rungs: vec![
                RungFile {
                    epochs: 1,
                    seeds: vec![1],
                    promote: Some(20),
                },
                RungFile {
                    epochs: 3,
                    seeds: vec![1, 2, 3],
                    promote: None,
                },
            ],
            confirm: None,
        }
    }
}

/// The most rungs a study may have.
pub const MAX_RUNGS: usize = 10;
/// The most candidates `max_candidates` may allow.
pub const MAX_CANDIDATES: usize = 1_000_000;

/// The activation-name prefix of candidates: `C0042` is candidate 42 of the space.
pub const CANDIDATE_PREFIX: char = 'C';

/// A checked study. The only way to one is [`SearchFile::check`].
#[derive(Clone, Debug, PartialEq)]
pub struct Search {
    file: SearchFile,
    dir: PathBuf,
    space: Space,
    exclude: Vec<FixedFn>,
}

fn tables() -> [(&'static str, Vec<String>); 5] {
    [
        ("[train]", fields_of::<TrainConfig>()),
        ("[confirm]", fields_of::<ConfirmFile>()),
        ("[space]", fields_of::<SpaceFile>()),
        ("[strategy]", fields_of::<StrategyFile>()),
        (
            "the top level (before any [table])",
            fields_of::<SearchFile>(),
        ),
    ]
}

impl SearchFile {
    /// Parses TOML text; `path` labels errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let file: Self = parse_toml(text, path, &tables())?;
        let per_stage = ["train.seed", "train.epochs"];
        if let Some((line, column)) = per_stage.iter().find_map(|f| locate(text, f)) {
            return Err(ConfigError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                message: "a study's seeds and epochs are set per rung: write them in each [[rung]] (epochs = 1, seeds = [1])".into(),
            });
        }
        let confirm_stage = ["confirm.train.seed", "confirm.train.epochs"];
        if let Some((line, column)) = confirm_stage.iter().find_map(|f| locate(text, f)) {
            return Err(ConfigError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                message: "the confirmation's seeds and epochs are set in [confirm] itself (epochs = 15, seeds = 10)".into(),
            });
        }
        Ok(file)
    }

    /// Reads and parses a TOML file.
    pub fn load(path: &Path) -> Result<(Self, String), ConfigError> {
        let text = ExperimentFile::read_text(path)?;
        Ok((Self::parse(&text, path)?, text))
    }

    /// The experiment of rung `index` (0-based) in the study folder `dir`, training
    /// `candidates` beside the baselines, unchecked.
    pub(super) fn rung_file(
        &self,
        dir: &Path,
        index: usize,
        candidates: Vec<CustomActivation>,
    ) -> ExperimentFile {
        let rung = &self.rungs[index];
        let mut acts = self.baselines.clone();
        acts.extend(candidates.iter().map(|c| c.name.clone()));
        ExperimentFile {
            name: layout::rung_name(index),
            acts,
            seeds: rung.seeds.clone(),
            conv: Vec::new(),
            hidden: self.hidden.clone(),
            scope: self.scope,
            layer: self.layer,
            init: Default::default(),
            norm: Default::default(),
            out: dir.to_path_buf(),
            train: TrainConfig {
                epochs: rung.epochs,
                ..self.train.clone()
            },
            definitions: candidates,
            fourier: None,
            baseline: self.baselines.first().cloned(),
            tensorboard_dir: None,
            settings: Vec::new(),
        }
    }

    /// Validates every field once; `origin` names the source in errors.
    pub fn check(self, origin: &str) -> Result<Search, ConfigError> {
        let invalid = |field: &str, problem: String| ConfigError::Invalid {
            origin: origin.to_string(),
            field: field.to_string(),
            problem,
        };
        if let Some(problem) = folder_name_problem(&self.name, "search") {
            return Err(invalid("name", problem));
        }
        if self.rungs.is_empty() || self.rungs.len() > MAX_RUNGS {
            return Err(invalid(
                "rung",
                format!(
                    "has {} rungs; give 1 to {MAX_RUNGS} [[rung]] tables (epochs = 1, seeds = [1], promote = 20), the last without promote",
                    self.rungs.len()
                ),
            ));
        }
        let last = self.rungs.len() - 1;
        // A stand-in candidate: checking a stage as an experiment needs one.
        let probe = CustomActivation {
            name: format!("{CANDIDATE_PREFIX}0"),
            expr: "x".into(),
            params: BTreeMap::new(),
            mix: Vec::new(),
        };
        for (i, rung) in self.rungs.iter().enumerate() {
            match rung.promote {
                None if i < last => {
                    return Err(invalid(
                        &format!("rung[{i}].promote"),
                        "is missing; every rung but the last says how many candidates go on to the next".into(),
                    ));
                }
                Some(_) if i == last => {
                    return Err(invalid(
                        &format!("rung[{i}].promote"),
                        "is set on the last rung, after which there is nothing to promote to; drop it".into(),
                    ));
                }
                Some(0) => {
                    return Err(invalid(
                        &format!("rung[{i}].promote"),
                        "is 0; promote at least one candidate".into(),
                    ));
                }
                _ => {}
            }
            // Each rung is an experiment: its own check covers seeds, epochs, the
            // network, the training settings and the baselines' names.
            let file = self.rung_file(
                Path::new(&self.out).join(&self.name).as_path(),
                i,
                vec![probe.clone()],
            );
            let at = format!("rung[{i}]");
            let baselines = ("baselines", self.baselines.len());
            file.check_renamed(origin, |field| stage_field(field, &at, baselines, false))?;
        }
        if let Some(confirm) = &self.confirm {
            self.check_confirm(confirm, probe, origin)?;
        }
        self.strategy.check().map_err(|(f, p)| invalid(&f, p))?;
        let (space, exclude) = check::check_space(&self.space).map_err(|(f, p)| invalid(&f, p))?;
        let dir = self.out.join(&self.name);
        Ok(Search {
            file: self,
            dir,
            space,
            exclude,
        })
    }
}

/// A stage experiment's field as the study's config names it: its seeds and epochs are
/// the stage's own (`at`: `rung[0]`, `confirm`), its first `named.1` activations the
/// list `named.0` (`baselines`, `confirm.against`), and its training settings `train`,
/// or `at.train` when the stage has a table of its own.
pub(super) fn stage_field(field: &str, at: &str, named: (&str, usize), own_train: bool) -> String {
    if let Some(rest) = field.strip_prefix("seeds") {
        return format!("{at}.seeds{rest}");
    }
    if field == "train.epochs" {
        return format!("{at}.epochs");
    }
    if own_train && field.starts_with("train.") {
        return format!("{at}.{field}");
    }
    if let Some(i) = field
        .strip_prefix("acts[")
        .and_then(|r| r.strip_suffix(']'))
        .and_then(|i| i.parse::<usize>().ok())
        .filter(|&i| i < named.1)
    {
        return format!("{}[{i}]", named.0);
    }
    field.to_string()
}

impl Search {
    /// The study's name.
    pub fn name(&self) -> &str {
        &self.file.name
    }

    /// The study folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The config as checked: what `search.json` holds.
    pub fn file(&self) -> &SearchFile {
        &self.file
    }

    /// The search space.
    pub fn space(&self) -> &Space {
        &self.space
    }

    /// Registry functions no candidate calls.
    pub fn excluded(&self) -> &[FixedFn] {
        &self.exclude
    }

    /// The rungs, first to last.
    pub fn rungs(&self) -> &[RungFile] {
        &self.file.rungs
    }

    /// The same study in the folder `dir` (a saved one that was moved).
    pub fn at(self, dir: PathBuf) -> Self {
        Self { dir, ..self }
    }

    /// The confirmation stage, when the study has one.
    pub fn confirm(&self) -> Option<&ConfirmFile> {
        self.file.confirm.as_ref()
    }

    /// The confirmation as an experiment training `candidates` after the activations
    /// they are compared with, in `confirm/` of the study folder.
    pub fn confirm_experiment(
        &self,
        candidates: Vec<CustomActivation>,
    ) -> Option<Result<Experiment, ConfigError>> {
        let confirm = self.confirm()?;
        Some(
            self.file
                .confirm_file(confirm, &self.dir, candidates)
                .check(layout::CONFIRM),
        )
    }

    /// Rung `index` (0-based) as an experiment training `candidates` beside the
    /// baselines, in `rung-<index + 1>/` of the study folder.
    pub fn rung_experiment(
        &self,
        index: usize,
        candidates: Vec<CustomActivation>,
    ) -> Result<Experiment, ConfigError> {
        self.file
            .rung_file(&self.dir, index, candidates)
            .check(&layout::rung_name(index))
    }
}

#[cfg(test)]
mod tests;
