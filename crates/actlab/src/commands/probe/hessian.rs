//! `actlab probe hessian --run DIR`: the loss Hessian of a checkpoint, in float64.

use std::process::ExitCode;

use anyhow::anyhow;
use probe::curvature::{HessianSettings, hessian_probe, kinks, objective_on, subset};
use spec::ArtifactKind;
use spec::record::probe::DatasetSplit;
use viz::figures::hessian_figure;

use crate::cli::probe::hessian::HessianArgs;
use crate::context::data::load_data;
use crate::context::print::{print_json, print_paths};
use crate::context::probe::ProbedRun;
use crate::context::runtime::{Runtime, float64_device};
use crate::context::write::{check_new, probe_files, write_probe};
use crate::failure::{Failure, input};

/// `actlab probe hessian`.
pub fn run(args: HessianArgs, json: bool) -> Result<ExitCode, Failure> {
    let device = float64_device(&args.env.compute, "probe hessian")?;
    if args.samples < 2 {
        return Err(input(anyhow!("--samples {}: at least 2", args.samples)));
    }
    let data = load_data(&args.env)?;
    let rt = Runtime::start(&args.env.compute)?;
    let (written, run) = rt.run(|_| {
        let run = ProbedRun::open(
            &args.run,
            args.checkpoint.as_deref(),
            args.out.as_deref(),
            &data,
            &args.env,
            &device,
        )?;
        let out = run.report_file(ArtifactKind::Hessian, None);
        check_new(probe_files(&out), args.force)?;
        let indices = subset(&data.train, args.samples, args.seed);
        let objective = objective_on(run.model.clone(), &data.train, &indices, &device)
            .with_kinks(kinks(&run.record.network));
        let settings = HessianSettings {
            samples: args.samples,
            seed: args.seed,
            top: args.top,
            lanczos_steps: args.lanczos_steps,
            trace_vectors: args.vectors,
            density_steps: args.lanczos_steps,
            block_steps: if args.no_blocks {
                0
            } else {
                (args.lanczos_steps / 2).max(2)
            },
            block_vectors: if args.no_blocks {
                0
            } else {
                (args.vectors / 3).max(2)
            },
            batch_size: run.record.train.batch_size,
            ..HessianSettings::default()
        };
        let report = hessian_probe(&objective, &settings, &mut |stage| {
            eprintln!("probe hessian {}: {stage}", run.record.run)
        });
        let record = run.record(DatasetSplit::Train, report);
        let drawing = hessian_figure(&record);
        let written = write_probe(&out, record, drawing)?;
        Ok::<_, Failure>((written, run))
    })?;
    if json {
        print_json(&written)?;
        return Ok(ExitCode::SUCCESS);
    }
    let record = &written.record;
    let opened = &run;
    let r = &record.report;
    let s = &r.spectrum;
    let values = |v: &[spec::record::curvature::EigenEstimate]| -> String {
        v.iter()
            .map(|e| format!("{:.4}", e.value))
            .collect::<Vec<_>>()
            .join(", ")
    };
    outln!(
        "{} at {}: loss {:.4} over {} training images (seed {}), {} parameters",
        opened.record.run,
        opened.checkpoint.name(),
        r.loss,
        r.samples,
        r.seed,
        s.params
    );
    outln!("top eigenvalues   {}", values(&s.top));
    outln!(
        "smallest          {:.4} (residual {:.1e})",
        s.smallest.value,
        s.smallest.residual
    );
    outln!(
        "trace             {:.4} ± {:.4} (Hutchinson, {} vectors)",
        s.trace.value,
        s.trace.standard_error,
        s.trace.vectors
    );
    outln!(
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
        outln!(
            "  {:<12} {:>7} params: top {}, smallest {:.4}, trace {:.4} ± {:.4}",
            b.block,
            b.params,
            values(&b.top[..b.top.len().min(3)]),
            b.smallest.value,
            b.trace.value,
            b.trace.standard_error
        );
    }
    outln!(
        "{} Hessian-vector products in {:.0} s (central differences of float64 gradients, ε = {:.0e})",
        r.products,
        r.seconds,
        r.epsilon
    );
    if !r.kinks.is_empty() {
        outln!(
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
    outln!("Report: {}", written.report.display());
    print_paths(&written.figure);
    Ok(ExitCode::SUCCESS)
}
