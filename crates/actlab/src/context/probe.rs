//! What every probe of a saved run starts with: the run's checkpoint opened on the
//! device, checked against the data it trained on, and the place of its reports (named
//! by the report's kind, in the run's `probes/` folder unless `--out` says otherwise).

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use data::FashionMnist;
use nets::SimpleNetwork;
use spec::record::probe::{DatasetSplit, ProbeRecord, ProbeSource};
use spec::{ArtifactKind, CheckpointRef, RunLayout, RunRecord};

use crate::cli::shared::EnvArgs;
use crate::context::data::check_run_data;
use crate::context::saved::open_run;
use crate::failure::Failure;

/// A run's checkpoint, opened for a probe.
pub struct ProbedRun {
    /// The checkpoint's network, on the device asked for.
    pub model: SimpleNetwork,
    /// The run's record.
    pub record: RunRecord,
    /// The checkpoint probed.
    pub checkpoint: CheckpointRef,
    run_dir: PathBuf,
    reports: PathBuf,
}

impl ProbedRun {
    /// Opens the checkpoint `checkpoint` (the last when `None`) of the run in `run_dir` on
    /// `device`, once its files agree with each other and it trained on `data` (unless
    /// `--no-verify`); its reports go to `out`, or the run's `probes/` folder.
    pub fn open(
        run_dir: &Path,
        checkpoint: Option<&str>,
        out: Option<&Path>,
        data: &FashionMnist,
        env: &EnvArgs,
        device: &Device,
    ) -> Result<Self, Failure> {
        let opened = open_run(run_dir, checkpoint, device)?;
        check_run_data(&opened.record, data, env)?;
        Ok(Self {
            model: opened.model,
            record: opened.record,
            checkpoint: opened.checkpoint,
            run_dir: run_dir.to_path_buf(),
            reports: out.map_or_else(|| RunLayout::new(run_dir).probes(), Path::to_path_buf),
        })
    }

    /// What a report about this checkpoint says it probed.
    pub fn source(&self) -> ProbeSource {
        ProbeSource::Checkpoint {
            run: self.run_dir.clone(),
            checkpoint: self.checkpoint.path.clone(),
            epoch: self.checkpoint.epoch,
        }
    }

    /// The file of this checkpoint's report of `kind` (`part` tells apart the reports of a
    /// probe that writes several; see [`RunLayout::probe_report`]).
    pub fn report_file(&self, kind: ArtifactKind, part: Option<&str>) -> PathBuf {
        RunLayout::probe_report(&self.reports, kind, part, &self.checkpoint.name())
    }

    /// `report`, computed on `split`, as a record about this checkpoint.
    pub fn record<R>(&self, split: DatasetSplit, report: R) -> ProbeRecord<R> {
        ProbeRecord {
            source: self.source(),
            network: self.record.network.clone(),
            split,
            report,
        }
    }
}
