//! The transfer table of an experiment with settings (`settings.json`, `settings.md`):
//! every activation under every setting, with its interval and its verdict against the
//! setting's baseline, and, where the runs counted them, the dead and saturated units.

use serde::{Deserialize, Serialize};

use crate::record::stats::{Comparison, Summary};
use crate::record::table::TextTable;

/// Dead and saturated units of one activation under one setting, over its seeds: each a
/// percentage of the network's hidden units (or, for the pre-activations, the deepest
/// hidden layer's standard deviation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitsSummary {
    /// Dead units at initialisation, % of hidden units.
    pub dead_at_init: Summary,
    /// Dead units after the last epoch, %.
    pub dead_at_end: Summary,
    /// Saturated units at initialisation, %.
    pub saturated_at_init: Summary,
    /// Saturated units after the last epoch, %.
    pub saturated_at_end: Summary,
    /// The deepest hidden layer's pre-activation standard deviation at initialisation
    /// (about 1 where the signal keeps its scale through the layers).
    pub deepest_std_at_init: Summary,
}

/// One activation under one setting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TransferRow {
    /// The activation's group name (as in the setting's summary).
    pub activation: String,
    /// Final test accuracy over the seeds, %.
    pub accuracy: Summary,
    /// Against the setting's baseline (none for the baseline itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vs_baseline: Option<Comparison>,
    /// Dead and saturated units, when every run of the group counted them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<UnitsSummary>,
}

/// One setting's column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingColumn {
    /// The setting's name (its folder).
    pub name: String,
    /// The activation every other is compared with under it.
    pub baseline: String,
    /// Its activations, in the experiment's order.
    pub rows: Vec<TransferRow>,
}

/// Every activation under every setting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TransferTable {
    /// The experiment's name.
    pub experiment: String,
    /// One per setting with completed runs, in the order written.
    pub settings: Vec<SettingColumn>,
}

/// `mean [lo, hi]` with `digits` decimals, or the mean alone without an interval.
fn mean_ci(s: &Summary, digits: usize) -> String {
    match s.ci {
        Some([lo, hi]) => format!("{:.digits$} [{lo:.digits$}, {hi:.digits$}]", s.mean),
        None => format!("{:.digits$}", s.mean),
    }
}

impl TransferTable {
    /// The activations, in the order they first appear.
    pub fn activations(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for row in self.settings.iter().flat_map(|s| &s.rows) {
            if !names.contains(&row.activation.as_str()) {
                names.push(&row.activation);
            }
        }
        names
    }

    /// Activation × setting: accuracy with its interval and the verdict against the
    /// setting's baseline.
    pub fn accuracy_table(&self) -> TextTable {
        let mut columns = vec![("activation", false)];
        columns.extend(self.settings.iter().map(|s| (s.name.as_str(), true)));
        let mut table = TextTable::new(
            format!("{}: accuracy by setting", self.experiment),
            &columns,
        );
        for name in self.activations() {
            let mut row = vec![name.to_string()];
            for setting in &self.settings {
                row.push(match setting.rows.iter().find(|r| r.activation == name) {
                    None => "-".into(),
                    Some(r) => {
                        let verdict = match &r.vs_baseline {
                            None => "baseline",
                            Some(c) => c.verdict(),
                        };
                        format!("{} {verdict}", mean_ci(&r.accuracy, 2))
                    }
                });
            }
            table.rows.push(row);
        }
        table.notes.push(
            "Final test accuracy %, mean [95 % CI] over seeds, and the verdict against the setting's baseline (Welch's t test, Holm-corrected within the setting).".into(),
        );
        table
    }

    /// Setting × activation: dead and saturated units at initialisation and after the
    /// last epoch, when the runs counted them (`[train] dead_units`).
    pub fn units_table(&self) -> Option<TextTable> {
        let mut table = TextTable::new(
            format!("{}: dead and saturated units", self.experiment),
            &[
                ("setting", false),
                ("activation", false),
                ("n", true),
                ("dead % at init", true),
                ("dead % after", true),
                ("saturated % at init", true),
                ("saturated % after", true),
                ("deepest pre-activation std at init", true),
                ("accuracy %", true),
            ],
        );
        for setting in &self.settings {
            for row in &setting.rows {
                let Some(u) = &row.units else { continue };
                table.rows.push(vec![
                    setting.name.clone(),
                    row.activation.clone(),
                    row.accuracy.n.to_string(),
                    mean_ci(&u.dead_at_init, 1),
                    mean_ci(&u.dead_at_end, 1),
                    mean_ci(&u.saturated_at_init, 1),
                    mean_ci(&u.saturated_at_end, 1),
                    mean_ci(&u.deepest_std_at_init, 2),
                    mean_ci(&row.accuracy, 2),
                ]);
            }
        }
        table.notes.push(
            "Per run, the share of all hidden units that output exactly 0 on every training image (dead) or whose |f'(z)| stays below 0.01 on every one (saturated), at initialisation and after the last epoch; mean [95 % CI] over the n seeds whose runs completed (a run that diverged has no last epoch to count).".into(),
        );
        (!table.rows.is_empty()).then_some(table)
    }

    /// `settings.md`: the tables as markdown.
    pub fn markdown(&self) -> String {
        let mut out = format!("# {}\n\n", self.experiment);
        out.push_str(&self.accuracy_table().section());
        if let Some(units) = self.units_table() {
            out.push('\n');
            out.push_str(&units.section());
        }
        out
    }
}
