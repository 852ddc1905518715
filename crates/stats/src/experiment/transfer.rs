//! The transfer table: each setting's statistics side by side, with the dead and
//! saturated units its runs counted.

use spec::RunRecord;
use spec::record::probe::UnitCensus;
use spec::record::stats::{ExperimentStatistics, Summary};
use spec::record::transfer::{SettingColumn, TransferRow, TransferTable, UnitsSummary};

use crate::inference::describe;

/// One setting's name, statistics and run records.
pub struct SettingRecords<'a> {
    /// The setting's name.
    pub name: &'a str,
    /// Its statistics over seeds (none while no run has completed).
    pub statistics: Option<&'a ExperimentStatistics>,
    /// Its runs' records.
    pub records: &'a [RunRecord],
}

/// The units of a group's completed runs, over seeds, when every one counted them at
/// initialisation and after its last epoch.
fn units(runs: &[&RunRecord]) -> Option<UnitsSummary> {
    let censuses: Vec<(&UnitCensus, &UnitCensus)> = runs
        .iter()
        .map(|r| Some((r.initial_units.as_ref()?, r.epochs.last()?.units.as_ref()?)))
        .collect::<Option<_>>()?;
    if censuses.is_empty() {
        return None;
    }
    // A share's interval is cut to [0, 100] % (Student's t knows no bounds: three seeds
    // at 0, 0 and 3 % would reach below 0).
    let percent = |f: fn(&UnitCensus) -> f64, end: bool| {
        let values: Vec<f64> = censuses
            .iter()
            .map(|(init, last)| 100.0 * f(if end { last } else { init }))
            .collect();
        bounded(describe(&values), 0.0, 100.0)
    };
    let deepest: Vec<f64> = censuses
        .iter()
        .map(|(init, _)| init.layers.last().map_or(0.0, |l| l.pre_activation_std))
        .collect();
    Some(UnitsSummary {
        dead_at_init: percent(UnitCensus::dead_fraction, false),
        dead_at_end: percent(UnitCensus::dead_fraction, true),
        saturated_at_init: percent(UnitCensus::saturated_fraction, false),
        saturated_at_end: percent(UnitCensus::saturated_fraction, true),
        deepest_std_at_init: bounded(describe(&deepest), 0.0, f64::INFINITY),
    })
}

/// `summary` with its interval cut to the values' possible range.
fn bounded(mut summary: Summary, low: f64, high: f64) -> Summary {
    summary.ci = summary.ci.map(|[lo, hi]| [lo.max(low), hi.min(high)]);
    summary
}

/// Every activation under every setting that has statistics, in the settings' order.
pub fn transfer_table(experiment: &str, settings: &[SettingRecords]) -> TransferTable {
    let columns = settings
        .iter()
        .filter_map(|setting| {
            let stats = setting.statistics?;
            let rows = stats
                .groups
                .iter()
                .map(|group| {
                    // The group's completed runs, as the statistics grouped them.
                    let runs: Vec<&RunRecord> = setting
                        .records
                        .iter()
                        .filter(|r| group.runs.contains(&r.run))
                        .collect();
                    TransferRow {
                        activation: group.name.clone(),
                        accuracy: group.accuracy.clone(),
                        vs_baseline: ExperimentStatistics::against(&stats.vs_baseline, &group.name)
                            .cloned(),
                        units: units(&runs),
                    }
                })
                .collect();
            Some(SettingColumn {
                name: setting.name.to_string(),
                baseline: stats.baseline.clone(),
                rows,
            })
        })
        .collect();
    TransferTable {
        experiment: experiment.to_string(),
        settings: columns,
    }
}
