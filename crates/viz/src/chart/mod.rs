//! Charts: a [`Figure`]'s panels of lines and bars, laid out in a grid under its title.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use spec::figure::{Figure, Panel, Series};

use crate::VizError;
use crate::canvas::{FAMILY, TITLE_BAND, draw_error, tick, titled_canvas};

mod categories;
mod legend;

use categories::draw_categories;
use legend::{draw_legend_column, draw_legend_row, text_width};

/// Pixels per panel.
const PANEL: (u32, u32) = (420, 320);
/// Tallest panel, however many categories it names.
const MAX_PANEL_HEIGHT: u32 = 900;
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

/// Up to this many series get their legend in a row between the panel's title and its
/// chart; more get a column to its right. Either way the legend never covers data.
const ROW_LEGEND_MAX: usize = 4;
/// Height of a legend row, and of a panel's title band.
const LEGEND_ROW: u32 = 18;
const PANEL_TITLE: u32 = 26;
/// Series with at most this many points are drawn with a marker at each point, so that a
/// run of one or two epochs still shows its values.
const MARKER_MAX: usize = 20;

/// The palette slot of the `i`th series of a panel: its own when it has one.
fn palette_slot(series: &Series, i: usize) -> usize {
    series.colour.unwrap_or(i)
}

/// Colour and dash of palette slot `i`: the palette, then the palette dashed (14 distinct).
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

fn draw_panel<DB: DrawingBackend>(
    panel: &Panel,
    area: &DrawingArea<DB, plotters::coord::Shift>,
) -> Result<(), VizError>
where
    DB::ErrorType: 'static,
{
    let (title, mut body) = area.split_vertically(PANEL_TITLE);
    title
        .draw(&Text::new(
            panel.title.as_str(),
            ((title.dim_in_pixel().0 / 2) as i32, 6),
            TextStyle::from((FAMILY, 16).into_font()).pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(draw_error)?;
    // Dots say what they are even alone: their colour carries a meaning.
    let keyed = panel.series.len() > 1 || panel.series.iter().any(|s| s.dots);
    if keyed && panel.series.len() <= ROW_LEGEND_MAX {
        let (row, rest) = body.split_vertically(LEGEND_ROW);
        draw_legend_row(panel, &row)?;
        body = rest;
    }
    if keyed && panel.series.len() > ROW_LEGEND_MAX {
        let (chart, column) = body.split_horizontally(body.dim_in_pixel().0 * 7 / 10);
        draw_legend_column(panel, &column)?;
        body = chart;
    }
    if panel.categories.is_empty() {
        draw_chart(panel, &body)
    } else {
        draw_categories(panel, &body)
    }
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

/// The symmetric-log map: linear within ±c, logarithmic beyond, continuous and odd.
fn symlog(x: f64, c: f64) -> f64 {
    x.signum() * (1.0 + x.abs() / c).log10()
}

fn symlog_inverse(y: f64, c: f64) -> f64 {
    y.signum() * c * (10f64.powf(y.abs()) - 1.0)
}

fn draw_chart<DB: DrawingBackend>(
    panel: &Panel,
    area: &DrawingArea<DB, plotters::coord::Shift>,
) -> Result<(), VizError>
where
    DB::ErrorType: 'static,
{
    match panel.x_symlog {
        // Drawn in mapped coordinates; the ticks are labelled with the values they map.
        Some(c) if c > 0.0 => {
            let mut mapped = panel.clone();
            for series in &mut mapped.series {
                series.x.iter_mut().for_each(|x| *x = symlog(*x, c));
            }
            draw_chart_on(&mapped, area, Some(c))
        }
        _ => draw_chart_on(panel, area, None),
    }
}

fn draw_chart_on<DB: DrawingBackend>(
    panel: &Panel,
    area: &DrawingArea<DB, plotters::coord::Shift>,
    symlog_c: Option<f64>,
) -> Result<(), VizError>
where
    DB::ErrorType: 'static,
{
    let mut xs = range(panel.series.iter().flat_map(|s| s.x.iter().copied()));
    let spacing = bar_spacing(panel);
    let mut x_labels = 6;
    // Counts such as epochs: whole-number ticks only, and room around a lone value.
    let whole = panel
        .series
        .iter()
        .flat_map(|s| &s.x)
        .all(|x| x.is_finite() && x.fract() == 0.0);
    if panel.series.iter().any(|s| s.bars) {
        // Room for the outer bars' half groups, and a label under every group.
        xs = (xs.0 - 0.5 * spacing, xs.1 + 0.5 * spacing);
        x_labels = ((xs.1 - xs.0) / spacing).round() as usize + 1;
    } else if whole && xs.1 - xs.0 < 4.0 {
        let centre = (xs.0 + xs.1) / 2.0;
        let mut lo = (centre - 2.0).min(xs.0);
        if xs.0 >= 0.0 {
            // Counts that are never negative keep their axis there.
            lo = lo.max(-0.5);
        }
        xs = (lo, (centre + 2.0).max(xs.1));
    }
    let x_tick = |v: &f64| {
        if let Some(c) = symlog_c {
            tick(&symlog_inverse(*v, c))
        } else if whole && v.fract().abs() > 1e-9 {
            String::new()
        } else {
            tick(v)
        }
    };
    let mut ys = range(
        panel
            .series
            .iter()
            .flat_map(|s| s.y.iter().chain(s.band.iter().flatten()).copied())
            .chain(panel.reference),
    );
    if panel.y_from_zero {
        ys.0 = 0.0;
    }
    let mut chart = ChartBuilder::on(area)
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
        .x_label_formatter(&x_tick)
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
    if let Some(value) = panel.reference {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(xs.0, value), (xs.1, value)],
                RGBColor(120, 120, 120).stroke_width(1),
            )))
            .map_err(draw_error)?;
    }
    // Ribbons first, under every line.
    for (i, series) in panel.series.iter().enumerate() {
        if series.band.len() == series.x.len() && !series.bars && !series.dots {
            let (colour, _) = series_style(palette_slot(series, i), series.dashed);
            let finite = |&(x, [lo, hi]): &(f64, [f64; 2])| {
                x.is_finite() && lo.is_finite() && hi.is_finite()
            };
            let points: Vec<(f64, [f64; 2])> = series
                .x
                .iter()
                .copied()
                .zip(series.band.iter().copied())
                .filter(finite)
                .collect();
            let outline: Vec<(f64, f64)> = points
                .iter()
                .map(|&(x, [lo, _])| (x, lo))
                .chain(points.iter().rev().map(|&(x, [_, hi])| (x, hi)))
                .collect();
            chart
                .draw_series(std::iter::once(Polygon::new(
                    outline,
                    colour.mix(0.18).filled(),
                )))
                .map_err(draw_error)?;
        }
    }
    for (i, series) in panel.series.iter().enumerate() {
        let (colour, dashed) = series_style(palette_slot(series, i), series.dashed);
        if series.bars {
            let slot = bar_series.iter().position(|&b| b == i).unwrap_or(0) as f64;
            let offset = -0.4 * spacing + width * slot;
            let base = ys.0.max(0.0).min(ys.1);
            chart
                .draw_series(series.x.iter().zip(&series.y).map(|(&x, &y)| {
                    Rectangle::new(
                        [(x + offset, base), (x + offset + width, y)],
                        bar_fill(palette_slot(series, i)),
                    )
                }))
                .map_err(draw_error)?;
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
        let marked = series.dots || points.len() <= MARKER_MAX;
        let markers = points.clone();
        if dashed && !series.dots {
            chart
                .draw_series(DashedLineSeries::new(points, 6, 4, style))
                .map_err(draw_error)?;
        } else if !series.dots {
            chart
                .draw_series(LineSeries::new(points, style))
                .map_err(draw_error)?;
        }
        if marked {
            chart
                .draw_series(
                    markers
                        .into_iter()
                        .map(|p| Circle::new(p, 3, colour.filled())),
                )
                .map_err(draw_error)?;
        }
    }
    Ok(())
}

/// Width and height in pixels.
pub(crate) fn size(figure: &Figure) -> (u32, u32) {
    let columns = figure.columns.clamp(1, figure.panels.len().max(1));
    let rows = figure.panels.len().div_ceil(columns).max(1);
    // Panels with many categories get taller: about 20 pixels a name, within reason.
    let categories = figure
        .panels
        .iter()
        .map(|p| p.categories.len())
        .max()
        .unwrap_or(0);
    let height = (90 + 20 * categories as u32).clamp(PANEL.1, MAX_PANEL_HEIGHT);
    // At least MIN_WIDTH wide, so that a one-panel figure's title fits.
    (
        (PANEL.0 * columns as u32).max(MIN_WIDTH),
        height * rows as u32 + TITLE_BAND,
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
            if !s.band.is_empty() && s.band.len() != s.x.len() {
                return Err(VizError::Invalid(format!(
                    "panel {:?}, series {:?}: {} points but {} intervals",
                    panel.title,
                    s.name,
                    s.x.len(),
                    s.band.len()
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
