//! The curvature probes' figures: the Hessian's spectral density and per-block
//! eigenvalues, the loss along a line and over a plane, and the NTK's spectrum.

use spec::figure::{Figure, Panel, Series, SurfaceFigure, SurfaceLabels};
use spec::record::curvature::{HessianReport, HessianSpectrum, LandscapeReport, NtkReport};
use spec::record::probe::ProbeRecord;

/// log10 of a density, floored where it vanishes (the density spans decades, and the
/// bulk near 0 would flatten everything else on a linear axis).
fn log_density(s: &HessianSpectrum) -> Series {
    let y = s
        .density
        .density
        .iter()
        .map(|p| p.max(1e-8).log10())
        .collect();
    Series::line(s.block.clone(), s.density.lambda.clone(), y)
}

/// The linear part of a symlog axis for these spectra: a thousandth of the largest
/// eigenvalue's magnitude.
fn linear_part(spectra: &[&HessianSpectrum]) -> f64 {
    let largest = spectra
        .iter()
        .flat_map(|s| s.density.lambda.iter())
        .fold(0.0f64, |m, l| m.max(l.abs()));
    (largest / 1000.0).max(1e-9)
}

/// The whole Hessian's density; each block's density; each block's top and smallest
/// eigenvalues.
pub fn hessian_figure(probe: &ProbeRecord<HessianReport>) -> Figure {
    let r = &probe.report;
    let all = &r.spectrum;
    let blocks: Vec<&HessianSpectrum> = r.blocks.iter().collect();
    let whole = Panel::new(
        format!(
            "Density: λmax {:.3}, λmin {:.3}, trace {:.1} ± {:.1}",
            all.top.first().map_or(f64::NAN, |e| e.value),
            all.smallest.value,
            all.trace.value,
            all.trace.standard_error
        ),
        "eigenvalue λ (symmetric log scale)",
        "log10 ρ(λ)",
        vec![log_density(all)],
    )
    .with_x_symlog(linear_part(&[all]));
    let per_block = Panel::new(
        "Density per block",
        "eigenvalue λ (symmetric log scale)",
        "log10 ρ(λ)",
        blocks.iter().map(|b| log_density(b)).collect(),
    )
    .with_x_symlog(linear_part(&blocks));
    let names: Vec<String> = blocks.iter().map(|b| b.block.clone()).collect();
    let (mut tx, mut ty, mut sx, mut sy) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, b) in blocks.iter().enumerate() {
        for e in &b.top {
            tx.push(i as f64);
            ty.push(e.value);
        }
        sx.push(i as f64);
        sy.push(b.smallest.value);
    }
    let eigenvalues = Panel::new(
        "Eigenvalues per block",
        "",
        "eigenvalue",
        vec![
            Series::dots(format!("top {}", all.top.len()), tx, ty),
            Series::dots("smallest", sx, sy),
        ],
    )
    .with_categories(names)
    .with_reference(0.0);
    // Without blocks (`probe hessian --no-blocks`) their panels would be empty.
    let panels = if blocks.is_empty() {
        vec![whole]
    } else {
        vec![whole, per_block, eigenvalues]
    };
    Figure::new(
        format!(
            "{}: loss Hessian over {} training images (loss {:.4}, ξ = {:.2} ± {:.2})",
            probe.label(),
            r.samples,
            r.loss,
            r.stability.xi,
            r.stability.xi_standard_error
        ),
        panels.len(),
        panels,
    )
}

/// The loss and accuracy along the line between two weight vectors.
pub fn landscape_line_figure(probe: &ProbeRecord<LandscapeReport>) -> Option<Figure> {
    let line = probe.report.line.as_ref()?;
    let title = |what: &str| format!("{what} from α = 0 ({}) to α = 1 ({})", line.from, line.to);
    Some(Figure::new(
        format!(
            "{}: the loss along a line ({} training images)",
            probe.label(),
            probe.report.samples
        ),
        2,
        vec![
            Panel::new(
                title("Loss"),
                "α",
                "loss",
                vec![Series::line("loss", line.alpha.clone(), line.loss.clone())],
            ),
            Panel::new(
                title("Accuracy"),
                "α",
                "accuracy %",
                vec![Series::line(
                    "accuracy",
                    line.alpha.clone(),
                    line.accuracy.iter().map(|a| a * 100.0).collect(),
                )],
            ),
        ],
    ))
}

/// The loss over two filter-normalised directions: a 3-D surface beside filled contours.
pub fn landscape_surface_figure(probe: &ProbeRecord<LandscapeReport>) -> Option<SurfaceFigure> {
    let s = probe.report.surface.as_ref()?;
    Some(SurfaceFigure {
        title: format!(
            "{}: loss landscape over two filter-normalised directions (seed {}, {} images)",
            probe.label(),
            s.direction_seed,
            probe.report.samples
        ),
        x: s.alpha.clone(),
        y: s.beta.clone(),
        z: s.loss.clone(),
        gradient_magnitude: s.loss.clone(),
        labels: Some(SurfaceLabels {
            axes: ["α".into(), "β".into(), "loss".into()],
            surface: "loss(w + α d₁ + β d₂)".into(),
            map: "contours of the loss".into(),
            map_label: "loss".into(),
            levels: Some(14),
        }),
    })
}

/// The NTK's eigenvalues in order, on a log scale, with LeakyReLU's claimed bound.
pub fn ntk_figure(probe: &ProbeRecord<NtkReport>) -> Figure {
    let r = &probe.report;
    let x: Vec<f64> = (1..=r.eigenvalues.len()).map(|i| i as f64).collect();
    let y: Vec<f64> = r.eigenvalues.iter().map(|l| l.max(1e-12).log10()).collect();
    let mut panel = Panel::new(
        format!(
            "Empirical NTK over {} test images: trace {:.4e}, condition number {:.3e}",
            r.samples, r.trace, r.condition_number
        ),
        "index (ascending)",
        "log10 eigenvalue",
        vec![Series::dots("eigenvalues", x, y)],
    );
    if let Some(claim) = &r.claim {
        panel = panel.with_reference(claim.alpha.log10());
        panel.title = format!(
            "{} — claim λmin ≥ α = {}: {}",
            panel.title,
            claim.alpha,
            if claim.holds { "holds" } else { "fails" }
        );
    }
    Figure::new(
        format!("{}: neural tangent kernel", probe.label()),
        1,
        vec![panel],
    )
}
