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
