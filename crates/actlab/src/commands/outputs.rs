//! `actlab probe outputs`: the book's layer-output distributions of a trained model.

use std::process::ExitCode;

use burn::module::Module;
use probe::layer_outputs;
use spec::RunLayout;
use spec::layout::probe_figure;
use spec::record::probe::{DatasetSplit, ProbeRecord, ProbeSource};
use viz::figures::output_figure;

use crate::cli::OutputArgs;
use crate::context::{
    Written, check_run_data, load_data, open_run, print_json, print_paths, runtime, write_drawing,
    write_record,
};
use crate::failure::Failure;

/// `actlab probe outputs`.
pub fn run(args: OutputArgs, json: bool) -> Result<ExitCode, Failure> {
    let data = load_data(&args.env)?;
    let rt = runtime(&args.env.compute)?;
    let opened = open_run(&args.run, args.checkpoint.as_deref(), &rt.device)?;
    check_run_data(&opened.record, &data, &args.env)?;
    let report = layer_outputs(
        &opened.model.valid(),
        &data.test,
        1000,
        args.bins,
        &rt.device,
    );
    for l in report.layers.iter().filter(|_| !json) {
        println!(
            "layer {}: mean {:.4}, std {:.4}, |h| median {:.4}, {:.1}% exactly zero",
            l.layer,
            l.stats.mean,
            l.stats.std,
            l.stats.abs_p50,
            l.zero_fraction * 100.0
        );
    }
    let folder = args
        .out
        .clone()
        .unwrap_or_else(|| RunLayout::new(&args.run).probes());
    let out = RunLayout::probe_report(&folder, "outputs", &opened.checkpoint.name());
    let record = ProbeRecord {
        source: ProbeSource::Checkpoint {
            run: args.run.clone(),
            checkpoint: opened.checkpoint.path.clone(),
            epoch: opened.checkpoint.epoch,
        },
        network: opened.record.network,
        split: DatasetSplit::Test,
        report,
    };
    write_record(&out, &record)?;
    let paths = write_drawing(output_figure(&record), &probe_figure(&out))?;
    if json {
        print_json(&Written {
            report: &out,
            figure: &paths,
            record: &record,
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", out.display());
    print_paths(&paths);
    Ok(ExitCode::SUCCESS)
}
