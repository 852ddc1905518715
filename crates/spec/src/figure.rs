//! Figures as data: panels of named series of (x, y) points, and activation surfaces.
//! `viz` builds them from records and draws them; the JSON written beside every
//! picture is this data, so any figure can be drawn again without recomputing.

use serde::{Deserialize, Serialize};

/// One curve (or set of bars) of a panel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// Abscissae.
    pub x: Vec<f64>,
    /// Ordinates, one per abscissa.
    pub y: Vec<f64>,
    /// Dashed rather than solid.
    #[serde(default)]
    pub dashed: bool,
    /// Drawn as bars centred on each x (bar series of a panel stand side by side).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bars: bool,
}

impl Series {
    /// A solid line through the points.
    pub fn line(name: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        Self {
            name: name.into(),
            x,
            y,
            dashed: false,
            bars: false,
        }
    }

    /// A dashed line through the points.
    pub fn dashed(name: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        Self {
            dashed: true,
            ..Self::line(name, x, y)
        }
    }

    /// Bars at the abscissae.
    pub fn bars(name: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        Self {
            bars: true,
            ..Self::line(name, x, y)
        }
    }
}

/// One chart: axes, labels and its series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Panel {
    /// Title above the chart.
    pub title: String,
    /// Label of the x axis.
    pub x_label: String,
    /// Label of the y axis.
    pub y_label: String,
    /// The curves.
    pub series: Vec<Series>,
    /// Start the y axis at 0 (counts, for instance).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub y_from_zero: bool,
    /// Names of bar groups, for a panel whose x values index them (0, 1, ...): drawn as
    /// horizontal bars with the names along the vertical axis and each bar's value at
    /// its end. `y_label` then names the values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
}

impl Panel {
    /// A chart of `series` with its title and axis labels.
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
        series: Vec<Series>,
    ) -> Self {
        Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            series,
            y_from_zero: false,
            categories: Vec::new(),
        }
    }

    /// With the y axis starting at 0.
    pub fn from_zero(self) -> Self {
        Self {
            y_from_zero: true,
            ..self
        }
    }

    /// Horizontal bars, one group per name: each bar series' value `i` belongs to
    /// `names[i]` (its x values are the indices).
    pub fn with_categories(self, names: Vec<String>) -> Self {
        Self {
            categories: names,
            ..self
        }
    }
}

/// A figure: a title and panels laid out in a grid, row by row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// Title over the whole figure.
    pub title: String,
    /// Panels per row.
    pub columns: usize,
    /// The panels.
    pub panels: Vec<Panel>,
}

impl Figure {
    /// A figure of the given panels.
    pub fn new(title: impl Into<String>, columns: usize, panels: Vec<Panel>) -> Self {
        Self {
            title: title.into(),
            columns,
            panels,
        }
    }
}

/// A surface and its gradient magnitude on a grid, row-major (row i is `y[i]`): drawn
/// as a 3-D surface beside a heatmap.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SurfaceFigure {
    /// Title over the figure (names the activation).
    pub title: String,
    /// Grid abscissae.
    pub x: Vec<f64>,
    /// Grid ordinates.
    pub y: Vec<f64>,
    /// Z, row-major.
    pub z: Vec<f64>,
    /// |grad Z|, row-major.
    pub gradient_magnitude: Vec<f64>,
}
