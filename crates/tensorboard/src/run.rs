//! A run record as TensorBoard events. One function per part, so that training writes
//! each epoch's events as the epoch ends and `actlab tensorboard` writes the same events
//! from the finished record.
//!
//! Tags: `loss/{train,test}`, `accuracy/{train,test}` (percent), `time/{train,eval}_seconds`
//! at step = epoch; `loss/train_running` at step = batches trained so far; with
//! `--track grads`, `layer<i>/{grad_norm_mean,weight_mean,weight_std,weight_norm}` and the
//! histogram `layer<i>/weights` at step = epoch; `final/{test_accuracy,test_loss}` and the
//! hparams plugin's session start and end.

use std::collections::BTreeMap;

use prost::Message;
use spec::record::probe::Histogram;
use spec::{EpochMetrics, LayerTrack, NetworkConfig, RunRecord, RunStatus, TrainConfig};

use crate::proto::{
    Data, Dim, Event, HParamsData, HParamsPluginData, HistogramProto, Kind, PluginData, ProtoValue,
    SessionEndInfo, SessionStartInfo, Summary, SummaryMetadata, TensorProto, TensorShapeProto,
    Value, What,
};

fn scalar(tag: &str, value: f64) -> Value {
    Value {
        tag: tag.to_string(),
        metadata: None,
        data: Some(Data::SimpleValue(value as f32)),
    }
}

fn event(wall_time: f64, step: usize, value: Vec<Value>) -> Event {
    Event {
        wall_time,
        step: step as i64,
        what: Some(What::Summary(Summary { value })),
    }
}

/// A histogram of `track`'s weights: the record's bins, with the sums its statistics
/// give (mean and norm).
fn histogram(track: &LayerTrack, h: &Histogram) -> HistogramProto {
    let num: u64 = h.counts.iter().sum();
    HistogramProto {
        min: h.edges.first().copied().unwrap_or(0.0),
        max: h.edges.last().copied().unwrap_or(0.0),
        num: num as f64,
        sum: track.weight_mean * num as f64,
        sum_squares: track.weight_norm * track.weight_norm,
        bucket_limit: h.edges.iter().skip(1).copied().collect(),
        bucket: h.counts.iter().map(|&c| c as f64).collect(),
    }
}

/// The hparams plugin's summary value holding `data`.
fn hparams_value(tag: &str, data: HParamsData) -> Value {
    let content = HParamsPluginData {
        version: 0,
        data: Some(data),
    }
    .encode_to_vec();
    Value {
        tag: tag.to_string(),
        metadata: Some(SummaryMetadata {
            plugin_data: Some(PluginData {
                plugin_name: "hparams".into(),
                content,
            }),
        }),
        // The plugin's "null tensor": an empty float vector.
        data: Some(Data::Tensor(TensorProto {
            dtype: 1,
            tensor_shape: Some(TensorShapeProto {
                dim: vec![Dim { size: 0 }],
            }),
        })),
    }
}

/// What names a run and its hyper-parameters: its record's head.
pub struct RunHead<'a> {
    /// The experiment's name.
    pub experiment: &'a str,
    /// The run's name.
    pub run: &'a str,
    /// Its network.
    pub network: &'a NetworkConfig,
    /// Its training settings.
    pub train: &'a TrainConfig,
}

impl<'a> From<&'a RunRecord> for RunHead<'a> {
    fn from(record: &'a RunRecord) -> Self {
        Self {
            experiment: &record.experiment,
            run: &record.run,
            network: &record.network,
            train: &record.train,
        }
    }
}

/// The run's hyper-parameters as the HParams dashboard shows them.
pub fn hparams(head: &RunHead<'_>) -> BTreeMap<String, ProtoValue> {
    let network = head.network;
    let train = head.train;
    let text = |s: String| ProtoValue {
        kind: Some(Kind::String(s)),
    };
    let number = |v: f64| ProtoValue {
        kind: Some(Kind::Number(v)),
    };
    let mut h = BTreeMap::new();
    h.insert(
        "activation".into(),
        text(network.activation_name().to_string()),
    );
    h.insert(
        "scope".into(),
        text(
            network
                .activation
                .as_ref()
                .map_or_else(String::new, |a| a.scope.to_string()),
        ),
    );
    h.insert("layer".into(), text(network.layer.to_string()));
    h.insert(
        "hidden".into(),
        text(
            network
                .hidden
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(","),
        ),
    );
    if !network.conv.is_empty() {
        let channels: Vec<String> = network.conv.iter().map(usize::to_string).collect();
        h.insert("conv".into(), text(channels.join(",")));
    }
    h.insert("optimizer".into(), text(train.optimizer.to_string()));
    h.insert("lr".into(), number(train.lr));
    h.insert("momentum".into(), number(train.momentum));
    h.insert("weight_decay".into(), number(train.weight_decay));
    h.insert("batch_size".into(), number(train.batch_size as f64));
    h.insert("epochs".into(), number(train.epochs as f64));
    h.insert("seed".into(), number(train.seed as f64));
    h.insert("experiment".into(), text(head.experiment.to_string()));
    h
}

/// The session start of a run: its hyper-parameters.
pub fn start_event(head: &RunHead<'_>, start: f64) -> Event {
    let info = SessionStartInfo {
        hparams: hparams(head),
        group_name: head.run.to_string(),
        start_time_secs: start,
    };
    event(
        start,
        0,
        vec![hparams_value(
            "_hparams_/session_start_info",
            HParamsData::SessionStartInfo(info),
        )],
    )
}

/// Where a run stands before an epoch: the batches trained and the seconds of training
/// and evaluation so far (which place the epoch's events in steps and in time).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Progress {
    /// Batches trained.
    pub batches: usize,
    /// Seconds spent.
    pub seconds: f64,
}

impl Progress {
    /// After `epochs`.
    pub fn of(epochs: &[EpochMetrics]) -> Self {
        epochs.iter().fold(Self::default(), |p, e| p.after(e))
    }

    /// After one more epoch.
    pub fn after(self, e: &EpochMetrics) -> Self {
        Self {
            batches: self.batches + e.batches,
            seconds: self.seconds + e.train_seconds + e.eval_seconds,
        }
    }
}

/// The end of a run: its final metrics and the session's status.
pub fn end_event(record: &RunRecord, start: f64) -> Event {
    let epochs = record.epochs.len();
    // As the last epoch's event computes it, so that time never runs backwards.
    let wall = start + Progress::of(&record.epochs).seconds;
    let mut values = Vec::new();
    if let Some(last) = record.last() {
        values.push(scalar("final/test_accuracy", last.test_accuracy * 100.0));
        values.push(scalar("final/test_loss", last.test_loss));
    }
    let status = match record.status {
        RunStatus::Completed | RunStatus::Imported => 1,
        RunStatus::Diverged(_) => 2,
        RunStatus::Running | RunStatus::Interrupted(_) => 3,
    };
    values.push(hparams_value(
        "_hparams_/session_end_info",
        HParamsData::SessionEndInfo(SessionEndInfo {
            status,
            end_time_secs: wall,
        }),
    ));
    event(wall, epochs, values)
}

/// The events of one epoch, its run having made `before` progress.
pub fn epoch_events(before: Progress, metrics: &EpochMetrics, start: f64) -> Vec<Event> {
    let e = metrics.epoch;
    let began = start + before.seconds;
    let mut events: Vec<Event> = metrics
        .running_loss
        .iter()
        .map(|r| {
            // Within the epoch's training time, by the share of its batches.
            let share = r.batch as f64 / metrics.batches.max(1) as f64;
            event(
                began + share * metrics.train_seconds,
                before.batches + r.batch,
                vec![scalar("loss/train_running", r.loss)],
            )
        })
        .collect();
    let mut values = vec![
        scalar("loss/train", metrics.train_loss),
        scalar("loss/test", metrics.test_loss),
        scalar("accuracy/train", metrics.train_accuracy * 100.0),
        scalar("accuracy/test", metrics.test_accuracy * 100.0),
        scalar("time/train_seconds", metrics.train_seconds),
        scalar("time/eval_seconds", metrics.eval_seconds),
    ];
    for track in &metrics.layers {
        let name = format!("layer{}", track.layer);
        values.push(scalar(
            &format!("{name}/grad_norm_mean"),
            track.grad_norm_mean,
        ));
        values.push(scalar(&format!("{name}/weight_mean"), track.weight_mean));
        values.push(scalar(&format!("{name}/weight_std"), track.weight_std));
        values.push(scalar(&format!("{name}/weight_norm"), track.weight_norm));
        if let Some(h) = &track.weight_histogram {
            values.push(Value {
                tag: format!("{name}/weights"),
                metadata: None,
                data: Some(Data::Histo(histogram(track, h))),
            });
        }
    }
    events.push(event(start + before.after(metrics).seconds, e, values));
    events
}

/// Every event of a run: its start, each epoch, and, once it has stopped, its end.
pub fn run_events(record: &RunRecord, start: f64) -> Vec<Event> {
    let mut events = vec![start_event(&RunHead::from(record), start)];
    let mut progress = Progress::default();
    for metrics in &record.epochs {
        events.extend(epoch_events(progress, metrics, start));
        progress = progress.after(metrics);
    }
    if record.status != RunStatus::Running {
        events.push(end_event(record, start));
    }
    events
}
