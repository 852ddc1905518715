//! Spectra of a symmetric operator known only through products `v ↦ A v`: Lanczos with
//! full reorthogonalisation (extreme eigenvalues, and each Ritz value's residual bound),
//! Hutchinson's trace estimate with Rademacher vectors, stochastic Lanczos quadrature
//! for the spectral density (Ghorbani, Krishnan and Xiao, 2019), and the Frobenius norm
//! as √E‖Av‖². Written here because no maintained Rust crate does matrix-free Lanczos;
//! the small dense eigenproblems go to nalgebra.

use nalgebra::{DMatrix, SymmetricEigen};
use spec::rng::SplitMix64;

/// An eigenvalue estimate and its error bound.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ritz {
    /// The Ritz value.
    pub value: f64,
    /// |β_m s_m|: the residual ‖A y − θ y‖ of its Ritz vector, which bounds the distance
    /// from θ to the nearest eigenvalue of A.
    pub residual: f64,
    /// Weight of the Ritz value in the starting vector: (first component of s)².
    pub weight: f64,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// A vector of independent standard normal draws (Box-Muller on `rng`).
pub fn gaussian(rng: &mut SplitMix64, n: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(n + 1);
    while out.len() < n {
        let u1 = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let u2 = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let r = (-2.0 * (1.0 - u1).ln()).sqrt();
        let t = std::f64::consts::TAU * u2;
        out.push(r * t.cos());
        out.push(r * t.sin());
    }
    out.truncate(n);
    out
}

/// A Rademacher vector: each entry ±1 with probability ½.
pub fn rademacher(rng: &mut SplitMix64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|_| if rng.next_u64() >> 63 == 0 { 1.0 } else { -1.0 })
        .collect()
}

/// `steps` steps of Lanczos from `start` (any non-zero vector), every new vector
/// orthogonalised against all earlier ones twice; returns the Ritz values, ascending.
/// Stops early when the Krylov space is exhausted.
pub fn lanczos(
    apply: &mut dyn FnMut(&[f64]) -> Vec<f64>,
    start: &[f64],
    steps: usize,
) -> Vec<Ritz> {
    let n = start.len();
    let steps = steps.min(n).max(1);
    let first = norm(start);
    let mut basis: Vec<Vec<f64>> = vec![start.iter().map(|x| x / first).collect()];
    let (mut alpha, mut beta) = (Vec::new(), Vec::new());
    let mut last_beta = 0.0;
    for k in 0..steps {
        let mut w = apply(&basis[k]);
        let a = dot(&w, &basis[k]);
        alpha.push(a);
        // Full reorthogonalisation, twice ("twice is enough"): keeps the Ritz values free
        // of the spurious copies plain Lanczos produces in floating point.
        for _ in 0..2 {
            for q in &basis {
                let c = dot(&w, q);
                w.iter_mut().zip(q).for_each(|(wi, qi)| *wi -= c * qi);
            }
        }
        let b = norm(&w);
        last_beta = b;
        if k + 1 == steps || b <= 1e-12 * a.abs().max(1.0) {
            break;
        }
        beta.push(b);
        basis.push(w.iter().map(|x| x / b).collect());
    }
    let m = alpha.len();
    let mut t = DMatrix::<f64>::zeros(m, m);
    for i in 0..m {
        t[(i, i)] = alpha[i];
        if i + 1 < m {
            t[(i, i + 1)] = beta[i];
            t[(i + 1, i)] = beta[i];
        }
    }
    let eigen = SymmetricEigen::new(t);
    let mut ritz: Vec<Ritz> = (0..m)
        .map(|i| {
            let s = eigen.eigenvectors.column(i);
            Ritz {
                value: eigen.eigenvalues[i],
                residual: (last_beta * s[m - 1]).abs(),
                weight: s[0] * s[0],
            }
        })
        .collect();
    ritz.sort_by(|a, b| a.value.total_cmp(&b.value));
    ritz
}

/// An estimate with its standard error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// The mean over the probe vectors.
    pub value: f64,
    /// Standard deviation of the per-vector values / √(vectors).
    pub standard_error: f64,
    /// Probe vectors used.
    pub vectors: usize,
}

fn estimate(samples: &[f64]) -> Estimate {
    let n = samples.len() as f64;
    let mean = samples.iter().sum::<f64>() / n;
    let var = if samples.len() > 1 {
        samples.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    Estimate {
        value: mean,
        standard_error: (var / n).sqrt(),
        vectors: samples.len(),
    }
}

/// Hutchinson's estimates from `vectors` Rademacher vectors v (E[vᵀAv] = tr A), and from
/// the same products E‖Av‖² = ‖A‖_F², returned as (trace, squared Frobenius norm).
pub fn hutchinson(
    apply: &mut dyn FnMut(&[f64]) -> Vec<f64>,
    n: usize,
    vectors: usize,
    rng: &mut SplitMix64,
) -> (Estimate, Estimate) {
    let (mut traces, mut squares) = (Vec::new(), Vec::new());
    for _ in 0..vectors.max(1) {
        let v = rademacher(rng, n);
        let av = apply(&v);
        traces.push(dot(&v, &av));
        squares.push(dot(&av, &av));
    }
    (estimate(&traces), estimate(&squares))
}

/// A spectral density on a grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Density {
    /// Grid of eigenvalues.
    pub lambda: Vec<f64>,
    /// ρ(λ) on the grid, integrating to about 1.
    pub density: Vec<f64>,
    /// Gaussian smoothing width.
    pub sigma: f64,
}

/// Stochastic Lanczos quadrature: `runs` Lanczos runs of `steps` steps from Gaussian
/// vectors; each Ritz value θ contributes its weight τ as a Gaussian of width σ (a
/// `width` fraction of the spectrum's span), averaged over runs, on `points` grid points.
pub fn density(
    apply: &mut dyn FnMut(&[f64]) -> Vec<f64>,
    n: usize,
    runs: usize,
    steps: usize,
    width: f64,
    points: usize,
    rng: &mut SplitMix64,
) -> (Density, Vec<Vec<Ritz>>) {
    let all: Vec<Vec<Ritz>> = (0..runs.max(1))
        .map(|_| lanczos(apply, &gaussian(rng, n), steps))
        .collect();
    let values = all.iter().flatten().map(|r| r.value);
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let span = (hi - lo).max(1e-12);
    let sigma = width * span;
    let (start, end) = (lo - 3.0 * sigma, hi + 3.0 * sigma);
    let points = points.max(2);
    let lambda: Vec<f64> = (0..points)
        .map(|i| start + (end - start) * i as f64 / (points - 1) as f64)
        .collect();
    let norm = 1.0 / (all.len() as f64 * sigma * std::f64::consts::TAU.sqrt());
    let density = lambda
        .iter()
        .map(|&l| {
            all.iter()
                .flatten()
                .map(|r| r.weight * (-0.5 * ((l - r.value) / sigma).powi(2)).exp())
                .sum::<f64>()
                * norm
        })
        .collect();
    (
        Density {
            lambda,
            density,
            sigma,
        },
        all,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A symmetric matrix Q diag(eigenvalues) Qᵀ with a random orthogonal Q.
    fn known(eigenvalues: &[f64], seed: u64) -> DMatrix<f64> {
        let n = eigenvalues.len();
        let mut rng = SplitMix64::new(seed);
        let g = DMatrix::from_vec(n, n, gaussian(&mut rng, n * n));
        let q = g.qr().q();
        &q * DMatrix::from_diagonal(&nalgebra::DVector::from_column_slice(eigenvalues))
            * q.transpose()
    }

    fn operator(a: &DMatrix<f64>) -> impl FnMut(&[f64]) -> Vec<f64> + '_ {
        move |v: &[f64]| {
            (a * nalgebra::DVector::from_column_slice(v))
                .as_slice()
                .to_vec()
        }
    }

    #[test]
    fn lanczos_recovers_the_extreme_eigenvalues_of_a_known_matrix() {
        // 200 eigenvalues: 5 well separated on top, a bulk, and a negative end.
        let mut eig: Vec<f64> = (0..190).map(|i| (i as f64) / 100.0).collect();
        eig.extend([50.0, 30.0, 20.0, 12.0, 8.0]);
        eig.extend([-3.0, -1.5, -0.9, -0.5, -0.2]);
        let a = known(&eig, 3);
        let mut apply = operator(&a);
        let mut rng = SplitMix64::new(9);
        let ritz = lanczos(&mut apply, &gaussian(&mut rng, 200), 60);
        let top: Vec<f64> = ritz.iter().rev().take(5).map(|r| r.value).collect();
        for (got, want) in top.iter().zip([50.0, 30.0, 20.0, 12.0, 8.0]) {
            assert!((got - want).abs() < 1e-8, "{got} vs {want}");
        }
        assert!(
            (ritz[0].value + 3.0).abs() < 1e-8,
            "smallest {}",
            ritz[0].value
        );
        // Each residual bounds the distance to the nearest true eigenvalue.
        for r in &ritz {
            let nearest = eig
                .iter()
                .map(|e| (e - r.value).abs())
                .fold(f64::INFINITY, f64::min);
            assert!(nearest <= r.residual + 1e-9, "{r:?} is {nearest} away");
        }
    }

    #[test]
    fn hutchinson_and_slq_agree_with_the_exact_trace_and_spectrum() {
        let eig: Vec<f64> = (0..100).map(|i| ((i % 10) as f64) - 2.0).collect();
        let a = known(&eig, 5);
        let exact: f64 = eig.iter().sum();
        let frobenius2: f64 = eig.iter().map(|e| e * e).sum();
        let mut apply = operator(&a);
        let mut rng = SplitMix64::new(1);
        let (trace, squares) = hutchinson(&mut apply, 100, 400, &mut rng);
        assert!(
            (trace.value - exact).abs() < 4.0 * trace.standard_error,
            "{trace:?} vs {exact}"
        );
        assert!((squares.value - frobenius2).abs() < 4.0 * squares.standard_error);
        // SLQ: the density integrates to 1 and puts a tenth of its mass near each of
        // the ten distinct eigenvalues.
        let (d, _) = density(&mut apply, 100, 20, 40, 0.01, 2001, &mut rng);
        let step = d.lambda[1] - d.lambda[0];
        let total: f64 = d.density.iter().sum::<f64>() * step;
        assert!((total - 1.0).abs() < 1e-3, "integral {total}");
        let near_zero: f64 = d
            .lambda
            .iter()
            .zip(&d.density)
            .filter(|(l, _)| l.abs() < 0.5)
            .map(|(_, p)| p * step)
            .sum();
        assert!((near_zero - 0.1).abs() < 0.05, "mass near 0: {near_zero}");
    }
}
