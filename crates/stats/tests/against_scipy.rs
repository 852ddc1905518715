//! The statistics against independent reference values (tests/fixtures/scipy.json, made
//! by scripts/stats-fixture.py): SciPy's Welch test, intervals from Student t quantiles
//! solved to 40 digits by mpmath, Holm's adjustment and the probability of improvement
//! written out by hand, the bootstrap replayed from its seed. p-values agree within 1e-10
//! relative, intervals within 1e-12 of the exact ones; SciPy's own intervals, whose t
//! quantiles are good to about 1e-10, within 1e-8.

use serde_json::Value;

fn fixture() -> Value {
    serde_json::from_str(include_str!("fixtures/scipy.json")).expect("fixture is JSON")
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn close_relative(ours: f64, theirs: f64, tolerance: f64, what: &str) {
    assert!(
        (ours - theirs).abs() <= tolerance * theirs.abs(),
        "{what}: {ours} vs {theirs}"
    );
}

fn close_absolute(ours: f64, theirs: f64, tolerance: f64, what: &str) {
    assert!(
        (ours - theirs).abs() <= tolerance,
        "{what}: {ours} vs {theirs}"
    );
}

#[test]
fn welch_matches_scipy() {
    for case in fixture()["welch"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (x, y) = (numbers(&case["x"]), numbers(&case["y"]));
        let w = stats::welch(&x, &y).unwrap();
        close_relative(
            w.t,
            case["t"].as_f64().unwrap(),
            1e-12,
            &format!("{name} t"),
        );
        close_relative(
            w.df,
            case["df"].as_f64().unwrap(),
            1e-12,
            &format!("{name} df"),
        );
        close_relative(
            w.p,
            case["p"].as_f64().unwrap(),
            1e-10,
            &format!("{name} p"),
        );
        let ci = numbers(&case["ci"]);
        close_absolute(w.ci[0], ci[0], 1e-12, &format!("{name} ci low"));
        close_absolute(w.ci[1], ci[1], 1e-12, &format!("{name} ci high"));
        let scipy_ci = numbers(&case["scipy_ci"]);
        close_absolute(w.ci[0], scipy_ci[0], 1e-8, &format!("{name} SciPy ci low"));
        close_absolute(w.ci[1], scipy_ci[1], 1e-8, &format!("{name} SciPy ci high"));
        let margin = case["margin"].as_f64().unwrap();
        let worse = stats::welch_worse_by(&x, &y, margin).unwrap();
        close_relative(
            worse,
            case["p_worse"].as_f64().unwrap(),
            1e-10,
            &format!("{name} p worse"),
        );
        let g = stats::hedges_g(&x, &y).unwrap();
        close_relative(
            g,
            case["hedges_g"].as_f64().unwrap(),
            1e-12,
            &format!("{name} g"),
        );
        assert_eq!(
            stats::probability_of_improvement(&x, &y),
            case["improvement"].as_f64().unwrap(),
            "{name} improvement"
        );
        let boot = &case["bootstrap"];
        let ci = stats::bootstrap_improvement(
            &x,
            &y,
            boot["seed"].as_u64().unwrap(),
            boot["resamples"].as_u64().unwrap() as usize,
        );
        let want = numbers(&boot["ci"]);
        close_absolute(ci[0], want[0], 1e-12, &format!("{name} bootstrap low"));
        close_absolute(ci[1], want[1], 1e-12, &format!("{name} bootstrap high"));
    }
}

#[test]
fn holm_matches_the_reference() {
    let holm = &fixture()["holm"];
    let ours = stats::holm(&numbers(&holm["p"]));
    for (o, t) in ours.iter().zip(numbers(&holm["adjusted"])) {
        close_relative(*o, t, 1e-15, "holm");
    }
}

#[test]
fn summaries_match_scipy() {
    for case in fixture()["describe"].as_array().unwrap() {
        let x = numbers(&case["x"]);
        let s = stats::describe(&x);
        close_relative(s.mean, case["mean"].as_f64().unwrap(), 1e-15, "mean");
        close_relative(s.sd.unwrap(), case["sd"].as_f64().unwrap(), 1e-13, "sd");
        let ci = numbers(&case["ci"]);
        close_absolute(s.ci.unwrap()[0], ci[0], 1e-12, "ci low");
        close_absolute(s.ci.unwrap()[1], ci[1], 1e-12, "ci high");
        let scipy_ci = numbers(&case["scipy_ci"]);
        close_absolute(s.ci.unwrap()[0], scipy_ci[0], 1e-8, "SciPy ci low");
        close_absolute(s.ci.unwrap()[1], scipy_ci[1], 1e-8, "SciPy ci high");
        assert_eq!(s.median, case["median"].as_f64().unwrap());
    }
}
