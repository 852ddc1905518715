//! `actlab probe surface`: the book's `compute_gradient_flow` for each activation, as a
//! report (JSON) and a 3-D surface beside its gradient-magnitude heatmap (SVG + PNG).

use std::path::PathBuf;
use std::process::ExitCode;

use probe::activation_surface;
use spec::BOOK_ACTIVATIONS;
use spec::layout::ProbeFiles;
use viz::figures::surface_figure;

use crate::cli::SurfaceArgs;
use crate::context::{
    chosen_activations, print_paths, print_written, runtime, write_drawing, write_record,
};
use crate::failure::Failure;

/// `actlab probe surface`.
pub fn run(args: SurfaceArgs, json: bool) -> Result<ExitCode, Failure> {
    let specs = chosen_activations(args.acts.as_deref(), &args.defs, &BOOK_ACTIVATIONS)?;
    let rt = runtime(&args.compute)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(ProbeFiles::DEFAULT_DIR));
    let mut written = Vec::new();
    for spec in &specs {
        // Each surface is drawn from the seed alone, whatever else is on the list.
        let report = activation_surface(spec, args.seed, args.grid, args.range, &rt.device);
        let (path, stem) = ProbeFiles::surface(&out, spec.name());
        write_record(&path, &report)?;
        let figure = write_drawing(surface_figure(&report), &stem)?;
        if json {
            written.push((path, figure, report));
        } else {
            let mut paths = vec![path];
            paths.extend(figure);
            print_paths(&paths);
        }
    }
    if json {
        print_written(&written)?;
    }
    Ok(ExitCode::SUCCESS)
}
