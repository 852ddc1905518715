//! The chapter's 3-D activation surface Z = f(X) + f(Y) beside a heatmap of its gradient
//! magnitude, each with a viridis colour bar.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use spec::figure::SurfaceFigure;

use crate::VizError;
use crate::canvas::{FAMILY, draw_error, tick, titled_canvas};

/// Width and height in pixels.
pub(crate) const SIZE: (u32, u32) = (1100, 480);
/// Width of a colour bar, labels included.
const BAR: u32 = 80;

fn min_max(values: &[f64]) -> (f64, f64) {
    let (lo, hi) = values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        (0.0, 1.0)
    } else if hi - lo < 1e-12 {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    }
}

fn viridis(v: f64, (lo, hi): (f64, f64)) -> RGBColor {
    ViridisRGB::get_color_normalized(v as f32, lo as f32, hi as f32)
}

/// Why the surface cannot be drawn, if it cannot.
pub(crate) fn check(s: &SurfaceFigure) -> Result<(), VizError> {
    let cells = s.x.len() * s.y.len();
    if s.x.len() < 2 || s.y.len() < 2 {
        return Err(VizError::Invalid(
            "a surface needs at least a 2 x 2 grid".into(),
        ));
    }
    if s.z.len() != cells || s.gradient_magnitude.len() != cells {
        return Err(VizError::Invalid(format!(
            "a {} x {} grid needs {cells} values; z has {}, gradient_magnitude {}",
            s.y.len(),
            s.x.len(),
            s.z.len(),
            s.gradient_magnitude.len()
        )));
    }
    Ok(())
}

fn value_at(s: &SurfaceFigure, values: &[f64], x: f64, y: f64) -> f64 {
    let index = |axis: &[f64], v: f64| {
        let step = (axis[axis.len() - 1] - axis[0]) / (axis.len() - 1) as f64;
        (((v - axis[0]) / step).round().max(0.0) as usize).min(axis.len() - 1)
    };
    values[index(&s.y, y) * s.x.len() + index(&s.x, x)]
}

/// Draws the surface beside the gradient heatmap on `root`.
pub(crate) fn draw<DB: DrawingBackend>(
    s: &SurfaceFigure,
    root: DrawingArea<DB, plotters::coord::Shift>,
) -> Result<(), VizError>
where
    DB::ErrorType: 'static,
{
    let body = titled_canvas(&root, &s.title)?;
    let labels = s
        .labels
        .clone()
        .unwrap_or_else(|| spec::figure::SurfaceLabels {
            axes: ["X".into(), "Y".into(), "Z".into()],
            surface: "Z = f(X) + f(Y)".into(),
            map: "gradient magnitude |∇Z|".into(),
            map_label: "|∇Z|".into(),
            levels: None,
        });
    let [x_name, y_name, z_name] = &labels.axes;
    let (left, right) = body.split_horizontally(SIZE.0 / 2);
    let (surface_area, surface_bar) = left.split_horizontally(SIZE.0 / 2 - BAR);
    let (heat_area, heat_bar) = right.split_horizontally(SIZE.0 / 2 - BAR);
    let xs = (s.x[0], s.x[s.x.len() - 1]);
    let ys = (s.y[0], s.y[s.y.len() - 1]);
    let z_range = min_max(&s.z);
    let g_range = min_max(&s.gradient_magnitude);

    // Margins wide enough that the outermost tick labels are not cut off.
    let mut chart = ChartBuilder::on(&surface_area)
        .caption(labels.surface.as_str(), (FAMILY, 18))
        .margin(24)
        .build_cartesian_3d(xs.0..xs.1, z_range.0..z_range.1, ys.0..ys.1)
        .map_err(draw_error)?;
    chart.with_projection(|mut p| {
        p.pitch = 0.5;
        p.yaw = 0.6;
        p.scale = 0.78;
        p.into_matrix()
    });
    chart
        .configure_axes()
        .label_style((FAMILY, 11))
        .x_formatter(&tick)
        .y_formatter(&tick)
        .z_formatter(&tick)
        .light_grid_style(BLACK.mix(0.1))
        .max_light_lines(3)
        .draw()
        .map_err(draw_error)?;
    // plotters draws no axis titles in 3-D: each goes just beyond the end of its axis.
    let (x_pad, z_pad, y_pad) = (
        (xs.1 - xs.0) * 0.12,
        (z_range.1 - z_range.0) * 0.1,
        (ys.1 - ys.0) * 0.12,
    );
    let axis_title =
        TextStyle::from((FAMILY, 14).into_font()).pos(Pos::new(HPos::Center, VPos::Center));
    chart
        .draw_series([
            Text::new(
                x_name.clone(),
                (xs.1 + x_pad, z_range.0, ys.0),
                axis_title.clone(),
            ),
            Text::new(
                y_name.clone(),
                (xs.0, z_range.0, ys.1 + y_pad),
                axis_title.clone(),
            ),
            Text::new(z_name.clone(), (xs.0, z_range.1 + z_pad, ys.0), axis_title),
        ])
        .map_err(draw_error)?;
    // A coarser mesh than the data keeps the SVG small; every 3rd grid line.
    let stride = (s.x.len() / 34).max(1);
    let sample = |axis: &[f64]| -> Vec<f64> { axis.iter().step_by(stride).copied().collect() };
    let colour_of = |z: &f64| -> ShapeStyle { viridis(*z, z_range).filled() };
    chart
        .draw_series(
            SurfaceSeries::xoz(
                sample(&s.x).into_iter(),
                sample(&s.y).into_iter(),
                |x, y| value_at(s, &s.z, x, y),
            )
            .style_func(&colour_of),
        )
        .map_err(draw_error)?;
    colour_bar(&surface_bar, z_range, z_name)?;

    let mut heat = ChartBuilder::on(&heat_area)
        .caption(labels.map.as_str(), (FAMILY, 18))
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(44)
        .build_cartesian_2d(xs.0..xs.1, ys.0..ys.1)
        .map_err(draw_error)?;
    heat.configure_mesh()
        .disable_mesh()
        .x_desc(x_name.as_str())
        .y_desc(y_name.as_str())
        .label_style((FAMILY, 12))
        .axis_desc_style((FAMILY, 13))
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .draw()
        .map_err(draw_error)?;
    let half = |axis: &[f64]| (axis[1] - axis[0]) / 2.0;
    let (hx, hy) = (half(&s.x), half(&s.y));
    heat.draw_series(s.y.iter().enumerate().flat_map(|(i, &y)| {
        s.x.iter().enumerate().map(move |(j, &x)| {
            let g = banded(
                s.gradient_magnitude[i * s.x.len() + j],
                g_range,
                labels.levels,
            );
            Rectangle::new(
                [(x - hx, y - hy), (x + hx, y + hy)],
                viridis(g, g_range).filled(),
            )
        })
    }))
    .map_err(draw_error)?;
    colour_bar(&heat_bar, g_range, &labels.map_label)?;
    root.present().map_err(draw_error)
}

/// `v` moved to the middle of its level when the map is drawn as `levels` filled
/// contours, so that equal colours mark equal bands.
fn banded(v: f64, (lo, hi): (f64, f64), levels: Option<usize>) -> f64 {
    match levels {
        Some(n) if n > 1 && v.is_finite() => {
            let width = (hi - lo) / n as f64;
            let band = (((v - lo) / width).floor()).clamp(0.0, n as f64 - 1.0);
            lo + (band + 0.5) * width
        }
        _ => v,
    }
}

/// A vertical viridis strip from `lo` (bottom) to `hi` (top) with tick labels.
fn colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    (lo, hi): (f64, f64),
    label: &str,
) -> Result<(), VizError>
where
    DB::ErrorType: 'static,
{
    let mut bar = ChartBuilder::on(area)
        .margin_top(40)
        .margin_bottom(40)
        .margin_right(6)
        .y_label_area_size(44)
        .caption(label, (FAMILY, 13))
        .build_cartesian_2d(0.0..1.0, lo..hi)
        .map_err(draw_error)?;
    bar.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(6)
        .label_style((FAMILY, 11))
        .y_label_formatter(&tick)
        .draw()
        .map_err(draw_error)?;
    let steps = 64;
    let step = (hi - lo) / steps as f64;
    bar.draw_series((0..steps).map(|k| {
        let v = lo + step * k as f64;
        Rectangle::new(
            [(0.0, v), (1.0, v + step)],
            viridis(v + step / 2.0, (lo, hi)).filled(),
        )
    }))
    .map_err(draw_error)?;
    Ok(())
}
