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

/// The prose around the claims table quotes the unit table's means.
#[test]
fn the_claims_prose_is_the_records() {
    let settings = settings();
    let table = recomputed(&settings);
    let row = |setting: &str, activation: &str| {
        table
            .settings
            .iter()
            .find(|s| s.name == setting)
            .and_then(|s| s.rows.iter().find(|r| r.activation == activation))
            .unwrap_or_else(|| panic!("no {activation} under {setting}"))
            .clone()
    };
    let units = |setting: &str, activation: &str| row(setting, activation).units.unwrap();
    let percent = |v: f64| format!("{v:.0}");
    let text = std::fs::read_to_string(root().join("docs/results.md")).unwrap();
    let page = "docs/results.md";
    let mut d = Differences::default();
    d.prose(
        page,
        &text,
        "leave {} % of a 4-layer network's ReLU units dead before training, {} % of an 8-layer one's and {} % of a 16-layer one's",
        &["d4-pytorch", "d8-pytorch", "d16-pytorch"].map(|s| percent(units(s, "ReLU").dead_at_init.mean)),
    );
    d.prose(
        page,
        &text,
        "(deepest standard deviation {} at 16 layers",
        &[format!(
            "{:.2}",
            units("d16-he", "ReLU").deepest_std_at_init.mean
        )],
    );
    d.prose(
        page,
        &text,
        "after five epochs {} % of its units are dead against {} % under Xavier or LeCun, whose networks learn slowly or not at all ({} % and {} % accuracy)",
        &[
            percent(units("d16-he", "ReLU").dead_at_end.mean),
            percent(units("d16-xavier", "ReLU").dead_at_end.mean),
            percent(row("d16-xavier", "ReLU").accuracy.mean),
            percent(row("d16-lecun", "ReLU").accuracy.mean),
        ],
    );
    d.prose(
        page,
        &text,
        "LeakyReLU saturates {} % of its units in the 16-layer network",
        &[percent(
            units("d16-pytorch", "LeakyReLU").saturated_at_end.mean,
        )],
    );
    let staf: Vec<&RunRecord> = settings
        .iter()
        .flat_map(|(_, records)| records)
        .filter(|r| r.network.activation_name() == "STAF")
        .collect();
    let diverged = staf
        .iter()
        .filter(|r| matches!(r.status, spec::RunStatus::Diverged(_)))
        .count();
    d.prose(
        page,
        &text,
        "{} of its {} runs diverged",
        &[diverged.to_string(), staf.len().to_string()],
    );
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    d.prose(
        "README.md",
        &readme,
        "STAF keeps its units alive but diverged in {} of its {} runs",
        &[diverged.to_string(), staf.len().to_string()],
    );
    d.prose(
        page,
        &text,
        "where it is the best of the seven ({} %)",
        &[format!("{:.2}", row("d4-pytorch", "STAF").accuracy.mean)],
    );
    d.prose(
        page,
        &text,
        "the 16th layer's pre-activations have a standard deviation of {}, the 4th layer's of a 4-layer network {}; under PyTorch's default the 16th layer's is {}",
        &[
            format!("{:.2}", units("d16-lecun", "SELU").deepest_std_at_init.mean),
            format!("{:.2}", units("d4-lecun", "SELU").deepest_std_at_init.mean),
            format!("{:.2}", units("d16-pytorch", "SELU").deepest_std_at_init.mean),
        ],
    );
    d.assert_none(8);
}
