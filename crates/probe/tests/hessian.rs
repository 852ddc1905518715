//! Hessian-vector products proved on small networks (20-8-6-3) in float64: the dense
//! Hessian assembled from H·e_i is symmetric and equals an independent Hessian, the
//! second differences of the loss itself; Lanczos finds its extreme eigenvalues; and
//! Hutchinson's standard error is calibrated against its exact trace.
//!
//! Tolerances: symmetry |H_ij − H_ji| ≤ 1e-7 · max|H|; agreement with the loss's second
//! differences (Richardson-extrapolated from steps 2e-4 and 1e-4: error about
//! h⁴|∂⁶L| + u|L|/h² ≈ 1e-8) |H_ij − D_ij| ≤ 1e-6 + 1e-5 |H_ij|.

use burn::tensor::{Distribution, Int, Tensor, TensorData};
use nalgebra::{DMatrix, SymmetricEigen};
use nets::SimpleNetwork;
use probe::curvature::{Objective, hutchinson, lanczos};
use spec::{ActivationConfig, ActivationKind, ActivationSpec, NetworkConfig, rng::SplitMix64};

fn small(kind: ActivationKind, seed: u64) -> Objective {
    let device = acts::float64_device().expect("flex supports float64");
    device.seed(seed);
    let config = NetworkConfig {
        input: 20,
        conv: Vec::new(),
        hidden: vec![8, 6],
        classes: 3,
        activation: Some(ActivationConfig::new(ActivationSpec::Builtin(kind))),
        layer: spec::LayerKind::Linear,
        init: spec::InitScheme::Pytorch,
        norm: spec::NormKind::None,
    };
    let model = SimpleNetwork::new(&config, &device).unwrap();
    let x = Tensor::<2>::random([16, 20], Distribution::Normal(0.0, 1.0), &device);
    let mut rng = SplitMix64::new(seed);
    let labels: Vec<i64> = (0..16).map(|_| rng.below(3) as i64).collect();
    let y = Tensor::<1, Int>::from_data(TensorData::new(labels, [16]), &device);
    Objective::new(model, x, y, &device)
}

fn dense_hessian(objective: &Objective) -> DMatrix<f64> {
    let w = objective.point().to_vec();
    let n = objective.dim();
    let mut h = DMatrix::zeros(n, n);
    for i in 0..n {
        let mut e = vec![0.0; n];
        e[i] = 1.0;
        for (j, v) in objective.hvp(&w, &e).into_iter().enumerate() {
            h[(j, i)] = v;
        }
    }
    h
}

/// ∂²L/∂w_i∂w_j from four losses.
fn central(objective: &Objective, i: usize, j: usize, h: f64) -> f64 {
    let w = objective.point();
    let at = |si: f64, sj: f64| {
        let mut p = w.to_vec();
        p[i] += si * h;
        p[j] += sj * h;
        objective.loss(&p)
    };
    (at(1.0, 1.0) - at(1.0, -1.0) - at(-1.0, 1.0) + at(-1.0, -1.0)) / (4.0 * h * h)
}

/// ∂²L/∂w_i∂w_j by Richardson's extrapolation of the central second difference from
/// steps h and h/2: its error falls from O(h²) to O(h⁴), which matters for STAF, whose
/// sinusoids give the loss large fourth derivatives.
fn second_difference(objective: &Objective, i: usize, j: usize, h: f64) -> f64 {
    (4.0 * central(objective, i, j, h / 2.0) - central(objective, i, j, h)) / 3.0
}

#[test]
fn hessian_vector_products_give_a_symmetric_hessian_equal_to_the_losss_second_differences() {
    for kind in [
        ActivationKind::Tanh,
        ActivationKind::GELU,
        ActivationKind::STAF,
    ] {
        let objective = small(kind, 11);
        let n = objective.dim();
        let h = dense_hessian(&objective);
        let scale = h.amax();
        let asymmetry = (&h - h.transpose()).amax();
        assert!(
            asymmetry <= 1e-7 * scale,
            "{kind:?}: asymmetry {asymmetry} of {scale}"
        );

        // Every diagonal entry and 400 random off-diagonal ones.
        let mut rng = SplitMix64::new(5);
        let pairs: Vec<(usize, usize)> = (0..n)
            .map(|i| (i, i))
            .chain((0..400).map(|_| (rng.below(n), rng.below(n))))
            .collect();
        let mut worst: f64 = 0.0;
        for (i, j) in pairs {
            let hv = 0.5 * (h[(i, j)] + h[(j, i)]);
            let d = second_difference(&objective, i, j, 2e-4);
            let excess = (hv - d).abs() - (1e-6 + 1e-5 * hv.abs());
            assert!(
                excess <= 0.0,
                "{kind:?} H[{i},{j}] = {hv} but the loss says {d}"
            );
            worst = worst.max((hv - d).abs());
        }
        eprintln!(
            "{kind:?}: {n} parameters, |H| ≤ {scale:.3}, asymmetry {asymmetry:.1e}, largest difference from the loss's second differences {worst:.1e}"
        );
    }
}

#[test]
fn lanczos_and_hutchinson_match_the_exact_spectrum_and_trace_of_a_network_hessian() {
    let objective = small(ActivationKind::STAF, 3);
    let n = objective.dim();
    let h = dense_hessian(&objective);
    let h = 0.5 * (&h + h.transpose());
    let exact = SymmetricEigen::new(h.clone()).eigenvalues;
    let (lo, hi) = (exact.min(), exact.max());
    let w = objective.point().to_vec();
    let mut apply = |v: &[f64]| objective.hvp(&w, v);
    let mut rng = SplitMix64::new(2);
    let start = probe::curvature::gaussian(&mut rng, n);
    let ritz = lanczos(&mut apply, &start, 60);
    let top = ritz.last().unwrap();
    // 60 steps on a 250-dimensional matrix: the extreme Ritz values have converged to the
    // products' own accuracy (the relative 1e-7 the symmetry check allows), a bound that
    // does not come from the code under test; the residual it reports must also be
    // honest, bounding the true error.
    let scale = hi.abs().max(lo.abs());
    for (what, ritz, exact) in [("top", top, hi), ("smallest", &ritz[0], lo)] {
        let error = (ritz.value - exact).abs();
        assert!(error <= 1e-6 * scale, "{what} {ritz:?} vs exact {exact}");
        assert!(
            error <= ritz.residual + 1e-7 * scale,
            "{what}: error {error:e} beyond the reported residual {:e}",
            ritz.residual
        );
    }

    // Hutchinson: each estimate's standard error comes from its own 20 vectors, so
    // z = (estimate − exact) / SE follows Student's t with 19 degrees of freedom, whose
    // E[z²] = 19/17 ≈ 1.12 and whose mean over 200 estimates has a standard deviation
    // of about 0.12. An SE wrong by a factor of 1.5 moves the mean to 2.5 or 0.5.
    let trace = h.trace();
    let mut z2 = Vec::new();
    for seed in 0..200 {
        let mut rng = SplitMix64::new(100 + seed);
        let (t, _) = hutchinson(&mut apply, n, 20, &mut rng);
        let z = (t.value - trace) / t.standard_error;
        assert!(
            z.abs() < 6.0,
            "seed {seed}: {} vs exact {trace}, {z:.1} standard errors",
            t.value
        );
        z2.push(z * z);
    }
    let mean_z2 = z2.iter().sum::<f64>() / z2.len() as f64;
    eprintln!("exact trace {trace:.4}; mean z² over 200 estimates {mean_z2:.3} (t₁₉: 1.12)");
    assert!(
        (0.75..=1.6).contains(&mean_z2),
        "mean z² {mean_z2:.3}: the standard error is miscalibrated"
    );
}

/// A ReLU network's Hessian is the Hessian of the smooth piece its point lies in: its
/// output block is exactly the Gauss-Newton formula of softmax cross-entropy,
/// (1/N) Σ (h hᵀ) ⊗ (diag p − p pᵀ) over the last hidden outputs h and probabilities p
/// (no activation follows the output layer, so no kink enters), and the whole matrix is
/// symmetric, with no product having crossed a kink.
#[test]
fn a_relu_networks_hessian_is_its_smooth_pieces() {
    let objective = small(ActivationKind::ReLU, 4).with_kinks(vec![0.0]);
    let h = dense_hessian(&objective);
    let scale = h.amax();
    assert!((&h - h.transpose()).amax() <= 1e-6 * scale);
    assert_eq!(objective.kink_crossings(), 0);

    let model = objective.model_at(objective.point());
    let (x, _) = objective.samples_tensors();
    let (logits, hidden) = model.forward_with_hidden(x);
    let p: Vec<f64> = burn::tensor::activation::softmax(logits, 1)
        .into_data()
        .convert::<f64>()
        .try_into_vec::<f64>()
        .unwrap();
    let last: Vec<f64> = hidden
        .last()
        .unwrap()
        .clone()
        .into_data()
        .convert::<f64>()
        .try_into_vec::<f64>()
        .unwrap();
    let (n, inputs, classes) = (16, 6, 3);
    let block = objective
        .blocks()
        .iter()
        .find(|b| b.name == "output")
        .unwrap()
        .range
        .clone();
    // Index of W[i][j] (Burn's [in, out]) and of b[j] within the output block.
    let w = |i: usize, j: usize| block.start + i * classes + j;
    let b = |j: usize| block.start + inputs * classes + j;
    let feature = |s: usize, i: Option<usize>| i.map_or(1.0, |i| last[s * inputs + i]);
    let mut worst: f64 = 0.0;
    let rows: Vec<(usize, Option<usize>, usize)> = (0..inputs)
        .flat_map(|i| (0..classes).map(move |j| (w(i, j), Some(i), j)))
        .chain((0..classes).map(|j| (b(j), None, j)))
        .collect();
    for &(r, i, j) in &rows {
        for &(c, k, l) in &rows {
            let exact: f64 = (0..n)
                .map(|s| {
                    let (pj, pl) = (p[s * classes + j], p[s * classes + l]);
                    let curvature = if j == l { pj - pj * pl } else { -pj * pl };
                    feature(s, i) * feature(s, k) * curvature
                })
                .sum::<f64>()
                / n as f64;
            worst = worst.max((h[(r, c)] - exact).abs());
        }
    }
    eprintln!("ReLU output block: largest difference from the exact formula {worst:.1e}");
    assert!(worst <= 1e-6, "{worst}");
}
