//! `actlab probe ntk --act A`: the empirical neural tangent kernel at initialisation.

use std::process::ExitCode;

use anyhow::anyhow;
use data::first_samples;
use nets::SimpleNetwork;
use probe::curvature::ntk_probe;
use spec::layout::ProbeFiles;
use spec::record::curvature::{NtkClaim, NtkReport};
use spec::record::probe::{DatasetSplit, ProbeRecord, ProbeSource};
use spec::{ActivationKind, ArtifactKind};
use viz::figures::ntk_figure;

use crate::cli::probe::ntk::NtkArgs;
use crate::context::data::load_data;
use crate::context::networks::network_config;
use crate::context::print::{print_json, print_paths};
use crate::context::runtime::{Runtime, float64_device};
use crate::context::write::{check_new, probe_files, write_probe};
use crate::failure::{Failure, input};

/// LeakyReLU's negative slope (PyTorch's default, and actlab's).
const LEAKY_SLOPE: f64 = 0.01;

/// `actlab probe ntk`.
pub fn run(args: NtkArgs, json: bool) -> Result<ExitCode, Failure> {
    let config = network_config(&args.network)?;
    let device = float64_device(&args.env.compute, "probe ntk")?;
    if args.samples < 2 {
        return Err(input(anyhow!("--samples {}: at least 2", args.samples)));
    }
    let data = load_data(&args.env)?;
    let rt = Runtime::start(&args.env.compute)?;
    let folder = args
        .out
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from(ProbeFiles::DEFAULT_DIR));
    let out = ProbeFiles::at_init(&folder, ArtifactKind::Ntk, &config, args.seed);
    check_new(probe_files(&out), args.force)?;
    let written = rt.run(|_| {
        let model = SimpleNetwork::from_seed(&config, args.seed, &device, args.samples, |n, d| {
            first_samples(&data.train, n, d).0
        })
        .map_err(input)?;
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
        let drawing = ntk_figure(&record);
        write_probe(&out, record, drawing)
    })?;
    if json {
        print_json(&written)?;
        return Ok(ExitCode::SUCCESS);
    }
    let record = &written.record;
    let (lo, hi) = (
        record.report.eigenvalues[0],
        record.report.eigenvalues[record.report.eigenvalues.len() - 1],
    );
    let r = &record.report;
    outln!(
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
        outln!(
            "the chapter's claim λmin ≥ α = {}: {} (λmin = {:.4e})",
            c.alpha,
            if c.holds { "holds" } else { "does not hold" },
            lo
        );
    }
    outln!("Report: {}", written.report.display());
    print_paths(&written.figure);
    Ok(ExitCode::SUCCESS)
}
