//! The numbers the README and docs/ quote from committed records are the records'
//! numbers: every row of the tables that show reference runs, statistics over seeds,
//! curvature probes and speed measurements is recomputed here from the files under
//! `results/reference/` (with the same statistics code the CLI uses), and so are the
//! numbers the prose around them quotes. A rebuild that changes a record fails this test
//! until the prose is updated with it.

use std::path::{Path, PathBuf};

use spec::artifact;
use spec::record::curvature::HessianReport;
use spec::record::probe::ProbeRecord;
use spec::record::stats::{Comparison, ExperimentStatistics, GroupStats};
use spec::{ExperimentFile, RunRecord, SummaryTable};

mod claims;
mod gpu;
mod search;
mod slices;
mod speed;
mod strategies;

fn root() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("../..")
}

fn reference(path: &str) -> PathBuf {
    root().join("results/reference").join(path)
}

/// README.md and every page under docs/, with their text.
fn pages() -> Vec<(String, String)> {
    let mut paths = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    paths.extend(docs);
    paths
        .into_iter()
        .map(|p| {
            let name = p.strip_prefix(root()).unwrap_or(&p).display().to_string();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// The rows (cells, trimmed) of every table in `text` whose header line is `header`.
fn tables(text: &str, header: &str) -> Vec<Vec<Vec<String>>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim() != header {
            continue;
        }
        let rows = lines[i + 2..]
            .iter()
            .take_while(|l| l.trim_start().starts_with('|'))
            .map(|l| {
                l.trim()
                    .trim_matches('|')
                    .split('|')
                    .map(|c| c.trim().to_string())
                    .collect()
            })
            .collect();
        found.push(rows);
    }
    found
}

/// The records of the committed experiment `name`, in its plan's order.
fn records(name: &str) -> (ExperimentFile, Vec<RunRecord>) {
    let dir = reference(name);
    let file: ExperimentFile = artifact::read(&dir.join("experiment.json")).unwrap();
    let experiment = file.clone().check(name).unwrap().at(dir.clone());
    let records = experiment
        .runs()
        .iter()
        .map(|r| artifact::read(&r.dir().join("run.json")).unwrap())
        .collect();
    (file, records)
}

fn summary(name: &str) -> SummaryTable {
    let (file, records) = records(name);
    stats::summarise(&file.name, &records, file.baseline.as_deref()).unwrap()
}

/// A p-value as the docs print it: three decimals, or one significant digit below 0.001.
fn p_value(p: f64) -> String {
    if p >= 0.001 {
        format!("{p:.3}")
    } else {
        format!("{p:.0e}")
    }
}

/// A signed number with the typographic minus, as the curvature table prints it.
fn minus(text: String) -> String {
    text.replace('-', "−")
}

fn group<'a>(stats: &'a ExperimentStatistics, name: &str) -> &'a GroupStats {
    stats
        .groups
        .iter()
        .find(|g| g.name == name)
        .unwrap_or_else(|| panic!("no group {name}"))
}

fn against<'a>(comparisons: &'a [Comparison], name: &str) -> &'a Comparison {
    comparisons
        .iter()
        .find(|c| c.group == name)
        .unwrap_or_else(|| panic!("no comparison of {name}"))
}

/// Each difference found, as "page: row: quoted vs recomputed".
#[derive(Default)]
struct Differences {
    found: Vec<String>,
    checked: usize,
}

impl Differences {
    fn check(&mut self, page: &str, row: &str, quoted: &str, computed: &str) {
        self.checked += 1;
        if quoted != computed {
            self.found.push(format!(
                "{page}: {row}: quotes {quoted:?}, the records give {computed:?}"
            ));
        }
    }

    /// A sentence of prose: `pattern` with `{}` where each computed number goes must
    /// appear in `text` as computed.
    fn prose(&mut self, page: &str, text: &str, pattern: &str, numbers: &[String]) {
        self.checked += 1;
        let mut sentence = pattern.to_string();
        for n in numbers {
            sentence = sentence.replacen("{}", n, 1);
        }
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !flat.contains(&sentence) {
            let stem = pattern.split("{}").next().unwrap_or(pattern);
            let near = flat
                .find(stem)
                .map(|i| {
                    flat[i..]
                        .chars()
                        .take(sentence.chars().count() + 20)
                        .collect::<String>()
                })
                .unwrap_or_else(|| "nothing like it".into());
            self.found
                .push(format!("{page}: expected \"{sentence}\", found \"{near}\""));
        }
    }

    fn assert_none(self, at_least: usize) {
        assert!(self.found.is_empty(), "{}", self.found.join("\n"));
        assert!(
            self.checked >= at_least,
            "only {} numbers checked",
            self.checked
        );
    }
}

const BOOK_HEADER: &str =
    "| Activation | book acc. % | actlab acc. % | actlab test loss | actlab time s |";
const SEEDS_HEADER: &str = "| Activation | book (1 run) | actlab, 5 seeds: mean ± sd | min–max | Δ vs ReLU [95 % CI] | p (Holm) | vs ReLU |";
const CURVATURE_HEADER: &str =
    "| activation | loss | λmax | λmin | trace | ξ measured | ξ in the chapter |";

/// The book's comparison: each run's final accuracy, loss and time.
#[test]
fn the_book_tables_are_the_records() {
    let table = summary("book-ch4");
    let mut diff = Differences::default();
    for (page, text) in pages() {
        for rows in tables(&text, BOOK_HEADER) {
            assert_eq!(rows.len(), 13, "{page}: the book's 13 activations");
            for row in rows {
                let run = format!("{}-s7", row[0]);
                let r = table
                    .rows
                    .iter()
                    .find(|r| r.run == run)
                    .unwrap_or_else(|| panic!("{page}: no run {run}"));
                diff.check(&page, &run, &row[2], &format!("{:.2}", r.accuracy_percent));
                diff.check(&page, &run, &row[3], &format!("{:.4}", r.final_test_loss));
                diff.check(&page, &run, &row[4], &format!("{:.1}", r.time_seconds));
            }
        }
    }
    diff.assert_none(2 * 13 * 3);
}

/// The five-seed table, row by row, against the statistics of the committed records.
#[test]
fn the_five_seed_tables_are_the_records() {
    let stats = summary("book-ch4-seeds").statistics.unwrap();
    let mut diff = Differences::default();
    for (page, text) in pages() {
        for rows in tables(&text, SEEDS_HEADER) {
            assert_eq!(rows.len(), 14, "{page}: 13 activations and Identity");
            for row in rows {
                let name = row[0]
                    .strip_prefix("no activation (")
                    .map_or(row[0].as_str(), |n| n.trim_end_matches(')'));
                let g = group(&stats, name);
                let a = &g.accuracy;
                let sd = a.sd.unwrap();
                diff.check(&page, name, &row[2], &format!("{:.2} ± {sd:.2}", a.mean));
                diff.check(&page, name, &row[3], &format!("{:.2}–{:.2}", a.min, a.max));
                if name == stats.baseline {
                    diff.check(&page, name, &row[6], "baseline");
                    continue;
                }
                let c = against(&stats.vs_baseline, name);
                let [lo, hi] = c.ci.unwrap();
                diff.check(
                    &page,
                    name,
                    &row[4],
                    &format!("{:+.2} [{lo:+.2}, {hi:+.2}]", c.difference),
                );
                diff.check(&page, name, &row[5], &p_value(c.p_holm.unwrap()));
                let verdict = match (c.distinguishable, c.difference > 0.0) {
                    (false, _) => "within noise",
                    (true, true) => "better",
                    (true, false) => "worse",
                };
                diff.check(&page, name, &row[6], verdict);
            }
        }
    }
    // 13 rows of five numbers and the baseline's row of three.
    diff.assert_none(13 * 5 + 3);
}

/// What the prose around the five-seed table says of it.
#[test]
fn the_five_seed_prose_is_the_records() {
    let stats = summary("book-ch4-seeds").statistics.unwrap();
    let vs_relu = |name: &str| against(&stats.vs_baseline, name);
    let vs_best = |name: &str| against(&stats.vs_best, name);
    let points = |x: f64| format!("{:.1}", x.abs());
    let range = |names: &[&str]| {
        let d: Vec<f64> = names.iter().map(|n| vs_relu(n).difference.abs()).collect();
        let lo = d.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = d.iter().copied().fold(0.0, f64::max);
        [points(lo), points(hi)]
    };
    assert_eq!(stats.best, "STAF", "the prose is about STAF leading");
    let identity = group(&stats, "Identity");
    let mut diff = Differences::default();
    for (page, text) in pages() {
        if !text.contains(SEEDS_HEADER) {
            continue;
        }
        let top = range(&["PReLU", "TeLU", "STAF"]);
        diff.prose(
            &page,
            &text,
            "PReLU, TeLU and STAF beat ReLU by {} to {} points",
            &top,
        );
        let bottom = range(&["SiLU", "Swish", "Hardswish"]);
        diff.prose(
            &page,
            &text,
            "SiLU, Swish and Hardswish trail it by {} to {} points",
            &bottom,
        );
        diff.prose(
            &page,
            &text,
            "STAF's lead over TeLU ({} points, Holm-adjusted p = {}) and PReLU ({} points, p = {})",
            &[
                points(vs_best("TeLU").difference),
                p_value(vs_best("TeLU").p_holm.unwrap()),
                points(vs_best("PReLU").difference),
                p_value(vs_best("PReLU").p_holm.unwrap()),
            ],
        );
        diff.prose(
            &page,
            &text,
            "reaches {} ± {} %, {} points above ReLU (p = {})",
            &[
                format!("{:.2}", identity.accuracy.mean),
                format!("{:.2}", identity.accuracy.sd.unwrap()),
                points(vs_relu("Identity").difference),
                p_value(vs_relu("Identity").p_holm.unwrap()),
            ],
        );
        diff.prose(
            &page,
            &text,
            "Tanh edges out ReLU (+{} points, p = {})",
            &[
                points(vs_relu("Tanh").difference),
                p_value(vs_relu("Tanh").p_holm.unwrap()),
            ],
        );
    }
    diff.assert_none(5);
}

/// What docs/results.md adds about the five seeds: against the best, and the book's
/// single runs against the seeds' ranges.
#[test]
fn the_results_page_is_the_records() {
    let stats = summary("book-ch4-seeds").statistics.unwrap();
    let text = std::fs::read_to_string(root().join("docs/results.md")).unwrap();
    let vs_best = |name: &str| against(&stats.vs_best, name);
    assert!(
        stats.vs_best.iter().all(|c| c.distinguishable),
        "the page says every activation is significantly worse than the best"
    );
    let range = |name: &str| {
        let a = &group(&stats, name).accuracy;
        [format!("{:.2}", a.min), format!("{:.2}", a.max)]
    };
    let mut diff = Differences::default();
    diff.prose(
        "docs/results.md",
        &text,
        "TeLU (Holm p = {}) and PReLU (p = {}) by the narrowest margins",
        &[
            p_value(vs_best("TeLU").p_holm.unwrap()),
            p_value(vs_best("PReLU").p_holm.unwrap()),
        ],
    );
    diff.prose(
        "docs/results.md",
        &text,
        "Mish (81.9, range {}–{}), LeakyReLU (80.8, range {}–{}) and STAF (85.4, range {}–{}) fall outside it",
        &[range("Mish"), range("LeakyReLU"), range("STAF")].concat(),
    );
    diff.assert_none(2);
}

/// The curvature table: each Hessian report's loss, extreme eigenvalues, trace and ξ.
#[test]
fn the_curvature_tables_are_the_reports() {
    let mut diff = Differences::default();
    for (page, text) in pages() {
        for rows in tables(&text, CURVATURE_HEADER) {
            for row in rows {
                let path = reference(&format!(
                    "book-ch4-curvature/{}-s7/probes/hessian-epoch-15.json",
                    row[0]
                ));
                let record: ProbeRecord<HessianReport> = artifact::read(&path).unwrap();
                let r = &record.report;
                let s = &r.spectrum;
                let name = row[0].as_str();
                diff.check(&page, name, &row[1], &format!("{:.3}", r.loss));
                diff.check(
                    &page,
                    name,
                    &row[2],
                    &minus(format!("{:.1}", s.top[0].value)),
                );
                diff.check(
                    &page,
                    name,
                    &row[3],
                    &minus(format!("{:.2}", s.smallest.value)),
                );
                diff.check(
                    &page,
                    name,
                    &row[4],
                    &format!("{:.0} ± {:.0}", s.trace.value, s.trace.standard_error),
                );
                diff.check(
                    &page,
                    name,
                    &row[5],
                    &format!(
                        "{:.1} ± {:.1}",
                        r.stability.xi, r.stability.xi_standard_error
                    ),
                );
            }
        }
    }
    diff.assert_none(2 * 5 * 5);
}

/// Every page that names a reference experiment's path names one that exists.
#[test]
fn quoted_reference_folders_exist() {
    for (page, text) in pages() {
        for (i, _) in text.match_indices("results/reference/") {
            let path: String = text[i..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !"`)]\"',;:".contains(*c))
                .collect();
            let path = path.trim_end_matches('.');
            if path.contains('*') {
                continue;
            }
            assert!(
                Path::new(&root().join(path)).exists(),
                "{page}: {path} does not exist"
            );
        }
    }
}
