//! An experiment's summary: the book's results table (Model | Accuracy % | Final loss |
//! Time s), one row per run, and the statistics over seeds, one row per activation. As
//! markdown, CSV and JSON in the experiment folder.

use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

use crate::record::run::{RunRecord, RunState};
use crate::record::stats::ExperimentStatistics;
use crate::record::table::TextTable;

/// One row: a run's final test metrics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryRow {
    /// `SimpleNetwork-<Activation>` (with `-s<seed>` when an experiment has several seeds).
    pub model: String,
    /// The run folder name.
    pub run: String,
    /// Final test accuracy, percent.
    pub accuracy_percent: f64,
    /// The loss on the test set after the last completed epoch.
    #[serde(alias = "final_loss")]
    pub final_test_loss: f64,
    /// Seconds spent: training and evaluation of the epochs for a completed or diverged
    /// run (the book's measure), the wall time so far for an unfinished one.
    pub time_seconds: f64,
    /// Run status.
    pub status: RunState,
}

/// The table for one experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryTable {
    /// Experiment name.
    pub experiment: String,
    /// Rows in run order.
    pub rows: Vec<SummaryRow>,
    /// The runs grouped by activation over seeds, and compared; absent in files of
    /// actlab before 0.2, and when no run has finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistics: Option<ExperimentStatistics>,
}

impl SummaryTable {
    /// Builds the table from run records.
    pub fn from_records(experiment: &str, records: &[RunRecord]) -> Self {
        let seeds: std::collections::BTreeSet<u64> = records.iter().map(|r| r.train.seed).collect();
        let rows = records
            .iter()
            .map(|r| {
                let last = r.last();
                let mut model = r.network.model_name();
                if seeds.len() > 1 {
                    let _ = write!(model, "-s{}", r.train.seed);
                }
                SummaryRow {
                    model,
                    run: r.run.clone(),
                    accuracy_percent: last.map_or(f64::NAN, |e| e.test_accuracy * 100.0),
                    final_test_loss: last.map_or(f64::NAN, |e| e.test_loss),
                    // A run stopped inside its first epoch has no epoch to time.
                    time_seconds: if r.is_finished() {
                        r.train_eval_seconds()
                    } else {
                        r.wall_seconds
                    },
                    status: r.status.state(),
                }
            })
            .collect();
        Self {
            experiment: experiment.to_string(),
            rows,
            statistics: None,
        }
    }

    /// With the statistics over seeds.
    pub fn with_statistics(self, statistics: ExperimentStatistics) -> Self {
        Self {
            statistics: Some(statistics),
            ..self
        }
    }

    /// The statistics, when some activation has several runs to spread over.
    fn spread(&self) -> Option<&ExperimentStatistics> {
        self.statistics.as_ref().filter(|s| s.has_spread())
    }

    /// The tables the summary shows: with several seeds, the groups and their
    /// comparison with the baseline first; always every run.
    pub fn tables(&self) -> Vec<TextTable> {
        let mut runs = self.runs_table();
        let Some(stats) = self.spread() else {
            if self.statistics.is_some() && self.rows.len() > 1 {
                runs.notes.push(
                    "One run per activation: the differences are reported, not tested. Train \
                     with --seeds 3 (or more) to learn which are larger than the noise."
                        .into(),
                );
            }
            return vec![runs];
        };
        vec![
            stats.groups_table(),
            stats.comparison_table(),
            stats.epochs_table(),
            runs,
        ]
    }

    /// What the terminal shows after training: the tables of [`Self::tables`] except
    /// the per-epoch one and, when there are groups, the runs one.
    pub fn terminal(&self) -> String {
        let tables = self.tables();
        let shown = if tables.len() > 1 {
            &tables[..2]
        } else {
            &tables[..]
        };
        shown
            .iter()
            .map(TextTable::section)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The whole summary in markdown: every table of [`Self::tables`].
    pub fn markdown(&self) -> String {
        let sections: Vec<String> = self.tables().iter().map(TextTable::section).collect();
        format!(
            "# Experiment {}\n\n{}",
            self.experiment,
            sections.join("\n")
        )
    }

    /// Every run: the book's table.
    pub fn runs_table(&self) -> TextTable {
        let mut table = TextTable::new(
            "Runs",
            &[
                ("Model", false),
                ("Accuracy (%)", true),
                ("Final test loss", true),
                ("Time (s)", true),
            ],
        );
        for r in &self.rows {
            let flag = match r.status {
                RunState::Completed => "",
                RunState::Diverged => " (diverged)",
                RunState::Running => " (unfinished)",
                RunState::Imported => " (imported)",
                RunState::Interrupted => " (interrupted)",
            };
            // A run stopped before its first epoch ended has no metrics to show.
            let (accuracy, loss) = if r.accuracy_percent.is_nan() {
                ("-".to_string(), "-".to_string())
            } else {
                (
                    format!("{:.2}", r.accuracy_percent),
                    format!("{:.4}", r.final_test_loss),
                )
            };
            table.rows.push(vec![
                format!("{}{flag}", r.model),
                accuracy,
                loss,
                format!("{:.1}", r.time_seconds),
            ]);
        }
        table
    }

    /// One row per activation (its runs over seeds, compared with the baseline), as CSV.
    pub fn csv(&self) -> String {
        match &self.statistics {
            Some(stats) => stats.csv(),
            None => ExperimentStatistics::CSV_HEADER.to_string(),
        }
    }

    /// Test accuracy per epoch and activation over seeds, as CSV.
    pub fn epochs_csv(&self) -> String {
        match &self.statistics {
            Some(stats) => stats.epochs_csv(),
            None => ExperimentStatistics::EPOCHS_CSV_HEADER.to_string(),
        }
    }

    /// One row per run, as CSV.
    pub fn runs_csv(&self) -> String {
        let mut out =
            String::from("model,run,accuracy_percent,final_test_loss,time_seconds,status\n");
        for r in &self.rows {
            let status = r.status.name();
            let _ = writeln!(
                out,
                "{},{},{:.4},{:.6},{:.3},{}",
                r.model, r.run, r.accuracy_percent, r.final_test_loss, r.time_seconds, status
            );
        }
        out
    }
}
