//! One self-contained HTML page per experiment (the summary's tables, every figure as
//! inline SVG, and the resolved config) or per study (the leaderboard's tables, its
//! figures, its config). No external file, script or font: it opens offline, and
//! survives being mailed around.

use spec::record::search::Leaderboard;
use spec::record::table::TextTable;
use spec::{RunRecord, SummaryTable};

use crate::figures::{experiment_figure, run_figure, statistics_figure};
use crate::{Drawing, VizError};

/// What an experiment's report shows: its name, facts about it, its summary, its runs'
/// records (in run order), the figures of its runs' probe reports, and its config.
pub struct ExperimentReport<'a> {
    /// The experiment's name.
    pub name: &'a str,
    /// Its summary: every run, and the statistics over seeds.
    pub summary: &'a SummaryTable,
    /// (label, value) lines above the table: when the report was made, by which actlab,
    /// where and how the runs trained.
    pub facts: &'a [(String, String)],
    /// Its runs' records.
    pub records: &'a [RunRecord],
    /// Figures of the probe reports made for its runs, with their captions.
    pub probes: &'a [(String, Drawing)],
    /// The config as TOML that `--config` reads, shown verbatim.
    pub config: &'a str,
}

impl ExperimentReport<'_> {
    /// The page: the summary's tables, the statistics figure (with several seeds), the
    /// experiment's figure and every run's, the probes', the config.
    pub fn html(&self) -> Result<String, VizError> {
        let mut figures = Vec::new();
        if let Some(stats) = self.spread() {
            figures.push((
                format!(
                    "Over seeds: each activation's difference from {} (Welch 95 % CI), every seed's final accuracy, and the mean accuracy per epoch with its 95 % CI",
                    stats.baseline
                ),
                Drawing::from(statistics_figure(stats)).to_svg()?,
            ));
        }
        figures.push((
            "Every run: test accuracy and training loss per epoch".to_string(),
            Drawing::from(experiment_figure(self.name, self.records)).to_svg()?,
        ));
        for record in self.records.iter().filter(|r| !r.epochs.is_empty()) {
            figures.push((
                format!("{}: loss and accuracy per epoch", record.run),
                Drawing::from(run_figure(record)).to_svg()?,
            ));
        }
        for (caption, drawing) in self.probes {
            figures.push((caption.clone(), drawing.to_svg()?));
        }
        Ok(report_html(
            &format!("actlab experiment {}", self.name),
            self.facts,
            &self.summary.tables(),
            &figures,
            ("As TOML that actlab train --config reads.", self.config),
        ))
    }

    fn spread(&self) -> Option<&spec::record::stats::ExperimentStatistics> {
        self.summary.statistics.as_ref().filter(|s| s.has_spread())
    }

    /// Figures in the page (the statistics', the experiment's, one per run with epochs,
    /// the probes').
    pub fn figure_count(&self) -> usize {
        usize::from(self.spread().is_some())
            + 1
            + self.records.iter().filter(|r| !r.epochs.is_empty()).count()
            + self.probes.len()
    }
}

/// Escapes text for HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An SVG document as an inline element: the XML declaration dropped.
fn inline_svg(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(start) => &svg[start..],
        None => svg,
    }
}

/// What a study's report shows: its name, facts about it, its leaderboard (every
/// table), its figures and its config.
pub struct StudyReport<'a> {
    /// The study's name.
    pub name: &'a str,
    /// (label, value) lines above the tables.
    pub facts: &'a [(String, String)],
    /// Its leaderboard.
    pub board: &'a Leaderboard,
    /// Figures the study drew, as (caption, drawing).
    pub figures: Vec<(String, Drawing)>,
    /// The study's config as TOML that `actlab search` reads.
    pub config: &'a str,
}

impl StudyReport<'_> {
    /// The page: the headline, the leaderboard's tables, the figures, the config.
    pub fn html(&self) -> Result<String, VizError> {
        let figures = self
            .figures
            .iter()
            .map(|(caption, drawing)| Ok((caption.clone(), drawing.to_svg()?)))
            .collect::<Result<Vec<_>, VizError>>()?;
        let mut facts = self.facts.to_vec();
        facts.push(("standing".into(), self.board.headline()));
        Ok(report_html(
            &format!("actlab study {}", self.name),
            &facts,
            &self.board.tables(),
            &figures,
            ("As TOML that actlab search reads.", self.config),
        ))
    }
}

/// The page: `title`, `facts` as label and value lines, the tables with their titles
/// and notes, the figures (caption, SVG text) in order, and the config (a note on how
/// to use it, its text shown verbatim).
pub fn report_html(
    title: &str,
    facts: &[(String, String)],
    tables: &[TextTable],
    figures: &[(String, String)],
    (config_note, config): (&str, &str),
) -> String {
    let mut html = String::new();
    html.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str(&format!("<title>{}</title>\n", escape(title)));
    html.push_str(
        "<style>\n\
         body { font-family: 'DejaVu Sans', Verdana, sans-serif; margin: 2em auto; max-width: 1300px; color: #222; }\n\
         h1 { font-weight: normal; } h2 { font-weight: normal; border-bottom: 1px solid #ddd; }\n\
         table { border-collapse: collapse; margin: 1em 0; }\n\
         th, td { padding: 4px 12px; border-bottom: 1px solid #e5e5e5; }\n\
         td.num { text-align: right; font-variant-numeric: tabular-nums; }\n\
         figure { margin: 1.5em 0; } figcaption { color: #555; margin-bottom: 0.4em; }\n\
         svg { max-width: 100%; height: auto; }\n\
         pre { background: #f6f6f6; padding: 1em; overflow-x: auto; font-size: 12px; }\n\
         dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; color: #444; }\n\
         dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; }\n\
         p.note { color: #555; font-size: 13px; max-width: 60em; }\n\
         </style>\n</head>\n<body>\n",
    );
    html.push_str(&format!("<h1>{}</h1>\n", escape(title)));
    if !facts.is_empty() {
        html.push_str("<dl class=\"facts\">\n");
        for (label, value) in facts {
            html.push_str(&format!(
                "<dt>{}</dt><dd>{}</dd>\n",
                escape(label),
                escape(value)
            ));
        }
        html.push_str("</dl>\n");
    }
    for table in tables {
        html.push_str(&table_html(table));
    }
    html.push_str("<h2>Figures</h2>\n");
    for (caption, svg) in figures {
        html.push_str(&format!(
            "<figure>\n<figcaption>{}</figcaption>\n{}\n</figure>\n",
            escape(caption),
            inline_svg(svg)
        ));
    }
    html.push_str(&format!(
        "<h2>Config</h2>\n<p>{}</p>\n<pre>{}</pre>\n</body>\n</html>\n",
        escape(config_note),
        escape(config)
    ));
    html
}

/// A table under its heading, numbers right-aligned, notes below.
fn table_html(table: &TextTable) -> String {
    let mut html = format!("<h2>{}</h2>\n<table>\n<tr>", escape(&table.title));
    for h in &table.header {
        html.push_str(&format!("<th>{}</th>", escape(h)));
    }
    html.push_str("</tr>\n");
    for row in &table.rows {
        html.push_str("<tr>");
        for (cell, &numeric) in row.iter().zip(&table.numeric) {
            let class = if numeric { " class=\"num\"" } else { "" };
            // A markdown code span (a formula) as code, its escaped bars as bars.
            let text = match cell.strip_prefix('`').and_then(|c| c.strip_suffix('`')) {
                Some(code) => format!("<code>{}</code>", escape(&code.replace("\\|", "|"))),
                None => escape(cell),
            };
            html.push_str(&format!("<td{class}>{text}</td>"));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
    for note in &table.notes {
        html.push_str(&format!("<p class=\"note\">{}</p>\n", escape(note)));
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_is_self_contained_and_escapes_text() {
        let mut table = TextTable::new("Runs", &[("Model", false), ("Accuracy (%)", true)]);
        table
            .rows
            .push(vec!["SimpleNetwork-ReLU".into(), "82.00".into()]);
        table.notes.push("p < 0.05".into());
        let html = report_html(
            "exp <1>",
            &[("actlab".into(), "0.1.0 <dev>".into())],
            &[table],
            &[(
                "curves".into(),
                "<?xml version=\"1.0\"?>\n<svg width=\"10\"></svg>".into(),
            )],
            ("As TOML.", "{\"a\": \"<b>\"}"),
        );
        assert!(html.contains("<title>exp &lt;1&gt;</title>"));
        assert!(html.contains("<td class=\"num\">82.00</td>"));
        assert!(
            html.contains("<h2>Runs</h2>") && html.contains("<p class=\"note\">p &lt; 0.05</p>")
        );
        assert!(html.contains("<svg width=\"10\"></svg>") && !html.contains("<?xml"));
        assert!(html.contains("&quot;&lt;b&gt;&quot;"));
        assert!(html.contains("<dt>actlab</dt><dd>0.1.0 &lt;dev&gt;</dd>"));
        assert!(!html.contains("src=") && !html.contains("<link") && !html.contains("<script"));
    }
}
