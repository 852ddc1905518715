//! The book's results table (Model | Accuracy % | Final loss | Time s), as markdown,
//! CSV and JSON in the experiment folder.

use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

use crate::record::run::{RunRecord, RunState};

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
        }
    }

    /// The markdown table (also what the terminal shows).
    pub fn markdown(&self) -> String {
        let mut out = String::from(
            "| Model | Accuracy (%) | Final test loss | Time (s) |\n|---|---:|---:|---:|\n",
        );
        for r in &self.rows {
            let flag = match r.status {
                RunState::Completed => "",
                RunState::Diverged => " (diverged)",
                RunState::Running => " (unfinished)",
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
            let _ = writeln!(
                out,
                "| {}{} | {accuracy} | {loss} | {:.1} |",
                r.model, flag, r.time_seconds
            );
        }
        out
    }

    /// The CSV table.
    pub fn csv(&self) -> String {
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
