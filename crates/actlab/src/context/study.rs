//! A study folder as the commands read it: the study saved there, its leaderboard, the
//! learned scalars of its confirmation's runs, and where it stands.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, anyhow};
use search::{Generation, RungResults, evolution_log, first_rung_of, leaderboard, study_progress};
use spec::record::evolution::Birth;
use spec::record::search::{CandidateList, Confirmation, Leaderboard};
use spec::search::layout::StudyLayout;
use spec::search::{Search, SearchFile};
use spec::{Experiment, RunRecord, RunStatus, artifact};

use crate::context::runtime::Runtime;
use crate::context::saved::{experiment_records, learned_means};
use crate::failure::{Failure, input};
use crate::progress::human;

/// The candidates' fates in a line.
pub fn tally_line(search: &Search, list: &CandidateList) -> String {
    let (distinct, same, rejected) = list.tally();
    let refused: Vec<String> = rejected.iter().map(|(r, n)| format!("{n} {r}")).collect();
    format!(
        "{}: {} candidates: {distinct} distinct, {same} with the outputs of a simpler one, {} refused ({}); {}",
        search.name(),
        list.candidates.len(),
        rejected.values().sum::<usize>(),
        if refused.is_empty() {
            "none".into()
        } else {
            refused.join(", ")
        },
        match search.file().strategy.evolution() {
            Some(e) => format!(
                "generation 0 trains {} drawn at random, then {} generations breed {} more",
                list.selected.len(),
                e.generations() - 1,
                e.trials - e.population
            ),
            None => format!("the first rung trains {}", list.selected.len()),
        }
    )
}

/// Where the study stands as a stage starts: runs finished, epochs left, and the time
/// left at the epoch time measured so far.
pub fn progress_line(
    search: &Search,
    list: &CandidateList,
    done: &[(Vec<String>, Vec<RunRecord>)],
    starting: &Experiment,
    jobs: usize,
) -> String {
    let current = experiment_records(starting.dir())
        .map(|(_, r)| r)
        .unwrap_or_default();
    let mut held: Vec<&[RunRecord]> = done.iter().map(|(_, r)| r.as_slice()).collect();
    held.push(&current);
    let p = study_progress(search, list.selected.len(), &held);
    let left = match (p.seconds_left(jobs), p.seconds_per_epoch) {
        (Some(left), Some(each)) => format!(
            "; about {} left at --jobs {jobs} ({each:.1} s per epoch so far)",
            human(std::time::Duration::from_secs_f64(left))
        ),
        _ => String::new(),
    };
    format!(
        "study: {} of {} runs finished, {} epochs left{left}",
        p.runs_finished, p.runs_planned, p.epochs_left
    )
}

/// The study saved in `dir`, checked again and placed in `dir`.
pub fn saved_search(dir: &Path, flag: &str) -> Result<Search, Failure> {
    let path = StudyLayout::new(dir).config();
    if !path.is_file() {
        return Err(input(anyhow!(
            "{flag}{}: not a study folder (no {}); give the folder `actlab search` wrote, e.g. results/search-quick",
            dir.display(),
            StudyLayout::CONFIG
        )));
    }
    let file: SearchFile = artifact::read(&path)
        .with_context(|| format!("{flag}{} is not an actlab study", path.display()))
        .map_err(input)?;
    let search = file
        .check(&path.display().to_string())
        .with_context(|| format!("{flag}{} is not a usable study", path.display()))
        .map_err(input)?;
    Ok(search.at(dir.to_path_buf()))
}

/// The leaderboard saved in the study folder, if it reads.
pub fn saved_board(layout: &StudyLayout) -> Option<Leaderboard> {
    artifact::read(&layout.leaderboard("json")).ok()
}

/// Each completed candidate run's learned scalars (a parameter's mean over its units),
/// read from its last checkpoint, or kept from `saved` when the checkpoint is gone (a
/// committed study).
pub fn learned_runs(
    experiment: &Experiment,
    candidates: &[String],
    records: &[RunRecord],
    saved: Option<&Confirmation>,
    rt: &Runtime,
) -> Result<BTreeMap<String, BTreeMap<String, f64>>, Failure> {
    let mut learned = BTreeMap::new();
    let runs = records.iter().filter(|r| {
        r.status == RunStatus::Completed
            && candidates.iter().any(|c| c == r.network.activation_name())
    });
    for record in runs {
        let dir = experiment.dir().join(&record.run);
        let on_disk = record
            .checkpoint(None)
            .is_some_and(|c| dir.join(&c.path).is_file());
        if !on_disk {
            if let Some(kept) = saved.and_then(|c| c.learned_runs.get(&record.run)) {
                learned.insert(record.run.clone(), kept.clone());
            }
            continue;
        }
        let means = learned_means(&dir, &rt.device)?;
        learned.insert(record.run.clone(), means);
    }
    Ok(learned)
}

/// How many of the stages held are an evolution's generations.
fn generations_held(search: &Search, held: usize) -> usize {
    let generations = search
        .file()
        .strategy
        .evolution()
        .map_or(0, |e| e.generations());
    generations.min(held)
}

/// The generations among the stages held (`held[s]`: stage s's candidates and records).
pub fn generations<'a>(
    search: &Search,
    held: &'a [(Vec<String>, Vec<RunRecord>)],
) -> Vec<Generation<'a>> {
    held[..generations_held(search, held.len())]
        .iter()
        .map(|(names, records)| Generation { names, records })
        .collect()
}

/// The stages held as rungs: an evolution's generations joined into the first rung.
pub fn rung_results(
    search: &Search,
    held: &[(Vec<String>, Vec<RunRecord>)],
) -> Vec<(Vec<String>, Vec<RunRecord>)> {
    let generations = generations_held(search, held.len());
    if generations == 0 {
        return held.to_vec();
    }
    let mut rungs = vec![first_rung_of(&held[..generations])];
    rungs.extend(held[generations..].iter().cloned());
    rungs
}

/// The leaderboard of the stages held so far (`held[s]`: stage s's candidates and
/// records), with an evolution's `births`.
pub fn board_of(
    search: &Search,
    list: &CandidateList,
    held: &[(Vec<String>, Vec<RunRecord>)],
    births: &[Birth],
) -> Leaderboard {
    let rungs = rung_results(search, held);
    let results: Vec<RungResults> = rungs
        .iter()
        .map(|(names, records)| RungResults {
            candidates: Some(names.clone()),
            records,
        })
        .collect();
    let mut board = leaderboard(search, list, &results);
    board.evolution = evolution_log(search, births, &generations(search, held));
    board
}
