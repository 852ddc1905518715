//! What the probe tests' independent references share: a network's Linear layers read
//! out into plain f64 numbers and applied again without Burn.

#![allow(dead_code)] // each test binary uses its own part

use burn::tensor::Tensor;

/// The values of a tensor as f64.
pub fn values<const D: usize>(t: Tensor<D>) -> Vec<f64> {
    t.into_data().convert::<f64>().try_to_vec::<f64>().unwrap()
}

/// One Linear layer as plain numbers: `weight[i][o]` (Burn's [inputs, outputs]) and bias.
pub struct Dense {
    pub inputs: usize,
    pub weight: Vec<f64>,
    pub bias: Vec<f64>,
}

impl Dense {
    pub fn of(layer: &burn::nn::Linear) -> Dense {
        let [inputs, _] = layer.weight.val().dims();
        Dense {
            inputs,
            weight: values(layer.weight.val()),
            bias: values(
                layer
                    .bias
                    .as_ref()
                    .expect("the book's layers have biases")
                    .val(),
            ),
        }
    }

    pub fn apply(&self, x: &[f64]) -> Vec<f64> {
        let outputs = self.bias.len();
        (0..outputs)
            .map(|o| {
                self.bias[o]
                    + (0..self.inputs)
                        .map(|i| x[i] * self.weight[i * outputs + o])
                        .sum::<f64>()
            })
            .collect()
    }

    /// Weights and biases, counted together.
    pub fn param_count(&self) -> usize {
        self.weight.len() + self.bias.len()
    }

    /// Parameter `k`: the weights first, then the biases.
    pub fn param(&mut self, k: usize) -> &mut f64 {
        let weights = self.weight.len();
        if k < weights {
            &mut self.weight[k]
        } else {
            &mut self.bias[k - weights]
        }
    }
}
