//! The probes (`actlab probe ...`): one module per probe, as in `commands/probe/`.

pub mod dead_neurons;
pub mod gradients;
pub mod hessian;
pub mod landscape;
pub mod ntk;
pub mod outputs;
pub mod surface;

use clap::Subcommand;

use crate::cli::probe::dead_neurons::DeadNeuronArgs;
use crate::cli::probe::gradients::GradientArgs;
use crate::cli::probe::hessian::HessianArgs;
use crate::cli::probe::landscape::LandscapeArgs;
use crate::cli::probe::ntk::NtkArgs;
use crate::cli::probe::outputs::OutputArgs;
use crate::cli::probe::surface::SurfaceArgs;

/// The probes.
#[derive(Debug, Subcommand)]
pub enum ProbeCommand {
    /// Count hidden units that output exactly 0 for every training sample (the book's
    /// definition), per layer, with saturated units and sparsity; for a trained run or a
    /// freshly initialised network.
    #[command(
        after_help = "Examples:\n  actlab probe dead-neurons --run results/first/ReLU-s7\n  actlab probe dead-neurons --init --acts ReLU --hidden 2048,1024,1024,512,512,256,128 --seed 7"
    )]
    DeadNeurons(DeadNeuronArgs),
    /// The book's gradient check: a fresh network, one training batch, backward; per
    /// Linear layer, histograms and statistics of the weight gradients and the weights.
    /// A report and a figure per activation, and for the network without activation.
    #[command(after_help = "Example:\n  actlab probe gradients --acts ReLU,Sigmoid,TeLU")]
    Gradients(GradientArgs),
    /// Per-layer output distributions of a trained run over the whole test set:
    /// histograms, statistics and the fraction of outputs that are exactly 0.
    #[command(
        after_help = "Example:\n  actlab probe outputs --run results/first/ReLU-s7 --checkpoint epoch-1"
    )]
    Outputs(OutputArgs),
    /// The chapter's activation surfaces: Z = f(X) + f(Y) on a grid over [-5, 5]² and its
    /// gradient magnitude from autodiff, as a report and a 3-D surface beside a heatmap.
    #[command(after_help = "Example:\n  actlab probe surface --acts ReLU,GELU,STAF")]
    Surface(SurfaceArgs),
    /// The loss Hessian of a run's checkpoint on a fixed subset of the training set, in
    /// float64: top and smallest eigenvalues (Lanczos), trace (Hutchinson), spectral
    /// density (stochastic Lanczos quadrature), the same per layer and for the
    /// activation's parameters, and the chapter's stability index ξ.
    #[command(
        after_help = "Examples:\n  actlab probe hessian --run results/first/ReLU-s7\n  actlab probe hessian --run results/first/TeLU-s7 --samples 4096 --lanczos-steps 60 --vectors 50"
    )]
    Hessian(HessianArgs),
    /// The loss landscape of a run: along the line from its first checkpoint (epoch 0,
    /// saved with --save-epochs 0) to its last, extended past both ends, or to another
    /// run's weights; and over a plane of two filter-normalised random directions
    /// (Li et al., 2018) around the last checkpoint. Points are spread over --threads.
    #[command(
        after_help = "Examples:\n  actlab probe landscape --run results/first/ReLU-s7\n  actlab probe landscape --run results/first/ReLU-s7 --to results/first/TeLU-s7 --no-surface\n  actlab probe landscape --run results/first/GELU-s7 --grid 21 --range 0.5 --threads 2"
    )]
    Landscape(LandscapeArgs),
    /// The empirical neural tangent kernel of a freshly initialised network over test
    /// images: its eigenvalues, trace and condition number; for LeakyReLU, the
    /// chapter's claim λmin ≥ α checked.
    #[command(
        after_help = "Examples:\n  actlab probe ntk --acts LeakyReLU\n  actlab probe ntk --acts ReLU --samples 200 --seed 3"
    )]
    Ntk(NtkArgs),
}
