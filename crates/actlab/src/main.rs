//! `actlab`: the command-line front end. Parses flags, wires the library crates
//! together, reports progress, and turns errors into one line and an exit code.

mod cli;
mod commands;
mod context;
mod device;
mod failure;
mod parse;
mod progress;

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use crate::cli::{ActsCommand, BenchCommand, Cli, Command, ProbeCommand};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return ExitCode::from(failure::USAGE);
        }
        Err(e) => {
            // Clap's own message spans several lines; the first says what and where.
            let text = e.render().to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            eprintln!("actlab: {first} (see --help)");
            return ExitCode::from(failure::USAGE);
        }
    };
    let result = match cli.command {
        Command::Train(args) => commands::train::run(*args),
        Command::Summary(args) => commands::summary::run(args),
        Command::Probe(ProbeCommand::DeadNeurons(args)) => commands::dead_neurons::run(args),
        Command::Probe(ProbeCommand::Surface(args)) => commands::surface::run(args),
        Command::Probe(ProbeCommand::Outputs(args)) => commands::outputs::run(args),
        Command::Probe(ProbeCommand::Gradients(args)) => commands::gradients::run(args),
        Command::Rerun(args) => commands::rerun::run(args),
        Command::Plot(args) => commands::plot::run(args),
        Command::Report(args) => commands::report::run(args),
        Command::Bench(BenchCommand::Acts(args)) => commands::bench::acts(args),
        Command::Bench(BenchCommand::Train(args)) => commands::bench::train(args),
        Command::Acts(ActsCommand::List(args)) => commands::registry::list(args),
        Command::Acts(ActsCommand::Eval(args)) => commands::registry::eval(args),
    };
    match result {
        Ok(code) => code,
        Err(failure) => failure.report(),
    }
}
