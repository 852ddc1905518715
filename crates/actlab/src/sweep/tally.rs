//! What a sweep did with its runs: their records, who trained them, what failed, and
//! the lines that say so.

use std::path::Path;

use spec::{RunLayout, RunRecord, RunStatus};

use super::steps::Outcome;

/// What a sweep did with its runs, for the closing lines and the exit code.
#[derive(Default)]
pub(super) struct Tally {
    /// Records of the runs trained or kept.
    pub(super) records: Vec<RunRecord>,
    /// Runs trained here.
    pub(super) trained: Vec<String>,
    /// Runs another process was training.
    pub(super) elsewhere: Vec<String>,
    /// Runs whose training failed.
    pub(super) failed: Vec<String>,
}

impl Tally {
    /// Notes a run's outcome (`label` names it in progress lines; the experiment is in
    /// `dir`): its record, and the line to show when it did not complete.
    pub(super) fn add(
        &mut self,
        name: &str,
        outcome: Outcome,
        label: &str,
        dir: &Path,
    ) -> Option<String> {
        match outcome {
            Outcome::Trained(record) => {
                let notice = match record.status {
                    RunStatus::Diverged(at) => Some(format!(
                        "{label}: loss became non-finite at epoch {}, batch {}; run stopped (status: diverged)",
                        at.epoch, at.batch
                    )),
                    RunStatus::Interrupted(at) => Some(format!(
                        "{label}: interrupted at epoch {}, batch {}; saved {} and its run.json; continue with --resume {}",
                        at.epoch,
                        at.batch,
                        dir.join(name)
                            .join(RunLayout::checkpoint(RunLayout::INTERRUPTED))
                            .display(),
                        dir.display()
                    )),
                    RunStatus::Running | RunStatus::Completed | RunStatus::Imported => None,
                };
                self.trained.push(name.to_string());
                self.records.push(*record);
                notice
            }
            Outcome::Kept(record) => {
                self.records.push(*record);
                None
            }
            Outcome::Elsewhere(owner) => {
                self.elsewhere.push(name.to_string());
                Some(format!(
                    "{label}: skipped; {} trains it now",
                    owner.map_or_else(|| "another process".to_string(), |o| o.to_string())
                ))
            }
        }
    }

    /// Whether every run this sweep trained or kept completed, and none failed.
    pub(super) fn all_completed(&self) -> bool {
        self.failed.is_empty()
            && self
                .records
                .iter()
                .all(|r| r.status == RunStatus::Completed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spec::claim::Owner;
    use spec::{ActivationConfig, ActivationKind, BatchPoint, NetworkConfig, TrainConfig};

    /// A run's record with `status`.
    fn record(name: &str, status: RunStatus) -> Box<RunRecord> {
        Box::new(RunRecord {
            actlab_version: String::new(),
            revision: String::new(),
            experiment: "x".into(),
            run: name.into(),
            network: NetworkConfig::book(ActivationConfig::new(ActivationKind::ReLU)),
            train: TrainConfig::default(),
            params: 0,
            device: "flex (cpu)".into(),
            threads: 1,
            numerics: None,
            dataset: Default::default(),
            dataset_md5: Default::default(),
            status,
            resume: None,
            resumed_after: Vec::new(),
            imported: None,
            initial_units: None,
            epochs: Vec::new(),
            checkpoints: Vec::new(),
            wall_seconds: 0.0,
        })
    }

    #[test]
    fn each_outcome_is_counted_once_where_it_belongs() {
        let dir = Path::new("results/x");
        let mut tally = Tally::default();
        assert_eq!(
            tally.add(
                "ReLU-s1",
                Outcome::Trained(record("ReLU-s1", RunStatus::Completed)),
                "[1/3] ReLU-s1",
                dir
            ),
            None
        );
        assert_eq!(
            tally.add(
                "ReLU-s2",
                Outcome::Kept(record("ReLU-s2", RunStatus::Completed)),
                "[2/3] ReLU-s2",
                dir
            ),
            None
        );
        let owner = Owner {
            host: "node7".into(),
            pid: 42,
            since: 0,
        };
        let notice = tally
            .add(
                "ReLU-s3",
                Outcome::Elsewhere(Some(owner)),
                "[3/3] ReLU-s3",
                dir,
            )
            .expect("a skipped run is said");
        assert!(
            notice.starts_with("[3/3] ReLU-s3: skipped;") && notice.contains("node7"),
            "{notice}"
        );
        assert_eq!(tally.trained, ["ReLU-s1"]);
        assert_eq!(tally.elsewhere, ["ReLU-s3"]);
        assert_eq!(tally.records.len(), 2);
        assert!(tally.all_completed());
        tally.failed.push("GELU-s1".into());
        assert!(!tally.all_completed(), "a failed worker fails the sweep");
    }

    #[test]
    fn a_run_that_did_not_complete_is_said_and_fails_the_sweep() {
        let dir = Path::new("results/x");
        let mut tally = Tally::default();
        let diverged = record(
            "STAF-s1",
            RunStatus::Diverged(BatchPoint {
                epoch: 2,
                batch: 33,
            }),
        );
        let notice = tally
            .add("STAF-s1", Outcome::Trained(diverged), "[1/1] STAF-s1", dir)
            .expect("a diverged run is said");
        assert!(
            notice.contains("epoch 2, batch 33") && notice.contains("diverged"),
            "{notice}"
        );
        assert!(!tally.all_completed());
        let mut tally = Tally::default();
        let interrupted = record(
            "STAF-s1",
            RunStatus::Interrupted(BatchPoint { epoch: 1, batch: 5 }),
        );
        let notice = tally
            .add(
                "STAF-s1",
                Outcome::Trained(interrupted),
                "[1/1] STAF-s1",
                dir,
            )
            .expect("an interrupted run is said");
        assert!(notice.contains("--resume results/x"), "{notice}");
        assert!(!tally.all_completed());
    }
}
