//! `[[setting]]` tables (one experiment under several settings, the transfer table) and
//! `[train] dead_units` (the unit census at initialisation and after every epoch).

use std::process::Output;

use super::*;

/// Three settings (one with a convolution) of two activations, three seeds, one epoch,
/// counting units.
const CONFIG: &str = r#"
name = "transfer"
acts = ["ReLU", "RReLU"]
seeds = 3
hidden = [8, 8]

[train]
epochs = 1
batch_size = 32
lr = 0.05
momentum = 0.9
dead_units = true

[[setting]]
name = "plain"

[[setting]]
name = "deep-he"
hidden = [8, 8, 8, 8]
init = "he-normal"
train = { optimizer = "adam", lr = 0.01 }

[[setting]]
name = "conv"
conv = [3]
"#;

fn settings_train(cwd: &Path, data: &Path, config: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "train",
        "--config",
        config.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
        "--threads",
        "1",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    actlab_synthetic(cwd, &args)
}

#[test]
fn settings_train_a_folder_each_and_a_transfer_table() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let config = tmp.path().join("transfer.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let out = settings_train(tmp.path(), &data, &config, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("| activation | plain | deep-he | conv |"),
        "{}",
        stdout(&out)
    );
    let dir = tmp.path().join("results/transfer");
    // Each setting is an experiment of its own, with the setting's values over the
    // experiment's.
    let deep = read_json(&dir.join("deep-he/ReLU-s2/run.json"));
    assert_eq!(deep["network"]["hidden"], serde_json::json!([8, 8, 8, 8]));
    assert_eq!(deep["network"]["init"], "he-normal");
    assert_eq!(deep["train"]["optimizer"], "adam");
    assert_eq!(deep["train"]["lr"], 0.01);
    assert_eq!(deep["train"]["momentum"], 0.9, "the experiment's own value");
    let plain = read_json(&dir.join("plain/ReLU-s2/run.json"));
    assert_eq!(plain["network"]["hidden"], serde_json::json!([8, 8]));
    assert_eq!(plain["train"]["optimizer"], "sgd");
    assert!(dir.join("plain/summary.json").is_file());
    let conv = read_json(&dir.join("conv/RReLU-s1/run.json"));
    assert_eq!(conv["network"]["conv"], serde_json::json!([3]));
    // The census counts the convolution's channels first.
    let units: Vec<u64> = conv["initial_units"]["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["units"].as_u64().unwrap())
        .collect();
    assert_eq!(units, [3, 8, 8]);

    // The table: every activation under every setting, its mean the runs' own.
    let table = read_json(&dir.join("settings.json"));
    assert_eq!(table["kind"], "transfer");
    let settings = table["settings"].as_array().unwrap();
    assert_eq!(settings.len(), 3);
    let rows = settings[1]["rows"].as_array().unwrap();
    let rrelu = rows.iter().find(|r| r["activation"] == "RReLU").unwrap();
    let finals: Vec<f64> = (1..=3)
        .map(|s| {
            let r = read_json(&dir.join(format!("deep-he/RReLU-s{s}/run.json")));
            100.0 * r["epochs"][0]["test_accuracy"].as_f64().unwrap()
        })
        .collect();
    let mean = finals.iter().sum::<f64>() / 3.0;
    assert!((rrelu["accuracy"]["mean"].as_f64().unwrap() - mean).abs() < 1e-9);
    assert!(rrelu["vs_baseline"]["p_holm"].is_number(), "{rrelu}");
    // Dead units: the mean over seeds of each run's share at initialisation.
    let dead: Vec<f64> = (1..=3)
        .map(|s| {
            let r = read_json(&dir.join(format!("deep-he/RReLU-s{s}/run.json")));
            let layers = r["initial_units"]["layers"].as_array().unwrap().clone();
            let dead: u64 = layers.iter().map(|l| l["dead"].as_u64().unwrap()).sum();
            100.0 * dead as f64 / 32.0
        })
        .collect();
    let shown = rrelu["units"]["dead_at_init"]["mean"].as_f64().unwrap();
    assert!((shown - dead.iter().sum::<f64>() / 3.0).abs() < 1e-9);
    let md = std::fs::read_to_string(dir.join("settings.md")).unwrap();
    assert!(md.contains("| deep-he | RReLU |"), "{md}");

    // A second start refuses to overwrite; --resume keeps every finished run.
    let again = settings_train(tmp.path(), &data, &config, &[]);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("already holds results"),
        "{}",
        stderr(&again)
    );
    let before = std::fs::read(dir.join("deep-he/ReLU-s1/run.json")).unwrap();
    std::fs::remove_dir_all(dir.join("deep-he/ReLU-s3")).unwrap();
    std::fs::remove_file(dir.join("settings.json")).unwrap();
    let resumed = actlab_synthetic(
        tmp.path(),
        &[
            "train",
            "--resume",
            dir.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
            "--threads",
            "1",
            "--quiet",
        ],
    );
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert_eq!(
        before,
        std::fs::read(dir.join("deep-he/ReLU-s1/run.json")).unwrap(),
        "a finished run is kept as it was"
    );
    let retrained = read_json(&dir.join("deep-he/ReLU-s3/run.json"));
    assert_eq!(retrained["status"], "completed");
    assert_eq!(read_json(&dir.join("settings.json")), table);

    // The report page: the tables and the figure; `compare` takes one setting.
    let page = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(page.contains("transfer: accuracy by setting"), "{page}");
    assert!(page.contains("dead and saturated units") && page.contains("<svg"));
    std::fs::remove_file(dir.join("index.html")).unwrap();
    let report = actlab(tmp.path(), &["report", dir.to_str().unwrap()]);
    assert!(report.status.success(), "{}", stderr(&report));
    assert!(dir.join("index.html").is_file());
    let compare = actlab(
        tmp.path(),
        &[
            "compare",
            dir.to_str().unwrap(),
            dir.join("plain").to_str().unwrap(),
        ],
    );
    assert_eq!(compare.status.code(), Some(2));
    assert!(
        stderr(&compare).contains("trains 3 settings"),
        "{}",
        stderr(&compare)
    );
    // Two experiments with settings are compared setting by setting; against itself
    // nothing regresses, and every setting is tested (3 seeds).
    let folder = dir.to_str().unwrap();
    let args = ["compare", folder, folder, "--fail-on-regression"];
    let compare = actlab(tmp.path(), &args);
    assert!(compare.status.success(), "{}", stderr(&compare));
    let text = stdout(&compare);
    for setting in ["plain", "deep-he", "conv"] {
        assert!(text.contains(&format!("# Setting {setting}")), "{text}");
    }
    let json = json_out(&actlab(tmp.path(), &["compare", folder, folder, "--json"]));
    let group = &json["conv"]["groups"][0]["comparison"]["group"];
    assert_eq!(group, "ReLU", "{json}");

    // `ls` sees the settings' experiments, not the empty parent.
    let listed = stdout(&actlab(tmp.path(), &["ls", dir.to_str().unwrap()]));
    assert!(
        listed.contains("deep-he") && listed.contains("plain"),
        "{listed}"
    );
}

#[test]
fn bad_settings_are_refused_with_the_setting_named() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    // The second setting's table, and what its error names.
    let cases = [
        (
            "name = \"other\"\ntrain = { lrr = 0.1 }",
            "setting[1].train",
            "unknown field `lrr`",
        ),
        (
            "name = \"other\"\nhidden = [8, 0]",
            "setting[1].hidden[1]",
            "is 0",
        ),
        ("name = \"Plain\"", "setting[1].name", "repeats \"Plain\""),
        (
            "name = \"other\"\ntrain = { seed = 3 }",
            "setting[1].train.seed",
            "seeds",
        ),
        ("name = \"a/b\"", "setting[1].name", "plain folder name"),
    ];
    for (second, field, problem) in cases {
        let text =
            format!("acts = [\"ReLU\"]\n[[setting]]\nname = \"plain\"\n[[setting]]\n{second}\n");
        let config = tmp.path().join("bad.toml");
        std::fs::write(&config, text).unwrap();
        let out = settings_train(tmp.path(), &data, &config, &[]);
        assert_eq!(out.status.code(), Some(2), "{second}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(&format!("`{field}`")), "{second}: {err}");
        assert!(err.contains(problem), "{second}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    }
    let config = tmp.path().join("ok.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let sharded = settings_train(tmp.path(), &data, &config, &["--shard", "0/2"]);
    assert_eq!(sharded.status.code(), Some(2));
    assert!(
        stderr(&sharded).contains("--shard:") && stderr(&sharded).contains("3 settings"),
        "{}",
        stderr(&sharded)
    );
}

/// Counting units changes nothing in training (RReLU, whose random slopes interleave
/// with the lazily drawn weights, included), and the count at initialisation is the
/// dead-neuron probe's on the epoch-0 checkpoint of the same seed.
#[test]
fn counting_units_changes_no_bit_and_matches_the_probe() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let acts = "ReLU,RReLU,TeLU";
    let plain = train(tmp.path(), &data, "plain", acts, &["--epochs", "2"]);
    assert!(plain.status.success(), "{}", stderr(&plain));
    let counted = train(
        tmp.path(),
        &data,
        "counted",
        acts,
        &["--epochs", "2", "--track", "dead-units"],
    );
    assert!(counted.status.success(), "{}", stderr(&counted));
    for run in ["ReLU-s7", "RReLU-s7", "TeLU-s7"] {
        let a = read_json(&tmp.path().join(format!("plain/train/{run}/run.json")));
        let b = read_json(&tmp.path().join(format!("counted/train/{run}/run.json")));
        assert_eq!(epoch_outcomes(&a), epoch_outcomes(&b), "{run}");
        assert!(a["initial_units"].is_null() && a["epochs"][0]["units"].is_null());
        assert_eq!(b["train"]["dead_units"], true);
        for epoch in b["epochs"].as_array().unwrap() {
            assert_eq!(epoch["units"]["samples"], b["initial_units"]["samples"]);
        }
    }
    // RReLU too: its epoch-0 checkpoint holds the weights training starts from (its
    // slopes' draws interleave with the weights'), and saving it changes no bit.
    let saved = train(
        tmp.path(),
        &data,
        "saved",
        "ReLU,RReLU",
        &["--epochs", "2", "--save-epochs", "0"],
    );
    assert!(saved.status.success(), "{}", stderr(&saved));
    for name in ["ReLU-s7", "RReLU-s7"] {
        let run = tmp.path().join(format!("saved/train/{name}"));
        let with_zero = read_json(&run.join("run.json"));
        let plain = read_json(&tmp.path().join(format!("plain/train/{name}/run.json")));
        assert_eq!(epoch_outcomes(&with_zero), epoch_outcomes(&plain), "{name}");
        probe_matches_census(tmp.path(), &data, &run, name);
    }
}

/// The dead-neuron probe of `run`'s epoch-0 checkpoint equals the census the counted run
/// `name` took at initialisation.
fn probe_matches_census(cwd: &Path, data: &Path, run: &Path, name: &str) {
    let probe = json_out(&actlab_synthetic(
        cwd,
        &[
            "probe",
            "dead-neurons",
            "--run",
            run.to_str().unwrap(),
            "--checkpoint",
            "epoch-0",
            "--data-dir",
            data.to_str().unwrap(),
            "--json",
        ],
    ));
    let counted = read_json(&cwd.join(format!("counted/train/{name}/run.json")));
    let layers = counted["initial_units"]["layers"].as_array().unwrap();
    let probed = probe["record"]["report"]["layers"].as_array().unwrap();
    assert_eq!(layers.len(), probed.len());
    for (c, p) in layers.iter().zip(probed) {
        for key in [
            "units",
            "dead",
            "saturated",
            "pre_activation_mean",
            "pre_activation_std",
        ] {
            assert_eq!(c[key], p[key], "{name}: {key}");
        }
    }
}
