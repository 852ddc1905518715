//! An activation evaluated at points: the data behind `actlab acts eval` and the
//! activation-curve figure.

use serde::{Deserialize, Serialize};

/// A trainable parameter's values and its gradient of `sum_i f(x_i)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamEvaluation {
    /// Parameter name.
    pub name: String,
    /// Its (initial) values.
    pub value: Vec<f32>,
    /// d(sum_i f(x_i)) / d(parameter).
    pub gradient: Vec<f32>,
}

/// An activation evaluated at points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointEvaluation {
    /// The activation's name.
    pub activation: String,
    /// The points (as float32, as evaluated).
    pub x: Vec<f32>,
    /// f(x).
    pub value: Vec<f32>,
    /// f'(x).
    pub derivative: Vec<f32>,
    /// Trainable parameters with their gradients (empty for fixed functions).
    pub params: Vec<ParamEvaluation>,
}
