//! Standard output, where a closed pipe is a normal end: a reader such as `head` that
//! has seen enough closes it, and actlab stops quietly with exit code 0, as cargo and
//! ripgrep do. Every line a command prints goes through [`outln!`].

use std::io::Write;

/// Writes `bytes` to stdout; on a closed pipe, exits 0 at once; on any other failure to
/// write (a full disk under a redirection), says so on stderr and exits 1.
pub fn write_stdout(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("actlab: cannot write to stdout: {e}");
        std::process::exit(i32::from(crate::failure::RUN));
    }
}

/// `outln!` through [`write_stdout`].
macro_rules! outln {
    () => {
        $crate::out::write_stdout(b"\n")
    };
    ($($arg:tt)*) => {{
        let mut line = format!($($arg)*);
        line.push('\n');
        $crate::out::write_stdout(line.as_bytes())
    }};
}
