//! The IDX format: a big-endian header (two zero bytes, a type code, the rank, one
//! u32 per dimension) followed by the data, optionally gzip-compressed as a whole.

use std::io::Read;
use std::path::Path;

use flate2::read::GzDecoder;

use crate::checksum::{Digests, md5_hex};
use crate::error::DataError;

/// IDX type code for unsigned bytes, the only type FashionMNIST uses.
const UBYTE: u8 = 0x08;
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A decoded IDX array of unsigned bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdxArray {
    /// Dimensions, outermost first.
    pub dims: Vec<usize>,
    /// Row-major data, `dims.iter().product()` bytes.
    pub data: Vec<u8>,
}

/// Reads an IDX file, decompressing it when it starts with the gzip magic.
pub fn read_idx(path: &Path) -> Result<IdxArray, DataError> {
    read_idx_with_digests(path).map(|(array, _)| array)
}

/// Reads an IDX file and the MD5s of its stored and decompressed bytes.
pub(crate) fn read_idx_with_digests(path: &Path) -> Result<(IdxArray, Digests), DataError> {
    let io = |error| DataError::Io {
        path: path.to_path_buf(),
        error,
    };
    let raw =
        spec::fsio::read_limited(path, spec::fsio::limits::DATASET, "dataset file").map_err(io)?;
    let file_md5 = md5_hex(&raw);
    let compressed = raw.starts_with(&GZIP_MAGIC);
    let bytes = decompress(raw, path)?;
    // A raw file's contents are the file: hash 47 MB once, not twice.
    let content = if compressed {
        md5_hex(&bytes)
    } else {
        file_md5.clone()
    };
    let digests = Digests {
        file: file_md5,
        content,
    };
    Ok((parse_idx(&bytes, path)?, digests))
}

/// The IDX bytes of a file's contents: gunzipped when they start with the gzip magic,
/// as they are otherwise; `path` labels errors.
pub fn decompress(raw: Vec<u8>, path: &Path) -> Result<Vec<u8>, DataError> {
    if !raw.starts_with(&GZIP_MAGIC) {
        return Ok(raw);
    }
    // Bounded: a small file of zeros can unpack to any size.
    let limit = spec::fsio::limits::DATASET;
    let mut out = Vec::with_capacity(raw.len() * 4);
    GzDecoder::new(raw.as_slice())
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| DataError::Gzip {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    if out.len() as u64 > limit {
        return Err(DataError::Gzip {
            path: path.to_path_buf(),
            message: format!(
                "unpacks to more than {limit} bytes, more than a dataset file may hold"
            ),
        });
    }
    Ok(out)
}

/// Encodes an array of unsigned bytes as IDX (for writing test data or other datasets).
pub fn encode_idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, UBYTE, dims.len() as u8];
    for d in dims {
        out.extend(d.to_be_bytes());
    }
    out.extend(data);
    out
}

/// Parses IDX bytes; `path` only labels errors.
pub fn parse_idx(bytes: &[u8], path: &Path) -> Result<IdxArray, DataError> {
    let bad = |problem: String| DataError::BadHeader {
        path: path.to_path_buf(),
        problem,
    };
    if bytes.len() < 4 {
        return Err(bad(format!(
            "{} bytes is shorter than the 4-byte magic number",
            bytes.len()
        )));
    }
    let magic = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    if bytes[0] != 0 || bytes[1] != 0 || bytes[2] != UBYTE {
        return Err(bad(format!(
            "magic number 0x{magic:08x}; expected 0x0000080N (unsigned bytes, rank N)"
        )));
    }
    let rank = bytes[3] as usize;
    if rank == 0 {
        return Err(bad("rank 0 in magic number 0x00000800".to_string()));
    }
    let header_len = 4 + 4 * rank;
    if bytes.len() < header_len {
        return Err(bad(format!(
            "rank {rank} needs a {header_len}-byte header but the file has {} bytes",
            bytes.len()
        )));
    }
    let dims: Vec<usize> = bytes[4..header_len]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let expected = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| bad(format!("dimensions {dims:?} overflow")))?;
    let found = bytes.len() - header_len;
    if found != expected {
        return Err(DataError::Length {
            path: path.to_path_buf(),
            expected,
            found,
        });
    }
    Ok(IdxArray {
        dims,
        data: bytes[header_len..].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_valid_array() {
        let bytes = encode_idx(&[2, 3], &[1, 2, 3, 4, 5, 6]);
        let arr = parse_idx(&bytes, Path::new("x")).unwrap();
        assert_eq!(arr.dims, [2, 3]);
        assert_eq!(arr.data, [1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn rejects_wrong_magic() {
        let mut bytes = encode_idx(&[2], &[1, 2]);
        bytes[2] = 0x0D; // float type
        let err = parse_idx(&bytes, Path::new("f.idx"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("f.idx") && err.contains("0x00000d01"), "{err}");
    }

    #[test]
    fn rejects_truncated_and_overlong_data() {
        let bytes = encode_idx(&[4], &[1, 2, 3]);
        let err = parse_idx(&bytes, Path::new("t")).unwrap_err().to_string();
        assert!(
            err.contains("promises 4 data bytes but the file has 3"),
            "{err}"
        );
        let bytes = encode_idx(&[1], &[1, 2]);
        assert!(parse_idx(&bytes, Path::new("t")).is_err());
        assert!(parse_idx(&[0, 0], Path::new("t")).is_err());
        assert!(parse_idx(&[0, 0, 8, 3, 0, 0], Path::new("t")).is_err());
    }

    #[test]
    fn reads_gzip_and_reports_corrupt_gzip() {
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let bytes = encode_idx(&[3], &[7, 8, 9]);
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(&bytes).unwrap();
        let gz = enc.finish().unwrap();
        let good = dir.path().join("a.gz");
        std::fs::write(&good, &gz).unwrap();
        assert_eq!(read_idx(&good).unwrap().data, [7, 8, 9]);
        let bad = dir.path().join("b.gz");
        std::fs::write(&bad, &gz[..gz.len() / 2]).unwrap();
        let err = read_idx(&bad).unwrap_err().to_string();
        assert!(err.contains("b.gz: corrupt gzip"), "{err}");
    }
}
