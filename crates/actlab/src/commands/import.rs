//! `actlab import FILE --act NAME`: a PyTorch-trained network of the book as an ordinary
//! run folder (experiment.json, run.json with status `imported`, checkpoints/epoch-0.bpk),
//! so that every probe, plot, report and `eval` works on it as on a trained run.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use burn::module::Module;
use nets::pytorch::{import, parse_state_dict};
use sha2::{Digest, Sha256};
use spec::{
    CheckpointRef, ExperimentFile, ExperimentLayout, ImportSource, RunLayout, RunRecord, RunStatus,
    Scope,
};
use train::save_checkpoint;

use crate::cli::import::ImportArgs;
use crate::context::networks::one_activation;
use crate::context::print::print_json;
use crate::context::write::write_record;
use crate::failure::{Failure, failed, input};

/// The seed an imported run is named by: actlab drew none of its weights.
const IMPORTED_SEED: u64 = 0;

pub fn run(args: ImportArgs, json: bool) -> Result<ExitCode, Failure> {
    // Everything is read and checked before anything is written.
    let spec = one_activation(&args.acts, &[])?;
    let scope = args
        .scope
        .as_deref()
        .map(|s| s.parse::<Scope>().context("--scope"))
        .transpose()
        .map_err(input)?;
    let bytes = spec::fsio::read_limited(&args.file, spec::fsio::limits::STATE_DICT, "state dict")
        .map_err(|e| input(anyhow!("{}: cannot read it: {e}", args.file.display())))?;
    let dict = parse_state_dict(&args.file, &bytes).map_err(input)?;
    let device = burn::tensor::Device::flex();
    let imported = import(&dict, &spec, args.hidden.as_deref(), scope, &device)
        .map_err(|e| input(anyhow!("{}: {e}", args.file.display())))?;
    let name = match &args.name {
        Some(name) => name.clone(),
        None => args
            .file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .ok_or_else(|| input(anyhow!("{}: give --name", args.file.display())))?,
    };
    let activation = imported
        .network
        .activation
        .clone()
        .expect("an imported network has an activation");
    let file = ExperimentFile {
        name: name.clone(),
        acts: vec![spec.name().to_string()],
        seeds: vec![IMPORTED_SEED],
        conv: imported.network.conv.clone(),
        hidden: imported.network.hidden.clone(),
        scope: activation.scope,
        out: args.out.clone(),
        ..ExperimentFile::default()
    };
    let experiment = file.check("import").map_err(input)?;
    let dir = experiment.dir().to_path_buf();
    if dir.exists() && !args.force {
        return Err(input(anyhow!(
            "{} exists; pass --force to replace it, or --name/--out for another folder",
            dir.display()
        )));
    }
    let planned = experiment
        .runs()
        .into_iter()
        .next()
        .expect("one activation, one seed");
    if planned.network() != &imported.network {
        return Err(failed(anyhow!(
            "internal: the imported network differs from the experiment's plan"
        )));
    }
    let sha256: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();

    // Written into a temporary folder beside the target, then renamed into place: an
    // interrupted import leaves no half-written experiment.
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))
        .map_err(input)?;
    let tmp = args
        .out
        .join(format!(".tmp-import-{}-{name}", std::process::id()));
    let written = write_experiment(&tmp, &experiment, &planned, &imported, |checkpoint| {
        RunRecord {
            actlab_version: env!("CARGO_PKG_VERSION").to_string(),
            revision: env!("ACTLAB_GIT_COMMIT").to_string(),
            experiment: name.clone(),
            run: planned.name().to_string(),
            network: imported.network.clone(),
            train: planned.train().recorded(),
            params: imported.model.num_params(),
            device: String::new(),
            threads: 1,
            numerics: None,
            dataset: PathBuf::new(),
            dataset_md5: Default::default(),
            status: RunStatus::Imported,
            resume: None,
            resumed_after: Vec::new(),
            imported: Some(ImportSource {
                file: args.file.clone(),
                sha256: sha256.clone(),
                format: dict.format.to_string(),
            }),
            initial_units: None,
            epochs: Vec::new(),
            checkpoints: vec![checkpoint],
            wall_seconds: 0.0,
        }
    });
    let result = written.and_then(|()| {
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .with_context(|| format!("--force: cannot remove {}", dir.display()))
                .map_err(input)?;
        }
        std::fs::rename(&tmp, &dir)
            .with_context(|| format!("cannot move the import into {}", dir.display()))
            .map_err(failed)
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result?;
    let run_dir = dir.join(planned.name());
    if json {
        print_json(&serde_json::json!({
            "run": run_dir,
            "network": imported.network,
            "params": imported.model.num_params(),
            "source": { "file": args.file, "sha256": sha256, "format": dict.format },
        }))?;
    } else {
        outln!(
            "imported {} ({} parameters, hidden {}, {} {}) from {} into {}",
            imported.network.model_name(),
            imported.model.num_params(),
            imported
                .network
                .hidden
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(","),
            spec.name(),
            activation.scope,
            args.file.display(),
            run_dir.display()
        );
        outln!(
            "next: actlab eval --run {0}   actlab probe dead-neurons --run {0}",
            run_dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the experiment folder `dir`: experiment.json, and the run's checkpoint and
/// record (made by `record` from the checkpoint's reference).
fn write_experiment(
    dir: &Path,
    experiment: &spec::Experiment,
    planned: &spec::RunSpec,
    imported: &nets::pytorch::Imported,
    record: impl FnOnce(CheckpointRef) -> RunRecord,
) -> Result<(), Failure> {
    let cannot = |what: &Path| format!("cannot write {}", what.display());
    let run_dir = dir.join(planned.name());
    std::fs::create_dir_all(&run_dir)
        .with_context(|| cannot(&run_dir))
        .map_err(input)?;
    write_record(&ExperimentLayout::new(dir).config(), experiment.file())?;
    let path = save_checkpoint(&imported.model, &run_dir, &RunLayout::epoch_checkpoint(0))
        .with_context(|| cannot(&run_dir))
        .map_err(failed)?;
    let checkpoint = CheckpointRef {
        epoch: 0,
        batch: None,
        path,
    };
    write_record(&RunLayout::new(&run_dir).record(), &record(checkpoint))
}
