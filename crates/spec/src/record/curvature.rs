//! Reports of the curvature probes: the loss Hessian's spectrum and the chapter's
//! stability index, the loss landscape, and the neural tangent kernel.

use serde::{Deserialize, Serialize};

/// An eigenvalue estimate with its error bound.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EigenEstimate {
    /// The Ritz value.
    pub value: f64,
    /// Residual norm of its Ritz vector: the distance to the nearest true eigenvalue is
    /// at most this (plus the Hessian-vector products' own error, about 1e-9).
    pub residual: f64,
}

/// A Monte Carlo estimate with its standard error.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimated {
    /// The mean over the random vectors.
    pub value: f64,
    /// Its standard error (sample standard deviation / √vectors).
    pub standard_error: f64,
    /// Random vectors used.
    pub vectors: usize,
}

/// A Gaussian-smoothed spectral density on a grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpectralDensity {
    /// Eigenvalue grid.
    pub lambda: Vec<f64>,
    /// ρ(λ), integrating to about 1 over the grid.
    pub density: Vec<f64>,
    /// Smoothing width σ.
    pub sigma: f64,
    /// Lanczos runs averaged.
    pub runs: usize,
    /// Lanczos steps per run.
    pub steps: usize,
}

/// The spectrum of the Hessian, or of one block of it (one layer's parameters).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HessianSpectrum {
    /// `all`, `layer 1`, ..., `output`, `activation`.
    pub block: String,
    /// Parameters in the block.
    pub params: usize,
    /// The largest eigenvalues, largest first.
    pub top: Vec<EigenEstimate>,
    /// The smallest eigenvalue (negative where the loss curves down).
    pub smallest: EigenEstimate,
    /// The trace (Hutchinson, Rademacher vectors).
    pub trace: Estimated,
    /// The spectral density (stochastic Lanczos quadrature).
    pub density: SpectralDensity,
}

/// The chapter's dynamical stability index ξ = E[‖∇²L‖_F] / E[‖∇L‖²].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StabilityIndex {
    /// ξ.
    pub xi: f64,
    /// Its standard error, by the delta method from the two parts' (independent)
    /// standard errors: ξ √((se_F/F)² + (se_G/G)²).
    #[serde(default)]
    pub xi_standard_error: f64,
    /// ‖H‖_F of the loss over the whole subset, √(E‖Hv‖²) over Rademacher v.
    pub hessian_frobenius: f64,
    /// Standard error of `hessian_frobenius` (delta method from E‖Hv‖²'s).
    pub hessian_frobenius_se: f64,
    /// ‖∇L‖² of mini-batches, averaged over the subset's batches (the gradient noise is
    /// part of what the chapter's E[‖∇L‖²] means: it is the SGD step's size).
    pub gradient_norm_sq: f64,
    /// Its standard error over the batches.
    pub gradient_norm_sq_se: f64,
    /// Batch size of those mini-batches (the training batch size).
    pub batch_size: usize,
    /// Mini-batches averaged.
    pub batches: usize,
}

/// The `probe hessian` report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HessianReport {
    /// Training images the loss averages over: the first `samples` of a fixed
    /// permutation of the training set.
    pub samples: usize,
    /// Seed of that permutation and of every random vector.
    pub seed: u64,
    /// Step ε of the central difference of gradients that gives H·v (unit v); with
    /// kinks, the first of the steps tried (1e-8, 1e-9, 1e-10: the first at which no
    /// unit crosses a kink is taken).
    pub epsilon: f64,
    /// Pre-activation values where the activation's derivative jumps (none when smooth).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinks: Vec<f64>,
    /// Products in which some unit crossed a kink even at the smallest step (their error
    /// is the jump over 2ε, so a count above 0 makes the spectra suspect).
    #[serde(default)]
    pub kink_crossings: usize,
    /// The loss on the subset.
    pub loss: f64,
    /// ‖∇L‖ on the subset.
    pub gradient_norm: f64,
    /// The whole Hessian's spectrum.
    pub spectrum: HessianSpectrum,
    /// Each block's: each Linear layer (weights and bias), and the activation's own
    /// parameters when it has any.
    pub blocks: Vec<HessianSpectrum>,
    /// The chapter's ξ.
    pub stability: StabilityIndex,
    /// Hessian-vector products computed.
    pub products: usize,
    /// Wall seconds.
    pub seconds: f64,
}

/// Loss and accuracy along a line between two weight vectors, α = 0 at the first and 1
/// at the second.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LandscapeLine {
    /// What α = 0 is (a checkpoint or run).
    pub from: String,
    /// What α = 1 is.
    pub to: String,
    /// The αs.
    pub alpha: Vec<f64>,
    /// Loss at each.
    pub loss: Vec<f64>,
    /// Accuracy at each.
    pub accuracy: Vec<f64>,
}

/// Loss and accuracy on a grid w + α d₁ + β d₂ over two filter-normalised random
/// directions (Li et al., 2018), row-major (row i is `beta[i]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LandscapeSurface {
    /// The αs.
    pub alpha: Vec<f64>,
    /// The βs.
    pub beta: Vec<f64>,
    /// Loss, row-major.
    pub loss: Vec<f64>,
    /// Accuracy, row-major.
    pub accuracy: Vec<f64>,
    /// Seed of the two directions.
    pub direction_seed: u64,
    /// Whether biases and activation parameters moved too (zero in the directions
    /// otherwise, as loss-landscape does by default).
    pub include_biases: bool,
}

/// The `probe landscape` report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LandscapeReport {
    /// Training images the loss averages over (first of a fixed permutation).
    pub samples: usize,
    /// Seed of that permutation.
    pub seed: u64,
    /// The 1-D interpolation, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<LandscapeLine>,
    /// The 2-D surface, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surface: Option<LandscapeSurface>,
    /// Wall seconds.
    pub seconds: f64,
}

/// The `probe ntk` report: the empirical neural tangent kernel at initialisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NtkReport {
    /// Test images: the kernel is samples × samples.
    pub samples: usize,
    /// What each sample's gradient is of: `sum of logits`.
    pub output: String,
    /// Eigenvalues of the Gram matrix, ascending.
    pub eigenvalues: Vec<f64>,
    /// Its trace.
    pub trace: f64,
    /// λ_max / λ_min.
    pub condition_number: f64,
    /// For LeakyReLU, the chapter's claim λ_min ≥ α, with α its negative slope: whether
    /// it holds here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<NtkClaim>,
}

/// The chapter's claim about LeakyReLU's NTK, checked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NtkClaim {
    /// The negative slope α.
    pub alpha: f64,
    /// λ_min ≥ α.
    pub holds: bool,
}
