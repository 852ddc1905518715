//! What every picture shares: the bundled font, a white canvas with a title band,
//! errors from plotters, and tick labels without float noise.

use std::sync::Once;

use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::VizError;

/// DejaVu Sans (Bitstream Vera licence, see assets/DejaVuSans-LICENSE.txt).
pub(crate) static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// The family name every text style here asks for.
pub(crate) const FAMILY: &str = "sans-serif";

/// Height of the figure's title band.
pub(crate) const TITLE_BAND: u32 = 40;

pub(crate) fn draw_error<E: std::fmt::Debug>(e: E) -> VizError {
    VizError::Draw(format!("{e:?}"))
}

/// Registers the bundled font once per process.
fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, FONT)
            .unwrap_or_else(|_| panic!("the bundled DejaVu Sans is a valid font"));
    });
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
