//! PNG pictures, rasterised from the figure's SVG by resvg: the same text layout a
//! browser gives the SVG (plotters' own bitmap backend drew each glyph on its own
//! baseline, so a decimal point sat at mid-height and letters spread unevenly), with
//! the bundled DejaVu Sans as the only font (no system font can change a picture), at
//! twice the SVG's size so that a PNG stays sharp in a README.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

use crate::VizError;
use crate::canvas::FONT;

/// Pixels per SVG unit in a PNG.
pub const SCALE: f32 = 2.0;

/// The fonts pictures are drawn with: the bundled one, as every generic family.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_font_data(FONT.to_vec());
            let family = db
                .faces()
                .next()
                .and_then(|face| face.families.first())
                .map_or_else(|| "DejaVu Sans".to_string(), |(name, _)| name.clone());
            db.set_sans_serif_family(family.clone());
            db.set_serif_family(family.clone());
            db.set_monospace_family(family);
            Arc::new(db)
        })
        .clone()
}

/// `svg` as PNG bytes, `SCALE` times its size, on white.
pub fn png_of_svg(svg: &str) -> Result<Vec<u8>, VizError> {
    let options = usvg::Options {
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options)
        .map_err(|e| VizError::Draw(format!("the figure's SVG does not parse: {e}")))?;
    let size = tree.size();
    let (width, height) = (
        (size.width() * SCALE).ceil() as u32,
        (size.height() * SCALE).ceil() as u32,
    );
    let mut pixmap = tiny_skia::Pixmap::new(width.max(1), height.max(1))
        .ok_or_else(|| VizError::Draw(format!("a {width} x {height} picture is too large")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(SCALE, SCALE),
        &mut pixmap.as_mut(),
    );
    encode_rgb(&pixmap)
}

/// The opaque picture as an RGB PNG, compressed hard: a chart at twice its size is
/// mostly flat colour, which adaptive filtering and the best deflate shrink several
/// times over tiny-skia's default RGBA encoding.
fn encode_rgb(pixmap: &tiny_skia::Pixmap) -> Result<Vec<u8>, VizError> {
    let rgb: Vec<u8> = pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let failed = |e: png::EncodingError| VizError::Draw(format!("cannot encode the PNG: {e}"));
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Best);
        encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let mut writer = encoder.write_header().map_err(failed)?;
        writer.write_image_data(&rgb).map_err(failed)?;
    }
    Ok(out)
}
