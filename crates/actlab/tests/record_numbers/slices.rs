//! The data-parallel step's measurement (`scripts/bench-slices.sh`): the record's tables
//! recomputed from its raw rounds, and docs/speed.md's quotes of them.

use std::collections::BTreeMap;

use super::{Differences, reference, root, tables};

const RATIO_HEADER: &str =
    "| threads | slices | sliced / whole epoch, median of rounds | rounds faster | sign test p |";

/// The record's networks, in the order of its tables.
const SHAPES: [&[u64]; 2] = [&[256, 192, 128, 64], &[1024, 1024, 1024, 1024]];

/// Round → epoch seconds of the runs of `hidden` on `threads` threads with `slices`.
fn epochs(
    raw: &[serde_json::Value],
    hidden: &[u64],
    threads: u64,
    slices: u64,
) -> BTreeMap<u64, f64> {
    raw.iter()
        .filter(|r| {
            r["threads"] == threads
                && r["slices"] == slices
                && r["hidden"].as_array().is_some_and(|h| {
                    h.iter()
                        .map(|w| w.as_u64())
                        .eq(hidden.iter().map(|&w| Some(w)))
                })
        })
        .map(|r| (r["round"].as_u64().unwrap(), r["epoch_s"].as_f64().unwrap()))
        .collect()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Two-sided exact sign-test p-value of `wins` of `n` paired rounds.
fn sign_test(wins: usize, n: usize) -> f64 {
    let tail = wins.min(n - wins);
    let choose = |k: usize| (0..k).fold(1.0, |c, i| c * (n - i) as f64 / (i + 1) as f64);
    let p: f64 = (0..=tail).map(choose).sum::<f64>() / 2f64.powi(n as i32);
    (2.0 * p).min(1.0)
}

#[test]
fn the_slices_tables_are_the_measurement() {
    let record = std::fs::read_to_string(reference("speed/slices.md")).unwrap();
    let raw: Vec<serde_json::Value> = std::fs::read_to_string(reference("speed/slices.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let measured = tables(&record, RATIO_HEADER);
    assert_eq!(
        measured.len(),
        SHAPES.len(),
        "slices.md: one ratio table per network"
    );
    let mut diff = Differences::default();
    for (table, hidden) in measured.iter().zip(SHAPES) {
        for row in table {
            let (threads, slices) = (row[0].parse().unwrap(), row[1].parse().unwrap());
            let whole = epochs(&raw, hidden, threads, 1);
            let sliced = epochs(&raw, hidden, threads, slices);
            let paired: Vec<(f64, f64)> = sliced
                .iter()
                .filter_map(|(round, &s)| whole.get(round).map(|&w| (s, w)))
                .collect();
            assert!(
                paired.len() >= 3,
                "{hidden:?}, {row:?}: fewer than three rounds"
            );
            let at = format!("{hidden:?}, {threads} threads, {slices} slices");
            let ratio = median(paired.iter().map(|(s, w)| s / w).collect());
            diff.near("slices.md", &at, &row[2], ratio);
            let wins = paired.iter().filter(|(s, w)| s < w).count();
            diff.check(
                "slices.md",
                &at,
                &row[3],
                &format!("{wins} of {}", paired.len()),
            );
            diff.near("slices.md", &at, &row[4], sign_test(wins, paired.len()));
        }
    }
    let speed = std::fs::read_to_string(root().join("docs/speed.md")).unwrap();
    let quoted = tables(&speed, RATIO_HEADER);
    assert_eq!(
        quoted, measured,
        "docs/speed.md quotes slices.md's ratio tables as they are"
    );
    // The prose under them: slower in every configuration, and on one thread in every
    // round.
    for row in measured.iter().flatten() {
        let ratio: f64 = row[2].parse().unwrap();
        assert!(
            ratio > 1.0,
            "docs/speed.md says the slices were slower, but {row:?}"
        );
        if row[0] == "1" {
            assert!(
                row[3].starts_with("0 of"),
                "docs/speed.md says every round, but {row:?}"
            );
        }
    }
    diff.assert_none(12);
}

/// The accuracy table: differences and spreads from its own columns, and the prose.
#[test]
fn the_slices_accuracy_is_the_measurement() {
    let record = std::fs::read_to_string(reference("speed/slices.md")).unwrap();
    let header =
        "| activation | seed | slices = 1 (%) | slices = 4 (%) | difference, test images |";
    let table = tables(&record, header);
    assert_eq!(table.len(), 1, "slices.md's accuracy table");
    let mut diff = Differences::default();
    let (mut widest, mut spreads) = (0i64, BTreeMap::<String, Vec<f64>>::new());
    for row in &table[0] {
        if row[1].starts_with("spread") {
            let whole = &spreads[&row[0]];
            let mean = whole.iter().sum::<f64>() / whole.len() as f64;
            let var =
                whole.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (whole.len() - 1) as f64;
            diff.near("slices.md", &row[0], &row[2], var.sqrt());
            continue;
        }
        let (whole, sliced): (f64, f64) = (row[2].parse().unwrap(), row[3].parse().unwrap());
        let images = ((sliced - whole) * 100.0).round() as i64;
        diff.check("slices.md", &row[0], &row[4], &format!("{images:+}"));
        widest = widest.max(images.abs());
        spreads.entry(row[0].clone()).or_default().push(whole);
    }
    let speed = std::fs::read_to_string(root().join("docs/speed.md")).unwrap();
    let spread = |act: &str| {
        table[0]
            .iter()
            .find(|r| r[0] == act && r[1].starts_with("spread"))
            .map(|r| r[2].clone())
            .unwrap()
    };
    diff.prose(
        "docs/speed.md",
        &speed,
        "ended within {} test images of each other, seed by seed, where the seeds themselves spread by {} points (ReLU) and {} (GELU)",
        &[widest.to_string(), spread("ReLU"), spread("GELU")],
    );
    diff.assert_none(10);
}
