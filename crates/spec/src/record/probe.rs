//! What the probes measure, as saved reports. Every report of a network shares one
//! envelope, [`ProbeRecord`]: where the network came from, the network, the data it
//! saw, and the probe's own numbers.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::network::NetworkConfig;

named_choices! {
    /// Which half of the dataset a probe passed through the network.
    pub enum DatasetSplit: "dataset split" {
        /// The 60,000 training images.
        Train = "train",
        /// The 10,000 test images.
        Test = "test",
    }
}

/// Where the probed network came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum ProbeSource {
    /// A checkpoint of a training run.
    Checkpoint {
        /// The run folder.
        run: PathBuf,
        /// The checkpoint, relative to the run folder.
        checkpoint: PathBuf,
        /// The epoch after which it was saved.
        epoch: usize,
    },
    /// A freshly initialised network.
    Init {
        /// The initialisation seed.
        seed: u64,
    },
}

/// A probe's report on a network, with what it probed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbeRecord<R> {
    /// Where the network came from.
    pub source: ProbeSource,
    /// The probed network. A run's network lives in its `run.json`; the report keeps the
    /// network it probed so that it can be read (and drawn) on its own.
    pub network: NetworkConfig,
    /// The data passed through.
    pub split: DatasetSplit,
    /// The probe's numbers.
    pub report: R,
}

impl<R> ProbeRecord<R> {
    /// A short name for the probed network: the run folder's name, or the activation
    /// and seed of a fresh network.
    pub fn label(&self) -> String {
        match &self.source {
            ProbeSource::Checkpoint { run, .. } => run.file_name().map_or_else(
                || self.network.model_name(),
                |n| n.to_string_lossy().into_owned(),
            ),
            ProbeSource::Init { seed } => {
                format!("{} untrained, seed {seed}", self.network.activation_name())
            }
        }
    }
}

/// A histogram: `counts[i]` values fell in `[edges[i], edges[i + 1])` (the last bin
/// includes its right edge).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Bin edges, one more than bins.
    pub edges: Vec<f64>,
    /// Values per bin.
    pub counts: Vec<u64>,
}

impl Histogram {
    /// `bins` (at least 1) equal-width bins over `[min, max]` of `values`.
    pub fn of(values: &[f32], bins: usize) -> Self {
        let bins = bins.max(1);
        let (lo, hi) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v as f64), hi.max(v as f64))
            });
        let (lo, hi) = if lo.is_finite() && hi > lo {
            (lo, hi)
        } else if lo.is_finite() {
            (lo - 0.5, lo + 0.5)
        } else {
            (0.0, 1.0)
        };
        let width = (hi - lo) / bins as f64;
        let mut counts = vec![0u64; bins];
        for &v in values {
            let i = (((v as f64 - lo) / width) as usize).min(bins - 1);
            counts[i] += 1;
        }
        Self {
            edges: (0..=bins).map(|i| lo + width * i as f64).collect(),
            counts,
        }
    }
}

/// Summary statistics of a set of values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Number of values.
    pub count: usize,
    /// Mean.
    pub mean: f64,
    /// Standard deviation (population).
    pub std: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Median of |value|.
    pub abs_p50: f64,
    /// 90th percentile of |value|.
    pub abs_p90: f64,
    /// 99th percentile of |value|.
    pub abs_p99: f64,
}

/// One Linear layer's weight gradients and weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerGradients {
    /// 1-based Linear layer (the last is the output layer).
    pub layer: usize,
    /// [fan_in, fan_out].
    pub shape: [usize; 2],
    /// Histogram of dLoss/dW.
    pub gradient: Histogram,
    /// Statistics of dLoss/dW.
    pub gradient_stats: Stats,
    /// Histogram of W.
    pub weight: Histogram,
    /// Statistics of W.
    pub weight_stats: Stats,
}

/// The gradient probe: one batch forward and backward through a fresh network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradientReport {
    /// Samples in the batch.
    pub batch: usize,
    /// The batch's loss.
    pub loss: f64,
    /// Every Linear layer, input side first.
    pub layers: Vec<LayerGradients>,
}

/// A unit is saturated when |f'(z)| stays below this for every sample.
pub const SATURATION_SLOPE: f64 = 1e-2;
/// An output this small counts as silent in the sparsity measure.
pub const SILENT_OUTPUT: f64 = 1e-3;

fn saturation_slope() -> f64 {
    SATURATION_SLOPE
}

fn silent_output() -> f64 {
    SILENT_OUTPUT
}

/// Dead units of one hidden layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeadLayer {
    /// 1-based hidden layer.
    pub layer: usize,
    /// Units in the layer.
    pub units: usize,
    /// Units whose output was exactly 0 for every sample.
    pub dead: usize,
    /// `dead / units`.
    pub ratio: f64,
    /// 0-based indices of the dead units.
    pub dead_units: Vec<usize>,
    /// Units whose |f'(z)| stayed below the report's saturation slope for every sample:
    /// alive perhaps, but passing back almost no gradient (what "dead" means for smooth
    /// activations, where an exact zero never happens).
    #[serde(default)]
    pub saturated: usize,
    /// `saturated / units`.
    #[serde(default)]
    pub saturated_ratio: f64,
    /// Per unit, the fraction of samples (of samples × positions, for a convolution's
    /// channel) with |output| below the report's silent output.
    #[serde(default)]
    pub sparsity: Vec<f64>,
    /// Mean of `sparsity` over the layer's units.
    #[serde(default)]
    pub mean_sparsity: f64,
    /// Mean μ of the layer's pre-activations over every sample and unit.
    #[serde(default)]
    pub pre_activation_mean: f64,
    /// Their standard deviation σ.
    #[serde(default)]
    pub pre_activation_std: f64,
    /// The chapter's predicted probability that a unit of this layer is dead,
    /// ∏ Φ(−μₖ/σₖ) over the layers k up to this one.
    #[serde(default)]
    pub predicted_dead: f64,
}

/// Dead units of every hidden layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeadNeuronReport {
    /// Samples passed through the network.
    pub samples: usize,
    /// A unit is saturated when |f'(z)| stays below this for every sample.
    #[serde(default = "saturation_slope")]
    pub saturation_slope: f64,
    /// An output smaller than this in magnitude counts as silent.
    #[serde(default = "silent_output")]
    pub silent_output: f64,
    /// Per hidden layer, input side first.
    pub layers: Vec<DeadLayer>,
}

/// One hidden layer in a [`UnitCensus`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CensusLayer {
    /// Units in the layer.
    pub units: usize,
    /// Units whose output was exactly 0 for every sample.
    pub dead: usize,
    /// Units whose |f'(z)| stayed below [`SATURATION_SLOPE`] for every sample.
    pub saturated: usize,
    /// Mean of the layer's pre-activations over every sample and unit.
    pub pre_activation_mean: f64,
    /// Their standard deviation.
    pub pre_activation_std: f64,
}

/// Dead and saturated units of every hidden layer over the training set, as a run
/// counts them with `[train] dead_units`: the dead-neuron probe's counts and the
/// pre-activations' moments, without its per-unit lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitCensus {
    /// Samples passed through the network.
    pub samples: usize,
    /// Per hidden layer, input side first.
    pub layers: Vec<CensusLayer>,
}

impl UnitCensus {
    /// The counts of a dead-neuron report.
    pub fn of(report: &DeadNeuronReport) -> Self {
        Self {
            samples: report.samples,
            layers: report
                .layers
                .iter()
                .map(|l| CensusLayer {
                    units: l.units,
                    dead: l.dead,
                    saturated: l.saturated,
                    pre_activation_mean: l.pre_activation_mean,
                    pre_activation_std: l.pre_activation_std,
                })
                .collect(),
        }
    }

    /// Hidden units of every layer together.
    pub fn units(&self) -> usize {
        self.layers.iter().map(|l| l.units).sum()
    }

    /// The fraction of all hidden units that are dead.
    pub fn dead_fraction(&self) -> f64 {
        self.share(|l| l.dead)
    }

    /// The fraction of all hidden units that are saturated.
    pub fn saturated_fraction(&self) -> f64 {
        self.share(|l| l.saturated)
    }

    /// The fraction of all hidden units that `count` counts, over every layer.
    fn share(&self, count: impl Fn(&CensusLayer) -> usize) -> f64 {
        self.layers.iter().map(count).sum::<usize>() as f64 / self.units().max(1) as f64
    }
}

/// One hidden layer's outputs over the split.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerOutputs {
    /// 1-based hidden layer.
    pub layer: usize,
    /// Units in the layer.
    pub units: usize,
    /// Distribution of every output value (samples x units of them).
    pub histogram: Histogram,
    /// Their statistics.
    pub stats: Stats,
    /// Fraction of the values that are exactly 0 (activation sparsity).
    pub zero_fraction: f64,
}

/// Every hidden layer's outputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputReport {
    /// Samples passed through.
    pub samples: usize,
    /// Input side first.
    pub layers: Vec<LayerOutputs>,
}

/// The book's `compute_gradient_flow`: Z = f(X) + f(Y) and |grad Z| on an n x n grid,
/// row-major (row i is `y[i]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SurfaceReport {
    /// The activation's name.
    pub activation: String,
    /// Seed of random initial parameters (STAF, Fourier).
    pub seed: u64,
    /// Grid abscissae.
    pub x: Vec<f64>,
    /// Grid ordinates.
    pub y: Vec<f64>,
    /// f(x) + f(y), row-major.
    pub z: Vec<f64>,
    /// sqrt((dZ/dX)^2 + (dZ/dY)^2), row-major.
    pub gradient_magnitude: Vec<f64>,
}
