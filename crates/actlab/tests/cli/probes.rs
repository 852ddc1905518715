//! The probes and figures on trained and fresh networks.

use super::*;

#[test]
fn untrained_deep_relu_net_loses_more_units_with_depth() {
    let data = real_dataset();
    let tmp = tempfile::tempdir().unwrap();
    let data = std::fs::canonicalize(data).unwrap();
    let out = actlab(
        tmp.path(),
        &[
            "probe",
            "dead-neurons",
            "--init",
            "--act",
            "ReLU",
            "--hidden",
            "2048,1024,1024,512,512,256,128",
            "--seed",
            "7",
            "--data-dir",
            data.to_str().unwrap(),
            "--out",
            "dead",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // --out is a folder; the report's name says what was probed.
    let name = "dead-neurons-init-ReLU-2048x1024x1024x512x512x256x128-s7";
    let report = read_json(&tmp.path().join(format!("dead/{name}.json")));
    assert!(tmp.path().join(format!("dead/{name}-figure.png")).is_file());
    assert_eq!(report["report"]["samples"], 60000);
    let dead: Vec<u64> = report["report"]["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["dead"].as_u64().unwrap())
        .collect();
    // The counts docs/probes.md gives for this seed (the book's own network, another
    // initialisation, lost 0, 0, 6, 15, 113, 102, 58). The initialisation is seeded, so
    // the counts are known; a unit whose largest output sits within float32 rounding of
    // 0 could flip on another CPU's summation order, hence 2 units of slack per layer,
    // where a wrong probe (a wrong threshold, a layer skipped or counted twice) moves
    // tens.
    let documented = [0, 0, 4, 18, 120, 92, 59];
    assert_eq!(dead.len(), documented.len());
    for (got, want) in dead.iter().zip(documented) {
        assert!(
            got.abs_diff(want) <= 2,
            "dead units per layer {dead:?}, documented {documented:?}"
        );
    }
    // A ReLU unit that is dead has zero slope everywhere: it is saturated too, and a
    // dead unit is silent on every sample.
    for layer in report["report"]["layers"].as_array().unwrap() {
        assert!(layer["saturated"].as_u64().unwrap() >= layer["dead"].as_u64().unwrap());
        let sparsity = layer["sparsity"].as_array().unwrap();
        for unit in layer["dead_units"].as_array().unwrap() {
            assert_eq!(sparsity[unit.as_u64().unwrap() as usize], 1.0);
        }
    }
    // The figure names every layer beside its bars; the report is its data.
    let svg = std::fs::read_to_string(tmp.path().join(format!("dead/{name}-figure.svg"))).unwrap();
    for layer in 1..=7 {
        assert!(
            svg.contains(&format!("\nlayer {layer}\n")),
            "layer {layer} unnamed"
        );
    }
    assert!(!tmp.path().join(format!("dead/{name}-figure.json")).exists());
}

#[test]
fn plots_carry_their_numbers_and_redraw_identically_from_json() {
    let tmp = tempfile::tempdir().unwrap();
    let out = actlab(
        tmp.path(),
        &["plot", "acts", "--acts", "ReLU,Sigmoid", "--out", "figs"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let figure = read_json(&tmp.path().join("figs/activations.json"));
    assert_eq!(figure["kind"], "figure");
    let relu = &figure["panels"][0];
    assert_eq!(relu["title"], "ReLU");
    let x: Vec<f64> = relu["series"][0]["x"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let dy: Vec<f64> = relu["series"][1]["y"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(x.len(), 200);
    assert_eq!((x[0], x[199]), (-4.0, 4.0));
    for (x, d) in x.iter().zip(&dy) {
        assert_eq!(*d, if *x > 0.0 { 1.0 } else { 0.0 }, "ReLU' at {x}");
    }
    let sigmoid_peak = figure["panels"][1]["series"][1]["y"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .fold(0.0, f64::max);
    assert!((sigmoid_peak - 0.25).abs() < 1e-3, "{sigmoid_peak}");
    let png = std::fs::read(tmp.path().join("figs/activations.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");

    let again = actlab(
        tmp.path(),
        &[
            "plot",
            "--from",
            "figs/activations.json",
            "--out",
            "figs/again",
        ],
    );
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(
        std::fs::read(tmp.path().join("figs/activations.svg")).unwrap(),
        std::fs::read(tmp.path().join("figs/again/activations.svg")).unwrap()
    );

    for (args, fragment) in [
        (vec!["plot"], "say what to draw"),
        (
            vec!["plot", "--from", "missing.json"],
            "--from missing.json: no such file or folder (expected a figure",
        ),
    ] {
        let out = actlab(tmp.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains(fragment),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(stderr(&out).trim_end().lines().count(), 1);
    }
}

#[test]
fn the_relu_surface_has_exact_gradient_magnitudes_and_redraws_identically() {
    let tmp = tempfile::tempdir().unwrap();
    let out = actlab(
        tmp.path(),
        &[
            "probe", "surface", "--acts", "ReLU", "--grid", "20", "--out", "s",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let surface = read_json(&tmp.path().join("s/surface-ReLU.json"));
    assert_eq!(surface["kind"], "surface");
    assert_eq!(surface["activation"], "ReLU");
    let axis: Vec<f64> = surface["x"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let magnitude: Vec<f64> = surface["gradient_magnitude"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(magnitude.len(), 400);
    let root_two = f64::from(2f32.sqrt());
    for (i, y) in axis.iter().enumerate() {
        for (j, x) in axis.iter().enumerate() {
            let want = match (*x > 0.0, *y > 0.0) {
                (false, false) => 0.0,
                (true, true) => root_two,
                _ => 1.0,
            };
            assert_eq!(magnitude[i * 20 + j], want, "at ({x}, {y})");
        }
    }
    let again = actlab(
        tmp.path(),
        &["plot", "--from", "s/surface-ReLU.json", "--out", "s/again"],
    );
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(
        std::fs::read(tmp.path().join("s/surface-ReLU-figure.svg")).unwrap(),
        std::fs::read(tmp.path().join("s/again/surface-ReLU-figure.svg")).unwrap()
    );
}

#[test]
fn gradient_histograms_count_every_weight() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let out = actlab_synthetic(
        tmp.path(),
        &[
            "probe",
            "gradients",
            "--acts",
            "Sigmoid",
            "--batch",
            "64",
            "--out",
            "g",
            "--data-dir",
            data.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    for name in ["Sigmoid", "NoActivation"] {
        let probe = read_json(&tmp.path().join(format!("g/gradients-{name}.json")));
        assert_eq!(probe["kind"], "gradients");
        let layers = probe["report"]["layers"].as_array().unwrap();
        assert_eq!(
            layers.len(),
            5,
            "{name}: four hidden Linear layers and the output"
        );
        for layer in layers {
            let shape: Vec<u64> = layer["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .collect();
            let size = shape[0] * shape[1];
            for key in ["gradient", "weight"] {
                let counts: u64 = layer[key]["counts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_u64().unwrap())
                    .sum();
                assert_eq!(counts, size, "{name} layer {} {key}", layer["layer"]);
            }
            assert_eq!(layer["gradient_stats"]["count"].as_u64().unwrap(), size);
        }
        assert!(
            tmp.path()
                .join(format!("g/gradients-{name}-figure.png"))
                .is_file()
        );
    }
    // Sigmoid's gradients vanish towards the input; without activation they do not.
    let spread = |name: &str, layer: usize| {
        read_json(&tmp.path().join(format!("g/gradients-{name}.json")))["report"]["layers"]
            [layer]["gradient_stats"]["std"]
            .as_f64()
            .unwrap()
    };
    assert!(spread("Sigmoid", 0) * 100.0 < spread("Sigmoid", 4));
    // The report alone draws the same figure again.
    let again = actlab(
        tmp.path(),
        &[
            "plot",
            "--from",
            "g/gradients-Sigmoid.json",
            "--out",
            "g/again",
        ],
    );
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(
        std::fs::read(tmp.path().join("g/gradients-Sigmoid-figure.svg")).unwrap(),
        std::fs::read(tmp.path().join("g/again/gradients-Sigmoid-figure.svg")).unwrap()
    );
}

#[test]
fn layer_outputs_of_a_trained_run_count_every_value() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let out = train(tmp.path(), &data, "o", "ReLU", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let run = tmp.path().join("o/train/ReLU-s7");
    let probe = actlab_synthetic(
        tmp.path(),
        &[
            "probe",
            "outputs",
            "--run",
            run.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ],
    );
    assert!(probe.status.success(), "{}", stderr(&probe));
    let report = read_json(&run.join("probes/outputs-epoch-2.json"));
    assert_eq!(report["split"], "test");
    let layers = report["report"]["layers"].as_array().unwrap();
    for (layer, units) in layers.iter().zip([32u64, 16]) {
        let counts: u64 = layer["histogram"]["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(counts, 200 * units, "every test sample's every unit");
        let zero = layer["zero_fraction"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&zero));
        // ReLU outputs are never negative.
        assert!(layer["stats"]["min"].as_f64().unwrap() >= 0.0);
    }
    assert!(run.join("probes/outputs-epoch-2-figure.png").is_file());
}

#[test]
fn the_report_is_one_self_contained_page() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let out = train(tmp.path(), &data, "o", "ReLU,Tanh", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = actlab(tmp.path(), &["report", "o/train"]);
    assert!(report.status.success(), "{}", stderr(&report));
    let html = std::fs::read_to_string(tmp.path().join("o/train/index.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains("<td>SimpleNetwork-ReLU</td>")
            && html.contains("<td>SimpleNetwork-Tanh</td>")
    );
    // One seed per activation: no statistics figure, and a note that nothing was tested.
    assert!(html.contains("reported, not tested"));
    // The experiment's figure and one per run, inline.
    assert_eq!(html.matches("<svg").count(), 3);
    assert!(!html.contains("<?xml") && !html.contains("src=") && !html.contains("<link"));
    // The config as TOML that --config reads, and where the runs ran.
    assert!(
        html.contains("acts = [&quot;ReLU&quot;, &quot;Tanh&quot;]"),
        "the config is shown as TOML"
    );
    assert!(html.contains("<dt>Backend</dt><dd>flex (cpu)</dd>"));
    assert!(html.contains(&format!("<dd>{}", env!("CARGO_PKG_VERSION"))));
    let missing = actlab(tmp.path(), &["report", "nowhere"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("nowhere: not an experiment folder"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn dead_neuron_reports_plot_side_by_side() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let out = train(tmp.path(), &data, "o", "ReLU,Tanh", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut reports = Vec::new();
    for run in ["ReLU-s7", "Tanh-s7"] {
        let dir = tmp.path().join("o/train").join(run);
        let probe = actlab_synthetic(
            tmp.path(),
            &[
                "probe",
                "dead-neurons",
                "--run",
                dir.to_str().unwrap(),
                "--data-dir",
                data.to_str().unwrap(),
            ],
        );
        assert!(probe.status.success(), "{}", stderr(&probe));
        reports.push(
            dir.join("probes/dead-neurons-epoch-2.json")
                .to_str()
                .unwrap()
                .to_string(),
        );
    }
    let mut args = vec!["plot", "dead-neurons"];
    args.extend(reports.iter().map(String::as_str));
    args.extend(["--out", "cmp"]);
    let plot = actlab(tmp.path(), &args);
    assert!(plot.status.success(), "{}", stderr(&plot));
    let figure = read_json(&tmp.path().join("cmp/dead-neurons.json"));
    let series = figure["panels"][0]["series"].as_array().unwrap();
    let names: Vec<&str> = series.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["ReLU-s7", "Tanh-s7"]);
    for (s, report) in series.iter().zip(&reports) {
        let probe = read_json(Path::new(report));
        let want: Vec<f64> = probe["report"]["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["ratio"].as_f64().unwrap() * 100.0)
            .collect();
        let got: Vec<f64> = s["y"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(got, want);
    }
    let bad = actlab(
        tmp.path(),
        &["plot", "dead-neurons", "cmp/dead-neurons.json"],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("dead-neurons.json: holds a figure record, not a dead-neurons one"),
        "{}",
        stderr(&bad)
    );
}
