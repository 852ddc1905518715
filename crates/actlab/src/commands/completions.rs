//! `actlab completions SHELL`: a completion script for the shell, from the CLI's own
//! definition (clap_complete).

use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::cli::completions::CompletionsArgs;
use crate::failure::Failure;

/// Prints the script on stdout.
pub fn run(args: CompletionsArgs) -> Result<ExitCode, Failure> {
    let mut command = Cli::command();
    // Into memory first: clap_complete panics on a closed stdout, which is a normal end.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "actlab", &mut script);
    crate::out::write_stdout(&script);
    Ok(ExitCode::SUCCESS)
}
