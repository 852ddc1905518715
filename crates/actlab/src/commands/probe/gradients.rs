//! `actlab probe gradients`: the book's `visualize_gradients`, with statistics.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use probe::gradient_probe;
use spec::layout::ProbeFiles;
use spec::{ActivationConfig, ArtifactKind, BOOK_ACTIVATIONS, NetworkConfig, resources};
use viz::figures::gradient_figure;

use crate::cli::probe::gradients::GradientArgs;
use crate::context::data::load_data;
use crate::context::networks::{chosen_activations, shaped};
use crate::context::runtime::{Runtime, check_memory};
use crate::context::write::print_written;
use crate::context::write::{check_new, probe_files, write_probe};
use crate::failure::{Failure, input};

/// `actlab probe gradients`.
pub fn run(args: GradientArgs, json: bool) -> Result<ExitCode, Failure> {
    let specs = chosen_activations(args.acts.as_deref(), &args.defs, &BOOK_ACTIVATIONS)?;
    let mut networks: Vec<NetworkConfig> = specs
        .into_iter()
        .map(|s| shaped(ActivationConfig::new(s), &args.shape))
        .collect();
    networks.push(networks[0].clone().without_activation());
    // Check everything the user typed before the slow parts (threads, data).
    for network in &networks {
        network.check().context("--hidden").map_err(input)?;
        check_memory(
            &resources::probing(network, args.batch_size),
            "reduce --hidden or --batch-size",
            &args.env,
        )?;
    }
    let data = load_data(&args.env)?;
    let rt = Runtime::start(&args.env.compute)?;
    let device = rt.device.clone().autodiff();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(ProbeFiles::DEFAULT_DIR));
    let reports: Vec<PathBuf> = networks
        .iter()
        .map(|n| ProbeFiles::of_activation(&out, ArtifactKind::Gradients, n.activation_name()))
        .collect();
    let files: Vec<PathBuf> = reports.iter().flat_map(|r| probe_files(r)).collect();
    check_new(&files, args.force)?;
    let mut written = Vec::new();
    for (network, report) in networks.iter().zip(&reports) {
        let record = rt
            .run(|_| {
                gradient_probe(
                    network,
                    args.seed,
                    &data.train,
                    args.batch_size,
                    args.bins,
                    &device,
                )
            })
            .map_err(input)?;
        let drawing = gradient_figure(&record);
        let w = write_probe(report, record, drawing)?;
        if !json {
            let stds: Vec<String> = w
                .record
                .report
                .layers
                .iter()
                .map(|l| format!("{:.2e}", l.gradient_stats.std))
                .collect();
            let pictures: Vec<String> = w.figure.iter().map(|p| p.display().to_string()).collect();
            outln!(
                "{}: gradient std per layer [{}]; {} and {}",
                network.model_name(),
                stds.join(", "),
                w.report.display(),
                pictures.join(", ")
            );
        }
        written.push(w);
    }
    if json {
        print_written(&written)?;
    }
    Ok(ExitCode::SUCCESS)
}
