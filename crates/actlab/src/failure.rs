//! Errors at the top: one line on stderr, and an exit code that tells bad input
//! (2) from a run that failed (1). A regression found by `compare`'s gate is 3, an
//! incomplete sweep found by `merge` 4, an interrupted training 130.

use std::process::ExitCode;

/// Exit code for bad usage, config or input.
pub const USAGE: u8 = 2;
/// Exit code for a run that failed.
pub const RUN: u8 = 1;
/// Exit code of `actlab compare --fail-on-regression` when an activation regressed.
pub const REGRESSION: u8 = 3;
/// Exit code of `actlab merge` when planned runs are missing or unfinished.
pub const INCOMPLETE: u8 = 4;

/// Why a command stopped.
#[derive(Debug)]
pub enum Failure {
    /// The user's input cannot be used (exit 2).
    Input(anyhow::Error),
    /// Something failed while running (exit 1).
    Run(anyhow::Error),
}

impl Failure {
    /// The error on one line.
    pub fn message(&self) -> String {
        let error = match self {
            Failure::Input(e) | Failure::Run(e) => e,
        };
        // anyhow's `{:#}` joins the context chain with ": " on one line.
        let mut text = format!("{error:#}").replace('\n', " ");
        // No space left (ENOSPC), a file-size limit (EFBIG), a quota (EDQUOT): errors
        // that arrive wrapped as text from the libraries that write checkpoints.
        if ["(os error 28)", "(os error 27)", "(os error 122)"]
            .iter()
            .any(|code| text.contains(code))
        {
            text.push_str(
                " (out of disk space or over a file-size limit: the run's record keeps its last completed epoch; free space, then continue with --resume)",
            );
        }
        text
    }

    /// Prints the error on one line and returns the exit code.
    pub fn report(self) -> ExitCode {
        let code = match self {
            Failure::Input(_) => USAGE,
            Failure::Run(_) => RUN,
        };
        eprintln!("actlab: {}", self.message());
        ExitCode::from(code)
    }
}

/// Marks an error as bad input.
pub fn input<E: Into<anyhow::Error>>(e: E) -> Failure {
    Failure::Input(e.into())
}

/// Marks an error as a failed run.
pub fn failed<E: Into<anyhow::Error>>(e: E) -> Failure {
    Failure::Run(e.into())
}
