//! Where every file of an experiment lives: the one module that knows the names.
//!
//! ```text
//! <experiment>/
//!   experiment.json                 the resolved config (kind "experiment")
//!   summary.md  summary.json        the runs, and the activations over seeds compared
//!   summary.csv                     one row per activation (over seeds)
//!   summary-runs.csv  summary-epochs.csv   one row per run; per activation and epoch
//!   figures/comparison.{svg,png}    every run side by side
//!   figures/statistics.{svg,png}    the activations over seeds: differences, seeds, curves
//!   index.html                      actlab report
//!   .claims/<run>.json              who trains each run now (a lock; see spec::claim)
//!   <Activation>-s<seed>/           one folder per run
//!     run.json                      kind "run"
//!     checkpoints/epoch-N.bpk, interrupted.bpk, resume-eN.bpk, resume-eN.optimizer.bpk
//!     figures/training.{json,svg,png}
//!     probes/<probe>-<checkpoint>.json and <probe>-<checkpoint>-figure.{json,svg,png}
//!     tensorboard/events.out.tfevents.*   with `[train] tensorboard = true`, or exported
//! ```
//!
//! Every probe report is `<name>.json` with its figure beside it as
//! `<name>-figure.{json,svg,png}`; a folder given with `--out` replaces the default
//! folder and keeps the names.

use std::path::{Path, PathBuf};

use crate::file_kind::ArtifactKind;
use crate::network::NetworkConfig;

/// An experiment folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExperimentLayout {
    dir: PathBuf,
}

impl ExperimentLayout {
    /// The experiment's resolved config.
    pub const CONFIG: &'static str = "experiment.json";
    /// The summary table, as `summary.md`, `summary.csv` and `summary.json`.
    pub const SUMMARY: &'static str = "summary";
    /// The name of the figure comparing every run.
    pub const COMPARISON: &'static str = "comparison";
    /// The name of the figure of the statistics over seeds.
    pub const STATISTICS: &'static str = "statistics";

    /// The layout of the folder `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The folder itself.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `experiment.json`.
    pub fn config(&self) -> PathBuf {
        self.dir.join(Self::CONFIG)
    }

    /// `summary.<extension>` (md, csv or json).
    pub fn summary(&self, extension: &str) -> PathBuf {
        self.dir.join(format!("{}.{extension}", Self::SUMMARY))
    }

    /// An experiment with settings' transfer table, as `settings.md` and `settings.json`.
    pub fn transfer(&self, extension: &str) -> PathBuf {
        self.dir.join(format!("settings.{extension}"))
    }

    /// The summary's CSV of every run.
    pub fn runs_csv(&self) -> PathBuf {
        self.dir.join("summary-runs.csv")
    }

    /// The summary's CSV of test accuracy per activation and epoch.
    pub fn epochs_csv(&self) -> PathBuf {
        self.dir.join("summary-epochs.csv")
    }

    /// The claim file of run `name`: who trains it now (see [`crate::claim`]).
    pub fn claim(&self, name: &str) -> PathBuf {
        self.dir.join(".claims").join(format!("{name}.json"))
    }

    /// The stem of the figure of the statistics over seeds.
    pub fn statistics_figure(&self) -> PathBuf {
        self.dir.join("figures").join(Self::STATISTICS)
    }

    /// The stem of the figure comparing every run.
    pub fn comparison_figure(&self) -> PathBuf {
        self.dir.join("figures").join(Self::COMPARISON)
    }

    /// The HTML report's file name.
    pub const REPORT: &'static str = "index.html";

    /// The HTML report.
    pub fn report(&self) -> PathBuf {
        self.dir.join(Self::REPORT)
    }

    /// The name of the run of `activation` with `seed`: `<Activation>-s<seed>`.
    pub fn run_name(activation: &str, seed: u64) -> String {
        format!("{activation}-s{seed}")
    }

    /// The folder of the run named `name`.
    pub fn run(&self, name: &str) -> RunLayout {
        RunLayout::new(self.dir.join(name))
    }
}

/// A run folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunLayout {
    dir: PathBuf,
}

impl RunLayout {
    /// The run record's file name.
    pub const RECORD: &'static str = "run.json";
    /// The checkpoint folder's name.
    pub const CHECKPOINTS: &'static str = "checkpoints";
    /// The checkpoint a stop request leaves.
    pub const INTERRUPTED: &'static str = "interrupted";

    /// The layout of the folder `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The folder itself.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The run's TensorBoard event files, by default.
    pub fn tensorboard(&self) -> PathBuf {
        self.dir.join("tensorboard")
    }

    /// `run.json`.
    pub fn record(&self) -> PathBuf {
        self.dir.join(Self::RECORD)
    }

    /// The checkpoint folder.
    pub fn checkpoints(&self) -> PathBuf {
        self.dir.join(Self::CHECKPOINTS)
    }

    /// The checkpoint called `name` (e.g. `epoch-5`), relative to the run folder as
    /// records store it.
    pub fn checkpoint(name: &str) -> PathBuf {
        Path::new(Self::CHECKPOINTS).join(format!("{name}.bpk"))
    }

    /// The name of the checkpoint saved after `epoch`.
    pub fn epoch_checkpoint(epoch: usize) -> String {
        format!("epoch-{epoch}")
    }

    /// The model and optimiser files of the resume point after `epoch`, relative to the
    /// run folder.
    pub fn resume_point(epoch: usize) -> (PathBuf, PathBuf) {
        let dir = Path::new(Self::CHECKPOINTS);
        (
            dir.join(format!("resume-e{epoch}.bpk")),
            dir.join(format!("resume-e{epoch}.optimizer.bpk")),
        )
    }

    /// The stem of the run's training-curve figure.
    pub fn training_figure(&self) -> PathBuf {
        self.dir.join("figures").join("training")
    }

    /// The folder of the run's probe reports.
    pub fn probes(&self) -> PathBuf {
        self.dir.join("probes")
    }

    /// The report of the probe that writes `kind` on the checkpoint named `checkpoint`, in
    /// `dir` (the run's probes folder unless told otherwise): `<kind>-<checkpoint>.json`,
    /// or `<kind>-<part>-<checkpoint>.json` for a probe that writes several reports
    /// (the landscape's `line` and `surface`).
    pub fn probe_report(
        dir: &Path,
        kind: ArtifactKind,
        part: Option<&str>,
        checkpoint: &str,
    ) -> PathBuf {
        let name = match part {
            Some(part) => format!("{kind}-{part}"),
            None => kind.to_string(),
        };
        dir.join(format!("{name}-{checkpoint}.json"))
    }
}

/// The stem of the figure drawn beside a probe report: `<report>-figure`.
pub fn probe_figure(report: &Path) -> PathBuf {
    let stem = report
        .file_stem()
        .map_or("probe".into(), |s| s.to_string_lossy().into_owned());
    report.with_file_name(format!("{stem}-figure"))
}

/// Files of probes that are not of a run, in `dir` (by default `results/probes`).
pub struct ProbeFiles;

impl ProbeFiles {
    /// Where probes of fresh networks and of activations go unless told otherwise.
    pub const DEFAULT_DIR: &'static str = "results/probes";

    /// The report of the probe that writes `kind` about one activation, `name` (spaces
    /// dropped): `gradients-<name>.json`, `surface-<name>.json`.
    pub fn of_activation(dir: &Path, kind: ArtifactKind, name: &str) -> PathBuf {
        dir.join(format!("{kind}-{}.json", name.replace(' ', "")))
    }

    /// The report of the probe that writes `kind` on a freshly initialised `network`
    /// drawn from `seed`: `ntk-<Activation>-<widths>-s<seed>.json` (convolutions' channels
    /// as `c6xc16x...`), or with `-init` after the kind where the same probe also reads
    /// runs (`dead-neurons-init-...`).
    pub fn at_init(dir: &Path, kind: ArtifactKind, network: &NetworkConfig, seed: u64) -> PathBuf {
        let widths = network.layer_labels();
        let probe = match kind {
            ArtifactKind::Ntk => kind.to_string(),
            _ => format!("{kind}-init"),
        };
        dir.join(format!(
            "{probe}-{}-{}-s{seed}.json",
            network.activation_name().replace(' ', ""),
            widths.join("x")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_documented_layout() {
        let exp = ExperimentLayout::new("results/book");
        assert_eq!(exp.config(), Path::new("results/book/experiment.json"));
        assert_eq!(exp.summary("csv"), Path::new("results/book/summary.csv"));
        let run = exp.run(&ExperimentLayout::run_name("ReLU", 7));
        assert_eq!(run.record(), Path::new("results/book/ReLU-s7/run.json"));
        assert_eq!(
            RunLayout::checkpoint(&RunLayout::epoch_checkpoint(3)),
            Path::new("checkpoints/epoch-3.bpk")
        );
        let report =
            RunLayout::probe_report(&run.probes(), ArtifactKind::Outputs, None, "epoch-15");
        assert_eq!(
            report,
            Path::new("results/book/ReLU-s7/probes/outputs-epoch-15.json")
        );
        assert_eq!(
            RunLayout::probe_report(
                Path::new("p"),
                ArtifactKind::Landscape,
                Some("line"),
                "epoch-3"
            ),
            Path::new("p/landscape-line-epoch-3.json")
        );
        assert_eq!(
            probe_figure(&report),
            Path::new("results/book/ReLU-s7/probes/outputs-epoch-15-figure")
        );
    }
}
