use super::*;
use spec::{ActivationConfig, ActivationSpec};

/// A committed record of the book's ReLU run, as the template of every test run.
fn template() -> RunRecord {
    let text = include_str!("../../../../results/reference/book-ch4/ReLU-s7/run.json");
    spec::artifact::parse(text, std::path::Path::new("run.json")).expect("the record reads")
}

/// A completed run of `act` with `seed` whose test accuracy ends at `accuracy` %.
fn run(act: &str, seed: u64, accuracy: f64) -> RunRecord {
    let mut r = template();
    r.network.activation = Some(ActivationConfig {
        kind: ActivationSpec::Builtin(act.parse().expect("a registry name")),
        scope: Scope::Shared,
    });
    r.train.seed = seed;
    r.run = format!("{act}-s{seed}");
    for e in &mut r.epochs {
        e.test_accuracy = accuracy / 100.0;
    }
    r
}

fn sweep(groups: &[(&str, &[f64])]) -> Vec<RunRecord> {
    groups
        .iter()
        .flat_map(|(act, finals)| {
            finals
                .iter()
                .enumerate()
                .map(|(i, &a)| run(act, i as u64 + 1, a))
        })
        .collect()
}

#[test]
fn groups_are_summarised_and_compared_with_relu_by_default() {
    let records = sweep(&[
        ("Tanh", &[80.0, 80.5, 79.5]),
        ("ReLU", &[81.0, 81.5, 80.5]),
        ("GELU", &[86.0, 86.4, 85.9]),
    ]);
    let s = experiment_statistics("x", &records, None).unwrap();
    assert_eq!(s.baseline, "ReLU");
    assert_eq!(s.best, "GELU");
    let names: Vec<&str> = s.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["Tanh", "ReLU", "GELU"]);
    assert_eq!(s.groups[1].runs, ["ReLU-s1", "ReLU-s2", "ReLU-s3"]);
    assert!((s.groups[1].accuracy.mean - 81.0).abs() < 1e-9);
    let gelu = s.vs_baseline.iter().find(|c| c.group == "GELU").unwrap();
    assert!(gelu.distinguishable && gelu.difference > 4.0, "{gelu:?}");
    assert_eq!(s.verdict_vs_baseline("GELU"), "better");
    assert_eq!(s.verdict_vs_baseline("Tanh"), "within noise");
    assert_eq!(s.verdict_vs_best("Tanh"), "worse");
    // Two comparisons per table, Holm over both.
    assert_eq!(s.vs_baseline.len(), 2);
    let p: Vec<f64> = s.vs_baseline.iter().map(|c| c.p.unwrap()).collect();
    assert_eq!(
        s.vs_baseline
            .iter()
            .map(|c| c.p_holm.unwrap())
            .collect::<Vec<_>>(),
        holm(&p)
    );
}

#[test]
fn planned_comparisons_are_holm_corrected_as_one_family() {
    let records = sweep(&[
        ("ReLU", &[81.0, 81.5, 80.5]),
        ("TeLU", &[82.0, 82.2, 81.9]),
        ("GELU", &[86.0, 86.4, 85.9]),
        ("Tanh", &[80.0, 80.5, 79.5]),
    ]);
    let s = experiment_statistics("x", &records, None).unwrap();
    let pairs: Vec<(String, String)> = [("gelu", "ReLU"), ("GELU", "TeLU"), ("Tanh", "ReLU")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .chain([("GELU".to_string(), "Swish".to_string())])
        .collect();
    let table = planned_comparisons(&s, &pairs);
    // The pair naming no group is left out; names match case-insensitively.
    let named: Vec<(&str, &str)> = table
        .iter()
        .map(|c| (c.group.as_str(), c.against.as_str()))
        .collect();
    assert_eq!(
        named,
        [("GELU", "ReLU"), ("GELU", "TeLU"), ("Tanh", "ReLU")]
    );
    let p: Vec<f64> = table.iter().map(|c| c.p.unwrap()).collect();
    let adjusted: Vec<f64> = table.iter().map(|c| c.p_holm.unwrap()).collect();
    assert_eq!(adjusted, holm(&p));
    // Corrected over three, not over each anchor's two or one: the smallest p
    // is multiplied by 3.
    assert!(
        (adjusted[1] - 3.0 * p[1]).abs() < 1e-15,
        "{adjusted:?} {p:?}"
    );
    assert_eq!(table[1].verdict(), "better");
    assert!((table[1].difference - (86.1 - 82.033_333_333_333_33)).abs() < 1e-9);
}

#[test]
fn small_groups_are_reported_not_tested() {
    let records = sweep(&[("ReLU", &[81.0, 81.5]), ("GELU", &[86.0, 86.4, 85.9])]);
    let s = experiment_statistics("x", &records, Some("gelu")).unwrap();
    assert_eq!(s.baseline, "GELU");
    let relu = &s.vs_baseline[0];
    assert!((relu.difference - (81.25 - 86.1)).abs() < 1e-9);
    assert_eq!((relu.p, relu.ci, relu.distinguishable), (None, None, false));
    assert_eq!(s.verdict_vs_baseline("ReLU"), "not tested (n < 3)");
    let notes = s.comparison_table().notes.join(" ");
    assert!(notes.contains("reported, not tested"), "{notes}");
}

#[test]
fn an_unknown_baseline_lists_the_groups() {
    let records = sweep(&[("ReLU", &[81.0]), ("GELU", &[86.0])]);
    let err = experiment_statistics("x", &records, Some("Swish")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "baseline 'Swish' is not one of the groups (ReLU, GELU)"
    );
    assert_eq!(
        experiment_statistics("x", &[], None).unwrap_err(),
        StatsError::NoRuns
    );
}

#[test]
fn a_regression_beyond_the_margin_is_flagged_and_noise_is_not() {
    let base = sweep(&[
        ("ReLU", &[81.0, 81.5, 80.5, 81.2]),
        ("GELU", &[86.0, 86.4, 85.9, 86.1]),
    ]);
    let new = sweep(&[
        ("ReLU", &[81.1, 81.4, 80.6, 81.0]),
        ("GELU", &[83.0, 83.2, 82.9, 83.1]),
    ]);
    let c = compare_experiments(("new", &new), ("old", &base), 0.5, &[]).unwrap();
    assert_eq!(c.regressions(), ["GELU"]);
    assert_eq!(c.groups[0].verdict(), "within noise");
    // Within a margin wider than the drop, nothing regressed.
    let c = compare_experiments(("new", &new), ("old", &base), 5.0, &[]).unwrap();
    assert!(c.regressions().is_empty(), "{c:?}");
}

#[test]
fn experiments_of_other_lengths_are_not_compared() {
    let base = sweep(&[("ReLU", &[81.0, 81.5, 80.5])]);
    let mut new = base.clone();
    for r in &mut new {
        r.train.epochs = 3;
    }
    let err = compare_experiments(("new", &new), ("old", &base), 0.5, &[]).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "cannot compare ReLU: its runs were trained differently: train.epochs is 3 in one and 15 in the other"
        ),
        "{err}"
    );
}

/// The data-parallel step's slice count is a setting like any other, and a record that
/// leaves it out (1, or from before it existed) reads as 1, not as missing.
#[test]
fn the_slice_count_is_compared_and_shown_as_a_number() {
    let base = sweep(&[("ReLU", &[81.0, 81.5, 80.5])]);
    let mut new = base.clone();
    for r in &mut new {
        r.train.slices = 4;
    }
    let err = compare_experiments(("new", &new), ("old", &base), 0.5, &[])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("train.slices is 4 in one and 1 in the other"),
        "{err}"
    );
}

/// Every setting that differs is refused by name; accepted by name, the comparison
/// proceeds and lists it. The seed and what a run logs never count.
#[test]
fn every_differing_setting_is_refused_or_named() {
    let base = sweep(&[("ReLU", &[81.0, 81.5, 80.5])]);
    let mut new = base.clone();
    for r in &mut new {
        r.train.lr = 0.01;
        r.train.optimizer = spec::OptimizerKind::Adam;
        r.network.hidden = vec![128, 64];
        r.train.log_every = 7;
        r.train.seed += 100;
    }
    let err = compare_experiments(("new", &new), ("old", &base), 0.5, &[])
        .unwrap_err()
        .to_string();
    for field in ["train.lr", "train.optimizer", "network.hidden"] {
        assert!(err.contains(field), "{field}: {err}");
    }
    assert!(
        !err.contains("log_every") && !err.contains("train.seed"),
        "{err}"
    );
    assert!(
        err.contains("--accept network.hidden,train.lr,train.optimizer"),
        "{err}"
    );
    let partly = ["train".to_string()];
    let err = compare_experiments(("new", &new), ("old", &base), 0.5, &partly).unwrap_err();
    assert!(err.to_string().contains("network.hidden") && !err.to_string().contains("train.lr"));
    let all = ["train".to_string(), "network.hidden".to_string()];
    let c = compare_experiments(("new", &new), ("old", &base), 0.5, &all).unwrap();
    let named: Vec<&str> = c.accepted.iter().map(|d| d.field.as_str()).collect();
    assert_eq!(named, ["network.hidden", "train.lr", "train.optimizer"]);
    assert!(c.table().section().contains("compared as asked (--accept)"));
}

/// Runs near chance and groups still learning fast are marked in the tables and
/// explained below them; groups that trained and settled are not.
#[test]
fn runs_near_chance_and_groups_still_learning_are_flagged() {
    let mut records = sweep(&[
        ("ReLU", &[81.0, 81.5, 80.5]),
        ("GELU", &[12.6, 80.0, 11.0]),
        ("Tanh", &[82.0, 82.5, 81.8]),
    ]);
    // Tanh gains two points in its last epoch.
    for r in records.iter_mut().filter(|r| r.run.starts_with("Tanh")) {
        let n = r.epochs.len();
        r.epochs[n - 2].test_accuracy -= 0.02;
    }
    let stats = experiment_statistics("x", &records, None).unwrap();
    assert_eq!(stats.chance_percent, 10.0);
    let caution = |name: &str| {
        let g = stats.groups.iter().find(|g| g.name == name).unwrap();
        stats.cautions(g)
    };
    assert!(caution("ReLU").is_empty());
    assert_eq!(
        caution("GELU"),
        [spec::record::stats::Caution::NearChance { runs: 2, of: 3 }]
    );
    assert!(matches!(
        caution("Tanh")[..],
        [spec::record::stats::Caution::StillLearning { gain }] if (gain - 2.0).abs() < 1e-9
    ));
    let table = stats.comparison_table().section();
    assert!(
        table.contains("GELU¹") && table.contains("Tanh²"),
        "{table}"
    );
    assert!(table.contains("did not train: GELU (2 of 3)"), "{table}");
    assert!(table.contains("Tanh (+2.0)"), "{table}");
}
