//! Random search against regularised evolution, replayed on an exhaustive study: every
//! distinct candidate's first-rung result is already recorded there, so a strategy
//! with `trials` trials is replayed exactly (the same config on the same machine gives
//! the same records) by reading the records of the candidates it picks, for hundreds of
//! strategy seeds, in seconds. The later rungs of the exhaustive study say which
//! candidates were best at more epochs and seeds (its finalists).
//!
//! ```sh
//! cargo run --release --example strategy_benchmark -- \
//!     results/reference/search-rediscovery > results/reference/strategy-benchmark.json
//! ```
//!
//! Prints a markdown table to stderr and the measurements as JSON to stdout.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use search::{Generation, breed, select};
use spec::record::search::{CandidateList, Leaderboard};
use spec::search::{SearchFile, StrategyKind};
use spec::{RunRecord, artifact};

/// Strategy seeds per arm and budget.
const SEEDS: u64 = 200;
/// Trials per study.
const BUDGETS: [usize; 3] = [30, 60, 120];

/// One arm at one budget, over the seeds.
#[derive(serde::Serialize)]
struct Arm {
    strategy: String,
    trials: usize,
    population: Option<usize>,
    children: Option<usize>,
    sample: Option<usize>,
    /// The best first-rung accuracy (%) each seed found.
    best: Vec<f64>,
    /// Mean and 95 % interval of `best`.
    mean: f64,
    ci: [f64; 2],
    /// Seeds whose trials include one of the exhaustive study's finalists.
    found_finalist: usize,
    /// Seeds whose trials include one of its 10 best first-rung candidates.
    found_top10: usize,
}

#[derive(serde::Serialize)]
struct Comparison {
    trials: usize,
    /// Evolution minus random, mean best accuracy (points), Welch's interval and p.
    difference: f64,
    ci: [f64; 2],
    p: f64,
    /// P(a seed of evolution finds a better best than a seed of random).
    p_better: f64,
    /// Two-sided p of the difference in how often each found a finalist (pooled
    /// two-proportion z test); none when neither or both always did.
    p_finalist: Option<f64>,
}

#[derive(serde::Serialize)]
struct Benchmark {
    study: String,
    distinct: usize,
    finalists: Vec<String>,
    seeds: u64,
    arms: Vec<Arm>,
    comparisons: Vec<Comparison>,
}

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: strategy_benchmark STUDY_DIR (an exhaustive study's folder)");
        std::process::exit(2)
    }));
    let file: SearchFile = read(&dir.join("search.json"));
    let list: CandidateList = read(&dir.join("candidates.json"));
    let board: Leaderboard = read(&dir.join("leaderboard.json"));
    assert_eq!(
        file.strategy.kind,
        StrategyKind::Exhaustive,
        "a replay needs every candidate's first-rung record"
    );
    let records = first_rung(&dir.join("rung-1"));
    let score = |name: &str| {
        records
            .get(name)
            .and_then(|r| r.last())
            .map(|e| 100.0 * e.test_accuracy)
    };
    let mut ranked: Vec<(&String, f64)> = list
        .selected
        .iter()
        .filter_map(|n| score(n).map(|s| (n, s)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let top10: Vec<&str> = ranked.iter().take(10).map(|(n, _)| n.as_str()).collect();
    let last = board.rungs.len();
    let finalists: Vec<String> = board
        .rows
        .iter()
        .filter(|r| !r.baseline && r.rung == last)
        .map(|r| r.name.clone())
        .collect();
    let mut arms = Vec::new();
    let mut comparisons = Vec::new();
    for trials in BUDGETS {
        let mut pair = Vec::new();
        for kind in [StrategyKind::Random, StrategyKind::Evolution] {
            let mut best = Vec::new();
            let (mut found_finalist, mut found_top10) = (0, 0);
            let mut arm_file = file.clone();
            arm_file.strategy.kind = kind;
            arm_file.strategy.trials = Some(trials);
            if kind == StrategyKind::Evolution {
                arm_file.strategy.population = Some(trials / 3);
                arm_file.strategy.children = Some(trials / 6);
                arm_file.strategy.sample = Some((trials / 12).max(2));
            }
            for seed in 1..=SEEDS {
                arm_file.strategy.seed = seed;
                let search = arm_file.clone().check("replay").expect("a valid arm");
                let mut picked = list.clone();
                select(&search, &mut picked);
                let trained = match search.file().strategy.evolution() {
                    None => picked.selected.clone(),
                    Some(e) => {
                        let mut generations: Vec<(Vec<String>, Vec<RunRecord>)> = Vec::new();
                        for g in 0..e.generations() {
                            let held: Vec<Generation> = generations
                                .iter()
                                .map(|(names, records)| Generation { names, records })
                                .collect();
                            let names: Vec<String> = breed(&search, &picked, g, &held)
                                .expect("every record is there")
                                .into_iter()
                                .map(|b| b.name)
                                .collect();
                            let rs = names.iter().map(|n| records[n].clone()).collect();
                            generations.push((names, rs));
                        }
                        generations.into_iter().flat_map(|(n, _)| n).collect()
                    }
                };
                assert_eq!(trained.len(), trials);
                best.push(
                    trained
                        .iter()
                        .filter_map(|n| score(n))
                        .fold(f64::MIN, f64::max),
                );
                found_finalist += usize::from(trained.iter().any(|n| finalists.contains(n)));
                found_top10 += usize::from(trained.iter().any(|n| top10.contains(&n.as_str())));
            }
            let summary = stats::describe(&best);
            let s = &arm_file.strategy;
            arms.push(Arm {
                strategy: kind.to_string(),
                trials,
                population: s.population,
                children: s.children,
                sample: s.sample,
                mean: summary.mean,
                ci: summary.ci.expect("200 seeds"),
                best: best.clone(),
                found_finalist,
                found_top10,
            });
            pair.push(best);
        }
        let w = stats::welch(&pair[1], &pair[0]).expect("spread");
        let found: Vec<usize> = arms[arms.len() - 2..]
            .iter()
            .map(|a| a.found_finalist)
            .collect();
        comparisons.push(Comparison {
            trials,
            difference: w.difference,
            ci: w.ci,
            p: w.p,
            p_better: stats::probability_of_improvement(&pair[1], &pair[0]),
            p_finalist: two_proportions(found[1], found[0], SEEDS as usize),
        });
    }
    eprintln!(
        "| Trials | Strategy | Best first-rung accuracy (%), mean [95% CI] | Found a finalist | Found a top-10 |\n|---:|---|---|---:|---:|"
    );
    for a in &arms {
        eprintln!(
            "| {} | {} | {:.2} [{:.2}, {:.2}] | {:.0} % | {:.0} % |",
            a.trials,
            a.strategy,
            a.mean,
            a.ci[0],
            a.ci[1],
            100.0 * a.found_finalist as f64 / SEEDS as f64,
            100.0 * a.found_top10 as f64 / SEEDS as f64
        );
    }
    for c in &comparisons {
        eprintln!(
            "trials {}: evolution - random = {:+.3} [{:+.3}, {:+.3}] points, Welch p = {:.2e}, P(better) = {:.2}; finalist found, p = {:?}",
            c.trials, c.difference, c.ci[0], c.ci[1], c.p, c.p_better, c.p_finalist
        );
    }
    let out = Benchmark {
        study: file.name.clone(),
        distinct: list.selected.len(),
        finalists,
        seeds: SEEDS,
        arms,
        comparisons,
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&out).expect("serialisable")
    );
}

/// The two-sided p-value of `a` against `b` successes out of `n` each, by the pooled
/// two-proportion z test; `None` when the pooled proportion is 0 or 1.
fn two_proportions(a: usize, b: usize, n: usize) -> Option<f64> {
    use statrs::distribution::{ContinuousCDF, Normal};
    let (pa, pb) = (a as f64 / n as f64, b as f64 / n as f64);
    let pooled = (a + b) as f64 / (2 * n) as f64;
    let se = (pooled * (1.0 - pooled) * 2.0 / n as f64).sqrt();
    (se > 0.0).then(|| {
        let z = (pa - pb) / se;
        2.0 * Normal::standard().cdf(-z.abs())
    })
}

fn read<T: spec::artifact::Artifact>(path: &Path) -> T {
    artifact::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Each candidate's first-rung record, by activation name.
fn first_rung(dir: &Path) -> BTreeMap<String, RunRecord> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("the first rung's folder") {
        let path = entry.expect("a folder entry").path().join("run.json");
        if path.is_file() {
            let record: RunRecord = read(&path);
            out.insert(record.network.activation_name().to_string(), record);
        }
    }
    out
}
