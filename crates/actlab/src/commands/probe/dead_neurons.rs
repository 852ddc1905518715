//! `actlab probe dead-neurons`: the book's `calculate_disabled_neuron`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::anyhow;
use nets::SimpleNetwork;
use probe::dead_neurons;
use spec::layout::ProbeFiles;
use spec::record::probe::{DatasetSplit, ProbeRecord, ProbeSource};
use spec::{ArtifactKind, resources};
use viz::figures::dead_neuron_figure;

use crate::cli::probe::dead_neurons::DeadNeuronArgs;
use crate::context::data::load_data;
use crate::context::networks::network_config;
use crate::context::print::{print_json, print_paths};
use crate::context::probe::ProbedRun;
use crate::context::runtime::{Runtime, check_memory};
use crate::context::write::{check_new, probe_files, write_probe};
use crate::failure::{Failure, input};

/// Samples per forward pass: large batches amortise per-call overhead, and memory
/// stays small (the widest layer of a 2048-unit net is 8 MB per 1000 samples).
const PROBE_BATCH: usize = 1000;

/// Runs the probe and prints the book's per-layer ratios.
pub fn run(args: DeadNeuronArgs, json: bool) -> Result<ExitCode, Failure> {
    // Check everything the user typed before the slow parts (threads, data).
    let fresh_config = if args.init {
        let config = network_config(&args.network)?;
        check_memory(
            &resources::probing(&config, PROBE_BATCH),
            "reduce --hidden",
            &args.env,
        )?;
        Some(config)
    } else {
        None
    };
    let data = load_data(&args.env)?;
    let rt = Runtime::start(&args.env.compute)?;
    let written = rt.run(|rt| {
        let (model, source, network, out) = match (&args.run, fresh_config) {
            (Some(dir), _) => {
                let run = ProbedRun::open(
                    dir,
                    args.checkpoint.as_deref(),
                    args.out.as_deref(),
                    &data,
                    &args.env,
                    &rt.device,
                )?;
                let out = run.report_file(ArtifactKind::DeadNeurons, None);
                let source = run.source();
                (run.model, source, run.record.network, out)
            }
            (None, Some(config)) => {
                let model = SimpleNetwork::from_seed(
                    &config,
                    args.seed,
                    &rt.device,
                    PROBE_BATCH,
                    |n, device| data::first_samples(&data.train, n, device).0,
                )
                .map_err(input)?;
                let folder = args
                    .out
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(ProbeFiles::DEFAULT_DIR));
                let out =
                    ProbeFiles::at_init(&folder, ArtifactKind::DeadNeurons, &config, args.seed);
                (model, ProbeSource::Init { seed: args.seed }, config, out)
            }
            (None, None) => {
                return Err(input(anyhow!(
                    "pass --run DIR (a trained run) or --init (a fresh network)"
                )));
            }
        };
        check_new(probe_files(&out), args.force)?;
        let record = ProbeRecord {
            source,
            network,
            split: DatasetSplit::Train,
            report: dead_neurons(&model, &data.train, PROBE_BATCH, &rt.device),
        };
        let drawing = dead_neuron_figure(&record);
        write_probe(&out, record, drawing)
    })?;
    if json {
        print_json(&written)?;
        return Ok(ExitCode::SUCCESS);
    }
    let record = &written.record;
    let config = &record.network;
    let counts: Vec<usize> = record.report.layers.iter().map(|l| l.dead).collect();
    outln!(
        "{} over {} training samples",
        config.model_name(),
        record.report.samples
    );
    outln!("Number of layers to compare = {}", counts.len());
    outln!(
        "Number of disabled neurons ({}) : {counts:?}",
        config.activation_name()
    );
    for layer in &record.report.layers {
        outln!(
            "layer {}: {:>4} of {:>4} units dead ({:.1}%), {:>4} saturated, mean sparsity {:.1}%; the chapter predicts {:.1}% dead (∏ Φ(−μ/σ), μ = {:.3}, σ = {:.3})",
            layer.layer,
            layer.dead,
            layer.units,
            layer.ratio * 100.0,
            layer.saturated,
            layer.mean_sparsity * 100.0,
            layer.predicted_dead * 100.0,
            layer.pre_activation_mean,
            layer.pre_activation_std
        );
    }
    outln!("Report: {}", written.report.display());
    print_paths(&written.figure);
    Ok(ExitCode::SUCCESS)
}
