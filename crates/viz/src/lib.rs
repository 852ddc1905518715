//! Figures from saved results. A [`Figure`] is plain data — panels of named series of
//! (x, y) points — written as JSON beside the PNG and SVG it renders to, so that every
//! picture can be drawn again from its JSON (`actlab plot --from`) without recomputing.
//! Text is drawn with a bundled DejaVu Sans through `ab_glyph`: no system fonts needed.

mod report;
mod surface;

use std::path::{Path, PathBuf};
use std::sync::Once;

pub use report::report_html;
pub use surface::{SURFACE_KIND, SurfaceFigure};

use plotters::prelude::*;
use plotters::style::FontStyle;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// DejaVu Sans (Bitstream Vera licence, see assets/DejaVuSans-LICENSE.txt).
static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// The family name every text style here asks for.
pub(crate) const FAMILY: &str = "sans-serif";

/// Marks a file as a figure, so that `plot --from` can tell it from other JSON.
pub const FIGURE_KIND: &str = "actlab-figure";

/// One curve of a panel.
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
    /// Always [`FIGURE_KIND`].
    pub kind: String,
    /// Title over the whole figure.
    pub title: String,
    /// Panels per row.
    pub columns: usize,
    /// The panels.
    pub panels: Vec<Panel>,
}

/// A figure that cannot be drawn or written.
#[derive(Debug, Error)]
pub enum VizError {
    /// The figure's data cannot be drawn.
    #[error("{0}")]
    Invalid(String),
    /// plotters failed.
    #[error("drawing failed: {0}")]
    Draw(String),
    /// A file could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

pub(crate) fn draw_error<E: std::fmt::Debug>(e: E) -> VizError {
    VizError::Draw(format!("{e:?}"))
}

/// Prepares a figure's canvas: the font, a white background and the title band;
/// returns the area below the title.
pub(crate) fn titled_canvas<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
) -> Result<DrawingArea<DB, plotters::coord::Shift>, VizError>
where
    DB::ErrorType: 'static,
{
    register_font();
    root.fill(&WHITE).map_err(draw_error)?;
    let (top, body) = root.split_vertically(TITLE_BAND);
    top.titled(title, (FAMILY, 24).into_font())
        .map_err(draw_error)?;
    Ok(body)
}

/// Registers the bundled font once per process.
pub(crate) fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, FONT)
            .unwrap_or_else(|_| panic!("the bundled DejaVu Sans is a valid font"));
    });
}

/// Pixels per panel.
const PANEL: (u32, u32) = (420, 320);
/// Narrowest figure.
const MIN_WIDTH: u32 = 680;
/// Height of the figure's title band.
pub(crate) const TITLE_BAND: u32 = 40;

/// A colour-blind-safe palette (Okabe and Ito), cycled through the series of a panel.
const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

impl Figure {
    /// A figure of the given panels.
    pub fn new(title: impl Into<String>, columns: usize, panels: Vec<Panel>) -> Self {
        Self {
            kind: FIGURE_KIND.to_string(),
            title: title.into(),
            columns,
            panels,
        }
    }

    /// Width and height in pixels.
    pub fn size(&self) -> (u32, u32) {
        let columns = self.columns.clamp(1, self.panels.len().max(1));
        let rows = self.panels.len().div_ceil(columns).max(1);
        // At least MIN_WIDTH wide, so that a one-panel figure's title fits.
        (
            (PANEL.0 * columns as u32).max(MIN_WIDTH),
            PANEL.1 * rows as u32 + TITLE_BAND,
        )
    }

    fn check(&self) -> Result<(), VizError> {
        if self.kind != FIGURE_KIND {
            return Err(VizError::Invalid(format!(
                "kind is {:?}, not {FIGURE_KIND:?}",
                self.kind
            )));
        }
        if self.panels.is_empty() {
            return Err(VizError::Invalid("the figure has no panels".into()));
        }
        for panel in &self.panels {
            for s in &panel.series {
                if s.x.len() != s.y.len() {
                    return Err(VizError::Invalid(format!(
                        "panel {:?}, series {:?}: {} x values but {} y values",
                        panel.title,
                        s.name,
                        s.x.len(),
                        s.y.len()
                    )));
                }
            }
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: DrawingArea<DB, plotters::coord::Shift>,
    ) -> Result<(), VizError>
    where
        DB::ErrorType: 'static,
    {
        let body = titled_canvas(&root, &self.title)?;
        let columns = self.columns.clamp(1, self.panels.len());
        let rows = self.panels.len().div_ceil(columns);
        let areas = body.split_evenly((rows, columns));
        for (panel, area) in self.panels.iter().zip(areas) {
            draw_panel(panel, &area)?;
        }
        root.present().map_err(draw_error)
    }

    /// The figure as SVG text.
    pub fn to_svg(&self) -> Result<String, VizError> {
        self.check()?;
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size()).into_drawing_area();
            self.draw(root)?;
        }
        Ok(svg)
    }

    /// The figure as a PNG file at `path`.
    pub fn write_png(&self, path: &Path) -> Result<(), VizError> {
        self.check()?;
        let root = BitMapBackend::new(path, self.size()).into_drawing_area();
        self.draw(root)
    }

    /// Writes `<stem>.json`, `<stem>.svg` and `<stem>.png`, each through a temporary
    /// file, and returns their paths.
    pub fn write_all(&self, stem: &Path) -> Result<Vec<PathBuf>, VizError> {
        self.check()?;
        write_files(stem, &serde_json_string(self)?, &self.to_svg()?, |png| {
            self.write_png(png)
        })
    }
}

/// Writes `<stem>.json`, `<stem>.svg` and the PNG `draw_png` renders, each through a
/// temporary file (so none is ever half-written), and returns their paths.
pub(crate) fn write_files(
    stem: &Path,
    json: &str,
    svg: &str,
    draw_png: impl FnOnce(&Path) -> Result<(), VizError>,
) -> Result<Vec<PathBuf>, VizError> {
    if let Some(dir) = stem.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| VizError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let with = |ext: &str| stem.with_extension(ext);
    write_through_temp(&with("json"), |tmp| std::fs::write(tmp, json.as_bytes()))?;
    write_through_temp(&with("svg"), |tmp| std::fs::write(tmp, svg.as_bytes()))?;
    let png = with("png");
    let tmp = temp_name(&png);
    if let Err(e) = draw_png(&tmp) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, &png).map_err(|source| VizError::Io {
        path: png.clone(),
        source,
    })?;
    Ok(vec![with("json"), with("svg"), png])
}

fn serde_json_string(figure: &Figure) -> Result<String, VizError> {
    serde_json::to_string_pretty(figure).map_err(|e| VizError::Invalid(e.to_string()))
}

fn temp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // The extension stays last: the PNG encoder picks the format from it.
    path.with_file_name(format!(".tmp-{}-{name}", std::process::id()))
}

fn write_through_temp(
    path: &Path,
    write: impl FnOnce(&Path) -> std::io::Result<()>,
) -> Result<(), VizError> {
    let tmp = temp_name(path);
    let result = write(&tmp).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|source| VizError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The finite range of `values`, widened a little (and made non-empty).
fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo {
        (hi - lo) * 0.05
    } else {
        (lo.abs() * 0.05).max(1e-12)
    };
    (lo - pad, hi + pad)
}

/// More series than fit in a legend box over the chart go in a column to its right.
const INSET_LEGEND_MAX: usize = 4;

/// Colour and dash of series `i`: the palette, then the palette dashed (14 distinct).
fn series_style(i: usize, dashed: bool) -> (RGBColor, bool) {
    let second_round = (i / PALETTE.len()) % 2 == 1;
    (PALETTE[i % PALETTE.len()], dashed != second_round)
}

/// The fill of bar series `i`: the palette, then the palette at half strength (a bar
/// cannot be dashed).
fn bar_fill(i: usize) -> ShapeStyle {
    let colour = PALETTE[i % PALETTE.len()];
    if (i / PALETTE.len()) % 2 == 1 {
        colour.mix(0.45).filled()
    } else {
        colour.filled()
    }
}

/// Ticks without float noise: at most 3 decimals, trailing zeros dropped, never "-0".
pub(crate) fn tick(v: &f64) -> String {
    let magnitude = v.abs();
    // Tick positions carry float noise: a tick at "zero" may be 1e-17.
    if magnitude < 1e-14 {
        return "0".into();
    }
    if !(1e-3..1e5).contains(&magnitude) {
        return format!("{v:.1e}");
    }
    let text = format!("{v:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.to_string()
    }
}

/// The corner of the chart whose quarter-box holds the fewest data points, where an
/// inset legend hides the least.
fn emptiest_corner(panel: &Panel, xs: (f64, f64), ys: (f64, f64)) -> SeriesLabelPosition {
    let corners = [
        (SeriesLabelPosition::UpperLeft, false, true),
        (SeriesLabelPosition::UpperRight, true, true),
        (SeriesLabelPosition::LowerRight, true, false),
        (SeriesLabelPosition::LowerLeft, false, false),
    ];
    let crowding = |right: bool, upper: bool| -> usize {
        let points = panel.series.iter().flat_map(|s| s.x.iter().zip(&s.y));
        points
            .filter(|(x, y)| {
                let u = (**x - xs.0) / (xs.1 - xs.0);
                let v = (**y - ys.0) / (ys.1 - ys.0);
                (if right { u > 0.6 } else { u < 0.4 }) && (if upper { v > 0.65 } else { v < 0.35 })
            })
            .count()
    };
    corners
        .into_iter()
        .min_by_key(|(_, right, upper)| crowding(*right, *upper))
        .map(|(position, _, _)| position)
        .unwrap_or(SeriesLabelPosition::UpperLeft)
}

/// A legend as a column of short line samples and names, in its own area.
fn draw_legend_column<DB: DrawingBackend>(
    panel: &Panel,
    area: &DrawingArea<DB, plotters::coord::Shift>,
) -> Result<(), VizError>
where
    DB::ErrorType: 'static,
{
    let top = 34;
    for (i, series) in panel.series.iter().enumerate() {
        let (colour, dashed) = series_style(i, series.dashed);
        let y = top + 16 * i as i32;
        let style = colour.stroke_width(2);
        if series.bars {
            area.draw(&Rectangle::new([(4, y - 5), (22, y + 5)], bar_fill(i)))
                .map_err(draw_error)?;
        } else if dashed {
            for x in [4, 12] {
                area.draw(&PathElement::new(vec![(x, y), (x + 5, y)], style))
                    .map_err(draw_error)?;
            }
        } else {
            area.draw(&PathElement::new(vec![(4, y), (22, y)], style))
                .map_err(draw_error)?;
        }
        area.draw(&Text::new(
            series.name.as_str(),
            (28, y - 6),
            (FAMILY, 12).into_font(),
        ))
        .map_err(draw_error)?;
    }
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(
    panel: &Panel,
    area: &DrawingArea<DB, plotters::coord::Shift>,
) -> Result<(), VizError>
where
    DB::ErrorType: 'static,
{
    if panel.series.len() > INSET_LEGEND_MAX {
        let (chart_area, legend_area) = area.split_horizontally(area.dim_in_pixel().0 * 7 / 10);
        draw_chart(panel, &chart_area, false)?;
        return draw_legend_column(panel, &legend_area);
    }
    draw_chart(panel, area, panel.series.len() > 1)
}

/// The closest spacing of x values in a panel (1 when there is none).
fn bar_spacing(panel: &Panel) -> f64 {
    let spacing = panel
        .series
        .iter()
        .flat_map(|s| s.x.windows(2).map(|w| (w[1] - w[0]).abs()))
        .filter(|d| *d > 0.0)
        .fold(f64::INFINITY, f64::min);
    if spacing.is_finite() { spacing } else { 1.0 }
}

fn draw_chart<DB: DrawingBackend>(
    panel: &Panel,
    area: &DrawingArea<DB, plotters::coord::Shift>,
    inset_legend: bool,
) -> Result<(), VizError>
where
    DB::ErrorType: 'static,
{
    let mut xs = range(panel.series.iter().flat_map(|s| s.x.iter().copied()));
    let spacing = bar_spacing(panel);
    let mut x_labels = 6;
    if panel.series.iter().any(|s| s.bars) {
        // Room for the outer bars' half groups, and a label under every group.
        xs = (xs.0 - 0.5 * spacing, xs.1 + 0.5 * spacing);
        x_labels = ((xs.1 - xs.0) / spacing).round() as usize + 1;
    }
    let mut ys = range(panel.series.iter().flat_map(|s| s.y.iter().copied()));
    if panel.y_from_zero {
        ys.0 = 0.0;
    }
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, (FAMILY, 18))
        .margin(8)
        .x_label_area_size(36)
        .y_label_area_size(52)
        .build_cartesian_2d(xs.0..xs.1, ys.0..ys.1)
        .map_err(draw_error)?;
    chart
        .configure_mesh()
        .x_desc(panel.x_label.as_str())
        .y_desc(panel.y_label.as_str())
        .label_style((FAMILY, 12))
        .x_labels(x_labels)
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .axis_desc_style((FAMILY, 13))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(draw_error)?;
    // Bars share each x: a group as wide as 80 % of the closest x spacing.
    let bar_series: Vec<usize> = (0..panel.series.len())
        .filter(|&i| panel.series[i].bars)
        .collect();
    let width = 0.8 * spacing / bar_series.len().max(1) as f64;
    for (i, series) in panel.series.iter().enumerate() {
        let (colour, dashed) = series_style(i, series.dashed);
        if series.bars {
            let slot = bar_series.iter().position(|&b| b == i).unwrap_or(0) as f64;
            let offset = -0.4 * spacing + width * slot;
            let base = ys.0.max(0.0).min(ys.1);
            chart
                .draw_series(series.x.iter().zip(&series.y).map(|(&x, &y)| {
                    Rectangle::new([(x + offset, base), (x + offset + width, y)], bar_fill(i))
                }))
                .map_err(draw_error)?
                .label(series.name.as_str())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], bar_fill(i)));
            continue;
        }
        let points: Vec<(f64, f64)> = series
            .x
            .iter()
            .zip(&series.y)
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .map(|(&x, &y)| (x, y))
            .collect();
        let style = colour.stroke_width(2);
        let drawn = if dashed {
            chart.draw_series(DashedLineSeries::new(points, 6, 4, style))
        } else {
            chart.draw_series(LineSeries::new(points, style))
        }
        .map_err(draw_error)?;
        drawn.label(series.name.as_str()).legend(move |(x, y)| {
            PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(2))
        });
    }
    if inset_legend {
        chart
            .configure_series_labels()
            .label_font((FAMILY, 12))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .position(emptiest_corner(panel, xs, ys))
            .draw()
            .map_err(draw_error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure() -> Figure {
        let x: Vec<f64> = (0..50).map(|i| i as f64 / 10.0).collect();
        Figure::new(
            "Test",
            2,
            vec![
                Panel {
                    title: "square".into(),
                    x_label: "x".into(),
                    y_label: "y".into(),
                    y_from_zero: false,
                    series: vec![Series {
                        name: "x^2".into(),
                        y: x.iter().map(|v| v * v).collect(),
                        x: x.clone(),
                        dashed: false,
                        bars: false,
                    }],
                },
                Panel {
                    title: "line".into(),
                    x_label: "x".into(),
                    y_label: "y".into(),
                    y_from_zero: false,
                    series: vec![Series {
                        name: "2x".into(),
                        y: x.iter().map(|v| 2.0 * v).collect(),
                        x,
                        dashed: true,
                        bars: false,
                    }],
                },
            ],
        )
    }

    #[test]
    fn svg_is_deterministic_and_carries_the_text() {
        let f = figure();
        let a = f.to_svg().unwrap();
        let b = f.to_svg().unwrap();
        assert_eq!(a, b);
        assert!(
            a.contains("square") && a.contains("Test"),
            "titles are in the SVG"
        );
        assert_eq!(f.size(), (840, 360));
    }

    #[test]
    fn mismatched_series_are_refused() {
        let mut f = figure();
        f.panels[0].series[0].y.pop();
        let err = f.to_svg().unwrap_err().to_string();
        assert!(err.contains("50 x values but 49 y values"), "{err}");
    }

    #[test]
    fn png_text_renders_with_the_bundled_font() {
        let dir = std::env::temp_dir().join(format!("viz-test-{}", std::process::id()));
        let paths = figure().write_all(&dir.join("fig")).unwrap();
        let png = std::fs::read(&paths[2]).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        // The JSON round-trips to the same figure, so the SVG can be drawn again from it.
        let text = std::fs::read_to_string(&paths[0]).unwrap();
        let back: Figure = serde_json::from_str(&text).unwrap();
        assert_eq!(
            back.to_svg().unwrap(),
            std::fs::read_to_string(&paths[1]).unwrap()
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
