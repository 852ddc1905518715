//! The PyTorch modules of the committed study (`discovered.py`) compute what actlab
//! computes for the same definitions (`discovered.toml`): values, derivatives and the
//! parameters' gradients, against PyTorch's own numbers in
//! `tests/fixtures/discovered-pytorch.json` (`bash scripts/check-discovered-pytorch.sh
//! results/reference/search-rediscovery` writes it again).

use std::path::PathBuf;

use burn::tensor::Device;
use serde_json::Value;
use spec::{ActivationSpec, CustomActivation};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[derive(serde::Deserialize)]
struct Definitions {
    activation: Vec<CustomActivation>,
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn the_discovered_pytorch_modules_compute_actlabs_values() {
    let fixture: Value = serde_json::from_str(
        &std::fs::read_to_string(
            root().join("crates/search/tests/fixtures/discovered-pytorch.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let study = root().join(fixture["study"].as_str().unwrap());
    let defs: Definitions =
        toml::from_str(&std::fs::read_to_string(study.join("discovered.toml")).unwrap()).unwrap();
    let torch_modules = fixture["modules"].as_object().unwrap();
    assert_eq!(
        torch_modules.len(),
        defs.activation.len(),
        "discovered.py and discovered.toml name the same candidates"
    );
    let xs: Vec<f64> = fixture["x"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let numbers = |v: &Value| -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    let mut compared = 0;
    for def in &defs.activation {
        let torch = &torch_modules[&def.name];
        let ours = acts::evaluate_points(
            &ActivationSpec::Custom(def.compile().unwrap()),
            &xs,
            0,
            &Device::flex(),
        );
        for (what, theirs, mine, tolerance) in [
            ("value", numbers(&torch["value"]), &ours.value, 1e-5),
            (
                "derivative",
                numbers(&torch["derivative"]),
                &ours.derivative,
                1e-4,
            ),
        ] {
            for (i, (t, m)) in theirs.iter().zip(mine.iter()).enumerate() {
                assert!(
                    close(*t, f64::from(*m), tolerance),
                    "{} ({}): {what} at x = {}: PyTorch {t}, actlab {m}",
                    def.name,
                    def.expr,
                    xs[i]
                );
                compared += 1;
            }
        }
        for p in &ours.params {
            let t = torch["params"][&p.name].as_f64().unwrap();
            let m: f64 = p.gradient.iter().map(|&g| f64::from(g)).sum();
            // Summed over 49 inputs: float32 rounding of the sum grows with it.
            assert!(
                close(t, m, 1e-4),
                "{}: gradient of {}: PyTorch {t}, actlab {m}",
                def.name,
                p.name
            );
            compared += 1;
        }
    }
    assert!(compared >= 2 * xs.len(), "only {compared} numbers compared");
}
