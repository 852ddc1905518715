//! Sweeps on every core and across machines: `--jobs` against a sequential sweep,
//! shards sharing a folder (claims, a SIGKILL, a full disk), `merge`, and a real Slurm
//! job array (opt-in locally; CI starts a one-node cluster and runs it).

#[path = "../common/mod.rs"]
mod common;
mod slurm;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

/// The epochs of every run of an experiment folder, by run name.
fn outcomes(dir: &Path) -> Vec<(String, Vec<[f64; 4]>)> {
    let mut runs: Vec<(String, Vec<[f64; 4]>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("run.json").is_file())
        .map(|e| {
            let record = read_json(&e.path().join("run.json"));
            assert_eq!(record["status"], "completed", "{}", e.path().display());
            (
                e.file_name().to_string_lossy().into_owned(),
                epoch_outcomes(&record),
            )
        })
        .collect();
    runs.sort_by(|a, b| a.0.cmp(&b.0));
    runs
}

/// The sweep every test here trains: three activations (RReLU draws random slopes while
/// training) times two seeds, two epochs, on the synthetic data.
fn sweep(cwd: &Path, data: &Path, name: &str, extra: &[&str]) -> Output {
    let mut args = vec!["--seeds", "2", "--name", name];
    args.extend_from_slice(extra);
    train(cwd, data, "o", "ReLU,RReLU,Tanh", &args)
}

#[test]
fn jobs_train_exactly_what_a_sequential_sweep_does() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let one = sweep(tmp.path(), &data, "one", &[]);
    assert!(one.status.success(), "{}", stderr(&one));
    let three = sweep(tmp.path(), &data, "three", &["--jobs", "3", "--json"]);
    let result = json_out(&three);
    assert_eq!(result["trained"].as_array().unwrap().len(), 6);
    let (one, three) = (
        outcomes(&tmp.path().join("o/one")),
        outcomes(&tmp.path().join("o/three")),
    );
    assert_eq!(one.len(), 6);
    assert_eq!(one, three, "--jobs 3 changed a run's metrics");
    // The summary covers every run, with the statistics over the two seeds.
    let summary = read_json(&tmp.path().join("o/three/summary.json"));
    assert_eq!(summary["rows"].as_array().unwrap().len(), 6);
    assert_eq!(summary["statistics"]["groups"][1]["accuracy"]["n"], 2);
    let bad = sweep(tmp.path(), &data, "bad", &["--jobs", "0"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--jobs"), "{}", stderr(&bad));
}

/// Holds the claim on a run, as a live shard elsewhere would.
fn hold_claim(experiment: &Path, run: &str) -> spec::claim::Claim {
    let path = spec::ExperimentLayout::new(experiment).claim(run);
    match spec::claim::try_claim(&path).unwrap() {
        spec::claim::Claimed::Mine(claim) => claim,
        spec::claim::Claimed::Held(owner) => panic!("{run} is held by {owner:?}"),
    }
}

#[test]
fn shards_split_the_plan_share_one_folder_and_skip_claimed_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let whole = sweep(tmp.path(), &data, "whole", &[]);
    assert!(whole.status.success(), "{}", stderr(&whole));

    // Shard 0 of 2 trains runs 0, 2, 4 of the plan (ReLU-s1, RReLU-s1, Tanh-s1).
    let first = sweep(tmp.path(), &data, "shared", &["--shard", "0/2", "--json"]);
    let first = json_out(&first);
    let trained: Vec<&str> = first["trained"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(trained, ["ReLU-s1", "RReLU-s1", "Tanh-s1"]);

    // Shard 1 of 2 from a Slurm array task's index, while another process holds the
    // claim on one of its runs: that run is skipped, not trained twice.
    let shared = tmp.path().join("o/shared");
    let held = hold_claim(&shared, "RReLU-s2");
    let mut args = vec![
        "train",
        "--acts",
        "ReLU,RReLU,Tanh",
        "--seeds",
        "2",
        "--name",
        "shared",
        "--out",
        "o",
        "--shard",
        "auto/2",
        "--data-dir",
        data.to_str().unwrap(),
        "--no-verify",
    ];
    args.extend_from_slice(TINY);
    let second = Command::new(BIN)
        .args(&args)
        .current_dir(tmp.path())
        .env("SLURM_ARRAY_TASK_ID", "1")
        .output()
        .unwrap();
    assert!(second.status.success(), "{}", stderr(&second));
    let text = stderr(&second);
    assert!(
        text.contains(&format!(
            "RReLU-s2: skipped; process {} on",
            std::process::id()
        )),
        "{text}"
    );
    assert!(!shared.join("RReLU-s2/run.json").exists());
    drop(held);
    // Started again, the shard keeps its finished runs and trains the one it skipped.
    let again = Command::new(BIN)
        .args(&args)
        .arg("--json")
        .current_dir(tmp.path())
        .env("SLURM_ARRAY_TASK_ID", "1")
        .output()
        .unwrap();
    assert_eq!(json_out(&again)["trained"], serde_json::json!(["RReLU-s2"]));
    assert_eq!(
        outcomes(&shared),
        outcomes(&tmp.path().join("o/whole")),
        "shards changed a run's metrics"
    );

    // A shard of another experiment is refused before it touches the folder.
    let other = sweep(
        tmp.path(),
        &data,
        "shared",
        &["--shard", "0/2", "--lr", "0.01"],
    );
    assert_eq!(other.status.code(), Some(2));
    assert!(
        stderr(&other).contains("holds another experiment than this config"),
        "{}",
        stderr(&other)
    );
    // An index outside the array, or no scheduler at all, is refused too.
    let outside = Command::new(BIN)
        .args(&args)
        .current_dir(tmp.path())
        .env("SLURM_ARRAY_TASK_ID", "5")
        .output()
        .unwrap();
    assert_eq!(outside.status.code(), Some(2));
    assert!(
        stderr(&outside).contains("it must be below 2"),
        "{}",
        stderr(&outside)
    );
}

#[test]
fn two_shards_started_together_train_each_run_once() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    // Both take every run (shard 0 of 1): only the claims keep them apart.
    let start = || {
        let mut args = vec![
            "train",
            "--acts",
            "ReLU,RReLU,Tanh,GELU",
            "--seeds",
            "2",
            "--name",
            "race",
            "--out",
            "o",
            "--shard",
            "0/1",
            "--json",
            "--data-dir",
            data.to_str().unwrap(),
            "--no-verify",
        ];
        args.extend_from_slice(TINY);
        Command::new(BIN)
            .args(&args)
            .current_dir(tmp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (start(), start());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let trained = |o: &Output| -> BTreeSet<String> {
        json_out(o)["trained"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let (ta, tb) = (trained(&a), trained(&b));
    assert!(ta.is_disjoint(&tb), "trained twice: {ta:?} and {tb:?}");
    assert_eq!(ta.len() + tb.len(), 8, "{ta:?} {tb:?}");
    for run in ta.union(&tb) {
        let record = read_json(&tmp.path().join("o/race").join(run).join("run.json"));
        assert_eq!(record["status"], "completed");
        assert!(record.get("resumed_after").is_none(), "{run} began twice");
    }
}

#[test]
fn a_sigkilled_shard_started_again_completes_exactly() {
    let data = std::fs::canonicalize(real_dataset()).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let shard = |name: &str, shard: &str| {
        let mut cmd = Command::new(BIN);
        cmd.args([
            "train",
            "--acts",
            "ReLU,RReLU",
            "--epochs",
            "4",
            "--seeds",
            "2",
        ])
        .args(["--hidden", "64,32", "--quiet", "--out", "o", "--name", name])
        .args(["--shard", shard, "--data-dir", data.to_str().unwrap()])
        .current_dir(tmp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
        cmd
    };
    for part in ["0/2", "1/2"] {
        let whole = shard("whole", part).output().unwrap();
        assert!(whole.status.success(), "{}", stderr(&whole));
    }
    // Shard 1 of 2 holds ReLU-s2 and RReLU-s2: kill it inside RReLU-s2.
    let mut child = shard("killed", "1/2").spawn().unwrap();
    let rrelu = tmp.path().join("o/killed/RReLU-s2/run.json");
    let started = Instant::now();
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "RReLU-s2 never finished an epoch"
        );
        let epochs = std::fs::read_to_string(&rrelu)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .map_or(0, |r| r["epochs"].as_array().map_or(0, Vec::len));
        if epochs >= 1 {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(150));
    child.kill().unwrap(); // SIGKILL: its claim's lock goes with it
    child.wait().unwrap();
    let killed = read_json(&rrelu);
    assert_eq!(killed["status"], "running", "the kill came too late");
    for part in ["1/2", "0/2"] {
        let again = shard("killed", part).output().unwrap();
        assert!(again.status.success(), "{}", stderr(&again));
    }
    let resumed = read_json(&rrelu);
    assert!(!resumed["resumed_after"].as_array().unwrap().is_empty());
    assert_eq!(
        outcomes(&tmp.path().join("o/killed")),
        outcomes(&tmp.path().join("o/whole")),
        "the killed shard's runs differ from the uninterrupted ones"
    );
}

#[test]
fn a_full_disk_leaves_the_previous_record_intact_and_nothing_half_written() {
    use std::os::unix::process::CommandExt;
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let mut args = vec![
        "train",
        "--acts",
        "ReLU",
        "--name",
        "full",
        "--out",
        "o",
        "--data-dir",
        data.to_str().unwrap(),
        "--no-verify",
    ];
    args.extend_from_slice(TINY);
    let mut command = Command::new(BIN);
    command.args(&args).current_dir(tmp.path());
    // No file may grow past 64 KiB: run.json fits, the first checkpoint (100 KiB of
    // weights) does not, as on a disk that filled up. The write fails with EFBIG
    // rather than killing the process with SIGXFSZ.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 64 * 1024,
                rlim_max: 64 * 1024,
            };
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let full = command.output().unwrap();
    assert_eq!(full.status.code(), Some(1), "{}", stderr(&full));
    let message = stderr(&full);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(
        message.starts_with("actlab: run ReLU-s7: ")
            && message.contains("File too large")
            && message.ends_with("for training continue with --resume: each run's record keeps its last completed epoch)\n"),
        "{message}"
    );
    // The record written before the failure is whole, and says where the run stands.
    let record = read_json(&tmp.path().join("o/full/ReLU-s7/run.json"));
    assert_eq!(record["status"], "running");
    assert!(record["epochs"].as_array().unwrap().is_empty());
    let leftovers: Vec<PathBuf> = walk(&tmp.path().join("o"))
        .into_iter()
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".tmp-")
        })
        .collect();
    assert!(
        leftovers.is_empty(),
        "half-written files left: {leftovers:?}"
    );
    // With room again, the sweep continues.
    let resumed = actlab_synthetic(
        tmp.path(),
        &[
            "train",
            "--resume",
            "o/full",
            "--data-dir",
            data.to_str().unwrap(),
            "--quiet",
        ],
    );
    assert!(resumed.status.success(), "{}", stderr(&resumed));
}

#[test]
fn ctrl_c_under_jobs_stops_every_worker_and_resume_finishes_exactly() {
    let data = std::fs::canonicalize(real_dataset()).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let sweep = |name: &str, jobs: &str| {
        let mut cmd = Command::new(BIN);
        cmd.args(["train", "--acts", "ReLU,RReLU,Tanh", "--epochs", "3"])
            .args(["--hidden", "64,32", "--quiet", "--out", "o", "--name", name])
            .args(["--jobs", jobs, "--data-dir", data.to_str().unwrap()])
            .current_dir(tmp.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        cmd
    };
    let whole = sweep("whole", "1").output().unwrap();
    assert!(whole.status.success(), "{}", stderr(&whole));
    let child = sweep("stopped", "2").spawn().unwrap();
    // Interrupt once both workers have a record, inside their first epoch or so.
    let records =
        ["ReLU-s7", "RReLU-s7"].map(|r| tmp.path().join("o/stopped").join(r).join("run.json"));
    let started = Instant::now();
    while !records.iter().all(|r| r.exists()) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the workers never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let signalled = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    // Each worker was told once: it saved and recorded where it stopped.
    for record in &records {
        assert_eq!(
            read_json(record)["status"],
            "interrupted",
            "{}",
            record.display()
        );
    }
    assert!(
        !tmp.path().join("o/stopped/Tanh-s7").exists(),
        "no new run starts after a Ctrl-C"
    );
    let resumed = actlab(
        tmp.path(),
        &[
            "train",
            "--resume",
            "o/stopped",
            "--jobs",
            "2",
            "--data-dir",
            data.to_str().unwrap(),
            "--quiet",
        ],
    );
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert_eq!(
        outcomes(&tmp.path().join("o/stopped")),
        outcomes(&tmp.path().join("o/whole")),
        "an interrupted and resumed --jobs sweep differs from an uninterrupted one"
    );
    // The checkpoint of the moment of the stop is of no use once the run went past it.
    let stale: Vec<PathBuf> = walk(&tmp.path().join("o/stopped"))
        .into_iter()
        .filter(|p| p.ends_with("checkpoints/interrupted.bpk"))
        .collect();
    assert!(stale.is_empty(), "left behind: {stale:?}");
}

#[test]
fn merge_names_what_is_missing_foreign_or_unreadable() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let half = sweep(tmp.path(), &data, "half", &["--shard", "0/2"]);
    assert!(half.status.success(), "{}", stderr(&half));
    let merge = |dir: &str| actlab(tmp.path(), &["merge", dir]);

    let incomplete = merge("o/half");
    assert_eq!(incomplete.status.code(), Some(4), "{}", stderr(&incomplete));
    assert!(
        stderr(&incomplete).contains(
            "3 of 6 planned runs not finished: ReLU-s2 (missing), RReLU-s2 (missing), Tanh-s2 (missing)"
        ),
        "{}",
        stderr(&incomplete)
    );
    // What is there is summarised all the same.
    let summary = read_json(&tmp.path().join("o/half/summary.json"));
    assert_eq!(summary["rows"].as_array().unwrap().len(), 3);
    assert!(tmp.path().join("o/half/index.html").is_file());

    let rest = sweep(tmp.path(), &data, "half", &["--shard", "1/2"]);
    assert!(rest.status.success(), "{}", stderr(&rest));
    let complete = merge("o/half");
    assert_eq!(complete.status.code(), Some(0), "{}", stderr(&complete));
    assert!(stdout(&complete).contains("6 of 6 planned runs finished"));

    // A run folder the plan does not name: named, not summarised.
    let half = tmp.path().join("o/half");
    let stray = half.join("Swish-s9");
    std::fs::create_dir_all(&stray).unwrap();
    std::fs::copy(half.join("ReLU-s1/run.json"), stray.join("run.json")).unwrap();
    let foreign = merge("o/half");
    assert_eq!(foreign.status.code(), Some(2));
    assert!(
        stderr(&foreign).contains("Swish-s9/run.json is not planned by its experiment.json"),
        "{}",
        stderr(&foreign)
    );
    std::fs::remove_dir_all(&stray).unwrap();

    // A run.json cut short: named, with what to do.
    let cut = half.join("Tanh-s2/run.json");
    let text = std::fs::read_to_string(&cut).unwrap();
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    let corrupt = merge("o/half");
    assert_eq!(corrupt.status.code(), Some(2));
    let message = stderr(&corrupt);
    assert!(
        message.starts_with("actlab: merge: ") && message.contains("Tanh-s2/run.json"),
        "{message}"
    );
    assert_eq!(message.lines().count(), 1, "{message}");
}
