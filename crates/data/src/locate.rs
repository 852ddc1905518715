//! Where the dataset lives: `--data-dir`, `$ACTLAB_DATA`, `./data/fashion-mnist`,
//! then Debian's package folder, first match wins.

use std::path::{Path, PathBuf};

use crate::error::DataError;
use crate::mnist::{SplitName, find_file};

/// Environment variable naming the dataset folder.
pub const DATA_ENV: &str = "ACTLAB_DATA";
/// Folder searched relative to the working directory.
pub const LOCAL_DIR: &str = "data/fashion-mnist";
/// Where Debian's package installs the files.
pub const DEBIAN_DIR: &str = "/usr/share/datasets/fashion-mnist";
/// The Debian package that provides the files.
pub const DEBIAN_PACKAGE: &str = "dataset-fashion-mnist";

fn stems() -> [&'static str; 4] {
    let (a, b) = SplitName::Train.stems();
    let (c, d) = SplitName::Test.stems();
    [a, b, c, d]
}

/// The first file missing from `dir`, if any.
fn first_missing(dir: &Path) -> Option<&'static str> {
    stems().into_iter().find(|s| find_file(dir, s).is_none())
}

/// Finds the dataset folder. A folder named explicitly (flag or environment) must hold
/// all four files: falling through to another folder would silently use other data.
pub fn locate(flag: Option<&Path>, env: Option<&Path>) -> Result<PathBuf, DataError> {
    let explicit = [(flag, "--data-dir"), (env, "$ACTLAB_DATA")];
    if let Some((dir, source)) = explicit
        .iter()
        .find_map(|(dir, source)| dir.map(|d| (d, *source)))
    {
        return match first_missing(dir) {
            None => Ok(dir.to_path_buf()),
            Some(name) => Err(DataError::MissingFile {
                dir: dir.to_path_buf(),
                name,
                source_name: source.to_string(),
            }),
        };
    }
    let searched = [PathBuf::from(LOCAL_DIR), PathBuf::from(DEBIAN_DIR)];
    searched
        .iter()
        .find(|dir| first_missing(dir).is_none())
        .cloned()
        .ok_or(DataError::NotFound {
            searched: searched.to_vec(),
            package: DEBIAN_PACKAGE,
            env: DATA_ENV,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_folder_must_be_complete() {
        let dir = tempfile::tempdir().unwrap();
        let err = locate(Some(dir.path()), None).unwrap_err().to_string();
        assert!(err.contains("missing train-images-idx3-ubyte"), "{err}");
        assert!(err.contains("--data-dir"), "{err}");
        let err = locate(None, Some(dir.path())).unwrap_err().to_string();
        assert!(err.contains("$ACTLAB_DATA"), "{err}");
    }

    #[test]
    fn flag_wins_over_environment() {
        let full = tempfile::tempdir().unwrap();
        for s in stems() {
            std::fs::write(full.path().join(format!("{s}.gz")), b"").unwrap();
        }
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(
            locate(Some(full.path()), Some(empty.path())).unwrap(),
            full.path()
        );
    }
}
