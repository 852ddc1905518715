//! Every JSON file actlab writes is an artefact: it begins with a `kind` tag saying what
//! it holds and the `format` version of that kind, then the record's own fields.
//!
//! ```json
//! { "kind": "run", "format": 1, "actlab_version": "0.1.0", ... }
//! ```
//!
//! Readers dispatch on the tag ([`read_any`]) or ask for one kind ([`read`]). Files
//! written before the tag existed (format 0, such as the committed reference results)
//! are recognised by the tags they had then (`"kind": "actlab-figure"`, `"probe":
//! "gradients"`) or, for the records that had none, by their file name; that rule lives
//! in [`identify`] and nowhere else.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::experiment::ExperimentFile;
use crate::figure::{Figure, SurfaceFigure};
use crate::file_kind::ArtifactKind;
use crate::fsio::write_atomic;
use crate::layout::{ExperimentLayout, RunLayout};
use crate::record::curvature::{HessianReport, LandscapeReport, NtkReport};
use crate::record::probe::{
    DeadNeuronReport, GradientReport, OutputReport, ProbeRecord, SurfaceReport,
};
use crate::record::run::RunRecord;
use crate::record::search::{CandidateList, Leaderboard};
use crate::record::summary::SummaryTable;
use crate::record::transfer::TransferTable;
use crate::search::SearchFile;

/// A record that is saved as a tagged JSON file.
pub trait Artifact: Serialize + DeserializeOwned {
    /// Its tag.
    const KIND: ArtifactKind;
    /// The format this version of actlab writes; raised whenever the shape changes, with
    /// [`Artifact::read_older`] taught to read the previous one.
    const FORMAT: u32 = 1;

    /// Reads a file of an older `format` (0: written before files carried a tag). The
    /// default suits kinds whose fields have not changed shape since.
    fn read_older(format: u32, text: &str) -> serde_json::Result<Self> {
        let _ = format;
        read_body(text)
    }
}

/// A saved file that cannot be read as what it was asked for.
#[derive(Debug, Error)]
pub enum ArtifactError {
    /// The file cannot be read.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        error: std::io::Error,
    },
    /// The file is not a JSON object.
    #[error("{path}: not an actlab file ({message})")]
    NotJson {
        /// The file.
        path: PathBuf,
        /// What the JSON parser said.
        message: String,
    },
    /// The file says nothing about what it is.
    #[error(
        "{path}: not an actlab file (no \"kind\" tag; actlab's files say what they are, e.g. \"kind\": \"run\")"
    )]
    Untagged {
        /// The file.
        path: PathBuf,
    },
    /// The tag names no kind this version knows.
    #[error("{path}: unknown kind \"{tag}\" (known: {known})")]
    UnknownKind {
        /// The file.
        path: PathBuf,
        /// Its tag.
        tag: String,
        /// Every known kind.
        known: String,
    },
    /// A file of another kind than the one asked for.
    #[error("{path}: holds a {found} record, not a {expected} one")]
    WrongKind {
        /// The file.
        path: PathBuf,
        /// What it holds.
        found: ArtifactKind,
        /// What was asked for.
        expected: ArtifactKind,
    },
    /// Written by a newer actlab.
    #[error(
        "{path}: a {kind} file of format {found}, newer than this actlab reads (up to {newest}); use a newer actlab"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its kind.
        kind: ArtifactKind,
        /// Its format.
        found: u32,
        /// The newest format this version reads.
        newest: u32,
    },
    /// The fields do not make a record of its kind.
    #[error("{path}: not a readable {kind} file: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Its kind.
        kind: ArtifactKind,
        /// What the parser said.
        message: String,
    },
}

/// What a file says about itself, read before its body.
#[derive(Deserialize)]
struct Header {
    kind: Option<String>,
    format: Option<u32>,
    /// The tag of probe reports before 0.2.
    probe: Option<String>,
}

/// The tag and the body, written in this order.
#[derive(Serialize)]
struct Tagged<'a, T> {
    kind: ArtifactKind,
    format: u32,
    #[serde(flatten)]
    body: &'a T,
}

/// The body of a tagged file, whatever tag fields sit beside it.
#[derive(Deserialize)]
struct Body<T> {
    #[serde(flatten)]
    body: T,
}

/// Parses a file's fields as `T`, ignoring its tag.
pub fn read_body<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    serde_json::from_str::<Body<T>>(text).map(|b| b.body)
}

/// What `text` (read from `path`) holds, and in which format.
pub fn identify(text: &str, path: &Path) -> Result<(ArtifactKind, u32), ArtifactError> {
    let header: Header = serde_json::from_str(text).map_err(|e| ArtifactError::NotJson {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let legacy_by_name = || {
        let name = path.file_name()?.to_str()?;
        match name {
            RunLayout::RECORD => Some(ArtifactKind::Run),
            ExperimentLayout::CONFIG => Some(ArtifactKind::Experiment),
            "summary.json" => Some(ArtifactKind::Summary),
            _ => None,
        }
    };
    let kind_of = |tag: &str| {
        tag.parse::<ArtifactKind>()
            .map_err(|_| ArtifactError::UnknownKind {
                path: path.to_path_buf(),
                tag: tag.to_string(),
                known: ArtifactKind::NAMES.join(", "),
            })
    };
    let (kind, format) = match (header.kind.as_deref(), header.probe.as_deref()) {
        // The tags of figures before 0.2.
        (Some("actlab-figure"), _) => (ArtifactKind::Figure, 0),
        (Some("actlab-surface"), _) => (ArtifactKind::SurfaceFigure, 0),
        (Some(tag), _) => (kind_of(tag)?, header.format.unwrap_or(0)),
        // Probe reports before 0.2 said what they were in `probe`.
        (None, Some(probe)) => (kind_of(probe)?, 0),
        (None, None) => match legacy_by_name() {
            Some(kind) => (kind, 0),
            None => {
                return Err(ArtifactError::Untagged {
                    path: path.to_path_buf(),
                });
            }
        },
    };
    Ok((kind, format))
}

/// Parses `text` (from `path`) as a `T`.
pub fn parse<T: Artifact>(text: &str, path: &Path) -> Result<T, ArtifactError> {
    let (kind, format) = identify(text, path)?;
    parse_as(text, path, kind, format)
}

fn parse_as<T: Artifact>(
    text: &str,
    path: &Path,
    kind: ArtifactKind,
    format: u32,
) -> Result<T, ArtifactError> {
    if kind != T::KIND {
        return Err(ArtifactError::WrongKind {
            path: path.to_path_buf(),
            found: kind,
            expected: T::KIND,
        });
    }
    if format > T::FORMAT {
        return Err(ArtifactError::TooNew {
            path: path.to_path_buf(),
            kind,
            found: format,
            newest: T::FORMAT,
        });
    }
    let parsed = if format == T::FORMAT {
        read_body(text)
    } else {
        T::read_older(format, text)
    };
    parsed.map_err(|e| ArtifactError::Invalid {
        path: path.to_path_buf(),
        kind,
        message: e.to_string(),
    })
}

fn read_text(path: &Path) -> Result<String, ArtifactError> {
    crate::fsio::read_limited_text(path, crate::fsio::limits::RECORD, "record").map_err(|error| {
        ArtifactError::Io {
            path: path.to_path_buf(),
            error,
        }
    })
}

/// Reads the `T` saved at `path`.
pub fn read<T: Artifact>(path: &Path) -> Result<T, ArtifactError> {
    parse(&read_text(path)?, path)
}

/// `value` as pretty JSON with its tag first, ending in a newline.
pub fn to_json<T: Artifact>(value: &T) -> String {
    let tagged = Tagged {
        kind: T::KIND,
        format: T::FORMAT,
        body: value,
    };
    let mut text =
        serde_json::to_string_pretty(&tagged).expect("records serialise: plain data, string keys");
    text.push('\n');
    text
}

/// Writes `value` to `path` with its tag, atomically.
pub fn write<T: Artifact>(path: &Path, value: &T) -> std::io::Result<()> {
    write_atomic(path, to_json(value).as_bytes())
}

/// Any saved file, read by its tag.
#[derive(Clone, Debug, PartialEq)]
pub enum AnyArtifact {
    /// An experiment's resolved config.
    Experiment(Box<ExperimentFile>),
    /// A run record.
    Run(Box<RunRecord>),
    /// A summary table.
    Summary(SummaryTable),
    /// A figure.
    Figure(Figure),
    /// An activation surface as drawn.
    SurfaceFigure(SurfaceFigure),
    /// An activation-surface report.
    Surface(SurfaceReport),
    /// A dead-neuron report.
    DeadNeurons(ProbeRecord<DeadNeuronReport>),
    /// A gradient report.
    Gradients(ProbeRecord<GradientReport>),
    /// A layer-output report.
    Outputs(ProbeRecord<OutputReport>),
    /// A Hessian report.
    Hessian(Box<ProbeRecord<HessianReport>>),
    /// A loss-landscape report.
    Landscape(ProbeRecord<LandscapeReport>),
    /// A neural-tangent-kernel report.
    Ntk(ProbeRecord<NtkReport>),
    /// A study's checked config.
    SearchConfig(Box<SearchFile>),
    /// A study's candidates.
    SearchCandidates(CandidateList),
    /// A study's leaderboard.
    Leaderboard(Leaderboard),
    /// An experiment's transfer table.
    Transfer(TransferTable),
}

/// Reads whatever actlab file `path` is.
pub fn read_any(path: &Path) -> Result<AnyArtifact, ArtifactError> {
    let text = read_text(path)?;
    let (kind, format) = identify(&text, path)?;
    macro_rules! as_kind {
        ($variant:ident) => {
            AnyArtifact::$variant(parse_as(&text, path, kind, format)?)
        };
    }
    Ok(match kind {
        ArtifactKind::Experiment => as_kind!(Experiment),
        ArtifactKind::Run => as_kind!(Run),
        ArtifactKind::Summary => as_kind!(Summary),
        ArtifactKind::Figure => as_kind!(Figure),
        ArtifactKind::SurfaceFigure => as_kind!(SurfaceFigure),
        ArtifactKind::Surface => as_kind!(Surface),
        ArtifactKind::DeadNeurons => as_kind!(DeadNeurons),
        ArtifactKind::Gradients => as_kind!(Gradients),
        ArtifactKind::Outputs => as_kind!(Outputs),
        ArtifactKind::Hessian => as_kind!(Hessian),
        ArtifactKind::Landscape => as_kind!(Landscape),
        ArtifactKind::Ntk => as_kind!(Ntk),
        ArtifactKind::SearchConfig => as_kind!(SearchConfig),
        ArtifactKind::SearchCandidates => as_kind!(SearchCandidates),
        ArtifactKind::Leaderboard => as_kind!(Leaderboard),
        ArtifactKind::Transfer => as_kind!(Transfer),
    })
}

macro_rules! artifact {
    ($type:ty => $kind:ident) => {
        impl Artifact for $type {
            const KIND: ArtifactKind = ArtifactKind::$kind;
        }
    };
}

artifact!(RunRecord => Run);
artifact!(SearchFile => SearchConfig);
artifact!(CandidateList => SearchCandidates);
artifact!(Leaderboard => Leaderboard);
artifact!(SummaryTable => Summary);
artifact!(TransferTable => Transfer);
artifact!(Figure => Figure);
artifact!(SurfaceFigure => SurfaceFigure);
artifact!(SurfaceReport => Surface);
artifact!(ProbeRecord<DeadNeuronReport> => DeadNeurons);
artifact!(ProbeRecord<OutputReport> => Outputs);
artifact!(ProbeRecord<HessianReport> => Hessian);
artifact!(ProbeRecord<LandscapeReport> => Landscape);
artifact!(ProbeRecord<NtkReport> => Ntk);

impl<T: Artifact> Artifact for Box<T> {
    const KIND: ArtifactKind = T::KIND;
    const FORMAT: u32 = T::FORMAT;

    fn read_older(format: u32, text: &str) -> serde_json::Result<Self> {
        T::read_older(format, text).map(Box::new)
    }
}

impl Artifact for ExperimentFile {
    const KIND: ArtifactKind = ArtifactKind::Experiment;

    /// Before 0.2 `experiment.json` held the checked experiment (its folder, and the
    /// activations resolved in place) rather than the config that makes it.
    fn read_older(_format: u32, text: &str) -> serde_json::Result<Self> {
        ExperimentFile::from_checked_json(text)
    }
}

impl Artifact for ProbeRecord<GradientReport> {
    const KIND: ArtifactKind = ArtifactKind::Gradients;

    /// Before 0.2 the gradient report had no envelope: the seed, batch, loss and layers
    /// sat beside the network.
    fn read_older(_format: u32, text: &str) -> serde_json::Result<Self> {
        #[derive(Deserialize)]
        struct Bare {
            network: crate::network::NetworkConfig,
            seed: u64,
            batch: usize,
            loss: f64,
            layers: Vec<crate::record::probe::LayerGradients>,
        }
        let bare: Bare = serde_json::from_str(text)?;
        Ok(ProbeRecord {
            source: crate::record::probe::ProbeSource::Init { seed: bare.seed },
            network: bare.network,
            split: crate::record::probe::DatasetSplit::Train,
            report: GradientReport {
                batch: bare.batch,
                loss: bare.loss,
                layers: bare.layers,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figure::{Panel, Series};

    fn figure() -> Figure {
        Figure::new(
            "t",
            1,
            vec![Panel::new(
                "p",
                "x",
                "y",
                vec![Series::line("s", vec![0.1, 0.2], vec![1e-300, 0.3])],
            )],
        )
    }

    #[test]
    fn files_start_with_their_tag_and_read_back_exactly() {
        let f = figure();
        let text = to_json(&f);
        assert!(
            text.starts_with("{\n  \"kind\": \"figure\",\n  \"format\": 1,\n  \"title\""),
            "{text}"
        );
        let path = Path::new("f.json");
        assert_eq!(parse::<Figure>(&text, path).unwrap(), f);
        let err = parse::<SummaryTable>(&text, path).unwrap_err().to_string();
        assert_eq!(err, "f.json: holds a figure record, not a summary one");
        let newer = text.replace("\"format\": 1", "\"format\": 7");
        let err = parse::<Figure>(&newer, path).unwrap_err().to_string();
        assert!(
            err.contains("format 7, newer than this actlab reads (up to 1)"),
            "{err}"
        );
    }

    #[test]
    fn untagged_and_foreign_files_are_named_as_such() {
        let path = Path::new("x.json");
        let err = identify("{\"a\": 1}", path).unwrap_err().to_string();
        assert!(err.contains("no \"kind\" tag"), "{err}");
        let err = identify("[1, 2]", path).unwrap_err().to_string();
        assert!(err.starts_with("x.json: not an actlab file"), "{err}");
        let err = identify("{\"kind\": \"potato\"}", path)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown kind \"potato\" (known: experiment, run"),
            "{err}"
        );
    }

    /// Files written before the tag existed are still read: figures by their old tag,
    /// probe reports by theirs, records by their file name.
    #[test]
    fn format_zero_files_are_recognised() {
        let old_figure = r#"{"kind": "actlab-figure", "title": "t", "columns": 1, "panels": []}"#;
        assert_eq!(
            identify(old_figure, Path::new("a.json")).unwrap(),
            (ArtifactKind::Figure, 0)
        );
        assert!(parse::<Figure>(old_figure, Path::new("a.json")).is_ok());
        assert_eq!(
            identify("{\"probe\": \"outputs\"}", Path::new("o.json")).unwrap(),
            (ArtifactKind::Outputs, 0)
        );
        assert_eq!(
            identify("{\"epochs\": []}", Path::new("dir/run.json")).unwrap(),
            (ArtifactKind::Run, 0)
        );
        let old_gradients = r#"{"probe": "gradients", "network": {"input": 4, "hidden": [3], "classes": 2, "activation": null},
            "seed": 5, "batch": 8, "loss": 0.5, "layers": []}"#;
        let g: ProbeRecord<GradientReport> = parse(old_gradients, Path::new("g.json")).unwrap();
        assert_eq!(
            g.source,
            crate::record::probe::ProbeSource::Init { seed: 5 }
        );
        assert_eq!((g.report.batch, g.report.loss), (8, 0.5));
    }
}
