//! `actlab summary`: the layer table of a network.

use std::process::ExitCode;

use anyhow::Context;
use nets::Summary;

use crate::cli::SummaryArgs;
use crate::commands::network_config;
use crate::failure::{Failure, failed};

/// Prints the table (or JSON) for the network the flags describe.
pub fn run(args: SummaryArgs) -> Result<ExitCode, Failure> {
    let config = network_config(&args.network)?;
    let summary = Summary::of(&config);
    if args.json {
        let text = serde_json::to_string_pretty(&summary)
            .context("serialising the summary")
            .map_err(failed)?;
        println!("{text}");
    } else {
        println!("{summary}");
    }
    Ok(ExitCode::SUCCESS)
}
