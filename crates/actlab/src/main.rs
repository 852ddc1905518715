//! `actlab`: the command-line front end. Parses flags, wires the library crates
//! together, reports progress, and turns errors into one line and an exit code.

#[macro_use]
mod out;

mod commands;
mod context;
mod failure;
mod output;
mod progress;
mod shell;
mod sweep;

// The command line's definition is the library's, shared with the tests.
pub(crate) use actlab::{cli, parse};

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use crate::cli::acts::ActsCommand;
use crate::cli::bench::BenchCommand;
use crate::cli::probe::ProbeCommand;
use crate::cli::{Cli, Command};

/// Clap's message on one line: what is wrong, and its tip (the flag or subcommand it
/// takes a mistyped one for) when it has one.
fn one_line(rendered: &str) -> String {
    let mut lines = rendered.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("invalid arguments");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let tips: Vec<&str> = lines.filter(|l| l.starts_with("tip:")).collect();
    if tips.is_empty() {
        first.to_string()
    } else {
        format!("{first}; {}", tips.join("; "))
    }
}

fn main() -> ExitCode {
    failure::report_panics();
    // Lets the tests see what a bug looks like to a user (no input reaches a panic).
    if std::env::var_os("ACTLAB_TEST_PANIC").is_some() {
        panic!("ACTLAB_TEST_PANIC is set");
    }
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
            eprintln!("actlab: {} (see --help)", one_line(&e.render().to_string()));
            return ExitCode::from(failure::USAGE);
        }
    };
    let json = cli.json;
    let result = match cli.command {
        Command::Train(args) => commands::train::run(*args, json),
        Command::Summary(args) => commands::summary::run(args, json),
        Command::Probe(ProbeCommand::DeadNeurons(args)) => {
            commands::probe::dead_neurons::run(args, json)
        }
        Command::Probe(ProbeCommand::Surface(args)) => commands::probe::surface::run(args, json),
        Command::Probe(ProbeCommand::Outputs(args)) => commands::probe::outputs::run(args, json),
        Command::Probe(ProbeCommand::Gradients(args)) => {
            commands::probe::gradients::run(args, json)
        }
        Command::Probe(ProbeCommand::Hessian(args)) => commands::probe::hessian::run(args, json),
        Command::Probe(ProbeCommand::Landscape(args)) => {
            commands::probe::landscape::run(args, json)
        }
        Command::Probe(ProbeCommand::Ntk(args)) => commands::probe::ntk::run(args, json),
        Command::Rerun(args) => commands::rerun::run(args, json),
        Command::Search(args) => commands::search::run(*args, json),
        Command::Plot(args) => commands::plot::run(args, json),
        Command::Report(args) => commands::report::run(args, json),
        Command::Compare(args) => commands::compare::run(args, json),
        Command::Tensorboard(args) => commands::tensorboard::run(args, json),
        Command::Import(args) => commands::import::run(args, json),
        Command::Eval(args) => commands::eval::run(args, json),
        Command::Export(args) => commands::export::run(args, json),
        Command::Worker(args) => commands::worker::run(args),
        Command::Merge(args) => commands::merge::run(args, json),
        Command::Slurm(args) => commands::slurm::run(args, json),
        Command::Ls(args) => commands::ls::run(args, json),
        Command::Show(args) => commands::show::run(args, json),
        Command::Bench(BenchCommand::Acts(args)) => commands::bench::acts(args, json),
        Command::Bench(BenchCommand::Train(args)) => commands::bench::train(args, json),
        Command::Bench(BenchCommand::Peak(args)) => commands::bench::peak(args, json),
        Command::Acts(ActsCommand::List(args)) => commands::acts::list(args, json),
        Command::Acts(ActsCommand::Eval(args)) => commands::acts::eval(args, json),
        Command::Completions(args) => commands::completions::run(args),
    };
    match result {
        Ok(code) => code,
        Err(failure) => failure.report(),
    }
}
