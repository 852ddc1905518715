//! `actlab probe gradients`: the book's `visualize_gradients`, with statistics.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use probe::gradient_probe;
use spec::layout::ProbeFiles;
use spec::{ActivationConfig, BOOK_ACTIVATIONS, NetworkConfig, resources};
use viz::figures::gradient_figure;

use crate::cli::GradientArgs;
use crate::context::{
    check_memory, chosen_activations, load_data, print_written, runtime, shaped, write_drawing,
    write_record,
};
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
            &resources::probing(network, args.batch),
            "reduce --hidden or --batch",
            &args.env,
        )?;
    }
    let data = load_data(&args.env)?;
    let rt = runtime(&args.env.compute)?;
    let device = rt.device.clone().autodiff();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(ProbeFiles::DEFAULT_DIR));
    let mut written = Vec::new();
    for network in &networks {
        let record = gradient_probe(
            network,
            args.seed,
            &data.train,
            args.batch,
            args.bins,
            &device,
        )
        .map_err(input)?;
        let (report, stem) = ProbeFiles::gradients(&out, network);
        write_record(&report, &record)?;
        let paths = write_drawing(gradient_figure(&record), &stem)?;
        if json {
            written.push((report, paths, record));
            continue;
        }
        let stds: Vec<String> = record
            .report
            .layers
            .iter()
            .map(|l| format!("{:.2e}", l.gradient_stats.std))
            .collect();
        let pictures: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        println!(
            "{}: gradient std per layer [{}]; {} and {}",
            network.model_name(),
            stds.join(", "),
            report.display(),
            pictures.join(", ")
        );
    }
    if json {
        print_written(&written)?;
    }
    Ok(ExitCode::SUCCESS)
}
