//! The strategy benchmark docs/search.md quotes (random search against evolution,
//! replayed on the committed exhaustive study) is its committed record.

use serde_json::Value;

use super::*;

const ARMS_HEADER: &str = "| trials | strategy | population, children, tournament | best first-rung accuracy %, mean [95 % CI] | found a finalist | found a top-10 |";
const VERSUS_HEADER: &str = "| trials | evolution − random, best accuracy, points [95 % CI] | p | P(better) | finalist rate p |";

fn number(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn the_strategy_benchmark_in_the_docs_is_its_record() {
    let text = std::fs::read_to_string(reference("strategy-benchmark.json")).unwrap();
    let record: Value = serde_json::from_str(&text).unwrap();
    let docs = std::fs::read_to_string(root().join("docs/search.md")).unwrap();
    let seeds = record["seeds"].as_u64().unwrap();
    let mut d = Differences::default();
    d.prose(
        "docs/search.md",
        &docs,
        "trained every one of its {} distinct candidates",
        &[record["distinct"].to_string()],
    );
    d.prose(
        "docs/search.md",
        &docs,
        "for {} strategy seeds per arm",
        &[seeds.to_string()],
    );
    let arms = record["arms"].as_array().unwrap();
    let shown = tables(&docs, ARMS_HEADER);
    assert_eq!(shown.len(), 1, "docs/search.md shows the arms once");
    assert_eq!(shown[0].len(), arms.len(), "one row per arm");
    let share = |v: &Value| format!("{:.0} %", 100.0 * number(v) / seeds as f64);
    for (row, arm) in shown[0].iter().zip(arms) {
        let best: Vec<f64> = arm["best"].as_array().unwrap().iter().map(number).collect();
        assert_eq!(best.len() as u64, seeds);
        let mean = best.iter().sum::<f64>() / best.len() as f64;
        assert!(
            (mean - number(&arm["mean"])).abs() < 1e-9,
            "the record's mean is its values'"
        );
        let label = format!("{} {}", arm["trials"], arm["strategy"]);
        let setting = match arm["population"].as_u64() {
            Some(p) => format!("{p}, {}, {}", arm["children"], arm["sample"]),
            None => "-".into(),
        };
        let ci = [number(&arm["ci"][0]), number(&arm["ci"][1])];
        d.check(
            "docs/search.md",
            &label,
            &row[0],
            &arm["trials"].to_string(),
        );
        d.check(
            "docs/search.md",
            &label,
            &row[1],
            arm["strategy"].as_str().unwrap(),
        );
        d.check("docs/search.md", &label, &row[2], &setting);
        d.check(
            "docs/search.md",
            &label,
            &row[3],
            &format!("{mean:.2} [{:.2}, {:.2}]", ci[0], ci[1]),
        );
        d.check(
            "docs/search.md",
            &label,
            &row[4],
            &share(&arm["found_finalist"]),
        );
        d.check(
            "docs/search.md",
            &label,
            &row[5],
            &share(&arm["found_top10"]),
        );
    }
    let comparisons = record["comparisons"].as_array().unwrap();
    let shown = tables(&docs, VERSUS_HEADER);
    assert_eq!(
        shown.len(),
        1,
        "docs/search.md compares the strategies once"
    );
    assert_eq!(shown[0].len(), comparisons.len());
    for (row, c) in shown[0].iter().zip(comparisons) {
        let label = format!("{} trials", c["trials"]);
        let difference = format!(
            "{:+.3} [{:+.3}, {:+.3}]",
            number(&c["difference"]),
            number(&c["ci"][0]),
            number(&c["ci"][1])
        );
        d.check("docs/search.md", &label, &row[0], &c["trials"].to_string());
        d.check("docs/search.md", &label, &row[1], &difference);
        d.check("docs/search.md", &label, &row[2], &p_value(number(&c["p"])));
        d.check(
            "docs/search.md",
            &label,
            &row[3],
            &format!("{:.2}", number(&c["p_better"])),
        );
        d.check(
            "docs/search.md",
            &label,
            &row[4],
            &p_value(number(&c["p_finalist"])),
        );
    }
    d.assert_none(40);
}

/// The committed evolution: its size in docs/search.md, and its finalists those of the
/// exhaustive study with the same records.
#[test]
fn the_evolution_study_in_the_docs_is_its_record() {
    use spec::record::search::{CandidateList, Leaderboard};
    let evolved: Leaderboard =
        artifact::read(&reference("search-evolution").join("leaderboard.json")).unwrap();
    let exhaustive: Leaderboard =
        artifact::read(&reference("search-rediscovery").join("leaderboard.json")).unwrap();
    let list: CandidateList =
        artifact::read(&reference("search-evolution").join("candidates.json")).unwrap();
    let log = evolved.evolution.as_ref().expect("an evolution's log");
    let finalists = |b: &Leaderboard| -> Vec<(String, Option<f64>)> {
        let last = b.rungs.len();
        b.rows
            .iter()
            .filter(|r| !r.baseline && r.rung == last)
            .map(|r| (r.formula.clone(), r.accuracy))
            .collect()
    };
    let (ours, theirs) = (finalists(&evolved), finalists(&exhaustive));
    let shared: Vec<_> = ours.iter().filter(|f| theirs.contains(f)).collect();
    let mut runs = 0;
    let mut epochs = 0;
    for stage in [
        "gen-0", "gen-1", "gen-2", "gen-3", "gen-4", "rung-2", "rung-3",
    ] {
        let (_, records) = records(&format!("search-evolution/{stage}"));
        runs += records.len();
        epochs += records.iter().map(|r| r.epochs.len()).sum::<usize>();
    }
    let docs = std::fs::read_to_string(root().join("docs/search.md")).unwrap();
    let mut d = Differences::default();
    d.prose(
        "docs/search.md",
        &docs,
        "with `erf` added ({} formulas, {} distinct): {} trials in {} generations",
        &[
            list.candidates.len().to_string(),
            evolved.distinct.to_string(),
            log.births.len().to_string(),
            log.generations.len().to_string(),
        ],
    );
    d.prose(
        "docs/search.md",
        &docs,
        "({} runs, {} epochs, about",
        &[runs.to_string(), epochs.to_string()],
    );
    d.prose(
        "docs/search.md",
        &docs,
        "holds {} of the exhaustive study's {} finalists, found in {} trials where that study trained {},",
        &[
            shared.len().to_string(),
            theirs.len().to_string(),
            log.births.len().to_string(),
            exhaustive.rungs[0].candidates.to_string(),
        ],
    );
    d.assert_none(3);
}
