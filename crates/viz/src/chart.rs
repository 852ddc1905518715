//! Charts: a [`Figure`]'s panels of lines and bars, laid out in a grid under its title.

use plotters::prelude::*;
use spec::figure::{Figure, Panel};

use crate::VizError;
use crate::canvas::{FAMILY, TITLE_BAND, draw_error, tick, titled_canvas};

/// Pixels per panel.
const PANEL: (u32, u32) = (420, 320);
/// Narrowest figure.
const MIN_WIDTH: u32 = 680;

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

/// Width and height in pixels.
pub(crate) fn size(figure: &Figure) -> (u32, u32) {
    let columns = figure.columns.clamp(1, figure.panels.len().max(1));
    let rows = figure.panels.len().div_ceil(columns).max(1);
    // At least MIN_WIDTH wide, so that a one-panel figure's title fits.
    (
        (PANEL.0 * columns as u32).max(MIN_WIDTH),
        PANEL.1 * rows as u32 + TITLE_BAND,
    )
}

/// Why the figure cannot be drawn, if it cannot.
pub(crate) fn check(figure: &Figure) -> Result<(), VizError> {
    if figure.panels.is_empty() {
        return Err(VizError::Invalid("the figure has no panels".into()));
    }
    for panel in &figure.panels {
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

/// Draws the figure on `root`.
pub(crate) fn draw<DB: DrawingBackend>(
    figure: &Figure,
    root: DrawingArea<DB, plotters::coord::Shift>,
) -> Result<(), VizError>
where
    DB::ErrorType: 'static,
{
    let body = titled_canvas(&root, &figure.title)?;
    let columns = figure.columns.clamp(1, figure.panels.len());
    let rows = figure.panels.len().div_ceil(columns);
    let areas = body.split_evenly((rows, columns));
    for (panel, area) in figure.panels.iter().zip(areas) {
        draw_panel(panel, &area)?;
    }
    root.present().map_err(draw_error)
}
