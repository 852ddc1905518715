//! The chapter's curvature claims, measured: the loss Hessian's spectrum (whole and per
//! block) and the stability index ξ, the loss landscape, and the neural tangent kernel.

mod landscape;
mod ntk;
pub mod objective;
mod spectrum;

use std::sync::Arc;
use std::time::Instant;

use data::Split;
use nets::SimpleNetwork;
use spec::{
    NetworkConfig,
    record::curvature::{
        EigenEstimate, Estimated, HessianReport, HessianSpectrum, SpectralDensity, StabilityIndex,
    },
    rng::SplitMix64,
};

pub use landscape::{LandscapeSettings, filter_normalised, line, surface};
pub use ntk::ntk_probe;
pub use objective::{Block, EPSILON, Objective, ParamSlot, parameters};
pub use spectrum::{Density, Estimate, Ritz, density, gaussian, hutchinson, lanczos, rademacher};

use burn::tensor::Device;

/// How much work `probe hessian` does.
#[derive(Clone, Debug)]
pub struct HessianSettings {
    /// Training images in the fixed subset.
    pub samples: usize,
    /// Seed of the subset and of every random vector.
    pub seed: u64,
    /// Largest eigenvalues to report.
    pub top: usize,
    /// Lanczos steps for the extreme eigenvalues.
    pub lanczos_steps: usize,
    /// Rademacher vectors for the trace and ‖H‖_F.
    pub trace_vectors: usize,
    /// Lanczos runs and steps for the density.
    pub density_runs: usize,
    /// Steps of each density run.
    pub density_steps: usize,
    /// Steps and vectors per block (each layer, the activation).
    pub block_steps: usize,
    /// Rademacher vectors per block.
    pub block_vectors: usize,
    /// Mini-batch size for ξ's E‖∇L‖² (the training batch size).
    pub batch_size: usize,
}

impl Default for HessianSettings {
    fn default() -> Self {
        Self {
            samples: 2048,
            seed: 0,
            top: 5,
            lanczos_steps: 40,
            trace_vectors: 30,
            density_runs: 3,
            density_steps: 40,
            block_steps: 20,
            block_vectors: 10,
            batch_size: 128,
        }
    }
}

/// The subset the curvature probes use: the first `samples` of a fixed permutation of
/// the training set (seeded), so that every probe of a run sees the same images.
pub fn subset(train: &Arc<Split>, samples: usize, seed: u64) -> Vec<usize> {
    let mut order = data::epoch_order(train.len(), seed, 0);
    order.truncate(samples.min(train.len()));
    order
}

/// Where the derivative (or the value) of the network's activation jumps: the
/// pre-activation values at which Hessian-vector products take smaller steps, as the
/// registry declares them. Smooth activations have none; a user's expression is taken as
/// smooth (its `abs`, `min`, `max` and comparisons are not located).
pub fn kinks(network: &NetworkConfig) -> Vec<f64> {
    network
        .activation
        .as_ref()
        .and_then(|a| a.kind.builtin())
        .map_or_else(Vec::new, |kind| kind.kinks().to_vec())
}

/// The objective on the subset for `model` (built on the autodiff `device`).
pub fn objective_on(
    model: SimpleNetwork,
    train: &Arc<Split>,
    indices: &[usize],
    device: &Device,
) -> Objective {
    let (x, y) = data::samples_at(train, indices, device);
    Objective::new(model, x, y, device)
}

/// H restricted to the indices of `block`: v lives in the block, the product is read
/// back there.
fn block_operator<'a>(
    objective: &'a Objective,
    w: &'a [f64],
    block: &'a Block,
    products: &'a mut usize,
) -> impl FnMut(&[f64]) -> Vec<f64> + 'a {
    move |v: &[f64]| {
        *products += 1;
        let mut full = vec![0.0; objective.dim()];
        full[block.range.clone()].copy_from_slice(v);
        objective.hvp(w, &full)[block.range.clone()].to_vec()
    }
}

fn eigen(r: &Ritz) -> EigenEstimate {
    EigenEstimate {
        value: r.value,
        residual: r.residual,
    }
}

fn estimated(e: &Estimate) -> Estimated {
    Estimated {
        value: e.value,
        standard_error: e.standard_error,
        vectors: e.vectors,
    }
}

/// Spectrum of the operator `apply` on `n` dimensions.
#[allow(clippy::too_many_arguments)]
fn spectrum_of(
    name: &str,
    apply: &mut dyn FnMut(&[f64]) -> Vec<f64>,
    n: usize,
    top: usize,
    steps: usize,
    vectors: usize,
    density_runs: usize,
    rng: &mut SplitMix64,
) -> (HessianSpectrum, Estimate) {
    let ritz = lanczos(apply, &gaussian(rng, n), steps);
    let (trace, squares) = hutchinson(apply, n, vectors, rng);
    let (d, _) = density(apply, n, density_runs, steps, 0.01, 400, rng);
    (
        HessianSpectrum {
            block: name.to_string(),
            params: n,
            top: ritz.iter().rev().take(top).map(eigen).collect(),
            smallest: eigen(&ritz[0]),
            trace: estimated(&trace),
            density: SpectralDensity {
                lambda: d.lambda,
                density: d.density,
                sigma: d.sigma,
                runs: density_runs,
                steps,
            },
        },
        squares,
    )
}

/// The Hessian spectrum of `objective` at its point, each block's, and ξ; `progress`
/// hears what is being computed.
pub fn hessian_probe(
    objective: &Objective,
    settings: &HessianSettings,
    progress: &mut dyn FnMut(&str),
) -> HessianReport {
    let start = Instant::now();
    let w = objective.point().to_vec();
    let n = objective.dim();
    let mut rng = SplitMix64::new(settings.seed ^ 0x4E55_1A4E);
    let mut products = 0usize;
    let (loss, gradient) = objective.loss_and_gradient(&w);
    let gradient_norm = gradient.iter().map(|g| g * g).sum::<f64>().sqrt();

    progress("whole Hessian: Lanczos, trace, density");
    let (spectrum, squares) = {
        let mut apply = |v: &[f64]| {
            products += 1;
            objective.hvp(&w, v)
        };
        spectrum_of(
            "all",
            &mut apply,
            n,
            settings.top,
            settings.lanczos_steps,
            settings.trace_vectors,
            settings.density_runs,
            &mut rng,
        )
    };

    let mut blocks = Vec::new();
    // No steps or vectors: the blocks were not asked for (`--no-blocks`); none are
    // reported, rather than spectra of zeros.
    let asked = settings.block_steps > 0 && settings.block_vectors > 0;
    for block in objective.blocks().iter().filter(|_| asked) {
        progress(&format!("block {}", block.name));
        let len = block.range.len();
        let mut apply = block_operator(objective, &w, block, &mut products);
        let (s, _) = spectrum_of(
            &block.name,
            &mut apply,
            len,
            settings.top,
            settings.block_steps.min(len),
            settings.block_vectors,
            1,
            &mut rng,
        );
        blocks.push(s);
    }

    progress("stability index: mini-batch gradients");
    let kink_crossings = objective.kink_crossings();
    let stability = stability_index(objective, settings.batch_size, &squares);
    HessianReport {
        samples: objective.samples(),
        seed: settings.seed,
        epsilon: if objective.kinks().is_empty() {
            EPSILON
        } else {
            objective::KINKED_STEPS[0]
        },
        loss,
        gradient_norm,
        spectrum,
        blocks,
        stability,
        kinks: objective.kinks().to_vec(),
        kink_crossings,
        products,
        seconds: start.elapsed().as_secs_f64(),
    }
}

/// ξ = E[‖∇²L‖_F] / E[‖∇L‖²]: the numerator from Hutchinson's E‖Hv‖² on the whole subset
/// (‖H‖_F = √E‖Hv‖², its standard error by the delta method), the denominator the mean
/// squared norm of mini-batch gradients over the subset's batches.
fn stability_index(objective: &Objective, batch_size: usize, squares: &Estimate) -> StabilityIndex {
    let frobenius = squares.value.max(0.0).sqrt();
    let frobenius_se = if frobenius > 0.0 {
        squares.standard_error / (2.0 * frobenius)
    } else {
        0.0
    };
    let norms = objective.minibatch_gradient_norms(batch_size);
    let k = norms.len().max(1) as f64;
    let mean = norms.iter().sum::<f64>() / k;
    let var = if norms.len() > 1 {
        norms.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / (k - 1.0)
    } else {
        0.0
    };
    let xi = frobenius / mean;
    let relative = |se: f64, v: f64| if v > 0.0 { se / v } else { 0.0 };
    let gradient_se = (var / k).sqrt();
    StabilityIndex {
        xi,
        xi_standard_error: xi
            * (relative(frobenius_se, frobenius).powi(2) + relative(gradient_se, mean).powi(2))
                .sqrt(),
        hessian_frobenius: frobenius,
        hessian_frobenius_se: frobenius_se,
        gradient_norm_sq: mean,
        gradient_norm_sq_se: gradient_se,
        batch_size,
        batches: norms.len(),
    }
}
