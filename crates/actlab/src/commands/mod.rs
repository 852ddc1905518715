//! One module per subcommand, and what they share: device, threads, data, networks.

pub mod bench;
pub mod dead_neurons;
pub mod gradients;
pub mod outputs;
pub mod plot;
pub mod registry;
pub mod report;
pub mod rerun;
pub mod summary;
pub mod surface;
pub mod train;

use std::path::Path;

use ::train::{Experiment, ExperimentFile, RunContext};
use acts::{ActivationConfig, ActivationKind, ActivationSpec, CustomActivation, Scope};
use anyhow::{Context, anyhow};
use burn::tensor::Device;
use data::FashionMnist;
use nets::{LayerKind, NetworkConfig};
use serde::Serialize;

use crate::cli::{DefinitionArgs, EnvArgs, NetworkArgs};
use crate::failure::{Failure, failed, input};

/// The device a command runs on, and how it is described in records.
pub struct Runtime {
    /// The device.
    pub device: Device,
    /// e.g. `flex (cpu)`.
    pub device_name: String,
    /// Worker threads.
    pub threads: usize,
}

impl Runtime {
    /// What a run record says about where it ran; no stop requested yet.
    pub fn run_context(&self) -> RunContext {
        RunContext {
            device_name: self.device_name.clone(),
            threads: self.threads,
            revision: env!("ACTLAB_GIT_COMMIT").to_string(),
            ..RunContext::default()
        }
    }
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .context("serialising the output")
        .map_err(failed)?;
    println!("{text}");
    Ok(())
}

/// Sizes the thread pool and picks the device.
pub fn runtime(env: &EnvArgs) -> Result<Runtime, Failure> {
    let threads = env.threads;
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .map_err(|e| Failure::Run(anyhow!("cannot start {threads} worker threads: {e}")))?;
    let kind = match env.device.name() {
        "wgpu" => "gpu",
        _ => "cpu",
    };
    Ok(Runtime {
        device: env.device.device(),
        device_name: format!("{} ({kind})", env.device),
        threads,
    })
}

/// Finds and reads FashionMNIST.
pub fn load_data(env: &EnvArgs) -> Result<FashionMnist, Failure> {
    let from_env = std::env::var_os(data::DATA_ENV).map(std::path::PathBuf::from);
    let dir = data::locate(env.data_dir.as_deref(), from_env.as_deref()).map_err(input)?;
    FashionMnist::load(&dir, !env.no_verify).map_err(input)
}

/// The user-defined activations of `--defs FILE` (none without it), each checked.
pub fn definitions(args: &DefinitionArgs) -> Result<Vec<CustomActivation>, Failure> {
    let Some(path) = &args.file else {
        return Ok(Vec::new());
    };
    let file = ExperimentFile::load(path).map_err(input)?;
    file.check_definitions(&path.display().to_string())
        .map_err(input)?;
    Ok(file.definitions)
}

/// The experiment's resolved settings, in its folder.
pub const EXPERIMENT_FILE: &str = "experiment.json";

/// The experiment saved in `dir`, moved to `dir` (the folder may have been moved);
/// `flag` (e.g. "--resume ") starts the error messages.
pub fn saved_experiment(dir: &Path, flag: &str) -> Result<Experiment, Failure> {
    let path = dir.join(EXPERIMENT_FILE);
    if !path.is_file() {
        return Err(input(anyhow!(
            "{flag}{}: not an experiment folder (no {EXPERIMENT_FILE}); give the folder `actlab train` wrote, e.g. results/train",
            dir.display()
        )));
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{flag}cannot read {}", path.display()))
        .map_err(input)?;
    let mut experiment: Experiment = serde_json::from_str(&text)
        .with_context(|| format!("{flag}{} is not an actlab experiment", path.display()))
        .map_err(input)?;
    experiment.dir = dir.to_path_buf();
    Ok(experiment)
}

/// The activations `--acts NAMES` names (built-in or from `--defs`), or `default`.
pub fn chosen_activations(
    names: Option<&[String]>,
    defs: &DefinitionArgs,
    default: &[ActivationKind],
) -> Result<Vec<ActivationSpec>, Failure> {
    let Some(names) = names else {
        return Ok(default.iter().copied().map(ActivationSpec::from).collect());
    };
    let defs = definitions(defs)?;
    names
        .iter()
        .map(|n| ActivationSpec::resolve(n, &defs).context("--acts"))
        .collect::<Result<_, _>>()
        .map_err(input)
}

/// The network described by `--act`, `--hidden`, `--scope`, `--no-act`, `--defs`.
pub fn network_config(args: &NetworkArgs) -> Result<NetworkConfig, Failure> {
    let defs = definitions(&args.defs)?;
    let kind = ActivationSpec::resolve(&args.act, &defs)
        .context("--act")
        .map_err(input)?;
    let scope: Scope = args.scope.parse().context("--scope").map_err(input)?;
    let layer: LayerKind = args.layer.parse().context("--layer").map_err(input)?;
    let config = NetworkConfig::book(ActivationConfig::new(kind).with_scope(scope))
        .with_hidden(args.hidden.clone())
        .with_layer(layer);
    let config = if args.no_act {
        config.without_activation()
    } else {
        config
    };
    config.check().context("--hidden").map_err(input)?;
    Ok(config)
}
