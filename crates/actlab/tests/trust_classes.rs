//! The third adversarial batch, class by class, on the real binary: files that could
//! hurt (code in a pickle, a device or a pipe where a file should be), input that
//! crashed (a formula of thousands of terms, a closed stdout), and answers that could
//! mislead (repeated seeds, no hidden layer, non-finite weights, experiments trained
//! differently, outputs silently replaced). Each refusal is one line, the documented
//! exit code, and nothing written.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// One line on stderr, exit 2, and `unchanged` as it was.
fn refused(out: &Output, says: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    for part in says {
        assert!(err.contains(part), "expected {part:?} in: {err}");
    }
}

/// Every file below `dir`, with its bytes: what "nothing changed on disk" compares.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    walk(dir)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_default();
            (p, bytes)
        })
        .collect()
}

fn fixture(name: &str) -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("tests/fixtures/pytorch")
        .join(name)
}

/// The fixture `ReLU.pt` with its pickle made to call `os.system` first: valid
/// tensors, and code for whoever loads it without `weights_only`.
fn poisoned_state_dict(to: &Path) {
    let source = std::fs::File::open(fixture("ReLU.pt")).unwrap();
    let mut archive = zip::ZipArchive::new(source).unwrap();
    let mut writer = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut poisoned = false;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name.ends_with("data.pkl") {
            // os.system("true"), its result popped, then the original state dict.
            let mut code = b"\x80\x02cos\nsystem\nX\x04\x00\x00\x00true\x85R0".to_vec();
            code.extend(bytes);
            bytes = code;
            poisoned = true;
        }
        writer.start_file(name, stored).unwrap();
        writer.write_all(&bytes).unwrap();
    }
    writer.finish().unwrap();
    assert!(poisoned, "the fixture has a data.pkl");
}

#[test]
fn files_that_could_hurt_are_refused_unread() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    // Code in the pickle, beside valid tensors: refused, naming the global.
    poisoned_state_dict(&cwd.join("poisoned.pt"));
    let out = actlab(cwd, &["import", "poisoned.pt", "--acts", "ReLU"]);
    refused(&out, &["poisoned.pt", "os.system", "weights_only=True"]);
    assert!(!cwd.join("results").exists());
    // The untouched fixture still imports.
    let clean = actlab(
        cwd,
        &[
            "import",
            fixture("ReLU.pt").to_str().unwrap(),
            "--acts",
            "ReLU",
        ],
    );
    assert!(clean.status.success(), "{}", stderr(&clean));
    // A symlink to a device is not read at all (it would never end).
    std::os::unix::fs::symlink("/dev/zero", cwd.join("zero.pt")).unwrap();
    let started = Instant::now();
    let out = actlab(
        cwd,
        &["import", "zero.pt", "--acts", "ReLU", "--name", "zero"],
    );
    refused(&out, &["zero.pt", "a device"]);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(!cwd.join("results/zero").exists());
    // A run whose run.json is a named pipe: refused at once, not a hang.
    let run = cwd.join("results/ReLU/ReLU-s0");
    std::fs::rename(run.join("run.json"), run.join("run.json.real")).unwrap();
    let status = Command::new("mkfifo")
        .arg(run.join("run.json"))
        .status()
        .unwrap();
    assert!(status.success());
    let mut show = Command::new(BIN)
        .args(["show", run.to_str().unwrap()])
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = show.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = show.kill();
            panic!("show waits on a named pipe");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    show.stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("a named pipe"), "{err}");
    // Weights that are NaN or infinite: refused, naming the key.
    let dict = with_a_nan(&fixture("ReLU.safetensors"));
    std::fs::write(cwd.join("nan.safetensors"), dict).unwrap();
    let out = actlab(
        cwd,
        &[
            "import",
            "nan.safetensors",
            "--acts",
            "ReLU",
            "--name",
            "nan",
        ],
    );
    refused(&out, &["layers.0.weight", "holds NaN", "not imported"]);
    assert!(!cwd.join("results/nan").exists());
}

/// The safetensors fixture with its first float of `layers.0.weight` made NaN.
fn with_a_nan(path: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(path).unwrap();
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + header_len]).unwrap();
    let start = header["layers.0.weight"]["data_offsets"][0]
        .as_u64()
        .unwrap() as usize;
    let at = 8 + header_len + start;
    bytes[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
    bytes
}

/// A formula of thousands of terms is an error about its depth, named in a short line
/// (not the whole formula), through `train --config` too: no stack overflow.
#[test]
fn formulas_of_any_size_are_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let long = vec!["x"; 1000].join(" + ");
    std::fs::write(
        cwd.join("long.toml"),
        format!("name = \"long\"\nacts = [\"Long\"]\n[[activation]]\nname = \"Long\"\nexpr = \"{long}\"\n"),
    )
    .unwrap();
    let out = actlab(cwd, &["train", "--config", "long.toml"]);
    refused(&out, &["long.toml", "levels deep"]);
    assert!(
        stderr(&out).len() < 600,
        "{} bytes of stderr",
        stderr(&out).len()
    );
    let huge = "x * ".repeat(250_000) + "x";
    std::fs::write(
        cwd.join("huge.toml"),
        format!("name = \"huge\"\nacts = [\"Huge\"]\n[[activation]]\nname = \"Huge\"\nexpr = \"{huge}\"\n"),
    )
    .unwrap();
    let out = actlab(cwd, &["acts", "list", "--defs", "huge.toml"]);
    refused(&out, &["huge.toml", "characters long"]);
    assert!(
        stderr(&out).len() < 600,
        "{} bytes of stderr",
        stderr(&out).len()
    );
    assert!(!cwd.join("results").exists());
}

/// A reader that stops reading (`actlab acts list | head -1`) ends actlab quietly
/// with 0, as cargo and ripgrep end.
#[test]
fn a_closed_pipe_is_a_normal_end() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [
        &["acts", "list"][..],
        &["completions", "bash"],
        &["--help"],
        &["acts", "list", "--json"],
    ] {
        let mut child = Command::new(BIN)
            .args(args)
            .current_dir(tmp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader is gone before anything is written, as after `head` has seen
        // enough of a long output: every write fails with a broken pipe.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {:?} {}",
            out.status,
            stderr(&out)
        );
        assert!(!stderr(&out).contains("internal error"), "{}", stderr(&out));
    }
}

/// Statistics that would mislead: a seed repeated, a network without hidden layers,
/// a training seed the plan ignores, a TensorBoard folder that is a file.
#[test]
fn degenerate_plans_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let data = synthetic_dataset(cwd);
    let data = data.to_str().unwrap();
    let before = snapshot(cwd);
    let out = actlab(
        cwd,
        &[
            "train",
            "--acts",
            "ReLU",
            "--seed",
            "7,7,7",
            "--data-dir",
            data,
        ],
    );
    refused(&out, &["--seed repeats 7"]);
    for (file, text, says) in [
        (
            "seeds.toml",
            "name = \"s\"\nacts = [\"ReLU\"]\nseeds = [7, 7]\n",
            &["seeds[1]", "repeats seed 7"][..],
        ),
        (
            "hidden.toml",
            "name = \"h\"\nacts = [\"ReLU\", \"Tanh\"]\nhidden = []\n",
            &["hidden", "is empty"],
        ),
        (
            "seed.toml",
            "name = \"t\"\nacts = [\"ReLU\"]\n[train]\nseed = 7\n",
            &["seed.toml:4:", "seeds = [N]"],
        ),
    ] {
        std::fs::write(cwd.join(file), text).unwrap();
        let out = actlab(cwd, &["train", "--config", file, "--data-dir", data]);
        refused(&out, says);
        std::fs::remove_file(cwd.join(file)).unwrap();
    }
    std::fs::write(cwd.join("events"), b"a file").unwrap();
    let out = actlab_synthetic(
        cwd,
        &[
            "train",
            "--acts",
            "ReLU",
            "--tensorboard",
            "events",
            "--data-dir",
            data,
        ],
    );
    refused(&out, &["--tensorboard events", "not a folder"]);
    std::fs::remove_file(cwd.join("events")).unwrap();
    assert_eq!(snapshot(cwd), before, "a refusal changed files");
}

/// `compare` names every setting two experiments were trained differently in, and
/// compares them only when told to; a gate that tested nothing says so (exit 5).
#[test]
fn compare_refuses_or_names_every_difference() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let data = synthetic_dataset(cwd);
    for (out, lr) in [("a", "0.05"), ("b", "0.02")] {
        let done = train(
            cwd,
            &data,
            out,
            "ReLU",
            &["--lr", lr, "--name", "x", "--epochs", "1"],
        );
        assert!(done.status.success(), "{}", stderr(&done));
    }
    let out = actlab(cwd, &["compare", "a/x", "b/x"]);
    refused(
        &out,
        &[
            "train.lr is 0.05 in one and 0.02 in the other",
            "--accept train.lr",
        ],
    );
    let accepted = actlab(cwd, &["compare", "a/x", "b/x", "--accept", "train.lr"]);
    assert!(accepted.status.success(), "{}", stderr(&accepted));
    assert!(
        stdout(&accepted).contains("train.lr (0.05 against 0.02)"),
        "{}",
        stdout(&accepted)
    );
    // One run each: nothing can be tested, and the gate says so with its own code.
    let gate = actlab(
        cwd,
        &[
            "compare",
            "a/x",
            "b/x",
            "--accept",
            "train.lr",
            "--fail-on-regression",
        ],
    );
    assert_eq!(gate.status.code(), Some(5), "{}", stderr(&gate));
    assert!(
        stderr(&gate).contains("nothing tested"),
        "{}",
        stderr(&gate)
    );
}

/// Outputs are never replaced silently: a probe's report, a figure, a script; with
/// `--force` they are. `train --force` leaves no run of an earlier plan behind.
#[test]
fn one_overwrite_policy_for_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let first = actlab(cwd, &["probe", "surface", "--acts", "ReLU", "--grid", "20"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let report = cwd.join("results/probes/surface-ReLU.json");
    let before = std::fs::read(&report).unwrap();
    let again = actlab(cwd, &["probe", "surface", "--acts", "ReLU", "--grid", "50"]);
    refused(&again, &["surface-ReLU.json exists", "--force"]);
    assert_eq!(
        std::fs::read(&report).unwrap(),
        before,
        "the report was replaced"
    );
    let forced = actlab(
        cwd,
        &[
            "probe", "surface", "--acts", "ReLU", "--grid", "50", "--force",
        ],
    );
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_ne!(std::fs::read(&report).unwrap(), before);
    assert!(
        actlab(cwd, &["plot", "acts", "--acts", "ReLU"])
            .status
            .success()
    );
    let figure = actlab(cwd, &["plot", "acts", "--acts", "ReLU,Tanh"]);
    refused(&figure, &["activations", "exists", "--force"]);
    assert!(
        actlab(cwd, &["plot", "acts", "--acts", "ReLU,Tanh", "--force"])
            .status
            .success()
    );
    // train --force with fewer activations: the dropped one's folder goes too.
    let data = synthetic_dataset(cwd);
    let two = train(
        cwd,
        &data,
        "results",
        "ReLU,Tanh",
        &["--name", "f", "--epochs", "1"],
    );
    assert!(two.status.success(), "{}", stderr(&two));
    let one = train(
        cwd,
        &data,
        "results",
        "ReLU",
        &["--name", "f", "--epochs", "1", "--force"],
    );
    assert!(one.status.success(), "{}", stderr(&one));
    assert!(
        !cwd.join("results/f/Tanh-s7").exists(),
        "an old run folder stayed"
    );
    let merged = actlab(cwd, &["merge", "results/f"]);
    assert!(merged.status.success(), "{}", stderr(&merged));
    // ls shows each run's final accuracy, and counts in words that agree.
    let ls = actlab(cwd, &["ls", "results/f"]);
    assert!(stdout(&ls).contains("1 run)"), "{}", stdout(&ls));
    assert!(stdout(&ls).contains("final acc %"), "{}", stdout(&ls));
}

/// `probe hessian --no-blocks` reports no blocks: not a line of zeros per layer, not in
/// the report, not in the figure.
#[test]
fn blocks_not_asked_for_are_not_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let data = synthetic_dataset(cwd);
    let trained = train(cwd, &data, "o", "ReLU", &["--name", "h", "--epochs", "1"]);
    assert!(trained.status.success(), "{}", stderr(&trained));
    let out = actlab_synthetic(
        cwd,
        &[
            "probe",
            "hessian",
            "--run",
            "o/h/ReLU-s7",
            "--no-blocks",
            "--samples",
            "64",
            "--lanczos-steps",
            "6",
            "--vectors",
            "3",
            "--data-dir",
            data.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains("params: top"), "{}", stdout(&out));
    let report = read_json(&cwd.join("o/h/ReLU-s7/probes/hessian-epoch-1.json"));
    assert_eq!(report["report"]["blocks"], serde_json::json!([]));
    let svg =
        std::fs::read_to_string(cwd.join("o/h/ReLU-s7/probes/hessian-epoch-1-figure.svg")).unwrap();
    assert!(
        !svg.contains("Density per block"),
        "the figure has no block panels"
    );
}
