//! `acts list`, `acts eval` and `summary`: the registry and the networks as printed.

use super::*;

#[test]
fn acts_list_shows_the_registry() {
    let tmp = tempfile::tempdir().unwrap();
    let out = actlab(tmp.path(), &["acts", "list"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let names = spec::ActivationKind::names();
    for name in &names {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("{name} "))),
            "{name} missing:\n{text}"
        );
    }
    assert!(text.contains("shared, per-layer"));
    let json: Value =
        serde_json::from_str(&stdout(&actlab(tmp.path(), &["acts", "list", "--json"]))).unwrap();
    assert_eq!(json.as_array().unwrap().len(), names.len());
}

#[test]
fn acts_eval_reports_values_derivatives_and_parameter_gradients() {
    let tmp = tempfile::tempdir().unwrap();
    let out = actlab(
        tmp.path(),
        &["acts", "eval", "telu", "--at", "-1,0,100", "--json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["activation"], "TeLU");
    let value = json["value"][0].as_f64().unwrap();
    assert!((value - ((-1f64).exp() - 1.0)).abs() < 1e-6, "{value}");
    // PyTorch gives NaN at x = 100; actlab's derivative there is 1.
    assert_eq!(json["derivative"][2], 1.0);
    let alpha_grad = json["params"][0]["gradient"][0].as_f64().unwrap();
    assert!(
        (alpha_grad - ((-1f64).exp() - 1.0)).abs() < 1e-6,
        "{alpha_grad}"
    );
    let bad = actlab(tmp.path(), &["acts", "eval", "Relu9", "--at", "1"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("did you mean ReLU"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn summary_counts_parameters_like_the_book() {
    let tmp = tempfile::tempdir().unwrap();
    for (args, total) in [
        (vec!["--act", "ReLU"], "283,914"),
        (vec!["--act", "prelu"], "283,915"),
        (vec!["--act", "TeLU"], "283,915"),
        (vec!["--act", "STAF"], "283,989"),
        (vec!["--act", "ReLU", "--no-act"], "283,914"),
    ] {
        let mut full = vec!["summary"];
        full.extend(&args);
        let out = actlab(tmp.path(), &full);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stdout(&out).contains(&format!("Total params: {total}")),
            "{args:?}: {}",
            stdout(&out)
        );
    }
}

/// `acts list`: every column starts where its header does, whatever its content.
#[test]
fn acts_list_columns_line_up() {
    let tmp = tempfile::tempdir().unwrap();
    let text = stdout(&actlab(tmp.path(), &["acts", "list"]));
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let starts: Vec<usize> = ["Category", "Parameters", "Formula"]
        .iter()
        .map(|h| header.find(h).unwrap())
        .collect();
    let rows: Vec<&str> = lines.take_while(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), spec::ActivationKind::names().len());
    for row in rows {
        for &at in &starts {
            let chars: Vec<char> = row.chars().collect();
            assert!(
                chars[at - 2..at] == [' ', ' '] && chars[at] != ' ',
                "column at {at} does not line up in: {row}"
            );
        }
    }
}

#[test]
fn a_swiglu_network_trains_and_counts_its_gates() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    // Gated layers are quadratic in their input: the tests' lr of 0.05 overshoots.
    let out = train(
        tmp.path(),
        &data,
        "o",
        "SiLU",
        &["--layer", "glu", "--lr", "0.003"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("| SimpleNetwork-GLU-SiLU |"),
        "{}",
        stdout(&out)
    );
    let record = read_json(&tmp.path().join("o/train/SiLU-s7/run.json"));
    assert_eq!(record["network"]["layer"], "glu");
    let linear = 784 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10;
    let gates = 784 * 32 + 32 + 32 * 16 + 16;
    assert_eq!(record["params"], linear + gates);
    let acc = record["epochs"][1]["test_accuracy"].as_f64().unwrap();
    assert_learned(acc, 0.85, "the gated SwiGLU network");
}
