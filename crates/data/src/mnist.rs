//! The dataset in memory: images as bytes, labels as bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::checksum::verify;
use crate::error::DataError;
use crate::idx::{IdxArray, read_idx_with_digests};

/// Pixels per image (28 x 28).
pub const IMAGE_PIXELS: usize = 28 * 28;
/// Number of classes.
pub const NUM_CLASSES: usize = 10;

/// Which half of the dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SplitName {
    /// The 60,000 training samples.
    Train,
    /// The 10,000 test samples.
    Test,
}

impl SplitName {
    /// File stems of (images, labels).
    pub fn stems(self) -> (&'static str, &'static str) {
        match self {
            SplitName::Train => ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
            SplitName::Test => ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
        }
    }
}

/// Images and labels of one split, kept as bytes (47 MB for the training split).
#[derive(Clone, Debug)]
pub struct Split {
    images: Vec<u8>,
    labels: Vec<u8>,
    pixels: usize,
}

impl Split {
    /// A split from flat image bytes, labels and pixels per image (synthetic data, tests).
    pub fn new(images: Vec<u8>, labels: Vec<u8>, pixels: usize) -> Result<Self, DataError> {
        let shape = |problem: String| DataError::Shape {
            path: PathBuf::from("<memory>"),
            problem,
        };
        if pixels == 0 || images.len() != labels.len() * pixels {
            return Err(shape(format!(
                "{} image bytes are not {} labels x {pixels} pixels",
                images.len(),
                labels.len()
            )));
        }
        if let Some(pos) = labels.iter().position(|&l| l as usize >= NUM_CLASSES) {
            return Err(shape(format!(
                "label {} at index {pos} is outside 0..{NUM_CLASSES}",
                labels[pos]
            )));
        }
        Ok(Self {
            images,
            labels,
            pixels,
        })
    }

    /// Validates a pair of decoded IDX arrays as images `[n, 28, 28]` and labels `[n]`.
    fn from_idx(
        images: IdxArray,
        image_path: &Path,
        labels: IdxArray,
        label_path: &Path,
    ) -> Result<Self, DataError> {
        if images.dims.len() != 3 || images.dims[1] * images.dims[2] != IMAGE_PIXELS {
            return Err(DataError::Shape {
                path: image_path.to_path_buf(),
                problem: format!(
                    "images have dimensions {:?}; expected [n, 28, 28]",
                    images.dims
                ),
            });
        }
        if labels.dims.len() != 1 {
            return Err(DataError::Shape {
                path: label_path.to_path_buf(),
                problem: format!("labels have dimensions {:?}; expected [n]", labels.dims),
            });
        }
        if images.dims[0] != labels.dims[0] {
            return Err(DataError::CountMismatch {
                images: image_path.to_path_buf(),
                image_count: images.dims[0],
                labels: label_path.to_path_buf(),
                label_count: labels.dims[0],
            });
        }
        if let Some(pos) = labels.data.iter().position(|&l| l as usize >= NUM_CLASSES) {
            return Err(DataError::Shape {
                path: label_path.to_path_buf(),
                problem: format!(
                    "label {} at index {pos} is outside 0..{NUM_CLASSES}",
                    labels.data[pos]
                ),
            });
        }
        Ok(Self {
            images: images.data,
            labels: labels.data,
            pixels: IMAGE_PIXELS,
        })
    }

    /// The first `n` samples (all when there are fewer): shorter epochs for benchmarks.
    pub fn first(&self, n: usize) -> Split {
        let n = n.min(self.len());
        Split {
            images: self.images[..n * self.pixels].to_vec(),
            labels: self.labels[..n].to_vec(),
            pixels: self.pixels,
        }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Pixels per image.
    pub fn pixels(&self) -> usize {
        self.pixels
    }

    /// The raw bytes of image `i`.
    pub fn image(&self, i: usize) -> &[u8] {
        &self.images[i * self.pixels..(i + 1) * self.pixels]
    }

    /// All labels.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }
}

/// Both splits of FashionMNIST and the folder they came from.
#[derive(Clone, Debug)]
pub struct FashionMnist {
    /// The folder the files were read from.
    pub dir: PathBuf,
    /// 60,000 training samples (shared: Burn's data loaders hold them too).
    pub train: Arc<Split>,
    /// 10,000 test samples.
    pub test: Arc<Split>,
    /// MD5 of each file's IDX contents, by file name.
    pub checksums: BTreeMap<String, String>,
}

impl FashionMnist {
    /// Checks that these are the files a run recorded (MD5s of the IDX contents, by file
    /// name, as `run.json` keeps them); a record without checksums matches anything.
    pub fn check_recorded(&self, recorded: &BTreeMap<String, String>) -> Result<(), DataError> {
        for (file, md5) in recorded {
            let found = self.checksums.get(file);
            if found != Some(md5) {
                return Err(DataError::NotTheRecordedData {
                    dir: self.dir.clone(),
                    file: file.clone(),
                    recorded: md5.clone(),
                    found: found.map_or_else(|| "no such file".into(), String::clone),
                });
            }
        }
        Ok(())
    }

    /// Reads the four files from `dir` (each `.gz` or raw); with `verify`, each must be
    /// FashionMNIST's (by MD5), so that another IDX dataset is not taken for it.
    pub fn load(dir: &Path, verify: bool) -> Result<Self, DataError> {
        let mut checksums = BTreeMap::new();
        let train = load_split(dir, SplitName::Train, verify, &mut checksums)?;
        let test = load_split(dir, SplitName::Test, verify, &mut checksums)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            train: Arc::new(train),
            test: Arc::new(test),
            checksums,
        })
    }

    /// The split by name.
    pub fn split(&self, name: SplitName) -> &Split {
        match name {
            SplitName::Train => &self.train,
            SplitName::Test => &self.test,
        }
    }
}

/// The path of a dataset file in `dir`: the `.gz` if present, else the raw file.
pub(crate) fn find_file(dir: &Path, stem: &str) -> Option<PathBuf> {
    [format!("{stem}.gz"), stem.to_string()]
        .into_iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
}

fn load_split(
    dir: &Path,
    name: SplitName,
    check: bool,
    checksums: &mut BTreeMap<String, String>,
) -> Result<Split, DataError> {
    let (image_stem, label_stem) = name.stems();
    let path = |stem: &'static str| {
        find_file(dir, stem).ok_or_else(|| DataError::MissingFile {
            dir: dir.to_path_buf(),
            name: stem,
            source_name: "the dataset folder".to_string(),
        })
    };
    let mut read = |stem: &'static str| -> Result<(IdxArray, PathBuf), DataError> {
        let file = path(stem)?;
        let (array, digests) = read_idx_with_digests(&file)?;
        if check {
            verify(stem, &file, &digests)?;
        }
        let name = file
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        checksums.insert(name, digests.content);
        Ok((array, file))
    };
    let (images, image_path) = read(image_stem)?;
    let (labels, label_path) = read(label_stem)?;
    Split::from_idx(images, &image_path, labels, &label_path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idx::encode_idx;

    fn write_set(dir: &Path, train_n: u32, train_labels: u32) {
        let px = IMAGE_PIXELS;
        let files = [
            (
                "train-images-idx3-ubyte",
                encode_idx(&[train_n, 28, 28], &vec![5; train_n as usize * px]),
            ),
            (
                "train-labels-idx1-ubyte",
                encode_idx(&[train_labels], &vec![1; train_labels as usize]),
            ),
            (
                "t10k-images-idx3-ubyte",
                encode_idx(&[2, 28, 28], &vec![9; 2 * px]),
            ),
            ("t10k-labels-idx1-ubyte", encode_idx(&[2], &[0, 9])),
        ];
        for (name, bytes) in files {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }

    #[test]
    fn loads_raw_files() {
        let dir = tempfile::tempdir().unwrap();
        write_set(dir.path(), 3, 3);
        let ds = FashionMnist::load(dir.path(), false).unwrap();
        assert_eq!(ds.checksums.len(), 4);
        let err = FashionMnist::load(dir.path(), true)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not FashionMNIST's"), "{err}");
        assert_eq!(ds.train.len(), 3);
        assert_eq!(ds.test.labels(), [0, 9]);
        assert_eq!(ds.test.image(1).len(), IMAGE_PIXELS);
        // A run's record matches the files it was trained on, and no others.
        assert!(ds.check_recorded(&ds.checksums).is_ok());
        assert!(ds.check_recorded(&BTreeMap::new()).is_ok());
        let mut other = ds.checksums.clone();
        other.insert("train-images-idx3-ubyte".into(), "0".repeat(32));
        let err = ds.check_recorded(&other).unwrap_err().to_string();
        assert!(
            err.contains("train-images-idx3-ubyte: recorded MD5 0000"),
            "{err}"
        );
    }

    #[test]
    fn count_mismatch_names_both_files() {
        let dir = tempfile::tempdir().unwrap();
        write_set(dir.path(), 3, 4);
        let err = FashionMnist::load(dir.path(), false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("holds 3 images but"), "{err}");
        assert!(
            err.contains("train-labels-idx1-ubyte holds 4 labels"),
            "{err}"
        );
    }

    #[test]
    fn missing_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        write_set(dir.path(), 3, 3);
        std::fs::remove_file(dir.path().join("t10k-labels-idx1-ubyte")).unwrap();
        let err = FashionMnist::load(dir.path(), false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing t10k-labels-idx1-ubyte"), "{err}");
    }

    #[test]
    fn out_of_range_label_is_rejected() {
        assert!(Split::new(vec![0; 4], vec![3, 10], 2).is_err());
        assert!(Split::new(vec![0; 3], vec![3, 1], 2).is_err());
    }
}
