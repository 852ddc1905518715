//! `actlab show RUN`: one run at a glance — its settings, metrics per epoch,
//! checkpoints, and the learned values of its activation's trainable parameters.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Serialize;
use spec::{RunLayout, RunRecord, Scope};

use crate::cli::show::ShowArgs;
use crate::context::print::print_json;
use crate::context::runtime::Runtime;
use crate::context::saved::{open_run, run_record};
use crate::failure::Failure;

/// Parameters with more values than this are shown as a summary (n, mean, min, max).
const LISTED: usize = 6;

/// One trainable parameter of one activation module, at a checkpoint.
#[derive(Serialize)]
struct LearnedParam {
    name: String,
    values: Vec<f64>,
}

/// One activation module: the layers it serves and its parameters.
#[derive(Serialize)]
struct LearnedModule {
    /// 1-based hidden layers it serves.
    layers: Vec<usize>,
    params: Vec<LearnedParam>,
}

/// What `show --json` prints.
#[derive(Serialize)]
struct Shown<'a> {
    record: &'a RunRecord,
    /// The checkpoint the parameters come from, if the run saved one.
    checkpoint: Option<String>,
    activation_parameters: Vec<LearnedModule>,
}

/// The run folder `path` names (the folder, or its run.json).
fn run_dir(path: &Path) -> PathBuf {
    if path.file_name().is_some_and(|n| n == RunLayout::RECORD) {
        path.parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    } else {
        path.to_path_buf()
    }
}

/// `v` with few digits for a table.
fn number(v: f64) -> String {
    if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e5) {
        format!("{v:.3e}")
    } else {
        format!("{v:.4}")
    }
}

/// A parameter's values: all of them when few, else their count, mean and range.
fn values_text(values: &[f64]) -> String {
    if values.len() <= LISTED {
        let list: Vec<String> = values.iter().map(|v| number(*v)).collect();
        return list.join(", ");
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    format!(
        "{} values: mean {}, min {}, max {}",
        values.len(),
        number(mean),
        number(lo),
        number(hi)
    )
}

fn print_text(record: &RunRecord, checkpoint: Option<&str>, modules: &[LearnedModule]) {
    match &record.imported {
        Some(source) => println!(
            "{} (experiment {}): imported from {} ({} file, SHA-256 {})",
            record.run,
            record.experiment,
            source.file.display(),
            source.format,
            source.sha256
        ),
        None => println!(
            "{} (experiment {}): {}, {} of {} epochs, {:.1} s",
            record.run,
            record.experiment,
            record.status.state(),
            record.epochs.len(),
            record.train.epochs,
            record.wall_seconds
        ),
    }
    let net = &record.network;
    let widths: Vec<String> = std::iter::once(net.input)
        .chain(net.hidden.iter().copied())
        .chain(std::iter::once(net.classes))
        .map(|w| w.to_string())
        .collect();
    let scope = net
        .activation
        .as_ref()
        .map_or(String::new(), |a| format!(", {}", a.scope));
    println!(
        "network   {}: {}{scope}, {} parameters",
        net.model_name(),
        widths.join("-"),
        record.params
    );
    // An imported run was trained elsewhere: its settings here are actlab's defaults.
    if record.imported.is_none() {
        let t = &record.train;
        println!(
            "training  {} lr {} momentum {} weight decay {}, batch {}, seed {}",
            t.optimizer, t.lr, t.momentum, t.weight_decay, t.batch_size, t.seed
        );
        println!(
            "ran on    {}, {} thread(s), actlab {} ({}), data {}",
            record.device,
            record.threads,
            record.actlab_version,
            record.revision,
            record.dataset.display()
        );
    }
    if !record.epochs.is_empty() {
        println!("\nepoch  train loss  train acc %  test loss  test acc %  time s");
        for e in &record.epochs {
            println!(
                "{:>5}  {:>10.4}  {:>11.2}  {:>9.4}  {:>10.2}  {:>6.1}",
                e.epoch,
                e.train_loss,
                e.train_accuracy * 100.0,
                e.test_loss,
                e.test_accuracy * 100.0,
                e.train_seconds + e.eval_seconds
            );
        }
    }
    let saved: Vec<String> = record
        .checkpoints
        .iter()
        .map(|c| match c.batch {
            Some(b) => format!("{} (epoch {}, batch {b})", c.name(), c.epoch + 1),
            None if record.imported.is_some() => format!("{} (as imported)", c.name()),
            None => format!("{} (after epoch {})", c.name(), c.epoch),
        })
        .collect();
    println!(
        "\ncheckpoints  {}",
        if saved.is_empty() {
            "none yet".to_string()
        } else {
            saved.join(", ")
        }
    );
    if let Some(checkpoint) = checkpoint {
        if modules.is_empty() {
            println!(
                "activation   {} has no trainable parameters",
                net.activation_name()
            );
            return;
        }
        println!("\nlearned activation parameters ({checkpoint}):");
        for m in modules {
            let layers: Vec<String> = m.layers.iter().map(|l| l.to_string()).collect();
            let place = if m.layers.len() > 1 {
                format!("layers {} (shared)", layers.join(", "))
            } else {
                format!("layer {}", layers.join(""))
            };
            for p in &m.params {
                println!("  {place:<22} {:<12} {}", p.name, values_text(&p.values));
            }
        }
    }
}

/// `actlab show`.
pub fn run(args: ShowArgs, json: bool) -> Result<ExitCode, Failure> {
    let dir = run_dir(&args.run);
    let record = run_record(&dir)?;
    let mut modules = Vec::new();
    let mut checkpoint = None;
    // A record copied without its checkpoints (the committed references) still shows.
    let files_here = record
        .checkpoint(None)
        .is_some_and(|c| dir.join(&c.path).is_file());
    if files_here || args.checkpoint.is_some() {
        let rt = Runtime::start(&args.compute)?;
        let opened = open_run(&dir, args.checkpoint.as_deref(), &rt.device)?;
        checkpoint = Some(opened.checkpoint.name());
        let hidden = record.network.hidden.len();
        let scope = record.network.activation.as_ref().map(|a| a.scope);
        for (i, module) in opened.model.activations.iter().enumerate() {
            let layers = match (opened.model.activations.len(), scope) {
                (1, _) | (_, Some(Scope::Shared)) => (1..=hidden).collect(),
                _ => vec![i + 1],
            };
            let params: Vec<LearnedParam> = module
                .params()
                .into_iter()
                .map(|(name, tensor)| LearnedParam {
                    name,
                    values: tensor
                        .into_data()
                        .convert::<f64>()
                        .try_to_vec::<f64>()
                        .unwrap_or_default(),
                })
                .collect();
            if !params.is_empty() {
                modules.push(LearnedModule { layers, params });
            }
        }
    }
    if json {
        print_json(&Shown {
            record: &record,
            checkpoint,
            activation_parameters: modules,
        })?;
    } else {
        print_text(&record, checkpoint.as_deref(), &modules);
        if !files_here && !record.checkpoints.is_empty() {
            println!(
                "(the checkpoint files are not in {}: no learned parameters to show)",
                dir.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
