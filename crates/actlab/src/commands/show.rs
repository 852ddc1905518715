//! `actlab show RUN`: one run at a glance — its settings, metrics per epoch,
//! checkpoints, and the learned values of its activation's trainable parameters.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Serialize;
use spec::{ActivationSpec, Compiled, FixedFn, RunLayout, RunRecord, Scope};

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
    /// The values as the module holds them (a mixture's: weight logits, function-major).
    values: Vec<f64>,
    /// A mixture's weights, what the logits mean: per function, the softmax weight of
    /// each unit (one value when shared).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    weights: Vec<MixtureWeight>,
}

/// One function of a mixture and its weight per unit.
#[derive(Serialize)]
struct MixtureWeight {
    function: String,
    weights: Vec<f64>,
}

/// A mixture's weight logits (function-major, `functions.len()` rows of one value per
/// unit) as each function's softmax weight per unit.
fn mixture_weights(functions: &[FixedFn], logits: &[f64]) -> Vec<MixtureWeight> {
    let k = functions.len();
    if k == 0 || !logits.len().is_multiple_of(k) {
        return Vec::new();
    }
    let units = logits.len() / k;
    let mut weights = vec![vec![0.0; units]; k];
    for u in 0..units {
        let column: Vec<f64> = (0..k).map(|i| logits[i * units + u]).collect();
        let top = column.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let exp: Vec<f64> = column.iter().map(|l| (l - top).exp()).collect();
        let sum: f64 = exp.iter().sum();
        for i in 0..k {
            weights[i][u] = exp[i] / sum;
        }
    }
    functions
        .iter()
        .zip(weights)
        .map(|(f, weights)| MixtureWeight {
            function: f.name().to_string(),
            weights,
        })
        .collect()
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
        Some(source) => outln!(
            "{} (experiment {}): imported from {} ({} file, SHA-256 {})",
            record.run,
            record.experiment,
            source.file.display(),
            source.format,
            source.sha256
        ),
        None => outln!(
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
    // 784-c6-c16-120-84-10 is LeNet-5.
    let widths: Vec<String> = std::iter::once(net.input.to_string())
        .chain(net.layer_labels())
        .chain(std::iter::once(net.classes.to_string()))
        .collect();
    let scope = net
        .activation
        .as_ref()
        .map_or(String::new(), |a| format!(", {}", a.scope));
    outln!(
        "network   {}: {}{scope}, {} parameters",
        net.model_name(),
        widths.join("-"),
        record.params
    );
    // An imported run was trained elsewhere: its settings here are actlab's defaults.
    if record.imported.is_none() {
        let t = &record.train;
        outln!(
            "training  {} lr {} momentum {} weight decay {}, batch {}, seed {}",
            t.optimizer,
            t.lr,
            t.momentum,
            t.weight_decay,
            t.batch_size,
            t.seed
        );
        outln!(
            "ran on    {}, {} thread(s), actlab {} ({}), data {}",
            record.device,
            record.threads,
            record.actlab_version,
            record.revision,
            record.dataset.display()
        );
    }
    if !record.epochs.is_empty() {
        outln!("\nepoch  train loss  train acc %  test loss  test acc %  time s");
        for e in &record.epochs {
            outln!(
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
    outln!(
        "\ncheckpoints  {}",
        if saved.is_empty() {
            "none yet".to_string()
        } else {
            saved.join(", ")
        }
    );
    if let Some(checkpoint) = checkpoint {
        if modules.is_empty() {
            outln!(
                "activation   {} has no trainable parameters",
                net.activation_name()
            );
            return;
        }
        outln!("\nlearned activation parameters ({checkpoint}):");
        for m in modules {
            let layers: Vec<String> = m.layers.iter().map(|l| l.to_string()).collect();
            let place = if m.layers.len() > 1 {
                format!("layers {} (shared)", layers.join(", "))
            } else {
                format!("layer {}", layers.join(""))
            };
            for p in &m.params {
                if p.weights.is_empty() {
                    outln!("  {place:<22} {:<12} {}", p.name, values_text(&p.values));
                    continue;
                }
                // A mixture: each function's softmax weight, not the logits.
                for w in &p.weights {
                    outln!(
                        "  {place:<22} {:<12} {}",
                        format!("w({})", w.function),
                        values_text(&w.weights)
                    );
                }
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
        let hidden = record.network.activated_widths().len();
        let scope = record.network.activation.as_ref().map(|a| a.scope);
        for (i, module) in opened.model.activations.iter().enumerate() {
            let layers = match (opened.model.activations.len(), scope) {
                (1, _) | (_, Some(Scope::Shared)) => (1..=hidden).collect(),
                _ => vec![i + 1],
            };
            let mixture = match record.network.activation.as_ref().map(|a| &a.kind) {
                Some(ActivationSpec::Custom(definition)) => match definition.compiled() {
                    Compiled::Mixture(functions) => Some(functions.clone()),
                    Compiled::Expression(_) => None,
                },
                _ => None,
            };
            let params: Vec<LearnedParam> = module
                .params()
                .into_iter()
                .map(|(name, tensor)| {
                    let values = tensor
                        .into_data()
                        .convert::<f64>()
                        .try_to_vec::<f64>()
                        .unwrap_or_default();
                    let weights = mixture
                        .as_deref()
                        .map_or_else(Vec::new, |f| mixture_weights(f, &values));
                    LearnedParam {
                        name,
                        values,
                        weights,
                    }
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
            outln!(
                "(the checkpoint files are not in {}: no learned parameters to show)",
                dir.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Logits become weights that sum to 1 per unit, named by function.
    #[test]
    fn mixture_logits_are_shown_as_weights() {
        let functions = [FixedFn::ReLU, FixedFn::Tanh];
        // Two units: logits (ReLU: 0, ln 3), (Tanh: 0, 0).
        let shown = mixture_weights(&functions, &[0.0, 3f64.ln(), 0.0, 0.0]);
        assert_eq!(shown[0].function, "ReLU");
        assert_eq!(shown[1].function, "Tanh");
        assert!((shown[0].weights[0] - 0.5).abs() < 1e-12);
        assert!((shown[0].weights[1] - 0.75).abs() < 1e-12);
        assert!((shown[1].weights[1] - 0.25).abs() < 1e-12);
        assert!(mixture_weights(&functions, &[1.0, 2.0, 3.0]).is_empty());
    }
}
