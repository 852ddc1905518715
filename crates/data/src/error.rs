//! Everything that can go wrong reading the dataset; each message names the file.

use std::path::PathBuf;

use thiserror::Error;

/// A dataset that cannot be found or read.
#[derive(Debug, Error)]
pub enum DataError {
    /// Images that Burn's MNIST-shaped items (28 x 28) cannot hold.
    #[error("images of {pixels} pixels are not 28 x 28, as MNIST-shaped items need")]
    NotSquareImages {
        /// Pixels per image.
        pixels: usize,
    },
    /// No folder with the dataset in any of the searched places.
    #[error(
        "FashionMNIST not found (looked in {}); install it with `apt-get install {package}` or pass --data-dir DIR (or set {env})",
        .searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    NotFound {
        /// Folders searched, in order.
        searched: Vec<PathBuf>,
        /// The Debian package that provides the files.
        package: &'static str,
        /// The environment variable that names a folder.
        env: &'static str,
    },
    /// A folder given explicitly lacks a file.
    #[error(
        "{dir}: missing {name} (or {name}.gz) from {source_name}; a FashionMNIST folder holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each raw or .gz"
    )]
    MissingFile {
        /// The folder.
        dir: PathBuf,
        /// The expected file stem.
        name: &'static str,
        /// Where the folder came from (`--data-dir`, `$ACTLAB_DATA`, ...).
        source_name: String,
    },
    /// The dataset is not the one a run was trained on.
    #[error(
        "{dir}: not the dataset the run was trained on ({file}: recorded MD5 {recorded}, found {found}); use the same files (--data-dir)"
    )]
    NotTheRecordedData {
        /// The dataset folder now in use.
        dir: PathBuf,
        /// The first file that differs.
        file: String,
        /// Its MD5 in the run's record.
        recorded: String,
        /// Its MD5 now, or "no such file".
        found: String,
    },
    /// The file could not be read.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        error: std::io::Error,
    },
    /// The file looks like gzip but does not decompress.
    #[error("{path}: corrupt gzip data ({message})")]
    Gzip {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        message: String,
    },
    /// The IDX header is wrong.
    #[error("{path}: not an IDX file of unsigned bytes: {problem}")]
    BadHeader {
        /// The file.
        path: PathBuf,
        /// What is wrong with the header.
        problem: String,
    },
    /// The file is shorter (or longer) than its header says.
    #[error("{path}: header promises {expected} data bytes but the file has {found}")]
    Length {
        /// The file.
        path: PathBuf,
        /// Bytes the header promises.
        expected: usize,
        /// Bytes present.
        found: usize,
    },
    /// Images or labels have the wrong shape.
    #[error("{path}: {problem}")]
    Shape {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// The file is not FashionMNIST's.
    #[error(
        "{path}: contents have MD5 {found}, not FashionMNIST's {expected}; the file is corrupt or from another dataset (pass --no-verify to use it anyway)"
    )]
    Checksum {
        /// The file.
        path: PathBuf,
        /// MD5 of its contents.
        found: String,
        /// MD5 of FashionMNIST's contents.
        expected: &'static str,
    },
    /// Image and label files disagree on the number of samples.
    #[error(
        "{images} holds {image_count} images but {labels} holds {label_count} labels; they must match"
    )]
    CountMismatch {
        /// The image file.
        images: PathBuf,
        /// Its count.
        image_count: usize,
        /// The label file.
        labels: PathBuf,
        /// Its count.
        label_count: usize,
    },
}
