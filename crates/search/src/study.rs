//! A study's decisions, each a function of the config and recorded results only: the
//! first rung's pick, who goes on after each rung, and the leaderboard.

use std::collections::BTreeMap;

use spec::record::search::{CandidateList, Fate, LeaderRow, Leaderboard, RungProgress};
use spec::rng::SplitMix64;
use spec::search::{Search, StrategyKind};
use spec::{CustomActivation, Expr, RunRecord, RunStatus};

/// The strategy's pick for the first rung (an evolution's first generation), written
/// into `list.selected`: every distinct candidate (exhaustive), or `trials` of them
/// (random; `population` for an evolution) drawn with the strategy's seed, in
/// enumeration order.
pub fn select(search: &Search, list: &mut CandidateList) {
    let distinct: Vec<String> = list
        .candidates
        .iter()
        .filter_map(|c| match &c.fate {
            Fate::Distinct { name } => Some(name.clone()),
            _ => None,
        })
        .collect();
    let strategy = &search.file().strategy;
    let drawn = match strategy.kind {
        StrategyKind::Exhaustive => None,
        StrategyKind::Random => strategy.trials,
        // An evolution's first generation: its population, drawn at random.
        StrategyKind::Evolution => strategy.evolution().map(|e| e.population),
    };
    list.selected = match drawn {
        Some(trials) if trials < distinct.len() => {
            // A partial Fisher-Yates shuffle: the first `trials` places are the draw.
            let mut rng = SplitMix64::new(strategy.seed);
            let mut order: Vec<usize> = (0..distinct.len()).collect();
            for k in 0..trials {
                let j = k + rng.below(distinct.len() - k);
                order.swap(k, j);
            }
            let mut drawn = order[..trials].to_vec();
            drawn.sort_unstable();
            drawn.into_iter().map(|i| distinct[i].clone()).collect()
        }
        _ => distinct,
    };
}

/// The definitions of the named candidates, in the order given.
pub fn candidate_definitions(list: &CandidateList, names: &[String]) -> Vec<CustomActivation> {
    let by_name: BTreeMap<&str, _> = list
        .candidates
        .iter()
        .filter_map(|c| match &c.fate {
            Fate::Distinct { name } => Some((name.as_str(), c)),
            _ => None,
        })
        .collect();
    names
        .iter()
        .filter_map(|n| by_name.get(n.as_str()))
        .map(|c| CustomActivation {
            name: match &c.fate {
                Fate::Distinct { name } => name.clone(),
                _ => unreachable!("filtered above"),
            },
            expr: c.formula.clone(),
            params: c.params.clone(),
            mix: Vec::new(),
        })
        .collect()
}

/// A rung whose results are not all recorded yet: what is missing.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    /// 1-based rung.
    pub rung: usize,
    /// Runs without a finished record.
    pub missing: Vec<String>,
}

/// A candidate's outcome at one rung, from its runs' records.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Score {
    /// Every seed completed: mean final test accuracy (%) and the values.
    Completed(f64, Vec<f64>),
    /// Some seed diverged (seed, epoch).
    Diverged(u64, usize),
}

/// Each activation's outcome at a rung: `planned` names, `seeds` per name.
pub(crate) fn scores(
    names: &[String],
    seeds: &[u64],
    records: &[RunRecord],
    rung: usize,
) -> Result<Vec<(String, Score)>, Pending> {
    let mut missing = Vec::new();
    let mut out = Vec::new();
    for name in names {
        let mut values = Vec::new();
        let mut diverged = None;
        for &seed in seeds {
            let record = records.iter().find(|r| {
                r.network.activation_name() == name && r.train.seed == seed && r.is_finished()
            });
            match record {
                None => missing.push(spec::ExperimentLayout::run_name(name, seed)),
                Some(r) => match (r.status, r.last()) {
                    (RunStatus::Diverged(at), _) => {
                        diverged.get_or_insert((seed, at.epoch));
                    }
                    (_, Some(last)) => values.push(100.0 * last.test_accuracy),
                    (_, None) => missing.push(r.run.clone()),
                },
            }
        }
        let score = match diverged {
            Some((seed, epoch)) => Score::Diverged(seed, epoch),
            None => Score::Completed(
                values.iter().sum::<f64>() / values.len().max(1) as f64,
                values,
            ),
        };
        out.push((name.clone(), score));
    }
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(Pending { rung, missing })
    }
}

/// Best first: completed before diverged, higher mean accuracy first, then by name
/// (which is enumeration order).
pub(crate) fn better(a: &(String, Score), b: &(String, Score)) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (&a.1, &b.1) {
        (Score::Completed(x, _), Score::Completed(y, _)) => y.total_cmp(x).then(a.0.cmp(&b.0)),
        (Score::Completed(..), Score::Diverged(..)) => Ordering::Less,
        (Score::Diverged(..), Score::Completed(..)) => Ordering::Greater,
        _ => a.0.cmp(&b.0),
    }
}

fn ranked(mut scored: Vec<(String, Score)>) -> Vec<(String, Score)> {
    scored.sort_by(better);
    scored
}

/// The candidates rung `rung` (0-based) trains: the strategy's pick for the first, and
/// for each later one the `promote` best of the previous rung by its records
/// (`previous`: the previous rung's candidates and run records).
pub fn rung_candidates(
    search: &Search,
    list: &CandidateList,
    rung: usize,
    previous: Option<(&[String], &[RunRecord])>,
) -> Result<Vec<String>, Pending> {
    match previous {
        None => Ok(list.selected.clone()),
        Some((names, records)) => promoted(search, rung - 1, names, records),
    }
}

/// The `promote` best candidates of rung `rung` (0-based) from its records, in rank
/// order; `Pending` while a run of the rung has not finished.
pub fn promoted(
    search: &Search,
    rung: usize,
    names: &[String],
    records: &[RunRecord],
) -> Result<Vec<String>, Pending> {
    let config = &search.rungs()[rung];
    let scored = scores(names, &config.seeds, records, rung + 1)?;
    let keep = config.promote.unwrap_or(usize::MAX);
    Ok(ranked(scored)
        .into_iter()
        .filter(|(_, s)| matches!(s, Score::Completed(..)))
        .take(keep)
        .map(|(n, _)| n)
        .collect())
}

/// One rung's candidates and records, as the leaderboard reads them.
pub struct RungResults<'a> {
    /// The candidates it trains (known once the previous rung has finished).
    pub candidates: Option<Vec<String>>,
    /// Every run record its folder holds.
    pub records: &'a [RunRecord],
}

/// A trained activation's formula and initial scalars: a candidate's from the list, a
/// registry activation's from the registry (no scalars).
pub(crate) fn formula_of(list: &CandidateList, name: &str) -> (String, BTreeMap<String, f64>) {
    let candidate = list
        .candidates
        .iter()
        .find(|c| matches!(&c.fate, Fate::Distinct { name: n } if n == name));
    match candidate {
        Some(c) => (c.formula.clone(), c.params.clone()),
        None => {
            let formula = name
                .parse::<spec::ActivationKind>()
                .map(|k| k.info().formula.to_string())
                .unwrap_or_default();
            (formula, BTreeMap::new())
        }
    }
}

/// The leaderboard: every candidate and baseline at the highest rung where all its
/// runs finished, best first.
pub fn leaderboard(search: &Search, list: &CandidateList, rungs: &[RungResults]) -> Leaderboard {
    let baselines = &search.file().baselines;
    let mut best: BTreeMap<String, (usize, Score)> = BTreeMap::new();
    let mut history: BTreeMap<String, Vec<Option<f64>>> = BTreeMap::new();
    let mut progress = Vec::new();
    for (r, config) in search.rungs().iter().enumerate() {
        let results = rungs.get(r);
        let candidates = results.and_then(|x| x.candidates.clone());
        let records = results.map_or(&[][..], |x| x.records);
        let count = candidates.as_ref().map_or(0, Vec::len);
        progress.push(RungProgress {
            rung: r + 1,
            epochs: config.epochs,
            seeds: config.seeds.len(),
            candidates: count,
            planned: (count + baselines.len()) * config.seeds.len(),
            finished: records.iter().filter(|x| x.is_finished()).count(),
        });
        let names: Vec<String> = baselines
            .iter()
            .cloned()
            .chain(candidates.unwrap_or_default())
            .collect();
        for name in names {
            if let Ok(mut s) = scores(std::slice::from_ref(&name), &config.seeds, records, r + 1) {
                let score = s.remove(0).1;
                history.entry(name.clone()).or_default().push(match &score {
                    Score::Completed(mean, _) => Some(*mean),
                    Score::Diverged(..) => None,
                });
                best.insert(name, (r, score));
            }
        }
    }
    let mut rows: Vec<(usize, (String, Score))> =
        best.into_iter().map(|(n, (r, s))| (r, (n, s))).collect();
    // Higher rungs first: a candidate that went further beat those that stopped.
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| better(&a.1, &b.1)));
    let complete = progress
        .iter()
        .all(|p| p.planned > 0 && p.finished >= p.planned);
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(i, (r, (name, score)))| {
            let baseline = baselines.contains(&name);
            let (formula, params) = formula_of(list, &name);
            let config = &search.rungs()[r];
            let (accuracy, interval, state, seeds) = match score {
                Score::Completed(mean, values) => {
                    let interval = (values.len() >= 3)
                        .then(|| stats::describe(&values).ci)
                        .flatten();
                    (Some(mean), interval, "completed".to_string(), values.len())
                }
                Score::Diverged(seed, epoch) => (
                    None,
                    None,
                    format!("diverged (seed {seed}, epoch {epoch})"),
                    config.seeds.len(),
                ),
            };
            LeaderRow {
                rank: i + 1,
                formula,
                params,
                baseline,
                rung: r + 1,
                epochs: config.epochs,
                seeds,
                accuracy,
                interval,
                state,
                by_rung: history.remove(&name).unwrap_or_default(),
                name,
            }
        })
        .collect();
    let (distinct, _, _) = list.tally();
    Leaderboard {
        study: search.name().to_string(),
        rungs: progress,
        complete,
        enumerated: list.candidates.len(),
        distinct,
        rows,
        evolution: None,
        confirmation: None,
    }
}

/// The `top` best candidates of the leaderboard, best first.
fn best(board: &Leaderboard, top: usize) -> impl Iterator<Item = &LeaderRow> {
    board.rows.iter().filter(|r| !r.baseline).take(top)
}

/// What a row's result was, in words.
fn result_text(row: &LeaderRow) -> String {
    let accuracy = row
        .accuracy
        .map_or_else(|| row.state.clone(), |a| format!("{a:.2}% test accuracy"));
    format!(
        "rank {}: rung {} ({} epochs, {} seeds), {accuracy}",
        row.rank, row.rung, row.epochs, row.seeds
    )
}

/// The `top` best candidates as PyTorch modules with actlab's meaning (each trainable
/// scalar one shared `nn.Parameter`), and the formulas `torch.nn` cannot express, as
/// comments.
pub fn discovered_torch(board: &Leaderboard, top: usize) -> String {
    let mut out = format!(
        "# The best candidates of study '{}' as PyTorch modules, computing what actlab\n# computes (scripts/check-discovered-pytorch.sh checks it):\n#   from discovered import *; act = {}()\nimport torch\nfrom torch import nn\n",
        board.study,
        best(board, top).next().map_or("...", |r| r.name.as_str())
    );
    for row in best(board, top) {
        let names: Vec<String> = row.params.keys().cloned().collect();
        let body = Expr::parse(&row.formula, &names)
            .map_err(|e| e.message)
            .and_then(|e| e.to_torch(&names));
        out.push_str(&format!("\n\n# {}\n", result_text(row)));
        match body {
            Err(why) => out.push_str(&format!("# {}: {} ({why})\n", row.name, row.formula)),
            Ok(body) => {
                out.push_str(&format!(
                    "class {}(nn.Module):\n    \"\"\"{}\"\"\"\n\n    def __init__(self):\n        super().__init__()\n",
                    row.name, row.formula
                ));
                for (name, value) in &row.params {
                    out.push_str(&format!(
                        "        self.{name} = nn.Parameter(torch.tensor({value:?}))\n"
                    ));
                }
                out.push_str(&format!(
                    "\n    def forward(self, x):\n        return {body}\n"
                ));
            }
        }
    }
    out
}

/// The `top` best candidates of the leaderboard as `[[activation]]` tables, with their
/// results as comments: ready for `--defs` or a config.
pub fn discovered_toml(board: &Leaderboard, top: usize) -> String {
    let mut out = format!(
        "# The best candidates of study '{}', as [[activation]] definitions:\n#   actlab train --defs discovered.toml --acts {}\n",
        board.study,
        best(board, top)
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(",")
    );
    for row in best(board, top) {
        out.push_str(&format!("\n# {}\n", result_text(row)));
        let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
        out.push_str(&format!(
            "[[activation]]\nname = {}\nexpr = {}\n",
            quoted(&row.name),
            quoted(&row.formula)
        ));
        if !row.params.is_empty() {
            let params: Vec<String> = row
                .params
                .iter()
                .map(|(k, v)| format!("{k} = {}", toml::Value::Float(*v)))
                .collect();
            out.push_str(&format!("params = {{ {} }}\n", params.join(", ")));
        }
    }
    out
}
