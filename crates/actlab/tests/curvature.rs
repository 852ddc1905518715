//! The curvature probes on the real binary (tiny networks, synthetic data): the Hessian
//! spectrum, the loss landscape, the NTK, the chapter's dying-unit prediction, and the
//! initial weights that training keeps for them.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

fn run_probe(cwd: &Path, data: &Path, args: &[&str]) -> Value {
    let mut full = args.to_vec();
    full.extend(["--data-dir", data.to_str().unwrap(), "--json"]);
    json_out(&actlab_synthetic(cwd, &full))
}

/// `plot --from` draws the report's figure again, identical to the SVG written.
fn redraws_identically(cwd: &Path, report: &Path, svg: &Path) {
    let out = cwd.join("redrawn");
    let o = actlab(
        cwd,
        &[
            "plot",
            "--from",
            report.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let again = out.join(svg.file_name().unwrap());
    assert_eq!(
        std::fs::read_to_string(svg).unwrap(),
        std::fs::read_to_string(&again).unwrap(),
        "{} redrawn differently",
        report.display()
    );
}

#[test]
fn saving_the_initial_weights_changes_no_training() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    // STAF draws its initial parameters from the seed's stream and ReLU has none; the
    // gated layer builds a second Linear map per layer: each must start the same whether
    // or not epoch 0 is saved.
    for (acts, extra) in [
        ("STAF,ReLU", &["--lr", "0.01"][..]),
        ("SiLU", &["--layer", "glu", "--lr", "0.005"]),
    ] {
        let plain = train(tmp.path(), &data, "plain", acts, extra);
        assert!(plain.status.success(), "{}", stderr(&plain));
        let mut with = extra.to_vec();
        with.extend(["--save-epochs", "0", "--force"]);
        let saved = train(tmp.path(), &data, "saved", acts, &with);
        assert!(saved.status.success(), "{}", stderr(&saved));
        for act in acts.split(',') {
            let run = format!("{act}-s7");
            let a = read_json(&tmp.path().join(format!("plain/train/{run}/run.json")));
            let b = read_json(&tmp.path().join(format!("saved/train/{run}/run.json")));
            assert_eq!(epoch_outcomes(&a), epoch_outcomes(&b), "{run} {extra:?}");
            assert_eq!(b["checkpoints"][0]["epoch"], 0);
            assert!(
                tmp.path()
                    .join(format!("saved/train/{run}/checkpoints/epoch-0.bpk"))
                    .is_file()
            );
        }
        std::fs::remove_dir_all(tmp.path().join("plain")).unwrap();
    }
}

#[test]
fn hessian_landscape_and_ntk_probes_write_reports_that_redraw() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let data = synthetic_dataset(dir);
    let o = train(dir, &data, "exp", "ReLU,GELU", &["--save-epochs", "0"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let relu = dir.join("exp/train/ReLU-s7");
    let gelu = dir.join("exp/train/GELU-s7");

    // The Hessian: blocks partition the parameters; the extremes bracket the top; the
    // kinked ReLU took its products without crossing a kink.
    let h = run_probe(
        dir,
        &data,
        &[
            "probe",
            "hessian",
            "--run",
            relu.to_str().unwrap(),
            "--samples",
            "256",
            "--steps",
            "12",
            "--vectors",
            "6",
        ],
    );
    let r = &h["record"]["report"];
    let params = r["spectrum"]["params"].as_u64().unwrap();
    let blocks: u64 = r["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["params"].as_u64().unwrap())
        .sum();
    assert_eq!(blocks, params);
    assert_eq!(params, 784 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10);
    let top = r["spectrum"]["top"][0]["value"].as_f64().unwrap();
    assert!(top > 0.0 && top >= r["spectrum"]["smallest"]["value"].as_f64().unwrap());
    assert_eq!(r["kinks"], serde_json::json!([0.0]));
    assert_eq!(r["kink_crossings"], 0);
    assert!(r["stability"]["xi"].as_f64().unwrap() > 0.0);
    let report = Path::new(h["report"].as_str().unwrap()).to_path_buf();
    let svg = report.with_file_name("hessian-epoch-2-figure.svg");
    redraws_identically(dir, &report, &svg);

    // The landscape: the line from epoch 0 to epoch 2 passes through the surface's
    // centre (the same weights) with the same loss.
    let l = run_probe(
        dir,
        &data,
        &[
            "probe",
            "landscape",
            "--run",
            gelu.to_str().unwrap(),
            "--samples",
            "256",
            "--steps",
            "5",
        ],
    );
    let reports = l.as_array().unwrap();
    assert_eq!(reports.len(), 2, "a line and a surface");
    let line = &reports[0]["record"]["report"]["line"];
    let surface = &reports[1]["record"]["report"]["surface"];
    let alpha: Vec<f64> = line["alpha"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_f64().unwrap())
        .collect();
    let at_one = alpha
        .iter()
        .position(|a| (a - 1.0).abs() < 1e-12)
        .expect("α = 1 on the grid");
    let centre = surface["loss"].as_array().unwrap().len() / 2;
    assert_eq!(line["loss"][at_one], surface["loss"][centre]);
    assert_eq!(line["from"], "epoch-0");
    for entry in reports {
        let report = Path::new(entry["report"].as_str().unwrap()).to_path_buf();
        let svg = entry["figure"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| Path::new(f.as_str().unwrap()).to_path_buf())
            .find(|f| f.extension().is_some_and(|e| e == "svg"))
            .unwrap();
        redraws_identically(dir, &report, &svg);
    }

    // The NTK: a symmetric positive semi-definite Gram matrix, trace = Σ eigenvalues;
    // LeakyReLU's claim is checked. This is the command's wiring; the kernel itself is
    // checked against finite-difference Jacobians in crates/probe/tests/ntk.rs.
    let n = run_probe(
        dir,
        &data,
        &[
            "probe",
            "ntk",
            "--act",
            "LeakyReLU",
            "--hidden",
            "32,16",
            "--samples",
            "8",
            "--out",
            "ntk",
        ],
    );
    let r = &n["record"]["report"];
    let eig: Vec<f64> = r["eigenvalues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(eig.len(), 8);
    assert!(eig.windows(2).all(|w| w[0] <= w[1]));
    assert!(eig[0] > -1e-9 * eig[7], "PSD: {eig:?}");
    let trace = r["trace"].as_f64().unwrap();
    assert!((eig.iter().sum::<f64>() - trace).abs() <= 1e-9 * trace);
    assert_eq!(r["claim"]["alpha"], 0.01);
    assert_eq!(r["claim"]["holds"], eig[0] >= 0.01);

    // The chapter's prediction of dying units beside the measured share: the report's
    // own moments put through the rule, a check of the wiring; the moments and the
    // prediction are recomputed independently in crates/probe/tests/dead.rs.
    let d = run_probe(
        dir,
        &data,
        &[
            "probe",
            "dead-neurons",
            "--init",
            "--act",
            "ReLU",
            "--hidden",
            "32,16,8",
            "--out",
            "dn",
        ],
    );
    let layers = d["record"]["report"]["layers"].as_array().unwrap();
    let mut product = 1.0;
    for l in layers {
        let (mu, sigma) = (
            l["pre_activation_mean"].as_f64().unwrap(),
            l["pre_activation_std"].as_f64().unwrap(),
        );
        assert!(sigma > 0.0);
        let phi = 0.5 * statrs_erfc(mu / sigma / std::f64::consts::SQRT_2);
        product *= phi;
        assert!((l["predicted_dead"].as_f64().unwrap() - product).abs() < 1e-9);
    }

    // Refusals: one line, exit 2.
    for (args, expected) in [
        (
            vec![
                "probe",
                "landscape",
                "--run",
                "exp/train/ReLU-s7",
                "--to",
                "ntk",
            ],
            "not a run folder",
        ),
        (
            vec![
                "probe",
                "hessian",
                "--run",
                "exp/train/ReLU-s7",
                "--device",
                "ndarray",
            ],
            "float64 on the flex device",
        ),
    ] {
        let mut full = args.clone();
        full.extend(["--data-dir", data.to_str().unwrap()]);
        let o = actlab_synthetic(dir, &full);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
    }
    let o = train(dir, &data, "one", "ReLU", &[]);
    assert!(o.status.success());
    let o = actlab_synthetic(
        dir,
        &[
            "probe",
            "landscape",
            "--run",
            "one/train/ReLU-s7",
            "--no-surface",
            "--data-dir",
            data.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--save-epochs 0"), "{}", stderr(&o));
}

/// erfc by its continued-fraction-free series (Abramowitz and Stegun 7.1.26 is too
/// coarse for 1e-9): 1 − erf, erf by its Taylor series (|x| is small here).
fn statrs_erfc(x: f64) -> f64 {
    let mut sum = 0.0;
    let mut term = x;
    for n in 0..200 {
        sum += term / (2 * n + 1) as f64;
        term *= -x * x / (n + 1) as f64;
    }
    1.0 - 2.0 / std::f64::consts::PI.sqrt() * sum
}
