//! TensorBoard event files of actlab's runs, written from their records: scalars per
//! epoch (losses, accuracies, timings, per-layer statistics with `--track grads`), the
//! running training loss every `log_every` batches, weight histograms, and the run's
//! hyper-parameters and final metrics for the HParams dashboard.
//!
//! The format (TFRecord framing with masked CRC-32C around `Event` protocol buffers) is
//! written here with `prost` and `crc32c`: the one maintained writer crate on crates.io
//! (tensorboard-rs) pulls protobuf 2 and an old `image`, and writes no hparams.

#![warn(missing_docs)]

mod framing;
pub mod proto;
mod run;
mod writer;

pub use framing::{frame, masked_crc};
pub use run::{Progress, RunHead, end_event, epoch_events, hparams, run_events, start_event};
pub use writer::{EventWriter, FILE_VERSION, events_file_name, file_bytes, read_events};

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::proto::{Data, Event, Summary, Value, What};
    use super::*;

    /// Two events framed by TensorBoard 2.21's own Python `RecordWriter` (the file
    /// version at 1.5 s, then loss/train = 0.5 at step 3 and 2.25 s).
    const TENSORBOARD_BYTES: &str = "1800000000000000a37f4b2209000000000000f83f1a0d627261696e2e4576656e743a322a28646c200000000000000029eda95009000000000000024010032a130a110a0a6c6f73732f747261696e150000003f534f5d2c";

    #[test]
    fn events_are_framed_byte_for_byte_as_tensorboard_frames_them() {
        let version = Event {
            wall_time: 1.5,
            step: 0,
            what: Some(What::FileVersion(FILE_VERSION.into())),
        };
        let loss = Event {
            wall_time: 2.25,
            step: 3,
            what: Some(What::Summary(Summary {
                value: vec![Value {
                    tag: "loss/train".into(),
                    metadata: None,
                    data: Some(Data::SimpleValue(0.5)),
                }],
            })),
        };
        let mut bytes = frame(&version.encode_to_vec());
        bytes.extend(frame(&loss.encode_to_vec()));
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, TENSORBOARD_BYTES);
    }
}

#[cfg(test)]
mod run_tests {
    use std::path::Path;

    use spec::artifact;
    use spec::{RunRecord, RunStatus};

    use super::proto::{Data, What};
    use super::*;

    /// A committed record of the book's ReLU run.
    fn book_relu() -> RunRecord {
        let text = include_str!("../../../results/reference/book-ch4/ReLU-s7/run.json");
        artifact::parse(text, Path::new("run.json")).expect("the record reads")
    }

    #[test]
    fn a_run_reads_back_with_every_epoch_and_its_status() {
        let record = book_relu();
        assert_eq!(record.status, RunStatus::Completed);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(events_file_name(1000, "test"));
        let mut writer = EventWriter::create(&path, 1000.0).unwrap();
        writer.write_all(&run_events(&record, 1000.0)).unwrap();
        let events = read_events(&path).unwrap();
        // Version, hparams start, 15 epochs, each epoch's running losses (one every 50
        // batches: 9 of 469), end.
        let running: usize = record.epochs.iter().map(|e| e.running_loss.len()).sum();
        assert_eq!(running, 15 * 9);
        assert_eq!(events.len(), 1 + 1 + 15 + running + 1);
        assert!(matches!(&events[0].what, Some(What::FileVersion(v)) if v == FILE_VERSION));
        let scalar = |event: &proto::Event, tag: &str| -> Option<f32> {
            match &event.what {
                Some(What::Summary(s)) => {
                    s.value
                        .iter()
                        .find(|v| v.tag == tag)
                        .and_then(|v| match v.data {
                            Some(Data::SimpleValue(x)) => Some(x),
                            _ => None,
                        })
                }
                _ => None,
            }
        };
        let epoch_events: Vec<&proto::Event> = events
            .iter()
            .filter(|e| scalar(e, "loss/test").is_some())
            .collect();
        assert_eq!(epoch_events.len(), 15);
        let running_events = events
            .iter()
            .filter(|e| scalar(e, "loss/train_running").is_some())
            .count();
        assert_eq!(running_events, running);
        for (event, metrics) in epoch_events.into_iter().zip(&record.epochs) {
            assert_eq!(event.step, metrics.epoch as i64);
            assert_eq!(scalar(event, "loss/test"), Some(metrics.test_loss as f32));
            assert_eq!(
                scalar(event, "accuracy/test"),
                Some((metrics.test_accuracy * 100.0) as f32)
            );
        }
        let last = record.last().unwrap();
        assert_eq!(
            scalar(events.last().unwrap(), "final/test_accuracy"),
            Some((last.test_accuracy * 100.0) as f32)
        );
        // Wall times grow with the record's own timings.
        assert!(events.windows(2).all(|w| w[0].wall_time <= w[1].wall_time));
    }

    #[test]
    fn a_corrupt_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.out.tfevents.1.x");
        EventWriter::create(&path, 1.0).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 5;
        bytes[last] ^= 1;
        std::fs::write(&path, bytes).unwrap();
        assert!(read_events(&path).unwrap_err().to_string().contains("CRC"));
    }
}
