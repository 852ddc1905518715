//! The committed study: the candidates' tally in docs/search.md and the leaderboard the
//! README shows are the study's records; the operator presets docs/search.md lists are
//! the code's.

use spec::record::search::{CandidateList, Leaderboard};
use spec::search::SearchFile;
use spec::search::space::{BINARY_PRESETS, UNARY_PRESETS};

use super::*;

const STUDY: &str = "search-rediscovery";
/// The README's tables of the study's confirmation: each activation, then each
/// comparison.
pub const CONFIRMED_HEADER: &str =
    "| activation | formula | accuracy %, mean [95 % CI] | learned scalars, mean [95 % CI] |";
pub const VERDICT_HEADER: &str =
    "| candidate | against | difference, points [95 % CI] | Holm p | P(better) | verdict |";
/// The README's table of the best three carried to other settings.
pub const TRANSFER_HEADER: &str = "| setting | activation | accuracy %, mean [95 % CI] | vs ReLU, points [95 % CI] | Holm p | verdict |";
/// The README's table of the gain controls.
const GAIN_HEADER: &str = "| activation | formula | accuracy %, mean [95 % CI] | vs C0263, points [95 % CI] | Holm p | verdict |";
/// Each setting of that table, as the README names it, and its experiment folder.
const SETTINGS: [(&str, &str); 2] = [
    ("Adam", "discovered-adam"),
    ("8 hidden layers", "discovered-deep8"),
];
/// The README's table of the study's best.
pub const LEADERBOARD_HEADER: &str =
    "| rank | name | formula | rung | accuracy %, mean [95 % CI] |";

fn leaderboard() -> Leaderboard {
    artifact::read(&reference(STUDY).join("leaderboard.json")).unwrap()
}

/// The committed study is what its config says: a config edited since (a confirmation
/// added, a rung changed) is run again, or the study is not the config's.
#[test]
fn the_committed_study_is_its_config() {
    let (file, _) = SearchFile::load(&root().join(format!("configs/{STUDY}.toml"))).unwrap();
    let saved: SearchFile = artifact::read(&reference(STUDY).join("search.json")).unwrap();
    let file = SearchFile {
        out: saved.out.clone(),
        ..file
    };
    assert!(
        file == saved,
        "configs/{STUDY}.toml is not the committed study's search.json"
    );
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

/// A mean with its interval, as the README's tables print it.
fn mean_ci(mean: f64, ci: Option<[f64; 2]>, digits: usize) -> String {
    match ci {
        Some([lo, hi]) => format!("{mean:.digits$} [{lo:.digits$}, {hi:.digits$}]"),
        None => format!("{mean:.digits$}"),
    }
}

#[test]
fn the_readme_confirmation_is_the_study_record() {
    let board = leaderboard();
    let confirmation = board
        .confirmation
        .expect("the committed study has its confirmation");
    assert_eq!(
        confirmation.finished, confirmation.planned,
        "the committed confirmation is finished"
    );
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut d = Differences::default();
    let shown = tables(&readme, CONFIRMED_HEADER);
    assert_eq!(shown.len(), 1, "the README shows the confirmation once");
    assert_eq!(
        shown[0].len(),
        confirmation.groups.len(),
        "one row per activation"
    );
    for row in &shown[0] {
        let g = confirmation
            .groups
            .iter()
            .find(|g| g.name == row[0])
            .unwrap_or_else(|| {
                panic!(
                    "the README names {}, which the confirmation has not",
                    row[0]
                )
            });
        let a = g.accuracy.as_ref().unwrap();
        let learned: Vec<String> = g
            .learned
            .iter()
            .map(|(k, v)| format!("{k} = {}", mean_ci(v.mean, v.ci, 2)))
            .collect();
        d.check("README.md", &g.name, &row[1], &format!("`{}`", g.formula));
        d.check("README.md", &g.name, &row[2], &mean_ci(a.mean, a.ci, 2));
        d.check("README.md", &g.name, &row[3], &learned.join(", "));
    }
    let verdicts = tables(&readme, VERDICT_HEADER);
    assert_eq!(verdicts.len(), 1);
    assert_eq!(
        verdicts[0].len(),
        confirmation.comparisons.len(),
        "one row per comparison"
    );
    for row in &verdicts[0] {
        let c = confirmation
            .comparisons
            .iter()
            .find(|c| c.group == row[0] && c.against == row[1])
            .unwrap_or_else(|| panic!("no comparison {} against {}", row[0], row[1]));
        let at = format!("{} against {}", row[0], row[1]);
        let difference = match c.ci {
            Some([lo, hi]) => format!("{:+.2} [{lo:+.2}, {hi:+.2}]", c.difference),
            None => format!("{:+.2}", c.difference),
        };
        d.check("README.md", &at, &row[2], &difference);
        d.check("README.md", &at, &row[3], &p_value(c.p_holm.unwrap()));
        d.check(
            "README.md",
            &at,
            &row[4],
            &format!("{:.2}", c.improvement.unwrap()),
        );
        d.check("README.md", &at, &row[5], c.verdict());
    }
    d.assert_none(20);
}

#[test]
fn the_readme_transfer_table_is_the_records() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let shown = tables(&readme, TRANSFER_HEADER);
    assert_eq!(shown.len(), 1, "the README shows the transfer table once");
    let mut d = Differences::default();
    let mut seen = Vec::new();
    for row in &shown[0] {
        let folder = SETTINGS
            .iter()
            .find(|(name, _)| *name == row[0])
            .unwrap_or_else(|| panic!("the README names a setting {} without records", row[0]))
            .1;
        seen.push(folder);
        let at = format!("{} {}", row[0], row[1]);
        against_baseline(&mut d, folder, &at, &row[1], &row[2..6]);
    }
    seen.dedup();
    assert_eq!(seen.len(), SETTINGS.len(), "every setting is shown");
    d.assert_none(20);
}

/// A README row about activation `name` of the committed experiment `folder` against its
/// baseline: `cells` are its accuracy, its difference with the interval, the Holm p and
/// the verdict ("baseline" for the baseline itself), recomputed from the run records,
/// not read from summary.json.
fn against_baseline(d: &mut Differences, folder: &str, at: &str, name: &str, cells: &[String]) {
    let stats = summary(folder).statistics.unwrap();
    let group = stats
        .groups
        .iter()
        .find(|g| g.name == name)
        .unwrap_or_else(|| panic!("{at}: no such group"));
    d.check(
        "README.md",
        at,
        &cells[0],
        &mean_ci(group.accuracy.mean, group.accuracy.ci, 2),
    );
    if name == stats.baseline {
        d.check("README.md", at, &cells[3], "baseline");
        return;
    }
    let c = against(&stats.vs_baseline, name);
    let [lo, hi] = c.ci.unwrap();
    d.check(
        "README.md",
        at,
        &cells[1],
        &format!("{:+.2} [{lo:+.2}, {hi:+.2}]", c.difference),
    );
    d.check("README.md", at, &cells[2], &p_value(c.p_holm.unwrap()));
    d.check("README.md", at, &cells[3], c.verdict());
}

/// The README's table of C0263 against a gain alone and a Swish without one.
#[test]
fn the_readme_gain_controls_are_the_records() {
    const FOLDER: &str = "discovered-gain";
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let shown = tables(&readme, GAIN_HEADER);
    assert_eq!(shown.len(), 1, "the README shows the gain controls once");
    let (file, _) = records(FOLDER);
    assert_eq!(shown[0].len(), file.acts.len(), "one row per activation");
    // The committed experiment is what its config says.
    let config = ExperimentFile::load(&root().join("configs/discovered-gain.toml")).unwrap();
    assert!(
        ExperimentFile {
            out: file.out.clone(),
            ..config
        } == file,
        "configs/discovered-gain.toml is not the committed experiment's experiment.json"
    );
    let mut d = Differences::default();
    for row in &shown[0] {
        let formula = match file.definitions.iter().find(|c| c.name == row[0]) {
            Some(c) => c.expr.clone(),
            None => row[0]
                .parse::<spec::ActivationKind>()
                .unwrap()
                .info()
                .formula
                .to_string(),
        };
        d.check("README.md", &row[0], &row[1], &format!("`{formula}`"));
        against_baseline(&mut d, FOLDER, &row[0], &row[0], &row[2..6]);
    }
    d.assert_none(14);
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
