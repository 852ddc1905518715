//! What a worker process tells its parent under `--jobs`: one JSON object per line on
//! its stdout, tagged by `event`.

use std::io::Write;

use serde::{Deserialize, Serialize};
use spec::EpochMetrics;
use spec::claim::Owner;
use train::Observer;

/// What a worker process tells its parent, one JSON object per line on its stdout.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum WorkerEvent {
    /// An epoch began.
    EpochStarted {
        /// 1-based epoch.
        epoch: usize,
        /// Epochs of the run.
        epochs: usize,
        /// Batches in the epoch.
        batches: usize,
    },
    /// A batch finished.
    Batch {
        /// 1-based batch.
        batch: usize,
        /// Running loss of the epoch.
        loss: f64,
        /// Running accuracy of the epoch.
        accuracy: f64,
    },
    /// An epoch finished.
    EpochDone {
        /// Its metrics.
        metrics: Box<EpochMetrics>,
    },
    /// The run had finished already: nothing trained.
    Kept,
    /// Another process trains the run.
    Elsewhere {
        /// Who, when its claim says.
        owner: Option<Owner>,
    },
}

/// The observer of a worker: every event as a line on stdout.
pub struct EventLines;

impl WorkerEvent {
    /// The event as one line of the protocol (no newline).
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("events serialise")
    }

    /// The event a line of the protocol holds; `None` for anything else a worker may
    /// print (the parent ignores such lines rather than fail the run).
    pub fn from_line(line: &str) -> Option<Self> {
        serde_json::from_str(line).ok()
    }
}

impl EventLines {
    /// Prints one event (a closed pipe is the parent's business: it is ignored).
    pub fn send(event: &WorkerEvent) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", event.to_line());
        let _ = out.flush();
    }
}

impl Observer for EventLines {
    fn epoch_started(&mut self, epoch: usize, epochs: usize, batches: usize) {
        Self::send(&WorkerEvent::EpochStarted {
            epoch,
            epochs,
            batches,
        });
    }

    fn batch_done(&mut self, batch: usize, loss: f64, accuracy: f64) {
        Self::send(&WorkerEvent::Batch {
            batch,
            loss,
            accuracy,
        });
    }

    fn epoch_done(&mut self, metrics: &EpochMetrics) {
        Self::send(&WorkerEvent::EpochDone {
            metrics: Box::new(metrics.clone()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics() -> EpochMetrics {
        EpochMetrics {
            epoch: 2,
            train_loss: 0.1 + 0.2,
            train_accuracy: 0.8,
            test_loss: 0.6,
            test_accuracy: 0.78,
            train_seconds: 1.5,
            eval_seconds: 0.1,
            layers: Vec::new(),
            running_loss: Vec::new(),
            batches: 469,
            units: None,
        }
    }

    /// Every event survives its line: what a worker sends is what the parent reads,
    /// floats to the last bit.
    #[test]
    fn every_event_round_trips_through_its_line() {
        let events = [
            WorkerEvent::EpochStarted {
                epoch: 1,
                epochs: 15,
                batches: 469,
            },
            WorkerEvent::Batch {
                batch: 7,
                loss: 0.1 + 0.2,
                accuracy: 1.0 / 3.0,
            },
            WorkerEvent::EpochDone {
                metrics: Box::new(metrics()),
            },
            WorkerEvent::Kept,
            WorkerEvent::Elsewhere { owner: None },
        ];
        for event in events {
            let line = event.to_line();
            assert!(!line.contains('\n'), "{line}");
            let back = WorkerEvent::from_line(&line).expect("a protocol line");
            assert_eq!(back.to_line(), line);
        }
    }

    /// The wire format is the documented one (tags in kebab case), so that a parent and
    /// a worker of the same build agree without sharing memory.
    #[test]
    fn lines_are_tagged_json_objects() {
        let line = WorkerEvent::EpochStarted {
            epoch: 3,
            epochs: 5,
            batches: 10,
        }
        .to_line();
        assert_eq!(
            line,
            r#"{"event":"epoch-started","epoch":3,"epochs":5,"batches":10}"#
        );
        assert_eq!(WorkerEvent::Kept.to_line(), r#"{"event":"kept"}"#);
    }

    /// Anything else on a worker's stdout is not an event: ignored, never a failure.
    #[test]
    fn other_lines_are_not_events() {
        for line in [
            "",
            "Epoch 1/15",
            "{}",
            r#"{"event":"unknown"}"#,
            r#"{"event":"batch","batch":"seven"}"#,
            "[1, 2]",
            r#"{"event":"kept""#,
        ] {
            assert!(WorkerEvent::from_line(line).is_none(), "{line:?}");
        }
    }
}
