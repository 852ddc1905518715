//! `actlab probe surface`: the book's `compute_gradient_flow` for each activation, as a
//! report (JSON) and a 3-D surface beside its gradient-magnitude heatmap (SVG + PNG).

use std::path::PathBuf;
use std::process::ExitCode;

use probe::activation_surface;
use spec::layout::ProbeFiles;
use spec::{ArtifactKind, BOOK_ACTIVATIONS};
use viz::figures::surface_figure;

use crate::cli::probe::surface::SurfaceArgs;
use crate::context::networks::chosen_activations;
use crate::context::print::print_paths;
use crate::context::runtime::Runtime;
use crate::context::write::print_written;
use crate::context::write::{check_new, probe_files, write_probe};
use crate::failure::Failure;

/// `actlab probe surface`.
pub fn run(args: SurfaceArgs, json: bool) -> Result<ExitCode, Failure> {
    let specs = chosen_activations(args.acts.as_deref(), &args.defs, &BOOK_ACTIVATIONS)?;
    let rt = Runtime::start(&args.compute)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(ProbeFiles::DEFAULT_DIR));
    let reports: Vec<PathBuf> = specs
        .iter()
        .map(|s| ProbeFiles::of_activation(&out, ArtifactKind::Surface, s.name()))
        .collect();
    let files: Vec<PathBuf> = reports.iter().flat_map(|r| probe_files(r)).collect();
    check_new(&files, args.force)?;
    let mut written = Vec::new();
    for (spec, path) in specs.iter().zip(&reports) {
        // Each surface is drawn from the seed alone, whatever else is on the list.
        let report =
            rt.run(|rt| activation_surface(spec, args.seed, args.grid, args.range, &rt.device));
        let drawing = surface_figure(&report);
        let w = write_probe(path, report, drawing)?;
        if !json {
            let mut paths = vec![w.report.clone()];
            paths.extend(w.figure.iter().cloned());
            print_paths(&paths);
        }
        written.push(w);
    }
    if json {
        print_written(&written)?;
    }
    Ok(ExitCode::SUCCESS)
}
