//! Dataset integrity: the four files must be FashionMNIST's, byte for byte.
//!
//! Zalando publishes MD5s of the `.gz` files. Debian's `dataset-fashion-mnist` ships the
//! same data recompressed (other gzip headers, so other `.gz` MD5s), and users may keep
//! the files uncompressed. A file is accepted when either its own MD5 is the official
//! `.gz` one or the MD5 of its decompressed contents is that of the official data.

use std::path::Path;

use crate::error::DataError;

/// MD5s of one file: of the bytes on disk, and of the (decompressed) IDX contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digests {
    /// MD5 of the file as stored.
    pub file: String,
    /// MD5 of the IDX bytes after decompression (equal to `file` for a raw file).
    pub content: String,
}

/// Hex MD5 of `bytes`.
pub(crate) fn md5_hex(bytes: &[u8]) -> String {
    format!("{:x}", md5::compute(bytes))
}

/// (stem, official `.gz` MD5, MD5 of the decompressed IDX contents).
const KNOWN: [(&str, &str, &str); 4] = [
    (
        "train-images-idx3-ubyte",
        "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    ),
    (
        "train-labels-idx1-ubyte",
        "25c81989df183df01b3e8a0aad5dffbe",
        "9018921c3c673c538a1fc5bad174d6f9",
    ),
    (
        "t10k-images-idx3-ubyte",
        "bef4ecab320f06d8554ea6380940ec79",
        "8181f5470baa50b63fa0f6fddb340f0a",
    ),
    (
        "t10k-labels-idx1-ubyte",
        "bb300cfdad3c16e7a12a480ee83cd310",
        "15d484375f8d13e6eb1aabb0c3f46965",
    ),
];

/// Checks one file of the dataset by its stem.
pub(crate) fn verify(stem: &str, path: &Path, digests: &Digests) -> Result<(), DataError> {
    let Some(&(_, gz, content)) = KNOWN.iter().find(|(s, _, _)| *s == stem) else {
        return Ok(());
    };
    if digests.file == gz || digests.content == content {
        return Ok(());
    }
    Err(DataError::Checksum {
        path: path.to_path_buf(),
        found: digests.content.clone(),
        expected: content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_of_known_strings() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
    }

    #[test]
    fn accepts_official_gz_or_official_contents_only() {
        let path = Path::new("t10k-labels-idx1-ubyte.gz");
        let official_gz = Digests {
            file: "bb300cfdad3c16e7a12a480ee83cd310".into(),
            content: "x".into(),
        };
        assert!(verify("t10k-labels-idx1-ubyte", path, &official_gz).is_ok());
        let recompressed = Digests {
            file: "y".into(),
            content: "15d484375f8d13e6eb1aabb0c3f46965".into(),
        };
        assert!(verify("t10k-labels-idx1-ubyte", path, &recompressed).is_ok());
        let other = Digests {
            file: "y".into(),
            content: "z".into(),
        };
        let err = verify("t10k-labels-idx1-ubyte", path, &other)
            .unwrap_err()
            .to_string();
        assert!(err.contains("--no-verify"), "{err}");
    }
}
