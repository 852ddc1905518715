//! Statistics over an experiment's seeds: per group (one activation, all its seeds) the
//! spread of the final test accuracy and loss and of the accuracy per epoch, and every
//! group compared with a baseline and with the best group. Computed from the run records
//! alone, deterministically (the bootstrap's seed is recorded).

use serde::{Deserialize, Serialize};

/// Summary statistics of a group's values. Spread and interval need n >= 2.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of values (runs).
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n - 1 in the denominator).
    pub sd: Option<f64>,
    /// 95 % confidence interval of the mean, Student t with n - 1 degrees of freedom.
    pub ci: Option<[f64; 2]>,
    /// Median.
    pub median: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

/// A group's mean test accuracy after one epoch, with its interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// 1-based epoch.
    pub epoch: usize,
    /// Runs that reached it.
    pub n: usize,
    /// Mean test accuracy, percent.
    pub mean: f64,
    /// 95 % confidence interval of the mean (n >= 2).
    pub ci: Option<[f64; 2]>,
}

/// One group: the runs of one configuration (activation, scope, layer kind) over seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupStats {
    /// The group's name (its activation).
    pub name: String,
    /// Its runs, in seed order.
    pub runs: Vec<String>,
    /// Final test accuracy, percent.
    pub accuracy: Summary,
    /// Final test loss.
    pub test_loss: Summary,
    /// Test accuracy per epoch.
    pub curve: Vec<CurvePoint>,
    /// Each run's final test accuracy, percent, in `runs` order.
    pub finals: Vec<f64>,
}

/// One group's final test accuracy against another's. The tests need n >= 3 in both
/// groups; with fewer, only the difference of means is given.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The group compared.
    pub group: String,
    /// The group it is compared with.
    pub against: String,
    /// Mean of `group` minus mean of `against`, percentage points.
    pub difference: f64,
    /// Welch 95 % confidence interval of the difference.
    pub ci: Option<[f64; 2]>,
    /// Welch's t statistic.
    pub t: Option<f64>,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: Option<f64>,
    /// Two-sided p-value of Welch's t-test.
    pub p: Option<f64>,
    /// Holm-adjusted p-value over the comparisons of its table.
    pub p_holm: Option<f64>,
    /// Probability of improvement, P(X > Y) over pairs of runs (ties count one half), as
    /// rliable defines it.
    pub improvement: Option<f64>,
    /// Percentile bootstrap 95 % interval of the probability of improvement.
    pub improvement_ci: Option<[f64; 2]>,
    /// Hedges' g: the difference in pooled standard deviations, small-sample corrected.
    pub hedges_g: Option<f64>,
    /// Whether the difference is significant at the table's alpha after Holm's correction.
    pub distinguishable: bool,
}

/// The statistics of one experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExperimentStatistics {
    /// Experiment name.
    pub experiment: String,
    /// Significance level of the marks (after correction).
    pub alpha: f64,
    /// The baseline group.
    pub baseline: String,
    /// The group with the best mean final test accuracy.
    pub best: String,
    /// Seed of the bootstrap's random stream.
    pub bootstrap_seed: u64,
    /// Bootstrap resamples per interval.
    pub bootstrap_resamples: usize,
    /// The smallest number of runs a group needs for its comparisons to be tested.
    pub min_runs_for_tests: usize,
    /// Every group, in the experiment's order.
    pub groups: Vec<GroupStats>,
    /// Every other group against the baseline.
    pub vs_baseline: Vec<Comparison>,
    /// Every other group against the best.
    pub vs_best: Vec<Comparison>,
    /// The test accuracy of guessing, percent (100 over the number of classes).
    #[serde(default = "ten_classes")]
    pub chance_percent: f64,
}

/// Chance on FashionMNIST, for summaries written before they said it.
fn ten_classes() -> f64 {
    10.0
}

/// Points of test accuracy within which a run counts as near chance: it did not train.
pub const NEAR_CHANCE_POINTS: f64 = 5.0;
/// Points of test accuracy gained in the last epoch from which a group counts as still
/// learning fast: its final accuracy says how fast it learns more than how well.
pub const STILL_LEARNING_POINTS: f64 = 1.0;

/// Why a group's numbers may say less than they seem to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Caution {
    /// `runs` of its `of` runs ended near chance: they did not train.
    NearChance {
        /// Runs near chance.
        runs: usize,
        /// Runs in the group.
        of: usize,
    },
    /// Its mean test accuracy rose by `gain` points in the last epoch.
    StillLearning {
        /// Points gained in the last epoch.
        gain: f64,
    },
}

/// One group of a new experiment against the same group of a baseline experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupChange {
    /// The new experiment's final test accuracy in this group.
    pub new: Summary,
    /// The baseline experiment's.
    pub baseline: Summary,
    /// The comparison, new against baseline (Holm over the groups of the two).
    pub comparison: Comparison,
    /// One-sided p-value of "the new group is worse by more than the margin".
    pub p_worse: Option<f64>,
    /// Its Holm adjustment over the groups compared.
    pub p_worse_holm: Option<f64>,
    /// Worse by more than the margin, significantly after correction.
    pub regressed: bool,
}

/// Two experiments compared group by group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExperimentComparison {
    /// The new experiment's folder name.
    pub new: String,
    /// The baseline experiment's.
    pub baseline: String,
    /// Significance level after correction.
    pub alpha: f64,
    /// Percentage points of accuracy a group may lose before it counts as regressed.
    pub margin: f64,
    /// Groups in both, in the new experiment's order.
    pub groups: Vec<GroupChange>,
    /// Groups in only one of the two.
    pub unmatched: Vec<String>,
    /// Settings in which the two experiments' runs differ, compared anyway because the
    /// user accepted them by name (`compare --accept FIELD`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<SettingDifference>,
}

/// A setting in which the runs of two experiments differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingDifference {
    /// The field, as a dotted path of the run record (`train.lr`, `network.hidden`).
    pub field: String,
    /// Its value in the new experiment's runs.
    pub new: String,
    /// Its value in the baseline's.
    pub baseline: String,
}

impl GroupChange {
    /// What happened to the group, in words.
    pub fn verdict(&self) -> &'static str {
        match self.comparison.verdict() {
            _ if self.regressed => "regressed",
            "better" => "improved",
            "worse" => "worse, within the margin",
            other => other,
        }
    }
}

impl ExperimentComparison {
    /// Whether any group had enough runs on both sides to be tested for a regression.
    pub fn tested_any(&self) -> bool {
        self.groups.iter().any(|g| g.p_worse.is_some())
    }

    /// The groups that regressed.
    pub fn regressions(&self) -> Vec<&str> {
        self.groups
            .iter()
            .filter(|g| g.regressed)
            .map(|g| g.comparison.group.as_str())
            .collect()
    }
}

impl Comparison {
    /// How the group stands against the one it is compared with, in words.
    pub fn verdict(&self) -> &'static str {
        match self.p_holm {
            None => "not tested (n < 3)",
            Some(_) if !self.distinguishable => "within noise",
            Some(_) if self.difference > 0.0 => "better",
            Some(_) => "worse",
        }
    }
}

impl ExperimentStatistics {
    /// Groups by mean final test accuracy, best first.
    pub fn ranked(&self) -> Vec<&GroupStats> {
        let mut groups: Vec<&GroupStats> = self.groups.iter().collect();
        groups.sort_by(|a, b| b.accuracy.mean.total_cmp(&a.accuracy.mean));
        groups
    }

    /// Whether any group has several runs: with one run each there is no spread to show.
    pub fn has_spread(&self) -> bool {
        self.groups.iter().any(|g| g.accuracy.n > 1)
    }

    /// The comparison of `group` in `table`, if it has one.
    pub fn against<'a>(table: &'a [Comparison], group: &str) -> Option<&'a Comparison> {
        table.iter().find(|c| c.group == group)
    }

    /// How `group` stands against the baseline, in words.
    pub fn verdict_vs_baseline(&self, group: &str) -> &'static str {
        if group == self.baseline {
            return "baseline";
        }
        Self::against(&self.vs_baseline, group).map_or("-", Comparison::verdict)
    }

    /// How `group` stands against the best group, in words.
    pub fn verdict_vs_best(&self, group: &str) -> &'static str {
        if group == self.best {
            return "best";
        }
        Self::against(&self.vs_best, group).map_or("-", Comparison::verdict)
    }

    /// What to be careful of in `group`'s numbers: runs that ended near chance, a mean
    /// still rising fast at the last epoch.
    pub fn cautions(&self, group: &GroupStats) -> Vec<Caution> {
        let mut found = Vec::new();
        let near = group
            .finals
            .iter()
            .filter(|&&a| a <= self.chance_percent + NEAR_CHANCE_POINTS)
            .count();
        if near > 0 {
            found.push(Caution::NearChance {
                runs: near,
                of: group.finals.len(),
            });
        }
        if let [.., before, last] = group.curve.as_slice() {
            let gain = last.mean - before.mean;
            if gain >= STILL_LEARNING_POINTS {
                found.push(Caution::StillLearning { gain });
            }
        }
        found
    }

    /// `group`'s name with a mark per caution (`¹` near chance, `²` still learning).
    pub(crate) fn marked(&self, group: &GroupStats) -> String {
        let mut name = group.name.clone();
        for caution in self.cautions(group) {
            name.push(match caution {
                Caution::NearChance { .. } => '¹',
                Caution::StillLearning { .. } => '²',
            });
        }
        name
    }

    /// The notes that explain the marks of [`Self::marked`], for the groups that have
    /// them.
    pub(crate) fn caution_notes(&self) -> Vec<String> {
        let mut near = Vec::new();
        let mut learning = Vec::new();
        for g in &self.groups {
            for caution in self.cautions(g) {
                match caution {
                    Caution::NearChance { runs, of } => {
                        near.push(format!("{} ({runs} of {of})", g.name));
                    }
                    Caution::StillLearning { gain } => {
                        learning.push(format!("{} (+{gain:.1})", g.name));
                    }
                }
            }
        }
        let mut notes = Vec::new();
        if !near.is_empty() {
            notes.push(format!(
                "¹ Runs that ended within {NEAR_CHANCE_POINTS} points of chance ({} %) did not train: {}. A verdict about them is about these settings, not the activation; a larger learning rate (--lr 0.01 --momentum 0.9) or more epochs may train them.",
                self.chance_percent,
                near.join(", ")
            ));
        }
        if !learning.is_empty() {
            notes.push(format!(
                "² Still learning fast, {STILL_LEARNING_POINTS} point or more of mean test accuracy gained in the last epoch: {}. Their final accuracy ranks how fast they learn more than how well; train more epochs to compare what they reach.",
                learning.join(", ")
            ));
        }
        notes
    }

    /// Whether some group has too few runs for its comparisons to be tested.
    pub(crate) fn some_untested(&self) -> bool {
        self.groups
            .iter()
            .any(|g| g.accuracy.n < self.min_runs_for_tests)
    }
}
