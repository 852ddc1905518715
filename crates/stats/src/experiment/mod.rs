//! An experiment's runs grouped by configuration, summarised over seeds, and compared
//! with a baseline group and with the best one; two experiments compared group by group.

use std::collections::BTreeMap;

use spec::record::all_differences;
use spec::record::stats::{
    Comparison, CurvePoint, ExperimentComparison, ExperimentStatistics, GroupChange, GroupStats,
    SettingDifference,
};
use spec::{RunRecord, RunStatus, Scope, SummaryTable};
use thiserror::Error;

use crate::inference::{
    bootstrap_improvement, describe, hedges_g, holm, probability_of_improvement, welch,
    welch_worse_by,
};

/// Significance level of the tables' marks, after Holm's correction.
pub const ALPHA: f64 = 0.05;
/// Runs a group needs before it is tested: with fewer, differences are reported only.
pub const MIN_RUNS_FOR_TESTS: usize = 3;
/// Bootstrap resamples per interval.
pub const RESAMPLES: usize = 2000;
/// Seed of every bootstrap: the tables repeat anywhere.
pub const BOOTSTRAP_SEED: u64 = 2026;

/// Statistics that cannot be computed from the records given.
#[derive(Debug, Error, PartialEq)]
pub enum StatsError {
    /// No completed run to summarise.
    #[error("no completed run to summarise")]
    NoRuns,
    /// The baseline names no group.
    #[error("baseline '{given}' is not one of the groups ({groups})")]
    UnknownBaseline {
        /// The name given.
        given: String,
        /// Every group.
        groups: String,
    },
    /// Two groups that cannot be compared.
    #[error("cannot compare {group}: {why}")]
    Incomparable {
        /// The group.
        group: String,
        /// What differs.
        why: String,
    },
}

/// The group a run belongs to: its activation, with its scope and layer kind when they
/// are not the book's.
pub fn group_name(record: &RunRecord) -> String {
    let network = &record.network;
    let mut name = network.activation_name().to_string();
    if let Some(act) = &network.activation
        && act.kind.is_trainable()
        && act.scope != Scope::Shared
    {
        name.push_str(&format!(" ({})", act.scope));
    }
    if !network.layer.is_linear() {
        name.push_str(&format!(" ({})", network.layer));
    }
    name
}

/// Completed runs grouped by [`group_name`], groups in order of first appearance, runs
/// in seed order.
fn groups(records: &[RunRecord]) -> Vec<(String, Vec<&RunRecord>)> {
    let mut order: Vec<String> = Vec::new();
    let mut by_name: BTreeMap<String, Vec<&RunRecord>> = BTreeMap::new();
    for r in records.iter().filter(|r| r.status == RunStatus::Completed) {
        let name = group_name(r);
        if !by_name.contains_key(&name) {
            order.push(name.clone());
        }
        by_name.entry(name).or_default().push(r);
    }
    order
        .into_iter()
        .map(|name| {
            let mut runs = by_name.remove(&name).unwrap_or_default();
            runs.sort_by_key(|r| r.train.seed);
            (name, runs)
        })
        .collect()
}

/// Final test accuracy of each run, percent.
fn finals(runs: &[&RunRecord]) -> Vec<f64> {
    runs.iter()
        .filter_map(|r| r.last().map(|e| e.test_accuracy * 100.0))
        .collect()
}

fn group_stats(name: &str, runs: &[&RunRecord]) -> GroupStats {
    let accuracy = finals(runs);
    let losses: Vec<f64> = runs
        .iter()
        .filter_map(|r| r.last().map(|e| e.test_loss))
        .collect();
    let epochs = runs.iter().map(|r| r.epochs.len()).max().unwrap_or(0);
    let curve = (1..=epochs)
        .map(|epoch| {
            let at: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.epochs.get(epoch - 1))
                .map(|e| e.test_accuracy * 100.0)
                .collect();
            let s = describe(&at);
            CurvePoint {
                epoch,
                n: s.n,
                mean: s.mean,
                ci: s.ci,
            }
        })
        .collect();
    GroupStats {
        name: name.to_string(),
        runs: runs.iter().map(|r| r.run.clone()).collect(),
        accuracy: describe(&accuracy),
        test_loss: describe(&losses),
        curve,
        finals: accuracy,
    }
}

/// `x` (group `name`) against `y` (group `against`): the tests only with enough runs in
/// both; `p_holm` and `distinguishable` are filled in with the rest of the table.
fn compare(name: &str, x: &[f64], against: &str, y: &[f64]) -> Comparison {
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let tested = x.len() >= MIN_RUNS_FOR_TESTS && y.len() >= MIN_RUNS_FOR_TESTS;
    let w = tested.then(|| welch(x, y)).flatten();
    Comparison {
        group: name.to_string(),
        against: against.to_string(),
        difference: mean(x) - mean(y),
        ci: w.map(|w| w.ci),
        t: w.map(|w| w.t),
        df: w.map(|w| w.df),
        p: w.map(|w| w.p),
        p_holm: None,
        improvement: tested.then(|| probability_of_improvement(x, y)),
        improvement_ci: tested.then(|| bootstrap_improvement(x, y, BOOTSTRAP_SEED, RESAMPLES)),
        hedges_g: tested.then(|| hedges_g(x, y)).flatten(),
        distinguishable: false,
    }
}

/// Holm's correction over the tested comparisons of one table, and their marks.
fn correct(table: &mut [Comparison]) {
    let tested: Vec<usize> = (0..table.len()).filter(|&i| table[i].p.is_some()).collect();
    let p: Vec<f64> = tested.iter().filter_map(|&i| table[i].p).collect();
    for (&i, adjusted) in tested.iter().zip(holm(&p)) {
        table[i].p_holm = Some(adjusted);
        table[i].distinguishable = adjusted < ALPHA;
    }
}

/// Every other group against `anchor`, corrected together.
fn table_against(groups: &[GroupStats], anchor: &GroupStats) -> Vec<Comparison> {
    let mut table: Vec<Comparison> = groups
        .iter()
        .filter(|g| g.name != anchor.name)
        .map(|g| compare(&g.name, &g.finals, &anchor.name, &anchor.finals))
        .collect();
    correct(&mut table);
    table
}

/// A family of planned comparisons, each `(group, against)` pair of `statistics`'
/// groups, Holm-corrected together (a confirmation's candidates against each activation
/// they must beat). Names match groups case-insensitively; a pair naming a group
/// without completed runs is left out.
pub fn planned_comparisons(
    statistics: &ExperimentStatistics,
    pairs: &[(String, String)],
) -> Vec<Comparison> {
    let group = |name: &str| {
        statistics
            .groups
            .iter()
            .find(|g| g.name.eq_ignore_ascii_case(name))
    };
    let mut table: Vec<Comparison> = pairs
        .iter()
        .filter_map(|(x, y)| Some((group(x)?, group(y)?)))
        .map(|(x, y)| compare(&x.name, &x.finals, &y.name, &y.finals))
        .collect();
    correct(&mut table);
    table
}

/// The statistics of an experiment's completed runs, compared with `baseline` (default:
/// ReLU when there is such a group, else the first).
pub fn experiment_statistics(
    experiment: &str,
    records: &[RunRecord],
    baseline: Option<&str>,
) -> Result<ExperimentStatistics, StatsError> {
    let grouped = groups(records);
    let stats: Vec<GroupStats> = grouped
        .iter()
        .map(|(name, runs)| group_stats(name, runs))
        .filter(|g| !g.finals.is_empty())
        .collect();
    if stats.is_empty() {
        return Err(StatsError::NoRuns);
    }
    let names = || stats.iter().map(|g| g.name.clone()).collect::<Vec<_>>();
    // A baseline names a group, or the activation of one ("PReLU" for "PReLU (per-neuron)").
    let named = |given: &str, (name, runs): &(String, Vec<&RunRecord>)| {
        name.eq_ignore_ascii_case(given)
            || runs
                .first()
                .is_some_and(|r| r.network.activation_name().eq_ignore_ascii_case(given))
    };
    let base = match baseline {
        Some(given) => grouped
            .iter()
            .find(|g| named(given, g))
            .and_then(|(name, _)| stats.iter().find(|g| &g.name == name))
            .ok_or_else(|| StatsError::UnknownBaseline {
                given: given.to_string(),
                groups: names().join(", "),
            })?,
        None => stats.iter().find(|g| g.name == "ReLU").unwrap_or(&stats[0]),
    };
    let best = stats
        .iter()
        .max_by(|a, b| a.accuracy.mean.total_cmp(&b.accuracy.mean))
        .unwrap_or(base);
    Ok(ExperimentStatistics {
        experiment: experiment.to_string(),
        alpha: ALPHA,
        baseline: base.name.clone(),
        best: best.name.clone(),
        bootstrap_seed: BOOTSTRAP_SEED,
        bootstrap_resamples: RESAMPLES,
        min_runs_for_tests: MIN_RUNS_FOR_TESTS,
        vs_baseline: table_against(&stats, base),
        vs_best: table_against(&stats, best),
        groups: stats,
        chance_percent: chance_percent(records),
    })
}

/// Guessing's test accuracy on the experiment's classes, percent.
fn chance_percent(records: &[RunRecord]) -> f64 {
    let classes = records.first().map_or(10, |r| r.network.classes).max(1);
    100.0 / classes as f64
}

/// Settings of a run that do not change what it learns: its seed (the groups vary it),
/// when it saves checkpoints, and what it logs.
const NOT_COMPARED: [&str; 6] = [
    "train.seed",
    "train.save_epochs",
    "train.log_every",
    "train.tensorboard",
    "train.track_grads",
    "train.dead_units",
];

/// What two groups' runs were trained with, where it differs: the training settings,
/// the network, and the dataset's files. Runs of one group share them (only their seed
/// differs), so each side's first run stands for the group.
fn differences(new: &[&RunRecord], base: &[&RunRecord]) -> Vec<SettingDifference> {
    let (Some(a), Some(b)) = (new.first(), base.first()) else {
        return Vec::new();
    };
    let settings = |r: &RunRecord| {
        // `slices` is left out of a record when it is 1, which a record from before
        // the data-parallel step means too: written out, 4 against 1 reads as that.
        let mut train = serde_json::json!(r.train);
        train["slices"] = r.train.slices.into();
        serde_json::json!({
            "train": train,
            "network": r.network,
            "dataset_md5": r.dataset_md5,
        })
    };
    all_differences(&settings(a), &settings(b))
        .into_iter()
        .filter(|(field, _, _)| !NOT_COMPARED.contains(&field.as_str()))
        .map(|(field, new, baseline)| SettingDifference {
            field,
            new,
            baseline,
        })
        .collect()
}

/// `new` against `base`, group by group (same activation, scope and layer kind): a
/// group regressed when it is worse by more than `margin` points, significantly after
/// Holm's correction over the groups compared.
/// A setting that differs refuses the comparison unless `accept` names its field (or a
/// prefix of it, such as `train`); the accepted ones are listed in the result.
pub fn compare_experiments(
    (new_name, new): (&str, &[RunRecord]),
    (base_name, base): (&str, &[RunRecord]),
    margin: f64,
    accept: &[String],
) -> Result<ExperimentComparison, StatsError> {
    let accepted_field = |field: &str| {
        accept
            .iter()
            .any(|a| field == a || field.starts_with(&format!("{a}.")))
    };
    let mut accepted: Vec<SettingDifference> = Vec::new();
    let new_groups = groups(new);
    let base_groups = groups(base);
    let mut changes = Vec::new();
    let mut unmatched = Vec::new();
    for (name, runs) in &new_groups {
        let Some((_, base_runs)) = base_groups.iter().find(|(b, _)| b == name) else {
            unmatched.push(name.clone());
            continue;
        };
        let differ = differences(runs, base_runs);
        let refused: Vec<&SettingDifference> = differ
            .iter()
            .filter(|d| !accepted_field(&d.field))
            .collect();
        if !refused.is_empty() {
            let list: Vec<String> = refused
                .iter()
                .map(|d| {
                    format!(
                        "{} is {} in one and {} in the other",
                        d.field, d.new, d.baseline
                    )
                })
                .collect();
            let fields: Vec<&str> = refused.iter().map(|d| d.field.as_str()).collect();
            return Err(StatsError::Incomparable {
                group: name.clone(),
                why: format!(
                    "its runs were trained differently: {}; compare experiments trained alike, or pass --accept {} to compare them anyway",
                    list.join("; "),
                    fields.join(",")
                ),
            });
        }
        for d in differ {
            if !accepted.iter().any(|a| a.field == d.field) {
                accepted.push(d);
            }
        }
        let (x, y) = (finals(runs), finals(base_runs));
        let tested = x.len() >= MIN_RUNS_FOR_TESTS && y.len() >= MIN_RUNS_FOR_TESTS;
        changes.push(GroupChange {
            new: describe(&x),
            baseline: describe(&y),
            comparison: compare(name, &x, name, &y),
            p_worse: tested.then(|| welch_worse_by(&x, &y, margin)).flatten(),
            p_worse_holm: None,
            regressed: false,
        });
    }
    unmatched.extend(
        base_groups
            .iter()
            .map(|(b, _)| b.clone())
            .filter(|b| !new_groups.iter().any(|(n, _)| n == b)),
    );
    let mut table: Vec<Comparison> = changes.iter().map(|c| c.comparison.clone()).collect();
    correct(&mut table);
    let tested: Vec<usize> = (0..changes.len())
        .filter(|&i| changes[i].p_worse.is_some())
        .collect();
    let worse: Vec<f64> = tested.iter().filter_map(|&i| changes[i].p_worse).collect();
    for (&i, adjusted) in tested.iter().zip(holm(&worse)) {
        changes[i].p_worse_holm = Some(adjusted);
        changes[i].regressed = adjusted < ALPHA;
    }
    for (change, corrected) in changes.iter_mut().zip(table) {
        change.comparison = corrected;
    }
    Ok(ExperimentComparison {
        new: new_name.to_string(),
        baseline: base_name.to_string(),
        alpha: ALPHA,
        margin,
        groups: changes,
        unmatched,
        accepted,
    })
}

/// An experiment's summary: every run's row, and the statistics over seeds of its
/// completed runs (none when no run has completed).
pub fn summarise(
    experiment: &str,
    records: &[RunRecord],
    baseline: Option<&str>,
) -> Result<SummaryTable, StatsError> {
    let table = SummaryTable::from_records(experiment, records);
    match experiment_statistics(experiment, records, baseline) {
        Ok(stats) => Ok(table.with_statistics(stats)),
        Err(StatsError::NoRuns) => Ok(table),
        Err(e) => Err(e),
    }
}

mod transfer;

pub use transfer::{SettingRecords, transfer_table};

#[cfg(test)]
mod tests;
