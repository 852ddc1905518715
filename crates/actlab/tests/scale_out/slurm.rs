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

/// Strings a folder or file name can hold that a careless script would run or split.
fn hostile_names() -> Vec<Vec<u8>> {
    let mut names: Vec<Vec<u8>> = [
        "Bob's runs",
        "$(touch PWNED)",
        "`touch PWNED`",
        "'$(touch PWNED)'",
        "a\"b",
        "semi;touch PWNED",
        "new\nline",
        "dollar$HOME",
        "back\\slash",
        "  spaced  ",
        "-dash",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    names.push(b"bytes\xff\xfe".to_vec());
    // A spread of random printable and control bytes (no NUL, no '/').
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for len in [3, 8, 17] {
        names.push(
            (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    match (state % 253) as u8 + 1 {
                        b'/' => b'_',
                        b => b,
                    }
                })
                .collect(),
        );
    }
    names
}

/// `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// Every path the script names reaches the commands it runs as exactly that path:
/// folders named with quotes, `$()`, backticks, newlines and bytes that are not UTF-8
/// hold the config, the output and a stand-in actlab; `bash SCRIPT` submits through a
/// stand-in `sbatch` that runs `--wrap` with `sh -c`, as Slurm does; a task runs the
/// script as Slurm would. Each stand-in records its arguments, NUL-separated; nothing
/// else runs (no `PWNED` file appears anywhere).
#[test]
fn hostile_paths_reach_their_commands_unchanged() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = tmp.path().join("calls");
    let executable = |path: &Path, body: &str| {
        std::fs::write(path, body).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    // sbatch: prints a job id; a --wrap command runs through sh -c, as Slurm does.
    executable(
        &bin.join("sbatch"),
        "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in --wrap=*) sh -c \"${a#--wrap=}\";; esac; done\necho 42\n",
    );
    // The stand-in actlab: each call's arguments, NUL-separated, in a file of its own
    // (an argument may hold any byte but NUL, newlines included).
    let record = format!(
        "#!/bin/sh\nn=$(ls '{log}' | wc -l)\nprintf '%s\\0' \"$@\" > '{log}'/call-$n\n",
        log = log.display()
    );
    let calls = |log: &Path| -> Vec<Vec<Vec<u8>>> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(log)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .map(|f| {
                std::fs::read(f)
                    .unwrap()
                    .split(|&b| b == 0)
                    .filter(|a| !a.is_empty())
                    .map(<[u8]>::to_vec)
                    .collect()
            })
            .collect()
    };
    let mut checked = 0;
    for name in hostile_names() {
        let _ = std::fs::remove_dir_all(&log);
        std::fs::create_dir_all(&log).unwrap();
        let case = tmp
            .path()
            .join(OsStr::from_bytes(&[b"case-", name.as_slice()].concat()));
        let home = case.join(OsStr::from_bytes(&name));
        // A config is UTF-8: its `out` holds the name as text (invalid bytes replaced).
        let out = PathBuf::from(
            case.join("out")
                .join(String::from_utf8_lossy(&name).as_ref())
                .to_string_lossy()
                .into_owned(),
        );
        std::fs::create_dir_all(&home).unwrap();
        let actlab_stand_in = home.join("actlab");
        executable(&actlab_stand_in, &record);
        let config = home.join("sweep.toml");
        std::fs::write(
            &config,
            format!(
                "name = \"sweep\"\nacts = [\"ReLU\"]\nout = {}\n",
                toml_string(&out.to_string_lossy())
            ),
        )
        .unwrap();
        let script = case.join("sweep.sbatch");
        let made = Command::new(env!("CARGO_BIN_EXE_actlab"))
            .arg("slurm")
            .arg(&config)
            .arg("--executable")
            .arg(&actlab_stand_in)
            .arg("--data-dir")
            .arg(&home)
            .arg("--script")
            .arg(&script)
            .current_dir(&case)
            .output()
            .unwrap();
        assert!(
            made.status.success(),
            "{:?}: {}",
            String::from_utf8_lossy(&name),
            stderr(&made)
        );
        let text = std::fs::read(&script).unwrap();
        let syntax = Command::new("bash")
            .arg("-n")
            .arg(&script)
            .output()
            .unwrap();
        assert!(
            syntax.status.success(),
            "{:?}: {}",
            String::from_utf8_lossy(&name),
            stderr(&syntax)
        );
        // Every line of the script is its own: no value broke out of its place.
        for line in text.split(|&b| b == b'\n') {
            assert!(
                !line.starts_with(b"touch"),
                "{}",
                String::from_utf8_lossy(&text)
            );
        }
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        // Submitted: the merge, through sbatch --wrap and sh -c.
        let submit = Command::new("bash")
            .arg(&script)
            .current_dir(&case)
            .env("PATH", &path)
            .env_remove("SLURM_JOB_ID")
            .output()
            .unwrap();
        assert!(submit.status.success(), "{}", stderr(&submit));
        assert_eq!(
            calls(&log).len(),
            1,
            "the merge was submitted: {} {}",
            stdout(&submit),
            stderr(&submit)
        );
        // A task: the script as Slurm runs it on a node.
        let task = Command::new("bash")
            .arg(&script)
            .current_dir(&case)
            .env("PATH", &path)
            .env("SLURM_JOB_ID", "42")
            .env("SLURM_ARRAY_TASK_ID", "0")
            .output()
            .unwrap();
        assert!(task.status.success(), "{}", stderr(&task));
        let experiment = out.join("sweep");
        let bytes = |p: &Path| p.as_os_str().as_bytes().to_vec();
        let expected: Vec<Vec<Vec<u8>>> = vec![
            vec![b"merge".to_vec(), bytes(&experiment)],
            vec![
                b"train".to_vec(),
                b"--config".to_vec(),
                bytes(&config),
                b"--out".to_vec(),
                bytes(&out),
                b"--data-dir".to_vec(),
                bytes(&home),
                b"--shard".to_vec(),
                b"auto/1".to_vec(),
                b"--quiet".to_vec(),
            ],
        ];
        let text_of = |calls: Vec<Vec<Vec<u8>>>| -> Vec<Vec<String>> {
            calls
                .into_iter()
                .map(|c| {
                    c.iter()
                        .map(|a| String::from_utf8_lossy(a).into_owned())
                        .collect()
                })
                .collect()
        };
        // Byte for byte (invalid UTF-8 included), shown as text when it fails.
        assert!(
            calls(&log) == expected,
            "{:?}: {:?} != {:?}",
            String::from_utf8_lossy(&name),
            text_of(calls(&log)),
            text_of(expected.clone())
        );
        checked += 1;
    }
    assert!(checked >= 14);
    let pwned: Vec<PathBuf> = walk(tmp.path())
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.as_bytes().ends_with(b"PWNED"))
        })
        .collect();
    assert!(pwned.is_empty(), "a command in a name ran: {pwned:?}");
}

/// Values that go into `#SBATCH` lines are what Slurm reads there, or refused: a
/// newline in `--partition` or `--time` would add a directive of its own.
#[test]
fn sbatch_directives_refuse_what_would_inject_a_line() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("sweep.toml"),
        "name = \"sweep\"\nacts = [\"ReLU\"]\n",
    )
    .unwrap();
    for (flag, value) in [
        ("--partition", "gpu\n#SBATCH --exclusive"),
        ("--partition", "gpu; rm -rf /"),
        ("--partition", ""),
        ("--time", "01:00:00\n#SBATCH --mem=1T"),
        ("--time", "$(date)"),
    ] {
        let out = actlab(tmp.path(), &["slurm", "sweep.toml", flag, value]);
        assert_eq!(out.status.code(), Some(2), "{flag} {value:?}");
        assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
        assert!(!tmp.path().join("sweep.sbatch").exists(), "nothing written");
    }
    // A script is not overwritten unless --force: not even the config itself.
    let out = actlab(
        tmp.path(),
        &["slurm", "sweep.toml", "--script", "sweep.toml"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    let config = std::fs::read_to_string(tmp.path().join("sweep.toml")).unwrap();
    assert!(config.starts_with("name = \"sweep\""));
    assert!(
        actlab(tmp.path(), &["slurm", "sweep.toml"])
            .status
            .success()
    );
    let again = actlab(tmp.path(), &["slurm", "sweep.toml"]);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(
        actlab(tmp.path(), &["slurm", "sweep.toml", "--force"])
            .status
            .success()
    );
    // An unwritable place is bad input (2), as documented.
    let out = actlab(
        tmp.path(),
        &["slurm", "sweep.toml", "--script", "/proc/no/such.sbatch"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
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

/// Trains `config` locally as `local` (with `command`: train or search), then writes its
/// Slurm script and submits it with bash, as a user would; returns what bash printed.
fn local_then_submitted(root: &Path, command: &str, config: &str, data_dir: &str) -> String {
    let mut args: Vec<&str> = vec![command];
    if command == "train" {
        args.push("--config");
    }
    args.extend([
        config,
        "--name",
        "local",
        "--data-dir",
        data_dir,
        "--no-verify",
        "--quiet",
    ]);
    let local = actlab(root, &args);
    assert!(local.status.success(), "{}", stderr(&local));
    let script = actlab(
        root,
        &[
            "slurm",
            config,
            "--data-dir",
            data_dir,
            "--no-verify",
            "--time",
            "00:10:00",
        ],
    );
    assert!(script.status.success(), "{}", stderr(&script));
    // The only script in the test's folder: its name is the config's `name`.
    let sbatch = std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "sbatch"))
        .expect("actlab slurm wrote a script");
    let submit = Command::new("bash")
        .arg(&sbatch)
        .current_dir(root)
        .output()
        .expect("bash runs");
    assert!(
        submit.status.success(),
        "submitting failed (is Slurm running? bash scripts/slurm-local.sh start): {}",
        stderr(&submit)
    );
    stdout(&submit)
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
    let submitted = local_then_submitted(&root, "train", "sweep.toml", data.to_str().unwrap());
    assert!(submitted.contains("(4 tasks)"), "{submitted}");
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

/// A study small enough for a Slurm test on the synthetic data: two rungs and a
/// confirmation.
const STUDY: &str = "name = \"study\"\nout = \"o\"\nhidden = [16]\nbaselines = [\"ReLU\"]\n\
    [train]\nlr = 0.05\nmomentum = 0.9\nbatch_size = 32\n\
    [space]\nschemas = [\"u(x)\", \"b(x, u(x))\"]\nunary = [\"x\", \"square\", \"sigmoid\", \"tanh\"]\nbinary = [\"mul\", \"add\"]\n\
    [[rung]]\nepochs = 1\nseeds = [1]\npromote = 2\n\
    [[rung]]\nepochs = 2\nseeds = [1, 2]\n\
    [confirm]\ntop = 1\nepochs = 1\nseeds = 3\nagainst = [\"ReLU\"]\n";

#[test]
fn a_study_becomes_one_array_per_stage_chained_in_order() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("study.toml"), STUDY).unwrap();
    let out = actlab(
        tmp.path(),
        &["slurm", "study.toml", "--array-limit", "3", "--json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let written: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Rung 1: the distinct candidates and ReLU, one seed; rung 2: the best two and
    // ReLU, two seeds; the confirmation: the best and ReLU, three seeds.
    let stages: Vec<u64> = written["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(stages.len(), 3, "{written}");
    assert_eq!(&stages[1..], [6, 6]);
    let script = std::fs::read_to_string(tmp.path().join("study.sbatch")).unwrap();
    for line in [
        format!("  for tasks in {} 6 6; do", stages[0]),
        "--prepare --quiet".to_string(),
        "${after:+--dependency=afterany:$after} --array=0-$((tasks - 1))%3".to_string(),
        "--stage \"$ACTLAB_STAGE\" --shard auto/\"$ACTLAB_TASKS\" --quiet".to_string(),
        "--dependency=afterany:\"$after\" --job-name=actlab-study-end".to_string(),
    ] {
        assert!(script.contains(&line), "no {line:?} in:\n{script}");
    }
    let bash = Command::new("bash")
        .args(["-n", "study.sbatch"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(bash.status.success(), "{}", stderr(&bash));
    // A bad study is refused as `search` refuses it, and no script is written.
    std::fs::write(
        tmp.path().join("bad.toml"),
        STUDY.replace("promote = 2", "promote = 0"),
    )
    .unwrap();
    let bad = actlab(tmp.path(), &["slurm", "bad.toml"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("rung[0].promote"), "{}", stderr(&bad));
    assert!(
        !tmp.path().join("study-bad.sbatch").exists() && !tmp.path().join("bad.sbatch").exists()
    );
}

#[test]
#[ignore = "needs a running Slurm: bash scripts/slurm-local.sh start, then run it with --ignored (CI does)"]
fn a_study_on_slurm_ends_with_the_leaderboard_of_a_local_study() {
    let tmp = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(tmp.path()).unwrap();
    let data = synthetic_dataset(&root);
    std::fs::write(root.join("study.toml"), STUDY).unwrap();
    let submitted = local_then_submitted(&root, "search", "study.toml", data.to_str().unwrap());
    assert!(
        submitted.contains("submitted 3 stage arrays"),
        "{submitted}"
    );
    wait_for_slurm("actlab-study", Duration::from_secs(600));
    wait_for_slurm("actlab-study-end", Duration::from_secs(120));
    let board = |dir: &str| {
        let mut b = read_json(&root.join(format!("o/{dir}/leaderboard.json")));
        b["study"] = Value::Null;
        b
    };
    let arrays = board("study");
    assert_eq!(arrays["complete"], true, "{arrays}");
    assert!(arrays["confirmation"]["finished"] == 6, "{arrays}");
    assert_eq!(arrays, board("local"), "the arrays decided otherwise");
    // Every run's epochs alike, a diverged one's included.
    let epochs = |dir: &Path| -> Vec<(String, Vec<[f64; 4]>)> {
        let mut runs: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .filter(|e| e.path().join("run.json").is_file())
            .map(|e| {
                let record = read_json(&e.path().join("run.json"));
                (
                    e.file_name().to_string_lossy().into_owned(),
                    epoch_outcomes(&record),
                )
            })
            .collect();
        runs.sort_by(|a, b| a.0.cmp(&b.0));
        runs
    };
    for stage in ["rung-1", "rung-2", "confirm"] {
        let arrays = epochs(&root.join("o/study").join(stage));
        assert!(!arrays.is_empty(), "{stage}");
        assert_eq!(arrays, epochs(&root.join("o/local").join(stage)), "{stage}");
    }
}
