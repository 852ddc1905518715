//! The chapter's dead-unit claims (`results/reference/claims`, `configs/claims.toml`):
//! the unit table in docs/results.md is the transfer table recomputed from the run
//! records, the committed `settings.json` is too, and every test quoted in the claims
//! table is Welch's test recomputed from the runs it names.

use super::*;
use spec::record::transfer::TransferTable;

/// The header of the unit table (the transfer table's own columns).
const UNITS_HEADER: &str = "| setting | activation | n | dead % at init | dead % after | saturated % at init | saturated % after | deepest pre-activation std at init | accuracy % |";
/// The header of the claims tables (README and docs/results.md).
const CLAIMS_HEADER: &str =
    "| claim | measure: compared runs | difference [95 % CI] | p | holds? |";

/// Each setting of the committed claims experiment with its records.
fn settings() -> Vec<(String, Vec<RunRecord>)> {
    let dir = reference("claims");
    let file: ExperimentFile = artifact::read(&dir.join("experiment.json")).unwrap();
    let experiment = file.check("claims").unwrap().at(dir);
    experiment
        .settings()
        .iter()
        .map(|s| {
            let records = s
                .runs()
                .iter()
                .map(|r| artifact::read(&r.dir().join("run.json")).unwrap())
                .collect();
            (s.name().to_string(), records)
        })
        .collect()
}

/// The transfer table, recomputed from the records with the CLI's own code.
fn recomputed(settings: &[(String, Vec<RunRecord>)]) -> TransferTable {
    let statistics: Vec<_> = settings
        .iter()
        .map(|(name, records)| stats::experiment_statistics(name, records, None).ok())
        .collect();
    let gathered: Vec<stats::SettingRecords> = settings
        .iter()
        .zip(&statistics)
        .map(|((name, records), statistics)| stats::SettingRecords {
            name,
            statistics: statistics.as_ref(),
            records,
        })
        .collect();
    stats::transfer_table("claims", &gathered)
}

#[test]
fn the_unit_table_and_settings_json_are_the_records() {
    let settings = settings();
    let table = recomputed(&settings);
    let committed: TransferTable =
        artifact::read(&reference("claims").join("settings.json")).unwrap();
    assert_eq!(
        committed, table,
        "settings.json is not what the records give"
    );
    let want = table.units_table().expect("the claims runs count units");
    let results = std::fs::read_to_string(root().join("docs/results.md")).unwrap();
    let shown = tables(&results, UNITS_HEADER);
    assert_eq!(shown.len(), 1, "docs/results.md shows the unit table once");
    assert_eq!(shown[0].len(), want.rows.len(), "every row is shown");
    let mut d = Differences::default();
    for (row, computed) in shown[0].iter().zip(&want.rows) {
        let at = format!("{} {}", computed[0], computed[1]);
        for (quoted, value) in row.iter().zip(computed) {
            d.check("docs/results.md", &at, quoted, value);
        }
    }
    d.assert_none(want.rows.len() * 9);
}

/// One run's value of a measure the claims table names.
fn measure(name: &str, r: &RunRecord) -> f64 {
    let init = r.initial_units.as_ref().expect("counted at init");
    let end = r
        .epochs
        .last()
        .and_then(|e| e.units.as_ref())
        .expect("counted after the last epoch");
    match name {
        "dead % at init" => 100.0 * init.dead_fraction(),
        "dead % after" => 100.0 * end.dead_fraction(),
        "saturated % at init" => 100.0 * init.saturated_fraction(),
        "saturated % after" => 100.0 * end.saturated_fraction(),
        "deepest std at init" => init.layers.last().unwrap().pre_activation_std,
        "accuracy %" => 100.0 * r.epochs.last().unwrap().test_accuracy,
        other => panic!("the claims table names an unknown measure {other:?}"),
    }
}

/// The completed runs' values of `measure` for `activation` under `setting`, e.g.
/// "ReLU d16-pytorch".
fn values(settings: &[(String, Vec<RunRecord>)], measure_name: &str, runs: &str) -> Vec<f64> {
    let (activation, setting) = runs
        .trim()
        .split_once(' ')
        .unwrap_or_else(|| panic!("{runs:?}: not \"ACTIVATION SETTING\""));
    let (_, records) = settings
        .iter()
        .find(|(name, _)| name == setting)
        .unwrap_or_else(|| panic!("no setting {setting}"));
    let found: Vec<f64> = records
        .iter()
        .filter(|r| r.network.activation_name() == activation)
        .filter(|r| r.status == spec::RunStatus::Completed)
        .map(|r| measure(measure_name, r))
        .collect();
    assert!(found.len() >= 3, "{runs}: {} completed runs", found.len());
    found
}

#[test]
fn the_claims_tables_are_welchs_test_on_the_records() {
    let settings = settings();
    let mut d = Differences::default();
    let mut shown_in = Vec::new();
    for (page, text) in pages() {
        for rows in tables(&text, CLAIMS_HEADER) {
            shown_in.push(page.clone());
            for row in &rows {
                check_claim(&mut d, &page, &settings, row);
            }
        }
    }
    assert!(
        shown_in.contains(&"docs/results.md".to_string()),
        "docs/results.md shows the claims table: {shown_in:?}"
    );
    d.assert_none(8);
}

/// One row of a claims table: "MEASURE: A vs B", the difference with its interval, p.
fn check_claim(
    d: &mut Differences,
    page: &str,
    settings: &[(String, Vec<RunRecord>)],
    row: &[String],
) {
    // "dead % at init: ReLU d16-pytorch vs ReLU d4-pytorch"
    let (measure_name, compared) = row[1]
        .split_once(": ")
        .unwrap_or_else(|| panic!("{:?}: not \"MEASURE: A vs B\"", row[1]));
    let (a, b) = compared
        .split_once(" vs ")
        .unwrap_or_else(|| panic!("{compared:?}: not \"A vs B\""));
    let x = values(settings, measure_name, a);
    let y = values(settings, measure_name, b);
    let at = row[1].as_str();
    match stats::welch(&x, &y) {
        Some(w) => {
            let [lo, hi] = w.ci;
            d.check(
                page,
                at,
                &row[2],
                &format!("{:+.2} [{lo:+.2}, {hi:+.2}]", w.difference),
            );
            d.check(page, at, &row[3], &p_value(w.p));
        }
        // Both sides without spread (every seed alike): the difference alone.
        None => {
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            d.check(
                page,
                at,
                &row[2],
                &format!("{:+.2} (no spread)", mean(&x) - mean(&y)),
            );
            d.check(page, at, &row[3], "-");
        }
    }
}
