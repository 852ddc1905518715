//! The statistics no maintained crate offers together: Welch's two-sample t-test and its
//! interval, Holm's step-down correction, the probability of improvement with a seeded
//! percentile bootstrap, and Hedges' g. Student's t distribution is statrs'.

use spec::record::stats::Summary;
use spec::rng::SplitMix64;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Confidence level of every interval here.
pub const CONFIDENCE: f64 = 0.95;

/// Student's t with `df` degrees of freedom (df > 0).
fn student(df: f64) -> StudentsT {
    StudentsT::new(0.0, 1.0, df).expect("degrees of freedom are positive and finite")
}

/// The two-sided critical value of Student's t for [`CONFIDENCE`]. statrs' quantile is
/// exact to double precision here (tests/against_scipy.rs checks it against mpmath at 40
/// digits; SciPy 1.14's is off by up to 1e-10 at small df).
fn critical(df: f64) -> f64 {
    student(df).inverse_cdf(0.5 + CONFIDENCE / 2.0)
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sample variance (n - 1 in the denominator); needs n >= 2.
fn variance(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64
}

/// n, mean, standard deviation, the mean's Student t interval, median, min and max of
/// `x` (not empty); spread and interval need two values.
pub fn describe(x: &[f64]) -> Summary {
    let n = x.len();
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    let m = mean(x);
    let (sd, ci) = if n >= 2 {
        let sd = variance(x).sqrt();
        let half = critical((n - 1) as f64) * sd / (n as f64).sqrt();
        (Some(sd), Some([m - half, m + half]))
    } else {
        (None, None)
    };
    Summary {
        n,
        mean: m,
        sd,
        ci,
        median,
        min: sorted[0],
        max: sorted[n - 1],
    }
}

/// Welch's unequal-variance two-sample t-test of mean(x) - mean(y).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Welch {
    /// mean(x) - mean(y).
    pub difference: f64,
    /// Its standard error, sqrt(vx/nx + vy/ny).
    pub se: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
    /// difference / se.
    pub t: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// The difference's interval at [`CONFIDENCE`].
    pub ci: [f64; 2],
}

/// Welch's test of `x` against `y`; `None` when either has fewer than two values or both
/// have no spread (the test is undefined).
pub fn welch(x: &[f64], y: &[f64]) -> Option<Welch> {
    if x.len() < 2 || y.len() < 2 {
        return None;
    }
    let (nx, ny) = (x.len() as f64, y.len() as f64);
    let (ax, ay) = (variance(x) / nx, variance(y) / ny);
    let se = (ax + ay).sqrt();
    if se == 0.0 {
        return None;
    }
    let df = (ax + ay).powi(2) / (ax.powi(2) / (nx - 1.0) + ay.powi(2) / (ny - 1.0));
    let difference = mean(x) - mean(y);
    let t = difference / se;
    // Twice the smaller tail, from the cdf of -|t|: no cancellation in 1 - cdf.
    let p = (2.0 * student(df).cdf(-t.abs())).min(1.0);
    let half = critical(df) * se;
    Some(Welch {
        difference,
        se,
        df,
        t,
        p,
        ci: [difference - half, difference + half],
    })
}

/// One-sided Welch p-value for "`x` is worse than `y` by more than `margin`": the
/// probability, were mean(x) - mean(y) = -margin, of a t this low or lower.
/// Both without spread (every run of each side alike: deterministic runs compared with
/// themselves), the difference is exact, and so is the answer: 0 when it is worse by
/// more than the margin, else 1 (the limit of the test as the spread goes to 0).
pub fn welch_worse_by(x: &[f64], y: &[f64], margin: f64) -> Option<f64> {
    if x.len() < 2 || y.len() < 2 {
        return None;
    }
    match welch(x, y) {
        Some(w) => Some(student(w.df).cdf((w.difference + margin) / w.se)),
        None => Some(if mean(x) - mean(y) < -margin {
            0.0
        } else {
            1.0
        }),
    }
}

/// Holm's step-down adjustment of `p` (in the same order): the i-th smallest p-value is
/// multiplied by (m - i), made non-decreasing, and capped at 1.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut adjusted = vec![0.0; m];
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

/// Probability of improvement of `x` over `y`: the share of pairs (x_i, y_j) with
/// x_i > y_j, ties counting one half (rliable's definition, for one task).
pub fn probability_of_improvement(x: &[f64], y: &[f64]) -> f64 {
    let wins: f64 = x
        .iter()
        .flat_map(|a| {
            y.iter().map(move |b| match a.partial_cmp(b) {
                Some(std::cmp::Ordering::Greater) => 1.0,
                Some(std::cmp::Ordering::Equal) => 0.5,
                _ => 0.0,
            })
        })
        .sum();
    wins / (x.len() * y.len()) as f64
}

/// The `q` quantile of sorted `values`, interpolating linearly between the closest ranks
/// (NumPy's default).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let position = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (position.floor() as usize, position.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (position - lo as f64)
}

/// Percentile bootstrap interval at [`CONFIDENCE`] of the probability of improvement of
/// `x` over `y`: each of `resamples` rounds draws `x` then `y` again with replacement
/// from a SplitMix64 stream seeded with `seed` (index = `below(n)`), so that the interval
/// repeats anywhere from its seed.
pub fn bootstrap_improvement(x: &[f64], y: &[f64], seed: u64, resamples: usize) -> [f64; 2] {
    let mut rng = SplitMix64::new(seed);
    let mut draw =
        |v: &[f64]| -> Vec<f64> { (0..v.len()).map(|_| v[rng.below(v.len())]).collect() };
    let mut stats: Vec<f64> = (0..resamples)
        .map(|_| {
            let xs = draw(x);
            let ys = draw(y);
            probability_of_improvement(&xs, &ys)
        })
        .collect();
    stats.sort_by(f64::total_cmp);
    let tail = (1.0 - CONFIDENCE) / 2.0;
    [quantile(&stats, tail), quantile(&stats, 1.0 - tail)]
}

/// Hedges' g of `x` against `y`: the difference of means in pooled standard deviations,
/// times J = 1 - 3 / (4 (nx + ny) - 9); `None` without spread or with fewer than two
/// values in either.
pub fn hedges_g(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() < 2 || y.len() < 2 {
        return None;
    }
    let (nx, ny) = (x.len() as f64, y.len() as f64);
    let pooled = (((nx - 1.0) * variance(x) + (ny - 1.0) * variance(y)) / (nx + ny - 2.0)).sqrt();
    if pooled == 0.0 {
        return None;
    }
    let j = 1.0 - 3.0 / (4.0 * (nx + ny) - 9.0);
    Some(j * (mean(x) - mean(y)) / pooled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holm_steps_down_and_stays_monotone() {
        // Sorted, m = 4: 0.01 * 4 = 0.04, 0.03 * 3 = 0.09, 0.04 * 2 = 0.08 -> kept at
        // 0.09 (monotone), 0.5 * 1 = 0.5.
        let adjusted = holm(&[0.04, 0.5, 0.01, 0.03]);
        assert_eq!(adjusted, [0.09, 0.5, 0.04, 0.09]);
        assert_eq!(holm(&[0.6, 0.7]), [1.0, 1.0]);
    }

    #[test]
    fn improvement_counts_pairs_and_halves_ties() {
        assert_eq!(probability_of_improvement(&[2.0, 3.0], &[1.0, 2.0]), 0.875);
        assert_eq!(probability_of_improvement(&[1.0], &[1.0]), 0.5);
    }

    #[test]
    fn no_test_without_spread_or_runs() {
        assert!(welch(&[1.0, 1.0], &[2.0, 2.0]).is_none());
        assert!(welch(&[1.0], &[2.0, 3.0]).is_none());
        let s = describe(&[4.0]);
        assert_eq!((s.n, s.mean, s.sd, s.ci), (1, 4.0, None, None));
    }
}
