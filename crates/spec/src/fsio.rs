//! Files in and out, the one implementation every crate uses. Reads: only regular files
//! (never a FIFO, a device or a directory, which would block or never end), of a size
//! checked before reading. Writes: atomic, a temporary file in the same folder then a
//! rename, so that an interrupted process never leaves a half-written record,
//! checkpoint or figure behind.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The most bytes a file of each kind may hold before actlab refuses to read it.
pub mod limits {
    /// An experiment config or a file of `[[activation]]` definitions.
    pub const CONFIG: u64 = 16 << 20;
    /// A JSON file actlab wrote (a record, report or figure).
    pub const RECORD: u64 = 1 << 30;
    /// A PyTorch or safetensors state dict.
    pub const STATE_DICT: u64 = 4 << 30;
    /// A dataset file (IDX, raw or gzip).
    pub const DATASET: u64 = 2 << 30;
}

/// Reads all of `path`, which must be a regular file (a symlink to one is followed) of
/// at most `limit` bytes; `what` names it in errors ("config", "state dict"). The size is
/// checked before reading and again while reading (the file may grow meanwhile).
pub fn read_limited(path: &Path, limit: u64, what: &str) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind};
    let refuse = |problem: String| Error::new(ErrorKind::InvalidInput, problem);
    let kind_of = |m: &std::fs::Metadata| {
        use std::os::unix::fs::FileTypeExt;
        let t = m.file_type();
        if t.is_dir() {
            "a folder"
        } else if t.is_fifo() {
            "a named pipe"
        } else if t.is_char_device() || t.is_block_device() {
            "a device"
        } else if t.is_socket() {
            "a socket"
        } else {
            "not a regular file"
        }
    };
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(refuse(format!(
            "is {}, not a regular file; give the {what} file itself",
            kind_of(&meta)
        )));
    }
    let too_big = |size: u64| {
        refuse(format!(
            "is {size} bytes, more than the {limit} a {what} may hold here"
        ))
    };
    if meta.len() > limit {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path)?;
    // The file opened may not be the one looked at (a swapped symlink): look again.
    let opened = file.metadata()?;
    if !opened.is_file() {
        return Err(refuse(format!(
            "is {}, not a regular file",
            kind_of(&opened)
        )));
    }
    let mut bytes = Vec::with_capacity(opened.len().min(limit) as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// [`read_limited`] as UTF-8 text.
pub fn read_limited_text(path: &Path, limit: u64, what: &str) -> std::io::Result<String> {
    String::from_utf8(read_limited(path, limit, what)?).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// The temporary name used while `path` is being written: `.tmp-<host>-<pid>-<name>`
/// in the same folder (the host, as processes of several machines may write one shared
/// folder; the extension stays last, as image encoders pick the format from it).
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(
        ".tmp-{}-{}-{name}",
        crate::claim::host_name(),
        std::process::id()
    ))
}

/// Whether a file name is a temporary of [`temp_path`] (or of the `.<name>.tmp-<pid>`
/// form that actlab wrote before 0.2), which a killed process may leave behind.
pub fn is_temporary(name: &str) -> bool {
    name.starts_with(".tmp-") || (name.starts_with('.') && name.contains(".tmp-"))
}

/// Removes the temporaries a killed process left in `dir` (never results: those are
/// renamed into place only once complete).
pub fn remove_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if is_temporary(&entry.file_name().to_string_lossy()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Writes `path` by letting `write` fill a temporary file beside it, then renaming it
/// into place; on failure the temporary is removed and `path` is untouched. The parent
/// folder is created when missing.
pub fn write_via_temp<E: From<std::io::Error>>(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), E>,
) -> Result<(), E> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = temp_path(path);
    let result = write(&tmp).and_then(|()| std::fs::rename(&tmp, path).map_err(E::from));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes `bytes` to `path` only if no file is there, atomically: the bytes go to a
/// temporary, which is then hard-linked into place (a link never replaces a file, on
/// local and network file systems alike). Returns whether this call wrote it; when
/// several processes race, exactly one does.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = temp_path(path);
    let written = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        match std::fs::hard_link(&tmp, path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        }
    })();
    let _ = std::fs::remove_file(&tmp);
    written
}

/// Writes `bytes` to `path` atomically (creating the parent folder), synced to disk.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_via_temp(path, |tmp| {
        let mut file = std::fs::File::create(tmp)?;
        file.write_all(bytes)?;
        file.sync_all()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("spec-fsio-{}", std::process::id()));
        let path = dir.join("sub/a.json");
        write_atomic(&path, b"[1, 2]\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "[1, 2]\n");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1);
        let failed: std::io::Result<()> = write_via_temp(&dir.join("b"), |tmp| {
            std::fs::write(tmp, b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert!(!dir.join("b").exists());
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "temporary removed"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_new_file_is_written_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("experiment.json");
        assert!(write_new(&path, b"first").unwrap());
        assert!(!write_new(&path, b"second").unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary left"
        );
    }

    #[test]
    fn temporaries_are_recognised_in_both_spellings() {
        let tmp = temp_path(Path::new("a/run.json"));
        assert!(is_temporary(&tmp.file_name().unwrap().to_string_lossy()));
        assert!(is_temporary(".run.json.tmp-123"));
        assert!(!is_temporary("run.json"));
        assert!(!is_temporary("epoch-1.bpk"));
    }

    /// Only regular files are read: a FIFO is refused without blocking, a symlink to a
    /// device without reading it, a folder by name; and sizes are bounded.
    #[test]
    fn only_regular_files_of_bounded_size_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.json");
        std::fs::write(&file, b"0123456789").unwrap();
        assert_eq!(read_limited(&file, 10, "record").unwrap(), b"0123456789");
        let big = read_limited(&file, 9, "record").unwrap_err().to_string();
        assert!(big.contains("10 bytes, more than the 9 a record"), "{big}");
        let fifo = dir.path().join("pipe");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let e = read_limited(&fifo, 10, "record").unwrap_err().to_string();
        assert!(e.contains("a named pipe"), "{e}");
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let e = read_limited(&zero, 1 << 40, "state dict")
            .unwrap_err()
            .to_string();
        assert!(e.contains("a device"), "{e}");
        let e = read_limited(dir.path(), 10, "config")
            .unwrap_err()
            .to_string();
        assert!(e.contains("a folder"), "{e}");
        std::fs::write(&file, b"\xff\xfe").unwrap();
        assert!(read_limited_text(&file, 10, "config").is_err());
    }
}
