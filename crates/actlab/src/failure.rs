//! Errors at the top: one line on stderr, and an exit code that tells bad input
//! (2) from a run that failed (1). A regression found by `compare`'s gate is 3, an
//! incomplete sweep found by `merge` 4, a gate that could test nothing 5, an internal
//! error (a panic: a bug) 70, an interrupted training 130.

use std::process::ExitCode;

/// Exit code for bad usage, config or input.
pub const USAGE: u8 = 2;
/// Exit code for a run that failed.
pub const RUN: u8 = 1;
/// Exit code of `actlab compare --fail-on-regression` when an activation regressed.
pub const REGRESSION: u8 = 3;
/// Exit code of `actlab merge` when planned runs are missing or unfinished.
pub const INCOMPLETE: u8 = 4;
/// Exit code of `actlab compare --fail-on-regression` when no activation had enough
/// runs on both sides to be tested: the gate passed nothing, it looked at nothing.
pub const UNTESTED: u8 = 5;
/// Exit code of an internal error: a bug in actlab, not bad input (sysexits' EX_SOFTWARE).
pub const INTERNAL: u8 = 70;

/// Turns any panic into one line on stderr and exit code [`INTERNAL`]: what failed and
/// where, and how to report it; the backtrace only with `RUST_BACKTRACE=1`.
pub fn report_panics() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into());
        let place = info
            .location()
            .map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
        let backtrace = std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0");
        eprintln!(
            "actlab: internal error: {}{place}; this is a bug in actlab, please report it with the command line that caused it{}",
            what.replace('\n', " "),
            if backtrace {
                ""
            } else {
                " (RUST_BACKTRACE=1 shows where it happened)"
            }
        );
        if backtrace {
            eprintln!("{}", std::backtrace::Backtrace::force_capture());
        }
        std::process::exit(i32::from(INTERNAL));
    }));
}

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
                " (out of disk space or over a file-size limit: nothing was left half-written; free space and run the command again, or for training continue with --resume: each run's record keeps its last completed epoch)",
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
