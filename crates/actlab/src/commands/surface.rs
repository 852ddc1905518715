//! `actlab probe surface`: the book's `compute_gradient_flow` for each activation, as
//! data (JSON) and a 3-D surface beside its gradient-magnitude heatmap (SVG + PNG).

use std::path::PathBuf;
use std::process::ExitCode;

use acts::{Activation, BOOK_ACTIVATIONS};
use anyhow::Context;
use burn::tensor::Device;
use probe::activation_surface;
use viz::SurfaceFigure;

use crate::cli::SurfaceArgs;
use crate::commands::chosen_activations;
use crate::commands::plot::print_paths;
use crate::failure::{Failure, failed, input};

/// `actlab probe surface`.
pub fn run(args: SurfaceArgs) -> Result<ExitCode, Failure> {
    let specs = chosen_activations(args.acts.as_deref(), &args.defs, &BOOK_ACTIVATIONS)?;
    let device = Device::flex().autodiff();
    device.seed(args.seed);
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results/probes"));
    for spec in &specs {
        // As in the book, RReLU is in training mode here: its slopes are random draws.
        let module = Activation::from_spec(spec, &device).map_err(input)?;
        let grid = activation_surface(
            spec.name(),
            &module,
            args.grid,
            -args.range,
            args.range,
            &device,
        );
        let figure = SurfaceFigure::new(
            format!("{}: surface and gradient flow", spec.name()),
            grid.x,
            grid.y,
            grid.z,
            grid.gradient_magnitude,
        );
        let stem = out.join(format!("surface-{}", spec.name()));
        let paths = figure
            .write_all(&stem)
            .with_context(|| format!("cannot write {}", stem.display()))
            .map_err(failed)?;
        print_paths(&paths);
    }
    Ok(ExitCode::SUCCESS)
}
