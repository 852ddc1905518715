//! Input that used to crash actlab or slip through, on the real binary: sizes that
//! cannot fit, numbers float32 cannot hold, files that contradict each other, and what a
//! user sees if a bug panics anyway. Each is one line on stderr, the right exit code,
//! and nothing written.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;

/// One line on stderr, exit 2, and no results folder.
fn refused(out: &Output, cwd: &Path, says: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    for part in says {
        assert!(err.contains(part), "expected {part:?} in: {err}");
    }
    assert!(!cwd.join("results").exists(), "a refusal wrote results");
}

#[test]
fn work_that_cannot_fit_is_refused_before_it_starts() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let data = synthetic_dataset(cwd);
    let data = data.to_str().unwrap();
    // A network far beyond any machine's memory: 1e10 weights.
    let out = actlab(
        cwd,
        &[
            "train",
            "--acts",
            "ReLU",
            "--hidden",
            "100000,100000",
            "--data-dir",
            data,
            "--no-verify",
        ],
    );
    refused(
        &out,
        cwd,
        &[
            "needs about 163.9 GB of memory (parameters, gradients and optimiser state 161.3 GB",
            "reduce --hidden or --batch-size, or pass --no-memory-check",
        ],
    );
    // A batch whose activations cannot fit, and a sweep that would fit once but not 4 times.
    let out = actlab(
        cwd,
        &[
            "train",
            "--acts",
            "STAF",
            "--hidden",
            "4096,4096",
            "--batch-size",
            "500000",
            "--data-dir",
            data,
            "--no-verify",
        ],
    );
    refused(&out, cwd, &["a batch's activations"]);
    // Widths, epochs and batches beyond reason, named.
    let out = actlab(cwd, &["train", "--acts", "ReLU", "--hidden", "2000000"]);
    refused(
        &out,
        cwd,
        &["`hidden[0]` is 2000000; a layer may have at most 1000000 units"],
    );
    let out = actlab(cwd, &["train", "--acts", "ReLU", "--epochs", "1000000"]);
    refused(&out, cwd, &["--epochs", "must be at most 100000"]);
    let out = actlab(cwd, &["train", "--acts", "ReLU", "--batch-size", "2000000"]);
    refused(&out, cwd, &["--batch-size", "must be at most 1000000"]);
    let layers = vec!["8"; 1001].join(",");
    let out = actlab(cwd, &["train", "--acts", "ReLU", "--hidden", &layers]);
    refused(&out, cwd, &["has 1001 layers; at most 1000 are allowed"]);
    std::fs::write(
        cwd.join("wide.toml"),
        "acts = [\"ReLU\"]\nhidden = [64, 5000000]\n",
    )
    .unwrap();
    let out = actlab(cwd, &["train", "--config", "wide.toml"]);
    refused(&out, cwd, &["wide.toml:2:", "`hidden[1]` is 5000000"]);
    // The probes check theirs too.
    let out = actlab(
        cwd,
        &[
            "probe",
            "gradients",
            "--acts",
            "ReLU",
            "--hidden",
            "100000,100000",
            "--data-dir",
            data,
            "--no-verify",
        ],
    );
    refused(&out, cwd, &["needs about", "reduce --hidden or --batch"]);
    let out = actlab(
        cwd,
        &[
            "probe",
            "dead-neurons",
            "--init",
            "--hidden",
            "200000,200000",
            "--data-dir",
            data,
            "--no-verify",
        ],
    );
    refused(&out, cwd, &["needs about", "reduce --hidden"]);
    let out = actlab(cwd, &["probe", "surface", "--grid", "100000"]);
    refused(&out, cwd, &["--grid", "must be at most 4096"]);
}

#[test]
fn numbers_float32_cannot_hold_are_refused_where_they_are_written() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let config = |expr: &str, params: &str| {
        std::fs::write(
            cwd.join("big.toml"),
            format!(
                "acts = [\"Big\"]\n\n[[activation]]\nname = \"Big\"\nexpr = \"{expr}\"\nparams = {{ {params} }}\n"
            ),
        )
        .unwrap();
        actlab(cwd, &["train", "--config", "big.toml"])
    };
    // A literal beyond float32, and operations on numbers alone that leave its range,
    // give NaN or divide by zero: each named by its column.
    let cases: [(&str, &str, &[&str]); 6] = [
        (
            "x * 1e39",
            "",
            &[
                "activation[0].expr",
                "column 5: the number 1e39 is beyond float32's range",
            ],
        ),
        (
            "x + exp(100)",
            "",
            &["column 5: this part, on numbers alone, works out to 2.688e43"],
        ),
        (
            "a * x + (1e20 * 1e20)",
            "a = 1.0",
            &["column 10", "works out to 1.000e40"],
        ),
        (
            "x + 1 / (1 - 1)",
            "",
            &["column 5", "is inf (a division by zero or an overflow)"],
        ),
        ("where(x > 0, x, sqrt(-1))", "", &["column 17", "NaN"]),
        (
            "k * x",
            "k = 1e39",
            &["`activation[0].params.k`", "beyond float32's range"],
        ),
    ];
    for (expr, params, says) in cases {
        let out = config(expr, params);
        refused(&out, cwd, says);
        assert!(stderr(&out).contains("big.toml:"), "{}", stderr(&out));
    }
    // Settings too: in a config, and as flags.
    std::fs::write(
        cwd.join("lr.toml"),
        "acts = [\"ReLU\"]\n[train]\nlr = 1e39\n",
    )
    .unwrap();
    let out = actlab(cwd, &["train", "--config", "lr.toml"]);
    refused(
        &out,
        cwd,
        &[
            "lr.toml:3:6",
            "`train.lr` is 1e39",
            "within float32's range",
        ],
    );
    let out = actlab(cwd, &["train", "--acts", "ReLU", "--weight-decay", "1e300"]);
    refused(&out, cwd, &["--weight-decay", "within float32's range"]);
    let out = actlab(
        cwd,
        &["train", "--acts", "Fourier", "--fourier-omega0", "1e40"],
    );
    refused(&out, cwd, &["--fourier-omega0", "within float32's range"]);
    // `acts eval` reads the same definitions.
    std::fs::write(
        cwd.join("defs.toml"),
        "[[activation]]\nname = \"Big\"\nexpr = \"x + exp(1000)\"\n",
    )
    .unwrap();
    let out = actlab(
        cwd,
        &["acts", "eval", "Big", "--at", "1", "--defs", "defs.toml"],
    );
    refused(
        &out,
        cwd,
        &["defs.toml:3:", "is inf (a division by zero or an overflow)"],
    );
}

#[test]
fn files_that_contradict_each_other_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let data = synthetic_dataset(cwd);
    let trained = train(cwd, &data, "o", "ReLU,Tanh", &[]);
    assert!(trained.status.success(), "{}", stderr(&trained));
    let data = data.to_str().unwrap();
    let probe = |run: &str| {
        actlab(
            cwd,
            &[
                "probe",
                "dead-neurons",
                "--run",
                run,
                "--data-dir",
                data,
                "--no-verify",
            ],
        )
    };
    let ok = probe("o/train/ReLU-s7");
    assert!(ok.status.success(), "{}", stderr(&ok));

    // run.json edited: it no longer says what experiment.json planned.
    let record = cwd.join("o/train/Tanh-s7/run.json");
    let original = std::fs::read_to_string(&record).unwrap();
    let mut edited: serde_json::Value = serde_json::from_str(&original).unwrap();
    edited["network"]["activation"]["kind"] = "GELU".into();
    std::fs::write(&record, edited.to_string()).unwrap();
    let out = probe("o/train/Tanh-s7");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("Tanh-s7/run.json says `network.activation.kind` is \"GELU\", but ")
            && err.contains("experiment.json plans \"Tanh\" for Tanh-s7"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    // `show` and `--resume` read the same files and refuse the same way.
    let show = actlab(cwd, &["show", "o/train/Tanh-s7"]);
    assert_eq!(show.status.code(), Some(2), "{}", stderr(&show));
    let resume = actlab_synthetic(cwd, &["train", "--resume", "o/train", "--data-dir", data]);
    assert_eq!(resume.status.code(), Some(2), "{}", stderr(&resume));
    assert!(
        stderr(&resume).contains("`network.activation.kind`"),
        "{}",
        stderr(&resume)
    );
    std::fs::write(&record, &original).unwrap();

    // A run folder renamed, or its run.json copied from another run.
    std::fs::rename(cwd.join("o/train/Tanh-s7"), cwd.join("o/train/Tanh-s8")).unwrap();
    let out = probe("o/train/Tanh-s8");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("records run `Tanh-s7`, but its folder is named Tanh-s8"),
        "{err}"
    );
    std::fs::rename(cwd.join("o/train/Tanh-s8"), cwd.join("o/train/Tanh-s7")).unwrap();

    // A run trained on other data than the probe is given: named, unless --no-verify.
    let real = real_dataset();
    let out = actlab(
        cwd,
        &[
            "probe",
            "outputs",
            "--run",
            "o/train/ReLU-s7",
            "--data-dir",
            real.to_str().unwrap(),
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "run ReLU-s7 trained on other data (pass --no-verify to probe it on this data anyway)"
        ),
        "{err}"
    );
}

#[test]
fn a_bug_reaches_the_user_as_one_line_and_its_own_exit_code() {
    let tmp = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(BIN)
        .args(["acts", "list"])
        .env("ACTLAB_TEST_PANIC", "1")
        .env_remove("RUST_BACKTRACE")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(70), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(
            "actlab: internal error: ACTLAB_TEST_PANIC is set at crates/actlab/src/main.rs:"
        ) && err.contains("please report it with the command line")
            && err.contains("RUST_BACKTRACE=1"),
        "{err}"
    );
}
