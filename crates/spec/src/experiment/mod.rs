//! Experiments: the TOML file as written (`ExperimentFile`), checked once into an
//! [`Experiment`] that everything downstream trusts, expanded into [`RunSpec`]s.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::activation::{ActivationConfig, ActivationSpec, Scope};
use crate::custom::{CustomActivation, Definition};
use crate::fourier::FourierOptions;
use crate::init::InitScheme;
use crate::layout::{ExperimentLayout, RunLayout};
use crate::located::{fields_of, line_column, locate, misplaced_hint};
use crate::network::{LayerKind, NetError, NetworkConfig, NormKind};
use crate::registry::ActivationKind;
use crate::train::TrainConfig;

/// A config that cannot be used; every message names the file (or the command line)
/// and the field.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {error}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        error: std::io::Error,
    },
    /// The file is not valid TOML for an experiment.
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said, on one line.
        message: String,
    },
    /// A field has a value that cannot be used.
    #[error("{origin}: `{field}` {problem}")]
    Invalid {
        /// The file, or "command line".
        origin: String,
        /// The field, e.g. `train.lr`.
        field: String,
        /// What is wrong and what would be valid.
        problem: String,
    },
}

/// `seeds = [3, 7]`, or `seeds = 5` for seeds 1 to 5.
pub(crate) fn seeds_list_or_count<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Seeds {
        Count(u64),
        List(Vec<u64>),
    }
    Ok(
        match Seeds::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "expected a list of seeds such as [1, 2, 3], or a count such as 5 (seeds 1 to 5)",
            )
        })? {
            Seeds::Count(n) => (1..=n).collect(),
            Seeds::List(list) => list,
        },
    )
}

impl ConfigError {
    /// The error with the line and column of its field in `text` (the file it came
    /// from), when the file writes that field.
    pub fn located_in(self, text: &str) -> Self {
        match self {
            ConfigError::Invalid {
                origin,
                field,
                problem,
            } => {
                let origin = match locate(text, &field) {
                    Some((line, column)) => format!("{origin}:{line}:{column}"),
                    None => origin,
                };
                ConfigError::Invalid {
                    origin,
                    field,
                    problem,
                }
            }
            other => other,
        }
    }
}

/// An experiment as written in TOML; every field has the book's default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExperimentFile {
    /// Folder name under `out`.
    pub name: String,
    /// Activation names (case-insensitive).
    pub acts: Vec<String>,
    /// One run per activation and seed: a list, or a count N meaning seeds 1..=N.
    #[serde(deserialize_with = "seeds_list_or_count")]
    pub seeds: Vec<u64>,
    /// Channels of the convolutions before the hidden layers (LeNet-5: [6, 16] with
    /// hidden = [120, 84]); none unless set.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conv: Vec<usize>,
    /// Hidden layer widths.
    pub hidden: Vec<usize>,
    /// Scope of trainable activations' parameters.
    pub scope: Scope,
    /// Hidden-layer type: "linear" (the book) or "glu" (gated).
    pub layer: LayerKind,
    /// How the Linear weights are drawn: "pytorch" (the book's), "he-normal", ...
    #[serde(skip_serializing_if = "InitScheme::is_pytorch")]
    pub init: InitScheme,
    /// What normalises the pre-activations: "none" (the book's), "layer" or "batch".
    #[serde(skip_serializing_if = "NormKind::is_none")]
    pub norm: NormKind,
    /// Parent folder of the experiment folder.
    pub out: PathBuf,
    /// Hyper-parameters shared by every run.
    pub train: TrainConfig,
    /// User-defined activations (`[[activation]]` tables), usable in `acts`.
    #[serde(rename = "activation", skip_serializing_if = "Vec::is_empty")]
    pub definitions: Vec<CustomActivation>,
    /// Settings of the Fourier activation (`[fourier]`), when `acts` has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fourier: Option<FourierOptions>,
    /// The activation every other is compared with in the summary (default: ReLU when
    /// `acts` has it, else the first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// Where TensorBoard event files go with `[train] tensorboard = true`:
    /// `<tensorboard_dir>/<name>/<run>/` (default: each run's folder, `<run>/tensorboard/`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tensorboard_dir: Option<PathBuf>,
    /// The settings to train every run under (`[[setting]]` tables), each into a folder
    /// of its own; none: the experiment's runs themselves.
    #[serde(rename = "setting", skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<Setting>,
}

impl Default for ExperimentFile {
    fn default() -> Self {
        Self {
            name: "train".to_string(),
            acts: Vec::new(),
            seeds: vec![7],
            conv: Vec::new(),
            hidden: NetworkConfig::BOOK_HIDDEN.to_vec(),
            scope: Scope::Shared,
            layer: LayerKind::Linear,
            init: InitScheme::Pytorch,
            norm: NormKind::None,
            out: PathBuf::from("results"),
            train: TrainConfig::default(),
            definitions: Vec::new(),
            fourier: None,
            baseline: None,
            tensorboard_dir: None,
            settings: Vec::new(),
        }
    }
}

/// The first repeated value of `values`, as (its first index, the repeat's index).
pub fn first_repeat<T: PartialEq>(values: &[T]) -> Option<(usize, usize)> {
    values
        .iter()
        .enumerate()
        .find_map(|(j, v)| values[..j].iter().position(|w| w == v).map(|i| (i, j)))
}

/// TOML `text` (from `path`) as a `T`, or the parser's complaint at its line and column,
/// with the table a misplaced key belongs in (`tables`: each table and its keys).
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &Path,
    tables: &[(&str, Vec<String>)],
) -> Result<T, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_column(text, s.start));
        let mut message = e.message().replace('\n', " ").trim().to_string();
        if let Some(hint) = misplaced_hint(&message, tables) {
            message = format!("{message}; {hint}");
        }
        ConfigError::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    })
}

/// Why `name` cannot name a folder, if it cannot: `example` shows a valid one.
pub(crate) fn folder_name_problem(name: &str, example: &str) -> Option<String> {
    let ok = !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\']);
    (!ok).then(|| format!("is {name:?}; it must be a plain folder name such as \"{example}\""))
}

/// The tables of an experiment file and the keys each takes, for pointing a key written
/// in the wrong table to its own.
fn tables() -> [(&'static str, Vec<String>); 4] {
    [
        ("[train]", fields_of::<TrainConfig>()),
        ("[[setting]]", fields_of::<Setting>()),
        ("[fourier]", fields_of::<FourierOptions>()),
        (
            "the top level (before any [table])",
            fields_of::<ExperimentFile>(),
        ),
    ]
}

impl ExperimentFile {
    /// The network of its runs with `activation`.
    pub fn network(&self, activation: ActivationConfig) -> NetworkConfig {
        NetworkConfig::book(activation)
            .with_conv(self.conv.clone())
            .with_hidden(self.hidden.clone())
            .with_layer(self.layer)
            .with_init(self.init)
            .with_norm(self.norm)
    }

    /// Parses TOML text; `path` labels errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let file: Self = parse_toml(text, path, &tables())?;
        // Written, `[train] seed` would be ignored whatever its value (the default one
        // included): each run's seed comes from `seeds`.
        if let Some((line, column)) = locate(text, "train.seed") {
            return Err(ConfigError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                message: "`seed` is set per run from the top-level `seeds` list; write seeds = [N] before any [table] instead".into(),
            });
        }
        Ok(file)
    }

    /// The config as TOML that `--config` reads back to the same experiment.
    pub fn to_toml(&self) -> String {
        // Without `[train] seed`: the runs' seeds are `seeds`, and a file that named one
        // there would be refused (its value would be ignored).
        let mut value = toml::Value::try_from(self)
            .expect("an experiment file is TOML-shaped: tables after values");
        if let Some(train) = value.get_mut("train").and_then(toml::Value::as_table_mut) {
            train.remove("seed");
        }
        toml::to_string(&value).expect("an experiment file is TOML-shaped: tables after values")
    }

    /// Reads a TOML file's text.
    pub fn read_text(path: &Path) -> Result<String, ConfigError> {
        crate::fsio::read_limited_text(path, crate::fsio::limits::CONFIG, "config").map_err(
            |error| ConfigError::Read {
                path: path.to_path_buf(),
                error,
            },
        )
    }

    /// Reads and parses a TOML file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        Self::parse(&Self::read_text(path)?, path)
    }

    /// Checks the `[[activation]]` definitions: each compiles, and no name repeats.
    pub fn check_definitions(&self, origin: &str) -> Result<Vec<Definition>, ConfigError> {
        let invalid = |field: String, problem: String| ConfigError::Invalid {
            origin: origin.to_string(),
            field,
            problem,
        };
        let mut checked = Vec::with_capacity(self.definitions.len());
        for (i, def) in self.definitions.iter().enumerate() {
            checked.push(def.compile().map_err(|e| {
                invalid(
                    format!("activation[{i}].{}", e.field),
                    format!("of '{}' {}", e.name, e.message),
                )
            })?);
            if let Some(j) = self.definitions[..i]
                .iter()
                .position(|d| d.name.eq_ignore_ascii_case(&def.name))
            {
                return Err(invalid(
                    format!("activation[{i}].name"),
                    format!("repeats '{}' of activation[{j}]", def.name),
                ));
            }
        }
        Ok(checked)
    }

    /// Validates every field once; `origin` names the source in errors. The experiment
    /// folder is `out/name`.
    pub fn check(self, origin: &str) -> Result<Experiment, ConfigError> {
        let invalid = |field: &str, problem: String| ConfigError::Invalid {
            origin: origin.to_string(),
            field: field.to_string(),
            problem,
        };
        if let Some(problem) = folder_name_problem(&self.name, "book-ch4") {
            return Err(invalid("name", problem));
        }
        if self.acts.is_empty() {
            return Err(invalid(
                "acts",
                format!(
                    "is empty; name at least one of {}",
                    ActivationKind::names().join(", ")
                ),
            ));
        }
        let definitions = self.check_definitions(origin)?;
        if let Some(fourier) = &self.fourier
            && let Some((field, problem)) = fourier.problem()
        {
            return Err(invalid(&format!("fourier.{field}"), problem));
        }
        let mut acts: Vec<ActivationSpec> = Vec::new();
        for (i, name) in self.acts.iter().enumerate() {
            let spec = match ActivationSpec::resolve(name, &definitions)
                .map_err(|e| invalid(&format!("acts[{i}]"), format!("has an {e}")))?
            {
                ActivationSpec::Fourier(_) => {
                    ActivationSpec::Fourier(self.fourier.unwrap_or_default())
                }
                other => other,
            };
            if acts.iter().any(|a| a.name() == spec.name()) {
                return Err(invalid(&format!("acts[{i}]"), format!("repeats {spec}")));
            }
            acts.push(spec);
        }
        if self.fourier.is_some() && !acts.iter().any(|a| matches!(a, ActivationSpec::Fourier(_))) {
            return Err(invalid(
                "fourier",
                "is set but no run uses Fourier; add \"Fourier\" to acts or drop the table".into(),
            ));
        }
        if self.train.seed != TrainConfig::default().seed {
            return Err(invalid(
                "train.seed",
                "is set per run from the top-level `seeds` list; write seeds = [N] instead".into(),
            ));
        }
        if self.seeds.is_empty() {
            return Err(invalid(
                "seeds",
                "is empty; give at least one seed, e.g. [7]".into(),
            ));
        }
        if let Some((i, j)) = first_repeat(&self.seeds) {
            return Err(invalid(
                &format!("seeds[{j}]"),
                format!(
                    "repeats seed {} of seeds[{i}]; each seed is one run, and a repeated one would be counted twice in every statistic",
                    self.seeds[j]
                ),
            ));
        }
        if self.layer == LayerKind::Glu && !self.init.is_pytorch() {
            return Err(invalid(
                "init",
                format!(
                    "is \"{}\" with layer = \"glu\"; a gated network draws its own weights (LeCun-normal gates, value maps scaled to keep unit variance): drop init, or use layer = \"linear\"",
                    self.init
                ),
            ));
        }
        if self.hidden.is_empty() {
            return Err(invalid(
                "hidden",
                "is empty; give the hidden layers' widths, e.g. [256, 192, 128, 64] (without a hidden layer a network has no activation)".into(),
            ));
        }
        if self.hidden.len() > NetworkConfig::MAX_LAYERS {
            return Err(invalid(
                "hidden",
                format!(
                    "has {} layers; at most {} are allowed",
                    self.hidden.len(),
                    NetworkConfig::MAX_LAYERS
                ),
            ));
        }
        if let Some(i) = self
            .hidden
            .iter()
            .position(|&w| w > NetworkConfig::MAX_WIDTH)
        {
            return Err(invalid(
                &format!("hidden[{i}]"),
                format!(
                    "is {}; a layer may have at most {} units",
                    self.hidden[i],
                    NetworkConfig::MAX_WIDTH
                ),
            ));
        }
        if let Some(i) = self.hidden.iter().position(|&w| w == 0) {
            return Err(invalid(
                &format!("hidden[{i}]"),
                "is 0; every hidden layer needs at least one unit".into(),
            ));
        }
        // The front's checks do not depend on the activation.
        let shape = self.network(ActivationConfig::new(ActivationKind::ReLU));
        if let Err(NetError::Conv { problem }) = shape.conv_shapes() {
            return Err(invalid("conv", problem));
        }
        if let Some((field, problem)) = self.train.problem_with_norm(self.norm) {
            return Err(invalid(&format!("train.{field}"), problem));
        }
        let baseline = match &self.baseline {
            None => None,
            Some(given) => Some(
                acts.iter()
                    .map(|a| a.name())
                    .find(|name| name.eq_ignore_ascii_case(given))
                    .ok_or_else(|| {
                        let names: Vec<&str> = acts.iter().map(|a| a.name()).collect();
                        invalid(
                            "baseline",
                            format!(
                                "is '{given}', which this experiment does not train; name one of {}",
                                names.join(", ")
                            ),
                        )
                    })?
                    .to_string(),
            ),
        };
        // What experiment.json keeps: the names in the registry's spelling.
        let file = ExperimentFile {
            acts: acts.iter().map(|a| a.name().to_string()).collect(),
            baseline,
            ..self
        };
        let settings = file.check_settings(origin)?;
        Ok(Experiment {
            dir: file.out.join(&file.name),
            acts,
            file,
            settings,
        })
    }

    /// [`ExperimentFile::check`], an invalid field named by `rename` as the file it was
    /// made from names it (a search stage's, a setting's).
    pub fn check_renamed(
        self,
        origin: &str,
        rename: impl Fn(&str) -> String,
    ) -> Result<Experiment, ConfigError> {
        self.check(origin).map_err(|e| match e {
            ConfigError::Invalid {
                origin,
                field,
                problem,
            } => ConfigError::Invalid {
                origin,
                field: rename(&field),
                problem,
            },
            other => other,
        })
    }

    /// Reads the `experiment.json` of actlab before 0.2, which held the checked
    /// experiment itself (its folder, and user definitions in place of their names).
    pub(crate) fn from_checked_json(text: &str) -> serde_json::Result<Self> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Act {
            Builtin(ActivationKind),
            Custom(CustomActivation),
        }
        #[derive(Deserialize)]
        struct Checked {
            name: String,
            dir: PathBuf,
            acts: Vec<Act>,
            seeds: Vec<u64>,
            #[serde(default)]
            conv: Vec<usize>,
            hidden: Vec<usize>,
            scope: Scope,
            #[serde(default)]
            layer: LayerKind,
            #[serde(default)]
            fourier: Option<FourierOptions>,
            train: TrainConfig,
        }
        let checked: Checked = serde_json::from_str(text)?;
        let mut definitions = Vec::new();
        let acts = checked
            .acts
            .into_iter()
            .map(|act| match act {
                Act::Builtin(kind) => kind.name().to_string(),
                Act::Custom(def) => {
                    let name = def.name.clone();
                    definitions.push(def);
                    name
                }
            })
            .collect();
        Ok(ExperimentFile {
            out: checked
                .dir
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
            name: checked.name,
            acts,
            seeds: checked.seeds,
            conv: checked.conv,
            hidden: checked.hidden,
            scope: checked.scope,
            layer: checked.layer,
            init: InitScheme::Pytorch,
            norm: NormKind::None,
            train: checked.train,
            definitions,
            fourier: checked.fourier,
            baseline: None,
            tensorboard_dir: None,
            settings: Vec::new(),
        })
    }
}

mod plan;
mod setting;

pub use plan::{Experiment, RunSpec};
pub use setting::Setting;

#[cfg(test)]
mod tests;
