//! `actlab worker DIR RUN` (hidden): trains one run of a saved experiment for the
//! `--jobs` of a parent `actlab train`, reporting progress as JSON lines on stdout.
//! Each run in a process of its own trains exactly as it would alone.

use std::process::ExitCode;

use anyhow::anyhow;

use crate::cli::worker::WorkerArgs;
use crate::context::data::load_data;
use crate::context::runtime::Runtime;
use crate::context::saved::saved_experiment;
use crate::failure::{Failure, input};
use crate::sweep::{EventLines, INTERRUPTED, Outcome, WorkerEvent, interrupt, train_claimed};

pub fn run(args: WorkerArgs) -> Result<ExitCode, Failure> {
    let experiment = saved_experiment(&args.dir, "worker ")?;
    let spec = experiment
        .runs()
        .into_iter()
        .find(|r| r.name() == args.run)
        .ok_or_else(|| {
            input(anyhow!(
                "worker: {} plans no run {}",
                args.dir.display(),
                args.run
            ))
        })?;
    let data = load_data(&args.env)?;
    let rt = Runtime::start(&args.env.compute)?;
    let mut context = rt.run_context();
    context.stop = interrupt()?.stop.clone();
    match rt.run(|rt| train_claimed(spec, &data, rt, &context, &mut EventLines))? {
        Outcome::Trained(record) if record.status.state() == spec::RunState::Interrupted => {
            Ok(ExitCode::from(INTERRUPTED))
        }
        Outcome::Trained(_) => Ok(ExitCode::SUCCESS),
        Outcome::Kept(_) => {
            EventLines::send(&WorkerEvent::Kept);
            Ok(ExitCode::SUCCESS)
        }
        Outcome::Elsewhere(owner) => {
            EventLines::send(&WorkerEvent::Elsewhere { owner });
            Ok(ExitCode::SUCCESS)
        }
    }
}
