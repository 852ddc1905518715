//! The real binary on tiny inputs: a synthetic IDX dataset written by the tests, so
//! training runs take seconds; plus one probe on the real FashionMNIST.

mod bad_input;
#[path = "../common/mod.rs"]
mod common;
mod probes;
mod references;
mod registry;
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
