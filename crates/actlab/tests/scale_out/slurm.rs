//! A config's sweep as a Slurm job array: the script `actlab slurm` writes, and the
//! array run on a real Slurm (a one-node cluster that CI starts).

use super::*;

#[test]
fn the_slurm_script_submits_the_plan_as_an_array_and_merges_after_it() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("sweep.toml"),
        "name = \"sweep\"\nacts = [\"ReLU\", \"Tanh\", \"GELU\"]\nseeds = 2\n",
    )
    .unwrap();
    let out = actlab(
        tmp.path(),
        &[
            "slurm",
            "sweep.toml",
            "--array-limit",
            "4",
            "--time",
            "00:30:00",
            "--partition",
            "gpu",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let script = std::fs::read_to_string(tmp.path().join("sweep.sbatch")).unwrap();
    for line in [
        "#SBATCH --array=0-5%4",
        "#SBATCH --time=00:30:00",
        "#SBATCH --partition=gpu",
        "--shard auto/6 --quiet",
        "--dependency=afterany:\"$array\"",
    ] {
        assert!(script.contains(line), "no {line:?} in:\n{script}");
    }
    let bash = Command::new("bash")
        .args(["-n", "sweep.sbatch"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(bash.status.success(), "{}", stderr(&bash));
    let bad = actlab(tmp.path(), &["slurm", "sweep.toml", "--time", "soon"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("not a Slurm time limit"),
        "{}",
        stderr(&bad)
    );
}

/// Waits until Slurm has no job named `name` left in its queue.
fn wait_for_slurm(name: &str, limit: Duration) {
    let started = Instant::now();
    loop {
        let queue = Command::new("squeue")
            .args(["-h", "-n", name, "-o", "%i %T"])
            .output()
            .expect("squeue runs");
        let text = String::from_utf8_lossy(&queue.stdout).into_owned();
        if queue.status.success() && text.trim().is_empty() {
            return;
        }
        assert!(
            started.elapsed() < limit,
            "Slurm jobs of {name} still queued: {text}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
#[ignore = "needs a running Slurm: bash scripts/slurm-local.sh start, then run it with --ignored (CI does)"]
fn a_slurm_array_trains_what_a_local_sweep_does() {
    let tmp = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(tmp.path()).unwrap();
    let data = synthetic_dataset(&root);
    // 2 activations x 2 seeds x 1 epoch: 4 array tasks.
    std::fs::write(
        root.join("sweep.toml"),
        "name = \"slurm\"\nout = \"o\"\nacts = [\"ReLU\", \"RReLU\"]\nseeds = 2\nhidden = [32, 16]\n\
         [train]\nepochs = 1\nlr = 0.05\nmomentum = 0.9\nbatch_size = 32\n",
    )
    .unwrap();
    let data_dir = data.to_str().unwrap();
    let local = actlab(
        &root,
        &[
            "train",
            "--config",
            "sweep.toml",
            "--name",
            "local",
            "--data-dir",
            data_dir,
            "--no-verify",
            "--quiet",
        ],
    );
    assert!(local.status.success(), "{}", stderr(&local));
    let script = actlab(
        &root,
        &[
            "slurm",
            "sweep.toml",
            "--data-dir",
            data_dir,
            "--no-verify",
            "--time",
            "00:10:00",
        ],
    );
    assert!(script.status.success(), "{}", stderr(&script));
    let submit = Command::new("bash")
        .arg("slurm.sbatch")
        .current_dir(&root)
        .output()
        .expect("bash runs");
    assert!(
        submit.status.success(),
        "submitting failed (is Slurm running? bash scripts/slurm-local.sh start): {}",
        stderr(&submit)
    );
    assert!(stdout(&submit).contains("(4 tasks)"), "{}", stdout(&submit));
    wait_for_slurm("actlab-slurm", Duration::from_secs(300));
    wait_for_slurm("actlab-slurm-merge", Duration::from_secs(120));
    let dir = root.join("o/slurm");
    // The merge job wrote the summary and the report from the four records.
    assert!(
        dir.join("index.html").is_file(),
        "the merge job did not run"
    );
    let summary = read_json(&dir.join("summary.json"));
    assert_eq!(summary["rows"].as_array().unwrap().len(), 4);
    assert_eq!(outcomes(&dir), outcomes(&root.join("o/local")));
}
