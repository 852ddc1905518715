//! A table of formatted cells with its title and notes: what `summary.md`, the terminal
//! and the HTML report show, formatted once.

use std::fmt::Write as _;

/// One table, its cells already formatted.
#[derive(Clone, Debug, PartialEq)]
pub struct TextTable {
    /// Heading above the table.
    pub title: String,
    /// Column names.
    pub header: Vec<String>,
    /// Whether each column holds numbers (right-aligned).
    pub numeric: Vec<bool>,
    /// Rows of cells, one per column.
    pub rows: Vec<Vec<String>>,
    /// Sentences under the table: what the columns mean, what was not tested.
    pub notes: Vec<String>,
}

impl TextTable {
    /// A table with the given columns (`(name, numeric)`), no rows and no notes yet.
    pub fn new(title: impl Into<String>, columns: &[(&str, bool)]) -> Self {
        Self {
            title: title.into(),
            header: columns.iter().map(|(h, _)| h.to_string()).collect(),
            numeric: columns.iter().map(|&(_, n)| n).collect(),
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The table in GitHub markdown, without its title, notes below.
    pub fn markdown(&self) -> String {
        let mut out = format!("| {} |\n|", self.header.join(" | "));
        for &numeric in &self.numeric {
            out.push_str(if numeric { "---:|" } else { "---|" });
        }
        out.push('\n');
        for row in &self.rows {
            let _ = writeln!(out, "| {} |", row.join(" | "));
        }
        for note in &self.notes {
            let _ = write!(out, "\n{note}\n");
        }
        out
    }

    /// The table under a `##` heading.
    pub fn section(&self) -> String {
        format!("## {}\n\n{}", self.title, self.markdown())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_aligns_numbers_right_and_keeps_notes_below() {
        let mut t = TextTable::new("T", &[("Name", false), ("Value", true)]);
        t.rows.push(vec!["a".into(), "1.0".into()]);
        t.notes.push("Values are made up.".into());
        assert_eq!(
            t.section(),
            "## T\n\n| Name | Value |\n|---|---:|\n| a | 1.0 |\n\nValues are made up.\n"
        );
    }
}
