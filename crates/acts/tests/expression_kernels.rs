//! User expressions compiled to fused kernels against the composed tensor operations
//! that Burn differentiates: values, input gradients and parameter gradients, for every
//! expression of the committed fuzz corpus that parses and 1,000 generated ones (seeded),
//! per neuron on one row (so that each parameter gradient is one element's, compared
//! element by element) and shared over many rows (the gradient sums, within the bound
//! that the elements' tolerances add up to). Tolerance: 4 ulp of the composed value or
//! 1e-6 absolute, the float32 parity suite's. Where the composed result is not finite
//! (a `where` whose other branch is, say, `log` of a negative number: Burn multiplies its
//! NaN gradient by the mask's zero) the point is not compared; the share of such points is
//! bounded below. Mixtures likewise against their float64 weighted sums. The tests switch
//! the expression kernels off and on for the whole process, so each holds [`PATHS`].
//! With `ACTLAB_TEST_DEVICE=wgpu` they run on the GPU kernels (`scripts/check-wgpu.sh`),
//! with [`GENERATED_ON_GPU`] generated expressions: each compiles a kernel of its own,
//! which software Vulkan does slowly.

use std::collections::BTreeMap;

use acts::{Activation, set_expression_kernels};
use burn::tensor::{Tensor, TensorData};
use spec::{ActivationSpec, Compiled, CustomActivation, Expr};

mod common;
#[path = "expression_kernels/truth.rs"]
mod truth;

/// Deterministic draws (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const PARAMS: [&str; 2] = ["a", "beta"];

/// Held by each test while it switches the expression kernels (a process-wide setting).
static PATHS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A random expression of about `budget` nodes over the language: arithmetic, powers,
/// every one-argument function (guarded where the composed path would give inf or NaN
/// inside the range: log and sqrt of `abs(.) + 0.5`, exp of a clamped argument, division
/// by `1 + abs(.)`), min/max, where, registry functions, x, both parameters, constants.
fn generate(rng: &mut Rng, budget: usize) -> String {
    if budget <= 1 {
        return match rng.below(6) {
            0..=2 => "x".to_string(),
            3 => "a".to_string(),
            4 => "beta".to_string(),
            _ => format!("{:.3}", rng.uniform(-2.0, 2.0)),
        };
    }
    let left = 1 + rng.below(budget - 1);
    let right = (budget - 1 - left).max(1);
    match rng.below(14) {
        0 => format!("({} + {})", generate(rng, left), generate(rng, right)),
        1 => format!("({} - {})", generate(rng, left), generate(rng, right)),
        2 | 3 => format!("({} * {})", generate(rng, left), generate(rng, right)),
        4 => format!(
            "({} / (1 + abs({})))",
            generate(rng, left),
            generate(rng, right)
        ),
        // Powers: small integers (products in Burn), a larger or negative integer, a
        // fraction of a positive base, a number to a bounded power, a positive base to a
        // bounded exponent (tensor ^ tensor); and a number over or minus a tensor.
        5 => match rng.below(7) {
            0 | 1 => format!("({}) ^ {}", generate(rng, budget - 1), 2 + rng.below(3)),
            2 => format!(
                "(1 + abs({})) ^ {}",
                generate(rng, budget - 1),
                ["-1", "-2", "5", "-3"][rng.below(4)]
            ),
            3 => format!("(abs({}) + 0.5) ^ 1.5", generate(rng, budget - 1)),
            4 => format!("2 ^ tanh({})", generate(rng, budget - 1)),
            5 => format!(
                "(abs({}) + 0.5) ^ sigmoid({})",
                generate(rng, left),
                generate(rng, right)
            ),
            _ => format!(
                "{} {} (1 + abs({}))",
                ["1.5", "-0.7"][rng.below(2)],
                ["/", "-"][rng.below(2)],
                generate(rng, budget - 1)
            ),
        },
        6 => format!("exp(min({}, 5))", generate(rng, budget - 1)),
        7 => format!("log(abs({}) + 0.5)", generate(rng, budget - 1)),
        8 => format!("sqrt(abs({}) + 0.5)", generate(rng, budget - 1)),
        9 => format!(
            "{}({})",
            ["sin", "cos", "abs", "erf"][rng.below(4)],
            generate(rng, budget - 1)
        ),
        10 => format!(
            "{}({}, {})",
            ["min", "max"][rng.below(2)],
            generate(rng, left),
            generate(rng, right)
        ),
        11 => {
            let cmp = ["<", "<=", ">", ">="][rng.below(4)];
            let third = (right / 2).max(1);
            format!(
                "where({} {cmp} {}, {}, {})",
                generate(rng, 1),
                generate(rng, 1),
                generate(rng, left),
                generate(rng, third)
            )
        }
        _ => {
            const FUNCTIONS: [&str; 12] = [
                "sigmoid",
                "tanh",
                "gelu",
                "softplus",
                "relu",
                "silu",
                "mish",
                "elu",
                "leakyrelu",
                "hardswish",
                "softsign",
                "selu",
            ];
            format!(
                "{}({})",
                FUNCTIONS[rng.below(FUNCTIONS.len())],
                generate(rng, budget - 1)
            )
        }
    }
}

/// The definition of `text` with the parameters it uses; `None` if it does not compile.
fn definition(text: &str, rng: &mut Rng) -> Option<spec::Definition> {
    let names: Vec<String> = PARAMS.iter().map(|s| s.to_string()).collect();
    let parsed = Expr::parse(text, &names).ok()?;
    let params: BTreeMap<String, f64> = names
        .iter()
        .enumerate()
        .filter(|(i, _)| parsed.uses_param(*i))
        .map(|(_, n)| (n.clone(), rng.uniform(0.3, 1.5)))
        .collect();
    CustomActivation {
        name: "Expr".into(),
        expr: text.into(),
        params,
        mix: Vec::new(),
    }
    .compile()
    .ok()
}

/// Value, input gradient and parameter gradients of `module` at x under the weighted sum
/// `sum(y * weights)`.
fn evaluate(module: &Activation, x: &Tensor<2>, weights: &Tensor<2>) -> Vec<Vec<f32>> {
    let x = x.clone().require_grad();
    let y = module.forward(x.clone());
    // `+ 0 x` keeps the loss tracked when the expression reads neither x nor a parameter
    // (adding an exact zero changes no value: x is finite).
    let loss = (y.clone() * weights.clone()).sum() + x.clone().mul_scalar(0.0).sum();
    let grads = loss.backward();
    // An expression that does not read x (or a parameter) has no gradient for it: zeros.
    let flat = |g: Option<Tensor<2>>, n: usize| -> Vec<f32> {
        g.map_or(vec![0.0; n], |g| g.into_data().try_into_vec().unwrap())
    };
    let n = x.dims().iter().product();
    let mut out = vec![
        y.into_data().try_into_vec::<f32>().unwrap(),
        flat(x.grad(&grads), n),
    ];
    for (_, p) in module.params() {
        let size = p.dims()[0];
        let g = p.grad(&grads).map(|g| g.reshape([1, size]));
        out.push(flat(g, size));
    }
    out
}

/// The incoming gradient of every comparison: cos(0.7 x), so that it is not all ones.
fn upstream(x: &[f32]) -> Vec<f32> {
    x.iter().map(|&v| (0.7 * v).cos()).collect()
}

/// `module` evaluated at x (`[rows, x.len() / rows]`) with expression kernels off, then
/// on: (composed, fused), each as [`evaluate`] gives it.
fn both_paths(module: &Activation, x: &[f32], rows: usize) -> (Vec<Vec<f32>>, Vec<Vec<f32>>) {
    let device = common::test_device().autodiff();
    let shape = [rows, x.len() / rows];
    let tensor = |v: Vec<f32>| Tensor::<2>::from_data(TensorData::new(v, shape), &device);
    let (xt, wt) = (tensor(x.to_vec()), tensor(upstream(x)));
    set_expression_kernels(false);
    let composed = evaluate(module, &xt, &wt);
    set_expression_kernels(true);
    let operations = acts::gpu_kernel_operations();
    let fused = evaluate(module, &xt, &wt);
    assert!(
        !acts::is_cube(&device) || acts::gpu_kernel_operations() > operations,
        "no GPU kernel ran with the expression kernels on"
    );
    (composed, fused)
}

/// The same outputs in float64 by dual numbers: values and input gradients per element,
/// parameter gradients summed per unit (`params[k]` has one value per unit, or one);
/// every intermediate perturbed by `rounding`.
fn truth(
    expr: &Expr,
    x: &[f32],
    weights: &[f32],
    params: &[Vec<f32>],
    rounding: &mut impl truth::Rounding,
) -> Vec<Vec<f64>> {
    let units = params.first().map_or(1, Vec::len);
    let mut out = vec![vec![0.0; x.len()], vec![0.0; x.len()]];
    out.extend(params.iter().map(|p| vec![0.0; p.len()]));
    for (i, (&x, &w)) in x.iter().zip(weights).enumerate() {
        let unit = i % units;
        let values: Vec<f64> = params.iter().map(|p| p[unit % p.len()] as f64).collect();
        let dual = truth::eval::<3>(expr, x as f64, &values, rounding);
        out[0][i] = dual.v;
        out[1][i] = w as f64 * dual.d[0];
        for k in 0..params.len() {
            out[2 + k][unit % params[k].len()] += w as f64 * dual.d[k + 1];
        }
    }
    out
}

fn ulp(v: f32) -> f32 {
    v.abs().next_up() - v.abs()
}

/// Points compared, skipped (composed not finite), bit-identical, and beyond the
/// tolerance but within the point's float32 noise: with the fused result further from
/// float64 than the composed one (ill-conditioned), or nearer (the composed operations
/// the less accurate: on a GPU, Burn's powers are `2^(b log2 a)` in float32).
#[derive(Default)]
struct Tally {
    compared: usize,
    skipped: usize,
    identical: usize,
    conditioned: usize,
    fused_nearer: usize,
}

/// How much further from float64 the fused result may be than the composed one where
/// the two disagree beyond the tolerance.
const AS_ACCURATE: f64 = 4.0;

/// A point's float32 noise: the composed path's own error against float64, or the
/// Monte Carlo arithmetic spread, whichever is larger.
struct Noise<'a> {
    exact: &'a [f64],
    spread: &'a [f64],
}

/// Random relative errors of up to 2^-23 (an ulp of float32's mantissa either way: a
/// correctly rounded operation errs by half that, vmath's functions by up to 2 ulp).
struct Float32Noise(Rng);

impl truth::Rounding for Float32Noise {
    fn error(&mut self) -> f64 {
        self.0.uniform(-1.0, 1.0) * f64::powi(2.0, -23)
    }
}

/// Runs of Monte Carlo arithmetic per comparison.
const NOISE_RUNS: usize = 4;

/// Element by element: within 4 ulp of the composed value or `abs`; else no further
/// from the float64 value than [`AS_ACCURATE`] times the point's float32 noise, plus the
/// tolerance. The second case is where a composition is ill-conditioned: `cos(e^u)` with
/// e^u near 148 turns an ulp of the argument into 1.5e-5, a fourth power quadruples an
/// exp's rounding (and vmath's functions are within 2 ulp where glibc's are within one).
fn check(what: &str, fused: &[f32], composed: &[f32], noise: Noise, abs: f32, tally: &mut Tally) {
    assert_eq!(fused.len(), composed.len(), "{what}: lengths");
    for (i, (&f, &c)) in fused.iter().zip(composed).enumerate() {
        if !c.is_finite() {
            tally.skipped += 1;
            continue;
        }
        tally.compared += 1;
        tally.identical += (f.to_bits() == c.to_bits()) as usize;
        let tol = abs.max(4.0 * ulp(c));
        if (f - c).abs() <= tol {
            continue;
        }
        let t = noise.exact[i];
        let (fused_error, composed_error) = ((f as f64 - t).abs(), (c as f64 - t).abs());
        let allowed = AS_ACCURATE * composed_error.max(noise.spread[i]) + tol as f64;
        assert!(
            fused_error <= allowed,
            "{what}[{i}]: fused {f:e}, composed {c:e} (tolerance {tol:e}); float64 {t:e}, \
             float32 noise {:e}",
            noise.spread[i]
        );
        if fused_error <= composed_error {
            tally.fused_nearer += 1;
        } else {
            tally.conditioned += 1;
        }
    }
}

/// Both paths on one module with the given parameter values (one per unit, or one),
/// against float64: per-element values and input gradients; parameter gradients
/// element-wise on one row, else sums within `rows` times the element tolerance.
fn compare(
    text: &str,
    expr: &Expr,
    module: &Activation,
    x: &[f32],
    rows: usize,
    tally: &mut Tally,
) {
    let weights = upstream(x);
    let params: Vec<Vec<f32>> = module
        .params()
        .into_iter()
        .map(|(_, p)| p.into_data().try_into_vec::<f32>().unwrap())
        .collect();
    let (composed, fused) = both_paths(module, x, rows);
    let exact = truth(expr, x, &weights, &params, &mut truth::Exact);
    let mut rounding = Float32Noise(Rng(x.len() as u64));
    let mut spread: Vec<Vec<f64>> = exact.iter().map(|e| vec![0.0; e.len()]).collect();
    for _ in 0..NOISE_RUNS {
        let run = truth(expr, x, &weights, &params, &mut rounding);
        for ((s, r), e) in spread.iter_mut().zip(&run).zip(&exact) {
            for ((s, r), e) in s.iter_mut().zip(r).zip(e) {
                *s = s.max((r - e).abs());
            }
        }
    }
    let noise = |k: usize| Noise {
        exact: &exact[k],
        spread: &spread[k],
    };
    check(
        &format!("{text}: value"),
        &fused[0],
        &composed[0],
        noise(0),
        1e-6,
        tally,
    );
    check(
        &format!("{text}: dx"),
        &fused[1],
        &composed[1],
        noise(1),
        1e-6,
        tally,
    );
    for k in 2..fused.len() {
        let scale = composed[k].iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let abs = if rows == 1 {
            1e-6
        } else {
            rows as f32 * 1e-6 + 1e-5 * scale
        };
        let what = format!("{text}: param {}", k - 2);
        check(&what, &fused[k], &composed[k], noise(k), abs, tally);
    }
}

/// x: exact joints (0, ±1, ±3, 6), then uniform draws over [-5, 5].
fn points(rng: &mut Rng, n: usize) -> Vec<f32> {
    let joints = [0.0f32, 1.0, -1.0, 3.0, -3.0, 6.0, 0.5, -0.5];
    joints
        .iter()
        .copied()
        .chain((joints.len()..n).map(|_| rng.uniform(-5.0, 5.0) as f32))
        .take(n)
        .collect()
}

fn corpus() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/expr");
    let mut texts: Vec<String> = std::fs::read_dir(&dir)
        .expect("fuzz/corpus/expr exists")
        .filter_map(|e| String::from_utf8(std::fs::read(e.unwrap().path()).unwrap()).ok())
        .collect();
    texts.sort();
    texts
}

/// Generated expressions checked on a GPU device (1,000 on the CPU).
const GENERATED_ON_GPU: usize = 200;

#[test]
fn compiled_expressions_match_the_composed_operations() {
    let _paths = PATHS.lock().unwrap_or_else(|e| e.into_inner());
    let device = common::test_device().autodiff();
    let mut rng = Rng(2026);
    const UNITS: usize = 96;
    const ROWS: usize = 40;
    let mut texts: Vec<(String, bool)> = corpus().into_iter().map(|t| (t, true)).collect();
    let generated = if acts::is_cube(&device) {
        GENERATED_ON_GPU
    } else {
        1000
    };
    texts.extend((0..generated).map(|i| (generate(&mut rng, 3 + i % 10), false)));
    let (mut corpus_checked, mut generated_checked) = (0, 0);
    // Expressions with a point beyond 4 ulp / 1e-6 (within the noise).
    let mut expressions_conditioned = 0;
    let mut tally = Tally::default();
    for (text, from_corpus) in &texts {
        let Some(definition) = definition(text, &mut rng) else {
            assert!(*from_corpus, "generated {text:?} does not compile");
            continue;
        };
        let Compiled::Expression(expr) = definition.compiled() else {
            unreachable!("an expression")
        };
        let spec = ActivationSpec::Custom(definition.clone());
        let module = Activation::init(&spec, UNITS, &device);
        assert!(
            matches!(&module, Activation::Custom(m) if m.kernel().is_ok()),
            "{text:?} was not compiled"
        );
        let count = module.params().len();
        // Per neuron, each unit its own values, on one row.
        let values: Vec<Vec<f64>> = (0..count)
            .map(|_| (0..UNITS).map(|_| rng.uniform(0.3, 1.5)).collect())
            .collect();
        let per_neuron = module.with_param_values(&values).expect("values fit");
        let before = tally.conditioned;
        compare(
            text,
            expr,
            &per_neuron,
            &points(&mut rng, UNITS),
            1,
            &mut tally,
        );
        // Shared, over many rows.
        let shared = Activation::init(&spec, 1, &device);
        let x = points(&mut rng, ROWS * UNITS);
        compare(text, expr, &shared, &x, ROWS, &mut tally);
        expressions_conditioned += (tally.conditioned > before) as usize;
        if *from_corpus {
            corpus_checked += 1;
        } else {
            generated_checked += 1;
        }
    }
    println!(
        "{corpus_checked} corpus and {generated_checked} generated expressions; {} values \
         compared: {} bit-identical; {} beyond 4 ulp / 1e-6 of composed (in \
         {expressions_conditioned} expressions), each within {AS_ACCURATE} times the point's \
         float32 noise; {} more beyond it but nearer float64 than composed; {} skipped \
         (composed not finite)",
        tally.compared, tally.identical, tally.conditioned, tally.fused_nearer, tally.skipped
    );
    assert!(
        corpus_checked >= 12,
        "only {corpus_checked} corpus expressions parse"
    );
    assert_eq!(generated_checked, generated);
    // Ill-conditioned points are the exception: 99.5 % agree within 4 ulp / 1e-6 or are
    // nearer float64 than the composed result (a fused function a few ulp off everywhere
    // would push thousands of expressions past it).
    assert!(
        tally.conditioned * 200 <= tally.compared,
        "{} of {} points beyond 4 ulp / 1e-6 and further from float64 than composed",
        tally.conditioned,
        tally.compared
    );
    assert!(
        tally.skipped * 100 <= tally.compared,
        "{} of {} points skipped",
        tally.skipped,
        tally.compared
    );
}

/// A mixture's weighted sum compiled, against composed and float64: values, input
/// gradients and the weight logits' gradients (through Burn's softmax on both paths),
/// per neuron and shared.
fn compare_mixture(functions: &[&str], tally: &mut Tally, rng: &mut Rng) {
    let device = common::test_device().autodiff();
    let mix = CustomActivation {
        name: "Mix".into(),
        expr: String::new(),
        params: BTreeMap::new(),
        mix: functions.iter().map(|f| f.to_string()).collect(),
    };
    let definition = mix.compile().expect("a valid mixture");
    let Compiled::Mixture(fns) = definition.compiled() else {
        unreachable!("a mixture")
    };
    let spec = ActivationSpec::Custom(definition.clone());
    let k = fns.len();
    for (units, rows) in [(48usize, 1usize), (1, 30)] {
        let width = 48;
        let logits: Vec<f64> = (0..k * units).map(|_| rng.uniform(-1.0, 1.0)).collect();
        let module = Activation::init(&spec, units, &device)
            .with_param_values(std::slice::from_ref(&logits))
            .expect("logits fit");
        let x = points(rng, rows * width);
        let weights = upstream(&x);
        let (composed, fused) = both_paths(&module, &x, rows);
        // float64: s = softmax over the functions per unit; y = sum s_i f_i; the logits'
        // gradient is s_j (f_j - y) times the incoming gradient.
        let logits: Vec<f64> = logits.iter().map(|&l| l as f32 as f64).collect();
        let mut exact = [vec![0.0; x.len()], vec![0.0; x.len()], vec![0.0; k * units]];
        for (i, (&x, &w)) in x.iter().zip(&weights).enumerate() {
            let unit = (i % width) % units;
            let column: Vec<f64> = (0..k).map(|j| logits[j * units + unit]).collect();
            let top = column.iter().cloned().fold(f64::MIN, f64::max);
            let e: Vec<f64> = column.iter().map(|l| (l - top).exp()).collect();
            let s: Vec<f64> = e.iter().map(|v| v / e.iter().sum::<f64>()).collect();
            let parts: Vec<(f64, f64)> =
                fns.iter().map(|&f| truth::registry(f, x as f64)).collect();
            let y: f64 = parts.iter().zip(&s).map(|((v, _), s)| s * v).sum();
            exact[0][i] = y;
            exact[1][i] = w as f64 * parts.iter().zip(&s).map(|((_, d), s)| s * d).sum::<f64>();
            for j in 0..k {
                exact[2][j * units + unit] += w as f64 * s[j] * (parts[j].0 - y);
            }
        }
        let quiet: Vec<Vec<f64>> = exact.iter().map(|e| vec![0.0; e.len()]).collect();
        let name = format!("mixture {functions:?}, {units} unit(s)");
        for out in 0..3 {
            let abs = if out == 2 && rows > 1 {
                rows as f32 * 1e-6
            } else {
                1e-6
            };
            let noise = Noise {
                exact: &exact[out],
                spread: &quiet[out],
            };
            check(
                &format!("{name}: output {out}"),
                &fused[out],
                &composed[out],
                noise,
                abs,
                tally,
            );
        }
    }
}

#[test]
fn compiled_mixtures_match_the_composed_operations() {
    let _paths = PATHS.lock().unwrap_or_else(|e| e.into_inner());
    let mut rng = Rng(77);
    let mut tally = Tally::default();
    for functions in [
        &["ReLU", "Tanh", "GELU"][..],
        &["SiLU", "Mish", "Softplus", "Hardswish"],
        &["Sigmoid", "LeakyReLU"],
    ] {
        compare_mixture(functions, &mut tally, &mut rng);
    }
    println!(
        "mixtures: {} values compared, {} bit-identical, {} beyond 4 ulp / 1e-6 (and {} more \
         nearer float64 than composed)",
        tally.compared, tally.identical, tally.conditioned, tally.fused_nearer
    );
    assert!(tally.compared > 1000);
}
