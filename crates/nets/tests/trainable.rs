//! Every trainable activation learns, in every scope: after one backward pass each of its
//! parameters has a non-zero gradient, and one optimiser step changes it.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{GradientsParams, SgdConfig};
use burn::tensor::{Device, Distribution, Int, Tensor, TensorData};
use nets::SimpleNetwork;
use spec::{
    ActivationConfig, ActivationKind, ActivationSpec, CustomActivation, NetworkConfig, Scope,
};

fn activation_params(model: &SimpleNetwork) -> Vec<(String, Tensor<1>)> {
    model
        .activations
        .iter()
        .enumerate()
        .flat_map(|(i, a)| {
            a.params()
                .into_iter()
                .map(move |(name, t)| (format!("activation {i} {name}"), t))
        })
        .collect()
}

/// Parameter tensors per module instance (a registry parameter may hold many scalars).
fn param_tensors(spec: &ActivationSpec) -> usize {
    spec.params().len()
}

fn values(t: Tensor<1>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().unwrap()
}

#[test]
fn trainable_activations_get_gradients_and_move_in_every_scope() {
    let device = Device::flex().autodiff();
    let mut trainable: Vec<ActivationSpec> = ActivationKind::all()
        .filter(|k| k.is_trainable())
        .map(ActivationSpec::from)
        .collect();
    assert!(trainable.len() >= 6, "{trainable:?}");
    // A user-defined one, as a TOML [[activation]] table would declare it.
    trainable.push(ActivationSpec::Custom(
        CustomActivation {
            name: "SwiGELU2".into(),
            expr: "0.5 * (x * sigmoid(beta * x) + gelu(x)) + where(x < 0, k * x, 0)".into(),
            params: [("beta".to_string(), 1.0), ("k".to_string(), 0.1)].into(),
            mix: Vec::new(),
        }
        .compile()
        .unwrap(),
    ));
    // And a learned mixture of registry functions.
    trainable.push(ActivationSpec::Custom(
        CustomActivation {
            name: "Mix3".into(),
            expr: String::new(),
            params: Default::default(),
            mix: vec!["ReLU".into(), "Tanh".into(), "GELU".into()],
        }
        .compile()
        .unwrap(),
    ));
    for kind in trainable {
        for scope in [Scope::Shared, Scope::PerLayer, Scope::PerNeuron] {
            let mut config =
                NetworkConfig::book(ActivationConfig::new(kind.clone()).with_scope(scope))
                    .with_hidden(vec![12, 8]);
            config.input = 6;
            let model = SimpleNetwork::new(&config, &device).unwrap();
            let expected = if scope == Scope::Shared { 1 } else { 2 };
            assert_eq!(model.activations.len(), expected, "{kind} {scope}");

            // Inputs of both signs, so every branch of every function is exercised.
            let x = Tensor::<2>::random([32, 6], Distribution::Normal(0.0, 2.0), &device);
            let labels: Vec<i64> = (0..32).map(|i| i % 10).collect();
            let y = Tensor::<1, Int>::from_data(TensorData::new(labels, [32]), &device);
            let loss = CrossEntropyLossConfig::new()
                .init(&device)
                .forward(model.forward(x), y);
            let grads = loss.backward();

            let before = activation_params(&model);
            assert_eq!(
                before.len(),
                expected * param_tensors(&kind),
                "{kind} {scope}"
            );
            // Per neuron, each module holds a parameter set per unit of its layer.
            let scalars: usize = before.iter().map(|(_, t)| t.dims()[0]).sum();
            let units: usize = match scope {
                Scope::Shared => 1,
                Scope::PerLayer => 2,
                Scope::PerNeuron => 12 + 8,
            };
            let per_unit = config.activation.as_ref().unwrap().kind.param_count();
            assert_eq!(scalars, units * per_unit, "{kind} {scope}");
            for (name, tensor) in &before {
                let grad = tensor
                    .grad(&grads)
                    .unwrap_or_else(|| panic!("{kind} {scope}: {name} has no gradient"));
                let grad = values(grad);
                assert!(
                    grad.iter().all(|g| g.is_finite()),
                    "{kind} {scope}: {name} gradient {grad:?}"
                );
                assert!(
                    grad.iter().any(|g| *g != 0.0),
                    "{kind} {scope}: {name} gradient is zero"
                );
            }

            let grads = GradientsParams::from_grads(grads, &model);
            let mut optimizer = SgdConfig::new().init();
            let stepped = optimizer.step(0.1, model.clone(), grads);
            for ((name, old), (_, new)) in before.into_iter().zip(activation_params(&stepped)) {
                let (old, new) = (values(old), values(new));
                assert_ne!(
                    old, new,
                    "{kind} {scope}: {name} did not change after a step"
                );
            }
        }
    }
}
