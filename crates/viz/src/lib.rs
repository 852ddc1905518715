//! Records become pictures here. [`figures`] turns each record `spec` defines (a run,
//! an experiment's runs, a probe report, an activation's values) into figure data, and
//! [`Drawing`] renders that data to SVG and PNG with plotters, beside the data's own
//! JSON, so that every picture can be drawn again from its JSON without recomputing.
//! Text is drawn with a bundled DejaVu Sans through `ab_glyph`: no system fonts needed.

mod canvas;
mod chart;
pub mod figures;
mod report;
mod surface;

use std::path::{Path, PathBuf};

use plotters::prelude::*;
use spec::figure::{Figure, SurfaceFigure};
use spec::{artifact, fsio};
use thiserror::Error;

pub use report::{ExperimentReport, report_html};

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

/// A picture: a chart of panels, or an activation surface.
#[derive(Clone, Debug, PartialEq)]
pub enum Drawing {
    /// Panels of lines and bars.
    Chart(Figure),
    /// A 3-D surface beside its gradient heatmap.
    Surface(SurfaceFigure),
}

impl From<Figure> for Drawing {
    fn from(figure: Figure) -> Self {
        Drawing::Chart(figure)
    }
}

impl From<SurfaceFigure> for Drawing {
    fn from(surface: SurfaceFigure) -> Self {
        Drawing::Surface(surface)
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

    /// The picture as a PNG file at `path` (written in place; see [`Drawing::write_all`]).
    pub fn write_png(&self, path: &Path) -> Result<(), VizError> {
        self.check()?;
        let root = BitMapBackend::new(path, self.size()).into_drawing_area();
        self.draw(root)
    }

    /// The figure data with its `kind` tag, as JSON.
    pub fn to_json(&self) -> String {
        match self {
            Drawing::Chart(f) => artifact::to_json(f),
            Drawing::Surface(s) => artifact::to_json(s),
        }
    }

    /// Writes `<stem>.json` (the data), `<stem>.svg` and `<stem>.png`, each through a
    /// temporary file so that none is ever half-written, and returns their paths.
    pub fn write_all(&self, stem: &Path) -> Result<Vec<PathBuf>, VizError> {
        self.check()?;
        let svg = self.to_svg()?;
        let with = |ext: &str| stem.with_extension(ext);
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |error| VizError::Io { path, error }
        };
        let (json, svg_path, png) = (with("json"), with("svg"), with("png"));
        fsio::write_atomic(&json, self.to_json().as_bytes()).map_err(io(&json))?;
        fsio::write_atomic(&svg_path, svg.as_bytes()).map_err(io(&svg_path))?;
        fsio::write_via_temp(&png, |tmp| {
            // The encoder picks PNG from the temporary's extension, which stays last.
            self.write_png(tmp).map_err(std::io::Error::other)
        })
        .map_err(io(&png))?;
        Ok(vec![json, svg_path, png])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spec::figure::{Panel, Series};

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
                    series: vec![Series::line(
                        "x^2",
                        x.clone(),
                        x.iter().map(|v| v * v).collect(),
                    )],
                },
                Panel {
                    title: "line".into(),
                    x_label: "x".into(),
                    y_label: "y".into(),
                    y_from_zero: false,
                    series: vec![Series::dashed(
                        "2x",
                        x.clone(),
                        x.iter().map(|v| 2.0 * v).collect(),
                    )],
                },
            ],
        )
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
}
