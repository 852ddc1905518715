//! The `kind` tag of every file actlab writes: a leaf of the crate, so that the layout
//! (which derives probe file names from it) and the readers and writers in `artifact`
//! share it without depending on each other.

named_choices! {
    /// What a file holds: the `kind` tag at the top of every JSON file actlab writes.
    pub enum ArtifactKind: "file kind" {
        /// An experiment's resolved config (`experiment.json`).
        Experiment = "experiment",
        /// A run's record (`run.json`).
        Run = "run",
        /// An experiment's summary table (`summary.json`).
        Summary = "summary",
        /// A figure's panels and series.
        Figure = "figure",
        /// An activation surface as drawn.
        SurfaceFigure = "surface-figure",
        /// The activation-surface probe's report.
        Surface = "surface",
        /// The dead-neuron probe's report.
        DeadNeurons = "dead-neurons",
        /// The gradient probe's report.
        Gradients = "gradients",
        /// The layer-output probe's report.
        Outputs = "outputs",
        /// The Hessian probe's report.
        Hessian = "hessian",
        /// The loss-landscape probe's report.
        Landscape = "landscape",
        /// The neural-tangent-kernel probe's report.
        Ntk = "ntk",
        /// A study's checked config (`search.json`).
        SearchConfig = "search-config",
        /// A study's candidates and their fate before training (`candidates.json`).
        SearchCandidates = "search-candidates",
        /// A study's leaderboard (`leaderboard.json`).
        Leaderboard = "leaderboard",
        /// The transfer table of an experiment with settings (`settings.json`).
        Transfer = "transfer",
    }
}
