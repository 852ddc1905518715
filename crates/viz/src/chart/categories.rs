//! Panels with categories: horizontal bars, dots with whiskers, and what falls off the
//! value axis.

use super::*;

/// A bar's value as its label says it: as many digits as its size needs.
fn value_label(v: f64) -> String {
    let magnitude = v.abs();
    if !v.is_finite() {
        "-".into()
    } else if magnitude == 0.0 {
        "0".into()
    } else if magnitude >= 100.0 {
        format!("{v:.0}")
    } else if magnitude >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Horizontal bars, one group per category (the first at the top), named along the
/// vertical axis, each bar labelled with its value (so that a zero reads as 0, not as a
/// missing bar).
pub(super) fn draw_categories<DB: DrawingBackend>(
    panel: &Panel,
    area: &DrawingArea<DB, plotters::coord::Shift>,
) -> Result<(), VizError>
where
    DB::ErrorType: 'static,
{
    let n = panel.categories.len();
    let bars: Vec<&Series> = panel.series.iter().filter(|s| s.bars).collect();
    let k = bars.len().max(1);
    let (lo, hi) = match panel.limits {
        Some([lo, hi]) => range([lo, hi].into_iter()),
        None => range(
            panel
                .series
                .iter()
                .flat_map(|s| s.y.iter().chain(s.band.iter().flatten()).copied())
                .chain(panel.reference)
                .chain(if bars.is_empty() { None } else { Some(0.0) }),
        ),
    };
    // Room right of the longest bar for its label; bars grow from zero.
    let (lo, hi) = if bars.is_empty() {
        (lo, hi)
    } else {
        (lo.min(0.0), hi + (hi - lo) * 0.15)
    };
    let names = &panel.categories;
    let longest = names.iter().map(|s| text_width(s)).max().unwrap_or(0);
    let label_area = (longest + 12).min(area.dim_in_pixel().0 as i32 * 45 / 100) as u32;
    let at = |i: usize| (n - 1 - i) as f64;
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .x_label_area_size(36)
        .y_label_area_size(label_area)
        .build_cartesian_2d(lo..hi, -0.5..(n as f64 - 0.5))
        .map_err(draw_error)?;
    let category = |y: &f64| -> String {
        let j = y.round();
        if (y - j).abs() < 1e-6 && j >= 0.0 && (j as usize) < n {
            names[n - 1 - j as usize].clone()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_desc(panel.y_label.as_str())
        .label_style((FAMILY, 12))
        .y_labels(n)
        .x_label_formatter(&tick)
        .y_label_formatter(&category)
        .axis_desc_style((FAMILY, 13))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(draw_error)?;
    if let Some(value) = panel.reference {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(value, -0.5), (value, n as f64 - 0.5)],
                RGBColor(120, 120, 120).stroke_width(1),
            )))
            .map_err(draw_error)?;
    }
    let mut off_scale = Vec::new();
    for (i, series) in panel.series.iter().enumerate().filter(|(_, s)| s.dots) {
        off_scale.extend(draw_category_dots(&mut chart, i, series, n, (lo, hi))?);
    }
    draw_off_scale(&mut chart, &off_scale, n, (lo, hi))?;
    let height = 0.8 / k as f64;
    let label_style =
        TextStyle::from((FAMILY, 11).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for (slot, series) in bars.iter().enumerate() {
        let i = panel
            .series
            .iter()
            .position(|s| std::ptr::eq(s, *series))
            .unwrap_or(slot);
        for (c, &v) in series.y.iter().enumerate().take(n) {
            let top = at(c) + 0.4 - height * slot as f64;
            let bottom = top - height;
            let end = if v.is_finite() { v } else { 0.0 };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, bottom + 0.1 * height), (end, top - 0.1 * height)],
                    bar_fill(palette_slot(series, i)),
                )))
                .map_err(draw_error)?;
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((end, (top + bottom) / 2.0))
                        + Text::new(value_label(v), (4, 0), label_style.clone()),
                ))
                .map_err(draw_error)?;
        }
    }
    Ok(())
}

/// A dot series in a panel with categories: each point at its category (its x rounded), the
/// points of one category spread a little vertically so that equal values stay
/// visible, each with its whisker when the series has a band. Points outside
/// `(lo, hi)` are returned, with their category, for [`draw_off_scale`].
pub(super) fn draw_category_dots<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    i: usize,
    series: &Series,
    n: usize,
    (lo, hi): (f64, f64),
) -> Result<Vec<(usize, f64)>, VizError>
where
    DB::ErrorType: 'static,
{
    let mut off_scale = Vec::new();
    let (colour, _) = series_style(palette_slot(series, i), false);
    let clip = |v: f64| v.clamp(lo, hi);
    let mut seen = vec![0usize; n];
    for (j, (&x, &v)) in series.x.iter().zip(&series.y).enumerate() {
        let c = x.round();
        if !(c >= 0.0 && (c as usize) < n && v.is_finite()) {
            continue;
        }
        // A fractional x places the point that far from its category's centre (series
        // set side by side); repeats of a category step down in 0.08 increments.
        let shift = x - c;
        let c = c as usize;
        let spread = [0.0, -0.08, 0.08, -0.16, 0.16, -0.24, 0.24][seen[c] % 7];
        seen[c] += 1;
        let y = (n - 1 - c) as f64 + spread - shift;
        if let Some(&[low, high]) = series.band.get(j) {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(clip(low), y), (clip(high), y)],
                    colour.stroke_width(2),
                )))
                .map_err(draw_error)?;
            for end in [low, high].into_iter().filter(|e| (lo..=hi).contains(e)) {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(end, y - 0.12), (end, y + 0.12)],
                        colour.stroke_width(2),
                    )))
                    .map_err(draw_error)?;
            }
        }
        if (lo..=hi).contains(&v) {
            chart
                .draw_series(std::iter::once(Circle::new((v, y), 4, colour.filled())))
                .map_err(draw_error)?;
            continue;
        }
        off_scale.push((c, v));
    }
    Ok(off_scale)
}

/// Points beyond the value axis, per category and side: one triangle at the edge
/// pointing out, and the range of their values beside it.
pub(super) fn draw_off_scale<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    points: &[(usize, f64)],
    n: usize,
    (lo, hi): (f64, f64),
) -> Result<(), VizError>
where
    DB::ErrorType: 'static,
{
    let colour = RGBColor(90, 90, 90);
    for c in 0..n {
        for left in [true, false] {
            let values: Vec<f64> = points
                .iter()
                .filter(|&&(pc, v)| pc == c && (v < lo) == left)
                .map(|&(_, v)| v)
                .collect();
            if values.is_empty() {
                continue;
            }
            let (min, max) = values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v), b.max(v))
                });
            let text = if min == max {
                value_label(min)
            } else {
                format!("{}–{}", value_label(min), value_label(max))
            };
            let (tip, back, shift, anchor) = if left {
                (-6, 2, 10, HPos::Left)
            } else {
                (6, -2, -10, HPos::Right)
            };
            let label = TextStyle::from((FAMILY, 11).into_font())
                .color(&colour)
                .pos(Pos::new(anchor, VPos::Center));
            let y = (n - 1 - c) as f64;
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((if left { lo } else { hi }, y))
                        + Polygon::new(vec![(tip, 0), (back, -5), (back, 5)], colour.filled())
                        + Text::new(format!("{text} (off scale)"), (shift, 0), label),
                ))
                .map_err(draw_error)?;
        }
    }
    Ok(())
}
