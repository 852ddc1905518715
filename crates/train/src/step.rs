//! One training step's loss and gradients: the batch whole (the book's step), or cut
//! into a fixed number of slices whose forward and backward passes run side by side.
//!
//! The data-parallel step (`[train] slices = S`, S > 1) cuts the batch into S slices of
//! consecutive samples (the first `n mod S` one sample longer). Each slice runs on its own
//! replica of the network, whose parameters are fresh leaves of Burn's autodiff graph
//! (`Module::fork`): replicas that shared leaves would share one graph, and Burn keeps a
//! graph locked through a whole backward pass, so the slices would take turns. A slice's
//! loss is its mean weighted by its share of the batch, so the summed gradients are the
//! whole batch's mean, and the slices' gradients are added in slice order, whatever
//! thread finished first. The bits therefore depend on S, not on the thread count: a run
//! with S = 4 gives the same record on 1, 2 or 4 threads. They differ from the whole
//! batch's (S = 1) in the last bits, because each weight's gradient `xᵀ dY` is summed
//! over the batch in S chains instead of one.
//!
//! A network that draws random numbers in its forward pass (RReLU's slopes) runs its
//! slices one after another, in slice order, so that the draws do not race.

use std::time::{Duration, Instant};

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::{Int, Tensor};
use nets::SimpleNetwork;
use nets::dense::cross_entropy;

/// What one step computed.
pub(crate) struct Step {
    /// The batch's losses summed over its samples (the mean loss times the batch size).
    pub loss_total: f64,
    /// Correct predictions in the batch.
    pub hits: usize,
    /// The gradient of the batch's mean loss, per parameter.
    pub grads: GradientsParams,
    /// The forward pass with the loss read back; with slices, every slice's forward and
    /// backward pass (they overlap on the threads).
    pub forward: Duration,
    /// The backward pass and the gradients' collection; with slices, their sum.
    pub backward: Duration,
}

/// The step on batch `x`, `y` cut into `slices` (1: whole); `None` when a loss is not
/// finite (the run diverged).
pub(crate) fn step(
    model: &SimpleNetwork,
    x: Tensor<2>,
    y: Tensor<1, Int>,
    slices: usize,
) -> Option<Step> {
    if slices <= 1 {
        return whole(model, x, y);
    }
    let start = Instant::now();
    let [n] = y.dims();
    let device = x.device();
    let tasks: Vec<_> = slice_bounds(n, slices)
        .into_iter()
        .map(|(first, len)| Slice {
            replica: model.clone().fork(&device),
            x: x.clone().narrow(0, first, len),
            y: y.clone().narrow(0, first, len),
            weight: len as f32 / n as f32,
        })
        .collect();
    let parts: Vec<Option<SliceOutcome>> = if model.draws_while_training() {
        tasks.into_iter().map(Slice::run).collect()
    } else {
        nets::each_apart(tasks, Slice::run)
    };
    let sum_start = Instant::now();
    let mut parts: Vec<SliceOutcome> = parts.into_iter().collect::<Option<_>>()?;
    let mut sum = SumInOrder {
        parts: &mut parts,
        total: GradientsParams::new(),
    };
    model.visit(&mut sum);
    let grads = sum.total;
    Some(Step {
        loss_total: parts.iter().map(|p| p.loss_total).sum(),
        hits: parts.iter().map(|p| p.hits).sum(),
        grads,
        forward: sum_start - start,
        backward: sum_start.elapsed(),
    })
}

/// The book's step: the batch whole.
fn whole(model: &SimpleNetwork, x: Tensor<2>, y: Tensor<1, Int>) -> Option<Step> {
    let start = Instant::now();
    let (loss, outcome) = forward(model, x, y)?;
    let backward_start = Instant::now();
    let grads = GradientsParams::from_grads(loss.backward(), model);
    Some(Step {
        loss_total: outcome.0,
        hits: outcome.1,
        grads,
        forward: backward_start - start,
        backward: backward_start.elapsed(),
    })
}

/// The mean loss of `model` on `x`, `y`, and (the losses' sum, the hits); `None` when the
/// loss is not finite.
fn forward(
    model: &SimpleNetwork,
    x: Tensor<2>,
    y: Tensor<1, Int>,
) -> Option<(Tensor<1>, (f64, usize))> {
    let [n] = y.dims();
    let logits = model.forward(x);
    let loss = cross_entropy(logits.clone(), y.clone());
    let value: f32 = loss.clone().into_scalar();
    if !value.is_finite() {
        return None;
    }
    let hits = correct(logits.detach(), y);
    Some((loss, (value as f64 * n as f64, hits)))
}

/// Number of correct predictions in a batch.
pub(crate) fn correct(logits: Tensor<2>, labels: Tensor<1, Int>) -> usize {
    let [n] = labels.dims();
    let hits: i64 = logits
        .argmax(1)
        .reshape([n])
        .equal(labels)
        .int()
        .sum()
        .into_scalar();
    hits as usize
}

/// `(first sample, samples)` of each of `slices` slices of `n` samples: consecutive,
/// the first `n mod slices` one longer, none empty (fewer slices when `n < slices`).
pub(crate) fn slice_bounds(n: usize, slices: usize) -> Vec<(usize, usize)> {
    let slices = slices.clamp(1, n.max(1));
    let (base, longer) = (n / slices, n % slices);
    let mut first = 0;
    (0..slices)
        .map(|i| {
            let len = base + usize::from(i < longer);
            let bounds = (first, len);
            first += len;
            bounds
        })
        .collect()
}

/// One slice's work: its replica of the network and its samples.
struct Slice {
    replica: SimpleNetwork,
    x: Tensor<2>,
    y: Tensor<1, Int>,
    /// The slice's share of the batch.
    weight: f32,
}

/// What a slice computed.
struct SliceOutcome {
    loss_total: f64,
    hits: usize,
    grads: GradientsParams,
}

impl Slice {
    fn run(self) -> Option<SliceOutcome> {
        let (loss, (loss_total, hits)) = forward(&self.replica, self.x, self.y)?;
        let grads = GradientsParams::from_grads((loss * self.weight).backward(), &self.replica);
        Some(SliceOutcome {
            loss_total,
            hits,
            grads,
        })
    }
}

/// Sums every parameter's gradient over the slices, in slice order.
struct SumInOrder<'a> {
    parts: &'a mut [SliceOutcome],
    total: GradientsParams,
}

impl ModuleVisitor for SumInOrder<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let sum = self
            .parts
            .iter_mut()
            .filter_map(|part| part.grads.remove::<D>(param.id))
            .reduce(|sum, grad| sum + grad);
        if let Some(sum) = sum {
            self.total.register(param.id, sum);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::slice_bounds;

    #[test]
    fn slices_cover_the_batch_in_order_and_differ_by_at_most_one() {
        assert_eq!(
            slice_bounds(128, 4),
            [(0, 32), (32, 32), (64, 32), (96, 32)]
        );
        assert_eq!(slice_bounds(10, 4), [(0, 3), (3, 3), (6, 2), (8, 2)]);
        assert_eq!(slice_bounds(3, 4), [(0, 1), (1, 1), (2, 1)]);
        assert_eq!(slice_bounds(96, 1), [(0, 96)]);
        for n in 1..40 {
            for s in 1..9 {
                let bounds = slice_bounds(n, s);
                assert_eq!(bounds.iter().map(|b| b.1).sum::<usize>(), n);
                assert!(bounds.windows(2).all(|w| w[0].0 + w[0].1 == w[1].0));
            }
        }
    }
}
