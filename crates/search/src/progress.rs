//! How far a study has come and how long it has left: each stage's planned runs (from
//! the config and the first rung's pick alone, as a Slurm script needs them before any
//! stage has run), the epochs its records hold, and the time per epoch they measured.

use spec::RunRecord;
use spec::search::Search;

/// Runs each stage plans: the first rung's `selected` candidates and the baselines (an
/// evolution's generations: the first `selected` with the baselines, then each one's
/// children), then at most the previous rung's `promote` best with the baselines, then
/// the confirmation's; times the stage's seeds. Fewer when candidates diverge.
pub fn stage_runs(search: &Search, selected: usize) -> Vec<usize> {
    stage_plan(search, selected).iter().map(|s| s.0).collect()
}

/// Each stage's planned runs and epochs per run.
fn stage_plan(search: &Search, selected: usize) -> Vec<(usize, usize)> {
    let baselines = search.file().baselines.len();
    let mut candidates = selected;
    let mut plan = Vec::new();
    let mut rungs = search.rungs();
    if let Some(evolution) = search.file().strategy.evolution() {
        let first = &rungs[0];
        for g in 0..evolution.generations() {
            let size = if g == 0 { selected } else { evolution.size(g) };
            let runs = (size + if g == 0 { baselines } else { 0 }) * first.seeds.len();
            plan.push((runs, first.epochs));
            if g > 0 {
                candidates += size;
            }
        }
        candidates = first.promote.map_or(candidates, |p| p.min(candidates));
        rungs = &rungs[1..];
    }
    for rung in rungs {
        plan.push(((candidates + baselines) * rung.seeds.len(), rung.epochs));
        candidates = rung.promote.map_or(candidates, |p| p.min(candidates));
    }
    if let Some(c) = search.confirm() {
        let runs = (c.top.min(candidates) + c.against.len()) * c.seeds.len();
        plan.push((runs, c.epochs));
    }
    plan
}

/// Where a study stands.
#[derive(Clone, Debug, PartialEq)]
pub struct StudyProgress {
    /// Runs finished in every stage.
    pub runs_finished: usize,
    /// Runs planned in every stage.
    pub runs_planned: usize,
    /// Epochs planned and not yet recorded.
    pub epochs_left: usize,
    /// Mean seconds per recorded epoch (training and evaluation), once one is recorded.
    pub seconds_per_epoch: Option<f64>,
}

impl StudyProgress {
    /// The time left with `jobs` runs at once, in seconds, once an epoch has been timed.
    pub fn seconds_left(&self, jobs: usize) -> Option<f64> {
        self.seconds_per_epoch
            .map(|s| s * self.epochs_left as f64 / jobs.max(1) as f64)
    }
}

/// The study's progress from the records of the stages held so far (`held[s]`: stage
/// `s`'s records).
pub fn study_progress(search: &Search, selected: usize, held: &[&[RunRecord]]) -> StudyProgress {
    let plan = stage_plan(search, selected);
    let mut finished = 0;
    let mut epochs_left = 0;
    let (mut seconds, mut timed) = (0.0, 0usize);
    for (s, (runs, epochs)) in plan.iter().enumerate() {
        let records = held.get(s).copied().unwrap_or_default();
        let recorded: usize = records.iter().map(|r| r.epochs.len().min(*epochs)).sum();
        // A diverged run is finished with fewer epochs: none are left of it.
        let stopped: usize = records
            .iter()
            .filter(|r| r.is_finished())
            .map(|r| epochs - r.epochs.len().min(*epochs))
            .sum();
        epochs_left += (runs * epochs).saturating_sub(recorded + stopped);
        finished += records.iter().filter(|r| r.is_finished()).count();
        for e in records.iter().flat_map(|r| &r.epochs) {
            seconds += e.train_seconds + e.eval_seconds;
            timed += 1;
        }
    }
    StudyProgress {
        runs_finished: finished,
        runs_planned: plan.iter().map(|p| p.0).sum(),
        epochs_left,
        seconds_per_epoch: (timed > 0).then(|| seconds / timed as f64),
    }
}
