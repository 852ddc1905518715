//! Settings: one experiment trained several ways (`[[setting]]` tables), to ask whether
//! an answer carries from the book's network to others. Each setting is an ordinary
//! experiment in a folder of its own under the experiment's, with the experiment's
//! values except those the setting writes.

use super::*;

/// One `[[setting]]` table: a name, and what it changes of the experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    /// Its folder under the experiment's, and its column in the transfer table.
    pub name: String,
    /// Convolution channels, when not the experiment's (`conv = []` for none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conv: Option<Vec<usize>>,
    /// Hidden layer widths, when not the experiment's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<Vec<usize>>,
    /// Initialisation, when not the experiment's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init: Option<InitScheme>,
    /// Normalisation, when not the experiment's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub norm: Option<NormKind>,
    /// Hidden-layer type, when not the experiment's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerKind>,
    /// Scope of trainable activations' parameters, when not the experiment's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// `[train]` values this setting changes, e.g. `train = { optimizer = "adam" }`;
    /// the others are the experiment's.
    #[serde(default, skip_serializing_if = "toml::Table::is_empty")]
    pub train: toml::Table,
}

/// Most settings an experiment may have (more is a generated file gone wrong).
const MAX_SETTINGS: usize = 256;

impl ExperimentFile {
    /// The experiment of setting `i`: this one's values with the setting's over them,
    /// in the folder `<out>/<name>/<setting>`. Its errors name `setting[i]`.
    pub(super) fn setting_file(&self, i: usize, origin: &str) -> Result<Self, ConfigError> {
        let setting = &self.settings[i];
        let invalid = |field: &str, problem: String| ConfigError::Invalid {
            origin: origin.to_string(),
            field: format!("setting[{i}].{field}"),
            problem,
        };
        let mut train = toml::Table::try_from(&self.train)
            .expect("training settings are a TOML table of values");
        for (key, value) in &setting.train {
            train.insert(key.clone(), value.clone());
        }
        let train: TrainConfig = toml::Value::Table(train).try_into().map_err(|e| {
            let message = e.to_string().replace('\n', " ").trim().to_string();
            invalid("train", format!("cannot be used: {message}"))
        })?;
        Ok(ExperimentFile {
            name: setting.name.clone(),
            out: self.out.join(&self.name),
            conv: setting.conv.clone().unwrap_or_else(|| self.conv.clone()),
            hidden: setting
                .hidden
                .clone()
                .unwrap_or_else(|| self.hidden.clone()),
            init: setting.init.unwrap_or(self.init),
            norm: setting.norm.unwrap_or(self.norm),
            layer: setting.layer.unwrap_or(self.layer),
            scope: setting.scope.unwrap_or(self.scope),
            train,
            tensorboard_dir: self.tensorboard_dir.as_ref().map(|d| d.join(&self.name)),
            settings: Vec::new(),
            ..self.clone()
        })
    }

    /// Checks the settings' names and builds each setting's experiment.
    pub(super) fn check_settings(&self, origin: &str) -> Result<Vec<Experiment>, ConfigError> {
        let invalid = |field: String, problem: String| ConfigError::Invalid {
            origin: origin.to_string(),
            field,
            problem,
        };
        if self.settings.len() > MAX_SETTINGS {
            return Err(invalid(
                "setting".into(),
                format!(
                    "has {} tables; at most {MAX_SETTINGS} are allowed",
                    self.settings.len()
                ),
            ));
        }
        let mut checked = Vec::with_capacity(self.settings.len());
        for (i, setting) in self.settings.iter().enumerate() {
            if let Some(problem) = folder_name_problem(&setting.name, "adam") {
                return Err(invalid(format!("setting[{i}].name"), problem));
            }
            if let Some(j) = self.settings[..i]
                .iter()
                .position(|s| s.name.eq_ignore_ascii_case(&setting.name))
            {
                return Err(invalid(
                    format!("setting[{i}].name"),
                    format!(
                        "repeats \"{}\" of setting[{j}]; each setting needs a folder of its own",
                        setting.name
                    ),
                ));
            }
            // Every value the setting does not write passed the experiment's own check,
            // so an error here is about one it writes: named as the setting's.
            let experiment = self
                .setting_file(i, origin)?
                .check_renamed(origin, |field| format!("setting[{i}].{field}"))?;
            checked.push(experiment);
        }
        Ok(checked)
    }
}
