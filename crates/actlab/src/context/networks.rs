//! The activations and networks that flags describe: `--acts`, `--defs`, `--hidden`,
//! `--scope`, `--layer`, `--no-act`.

use std::path::Path;

use anyhow::{Context, anyhow};
use spec::{
    ActivationConfig, ActivationKind, ActivationSpec, CustomActivation, Definition, ExperimentFile,
    NetError, NetworkConfig,
};

use crate::cli::shared::{DefinitionArgs, NetworkArgs, ShapeArgs};
use crate::failure::{Failure, input};

/// The user-defined activations of `--defs FILE` (none without it), each checked.
pub fn definitions(args: &DefinitionArgs) -> Result<Vec<Definition>, Failure> {
    let Some(path) = &args.file else {
        return Ok(Vec::new());
    };
    read_definitions(path).map(|(_, checked)| checked)
}

/// The `[[activation]]` tables of the TOML file `path`, as written, once each has been
/// checked (an error names the file, line and field).
pub fn definition_file(path: &Path) -> Result<Vec<CustomActivation>, Failure> {
    read_definitions(path).map(|(written, _)| written)
}

fn read_definitions(path: &Path) -> Result<(Vec<CustomActivation>, Vec<Definition>), Failure> {
    let text = ExperimentFile::read_text(path).map_err(input)?;
    let file = ExperimentFile::parse(&text, path).map_err(input)?;
    let checked = file
        .check_definitions(&path.display().to_string())
        .map_err(|e| input(e.located_in(&text)))?;
    Ok((file.definitions, checked))
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

/// The book's network with `activation`, shaped by `--conv`, `--hidden`, `--scope`,
/// `--layer`, `--init-scheme` and `--norm`.
pub fn shaped(activation: ActivationConfig, shape: &ShapeArgs) -> NetworkConfig {
    NetworkConfig::book(activation.with_scope(shape.scope))
        .with_conv(shape.conv.clone())
        .with_hidden(shape.hidden.clone())
        .with_layer(shape.layer)
        .with_init(shape.init)
        .with_norm(shape.norm)
}

/// The one activation `--acts NAME` names, for a command that builds one network (a
/// list is refused by name: `--acts ReLU,TeLU` is two networks).
pub fn one_activation(name: &str, defs: &[Definition]) -> Result<ActivationSpec, Failure> {
    if name.contains(',') {
        return Err(input(anyhow!(
            "--acts {name}: this command builds one network; give one activation (or run it once per activation)"
        )));
    }
    ActivationSpec::resolve(name, defs)
        .context("--acts")
        .map_err(input)
}

/// The network described by `--acts`, `--hidden`, `--scope`, `--layer`, `--no-act`,
/// `--defs`.
pub fn network_config(args: &NetworkArgs) -> Result<NetworkConfig, Failure> {
    let defs = definitions(&args.defs)?;
    let kind = one_activation(&args.acts, &defs)?;
    let config = shaped(ActivationConfig::new(kind), &args.shape);
    let config = if args.no_act {
        config.without_activation()
    } else {
        config
    };
    if let Err(e) = config.check() {
        let flag = match e {
            NetError::Conv { .. } => "--conv",
            _ => "--hidden",
        };
        return Err(input(anyhow!(e).context(flag)));
    }
    Ok(config)
}
