//! The confirmation's decisions, from records only: which candidates it retrains (the
//! best of the last rung) and what their runs say against each activation they must
//! beat.

use std::collections::BTreeMap;

use spec::record::search::{CandidateList, ConfirmGroup, Confirmation, Leaderboard};
use spec::search::Search;
use spec::{RunRecord, RunStatus};

use crate::study::formula_of;

/// The `top` best candidates of the last rung, best first: those whose every run there
/// completed. Empty until the last rung has finished.
pub fn confirm_candidates(board: &Leaderboard, top: usize) -> Vec<String> {
    let last = board.rungs.len();
    if !board.complete {
        return Vec::new();
    }
    board
        .rows
        .iter()
        .filter(|r| !r.baseline && r.rung == last && r.accuracy.is_some())
        .take(top)
        .map(|r| r.name.clone())
        .collect()
}

/// The confirmation of `candidates` from the `confirm/` experiment's `records`, or
/// `None` when the study has no confirmation. `learned_runs` holds each finished
/// candidate run's learned scalars, by run name.
pub fn confirmation(
    search: &Search,
    list: &CandidateList,
    candidates: &[String],
    records: &[RunRecord],
    learned_runs: BTreeMap<String, BTreeMap<String, f64>>,
) -> Option<Confirmation> {
    let confirm = search.confirm()?;
    let statistics =
        stats::experiment_statistics("confirm", records, confirm.against.first().map(|s| &**s))
            .ok();
    let groups = candidates
        .iter()
        .map(|c| (c, true))
        .chain(confirm.against.iter().map(|a| (a, false)))
        .map(|(name, candidate)| {
            let runs = records
                .iter()
                .filter(|r| r.network.activation_name().eq_ignore_ascii_case(name));
            let diverged = runs
                .clone()
                .filter(|r| matches!(r.status, RunStatus::Diverged(_)))
                .count();
            let accuracy = statistics.as_ref().and_then(|s| {
                s.groups
                    .iter()
                    .find(|g| g.name.eq_ignore_ascii_case(name))
                    .map(|g| g.accuracy.clone())
            });
            let mut by_param: BTreeMap<String, Vec<f64>> = BTreeMap::new();
            for run in runs.filter(|r| r.status == RunStatus::Completed) {
                for (param, value) in learned_runs.get(&run.run).into_iter().flatten() {
                    by_param.entry(param.clone()).or_default().push(*value);
                }
            }
            ConfirmGroup {
                name: name.clone(),
                formula: formula_of(list, name).0,
                candidate,
                accuracy,
                diverged,
                learned: by_param
                    .into_iter()
                    .map(|(k, v)| (k, stats::describe(&v)))
                    .collect(),
            }
        })
        .collect();
    let pairs: Vec<(String, String)> = candidates
        .iter()
        .flat_map(|c| confirm.against.iter().map(move |a| (c.clone(), a.clone())))
        .collect();
    let comparisons = statistics
        .as_ref()
        .map(|s| stats::planned_comparisons(s, &pairs))
        .unwrap_or_default();
    Some(Confirmation {
        train: search.file().confirm_train(confirm),
        seeds: confirm.seeds.len(),
        planned: (candidates.len() + confirm.against.len()) * confirm.seeds.len(),
        finished: records.iter().filter(|r| r.is_finished()).count(),
        against: confirm.against.clone(),
        alpha: stats::ALPHA,
        groups,
        comparisons,
        learned_runs,
    })
}
