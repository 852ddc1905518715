//! `actlab export --run DIR --to FILE.safetensors`: a run's weights with the book's
//! PyTorch key names and layouts, for `SimpleNetwork(...).load_state_dict(...)`.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use nets::pytorch::{export, safetensors_bytes};

use crate::cli::export::ExportArgs;
use crate::context::print::print_json;
use crate::context::saved::open_run;
use crate::context::write::check_new;
use crate::failure::{Failure, failed, input};

pub fn run(args: ExportArgs, json: bool) -> Result<ExitCode, Failure> {
    check_new([&args.to], args.force)?;
    if args.to.extension().is_none_or(|e| e != "safetensors") {
        return Err(input(anyhow!(
            "--to {}: give a .safetensors file (safetensors.torch.load_file reads it)",
            args.to.display()
        )));
    }
    let device = burn::tensor::Device::flex();
    let opened = open_run(&args.run, args.checkpoint.as_deref(), &device)?;
    let network = &opened.record.network;
    let tensors = export(&opened.model, network)
        .map_err(|e| input(anyhow!("{}: {e}", args.run.display())))?;
    let activation = network
        .activation
        .as_ref()
        .expect("export refuses networks without activations");
    let hidden: Vec<String> = network.hidden.iter().map(usize::to_string).collect();
    let metadata = BTreeMap::from([
        ("actlab_run".to_string(), opened.record.run.clone()),
        ("actlab_checkpoint".to_string(), opened.checkpoint.name()),
        ("activation".to_string(), activation.kind.name().to_string()),
        ("scope".to_string(), activation.scope.to_string()),
        ("hidden".to_string(), hidden.join(",")),
        ("input".to_string(), network.input.to_string()),
        ("classes".to_string(), network.classes.to_string()),
    ]);
    let bytes = safetensors_bytes(&tensors, metadata).map_err(failed)?;
    spec::fsio::write_atomic(&args.to, &bytes)
        .with_context(|| format!("cannot write {}", args.to.display()))
        .map_err(input)?;
    if json {
        print_json(&serde_json::json!({
            "file": args.to,
            "keys": tensors.keys().collect::<Vec<_>>(),
            "checkpoint": opened.checkpoint.name(),
        }))?;
    } else {
        outln!(
            "{}: {} tensors of {} at {} (load with SimpleNetwork(act, hidden_shape=[{}]).load_state_dict(safetensors.torch.load_file(...)))",
            args.to.display(),
            tensors.len(),
            opened.record.run,
            opened.checkpoint.name(),
            hidden.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
