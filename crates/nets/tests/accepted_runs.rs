//! Accepted means runnable: every config and expression that `check()` accepts builds a
//! network (at tiny widths, on flex) that runs a forward and a backward pass on a random
//! batch without panicking. Non-finite outputs are allowed: training reports them as the
//! run's divergence.
//!
//! The inputs: the committed fuzz corpora (fuzz/corpus/config, fuzz/corpus/expr), and
//! configs and expressions generated from a seeded SplitMix64 stream (every registry
//! activation, scope, layer kind and Fourier option; expression trees over every
//! function of the language, with numbers at float32's edges). `ACTLAB_PROPERTY_CASES`
//! sets how many are generated (default 1500), `ACTLAB_PROPERTY_SEED` the stream's seed.
//! The first 200,000 of the default stream found one panic: Burn's `powf_scalar` with an
//! integer-valued exponent beyond i64 (`x ^ 3.4e38`), now avoided in acts.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Device, Distribution, Int, Tensor, TensorData};
use nets::SimpleNetwork;
use spec::{
    ActivationConfig, ActivationKind, ActivationSpec, CustomActivation, Experiment, ExperimentFile,
    FourierInit, FourierOptions, InitScheme, LayerKind, NetworkConfig, Scope, rng::SplitMix64,
};

/// This crate's folder, as cargo gives it to the running test (a build folder shared
/// between clones can hand a fresh clone a test binary compiled in another one, whose
/// compile-time `env!("CARGO_MANIFEST_DIR")` would point there).
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// Builds `network` at widths [3, 2] and runs a forward and backward pass on 4 random
/// samples; `Err` with the panic's message when anything panics.
fn runs(network: &NetworkConfig, device: &Device) -> Result<(), String> {
    let tiny = network.clone().with_hidden(vec![3, 2]);
    catch_unwind(AssertUnwindSafe(|| {
        let model = SimpleNetwork::new(&tiny, device).expect("a checked network builds");
        let x = Tensor::<2>::random([4, tiny.input], Distribution::Normal(0.0, 2.0), device);
        let labels = Tensor::<1, Int>::from_data(TensorData::from([0i64, 1, 2, 3]), device);
        let loss = CrossEntropyLossConfig::new()
            .init(device)
            .forward(model.forward(x), labels);
        let _ = loss.backward();
    }))
    .map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

/// Every network an accepted experiment plans runs.
fn every_run_runs(experiment: &Experiment, what: &str, device: &Device) {
    for run in experiment.runs() {
        if let Err(panic) = runs(run.network(), device) {
            panic!("{what}: {} was accepted but panics: {panic}", run.name());
        }
    }
}

fn corpus(name: &str) -> Vec<(String, String)> {
    let dir = manifest_dir().join("../../fuzz/corpus").join(name);
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("the fuzz corpus is committed")
        .flatten()
        .filter_map(|e| {
            let text = String::from_utf8(std::fs::read(e.path()).ok()?).ok()?;
            Some((e.path().display().to_string(), text))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn the_config_corpus_runs_where_it_is_accepted() {
    let device = Device::flex().autodiff();
    let mut accepted = 0;
    for (path, text) in corpus("config") {
        let Ok(experiment) =
            ExperimentFile::parse(&text, Path::new(&path)).and_then(|f| f.check("corpus"))
        else {
            continue;
        };
        accepted += 1;
        every_run_runs(&experiment, &path, &device);
    }
    assert!(accepted >= 1, "no corpus config is accepted");
}

#[test]
fn the_expression_corpus_runs_where_it_is_accepted() {
    let device = Device::flex().autodiff();
    let mut accepted = 0;
    for (path, text) in corpus("expr") {
        if let Some(network) = custom_network(&text, Scope::Shared, LayerKind::Linear) {
            accepted += 1;
            if let Err(panic) = runs(&network, &device) {
                panic!("{path}: {text:?} was accepted but panics: {panic}");
            }
        }
    }
    assert!(accepted >= 1, "no corpus expression is accepted");
}

/// The network of a definition with expression `expr` (parameters a and beta, as the
/// expr fuzz target gives them), when the definition is accepted.
fn custom_network(expr: &str, scope: Scope, layer: LayerKind) -> Option<NetworkConfig> {
    let mut params = std::collections::BTreeMap::new();
    for name in ["a", "beta"] {
        if expr.contains(name) {
            params.insert(name.to_string(), 0.5);
        }
    }
    let definition = CustomActivation {
        name: "Generated".into(),
        expr: expr.to_string(),
        params,
        mix: Vec::new(),
    }
    .compile()
    .ok()?;
    Some(
        NetworkConfig::book(
            ActivationConfig::new(ActivationSpec::Custom(definition)).with_scope(scope),
        )
        .with_layer(layer),
    )
}

/// Numbers at the edges of float32, and ordinary ones.
const NUMBERS: [&str; 16] = [
    "0", "1", "2", "0.5", "3", "1e-45", "1e-38", "1e38", "3.4e38", "88.7", "89", "100", "1e30",
    "0.001", "64", "65",
];

/// A random expression of depth at most `depth` over x, a, beta and every function.
fn expression(rng: &mut SplitMix64, depth: usize, functions: &[String]) -> String {
    let leaf = |rng: &mut SplitMix64| -> String {
        match rng.below(6) {
            0 | 1 => "x".into(),
            2 => "a".into(),
            3 => "beta".into(),
            _ => NUMBERS[rng.below(NUMBERS.len())].into(),
        }
    };
    if depth == 0 || rng.below(4) == 0 {
        return leaf(rng);
    }
    let sub = |rng: &mut SplitMix64| expression(rng, depth - 1, functions);
    match rng.below(7) {
        0 => format!("-({})", sub(rng)),
        1 | 2 => {
            let op = ["+", "-", "*", "/", "^"][rng.below(5)];
            format!("({}) {op} ({})", sub(rng), sub(rng))
        }
        3 => {
            let f = &functions[rng.below(functions.len())];
            match f.as_str() {
                "min" | "max" => format!("{f}({}, {})", sub(rng), sub(rng)),
                "where" => {
                    let cmp = ["<", "<=", ">", ">="][rng.below(4)];
                    format!(
                        "where({} {cmp} {}, {}, {})",
                        sub(rng),
                        sub(rng),
                        sub(rng),
                        sub(rng)
                    )
                }
                _ => format!("{f}({})", sub(rng)),
            }
        }
        4 => format!("{} ^ {}", sub(rng), NUMBERS[rng.below(NUMBERS.len())]),
        _ => sub(rng),
    }
}

/// A random configuration of the registry: activation, scope, layer kind, widths, and
/// the Fourier options.
fn registry_network(rng: &mut SplitMix64) -> NetworkConfig {
    let kinds: Vec<ActivationKind> = ActivationKind::all().collect();
    let kind = kinds[rng.below(kinds.len())];
    let scope = [Scope::Shared, Scope::PerLayer, Scope::PerNeuron][rng.below(3)];
    let layer = [LayerKind::Linear, LayerKind::Glu][rng.below(2)];
    let spec = if kind == ActivationKind::Fourier {
        ActivationSpec::Fourier(FourierOptions {
            tau: 1 + rng.below(40),
            init: [FourierInit::Normal, FourierInit::Paper][rng.below(2)],
            omega0: [1e-30, 0.5, 30.0, 1e30, 3.4e38][rng.below(5)],
        })
    } else {
        ActivationSpec::Builtin(kind)
    };
    // A gated network draws its own weights; a plain one any scheme.
    let init = match layer {
        LayerKind::Linear => InitScheme::ALL[rng.below(InitScheme::ALL.len())],
        LayerKind::Glu => InitScheme::Pytorch,
    };
    NetworkConfig::book(ActivationConfig::new(spec).with_scope(scope))
        .with_layer(layer)
        .with_init(init)
}

#[test]
fn generated_configs_and_expressions_run_where_they_are_accepted() {
    let cases: usize = std::env::var("ACTLAB_PROPERTY_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500);
    let device = Device::flex().autodiff();
    let functions = spec::function_names();
    let seed: u64 = std::env::var("ACTLAB_PROPERTY_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_ac71);
    let mut rng = SplitMix64::new(seed);
    let (mut accepted, mut refused) = (0usize, 0usize);
    for case in 0..cases {
        let (what, network) = if case % 3 == 0 {
            let network = registry_network(&mut rng);
            if network.check().is_err() {
                refused += 1;
                continue;
            }
            (format!("{network:?}"), network)
        } else {
            let text = expression(&mut rng, 4, &functions);
            let scope = [Scope::Shared, Scope::PerLayer, Scope::PerNeuron][rng.below(3)];
            let layer = [LayerKind::Linear, LayerKind::Glu][rng.below(2)];
            match custom_network(&text, scope, layer) {
                Some(network) => (format!("{text:?} ({scope}, {layer})"), network),
                None => {
                    refused += 1;
                    continue;
                }
            }
        };
        accepted += 1;
        if let Err(panic) = runs(&network, &device) {
            panic!("case {case}: {what} was accepted but panics: {panic}");
        }
    }
    // The generator must exercise both sides of check(), or it tests nothing.
    assert!(
        accepted > cases / 4 && refused > cases / 20,
        "{accepted} accepted, {refused} refused of {cases}"
    );
    eprintln!("{cases} generated: {accepted} accepted and ran, {refused} refused by check()");
}
