//! `actlab probe hessian --run DIR`: the loss Hessian of a checkpoint, in float64.

use std::process::ExitCode;

use anyhow::anyhow;
use probe::curvature::{HessianSettings, hessian_probe, kinks, objective_on, subset};
use spec::RunLayout;
use spec::record::probe::{DatasetSplit, ProbeRecord, ProbeSource};
use viz::figures::hessian_figure;

use crate::cli::HessianArgs;
use crate::context::write_probe;
use crate::context::{check_run_data, float64_device, load_data, open_run, print_paths, runtime};
use crate::failure::{Failure, input};

pub fn run(args: HessianArgs, json: bool) -> Result<ExitCode, Failure> {
    let device = float64_device(&args.env.compute, "probe hessian")?;
    let data = load_data(&args.env)?;
    runtime(&args.env.compute)?;
    let opened = open_run(&args.run, args.checkpoint.as_deref(), &device)?;
    check_run_data(&opened.record, &data, &args.env)?;
    if args.samples < 2 {
        return Err(input(anyhow!("--samples {}: at least 2", args.samples)));
    }
    let indices = subset(&data.train, args.samples, args.seed);
    let objective = objective_on(opened.model, &data.train, &indices, &device)
        .with_kinks(kinks(&opened.record.network));
    let settings = HessianSettings {
        samples: args.samples,
        seed: args.seed,
        top: args.top,
        lanczos_steps: args.steps,
        trace_vectors: args.vectors,
        density_steps: args.steps,
        block_steps: if args.no_blocks {
            0
        } else {
            (args.steps / 2).max(2)
        },
        block_vectors: if args.no_blocks {
            0
        } else {
            (args.vectors / 3).max(2)
        },
        batch_size: opened.record.train.batch_size,
        ..HessianSettings::default()
    };
    let report = hessian_probe(&objective, &settings, &mut |stage| {
        eprintln!("probe hessian {}: {stage}", opened.record.run)
    });
    let record = ProbeRecord {
        source: ProbeSource::Checkpoint {
            run: args.run.clone(),
            checkpoint: opened.checkpoint.path.clone(),
            epoch: opened.checkpoint.epoch,
        },
        network: opened.record.network.clone(),
        split: DatasetSplit::Train,
        report,
    };
    let folder = args
        .out
        .clone()
        .unwrap_or_else(|| RunLayout::new(&args.run).probes());
    let out = RunLayout::probe_report(&folder, "hessian", &opened.checkpoint.name());
    let Some(figure) = write_probe(&out, &record, hessian_figure(&record), json)? else {
        return Ok(ExitCode::SUCCESS);
    };
    let r = &record.report;
    let s = &r.spectrum;
    let values = |v: &[spec::record::curvature::EigenEstimate]| -> String {
        v.iter()
            .map(|e| format!("{:.4}", e.value))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "{} at {}: loss {:.4} over {} training images (seed {}), {} parameters",
        opened.record.run,
        opened.checkpoint.name(),
        r.loss,
        r.samples,
        r.seed,
        s.params
    );
    println!("top eigenvalues   {}", values(&s.top));
    println!(
        "smallest          {:.4} (residual {:.1e})",
        s.smallest.value, s.smallest.residual
    );
    println!(
        "trace             {:.4} ± {:.4} (Hutchinson, {} vectors)",
        s.trace.value, s.trace.standard_error, s.trace.vectors
    );
    println!(
        "stability ξ       {:.3} ± {:.3} = ‖H‖_F {:.4} ± {:.4} / E‖∇L_B‖² {:.4} ± {:.4} ({} batches of {})",
        r.stability.xi,
        r.stability.xi_standard_error,
        r.stability.hessian_frobenius,
        r.stability.hessian_frobenius_se,
        r.stability.gradient_norm_sq,
        r.stability.gradient_norm_sq_se,
        r.stability.batches,
        r.stability.batch_size
    );
    for b in &r.blocks {
        println!(
            "  {:<12} {:>7} params: top {}, smallest {:.4}, trace {:.4} ± {:.4}",
            b.block,
            b.params,
            values(&b.top[..b.top.len().min(3)]),
            b.smallest.value,
            b.trace.value,
            b.trace.standard_error
        );
    }
    println!(
        "{} Hessian-vector products in {:.0} s (central differences of float64 gradients, ε = {:.0e})",
        r.products, r.seconds, r.epsilon
    );
    if !r.kinks.is_empty() {
        println!(
            "kinks at {:?}: steps shrink to 1e-10 until no unit crosses one; {} products crossed even then{}",
            r.kinks,
            r.kink_crossings,
            if r.kink_crossings > 0 {
                " (their values are suspect)"
            } else {
                ""
            }
        );
    }
    println!("Report: {}", out.display());
    print_paths(&figure);
    Ok(ExitCode::SUCCESS)
}
