//! The real binary on tiny inputs: a synthetic IDX dataset written by the tests, so
//! training runs take seconds; plus one probe on the real FashionMNIST.

mod bad_input;
#[path = "../common/mod.rs"]
mod common;
mod probes;
mod references;
mod registry;
mod search;
mod settings;
mod statistics;
mod training;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use data::encode_idx;
use serde_json::Value;

/// This crate's folder, as cargo gives it to the running test (a build folder shared
/// between clones can hand a fresh clone a test binary compiled in another one, whose
/// compile-time `env!("CARGO_MANIFEST_DIR")` would point there).
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// A run on the synthetic data learned its classes. Each class lights two rows of the
/// image 155 levels above noise of at most 99, so the classes are linearly separable
/// with a wide margin: the tiny settings used here reach 100 % of the 200 test images in
/// their two epochs (the gated network at lr 0.003, 88.5 %), where chance is 10 %. A
/// wrong gradient, a shuffled label or a layer skipped stays far below `at_least`.
fn assert_learned(accuracy: f64, at_least: f64, what: &str) {
    assert!(
        accuracy >= at_least,
        "{what}: {:.1} % on separable synthetic classes, expected at least {:.0} %",
        accuracy * 100.0,
        at_least * 100.0
    );
}
