//! TensorBoard event files: written while training (`--tensorboard`) and from records
//! (`actlab tensorboard`), carrying the record's values, and changing nothing in training.
//!
//! These read the files back with actlab's own reader (`tensorboard::read_events`), so
//! they guard against regressions rather than prove the format: the independent check is
//! `scripts/check-tensorboard.sh`, which CI runs, where TensorBoard itself loads the
//! files and finds the same values.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value as Json;
use tensorboard::proto::{Data, Event, HParamsData, HParamsPluginData, What};
use tensorboard::read_events;

/// The event files in `dir`.
fn event_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains("tfevents"))
        .collect();
    files.sort();
    files
}

/// The one event file in `dir`, read back.
fn events_in(dir: &Path) -> Vec<Event> {
    let files = event_files(dir);
    assert_eq!(
        files.len(),
        1,
        "one event file in {}: {files:?}",
        dir.display()
    );
    read_events(&files[0]).unwrap()
}

/// Every scalar as (tag, step) → value, and the histograms' (tag, step) → total count.
type Scalars = BTreeMap<(String, i64), f32>;
fn values(events: &[Event]) -> (Scalars, BTreeMap<(String, i64), f64>) {
    let mut scalars = BTreeMap::new();
    let mut histograms = BTreeMap::new();
    for event in events {
        let Some(What::Summary(summary)) = &event.what else {
            continue;
        };
        for v in &summary.value {
            let key = (v.tag.clone(), event.step);
            match &v.data {
                Some(Data::SimpleValue(x)) => {
                    assert!(scalars.insert(key, *x).is_none(), "{} twice", v.tag);
                }
                Some(Data::Histo(h)) => {
                    assert_eq!(h.bucket.len(), h.bucket_limit.len());
                    histograms.insert(key, h.num);
                }
                _ => {}
            }
        }
    }
    (scalars, histograms)
}

/// The run's hyper-parameters from its session-start event, as text.
fn hparams(events: &[Event]) -> BTreeMap<String, String> {
    use prost::Message;
    for event in events {
        let Some(What::Summary(summary)) = &event.what else {
            continue;
        };
        for v in &summary.value {
            if v.tag != "_hparams_/session_start_info" {
                continue;
            }
            let content = &v.metadata.as_ref().unwrap().plugin_data.as_ref().unwrap();
            assert_eq!(content.plugin_name, "hparams");
            let data = HParamsPluginData::decode(content.content.as_slice()).unwrap();
            let Some(HParamsData::SessionStartInfo(info)) = data.data else {
                panic!("not a session start");
            };
            return info
                .hparams
                .into_iter()
                .map(|(k, v)| (k, format!("{:?}", v.kind.unwrap())))
                .collect();
        }
    }
    panic!("no session start event");
}

/// A record without its timings, which differ from run to run.
fn untimed(mut record: Json) -> Json {
    fn strip(v: &mut Json) {
        match v {
            Json::Object(map) => {
                map.retain(|k, _| !k.ends_with("seconds"));
                map.values_mut().for_each(strip);
            }
            Json::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut record);
    record
}

#[test]
fn events_change_nothing_in_training_and_carry_the_records_values() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let flags = ["--track", "grads", "--log-every", "4"];
    let plain = train(tmp.path(), &data, "plain", "TeLU,ReLU", &flags);
    assert!(plain.status.success(), "{}", stderr(&plain));
    let mut with = flags.to_vec();
    with.push("--tensorboard");
    let logged = train(tmp.path(), &data, "logged", "TeLU,ReLU", &with);
    assert!(logged.status.success(), "{}", stderr(&logged));

    let exported = actlab(
        tmp.path(),
        &["tensorboard", "logged", "--out", "exported", "--json"],
    );
    assert_eq!(json_out(&exported)["files"].as_array().unwrap().len(), 2);

    for run in ["TeLU-s7", "ReLU-s7"] {
        let record = read_json(&tmp.path().join(format!("logged/train/{run}/run.json")));
        let plain_record = read_json(&tmp.path().join(format!("plain/train/{run}/run.json")));
        // Identical but for the experiment's name and the timings.
        let mut renamed = untimed(plain_record.clone());
        renamed["experiment"] = record["experiment"].clone();
        renamed["dataset"] = record["dataset"].clone();
        assert_eq!(untimed(record.clone()), renamed, "{run}");
        assert!(
            !tmp.path()
                .join(format!("plain/train/{run}/tensorboard"))
                .exists()
        );

        let events = events_in(&tmp.path().join(format!("logged/train/{run}/tensorboard")));
        let (scalars, histograms) = values(&events);
        let epochs = record["epochs"].as_array().unwrap();
        assert_eq!(epochs.len(), 2);
        let mut batches_before = 0;
        for e in epochs {
            let step = e["epoch"].as_i64().unwrap();
            let at = |tag: &str| scalars[&(tag.to_string(), step)];
            let f = |k: &str| e[k].as_f64().unwrap();
            assert_eq!(at("loss/train"), f("train_loss") as f32);
            assert_eq!(at("loss/test"), f("test_loss") as f32);
            assert_eq!(at("accuracy/train"), (f("train_accuracy") * 100.0) as f32);
            assert_eq!(at("accuracy/test"), (f("test_accuracy") * 100.0) as f32);
            let running = e["running_loss"].as_array().unwrap();
            // 600 images in batches of 32: 19 batches, a record every 4th.
            assert_eq!(e["batches"], 19);
            assert_eq!(running.len(), 4, "{run}: batches 4, 8, 12, 16");
            for r in running {
                let step = batches_before + r["batch"].as_i64().unwrap();
                assert_eq!(
                    scalars[&("loss/train_running".to_string(), step)],
                    r["loss"].as_f64().unwrap() as f32
                );
            }
            for layer in e["layers"].as_array().unwrap() {
                let name = format!("layer{}", layer["layer"]);
                for stat in ["grad_norm_mean", "weight_mean", "weight_std", "weight_norm"] {
                    assert_eq!(
                        at(&format!("{name}/{stat}")),
                        layer[stat].as_f64().unwrap() as f32
                    );
                }
                let counts: u64 = layer["weight_histogram"]["counts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_u64().unwrap())
                    .sum();
                assert_eq!(
                    histograms[&(format!("{name}/weights"), step)],
                    counts as f64
                );
            }
            batches_before += 19;
        }
        // 3 Linear layers, 2 epochs.
        assert_eq!(histograms.len(), 6);
        let last = &epochs[1];
        let final_step = 2;
        assert_eq!(
            scalars[&("final/test_accuracy".to_string(), final_step)],
            (last["test_accuracy"].as_f64().unwrap() * 100.0) as f32
        );
        let h = hparams(&events);
        let act = run.split('-').next().unwrap();
        assert_eq!(h["activation"], format!("String({act:?})"));
        assert_eq!(h["seed"], "Number(7.0)");
        assert_eq!(h["hidden"], "String(\"32,16\")");
        assert_eq!(h["lr"], "Number(0.05)");
        assert_eq!(h["batch_size"], "Number(32.0)");

        // The same events from the record afterwards, wall times aside.
        let from_record = events_in(&tmp.path().join(format!("exported/train/{run}")));
        assert_eq!(values(&from_record), (scalars, histograms), "{run}");
        assert_eq!(hparams(&from_record), h);
    }
}

#[test]
fn exporting_again_replaces_the_export_and_keeps_live_files() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let out = train(tmp.path(), &data, "exp", "ReLU", &["--tensorboard"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = tmp.path().join("exp/train/ReLU-s7/tensorboard");
    let live = event_files(&dir);
    assert_eq!(live.len(), 1);
    // A run that already has its events keeps them; nothing is written twice.
    let o = actlab(tmp.path(), &["tensorboard", "exp"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(event_files(&dir), live);
    assert!(stdout(&o).contains("already"), "{}", stdout(&o));

    // Without live files, an export goes into the run folder, once however often.
    std::fs::remove_dir_all(&dir).unwrap();
    for _ in 0..2 {
        let o = actlab(tmp.path(), &["tensorboard", "exp/train"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let files = event_files(&dir);
        assert_eq!(files.len(), 1, "{files:?}");
        assert!(files[0].to_string_lossy().ends_with("actlab-export"));
    }

    for (args, expected) in [
        (vec!["tensorboard", "nowhere"], "nowhere: no such folder"),
        (vec!["tensorboard", "data"], "no experiment folder"),
    ] {
        let o = actlab(tmp.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(expected), "{err}");
    }
}
