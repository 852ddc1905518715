//! A checked experiment, and the runs it plans: what every worker computes alike.

use super::*;

/// A checked experiment: every value is known to be usable, and the only way to one is
/// [`ExperimentFile::check`]. Saved as `experiment.json` (the resolved config), from
/// which `--resume`, `plot` and `report` check it again.
#[derive(Clone, Debug, PartialEq)]
pub struct Experiment {
    pub(super) file: ExperimentFile,
    pub(super) dir: PathBuf,
    pub(super) acts: Vec<ActivationSpec>,
    /// Each `[[setting]]`'s experiment, in the order written.
    pub(super) settings: Vec<Experiment>,
}

impl Experiment {
    /// Experiment name.
    pub fn name(&self) -> &str {
        &self.file.name
    }

    /// The experiment folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Activations, in run order, each with its options.
    pub fn acts(&self) -> &[ActivationSpec] {
        &self.acts
    }

    /// Seeds, in run order.
    pub fn seeds(&self) -> &[u64] {
        &self.file.seeds
    }

    /// The activation the summary compares every other with, when the config names one.
    pub fn baseline(&self) -> Option<&str> {
        self.file.baseline.as_deref()
    }

    /// Hyper-parameters shared by every run (the seed is set per run).
    pub fn train(&self) -> &TrainConfig {
        &self.file.train
    }

    /// The resolved config: what `experiment.json` holds.
    pub fn file(&self) -> &ExperimentFile {
        &self.file
    }

    /// The same experiment in the folder `dir` (a saved one that was moved), its
    /// settings' folders in it.
    pub fn at(self, dir: PathBuf) -> Self {
        let settings = self
            .settings
            .into_iter()
            .map(|s| {
                let child = dir.join(s.name());
                s.at(child)
            })
            .collect();
        Self {
            dir,
            settings,
            ..self
        }
    }

    /// The experiment of each `[[setting]]`, in the order written; empty when the
    /// experiment trains its runs itself.
    pub fn settings(&self) -> &[Experiment] {
        &self.settings
    }

    /// Every (activation, seed) run, activation-major: the fixed order in which runs
    /// are planned; with settings, every setting's runs, setting after setting.
    pub fn runs(&self) -> Vec<RunSpec> {
        if !self.settings.is_empty() {
            return self.settings.iter().flat_map(Experiment::runs).collect();
        }
        let layout = ExperimentLayout::new(&self.dir);
        let mut runs = Vec::new();
        for spec in &self.acts {
            for &seed in self.seeds() {
                let name = ExperimentLayout::run_name(spec.name(), seed);
                let activation = ActivationConfig::new(spec.clone()).with_scope(self.file.scope);
                let dir = layout.run(&name).dir().to_path_buf();
                let tensorboard =
                    self.file
                        .train
                        .tensorboard
                        .then(|| match &self.file.tensorboard_dir {
                            Some(root) => root.join(&self.file.name).join(&name),
                            None => RunLayout::new(&dir).tensorboard(),
                        });
                runs.push(RunSpec {
                    experiment: self.file.name.clone(),
                    dir,
                    tensorboard,
                    name,
                    network: self.file.network(activation),
                    train: TrainConfig {
                        seed,
                        ..self.file.train.clone()
                    },
                });
            }
        }
        runs
    }
}

/// One training run, checked: from [`Experiment::runs`], or [`RunSpec::new`] for a run
/// rebuilt from its record.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    pub(super) experiment: String,
    pub(super) name: String,
    pub(super) dir: PathBuf,
    pub(super) network: NetworkConfig,
    pub(super) train: TrainConfig,
    pub(super) tensorboard: Option<PathBuf>,
}

impl RunSpec {
    /// A run of `network` with `train` into `dir`, checked; `origin` names where the
    /// settings came from in errors (a run record, say).
    pub fn new(
        experiment: &str,
        name: &str,
        dir: PathBuf,
        network: NetworkConfig,
        train: TrainConfig,
        origin: &str,
    ) -> Result<Self, ConfigError> {
        let invalid = |field: String, problem: String| ConfigError::Invalid {
            origin: origin.to_string(),
            field,
            problem,
        };
        network
            .check()
            .map_err(|e| invalid("network".into(), format!("cannot be built: {e}")))?;
        if let Some((field, problem)) = train.problem_with_norm(network.norm) {
            return Err(invalid(format!("train.{field}"), problem));
        }
        Ok(Self {
            experiment: experiment.to_string(),
            name: name.to_string(),
            tensorboard: train
                .tensorboard
                .then(|| RunLayout::new(&dir).tensorboard()),
            dir,
            network,
            train,
        })
    }

    /// The folder of the run's TensorBoard event files, when it writes them.
    pub fn tensorboard_dir(&self) -> Option<&Path> {
        self.tensorboard.as_deref()
    }

    /// Experiment name.
    pub fn experiment(&self) -> &str {
        &self.experiment
    }

    /// Run name, `<Activation>-s<seed>`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The run folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The network.
    pub fn network(&self) -> &NetworkConfig {
        &self.network
    }

    /// Hyper-parameters, with this run's seed.
    pub fn train(&self) -> &TrainConfig {
        &self.train
    }
}
