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
