//! `train`: runs, records, configs, scopes, interruption and resumption.

use super::*;

#[test]
fn train_writes_runs_summary_and_repeats_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let out = train(
        tmp.path(),
        &data,
        "a",
        "ReLU,prelu",
        &["--save-epochs", "1"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("| SimpleNetwork-PReLU |"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("| Model | Accuracy (%) | Final test loss | Time (s) |"),
        "the table says which loss it shows: {}",
        stdout(&out)
    );
    // Without --quiet and off a terminal: a line per epoch, with the sweep's ETA.
    let shown = actlab_synthetic(
        tmp.path(),
        &[
            "train",
            "--acts",
            "ReLU,Tanh",
            "--epochs",
            "2",
            "--hidden",
            "8",
            "--out",
            "eta",
            "--data-dir",
            data.to_str().unwrap(),
        ],
    );
    let lines = stdout(&shown);
    assert!(
        lines.contains("[1/2] ReLU-s7 epoch 1/2: train loss"),
        "{lines}"
    );
    assert!(lines.contains("| sweep ETA "), "{lines}");
    let help = stdout(&actlab(tmp.path(), &["plot", "dead-neurons", "--help"]));
    assert!(
        help.contains("results/figures for `acts` and `dead-neurons`"),
        "{help}"
    );
    let exp = tmp.path().join("a/train");
    for file in [
        "summary.md",
        "summary.csv",
        "summary.json",
        "experiment.json",
        "figures/comparison.svg",
        "figures/comparison.png",
        "ReLU-s7/figures/training.svg",
    ] {
        assert!(exp.join(file).is_file(), "{file}");
    }
    let record = read_json(&exp.join("ReLU-s7/run.json"));
    assert_eq!(record["status"], "completed");
    assert!(!record["revision"].as_str().unwrap().is_empty());
    assert_eq!(record["dataset_md5"].as_object().unwrap().len(), 4);
    assert_eq!(record["epochs"].as_array().unwrap().len(), 2);
    assert_eq!(
        record["params"],
        784 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10
    );
    let acc = record["epochs"][1]["test_accuracy"].as_f64().unwrap();
    assert_learned(acc, 0.95, "ReLU");
    assert!(exp.join("ReLU-s7/checkpoints/epoch-1.bpk").is_file());
    assert!(exp.join("ReLU-s7/checkpoints/epoch-2.bpk").is_file());

    let again = train(
        tmp.path(),
        &data,
        "b",
        "ReLU,PReLU",
        &["--save-epochs", "1"],
    );
    assert!(again.status.success(), "{}", stderr(&again));
    let metrics = |root: &str, run: &str| -> Vec<Value> {
        let r = read_json(
            &tmp.path()
                .join(root)
                .join("train")
                .join(run)
                .join("run.json"),
        );
        r["epochs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                serde_json::json!([
                    e["train_loss"],
                    e["train_accuracy"],
                    e["test_loss"],
                    e["test_accuracy"]
                ])
            })
            .collect()
    };
    assert_eq!(metrics("a", "ReLU-s7"), metrics("b", "ReLU-s7"));
    assert_eq!(metrics("a", "PReLU-s7"), metrics("b", "PReLU-s7"));

    // A second training into the same folder is refused, then allowed with --force.
    let refused = train(tmp.path(), &data, "a", "ReLU", &[]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("already holds results"),
        "{}",
        stderr(&refused)
    );
    let forced = train(tmp.path(), &data, "a", "ReLU", &["--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));

    // The probe on the trained run.
    // `probe dead-neurons` on a run folder, with extra flags.
    let probe_run = |run: &str, extra: &[&str]| {
        let mut args = vec![
            "probe",
            "dead-neurons",
            "--run",
            run,
            "--data-dir",
            data.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        actlab_synthetic(tmp.path(), &args)
    };
    let probe = probe_run("a/train/ReLU-s7", &["--threads", "1"]);
    assert!(probe.status.success(), "{}", stderr(&probe));
    assert!(
        stdout(&probe).contains("Number of layers to compare = 2"),
        "{}",
        stdout(&probe)
    );
    let report = read_json(&exp.join("ReLU-s7/probes/dead-neurons-epoch-2.json"));
    assert_eq!(report["report"]["samples"], 600);
    assert_eq!(report["report"]["layers"][0]["units"], 32);
    assert_eq!(report["source"]["epoch"], 2);

    let early = probe_run("b/train/ReLU-s7", &["--checkpoint", "epoch-1"]);
    assert!(early.status.success(), "{}", stderr(&early));
    assert!(
        tmp.path()
            .join("b/train/ReLU-s7/probes/dead-neurons-epoch-1.json")
            .is_file()
    );

    // The record alone is enough to train the run again, identically.
    let rerun = actlab_synthetic(
        tmp.path(),
        &[
            "rerun",
            "a/train/ReLU-s7/run.json",
            "--out",
            "again",
            "--quiet",
            "--data-dir",
            data.to_str().unwrap(),
        ],
    );
    assert!(rerun.status.success(), "{}", stderr(&rerun));
    assert!(
        stdout(&rerun).contains("reproduced: all 2 recorded epochs"),
        "{}",
        stdout(&rerun)
    );
    assert!(tmp.path().join("again/ReLU-s7/run.json").is_file());

    // A checkpoint that does not fit its network (the run.json's, where a run's network
    // is written down, edited), and one that is not a checkpoint.
    let run = tmp.path().join("b/train/ReLU-s7");
    let config = run.join("run.json");
    let text = std::fs::read_to_string(&config).unwrap();
    let mut edited: Value = serde_json::from_str(&text).unwrap();
    edited["network"]["hidden"][0] = 24.into();
    std::fs::write(&config, edited.to_string()).unwrap();
    let probe = |checkpoint: &str| probe_run("b/train/ReLU-s7", &["--checkpoint", checkpoint]);
    let misfit = probe("epoch-2");
    assert_eq!(misfit.status.code(), Some(2), "{}", stderr(&misfit));
    assert!(
        stderr(&misfit).contains("does not fit the network"),
        "{}",
        stderr(&misfit)
    );
    assert_eq!(
        stderr(&misfit).trim_end().lines().count(),
        1,
        "{}",
        stderr(&misfit)
    );
    std::fs::write(&config, text).unwrap();
    std::fs::write(run.join("checkpoints/epoch-1.bpk"), b"not a checkpoint").unwrap();
    let corrupt = probe("epoch-1");
    assert_eq!(corrupt.status.code(), Some(2), "{}", stderr(&corrupt));
    assert!(
        stderr(&corrupt).contains("epoch-1.bpk"),
        "{}",
        stderr(&corrupt)
    );
    assert!(
        !stderr(&corrupt).contains("panicked"),
        "{}",
        stderr(&corrupt)
    );
    let missing = probe("epoch-9");
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("available: epoch-1, epoch-2"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn ctrl_c_saves_a_checkpoint_and_exits_130() {
    let data = std::fs::canonicalize(real_dataset()).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    // STAF epochs take seconds, so the interrupt lands mid-epoch.
    let child = Command::new(BIN)
        .args([
            "train",
            "--acts",
            "STAF,ReLU",
            "--epochs",
            "2",
            "--quiet",
            "--out",
            "o",
        ])
        .args(["--data-dir", data.to_str().unwrap()])
        .current_dir(tmp.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let record = tmp.path().join("o/train/STAF-s7/run.json");
    let started = std::time::Instant::now();
    while !record.exists() {
        assert!(started.elapsed().as_secs() < 60, "training never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let json = read_json(&record);
    assert_eq!(json["status"], "interrupted");
    assert_eq!(json["interrupted_at"][0], 1);
    assert!(
        tmp.path()
            .join("o/train/STAF-s7/checkpoints/interrupted.bpk")
            .is_file()
    );
    // The sweep stopped: ReLU never started; the summary lists what ran.
    assert!(!tmp.path().join("o/train/ReLU-s7").exists());
    let row = &read_json(&tmp.path().join("o/train/summary.json"))["rows"][0];
    assert_eq!(row["status"], "interrupted");
    // Stopped inside its first epoch, the run still took time: its wall time so far.
    assert!(row["time_seconds"].as_f64().unwrap() > 0.0, "{row}");
    let leftovers: Vec<_> = walk(tmp.path())
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_sigkilled_sweep_resumes_to_exactly_the_uninterrupted_metrics() {
    let data = std::fs::canonicalize(real_dataset()).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    // RReLU draws random slopes while training, so this also checks the random stream;
    // He-uniform weights with zero biases, that a resume starts from what was saved,
    // not from a scheme's draw.
    let sweep = |name: &str| {
        let mut cmd = Command::new(BIN);
        cmd.args(["train", "--acts", "ReLU,RReLU", "--epochs", "4"])
            .args(["--init", "he-uniform"])
            .args(["--hidden", "64,32", "--quiet", "--out", "o", "--name", name])
            .args(["--data-dir", data.to_str().unwrap()])
            .current_dir(tmp.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        cmd
    };
    let whole = sweep("whole").output().unwrap();
    assert!(whole.status.success(), "{}", stderr(&whole));

    let mut child = sweep("killed").spawn().unwrap();
    let rrelu = tmp.path().join("o/killed/RReLU-s7/run.json");
    let started = std::time::Instant::now();
    // Kill once RReLU has finished an epoch, so that the resume starts from a saved
    // model and optimiser state rather than from the seed.
    loop {
        assert!(
            started.elapsed().as_secs() < 120,
            "RReLU never finished an epoch"
        );
        let epochs = std::fs::read_to_string(&rrelu)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .map_or(0, |r| r["epochs"].as_array().map_or(0, Vec::len));
        if epochs >= 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(150));
    child.kill().unwrap(); // SIGKILL: no handler runs, nothing gets tidied up
    child.wait().unwrap();
    let killed = read_json(&rrelu);
    assert_eq!(killed["status"], "running", "the kill came too late");
    let done = killed["epochs"].as_array().unwrap().len();
    assert!((1..4).contains(&done), "{done} epochs");
    assert_eq!(killed["resume"]["epoch"], done);
    let relu = tmp.path().join("o/killed/ReLU-s7/run.json");
    let relu_before = std::fs::read(&relu).unwrap();

    let resumed = actlab(
        tmp.path(),
        &[
            "train",
            "--resume",
            "o/killed",
            "--data-dir",
            data.to_str().unwrap(),
        ],
    );
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert!(
        stderr(&resumed).contains("1 of 2 runs left"),
        "{}",
        stderr(&resumed)
    );
    assert_eq!(
        std::fs::read(&relu).unwrap(),
        relu_before,
        "a finished run is left alone"
    );
    let after = read_json(&rrelu);
    assert_eq!(after["status"], "completed");
    assert_eq!(after["resumed_after"], serde_json::json!([done]));
    assert!(
        after.get("resume").is_none(),
        "a finished run keeps no resume point"
    );
    for run in ["ReLU-s7", "RReLU-s7"] {
        let reference = read_json(&tmp.path().join("o/whole").join(run).join("run.json"));
        let got = read_json(&tmp.path().join("o/killed").join(run).join("run.json"));
        assert_eq!(epoch_outcomes(&got), epoch_outcomes(&reference), "{run}");
        assert_eq!(epoch_outcomes(&got).len(), 4);
    }
    let checkpoints: Vec<_> = walk(&tmp.path().join("o/killed/RReLU-s7/checkpoints"))
        .into_iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    assert!(
        checkpoints
            .iter()
            .all(|n| !n.starts_with("resume-") && !n.contains(".tmp-")),
        "{checkpoints:?}"
    );

    let again = actlab(
        tmp.path(),
        &[
            "train",
            "--resume",
            "o/killed",
            "--data-dir",
            data.to_str().unwrap(),
        ],
    );
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("0 of 2 runs left"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn a_toml_defined_activation_trains_and_is_recorded_in_full() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let config = tmp.path().join("mine.toml");
    std::fs::write(
        &config,
        "name = \"mine\"\nacts = [\"swigelu2\"]\nhidden = [32, 16]\nscope = \"per-layer\"\n\
         [train]\nepochs = 2\nlr = 0.05\nmomentum = 0.9\nbatch_size = 32\n\
         [[activation]]\nname = \"SwiGELU2\"\nexpr = \"0.5 * (x * sigmoid(beta * x) + gelu(x))\"\nparams = { beta = 1.0 }\n",
    )
    .unwrap();
    let out = actlab_synthetic(
        tmp.path(),
        &[
            "train",
            "--config",
            config.to_str().unwrap(),
            "--out",
            "o",
            "--quiet",
            "--data-dir",
            data.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let run = tmp.path().join("o/mine/SwiGELU2-s7");
    let record = read_json(&run.join("run.json"));
    let kind = &record["network"]["activation"]["kind"];
    assert_eq!(kind["expr"], "0.5 * (x * sigmoid(beta * x) + gelu(x))");
    assert_eq!(kind["params"]["beta"], 1.0);
    let acc = record["epochs"][1]["test_accuracy"].as_f64().unwrap();
    assert_learned(acc, 0.95, "the TOML-defined activation");
    // The record alone rebuilds the network: the probe needs no --defs.
    let probe = actlab_synthetic(
        tmp.path(),
        &[
            "probe",
            "dead-neurons",
            "--run",
            run.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ],
    );
    assert!(probe.status.success(), "{}", stderr(&probe));
    let rerun = actlab_synthetic(
        tmp.path(),
        &[
            "rerun",
            run.join("run.json").to_str().unwrap(),
            "--out",
            "again",
            "--quiet",
            "--data-dir",
            data.to_str().unwrap(),
        ],
    );
    assert!(rerun.status.success(), "{}", stderr(&rerun));
    assert!(stdout(&rerun).contains("reproduced"), "{}", stdout(&rerun));
}

#[test]
fn per_neuron_scope_and_fourier_options_reach_the_record() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let out = train(
        tmp.path(),
        &data,
        "o",
        "Fourier,PReLU",
        &[
            "--scope",
            "per-neuron",
            "--fourier-tau",
            "4",
            "--fourier-init",
            "paper",
            "--fourier-omega0",
            "1.5",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let linear = 784 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10;
    let units = 32 + 16;
    let fourier = read_json(&tmp.path().join("o/train/Fourier-s7/run.json"));
    let activation = &fourier["network"]["activation"];
    assert_eq!(activation["scope"], "per-neuron");
    assert_eq!(activation["fourier"]["tau"], 4);
    assert_eq!(activation["fourier"]["init"], "paper");
    assert_eq!(activation["fourier"]["omega0"], 1.5);
    assert_eq!(fourier["params"], linear + units * 3 * 4);
    let prelu = read_json(&tmp.path().join("o/train/PReLU-s7/run.json"));
    assert_eq!(prelu["params"], linear + units);
    assert!(prelu["network"]["activation"].get("fourier").is_none());
    let acc = prelu["epochs"][1]["test_accuracy"].as_f64().unwrap();
    assert_learned(acc, 0.95, "per-neuron scope");
    // Per-neuron Fourier at lr 0.05, momentum 0.9 learns but is chaotic: over seeds 1-10
    // its second-epoch test accuracy spans 0.32-1.0, and last-bit differences (fused
    // kernels or not) move seed 7 between 0.32 and 0.61 while the other nine agree to
    // three decimals. So: it trains (the training loss falls), not a threshold.
    let loss = |e: usize| fourier["epochs"][e]["train_loss"].as_f64().unwrap();
    assert!(
        loss(1) < loss(0),
        "Fourier's training loss falls: {}",
        fourier["epochs"]
    );
    // The table's parameter count agrees with the trained network's.
    let summary = actlab(
        tmp.path(),
        &[
            "summary",
            "--act",
            "PReLU",
            "--hidden",
            "32,16",
            "--scope",
            "per-neuron",
            "--json",
        ],
    );
    let table: Value = serde_json::from_str(&stdout(&summary)).unwrap();
    assert_eq!(table["total_params"], linear + units);
}

#[test]
fn tracking_gradients_records_every_layer_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let plain = train(tmp.path(), &data, "plain", "TeLU", &[]);
    assert!(plain.status.success(), "{}", stderr(&plain));
    let tracked = train(tmp.path(), &data, "tracked", "TeLU", &["--track", "grads"]);
    assert!(tracked.status.success(), "{}", stderr(&tracked));
    let record = read_json(&tmp.path().join("tracked/train/TeLU-s7/run.json"));
    assert_eq!(record["train"]["track_grads"], true);
    for epoch in record["epochs"].as_array().unwrap() {
        let layers = epoch["layers"].as_array().unwrap();
        assert_eq!(layers.len(), 3, "two hidden Linear layers and the output");
        for l in layers {
            assert!(l["grad_norm_mean"].as_f64().unwrap() > 0.0);
            assert!(l["weight_std"].as_f64().unwrap() > 0.0);
            assert!(l["weight_norm"].as_f64().unwrap() > 0.0);
        }
    }
    let plain_record = read_json(&tmp.path().join("plain/train/TeLU-s7/run.json"));
    assert!(plain_record["epochs"][0].get("layers").is_none());
    assert_eq!(epoch_outcomes(&record), epoch_outcomes(&plain_record));
    let figure = std::fs::read_to_string(
        tmp.path()
            .join("tracked/train/TeLU-s7/figures/training.svg"),
    )
    .unwrap();
    for panel in [
        "Loss",
        "Accuracy",
        "Mean gradient norm per layer",
        "Weight spread per layer",
    ] {
        assert!(figure.contains(&format!("\n{panel}\n")), "no {panel} panel");
    }
}

/// A relative `out` in a config is taken from the current directory, as documented,
/// not from the config's folder.
#[test]
fn a_relative_out_in_a_config_is_taken_from_the_working_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    std::fs::create_dir_all(tmp.path().join("configs")).unwrap();
    std::fs::write(
        tmp.path().join("configs/c.toml"),
        "name = \"rel\"\nout = \"here\"\nacts = [\"ReLU\"]\nhidden = [8]\n[train]\nepochs = 1\n",
    )
    .unwrap();
    let out = actlab_synthetic(
        tmp.path(),
        &[
            "train",
            "--config",
            "configs/c.toml",
            "--data-dir",
            data.to_str().unwrap(),
            "--quiet",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(tmp.path().join("here/rel/ReLU-s7/run.json").is_file());
    assert!(!tmp.path().join("configs/here").exists());
}
