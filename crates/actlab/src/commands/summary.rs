//! `actlab summary`: the layer table of a network.

use std::process::ExitCode;

use nets::Summary;

use crate::cli::summary::SummaryArgs;
use crate::context::networks::network_config;
use crate::context::print::print_json;
use crate::failure::Failure;

/// Prints the table (or JSON) for the network the flags describe.
pub fn run(args: SummaryArgs, json: bool) -> Result<ExitCode, Failure> {
    let config = network_config(&args.network)?;
    let summary = Summary::of(&config);
    if json {
        print_json(&summary)?;
    } else {
        outln!("{summary}");
    }
    Ok(ExitCode::SUCCESS)
}
