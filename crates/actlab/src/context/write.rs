//! Records and figures written to disk, and what `--json` says was written.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use serde::Serialize;
use spec::artifact::{self, Artifact};
use viz::Drawing;

use crate::context::print::print_json;
use crate::failure::{Failure, failed, input};

/// The one overwrite policy: a file a command is asked to write replaces an existing
/// one only with `--force`. Called with every file a command will write, before any
/// work, so that a refusal leaves everything as it was.
pub fn check_new(
    files: impl IntoIterator<Item = impl AsRef<Path>>,
    force: bool,
) -> Result<(), Failure> {
    if force {
        return Ok(());
    }
    let existing = files
        .into_iter()
        .find(|f| f.as_ref().symlink_metadata().is_ok());
    match existing {
        Some(file) => Err(input(anyhow!(
            "{} exists; pass --force to replace it, or choose another place (--out, --to, --script)",
            file.as_ref().display()
        ))),
        None => Ok(()),
    }
}

/// The files a figure with the stem `stem` is written as: its SVG and PNG, and with
/// `data` its JSON (a figure no record holds the data of).
pub fn figure_files(stem: &Path, data: bool) -> Vec<PathBuf> {
    let suffixed = |extension: &str| {
        let mut name = stem.as_os_str().to_os_string();
        name.push(".");
        name.push(extension);
        PathBuf::from(name)
    };
    let mut files = vec![suffixed("svg"), suffixed("png")];
    if data {
        files.push(suffixed("json"));
    }
    files
}

/// The files a probe's report at `report` is written as: the report and its figure.
pub fn probe_files(report: &Path) -> Vec<PathBuf> {
    let mut files = vec![report.to_path_buf()];
    files.extend(figure_files(&spec::layout::probe_figure(report), false));
    files
}

/// Writes `value` to `path` with its tag.
pub fn write_record<T: Artifact>(path: &Path, value: &T) -> Result<(), Failure> {
    artifact::write(path, value)
        .with_context(|| format!("cannot write {}", path.display()))
        .map_err(failed)
}

/// Writes the picture of a saved record (`<stem>.svg` and `.png`; the record is its
/// data) and returns their paths.
pub fn write_drawing(drawing: impl Into<Drawing>, stem: &Path) -> Result<Vec<PathBuf>, Failure> {
    drawing
        .into()
        .write_pictures(stem)
        .with_context(|| format!("cannot write the figure {}", stem.display()))
        .map_err(failed)
}

/// Writes a figure that no saved record holds the data of: `<stem>.json` (its data, so
/// that `plot --from` draws it again) beside its `.svg` and `.png`.
pub fn write_figure(drawing: impl Into<Drawing>, stem: &Path) -> Result<Vec<PathBuf>, Failure> {
    drawing
        .into()
        .write_all(stem)
        .with_context(|| format!("cannot write the figure {}", stem.display()))
        .map_err(failed)
}

/// A record written with its figure: what a command reports, and as `--json` prints it.
#[derive(Serialize)]
pub struct Written<T: Serialize> {
    /// The record's file.
    pub report: PathBuf,
    /// The figure's files (its JSON where it has one, SVG and PNG).
    pub figure: Vec<PathBuf>,
    /// The record.
    pub record: T,
}

/// Writes a probe's `record` to `out` and the picture `drawing` of it beside it
/// (`<out>-figure.svg` and `.png`; the record is its data).
pub fn write_probe<T: Artifact>(
    out: &Path,
    record: T,
    drawing: impl Into<Drawing>,
) -> Result<Written<T>, Failure> {
    write_record(out, &record)?;
    let figure = write_drawing(drawing, &spec::layout::probe_figure(out))?;
    Ok(Written {
        report: out.to_path_buf(),
        figure,
        record,
    })
}

/// Prints, as JSON, what a command wrote for each of several inputs.
pub fn print_written<T: Serialize>(written: &[Written<T>]) -> Result<(), Failure> {
    print_json(&written)
}
