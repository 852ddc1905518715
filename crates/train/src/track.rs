//! `--track grads`: per Linear layer, the mean gradient norm over an epoch's steps and the
//! weights' mean, standard deviation and norm after it (the book's
//! `train_model_with_metrics`). Reading gradients changes nothing in training.

use burn::module::Param;
use burn::optim::GradientsParams;
use burn::tensor::Tensor;
use nets::SimpleNetwork;

use spec::LayerTrack;

/// Every Linear weight, input side first, the output layer last.
fn linear_weights(model: &SimpleNetwork) -> Vec<&Param<Tensor<2>>> {
    model
        .hidden
        .iter()
        .map(|l| &l.weight)
        .chain(std::iter::once(&model.output.weight))
        .collect()
}

/// Sums of gradient norms over the steps of the current epoch.
#[derive(Default)]
pub(crate) struct GradTracker {
    norm_sums: Vec<f64>,
    steps: usize,
}

impl GradTracker {
    /// Adds one step's gradient norms.
    pub(crate) fn record(&mut self, model: &SimpleNetwork, grads: &GradientsParams) {
        let weights = linear_weights(model);
        self.norm_sums.resize(weights.len(), 0.0);
        for (sum, w) in self.norm_sums.iter_mut().zip(weights) {
            if let Some(g) = grads.get::<2>(w.id) {
                let squares: f32 = g.powi_scalar(2).sum().into_scalar();
                *sum += (squares as f64).sqrt();
            }
        }
        self.steps += 1;
    }

    /// The epoch's per-layer record, with the weights as they are now; starts over.
    pub(crate) fn finish_epoch(&mut self, model: &SimpleNetwork) -> Vec<LayerTrack> {
        let steps = self.steps.max(1) as f64;
        let tracks = linear_weights(model)
            .into_iter()
            .enumerate()
            .map(|(i, w)| {
                let values = w
                    .val()
                    .into_data()
                    .try_into_vec::<f32>()
                    .expect("float32 weights");
                let n = values.len().max(1) as f64;
                let mean = values.iter().map(|&v| v as f64).sum::<f64>() / n;
                let squares = values.iter().map(|&v| (v as f64).powi(2)).sum::<f64>();
                LayerTrack {
                    layer: i + 1,
                    grad_norm_mean: self.norm_sums.get(i).copied().unwrap_or(0.0) / steps,
                    weight_mean: mean,
                    weight_std: (squares / n - mean * mean).max(0.0).sqrt(),
                    weight_norm: squares.sqrt(),
                    weight_histogram: Some(spec::record::probe::Histogram::of(
                        &values,
                        LayerTrack::HISTOGRAM_BINS,
                    )),
                }
            })
            .collect();
        *self = Self::default();
        tracks
    }
}
