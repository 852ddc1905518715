//! Records become pictures here. [`figures`] turns each record `spec` defines (a run,
//! an experiment's runs, a probe report, an activation's values) into figure data, and
//! [`Drawing`] renders that data to SVG and PNG with plotters, beside the data's own
//! JSON, so that every picture can be drawn again from its JSON without recomputing.
//! Text is drawn with a bundled DejaVu Sans through `ab_glyph`: no system fonts needed.

#![warn(missing_docs)]

mod canvas;
mod chart;
pub mod figures;
pub mod raster;
mod report;
mod surface;

use std::path::{Path, PathBuf};

use plotters::prelude::*;
use spec::figure::{Figure, SurfaceFigure};
use spec::{artifact, fsio};
use thiserror::Error;

pub use report::{ExperimentReport, StudyReport, report_html};

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
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        error: std::io::Error,
    },
}

/// `stem` with `.extension` appended: a stem may hold dots of its own (an experiment
/// named `lr0.01`), which `Path::with_extension` would cut off.
fn with_suffix(stem: &Path, extension: &str) -> PathBuf {
    let mut name = stem.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(extension);
    stem.with_file_name(name)
}

/// The error of writing `path`.
fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> VizError {
    let path = path.to_path_buf();
    move |error| VizError::Io { path, error }
}

/// A picture: a chart of panels, or an activation surface.
#[derive(Clone, Debug, PartialEq)]
pub enum Drawing {
    /// Panels of lines and bars.
    Chart(Figure),
    /// A 3-D surface beside its gradient heatmap.
    Surface(Box<SurfaceFigure>),
}

impl From<Figure> for Drawing {
    fn from(figure: Figure) -> Self {
        Drawing::Chart(figure)
    }
}

impl From<SurfaceFigure> for Drawing {
    fn from(surface: SurfaceFigure) -> Self {
        Drawing::Surface(Box::new(surface))
    }
}

impl Drawing {
    /// Width and height in pixels.
    pub fn size(&self) -> (u32, u32) {
        match self {
            Drawing::Chart(f) => chart::size(f),
            Drawing::Surface(_) => surface::SIZE,
        }
    }

    fn check(&self) -> Result<(), VizError> {
        match self {
            Drawing::Chart(f) => chart::check(f),
            Drawing::Surface(s) => surface::check(s),
        }
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: DrawingArea<DB, plotters::coord::Shift>,
    ) -> Result<(), VizError>
    where
        DB::ErrorType: 'static,
    {
        match self {
            Drawing::Chart(f) => chart::draw(f, root),
            Drawing::Surface(s) => surface::draw(s, root),
        }
    }

    /// The picture as SVG text.
    pub fn to_svg(&self) -> Result<String, VizError> {
        self.check()?;
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size()).into_drawing_area();
            self.draw(root)?;
        }
        Ok(svg)
    }

    /// The picture as PNG bytes: its SVG rasterised ([`raster`]).
    pub fn to_png(&self) -> Result<Vec<u8>, VizError> {
        raster::png_of_svg(&self.to_svg()?)
    }

    /// The figure data with its `kind` tag, as JSON.
    pub fn to_json(&self) -> String {
        match self {
            Drawing::Chart(f) => artifact::to_json(f),
            Drawing::Surface(s) => artifact::to_json(s.as_ref()),
        }
    }

    /// Writes `<stem>.svg` and `<stem>.png`, each through a temporary file so that
    /// neither is ever half-written, and returns their paths. For a picture of a saved
    /// record: the record is its data.
    pub fn write_pictures(&self, stem: &Path) -> Result<Vec<PathBuf>, VizError> {
        self.check()?;
        let svg = self.to_svg()?;
        let png_bytes = raster::png_of_svg(&svg)?;
        let (svg_path, png) = (with_suffix(stem, "svg"), with_suffix(stem, "png"));
        fsio::write_atomic(&svg_path, svg.as_bytes()).map_err(io_error(&svg_path))?;
        fsio::write_atomic(&png, &png_bytes).map_err(io_error(&png))?;
        Ok(vec![svg_path, png])
    }

    /// Writes `<stem>.json` (the figure's data) beside the pictures of
    /// [`Drawing::write_pictures`]: for a figure that no saved record holds the data of.
    pub fn write_all(&self, stem: &Path) -> Result<Vec<PathBuf>, VizError> {
        self.check()?;
        let json = with_suffix(stem, "json");
        fsio::write_atomic(&json, self.to_json().as_bytes()).map_err(io_error(&json))?;
        let mut paths = vec![json];
        paths.extend(self.write_pictures(stem)?);
        Ok(paths)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spec::figure::{Panel, Series};

    fn figure() -> Figure {
        let x: Vec<f64> = (0..50).map(|i| i as f64 / 10.0).collect();
        let square = x.iter().map(|v| v * v).collect();
        let double = x.iter().map(|v| 2.0 * v).collect();
        Figure::new(
            "Test",
            2,
            vec![
                Panel::new(
                    "square",
                    "x",
                    "y",
                    vec![Series::line("x^2", x.clone(), square)],
                ),
                Panel::new("line", "x", "y", vec![Series::dashed("2x", x, double)]),
            ],
        )
    }

    /// Bars with names: every name and every value is written in the picture.
    #[test]
    fn named_bars_carry_their_names_and_values() {
        let panel = Panel::new(
            "accuracy",
            "",
            "accuracy (%)",
            vec![Series::bars(
                "acc",
                vec![0.0, 1.0, 2.0],
                vec![86.33, 10.0, 0.0],
            )],
        )
        .from_zero()
        .with_categories(vec![
            "TeLU-s7".into(),
            "Sigmoid-s7".into(),
            "Dead-s7".into(),
        ]);
        let svg = Drawing::from(Figure::new("t", 1, vec![panel]))
            .to_svg()
            .unwrap();
        // SVG text stands on its own line between its tags.
        for text in ["TeLU-s7", "Sigmoid-s7", "Dead-s7", "86.3", "10.0", "0"] {
            assert!(svg.contains(&format!("\n{text}\n")), "{text} missing");
        }
    }

    /// A one-point series is drawn with a marker, so a one-epoch run shows its value.
    #[test]
    fn short_series_get_markers() {
        let one = Figure::new(
            "t",
            1,
            vec![Panel::new(
                "p",
                "epoch",
                "loss",
                vec![Series::line("train", vec![1.0], vec![0.5])],
            )],
        );
        let svg = Drawing::from(one).to_svg().unwrap();
        assert!(svg.contains("<circle"), "no marker for a single point");
    }

    #[test]
    fn svg_is_deterministic_and_carries_the_text() {
        let f = Drawing::from(figure());
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
    fn names_with_dots_keep_them() {
        assert_eq!(
            with_suffix(Path::new("a/lr0.01-comparison"), "svg"),
            Path::new("a/lr0.01-comparison.svg")
        );
    }

    #[test]
    fn mismatched_series_are_refused() {
        let mut f = figure();
        f.panels[0].series[0].y.pop();
        let err = Drawing::from(f).to_svg().unwrap_err().to_string();
        assert!(err.contains("50 x values but 49 y values"), "{err}");
    }

    #[test]
    fn png_text_renders_with_the_bundled_font() {
        let dir = std::env::temp_dir().join(format!("viz-test-{}", std::process::id()));
        let drawing = Drawing::from(figure());
        let paths = drawing.write_all(&dir.join("fig")).unwrap();
        let png = std::fs::read(&paths[2]).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        // The JSON reads back (by its tag) to the same figure, so the SVG can be drawn
        // again from it.
        let back: Figure = artifact::read(&paths[0]).unwrap();
        assert_eq!(
            Drawing::from(back).to_svg().unwrap(),
            std::fs::read_to_string(&paths[1]).unwrap()
        );
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            3,
            "no temporaries"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// The PNG is the SVG rasterised at twice its size, on white, with text drawn (dark
    /// pixels in the title band, where only the title is).
    #[test]
    fn the_png_is_the_svg_at_twice_its_size() {
        let drawing = Drawing::from(figure());
        let (w, h) = drawing.size();
        let png = drawing.to_png().unwrap();
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert_eq!((width, height), (2 * w, 2 * h));
        let svg = drawing.to_svg().unwrap();
        let options = resvg::usvg::Options::default();
        let tree = resvg::usvg::Tree::from_str(&svg, &options).unwrap();
        assert_eq!(tree.size().width() as u32, w);
        let decoded = resvg::tiny_skia::Pixmap::decode_png(&png).unwrap();
        let dark_in_title = (0..80 * width)
            .filter(|&i| decoded.data()[4 * i as usize] < 100)
            .count();
        assert!(
            dark_in_title > 100,
            "the title is drawn: {dark_in_title} dark pixels"
        );
    }
}
