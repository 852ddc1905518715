//! PyTorch interop on the real binary: the book's SimpleNetwork and LeNet-5 (actlab's
//! ConvNetwork) trained in PyTorch (fixtures made by scripts/interop_fixtures.py) import
//! with PyTorch's logits (within 1e-5) and accuracy; export then import keeps every
//! weight; bad files are refused in one line.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use nets::pytorch::{read_state_dict, safetensors_bytes};
use serde_json::Value;

/// This crate's folder, as cargo gives it to the running test (a build folder shared
/// between clones can hand a fresh clone a test binary compiled in another one, whose
/// compile-time `env!("CARGO_MANIFEST_DIR")` would point there).
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

fn fixtures() -> PathBuf {
    manifest_dir().join("tests/fixtures/pytorch")
}

fn fixture_cases() -> Value {
    read_json(&fixtures().join("fixtures.json"))["cases"].clone()
}

/// Imports `file` as experiment `name` under `cwd/results`; returns the run folder.
fn import(cwd: &Path, file: &Path, act: &str, name: &str, extra: &[&str]) -> PathBuf {
    let mut args = vec![
        "import",
        file.to_str().unwrap(),
        "--act",
        act,
        "--name",
        name,
    ];
    args.extend_from_slice(extra);
    let o = actlab(cwd, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    cwd.join("results").join(name).join(format!("{act}-s0"))
}

#[test]
fn pytorch_trained_networks_import_with_pytorchs_logits_and_accuracy() {
    let data = real_dataset();
    let tmp = tempfile::tempdir().unwrap();
    let cases = fixture_cases();
    let mut checked = 0;
    for (name, case) in cases.as_object().unwrap() {
        let act = case["activation"].as_str().unwrap();
        for (kind, file) in case["files"].as_object().unwrap() {
            let file = fixtures().join(file.as_str().unwrap());
            let experiment = format!("{name}-{kind}");
            let run = import(tmp.path(), &file, act, &experiment, &[]);
            let record = read_json(&run.join("run.json"));
            assert_eq!(record["status"], "imported");
            assert_eq!(
                record["imported"]["sha256"], case["sha256"][kind],
                "{experiment}"
            );
            assert_eq!(record["network"]["hidden"], case["hidden"], "{experiment}");
            let conv = &record["network"]["conv"];
            match case.get("conv") {
                Some(channels) => assert_eq!(conv, channels, "{experiment}"),
                None => assert!(conv.is_null(), "{experiment}: conv {conv}"),
            }
            let scope = if name.ends_with("per-layer") {
                "per-layer"
            } else if name.ends_with("per-neuron") {
                "per-neuron"
            } else {
                "shared"
            };
            let recorded_scope = &record["network"]["activation"]["scope"];
            assert!(
                recorded_scope == scope || (scope == "shared" && recorded_scope.is_null()),
                "{experiment}: scope {recorded_scope}"
            );

            let eval = json_out(&actlab(
                tmp.path(),
                &[
                    "eval",
                    "--run",
                    run.to_str().unwrap(),
                    "--logits",
                    "5",
                    "--data-dir",
                    data.to_str().unwrap(),
                    "--json",
                ],
            ));
            assert_eq!(eval["test_correct"], case["test_correct"], "{experiment}");
            let ours = eval["logits"].as_array().unwrap();
            let theirs = case["logits"].as_array().unwrap();
            assert_eq!(ours.len(), 5);
            for (a, b) in ours.iter().zip(theirs) {
                for (x, y) in a.as_array().unwrap().iter().zip(b.as_array().unwrap()) {
                    let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                    // Float32 on both sides, summed in different orders (and STAF's 25
                    // sines by different sin routines): 1e-5, relative beyond |logit| 1
                    // for the book's network; 1e-5 flat for LeNet-5 (the bound).
                    let bound = match case.get("conv") {
                        Some(_) => 1e-5,
                        None => 1e-5 * y.abs().max(1.0),
                    };
                    assert!(
                        (x - y).abs() <= bound,
                        "{experiment}: logit {x} vs PyTorch {y}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert_eq!(
        checked, 11,
        "5 + 3 (LeNet-5) state dicts and 2 + 1 safetensors files"
    );

    // Probes work on an imported run as on a trained one.
    let run = tmp.path().join("results/STAF-pt/STAF-s0");
    let o = actlab(
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
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(run.join("probes/dead-neurons-epoch-0.json").is_file());
    // There is no training to repeat.
    let o = actlab(tmp.path(), &["rerun", run.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("was imported from"), "{}", stderr(&o));
}

/// The tensors of a safetensors file, by key.
fn tensors(path: &Path) -> BTreeMap<String, nets::pytorch::Array> {
    read_state_dict(path).unwrap().tensors
}

#[test]
fn export_then_import_keeps_every_weight_bit_for_bit() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    for (act, scope, conv) in [
        ("STAF", "shared", None),
        ("TeLU", "shared", None),
        ("PReLU", "per-layer", None),
        ("PReLU", "per-neuron", None),
        ("GELU", "shared", None),
        // LeNet-5's shape, narrower: a slope per channel, per unit, one shared TeLU.
        ("PReLU", "per-neuron", Some("4,6")),
        ("TeLU", "shared", Some("4,6")),
    ] {
        let name = format!("{act}-{scope}-{}", conv.unwrap_or("mlp"));
        let mut flags = vec!["--scope", scope, "--lr", "0.01"];
        if let Some(conv) = conv {
            flags.extend(["--conv", conv]);
        }
        let o = train(tmp.path(), &data, &name, act, &flags);
        assert!(o.status.success(), "{}", stderr(&o));
        let run = tmp.path().join(format!("{name}/train/{act}-s7"));
        let first = tmp.path().join(format!("{name}.safetensors"));
        let o = actlab(
            tmp.path(),
            &[
                "export",
                "--run",
                run.to_str().unwrap(),
                "--to",
                first.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let exported = tensors(&first);
        if conv.is_none() {
            // The book's keys: Linear layers at 0, 2, 4, the activation between them.
            assert_eq!(
                exported["layers.0.weight"].shape,
                vec![32, 784],
                "PyTorch's [out, in]"
            );
            assert!(exported.contains_key("layers.4.bias"));
        } else {
            // Conv2d at 0 and 3, pooling at 2 and 5, Flatten at 6, Linear at 7, 9, 11.
            assert_eq!(exported["layers.3.weight"].shape, vec![6, 4, 5, 5]);
            assert_eq!(exported["layers.7.weight"].shape, vec![32, 6 * 5 * 5]);
            assert!(exported.contains_key("layers.11.bias"));
            if scope == "per-neuron" {
                assert_eq!(
                    exported["layers.4.weight"].shape,
                    vec![6],
                    "a slope per channel"
                );
            }
        }

        let imported = import(tmp.path(), &first, act, &format!("{name}-back"), &[]);
        let again = tmp.path().join(format!("{name}-again.safetensors"));
        let o = actlab(
            tmp.path(),
            &[
                "export",
                "--run",
                imported.to_str().unwrap(),
                "--to",
                again.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(
            tensors(&again),
            exported,
            "{name}: weights changed on the way"
        );
        let record = read_json(&imported.join("run.json"));
        let recorded = record["network"]["activation"]["scope"]
            .as_str()
            .unwrap_or("shared");
        assert_eq!(recorded, scope, "{name}: scope inferred");
    }
}

#[test]
fn bad_files_are_refused_in_one_line_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let relu_pt = fixtures().join("ReLU.pt");
    let per_layer = fixtures().join("PReLU-per-layer.pt");
    std::fs::write(dir.join("notes.txt"), "not a state dict\n").unwrap();
    let bytes = std::fs::read(&relu_pt).unwrap();
    std::fs::write(dir.join("truncated.pt"), &bytes[..bytes.len() / 2]).unwrap();
    let mut corrupt = bytes.clone();
    // Inside the first layer's weights: the ZIP entry's CRC no longer holds.
    let middle = corrupt.len() / 2;
    for b in &mut corrupt[middle..middle + 64] {
        *b ^= 0x5a;
    }
    std::fs::write(dir.join("corrupt.pt"), &corrupt).unwrap();
    // Safetensors files of the book's keys, with one key removed or one shape wrong.
    let dict = read_state_dict(&relu_pt).unwrap().tensors;
    let mut missing = dict.clone();
    missing.remove("layers.2.bias");
    std::fs::write(
        dir.join("missing.safetensors"),
        safetensors_bytes(&missing, BTreeMap::new()).unwrap(),
    )
    .unwrap();
    let mut misshapen = dict.clone();
    misshapen.get_mut("layers.2.bias").unwrap().values.pop();
    misshapen.get_mut("layers.2.bias").unwrap().shape = vec![15];
    std::fs::write(
        dir.join("misshapen.safetensors"),
        safetensors_bytes(&misshapen, BTreeMap::new()).unwrap(),
    )
    .unwrap();

    let p = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let relu = relu_pt.to_string_lossy().into_owned();
    let per_layer = per_layer.to_string_lossy().into_owned();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![p("notes.txt"), "--act".into(), "ReLU".into()],
            "neither a PyTorch state dict",
        ),
        (
            vec![p("truncated.pt"), "--act".into(), "ReLU".into()],
            "truncated.pt: ",
        ),
        (
            vec![p("corrupt.pt"), "--act".into(), "ReLU".into()],
            "corrupt",
        ),
        (
            vec![p("missing.safetensors"), "--act".into(), "ReLU".into()],
            "`layers.2.bias`: missing",
        ),
        (
            vec![p("misshapen.safetensors"), "--act".into(), "ReLU".into()],
            "`layers.2.bias`: shape [15]",
        ),
        (
            vec![relu.clone(), "--act".into(), "PReLU".into()],
            "`layers.1.weight`: missing",
        ),
        (
            vec![per_layer.clone(), "--act".into(), "ReLU".into()],
            "`layers.1.weight`: not part of",
        ),
        (
            vec![
                per_layer,
                "--act".into(),
                "PReLU".into(),
                "--scope".into(),
                "shared".into(),
            ],
            "differs from `layers.1.weight`",
        ),
        (
            vec![
                relu.clone(),
                "--act".into(),
                "ReLU".into(),
                "--hidden".into(),
                "256,192".into(),
            ],
            "hidden widths are 32,16, not --hidden 256,192",
        ),
        (
            vec![relu.clone(), "--act".into(), "Rational".into()],
            "Rational's parameters have no PyTorch layout",
        ),
        (
            vec![relu.clone(), "--act".into(), "NoSuchAct".into()],
            "--act",
        ),
        (
            vec![p("nowhere.pt"), "--act".into(), "ReLU".into()],
            "cannot read it",
        ),
    ];
    for (args, expected) in cases {
        let mut full = vec!["import".to_string()];
        full.extend(args);
        full.extend(["--out".to_string(), p("out")]);
        let refs: Vec<&str> = full.iter().map(String::as_str).collect();
        let o = actlab(dir, &refs);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{refs:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{refs:?}: {err}");
        assert!(
            err.contains(expected),
            "{refs:?}: expected {expected:?} in {err}"
        );
        assert!(
            !dir.join("out").exists() || walk(&dir.join("out")).is_empty(),
            "{refs:?} wrote something"
        );
    }

    // export: an existing file, and a file that is not .safetensors.
    let run = import(dir, &relu_pt, "ReLU", "relu", &[]);
    let run = run.to_string_lossy().into_owned();
    std::fs::write(dir.join("taken.safetensors"), "keep me").unwrap();
    for (to, expected) in [
        (p("taken.safetensors"), "exists; pass --force"),
        (p("weights.pt"), "give a .safetensors file"),
    ] {
        let o = actlab(dir, &["export", "--run", &run, "--to", &to]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{}", stderr(&o));
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("taken.safetensors")).unwrap(),
        "keep me"
    );
    assert!(!dir.join("weights.pt").exists());
}
