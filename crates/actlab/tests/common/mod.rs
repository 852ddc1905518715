//! What the integration tests share: the real binary, a tiny synthetic dataset it
//! trains on in seconds, and readers of its output.
#![allow(dead_code)] // each test file uses its own share of these

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use data::encode_idx;
use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_actlab");

pub fn actlab(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env_remove("ACTLAB_DATA")
        .output()
        .expect("the actlab binary runs")
}

/// Runs actlab on the tests' synthetic dataset, which is not FashionMNIST by MD5.
pub fn actlab_synthetic(cwd: &Path, args: &[&str]) -> Output {
    let mut args = args.to_vec();
    if args.contains(&"--data-dir") {
        args.push("--no-verify");
    }
    actlab(cwd, &args)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Class c lights rows 2c..2c+2; a deterministic pseudo-random noise floor.
pub fn synthetic_split(n: usize, salt: u32) -> (Vec<u8>, Vec<u8>) {
    let mut images = Vec::with_capacity(n * 784);
    let mut labels = Vec::with_capacity(n);
    let mut state = 12345u32 ^ salt;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state
    };
    for _ in 0..n {
        let class = (next() % 10) as usize;
        labels.push(class as u8);
        for p in 0..784 {
            let noise = (next() % 100) as u8;
            images.push(if (p / 28) / 2 == class {
                155 + noise
            } else {
                noise
            });
        }
    }
    (images, labels)
}

/// Writes a FashionMNIST-shaped dataset (raw IDX files) and returns its folder.
pub fn synthetic_dataset(root: &Path) -> PathBuf {
    let dir = root.join("data");
    std::fs::create_dir_all(&dir).unwrap();
    let (train_x, train_y) = synthetic_split(600, 1);
    let (test_x, test_y) = synthetic_split(200, 2);
    std::fs::write(
        dir.join("train-images-idx3-ubyte"),
        encode_idx(&[600, 28, 28], &train_x),
    )
    .unwrap();
    std::fs::write(
        dir.join("train-labels-idx1-ubyte"),
        encode_idx(&[600], &train_y),
    )
    .unwrap();
    std::fs::write(
        dir.join("t10k-images-idx3-ubyte"),
        encode_idx(&[200, 28, 28], &test_x),
    )
    .unwrap();
    std::fs::write(
        dir.join("t10k-labels-idx1-ubyte"),
        encode_idx(&[200], &test_y),
    )
    .unwrap();
    dir
}

pub const TINY: &[&str] = &[
    "--epochs",
    "2",
    "--hidden",
    "32,16",
    "--lr",
    "0.05",
    "--momentum",
    "0.9",
    "--batch-size",
    "32",
    "--threads",
    "1",
    "--quiet",
];

/// `train` arguments for `acts` on the dataset at `data`, with TINY's settings except
/// those `extra` overrides (clap refuses a repeated flag).
pub fn train_args<'a>(
    data: &'a Path,
    out: &'a str,
    acts: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        "train",
        "--acts",
        acts,
        "--data-dir",
        data.to_str().unwrap(),
        "--out",
        out,
    ];
    let mut tiny = TINY.iter().peekable();
    while let Some(&flag) = tiny.next() {
        let value = tiny.next_if(|v| !v.starts_with("--")).copied();
        if !extra.contains(&flag) {
            args.push(flag);
            args.extend(value);
        }
    }
    args.extend_from_slice(extra);
    args
}

pub fn train(cwd: &Path, data: &Path, out: &str, acts: &str, extra: &[&str]) -> Output {
    actlab_synthetic(cwd, &train_args(data, out, acts, extra))
}

pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

/// The real dataset, looked up as the CLI does; CI installs it, so its absence fails.
pub fn real_dataset() -> PathBuf {
    let env = std::env::var_os("ACTLAB_DATA").map(PathBuf::from);
    data::locate(None, env.as_deref())
        .unwrap_or_else(|e| panic!("this test needs FashionMNIST (run scripts/setup.sh): {e}"))
}

/// The losses and accuracies of every epoch of a run record (timings left out).
pub fn epoch_outcomes(record: &Value) -> Vec<[f64; 4]> {
    record["epochs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            ["train_loss", "train_accuracy", "test_loss", "test_accuracy"]
                .map(|k| e[k].as_f64().unwrap())
        })
        .collect()
}

/// Parses a command's stdout as JSON, failing with its stderr when it is not.
pub fn json_out(o: &Output) -> Value {
    assert!(o.status.success(), "{}", stderr(o));
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

/// The files under `dir`, recursively.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
