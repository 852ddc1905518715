//! Point evaluation: values, derivatives and parameter gradients at chosen inputs, the
//! data behind `actlab acts eval`.

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use spec::record::eval::{ParamEvaluation, PointEvaluation};
use spec::{ActivationSpec, Family};

use crate::activation::Activation;

fn to_vec(t: Tensor<1>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().expect("float32 tensor")
}

/// Evaluates a fresh module of `spec` (initial parameters drawn from `seed`) at `xs`
/// on `device` (autodiff is added here). RReLU is evaluated in its deterministic
/// evaluation mode.
pub fn evaluate_points(
    spec: &ActivationSpec,
    xs: &[f64],
    seed: u64,
    device: &Device,
) -> PointEvaluation {
    let device = device.clone().autodiff();
    device.seed(seed);
    let module = Activation::init(spec, 1, &device);
    let randomized = matches!(
        spec.builtin().map(|k| k.family()),
        Some(Family::Randomized { .. })
    );
    let module = if randomized { module.valid() } else { module };
    let x: Vec<f32> = xs.iter().map(|&v| v as f32).collect();
    let n = x.len();
    let input = Tensor::<1>::from_data(TensorData::new(x.clone(), [n]), &device).require_grad();
    let y = module.forward(input.clone());
    let grads = y.clone().sum().backward();
    let derivative = input
        .grad(&grads)
        .map(to_vec)
        .unwrap_or_else(|| vec![0.0; n]);
    let params = module
        .params()
        .into_iter()
        .map(|(name, p)| ParamEvaluation {
            name,
            gradient: p.grad(&grads).map(to_vec).unwrap_or_default(),
            value: to_vec(p),
        })
        .collect();
    PointEvaluation {
        activation: spec.name().to_string(),
        x,
        value: to_vec(y),
        derivative,
        params,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spec::ActivationKind;

    #[test]
    fn telu_values_derivatives_and_alpha_gradient() {
        let e = evaluate_points(
            &ActivationKind::TeLU.into(),
            &[-1.0, 0.0, 2.0],
            7,
            &Device::flex(),
        );
        assert_eq!(e.x, [-1.0, 0.0, 2.0]);
        let want = [(-1f64).exp() - 1.0, 0.0, 2.0];
        for (got, want) in e.value.iter().zip(want) {
            assert!((*got as f64 - want).abs() < 1e-6);
        }
        let slope = [(-1f64).exp(), 1.0, 1.0];
        for (got, want) in e.derivative.iter().zip(slope) {
            assert!((*got as f64 - want).abs() < 1e-6, "{got} vs {want}");
        }
        assert_eq!(e.params.len(), 1);
        assert_eq!(e.params[0].value, [1.0]);
        // d/dalpha of sum: (e^-1 - 1) + (e^0 - 1) + 0
        assert!((e.params[0].gradient[0] as f64 - ((-1f64).exp() - 1.0)).abs() < 1e-6);
    }

    #[test]
    fn fixed_functions_have_no_parameters_and_rrelu_is_deterministic() {
        let e = evaluate_points(
            &ActivationKind::RReLU.into(),
            &[-2.0, 3.0],
            1,
            &Device::flex(),
        );
        assert!(e.params.is_empty());
        assert!((e.value[0] as f64 + 2.0 * 11.0 / 48.0).abs() < 1e-6);
        assert_eq!(e.derivative[1], 1.0);
    }
}
