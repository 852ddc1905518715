//! Experiments: the TOML file as written (`ExperimentFile`), checked once into an
//! [`Experiment`] that everything downstream trusts, expanded into [`RunSpec`]s.

use std::path::{Path, PathBuf};

use crate::activation::{ActivationConfig, ActivationSpec, FourierOptions, Scope};
use crate::custom::CustomActivation;
use crate::kind::ActivationKind;
use crate::network::{LayerKind, NetworkConfig};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::train::TrainConfig;

/// A config that cannot be used; every message names the file (or the command line)
/// and the field.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
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

/// An experiment as written in TOML; every field has the book's default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExperimentFile {
    /// Folder name under `out`.
    pub name: String,
    /// Activation names (case-insensitive).
    pub acts: Vec<String>,
    /// One run per activation and seed.
    pub seeds: Vec<u64>,
    /// Hidden layer widths.
    pub hidden: Vec<usize>,
    /// Scope of trainable activations' parameters.
    pub scope: Scope,
    /// Hidden-layer type: "linear" (the book) or "glu" (gated).
    pub layer: LayerKind,
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
}

impl Default for ExperimentFile {
    fn default() -> Self {
        Self {
            name: "train".to_string(),
            acts: Vec::new(),
            seeds: vec![7],
            hidden: NetworkConfig::BOOK_HIDDEN.to_vec(),
            scope: Scope::Shared,
            layer: LayerKind::Linear,
            out: PathBuf::from("results"),
            train: TrainConfig::default(),
            definitions: Vec::new(),
            fourier: None,
        }
    }
}

/// 1-based line and column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

impl ExperimentFile {
    /// Parses TOML text; `path` labels errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |s| line_column(text, s.start));
            ConfigError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                message: e.message().replace('\n', " ").trim().to_string(),
            }
        })
    }

    /// Reads and parses a TOML file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Checks the `[[activation]]` definitions: each compiles, and no name repeats.
    pub fn check_definitions(&self, origin: &str) -> Result<(), ConfigError> {
        let invalid = |field: String, problem: String| ConfigError::Invalid {
            origin: origin.to_string(),
            field,
            problem,
        };
        for (i, def) in self.definitions.iter().enumerate() {
            def.compile().map_err(|e| {
                invalid(
                    format!("activation[{i}].{}", e.field),
                    format!("of '{}' {}", e.name, e.message),
                )
            })?;
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
        Ok(())
    }

    /// Validates every field once; `origin` names the source in errors.
    pub fn check(self, origin: &str) -> Result<Experiment, ConfigError> {
        let invalid = |field: &str, problem: String| ConfigError::Invalid {
            origin: origin.to_string(),
            field: field.to_string(),
            problem,
        };
        let name_ok = !self.name.is_empty()
            && self.name != "."
            && self.name != ".."
            && !self.name.contains(['/', '\\']);
        if !name_ok {
            return Err(invalid(
                "name",
                format!(
                    "is {:?}; it must be a plain folder name such as \"book-ch4\"",
                    self.name
                ),
            ));
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
        self.check_definitions(origin)?;
        let mut acts: Vec<ActivationSpec> = Vec::new();
        for (i, name) in self.acts.iter().enumerate() {
            let spec = ActivationSpec::resolve(name, &self.definitions)
                .map_err(|e| invalid(&format!("acts[{i}]"), format!("has an {e}")))?;
            if acts.iter().any(|a| a.name() == spec.name()) {
                return Err(invalid(&format!("acts[{i}]"), format!("repeats {spec}")));
            }
            acts.push(spec);
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
        if let Some(i) = self.hidden.iter().position(|&w| w == 0) {
            return Err(invalid(
                &format!("hidden[{i}]"),
                "is 0; every hidden layer needs at least one unit".into(),
            ));
        }
        let t = &self.train;
        let positive = [
            ("train.epochs", t.epochs),
            ("train.batch_size", t.batch_size),
            ("train.eval_batch_size", t.eval_batch_size),
        ];
        if let Some((field, _)) = positive.iter().find(|(_, v)| *v == 0) {
            return Err(invalid(field, "is 0; it must be at least 1".into()));
        }
        if !(t.lr.is_finite() && t.lr > 0.0) {
            return Err(invalid(
                "train.lr",
                format!(
                    "is {}; it must be a positive finite number, e.g. 1e-3",
                    t.lr
                ),
            ));
        }
        if !(0.0..1.0).contains(&t.momentum) {
            return Err(invalid(
                "train.momentum",
                format!("is {}; it must be in [0, 1)", t.momentum),
            ));
        }
        if !(t.weight_decay.is_finite() && t.weight_decay >= 0.0) {
            return Err(invalid(
                "train.weight_decay",
                format!("is {}; it must be a finite number >= 0", t.weight_decay),
            ));
        }
        if let Some(e) = t.save_epochs.iter().find(|&&e| e == 0 || e > t.epochs) {
            return Err(invalid(
                "train.save_epochs",
                format!("contains {e}; epochs are numbered 1..={}", t.epochs),
            ));
        }
        if let Some(fourier) = &self.fourier {
            if !acts.contains(&ActivationSpec::Builtin(ActivationKind::Fourier)) {
                return Err(invalid(
                    "fourier",
                    "is set but no run uses Fourier; add \"Fourier\" to acts or drop the table"
                        .into(),
                ));
            }
            if let Some((field, problem)) = fourier.problem() {
                return Err(invalid(&format!("fourier.{field}"), problem));
            }
        }
        Ok(Experiment {
            dir: self.out.join(&self.name),
            name: self.name,
            acts,
            seeds: self.seeds,
            hidden: self.hidden,
            scope: self.scope,
            layer: self.layer,
            fourier: self.fourier,
            train: self.train,
        })
    }
}

/// A checked experiment: every value is known to be usable. Saved as
/// `experiment.json` in its folder, from which `--resume` rebuilds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Experiment {
    /// Experiment name.
    pub name: String,
    /// The experiment folder (`out/name`).
    pub dir: PathBuf,
    /// Activations, in run order.
    pub acts: Vec<ActivationSpec>,
    /// Seeds, in run order.
    pub seeds: Vec<u64>,
    /// Hidden widths.
    pub hidden: Vec<usize>,
    /// Scope of trainable activations.
    pub scope: Scope,
    /// Hidden-layer type.
    #[serde(default, skip_serializing_if = "LayerKind::is_linear")]
    pub layer: LayerKind,
    /// Settings of the Fourier activation, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fourier: Option<FourierOptions>,
    /// Hyper-parameters (the seed is set per run).
    pub train: TrainConfig,
}

/// One training run of an experiment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunSpec {
    /// Experiment name.
    pub experiment: String,
    /// Run name, `<Activation>-s<seed>`.
    pub name: String,
    /// The run folder.
    pub dir: PathBuf,
    /// The network.
    pub network: NetworkConfig,
    /// Hyper-parameters, with this run's seed.
    pub train: TrainConfig,
}

impl Experiment {
    /// Every (activation, seed) run, activation-major.
    pub fn runs(&self) -> Vec<RunSpec> {
        let mut runs = Vec::new();
        for kind in &self.acts {
            for &seed in &self.seeds {
                let name = format!("{kind}-s{seed}");
                let mut activation = ActivationConfig::new(kind.clone()).with_scope(self.scope);
                if let (ActivationSpec::Builtin(ActivationKind::Fourier), Some(options)) =
                    (kind, self.fourier)
                {
                    activation = activation.with_fourier(options);
                }
                runs.push(RunSpec {
                    experiment: self.name.clone(),
                    dir: self.dir.join(&name),
                    name,
                    network: NetworkConfig::book(activation)
                        .with_hidden(self.hidden.clone())
                        .with_layer(self.layer),
                    train: TrainConfig {
                        seed,
                        ..self.train.clone()
                    },
                });
            }
        }
        runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ExperimentFile, ConfigError> {
        ExperimentFile::parse(text, Path::new("x.toml"))
    }

    #[test]
    fn full_file_parses_and_expands() {
        let file = parse(
            "name = \"demo\"\nacts = [\"relu\", \"STAF\"]\nseeds = [1, 2]\n[train]\nepochs = 2\nlr = 0.01\n",
        )
        .unwrap();
        let exp = file.check("x.toml").unwrap();
        assert_eq!(
            exp.acts,
            [ActivationKind::ReLU.into(), ActivationKind::STAF.into()]
        );
        let runs = exp.runs();
        let names: Vec<_> = runs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["ReLU-s1", "ReLU-s2", "STAF-s1", "STAF-s2"]);
        assert_eq!(runs[1].train.seed, 2);
        assert_eq!(runs[0].train.momentum, 0.8);
        assert_eq!(runs[0].dir, Path::new("results/demo/ReLU-s1"));
    }

    #[test]
    fn parse_errors_have_line_and_column_on_one_line() {
        let err = parse("name = \"a\"\n[train]\nlrr = 1\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("x.toml:3:1: unknown field `lrr`"), "{err}");
        assert!(!err.contains('\n'));
        let err = parse("acts = [\"ReLU\"\n").unwrap_err().to_string();
        assert!(err.starts_with("x.toml:"), "{err}");
        let err = parse("[train]\nepochs = \"ten\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("x.toml:2:10"), "{err}");
    }

    #[test]
    fn user_defined_activations_resolve_by_name_and_are_checked() {
        let def = "[[activation]]\nname = \"SwiGELU2\"\nexpr = \"0.5 * (x * sigmoid(beta * x) + gelu(x))\"\nparams = { beta = 1.0 }\n";
        let exp = parse(&format!("acts = [\"relu\", \"swigelu2\"]\n{def}"))
            .unwrap()
            .check("x.toml")
            .unwrap();
        assert_eq!(exp.acts[1].name(), "SwiGELU2");
        assert!(exp.acts[1].is_trainable());
        assert_eq!(exp.runs()[1].name, "SwiGELU2-s7");

        let check = |text: &str| {
            parse(text)
                .unwrap()
                .check("x.toml")
                .unwrap_err()
                .to_string()
        };
        let err =
            check("acts = [\"SwiGELU3\"]\n[[activation]]\nname = \"SwiGELU2\"\nexpr = \"x\"\n");
        assert!(
            err.contains("unknown activation 'SwiGELU3'; did you mean"),
            "{err}"
        );
        assert!(err.contains("SwiGELU2?"), "{err}");
        assert!(err.contains("Tanh"), "{err}");
        let err = check("acts = [\"M\"]\n[[activation]]\nname = \"M\"\nexpr = \"x +\"\n");
        assert!(
            err.starts_with("x.toml: `activation[0].expr` of 'M' \"x +\": column 4: expected"),
            "{err}"
        );
        let err = check(
            "acts = [\"M\"]\n[[activation]]\nname = \"M\"\nexpr = \"x\"\n[[activation]]\nname = \"m\"\nexpr = \"x\"\n",
        );
        assert!(err.contains("repeats 'm' of activation[0]"), "{err}");
        let err = parse("[[activation]]\nname = \"M\"\nexpression = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `expression`"), "{err}");
    }

    #[test]
    fn fourier_settings_apply_to_fourier_runs_only() {
        let exp = parse("acts = [\"Fourier\", \"STAF\"]\n[fourier]\ntau = 8\ninit = \"paper\"\n")
            .unwrap()
            .check("x.toml")
            .unwrap();
        let runs = exp.runs();
        let options = runs[0]
            .network
            .activation
            .as_ref()
            .unwrap()
            .fourier
            .unwrap();
        assert_eq!((options.tau, options.init), (8, crate::FourierInit::Paper));
        assert_eq!(options.omega0, 30.0);
        assert!(
            runs[1]
                .network
                .activation
                .as_ref()
                .unwrap()
                .fourier
                .is_none()
        );

        let check = |text: &str| {
            parse(text)
                .unwrap()
                .check("x.toml")
                .unwrap_err()
                .to_string()
        };
        assert!(check("acts = [\"ReLU\"]\n[fourier]\ntau = 8\n").contains("no run uses Fourier"));
        assert!(check("acts = [\"Fourier\"]\n[fourier]\ntau = 0\n").contains("`fourier.tau` is 0"));
        let err = parse("acts = [\"Fourier\"]\n[fourier]\ninit = \"xavier\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("x.toml:3:8") && err.contains("normal"),
            "{err}"
        );
    }

    #[test]
    fn bad_values_name_the_field() {
        let check = |text: &str| {
            parse(text)
                .unwrap()
                .check("x.toml")
                .unwrap_err()
                .to_string()
        };
        assert!(check("acts = []").contains("`acts` is empty"));
        let err = check("acts = [\"Relu9\"]");
        assert!(
            err.contains("`acts[0]` has an unknown activation 'Relu9'; did you mean ReLU"),
            "{err}"
        );
        assert!(check("acts = [\"ReLU\"]\nhidden = [3, 0]").contains("`hidden[1]` is 0"));
        assert!(check("acts = [\"ReLU\"]\n[train]\nepochs = 0").contains("`train.epochs` is 0"));
        assert!(check("acts = [\"ReLU\"]\n[train]\nlr = -1.0").contains("`train.lr` is -1"));
        assert!(check("acts = [\"ReLU\"]\n[train]\nlr = nan").contains("`train.lr` is NaN"));
        assert!(check("acts = [\"ReLU\"]\n[train]\nsave_epochs = [99]").contains("save_epochs"));
        assert!(check("acts = [\"ReLU\", \"relu\"]").contains("repeats ReLU"));
    }
}
