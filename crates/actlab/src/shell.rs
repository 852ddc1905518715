//! Text that a shell will read: the one quoting function every value that reaches a
//! shell goes through, and the one-line form of a value shown in a script's comments.
//! (Commands actlab starts itself, the `--jobs` workers, get their arguments as an
//! argument vector, never through a shell.)

/// `word` as one POSIX shell word: in single quotes, each `'` written `'\''`. Every byte
/// but NUL (which no path or argument can hold) stands for itself inside single quotes,
/// newlines, `$`, backticks and invalid UTF-8 included, in `sh`, `bash` and `dash` alike.
pub fn quote(word: &[u8]) -> Vec<u8> {
    let mut quoted = Vec::with_capacity(word.len() + 2);
    quoted.push(b'\'');
    for &byte in word {
        if byte == b'\'' {
            quoted.extend_from_slice(b"'\\''");
        } else {
            quoted.push(byte);
        }
    }
    quoted.push(b'\'');
    quoted
}

/// `words` quoted and joined by spaces: a command line for `sh -c`.
pub fn command_line<'a>(words: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut line = Vec::new();
    for word in words {
        if !line.is_empty() {
            line.push(b' ');
        }
        line.extend(quote(word));
    }
    line
}

/// `text` for a comment: one line, every control character and invalid byte escaped
/// (`\n`, `\x1b`), so that nothing in it can end the comment.
pub fn one_line(text: &[u8]) -> String {
    text.utf8_chunks()
        .flat_map(|chunk| {
            let valid = chunk.valid().chars().flat_map(|c| {
                let escaped: Vec<char> = if c.is_control() {
                    c.escape_default().collect()
                } else {
                    vec![c]
                };
                escaped
            });
            let invalid = chunk
                .invalid()
                .iter()
                .flat_map(|b| format!("\\x{b:02x}").chars().collect::<Vec<_>>());
            valid.chain(invalid).collect::<Vec<_>>()
        })
        .collect()
}

/// The bytes of a path as the operating system holds them.
pub fn bytes(path: &std::path::Path) -> &[u8] {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    use std::process::Command;

    /// Strings a path or a flag could hold that a careless script would run or split.
    pub(crate) fn hostile() -> Vec<Vec<u8>> {
        let mut words: Vec<Vec<u8>> = [
            "plain",
            "with space",
            "Bob's runs",
            "''",
            "\"double\"",
            "$(touch pwned)",
            "`touch pwned`",
            "$HOME",
            "a;touch pwned",
            "a|b&c>d<e",
            "new\nline",
            "tab\there",
            "back\\slash",
            "'$(touch pwned)'",
            "*",
            "-n",
            "ünïcödé",
            "",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        words.push(vec![0xff, 0xfe, b'x', 0x80]);
        words.push(b"caf\xe9 \xc3\x28".to_vec());
        // A deterministic spread of random bytes (no NUL), as a property test would draw.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for len in 1..40 {
            let word = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state % 255) as u8 + 1
                })
                .collect();
            words.push(word);
        }
        words
    }

    /// Each hostile word reaches a program as exactly one argument, itself, through
    /// `sh -c` — and nothing in it runs.
    #[test]
    fn every_word_survives_the_shell() {
        let dir = tempfile::tempdir().unwrap();
        for word in hostile() {
            let line = command_line([b"printf".as_slice(), b"%s".as_slice(), &word]);
            let out = Command::new("sh")
                .arg("-c")
                .arg(OsStr::from_bytes(&line))
                .current_dir(dir.path())
                .output()
                .unwrap();
            assert!(out.status.success(), "{:?}", String::from_utf8_lossy(&line));
            assert_eq!(out.stdout, word, "{:?}", String::from_utf8_lossy(&line));
        }
        assert!(
            !dir.path().join("pwned").exists(),
            "a quoted word ran a command"
        );
    }

    /// Quoted twice (a command line inside a quoted argument, as `sbatch --wrap` takes
    /// it), a word still arrives as itself.
    #[test]
    fn a_quoted_command_line_quotes_again() {
        let dir = tempfile::tempdir().unwrap();
        for word in hostile() {
            let inner = command_line([b"printf".as_slice(), b"%s".as_slice(), &word]);
            let outer = command_line([b"sh".as_slice(), b"-c".as_slice(), &inner]);
            let out = Command::new("sh")
                .arg("-c")
                .arg(OsStr::from_bytes(&outer))
                .current_dir(dir.path())
                .output()
                .unwrap();
            assert_eq!(out.stdout, word);
        }
        assert!(!dir.path().join("pwned").exists());
    }

    #[test]
    fn comments_stay_on_one_line() {
        for word in hostile() {
            let line = one_line(&word);
            assert!(!line.contains('\n') && !line.contains('\r'), "{line}");
        }
        assert_eq!(one_line(b"a\nb"), "a\\nb");
        assert_eq!(one_line(b"caf\xe9"), "caf\\xe9");
    }
}
