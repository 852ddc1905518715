//! Bad input: one line, the documented exit code, and nothing written.

use super::*;

/// Each case: arguments, a fragment the one-line error must contain.
#[test]
fn bad_input_gets_one_line_exit_2_and_no_output() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let d = data.to_str().unwrap().to_string();

    let write = |name: &str, text: &[u8]| {
        let path = tmp.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let malformed = write("malformed.toml", b"acts = [\"ReLU\"\n[train\n");
    let unknown_key = write("unknown.toml", b"acts = [\"ReLU\"]\n[train]\nepochz = 3\n");
    let wrong_type = write("type.toml", b"acts = [\"ReLU\"]\n[train]\nlr = \"fast\"\n");
    let defined = |file: &str, expr: &str| {
        let text =
            format!("acts = [\"Mine\"]\n[[activation]]\nname = \"Mine\"\nexpr = \"{expr}\"\n");
        write(file, text.as_bytes())
    };
    let dangling = defined("dangling.toml", "x +");
    let negative_lr = write(
        "negative-lr.toml",
        b"acts = [\"ReLU\"]\n[train]\nlr = -0.1\n",
    );
    let misplaced = write("misplaced.toml", b"acts = [\"ReLU\"]\nepochs = 1\n");
    let unknown_fn = defined("unknown-fn.toml", "foo(x)");
    let undeclared = defined("undeclared.toml", "beta * x");

    let corrupt_dir = |name: &str, file: &str, bytes: Vec<u8>| {
        let dir = tmp.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&data).unwrap().flatten() {
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
        std::fs::write(dir.join(file), bytes).unwrap();
        dir.to_str().unwrap().to_string()
    };
    let truncated = corrupt_dir(
        "trunc",
        "train-images-idx3-ubyte",
        encode_idx(&[600, 28, 28], &[0; 1000]),
    );
    let bad_magic = corrupt_dir(
        "magic",
        "t10k-labels-idx1-ubyte",
        vec![0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0],
    );
    let mismatch = corrupt_dir(
        "count",
        "t10k-labels-idx1-ubyte",
        encode_idx(&[150], &[1; 150]),
    );
    let bad_gzip = corrupt_dir(
        "gz",
        "train-labels-idx1-ubyte.gz",
        vec![0x1f, 0x8b, 8, 0, 1, 2, 3],
    );
    let missing = tmp.path().join("nothing");
    let not_experiment = tmp.path().join("bogus-experiment");
    std::fs::create_dir_all(&not_experiment).unwrap();
    std::fs::write(not_experiment.join("experiment.json"), b"{\"name\": 3}").unwrap();
    let not_experiment = not_experiment.to_str().unwrap().to_string();

    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["train".into(), "--acts".into(), "Relu9".into()],
            "unknown activation 'Relu9'; did you mean ReLU",
        ),
        (
            vec!["train".into(), "--acts".into(), ",".into()],
            "--acts is empty",
        ),
        (vec!["train".into()], "nothing to train"),
        (
            vec!["train".into(), "--config".into(), malformed.clone()],
            "malformed.toml:",
        ),
        (
            vec!["train".into(), "--config".into(), unknown_key.clone()],
            "unknown field `epochz`",
        ),
        (
            vec!["train".into(), "--config".into(), wrong_type.clone()],
            "type.toml:3:",
        ),
        (
            vec!["train".into(), "--config".into(), "no-such.toml".into()],
            "no-such.toml",
        ),
        (
            vec![
                "train".into(),
                "--acts".into(),
                "ReLU".into(),
                "--hidden".into(),
                "256,0".into(),
            ],
            "--hidden: width 0 at position 2",
        ),
        // A third 5×5 convolution and pooling does not fit 28×28 images.
        (
            vec![
                "train".into(),
                "--acts".into(),
                "ReLU".into(),
                "--conv".into(),
                "6,16,16".into(),
            ],
            "`conv` has 3 layers, but layer 2's maps are 5×5, too small for a 5×5 kernel and 2×2 pooling; at most 2 fit 28×28 images",
        ),
        (
            vec![
                "train".into(),
                "--acts".into(),
                "ReLU".into(),
                "--conv".into(),
                "6".into(),
                "--norm".into(),
                "layer".into(),
            ],
            "(BatchNorm2d), not LayerNorm",
        ),
        (
            vec![
                "train".into(),
                "--acts".into(),
                "ReLU".into(),
                "--epochs".into(),
                "0".into(),
            ],
            "--epochs",
        ),
        (
            vec![
                "train".into(),
                "--acts".into(),
                "ReLU".into(),
                "--lr".into(),
                "0".into(),
            ],
            "--lr",
        ),
        (
            vec![
                "train".into(),
                "--acts".into(),
                "ReLU".into(),
                "--lr".into(),
                "-1".into(),
            ],
            "--lr",
        ),
        (
            vec![
                "train".into(),
                "--acts".into(),
                "ReLU".into(),
                "--lr".into(),
                "nan".into(),
            ],
            "finite",
        ),
        (
            vec![
                "train".into(),
                "--acts".into(),
                "ReLU".into(),
                "--optimizer".into(),
                "sdg".into(),
            ],
            "did you mean sgd",
        ),
        (
            vec![
                "train".into(),
                "--acts".into(),
                "ReLU".into(),
                "--scope".into(),
                "global".into(),
            ],
            "unknown scope",
        ),
        (
            vec![
                "train".into(),
                "--acts".into(),
                "ReLU".into(),
                "--device".into(),
                "tpu".into(),
            ],
            "unknown device",
        ),
        (
            vec![
                "train".into(),
                "--acts".into(),
                "ReLU".into(),
                "--data-dir".into(),
                missing.to_str().unwrap().into(),
            ],
            "missing train-images-idx3-ubyte",
        ),
        (
            vec![
                "train".into(),
                "--acts".into(),
                "ReLU".into(),
                "--data-dir".into(),
                truncated,
            ],
            "header promises 470400 data bytes but the file has 1000",
        ),
        (
            vec![
                "train".into(),
                "--acts".into(),
                "ReLU".into(),
                "--data-dir".into(),
                bad_magic,
            ],
            "magic number 0x00000d01",
        ),
        (
            vec![
                "train".into(),
                "--acts".into(),
                "ReLU".into(),
                "--data-dir".into(),
                mismatch,
            ],
            "holds 200 images but",
        ),
        (
            vec![
                "train".into(),
                "--acts".into(),
                "ReLU".into(),
                "--data-dir".into(),
                bad_gzip,
            ],
            "corrupt gzip",
        ),
        (
            vec!["train".into(), "--config".into(), dangling.clone()],
            "`activation[0].expr` of 'Mine' \"x +\": column 4: expected a number, x, a parameter, a function call or '(', found the end of the expression",
        ),
        (
            vec!["train".into(), "--config".into(), unknown_fn],
            "column 1: unknown function 'foo'; valid functions: exp, log,",
        ),
        (
            vec!["train".into(), "--config".into(), undeclared],
            "column 1: unknown name 'beta'; valid names are x (this activation declares no parameters); declare a trainable parameter with params = { beta = 1.0 }",
        ),
        (
            vec![
                "acts".into(),
                "eval".into(),
                "Mine".into(),
                "--at".into(),
                "1".into(),
                "--defs".into(),
                dangling,
            ],
            "column 4",
        ),
        (
            vec!["train".into(), "--resume".into(), d.clone()],
            "not an experiment folder (no experiment.json)",
        ),
        (
            vec!["train".into(), "--resume".into(), not_experiment],
            "is not an actlab experiment",
        ),
        (
            vec![
                "train".into(),
                "--resume".into(),
                d.clone(),
                "--epochs".into(),
                "3".into(),
            ],
            "cannot be used with",
        ),
        (
            vec!["summary".into(), "--act".into(), "Sigmod".into()],
            "did you mean Sigmoid",
        ),
        (
            vec!["train".into(), "--act".into(), "ReLU".into()],
            "unexpected argument '--act' found; tip: a similar argument exists: '--acts'",
        ),
        (
            vec![
                "train".into(),
                "--acts".into(),
                "ReLU".into(),
                "--epoch".into(),
                "1".into(),
            ],
            "a similar argument exists: '--epochs'",
        ),
        (
            vec!["trian".into()],
            "unrecognized subcommand 'trian'; tip: a similar subcommand exists: 'train'",
        ),
        (
            vec!["train".into(), "--config".into(), negative_lr],
            "negative-lr.toml:3:6: `train.lr` is -0.1",
        ),
        (
            vec!["train".into(), "--config".into(), misplaced],
            "misplaced.toml:2:1: unknown field `epochs`, expected one of `name`, `acts`, `seeds`, `conv`, `hidden`, `scope`, `layer`, `init`, `norm`, `out`, `train`, `activation`, `fourier`, `baseline`, `tensorboard_dir`, `setting`; `epochs` belongs in [train]",
        ),
        (
            vec![
                "probe".into(),
                "dead-neurons".into(),
                "--run".into(),
                d.clone(),
                "--data-dir".into(),
                d.clone(),
            ],
            "not a run folder",
        ),
        (
            vec![
                "probe".into(),
                "dead-neurons".into(),
                "--init".into(),
                "--hidden".into(),
                "8,0".into(),
                "--data-dir".into(),
                d.clone(),
            ],
            "--hidden",
        ),
        (
            vec![
                "probe".into(),
                "dead-neurons".into(),
                "--init".into(),
                "--conv".into(),
                "6,0".into(),
                "--data-dir".into(),
                d.clone(),
            ],
            "--conv: `conv` [1] is 0; a convolution needs 1 to 4096 channels",
        ),
    ];
    for (args, fragment) in cases {
        let mut full: Vec<String> = args.clone();
        if full[0] == "train" && !full.iter().any(|a| a == "--resume") {
            full.extend(["--out".into(), "out".into()]);
        }
        let refs: Vec<&str> = full.iter().map(String::as_str).collect();
        let out = actlab_synthetic(tmp.path(), &refs);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(fragment),
            "{args:?}: expected '{fragment}' in: {err}"
        );
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "{args:?}: not one line: {err}"
        );
        assert!(err.starts_with("actlab: "), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            !tmp.path().join("out").exists(),
            "{args:?} left output behind"
        );
    }
    // The OS error is said once, not once per layer of context.
    let missing = actlab_synthetic(tmp.path(), &["train", "--config", "no-such.toml"]);
    assert_eq!(
        stderr(&missing)
            .matches("No such file or directory")
            .count(),
        1
    );
}

#[test]
fn another_idx_dataset_is_refused_unless_told() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let out = actlab(
        tmp.path(),
        &[
            "train",
            "--acts",
            "ReLU",
            "--data-dir",
            data.to_str().unwrap(),
            "--out",
            "out",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("not FashionMNIST's") && err.contains("--no-verify"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn an_output_folder_that_cannot_be_created_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    // A file where the output folder should go: no folder can be made below it, even as root.
    std::fs::write(tmp.path().join("blocker"), b"a file").unwrap();
    let out = actlab_synthetic(
        tmp.path(),
        &[
            "train",
            "--acts",
            "ReLU",
            "--epochs",
            "1",
            "--out",
            "blocker/results",
            "--data-dir",
            data.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("cannot create the experiment folder blocker/results/train"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert_eq!(
        std::fs::read(tmp.path().join("blocker")).unwrap(),
        b"a file"
    );
}
