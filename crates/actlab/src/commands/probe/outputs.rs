//! `actlab probe outputs`: the book's layer-output distributions of a trained model.

use std::process::ExitCode;

use burn::module::Module;
use probe::layer_outputs;
use spec::ArtifactKind;
use spec::record::probe::DatasetSplit;
use viz::figures::output_figure;

use crate::cli::probe::outputs::OutputArgs;
use crate::context::data::load_data;
use crate::context::print::{print_json, print_paths};
use crate::context::probe::ProbedRun;
use crate::context::runtime::Runtime;
use crate::context::write::{check_new, probe_files, write_probe};
use crate::failure::Failure;

/// Samples per forward pass.
const PROBE_BATCH: usize = 1000;

/// `actlab probe outputs`.
pub fn run(args: OutputArgs, json: bool) -> Result<ExitCode, Failure> {
    let data = load_data(&args.env)?;
    let rt = Runtime::start(&args.env.compute)?;
    let written = rt.run(|rt| {
        let run = ProbedRun::open(
            &args.run,
            args.checkpoint.as_deref(),
            args.out.as_deref(),
            &data,
            &args.env,
            &rt.device,
        )?;
        let out = run.report_file(ArtifactKind::Outputs, None);
        check_new(probe_files(&out), args.force)?;
        let report = layer_outputs(
            &run.model.valid(),
            &data.test,
            PROBE_BATCH,
            args.bins,
            &rt.device,
        );
        let record = run.record(DatasetSplit::Test, report);
        let drawing = output_figure(&record);
        write_probe(&out, record, drawing)
    })?;
    if json {
        print_json(&written)?;
        return Ok(ExitCode::SUCCESS);
    }
    for l in &written.record.report.layers {
        outln!(
            "layer {}: mean {:.4}, std {:.4}, |h| median {:.4}, {:.1}% exactly zero",
            l.layer,
            l.stats.mean,
            l.stats.std,
            l.stats.abs_p50,
            l.zero_fraction * 100.0
        );
    }
    outln!("{}", written.report.display());
    print_paths(&written.figure);
    Ok(ExitCode::SUCCESS)
}
