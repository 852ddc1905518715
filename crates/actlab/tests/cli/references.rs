//! The committed references, and every result as JSON.

use super::*;

/// Copies a folder tree.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The data a committed picture is drawn from, and the name `plot --from DATA --out DIR`
/// gives it: the figure JSON beside it, the probe report it shows (`<report>-figure`),
/// the run it shows (`<run>/figures/training`), the study's leaderboard
/// (`figures/leaderboard`), or the experiment folder it compares (`figures/comparison`,
/// `figures/statistics`).
fn picture_source(svg: &Path) -> (PathBuf, String) {
    let name = svg.file_stem().unwrap().to_string_lossy().into_owned();
    let beside = svg.with_extension("json");
    if beside.is_file() {
        return (beside, name);
    }
    if let Some(report) = name.strip_suffix("-figure") {
        return (svg.with_file_name(format!("{report}.json")), name);
    }
    let figures = svg.parent().unwrap();
    if name == "training" {
        // A run's figure, drawn from its run.json.
        let run = figures.parent().unwrap();
        let run_name = run.file_name().unwrap().to_string_lossy();
        return (run.to_path_buf(), format!("{run_name}-training"));
    }
    if name == "settings" {
        // An experiment with settings' figure, drawn from its settings.json.
        let experiment = figures.parent().unwrap();
        return (experiment.join("settings.json"), "settings-figure".into());
    }
    if name == "leaderboard" {
        // A study's figure, drawn from its leaderboard.json.
        let study = figures.parent().unwrap();
        return (study.join("leaderboard.json"), "leaderboard-figure".into());
    }
    assert!(
        name == "comparison" || name == "statistics",
        "{}: no data to draw it from",
        svg.display()
    );
    let experiment = figures.parent().unwrap();
    let exp_name = experiment.file_name().unwrap().to_string_lossy();
    (experiment.to_path_buf(), format!("{exp_name}-{name}"))
}

/// The committed references were written before files carried a `kind` tag: every
/// committed picture is drawn again byte for byte from its data, and the book's
/// experiment folder still resumes (nothing left to train), while a run record that
/// contradicts its experiment is refused.
///
/// A regression guard, not a proof: the committed pictures were drawn by actlab itself,
/// so this says that drawing has not changed, not that it was right. What they show is
/// checked elsewhere: the numbers the docs quote by `record_numbers.rs` against the
/// records, and that an SVG carries its figure's text by `viz`'s own tests.
#[test]
fn committed_references_still_draw_identically_and_resume() {
    let references = manifest_dir().join("../../results/reference");
    let tmp = tempfile::tempdir().unwrap();
    let mut drawn = 0;
    for svg in walk(&references)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
    {
        let (data, name) = picture_source(&svg);
        let out = tmp.path().join(format!("again{drawn}"));
        let plot = actlab(
            tmp.path(),
            &[
                "plot",
                "--from",
                data.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(
            plot.status.success(),
            "{}: {}",
            data.display(),
            stderr(&plot)
        );
        assert!(
            std::fs::read(&svg).unwrap() == std::fs::read(out.join(format!("{name}.svg"))).unwrap(),
            "{} is not drawn identically from {}",
            svg.display(),
            data.display()
        );
        drawn += 1;
    }
    assert!(drawn >= 15, "only {drawn} committed figures");

    let book = tmp.path().join("book-ch4");
    copy_tree(&references.join("book-ch4"), &book);
    let data = real_dataset();
    let resume = |dir: &Path| {
        actlab(
            tmp.path(),
            &[
                "train",
                "--resume",
                dir.to_str().unwrap(),
                "--data-dir",
                data.to_str().unwrap(),
            ],
        )
    };
    let again = resume(&book);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("0 of 13 runs left to train"),
        "{}",
        stderr(&again)
    );
    assert_eq!(read_json(&book.join("summary.json"))["kind"], "summary");
    // The table from the committed records is the committed table (whose test loss
    // was called final_loss).
    let rows = |path: &Path| -> Vec<(String, f64, f64, f64)> {
        read_json(path)["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let loss = r.get("final_test_loss").or_else(|| r.get("final_loss"));
                (
                    r["run"].as_str().unwrap().to_string(),
                    r["accuracy_percent"].as_f64().unwrap(),
                    loss.unwrap().as_f64().unwrap(),
                    r["time_seconds"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        rows(&book.join("summary.json")),
        rows(&references.join("book-ch4/summary.json"))
    );

    let record = book.join("Tanh-s7/run.json");
    let mut edited = read_json(&record);
    edited["train"]["lr"] = 0.5.into();
    std::fs::write(&record, edited.to_string()).unwrap();
    let refused = resume(&book);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("Tanh-s7/run.json says `train.lr` is 0.5, but ")
            && stderr(&refused).contains("experiment.json plans 0.001 for Tanh-s7"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(stderr(&refused).trim_end().lines().count(), 1);
}

/// Every command that prints a result prints it as JSON with --json (progress, if any,
/// on stderr); `ls` lists experiments and runs, `show` a run with its learned activation
/// parameters, `completions` a shell script.
#[test]
fn every_result_prints_as_json_and_runs_can_be_listed_and_shown() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let d = data.to_str().unwrap();
    let trained = json_out(&train(tmp.path(), &data, "o", "ReLU,PReLU", &["--json"]));
    assert_eq!(trained["summary"]["rows"].as_array().unwrap().len(), 2);
    assert_eq!(
        trained["summary"]["kind"],
        Value::Null,
        "the table, not a file"
    );

    let run = |args: &[&str]| json_out(&actlab_synthetic(tmp.path(), args));
    let dead = run(&[
        "probe",
        "dead-neurons",
        "--run",
        "o/train/ReLU-s7",
        "--data-dir",
        d,
        "--json",
    ]);
    assert_eq!(
        dead["record"]["report"]["layers"].as_array().unwrap().len(),
        2
    );
    assert!(
        Path::new(dead["report"].as_str().unwrap()).is_absolute()
            || tmp.path().join(dead["report"].as_str().unwrap()).is_file()
    );
    let outputs = run(&[
        "probe",
        "outputs",
        "--run",
        "o/train/ReLU-s7",
        "--data-dir",
        d,
        "--json",
    ]);
    assert_eq!(outputs["record"]["split"], "test");
    let gradients = run(&[
        "probe",
        "gradients",
        "--acts",
        "Tanh",
        "--hidden",
        "8",
        "--out",
        "g",
        "--data-dir",
        d,
        "--json",
    ]);
    assert_eq!(
        gradients.as_array().unwrap().len(),
        2,
        "Tanh and no activation"
    );
    let hidden = gradients[0]["record"]["network"]["hidden"].clone();
    assert_eq!(
        hidden,
        serde_json::json!([8]),
        "--hidden shapes the probed network"
    );
    let surface = run(&[
        "probe", "surface", "--acts", "ReLU", "--grid", "5", "--out", "s", "--json",
    ]);
    assert_eq!(surface[0]["record"]["z"].as_array().unwrap().len(), 25);
    let plotted = run(&["plot", "--from", "o/train", "--json"]);
    assert!(
        plotted["files"][0]
            .as_str()
            .unwrap()
            .ends_with("comparison.svg")
    );
    let acts = run(&["plot", "acts", "--acts", "ReLU", "--out", "figs", "--json"]);
    assert_eq!(acts["files"].as_array().unwrap().len(), 3);
    let report = run(&["report", "o/train", "--out", "web", "--json"]);
    assert_eq!(report["runs"], 2);
    // The comparison, a figure per run, and the two probes made for ReLU-s7 above.
    assert_eq!(report["figures"], 5);
    assert!(
        tmp.path().join("web/index.html").is_file(),
        "--out is the report's folder"
    );
    let listed = run(&["ls", "o", "--json"]);
    assert_eq!(listed[0]["name"], "train");
    assert_eq!(listed[0]["runs"][1]["run"], "PReLU-s7");
    assert_eq!(listed[0]["runs"][1]["epochs_done"], 2);
    run(&["summary", "--act", "TeLU", "--json"]);
    run(&["acts", "list", "--json"]);
    run(&["acts", "eval", "ReLU", "--at", "1", "--json"]);
    let rerun = run(&[
        "rerun",
        "o/train/ReLU-s7",
        "--out",
        "again",
        "--quiet",
        "--data-dir",
        d,
        "--json",
    ]);
    assert_eq!(rerun["reproduced"], true);
    run(&[
        "bench",
        "acts",
        "--acts",
        "ReLU",
        "--iterations",
        "2",
        "--json",
    ]);
    // bench peak and bench train's products: measured (positive), and the step's
    // products those of the book's network at batch 128 (a multiply-add counts two).
    let peak = run(&["bench", "peak", "--threads", "1,2", "--json"]);
    for (row, threads) in peak.as_array().unwrap().iter().zip([1, 2]) {
        assert_eq!(row["threads"], threads);
        for key in ["fma_gflops", "product_gflops"] {
            assert!(row[key].as_f64().unwrap() > 0.0, "{key}: {row}");
        }
    }
    let bench = run(&[
        "bench",
        "train",
        "--acts",
        "ReLU",
        "--epochs",
        "1",
        "--images",
        "256",
        "--data-dir",
        d,
        "--json",
    ]);
    let products = &bench[0]["products"];
    let weights = 784.0 * 256.0 + 256.0 * 192.0 + 192.0 * 128.0 + 128.0 * 64.0 + 64.0 * 10.0;
    let forward = products["forward_gflop"].as_f64().unwrap();
    assert!(
        (forward - 2.0 * 128.0 * weights / 1e9).abs() < 1e-12,
        "{products}"
    );
    assert!(
        products["epoch_gflops"].as_f64().unwrap() > 0.0,
        "{products}"
    );
    assert_eq!(products["limits"]["threads"], 1);

    // show: the run, and what its trainable activation learned.
    let shown = run(&["show", "o/train/PReLU-s7", "--json"]);
    assert_eq!(shown["checkpoint"], "epoch-2");
    let alpha = &shown["activation_parameters"][0]["params"][0];
    assert_eq!(alpha["name"], "alpha");
    assert_ne!(
        alpha["values"][0].as_f64().unwrap(),
        0.25,
        "alpha trained away from its start"
    );
    let text = stdout(&actlab(tmp.path(), &["show", "o/train/PReLU-s7"]));
    assert!(
        text.contains("learned activation parameters (epoch-2)"),
        "{text}"
    );
    assert!(text.contains("layers 1, 2 (shared)"), "{text}");
    let listing = stdout(&actlab(tmp.path(), &["ls", "o"]));
    assert!(
        listing.contains("ReLU-s7") && listing.contains("completed") && listing.contains("2/2"),
        "{listing}"
    );

    let completions = actlab(tmp.path(), &["completions", "bash"]);
    assert!(completions.status.success());
    assert!(
        stdout(&completions).contains("_actlab") && stdout(&completions).contains("dead-neurons")
    );
}
