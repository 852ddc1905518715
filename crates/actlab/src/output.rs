//! What an experiment folder shows, drawn from its runs' records: the summary (with the
//! statistics over seeds), the figures, the HTML report. `train` writes them when a
//! sweep ends, `merge` after shards, `report` and `plot` on demand; all through here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::Context;
use spec::artifact::{self, AnyArtifact};
use spec::record::search::Leaderboard;
use spec::record::transfer::TransferTable;
use spec::search::Search;
use spec::search::layout::StudyLayout;
use spec::{Experiment, ExperimentLayout, RunRecord, SummaryTable, fsio};
use stats::SettingRecords;
use viz::figures::{
    drawing_of, experiment_figure, leaderboard_figure, run_figure, statistics_figure,
    transfer_figure,
};
use viz::{Drawing, ExperimentReport, StudyReport};

use crate::context::print::utc;
use crate::context::saved::experiment_records;
use crate::context::write::write_drawing;
use crate::failure::{Failure, failed};

/// An experiment's summary: its runs' rows and their statistics over seeds, computed
/// from the records, against the baseline its config names (ReLU or the first when it
/// names none). While the baseline has no completed run (other shards still training),
/// the summary has no statistics yet, and says so on stderr.
pub fn experiment_summary(experiment: &Experiment, records: &[RunRecord]) -> SummaryTable {
    stats::summarise(experiment.name(), records, experiment.baseline()).unwrap_or_else(|e| {
        eprintln!("actlab: note: the summary has no statistics yet: {e}");
        SummaryTable::from_records(experiment.name(), records)
    })
}

/// Writes an experiment's figures: every run's training figure, the comparison of
/// every run, and, when some activation has several seeds, the statistics figure.
/// Returns the files written.
pub fn write_experiment_figures(
    layout: &ExperimentLayout,
    summary: &SummaryTable,
    records: &[RunRecord],
) -> Result<Vec<PathBuf>, Failure> {
    let mut written = Vec::new();
    for record in records.iter().filter(|r| !r.epochs.is_empty()) {
        let stem = layout.run(&record.run).training_figure();
        written.extend(write_drawing(run_figure(record), &stem)?);
    }
    written.extend(write_drawing(
        experiment_figure(&summary.experiment, records),
        &layout.comparison_figure(),
    )?);
    if let Some(stats) = summary.statistics.as_ref().filter(|s| s.has_spread()) {
        written.extend(write_drawing(
            statistics_figure(stats),
            &layout.statistics_figure(),
        )?);
    }
    Ok(written)
}

/// Writes the summary files and the figures of an experiment from its records, and
/// returns the summary.
pub fn write_summary_and_figures(
    experiment: &Experiment,
    records: &[RunRecord],
) -> Result<SummaryTable, Failure> {
    let layout = ExperimentLayout::new(experiment.dir());
    let table = experiment_summary(experiment, records);
    train::write_summary(&layout, &table)
        .with_context(|| format!("cannot write the summary into {}", layout.dir().display()))
        .map_err(failed)?;
    write_experiment_figures(&layout, &table, records)?;
    Ok(table)
}

/// Writes the transfer table of an experiment with settings (`settings.json` and
/// `settings.md`), from each setting's records, and returns it.
pub fn write_transfer(experiment: &Experiment) -> Result<TransferTable, Failure> {
    let mut gathered = Vec::new();
    for setting in experiment.settings() {
        let records = if ExperimentLayout::new(setting.dir()).config().is_file() {
            experiment_records(setting.dir())?.1
        } else {
            Vec::new()
        };
        let statistics =
            stats::experiment_statistics(setting.name(), &records, setting.baseline()).ok();
        gathered.push((setting.name(), statistics, records));
    }
    let settings: Vec<SettingRecords> = gathered
        .iter()
        .map(|(name, statistics, records)| SettingRecords {
            name,
            statistics: statistics.as_ref(),
            records,
        })
        .collect();
    let table = stats::transfer_table(experiment.name(), &settings);
    let layout = ExperimentLayout::new(experiment.dir());
    let written = artifact::write(&layout.transfer("json"), &table)
        .and_then(|()| fsio::write_atomic(&layout.transfer("md"), table.markdown().as_bytes()));
    written
        .with_context(|| {
            format!(
                "cannot write the transfer table into {}",
                layout.dir().display()
            )
        })
        .map_err(failed)?;
    write_drawing(
        transfer_figure(&table),
        &layout.dir().join("figures").join("settings"),
    )?;
    Ok(table)
}

/// The distinct values of `f` over the records, joined.
fn distinct(records: &[RunRecord], f: impl Fn(&RunRecord) -> String) -> String {
    let values: BTreeSet<String> = records.iter().map(f).collect();
    values.into_iter().collect::<Vec<_>>().join(", ")
}

/// When and by what a report was made.
fn made() -> Vec<(String, String)> {
    vec![
        ("Report made (UTC)".to_string(), utc(SystemTime::now())),
        (
            "by actlab".to_string(),
            format!(
                "{} ({})",
                env!("CARGO_PKG_VERSION"),
                env!("ACTLAB_GIT_COMMIT")
            ),
        ),
    ]
}

/// When and by what the report and its runs were made.
fn facts(records: &[RunRecord]) -> Vec<(String, String)> {
    let mut facts = made();
    if !records.is_empty() {
        facts.extend([
            (
                "Runs trained by actlab".to_string(),
                distinct(records, |r| {
                    format!("{} ({})", r.actlab_version, r.revision)
                }),
            ),
            (
                "Backend".to_string(),
                distinct(records, |r| r.device.clone()),
            ),
            (
                "Threads".to_string(),
                distinct(records, |r| r.threads.to_string()),
            ),
            (
                "Data".to_string(),
                distinct(records, |r| r.dataset.display().to_string()),
            ),
        ]);
    }
    facts
}

/// The figures of the probe reports saved in each run's probes folder.
fn probe_figures(layout: &ExperimentLayout, records: &[RunRecord]) -> Vec<(String, Drawing)> {
    let mut figures = Vec::new();
    for record in records {
        let folder = layout.run(&record.run).probes();
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        let mut files: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for file in files {
            // Reports only: a figure's own JSON beside its report draws the same picture.
            let drawing = match artifact::read_any(&file) {
                Ok(
                    report @ (AnyArtifact::DeadNeurons(_)
                    | AnyArtifact::Outputs(_)
                    | AnyArtifact::Gradients(_)),
                ) => drawing_of(report),
                _ => None,
            };
            if let Some(drawing) = drawing {
                let name = file.file_stem().map(|s| s.to_string_lossy().into_owned());
                figures.push((
                    format!("{}: {}", record.run, name.unwrap_or_default()),
                    drawing,
                ));
            }
        }
    }
    figures
}

/// Writes an experiment's HTML report (to `out`, or `index.html` in its folder);
/// returns the file and how many figures it shows.
pub fn write_report(
    experiment: &Experiment,
    records: &[RunRecord],
    out: Option<&Path>,
) -> Result<(PathBuf, usize), Failure> {
    let layout = ExperimentLayout::new(experiment.dir());
    let facts = facts(records);
    let probes = probe_figures(&layout, records);
    let config = experiment.file().to_toml();
    let summary = experiment_summary(experiment, records);
    let report = ExperimentReport {
        name: experiment.name(),
        summary: &summary,
        facts: &facts,
        records,
        probes: &probes,
        config: &config,
    };
    let file = out.map_or_else(|| layout.report(), |dir| dir.join(ExperimentLayout::REPORT));
    write_page(report.html(), &file)?;
    Ok((file, report.figure_count()))
}

/// Writes the HTML report of an experiment with settings (to `out`, or `index.html` in
/// its folder): the transfer table's tables, its figure and the config; returns the file.
pub fn write_transfer_report(
    experiment: &Experiment,
    table: &TransferTable,
    out: Option<&Path>,
) -> Result<PathBuf, Failure> {
    let layout = ExperimentLayout::new(experiment.dir());
    let facts = vec![
        ("settings".to_string(), table.settings.len().to_string()),
        ("activations".to_string(), table.activations().join(", ")),
        ("written".to_string(), utc(SystemTime::now())),
    ];
    let mut tables = vec![table.accuracy_table()];
    tables.extend(table.units_table());
    let html = Drawing::from(transfer_figure(table)).to_svg().map(|svg| {
        viz::report_html(
            &format!("actlab experiment {}", experiment.name()),
            &facts,
            &tables,
            &[(
                "Every activation under every setting (mean, 95 % CI over seeds)".to_string(),
                svg,
            )],
            (
                "As TOML that actlab train --config reads.",
                &experiment.file().to_toml(),
            ),
        )
    });
    let file = out.map_or_else(|| layout.report(), |dir| dir.join(ExperimentLayout::REPORT));
    write_page(html, &file)?;
    Ok(file)
}

/// Writes a report page drawn as `html`.
fn write_page(html: Result<String, viz::VizError>, file: &Path) -> Result<(), Failure> {
    let html = html.context("cannot draw a figure").map_err(failed)?;
    fsio::write_atomic(file, html.as_bytes())
        .with_context(|| format!("cannot write {}", file.display()))
        .map_err(failed)
}

/// Writes a study's HTML report (to `out`, or `index.html` in its folder): the
/// leaderboard's tables, its figures and its config; returns the file and how many
/// figures it shows.
pub fn write_study_report(
    search: &Search,
    board: &Leaderboard,
    out: Option<&Path>,
) -> Result<(PathBuf, usize), Failure> {
    let layout = StudyLayout::new(search.dir());
    let mut figures = vec![(
        "The last rung's candidates and baselines rung by rung, every first-rung candidate by rank (and an evolution's generations)".to_string(),
        Drawing::from(leaderboard_figure(board)),
    )];
    // The discovered functions were evaluated by the runs' own modules; the study saved
    // the figure's data, which draws it again without them.
    let discovered = layout.discovered_figure().with_extension("json");
    if let Ok(AnyArtifact::Figure(figure)) = artifact::read_any(&discovered) {
        figures.push((
            "The best functions and their slopes, at their learned scalars".to_string(),
            Drawing::from(figure),
        ));
    }
    let config = toml::to_string(search.file())
        .context("cannot write the study's config as TOML")
        .map_err(failed)?;
    let strategy = &search.file().strategy;
    let mut facts = made();
    facts.push((
        "Strategy".to_string(),
        match strategy.evolution() {
            Some(e) => format!(
                "evolution: {} trials, population {}, {} children per generation, tournaments of {}, seed {}",
                e.trials, e.population, e.children, e.sample, e.seed
            ),
            None => format!("{} (seed {})", strategy.kind, strategy.seed),
        },
    ));
    let report = StudyReport {
        name: search.name(),
        facts: &facts,
        board,
        figures,
        config: &config,
    };
    let file = out.map_or_else(|| layout.report(), |dir| dir.join(StudyLayout::REPORT));
    write_page(report.html(), &file)?;
    Ok((file, report.figures.len()))
}
