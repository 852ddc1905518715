//! Legends: each series' sample and name, in a column beside a chart or a row above it.

use plotters::prelude::*;
use spec::figure::{Panel, Series};

use super::{LEGEND_ROW, bar_fill, palette_slot, series_style};
use crate::VizError;
use crate::canvas::{FAMILY, draw_error};

/// Draws the legend sample of series `i` (a bar swatch, or a solid or dashed line)
/// with its name, from `(x, y)` (the sample's left end, vertically centred).
fn draw_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    i: usize,
    series: &Series,
    (x, y): (i32, i32),
) -> Result<(), VizError>
where
    DB::ErrorType: 'static,
{
    let (colour, dashed) = series_style(palette_slot(series, i), series.dashed);
    let style = colour.stroke_width(2);
    if series.bars {
        area.draw(&Rectangle::new(
            [(x, y - 5), (x + 18, y + 5)],
            bar_fill(palette_slot(series, i)),
        ))
        .map_err(draw_error)?;
    } else if series.dots {
        area.draw(&Circle::new((x + 9, y), 4, colour.filled()))
            .map_err(draw_error)?;
    } else if dashed {
        for dx in [0, 8] {
            area.draw(&PathElement::new(vec![(x + dx, y), (x + dx + 5, y)], style))
                .map_err(draw_error)?;
        }
    } else {
        area.draw(&PathElement::new(vec![(x, y), (x + 18, y)], style))
            .map_err(draw_error)?;
    }
    area.draw(&Text::new(
        series.name.as_str(),
        (x + 24, y - 6),
        (FAMILY, 12).into_font(),
    ))
    .map_err(draw_error)
}

/// A legend as a column of entries, in its own area beside the chart.
pub(super) fn draw_legend_column<DB: DrawingBackend>(
    panel: &Panel,
    area: &DrawingArea<DB, plotters::coord::Shift>,
) -> Result<(), VizError>
where
    DB::ErrorType: 'static,
{
    for (i, series) in panel.series.iter().enumerate() {
        draw_key(area, i, series, (4, 8 + 16 * i as i32))?;
    }
    Ok(())
}

/// Approximate width in pixels of `text` at 12 px DejaVu Sans.
pub(super) fn text_width(text: &str) -> i32 {
    7 * text.chars().count() as i32
}

/// A legend as one row of entries, centred, in its own band above the chart.
pub(super) fn draw_legend_row<DB: DrawingBackend>(
    panel: &Panel,
    area: &DrawingArea<DB, plotters::coord::Shift>,
) -> Result<(), VizError>
where
    DB::ErrorType: 'static,
{
    let widths: Vec<i32> = panel
        .series
        .iter()
        .map(|s| 24 + text_width(&s.name) + 16)
        .collect();
    let total: i32 = widths.iter().sum();
    let mut x = ((area.dim_in_pixel().0 as i32 - total) / 2).max(4);
    for (i, series) in panel.series.iter().enumerate() {
        draw_key(area, i, series, (x, LEGEND_ROW as i32 / 2))?;
        x += widths[i];
    }
    Ok(())
}
