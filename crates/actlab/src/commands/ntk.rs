//! `actlab probe ntk --act A`: the empirical neural tangent kernel at initialisation.

use std::process::ExitCode;

use anyhow::anyhow;
use nets::SimpleNetwork;
use probe::curvature::ntk_probe;
use spec::ActivationKind;
use spec::layout::ProbeFiles;
use spec::record::curvature::{NtkClaim, NtkReport};
use spec::record::probe::{DatasetSplit, ProbeRecord, ProbeSource};
use train::first_samples;
use viz::figures::ntk_figure;

use crate::cli::NtkArgs;
use crate::context::write_probe;
use crate::context::{float64_device, load_data, network_config, print_paths, runtime};
use crate::failure::{Failure, input};

/// LeakyReLU's negative slope (PyTorch's default, and actlab's).
const LEAKY_SLOPE: f64 = 0.01;

pub fn run(args: NtkArgs, json: bool) -> Result<ExitCode, Failure> {
    let config = network_config(&args.network)?;
    let device = float64_device(&args.env.compute, "probe ntk")?;
    let data = load_data(&args.env)?;
    runtime(&args.env.compute)?;
    if args.samples < 2 {
        return Err(input(anyhow!("--samples {}: at least 2", args.samples)));
    }
    device.seed(args.seed);
    let model = SimpleNetwork::new(&config, &device).map_err(input)?;
    let (x, _) = first_samples(&data.test, args.samples, &device);
    eprintln!(
        "probe ntk {}: {} per-sample gradients",
        config.model_name(),
        args.samples
    );
    let (eigenvalues, trace) = ntk_probe(&model, x);
    let (lo, hi) = (eigenvalues[0], eigenvalues[eigenvalues.len() - 1]);
    let claim = config
        .activation
        .as_ref()
        .and_then(|a| a.kind.builtin())
        .filter(|k| *k == ActivationKind::LeakyReLU)
        .map(|_| NtkClaim {
            alpha: LEAKY_SLOPE,
            holds: lo >= LEAKY_SLOPE,
        });
    let record = ProbeRecord {
        source: ProbeSource::Init { seed: args.seed },
        network: config.clone(),
        split: DatasetSplit::Test,
        report: NtkReport {
            samples: eigenvalues.len(),
            output: "sum of logits".into(),
            condition_number: if lo > 0.0 { hi / lo } else { f64::INFINITY },
            eigenvalues,
            trace,
            claim,
        },
    };
    let folder = args
        .out
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from(ProbeFiles::DEFAULT_DIR));
    let out = ProbeFiles::ntk_at_init(&folder, &config, args.seed);
    let Some(figure) = write_probe(&out, &record, ntk_figure(&record), json)? else {
        return Ok(ExitCode::SUCCESS);
    };
    let r = &record.report;
    println!(
        "{} at initialisation (seed {}), {} test images: NTK trace {:.4e}, λmin {:.4e}, λmax {:.4e}, condition number {:.3e}",
        config.model_name(),
        args.seed,
        r.samples,
        r.trace,
        lo,
        hi,
        r.condition_number
    );
    if let Some(c) = &r.claim {
        println!(
            "the chapter's claim λmin ≥ α = {}: {} (λmin = {:.4e})",
            c.alpha,
            if c.holds { "holds" } else { "does not hold" },
            lo
        );
    }
    println!("Report: {}", out.display());
    print_paths(&figure);
    Ok(ExitCode::SUCCESS)
}
