//! Records to figures: one builder per record kind. Each returns plain figure data
//! (`spec::figure`), which [`crate::Drawing`] renders.

mod activations;
mod curvature;
mod probes;
mod search;
mod statistics;
mod training;

pub use activations::activation_figure;
pub use curvature::{hessian_figure, landscape_line_figure, landscape_surface_figure, ntk_figure};
pub use probes::{
    dead_neuron_comparison, dead_neuron_figure, gradient_figure, output_figure, surface_figure,
};
pub use search::leaderboard_figure;
pub use statistics::{statistics_figure, transfer_figure};
pub use training::{experiment_figure, run_figure};

use spec::AnyArtifact;

use crate::Drawing;

/// The picture of a saved record, for every kind drawn from itself alone: a summary
/// gives its statistics over seeds. An experiment is drawn from its runs' records
/// ([`experiment_figure`]), and a summary without statistics has no picture: both give
/// `None`.
pub fn drawing_of(artifact: AnyArtifact) -> Option<Drawing> {
    Some(match artifact {
        AnyArtifact::Figure(f) => f.into(),
        AnyArtifact::SurfaceFigure(s) => s.into(),
        AnyArtifact::Surface(r) => surface_figure(&r).into(),
        AnyArtifact::Run(r) => run_figure(&r).into(),
        AnyArtifact::DeadNeurons(p) => dead_neuron_figure(&p).into(),
        AnyArtifact::Gradients(p) => gradient_figure(&p).into(),
        AnyArtifact::Outputs(p) => output_figure(&p).into(),
        AnyArtifact::Summary(s) => statistics_figure(s.statistics.as_ref()?).into(),
        AnyArtifact::Hessian(p) => hessian_figure(&p).into(),
        AnyArtifact::Landscape(p) => match landscape_surface_figure(&p) {
            Some(surface) => surface.into(),
            None => landscape_line_figure(&p)?.into(),
        },
        AnyArtifact::Ntk(p) => ntk_figure(&p).into(),
        AnyArtifact::Leaderboard(b) => leaderboard_figure(&b).into(),
        AnyArtifact::Transfer(t) => transfer_figure(&t).into(),
        AnyArtifact::Experiment(_)
        | AnyArtifact::SearchConfig(_)
        | AnyArtifact::SearchCandidates(_) => return None,
    })
}
