//! Statistics over seeds. One run is an anecdote: an experiment's runs are grouped by
//! configuration, each group summarised (mean, spread, Student t interval), and compared
//! with a baseline and with the best group (Welch's test, Holm's correction, the
//! probability of improvement with a seeded bootstrap interval, Hedges' g). Reads `spec`'s
//! run records and returns its statistics records; nothing here prints.

#![warn(missing_docs)]

mod experiment;
mod inference;

pub use experiment::{
    ALPHA, BOOTSTRAP_SEED, MIN_RUNS_FOR_TESTS, RESAMPLES, SettingRecords, StatsError,
    compare_experiments, experiment_statistics, group_name, planned_comparisons, summarise,
    transfer_table,
};
pub use inference::{
    CONFIDENCE, Welch, bootstrap_improvement, describe, hedges_g, holm, probability_of_improvement,
    welch, welch_worse_by,
};
