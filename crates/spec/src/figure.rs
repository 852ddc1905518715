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
    /// Drawn as dots, without a line.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dots: bool,
    /// An interval around each y, `[low, high]`, one per point (or none): a shaded
    /// ribbon around a line, a whisker through a dot.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub band: Vec<[f64; 2]>,
    /// The palette colour this series always takes, whatever else the panel holds, for
    /// series whose colour carries a meaning (a verdict); by position when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colour: Option<usize>,
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
            dots: false,
            band: Vec::new(),
            colour: None,
        }
    }

    /// Dots at the points (in a panel with categories, x is the category's index).
    pub fn dots(name: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        Self {
            dots: true,
            ..Self::line(name, x, y)
        }
    }

    /// With an interval around each point: a ribbon around a line, a whisker through a dot.
    pub fn with_band(self, band: Vec<[f64; 2]>) -> Self {
        Self { band, ..self }
    }

    /// Always in palette colour `slot`, whatever its position in the panel.
    pub fn with_colour(self, slot: usize) -> Self {
        Self {
            colour: Some(slot),
            ..self
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
    /// horizontal bars (or dots) with the names along the vertical axis and each bar's
    /// value at its end. `y_label` then names the values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// A reference value drawn as a thin line across the chart (zero difference, say):
    /// horizontal in a chart, vertical in a panel with categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<f64>,
    /// The value axis' range of a panel with categories, when an outlier would squeeze
    /// the rest: a dot beyond it is drawn at its edge with its value written beside.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<[f64; 2]>,
    /// A symmetric-log x axis, linear within ±`x_symlog` and logarithmic beyond (for
    /// spectra whose eigenvalues span decades of both signs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x_symlog: Option<f64>,
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
            reference: None,
            limits: None,
            x_symlog: None,
        }
    }

    /// With a symmetric-log x axis, linear within ±`linear` (see [`Panel::x_symlog`]).
    pub fn with_x_symlog(self, linear: f64) -> Self {
        Self {
            x_symlog: Some(linear),
            ..self
        }
    }

    /// With the value axis limited to `limits` (see [`Panel::limits`]).
    pub fn with_limits(self, limits: Option<[f64; 2]>) -> Self {
        Self { limits, ..self }
    }

    /// With a reference line at `value`.
    pub fn with_reference(self, value: f64) -> Self {
        Self {
            reference: Some(value),
            ..self
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
    /// `names[i]` (its x values are the indices); a dot series' point belongs to the
    /// name its x indexes, so that a name may have several.
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
    /// |grad Z|, row-major (or, with `labels`, whatever the right-hand map shows).
    pub gradient_magnitude: Vec<f64>,
    /// What the axes, the two captions and the colour bars say, when the surface is not
    /// an activation's (a loss landscape); the activation surface's words otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<SurfaceLabels>,
}

/// The words of a [`SurfaceFigure`] other than an activation surface's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SurfaceLabels {
    /// Names of the x, y and z axes.
    pub axes: [String; 3],
    /// Caption of the 3-D surface.
    pub surface: String,
    /// Caption of the right-hand map.
    pub map: String,
    /// Its colour bar's label.
    pub map_label: String,
    /// Draw the map as filled contours of this many levels rather than a smooth heatmap.
    pub levels: Option<usize>,
}
