//! Statistics over seeds: summaries, comparisons, the regression gate, baselines.

use super::*;

#[test]
fn seeds_are_summarised_compared_and_gated() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let cwd = tmp.path();
    let base = train(
        cwd,
        &data,
        "o",
        "ReLU,Tanh",
        &["--seeds", "3", "--name", "base"],
    );
    assert!(base.status.success(), "{}", stderr(&base));
    let out = stdout(&base);
    assert!(
        out.contains("## Final test accuracy and loss over seeds")
            && out.contains("## Against the baseline, ReLU")
            && out.contains("| Tanh |"),
        "{out}"
    );
    let dir = cwd.join("o/base");
    let summary = read_json(&dir.join("summary.json"));
    let stats = &summary["statistics"];
    assert_eq!(stats["baseline"], "ReLU");
    assert_eq!(stats["groups"][0]["accuracy"]["n"], 3);
    assert_eq!(stats["groups"][0]["runs"][2], "ReLU-s3");
    assert_eq!(stats["groups"][0]["curve"].as_array().unwrap().len(), 2);
    assert_eq!(stats["vs_baseline"][0]["group"], "Tanh");
    let csv = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.starts_with("activation,n,accuracy_mean"), "{csv}");
    let runs = std::fs::read_to_string(dir.join("summary-runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 7, "{runs}");
    let epochs = std::fs::read_to_string(dir.join("summary-epochs.csv")).unwrap();
    assert_eq!(epochs.lines().count(), 5, "{epochs}");
    for file in ["statistics.svg", "statistics.png"] {
        assert!(dir.join("figures").join(file).is_file(), "{file}");
    }
    // The report shows the same tables and the statistics figure first.
    let report = actlab(cwd, &["report", "o/base"]);
    assert!(report.status.success(), "{}", stderr(&report));
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(html.contains("<h2>Against the baseline, ReLU</h2>"));
    assert_eq!(
        html.matches("<svg").count(),
        2 + 6,
        "statistics, every run, each run"
    );
    assert!(html.find("Over seeds:").unwrap() < html.find("Every run:").unwrap());

    // The same records against themselves: nothing regressed.
    let same = actlab(
        cwd,
        &["compare", "o/base", "o/base", "--fail-on-regression"],
    );
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    assert!(
        stdout(&same).contains("| ReLU | 3/3 |"),
        "{}",
        stdout(&same)
    );

    // A learning rate 500 times smaller learns next to nothing in two epochs: every
    // activation regressed, and the gate says so with its own exit code.
    let worse = train(
        cwd,
        &data,
        "o",
        "ReLU,Tanh",
        &["--seeds", "3", "--name", "worse", "--lr", "0.0001"],
    );
    assert!(worse.status.success(), "{}", stderr(&worse));
    let gate = actlab(
        cwd,
        &[
            "compare",
            "o/worse",
            "o/base",
            "--fail-on-regression",
            "--accept",
            "train.lr",
        ],
    );
    assert_eq!(
        gate.status.code(),
        Some(3),
        "{}\n{}",
        stdout(&gate),
        stderr(&gate)
    );
    assert!(
        stderr(&gate).starts_with("actlab: regression: ReLU, Tanh significantly worse"),
        "{}",
        stderr(&gate)
    );
    assert!(stdout(&gate).contains("regressed"), "{}", stdout(&gate));
    // Without the flag the table still says it, and the exit code does not.
    let report_only = actlab(
        cwd,
        &[
            "compare", "o/worse", "o/base", "--json", "--accept", "train.lr",
        ],
    );
    assert_eq!(report_only.status.code(), Some(0));
    let c: Value = serde_json::from_slice(&report_only.stdout).unwrap();
    assert_eq!(c["groups"][0]["regressed"], true);
    // The other way round, the drop is an improvement.
    let better = actlab(
        cwd,
        &[
            "compare",
            "o/base",
            "o/worse",
            "--fail-on-regression",
            "--accept",
            "train",
        ],
    );
    assert_eq!(better.status.code(), Some(0), "{}", stderr(&better));
    assert!(stdout(&better).contains("improved"), "{}", stdout(&better));

    // Other epochs cannot be compared unless accepted: refused as bad input.
    let longer = train(
        cwd,
        &data,
        "o",
        "ReLU",
        &["--seeds", "3", "--name", "longer", "--epochs", "3"],
    );
    assert!(longer.status.success(), "{}", stderr(&longer));
    let refused = actlab(cwd, &["compare", "o/longer", "o/base"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains(
            "cannot compare ReLU: its runs were trained differently: train.epochs is 3 in one and 2 in the other"
        ),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn a_baseline_is_chosen_and_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let cwd = tmp.path();
    let bad = train(cwd, &data, "o", "ReLU,Tanh", &["--baseline", "GELU"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("name one of ReLU, Tanh"),
        "{}",
        stderr(&bad)
    );
    assert!(
        !cwd.join("o/train").exists(),
        "a refused config leaves nothing behind"
    );
    let two = train(
        cwd,
        &data,
        "o",
        "ReLU,Tanh",
        &["--seeds", "2", "--baseline", "tanh"],
    );
    assert!(two.status.success(), "{}", stderr(&two));
    let summary = read_json(&cwd.join("o/train/summary.json"));
    assert_eq!(summary["statistics"]["baseline"], "Tanh");
    // Two seeds: reported, not tested.
    assert!(summary["statistics"]["vs_baseline"][0]["p"].is_null());
    assert!(
        stdout(&two).contains("reported, not tested"),
        "{}",
        stdout(&two)
    );
    // `plot --from summary.json` draws the statistics figure again.
    let again = actlab(
        cwd,
        &["plot", "--from", "o/train/summary.json", "--out", "again"],
    );
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(cwd.join("again/train-statistics.svg").is_file());
}
