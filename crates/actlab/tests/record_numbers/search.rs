//! The committed study: the candidates' tally in docs/search.md and the leaderboard the
//! README shows are the study's records; the operator presets docs/search.md lists are
//! the code's.

use spec::record::search::{CandidateList, Leaderboard};
use spec::search::space::{BINARY_PRESETS, UNARY_PRESETS};

use super::*;

const STUDY: &str = "search-rediscovery";
/// The README's table of the study's best.
pub const LEADERBOARD_HEADER: &str =
    "| rank | name | formula | rung | accuracy %, mean [95 % CI] |";

fn leaderboard() -> Leaderboard {
    artifact::read(&reference(STUDY).join("leaderboard.json")).unwrap()
}

#[test]
fn the_study_tally_is_the_candidates_record() {
    let list: CandidateList = artifact::read(&reference(STUDY).join("candidates.json")).unwrap();
    let (distinct, same, rejected) = list.tally();
    let n = |k: &str| rejected.get(k).copied().unwrap_or(0).to_string();
    let mut d = Differences::default();
    let search = std::fs::read_to_string(root().join("docs/search.md")).unwrap();
    d.prose(
        "docs/search.md",
        &search,
        "`configs/search-rediscovery.toml`, {} formulas make {} distinct candidates; {} are another's equal",
        &[list.candidates.len().to_string(), distinct.to_string(), same.to_string()],
    );
    d.prose(
        "docs/search.md",
        &search,
        "and {} are refused ({} affine, {} constant, {} fragile)",
        &[
            rejected.values().sum::<usize>().to_string(),
            n("affine"),
            n("constant"),
            n("fragile"),
        ],
    );
    d.assert_none(2);
}

#[test]
fn the_readme_leaderboard_is_the_study_record() {
    let board = leaderboard();
    assert!(board.complete, "the committed study is finished");
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let tables = tables(&readme, LEADERBOARD_HEADER);
    assert_eq!(tables.len(), 1, "the README shows the leaderboard once");
    let mut d = Differences::default();
    for row in &tables[0] {
        let name = row[1].trim_end_matches(" (baseline)");
        let found = board
            .rows
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("the README names {name}, which the leaderboard has not"));
        let accuracy = match (found.accuracy, found.interval) {
            (Some(a), Some([lo, hi])) => format!("{a:.2} [{lo:.2}, {hi:.2}]"),
            (Some(a), None) => format!("{a:.2}"),
            (None, _) => found.state.clone(),
        };
        d.check("README.md", name, &row[0], &found.rank.to_string());
        d.check("README.md", name, &row[2], &format!("`{}`", found.formula));
        d.check("README.md", name, &row[3], &found.rung.to_string());
        d.check("README.md", name, &row[4], &accuracy);
    }
    d.assert_none(20);
}

/// The README's prose about the study: the tally, the budget, plain x·σ(x)'s place
/// after one epoch, and the leader against ReLU at the last rung.
#[test]
fn the_readme_study_prose_is_the_records() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let list: CandidateList = artifact::read(&reference(STUDY).join("candidates.json")).unwrap();
    let (distinct, _, _) = list.tally();
    let mut d = Differences::default();
    d.prose(
        "README.md",
        &readme,
        "{} formulas make {} distinct candidates",
        &[list.candidates.len().to_string(), distinct.to_string()],
    );
    let mut epochs = 0;
    let mut rung1 = Vec::new();
    for rung in ["rung-1", "rung-2", "rung-3"] {
        let (_, records) = records(&format!("{STUDY}/{rung}"));
        epochs += records.iter().map(|r| r.epochs.len()).sum::<usize>();
        if rung == "rung-1" {
            rung1 = records;
        }
    }
    d.prose(
        "README.md",
        &readme,
        "({} full epochs in all;",
        &[epochs.to_string()],
    );
    let mut trained: Vec<(f64, String)> = rung1
        .iter()
        .filter(|r| r.status == spec::RunStatus::Completed)
        .map(|r| {
            (
                r.last().unwrap().test_accuracy,
                r.network.activation_name().to_string(),
            )
        })
        .filter(|(_, n)| n.starts_with('C'))
        .collect();
    trained.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let silu = trained.iter().position(|(_, n)| n == "C0042").unwrap() + 1;
    d.prose(
        "README.md",
        &readme,
        "plain x·σ(x) was {}st of the {} candidates that did not diverge",
        &[silu.to_string(), trained.len().to_string()],
    );
    let stats = summary(&format!("{STUDY}/rung-3")).statistics.unwrap();
    let leader = against(&stats.vs_baseline, &leaderboard().rows[0].name);
    let [lo, hi] = leader.ci.unwrap();
    d.prose(
        "README.md",
        &readme,
        "C0947 leads by {} points (Welch's 95 % interval [{}, {}]) with a Holm-adjusted p = {}",
        &[
            format!("{:.2}", leader.difference),
            format!("{lo:.2}"),
            format!("{hi:.2}"),
            p_value(leader.p_holm.unwrap()),
        ],
    );
    d.assert_none(4);
}

#[test]
fn the_operator_presets_in_the_docs_are_the_code() {
    let page = std::fs::read_to_string(root().join("docs/search.md")).unwrap();
    let table = &tables(
        &page,
        "| unary preset | template | | binary preset | template |",
    )[0];
    let cell = |row: &Vec<String>, i: usize| row[i].trim_matches('`').to_string();
    let unary: Vec<(String, String)> = table
        .iter()
        .filter(|r| !r[0].is_empty())
        .map(|r| (cell(r, 0), cell(r, 1)))
        .collect();
    let binary: Vec<(String, String)> = table
        .iter()
        .filter(|r| !r[3].is_empty())
        .map(|r| (cell(r, 3), cell(r, 4)))
        .collect();
    let code = |presets: &[(&str, &str)]| -> Vec<(String, String)> {
        presets
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect()
    };
    assert_eq!(unary, code(UNARY_PRESETS));
    assert_eq!(binary, code(BINARY_PRESETS));
}
