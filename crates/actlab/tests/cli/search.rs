//! `search`: a study end to end on the real data, killed and resumed to the same
//! leaderboard; its refusals.

use super::*;

/// A study small enough for a test: 12 candidates (x and x + x refused as affine, ...),
/// one epoch each, the best two on to three seeds of two epochs, and the best of those
/// confirmed with three seeds against ReLU and Tanh.
const STUDY: &str = r#"
name = "study"
hidden = [16]
baselines = ["ReLU"]

[train]
lr = 0.01
momentum = 0.9

[space]
schemas = ["u(x)", "b(x, u(x))"]
unary = ["x", "square", "sigmoid", "tanh"]
binary = ["mul", "add"]

[[rung]]
epochs = 1
seeds = [1]
promote = 2

[[rung]]
epochs = 2
seeds = [1, 2, 3]

[confirm]
top = 1
epochs = 1
seeds = 3
against = ["ReLU", "Tanh"]
"#;

fn search(tmp: &Path, name: &str) -> Command {
    let data = std::fs::canonicalize(real_dataset()).unwrap();
    let mut cmd = Command::new(BIN);
    cmd.args([
        "search",
        "study.toml",
        "--quiet",
        "--out",
        "o",
        "--name",
        name,
    ])
    .args(["--data-dir", data.to_str().unwrap()])
    .current_dir(tmp)
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    cmd
}

#[test]
fn a_sigkilled_study_resumes_to_the_same_leaderboard() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("study.toml"), STUDY).unwrap();
    let whole = search(tmp.path(), "whole").output().unwrap();
    assert!(whole.status.success(), "{}", stderr(&whole));
    let board = read_json(&tmp.path().join("o/whole/leaderboard.json"));
    assert_eq!(board["kind"], "leaderboard");
    assert_eq!(board["complete"], true);
    assert_eq!(board["enumerated"], 12);
    let rows = board["rows"].as_array().unwrap();
    // Two promoted candidates and ReLU at rung 2 with an interval over three seeds,
    // then the others at rung 1.
    let at = |r: u64| rows.iter().filter(|x| x["rung"] == r).count();
    assert_eq!(at(2), 3, "{rows:?}");
    assert!(
        rows[..3].iter().all(|x| x["interval"].is_array()),
        "{rows:?}"
    );
    // Each row learned (chance is 10 %) or says where it diverged.
    assert!(
        rows.iter()
            .all(|x| x["accuracy"].as_f64().is_some_and(|a| a > 30.0)
                || x["state"]
                    .as_str()
                    .unwrap()
                    .starts_with("diverged (seed 1, epoch 1)")),
        "{rows:?}"
    );
    let candidates = read_json(&tmp.path().join("o/whole/candidates.json"));
    let refused: Vec<&Value> = candidates["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["fate"] == "rejected")
        .collect();
    assert!(
        refused
            .iter()
            .any(|c| c["formula"] == "x" && c["reason"].as_str().unwrap().starts_with("affine")),
        "{refused:?}"
    );
    assert!(stdout(&whole).contains("| 1 | "), "{}", stdout(&whole));
    // The confirmation: the best of the last rung, three seeds each, against both.
    let best = rows.iter().find(|r| r["baseline"] == false).unwrap();
    let confirmed = &board["confirmation"];
    assert_eq!(confirmed["finished"], 9, "{confirmed}");
    let groups: Vec<&str> = confirmed["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(groups, [best["name"].as_str().unwrap(), "ReLU", "Tanh"]);
    let comparisons = confirmed["comparisons"].as_array().unwrap();
    assert_eq!(comparisons.len(), 2);
    assert!(
        comparisons.iter().all(|c| c["p_holm"].is_number()),
        "{comparisons:?}"
    );
    // Each of the candidate's runs had its checkpoint opened for its learned scalars.
    assert_eq!(
        confirmed["learned_runs"].as_object().map(|m| m.len()),
        Some(3),
        "{confirmed}"
    );
    assert!(stdout(&whole).contains("## Confirmation"));
    let figure = read_json(&tmp.path().join("o/whole/figures/discovered.json"));
    assert_eq!(figure["kind"], "figure");
    assert!(tmp.path().join("o/whole/figures/discovered.png").is_file());
    // The best candidates, ready for --defs.
    let listed = actlab(
        tmp.path(),
        &["acts", "list", "--defs", "o/whole/discovered.toml"],
    );
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert!(tmp.path().join("o/whole/figures/leaderboard.png").is_file());
    let torch = std::fs::read_to_string(tmp.path().join("o/whole/discovered.py")).unwrap();
    assert!(
        torch.contains(&format!(
            "class {}(nn.Module):",
            best["name"].as_str().unwrap()
        )),
        "{torch}"
    );
    assert!(
        stdout(&listed).contains(best["name"].as_str().unwrap()),
        "{}",
        stdout(&listed)
    );

    // Without its checkpoints (a committed study), a resume keeps the learned scalars
    // the leaderboard saved, and nothing else changes.
    for entry in std::fs::read_dir(tmp.path().join("o/whole/confirm")).unwrap() {
        let checkpoints = entry.unwrap().path().join("checkpoints");
        if checkpoints.is_dir() {
            std::fs::remove_dir_all(checkpoints).unwrap();
        }
    }
    let data = std::fs::canonicalize(real_dataset()).unwrap();
    let again = actlab(
        tmp.path(),
        &[
            "search",
            "--resume",
            "o/whole",
            "--quiet",
            "--data-dir",
            data.to_str().unwrap(),
        ],
    );
    assert!(again.status.success(), "{}", stderr(&again));
    let kept = read_json(&tmp.path().join("o/whole/leaderboard.json"));
    assert_eq!(
        kept, board,
        "a resume without checkpoints lost what the leaderboard held"
    );

    let mut child = search(tmp.path(), "killed").spawn().unwrap();
    let rung2 = tmp.path().join("o/killed/rung-2");
    let started = std::time::Instant::now();
    // Kill inside the second rung, once a run there has finished an epoch: the resume
    // must decide the promotion again from rung 1's records and continue a run.
    let first_epoch_done = || {
        std::fs::read_dir(&rung2).ok().is_some_and(|entries| {
            entries.flatten().any(|e| {
                std::fs::read_to_string(e.path().join("run.json"))
                    .ok()
                    .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                    .is_some_and(|r| r["epochs"].as_array().is_some_and(|a| !a.is_empty()))
            })
        })
    };
    while !first_epoch_done() {
        assert!(started.elapsed().as_secs() < 300, "rung 2 never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL: no handler runs
    child.wait().unwrap();
    let status = actlab(tmp.path(), &["search", "--status", "o/killed", "--json"]);
    assert!(status.status.success(), "{}", stderr(&status));
    let partial: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(partial["complete"], false, "the kill came too late");

    let resumed = actlab(
        tmp.path(),
        &[
            "search",
            "--resume",
            "o/killed",
            "--quiet",
            "--data-dir",
            data.to_str().unwrap(),
        ],
    );
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    let mut again = read_json(&tmp.path().join("o/killed/leaderboard.json"));
    let mut board = board;
    for b in [&mut board, &mut again] {
        b["study"] = Value::Null;
    }
    assert_eq!(again, board, "the resumed study decided otherwise");
    let discovered = |name: &str| {
        std::fs::read_to_string(tmp.path().join(format!("o/{name}/discovered.toml")))
            .unwrap()
            .replace(name, "")
    };
    assert_eq!(discovered("killed"), discovered("whole"));
}

#[test]
fn bad_studies_are_refused_with_the_field_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = STUDY.replace("\"tanh\"]", "\"tanhh\"]");
    std::fs::write(tmp.path().join("bad.toml"), &bad).unwrap();
    let out = actlab(tmp.path(), &["search", "bad.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with("actlab: bad.toml:") && err.contains("'tanhh' is not a unary operator"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        !tmp.path().join("results").exists(),
        "a refusal writes nothing"
    );

    // A dataset that is not there: refused before the study's folder is made.
    std::fs::write(tmp.path().join("study.toml"), STUDY).unwrap();
    let out = actlab(
        tmp.path(),
        &[
            "search",
            "study.toml",
            "--out",
            "nodata",
            "--data-dir",
            "missing",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        !tmp.path().join("nodata").exists(),
        "a refusal writes nothing"
    );

    let out = actlab(tmp.path(), &["search", "--resume", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a study folder"),
        "{}",
        stderr(&out)
    );

    let out = actlab(tmp.path(), &["search"]);
    assert_eq!(out.status.code(), Some(2));

    // --prepare screens and saves, and trains nothing; a stage beyond the study's is
    // refused, naming those there are.
    let out = actlab(
        tmp.path(),
        &["search", "study.toml", "--out", "p", "--prepare"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(tmp.path().join("p/study/candidates.json").is_file());
    assert!(!tmp.path().join("p/study/rung-1").exists());
    let out = actlab(
        tmp.path(),
        &[
            "search", "--resume", "p/study", "--stage", "4", "--shard", "0/2",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("--stage 4: the study has 3 stages (1 to 2 the rungs, 3 the confirmation)"),
        "{}",
        stderr(&out)
    );

    // A confirmation too small to test anything.
    std::fs::write(
        tmp.path().join("few.toml"),
        STUDY.replace("seeds = 3\n", "seeds = 2\n"),
    )
    .unwrap();
    let out = actlab(tmp.path(), &["search", "few.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`confirm.seeds` has 2 seeds"),
        "{}",
        stderr(&out)
    );

    // A folder that holds a study is not started again without --force.
    std::fs::create_dir_all(tmp.path().join("o/study")).unwrap();
    std::fs::write(tmp.path().join("o/study/search.json"), "{}").unwrap();
    let out = actlab(tmp.path(), &["search", "study.toml", "--out", "o"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("already holds a study"),
        "{}",
        stderr(&out)
    );
}

/// An evolution small enough for a test: 3 candidates at random, then two generations
/// of 2 and 1 children, the best two on to two seeds.
const EVOLUTION: &str = r#"
name = "evolution"
hidden = [16]
baselines = ["ReLU"]

[train]
lr = 0.01
momentum = 0.9

[space]
schemas = ["u(x)", "b(x, u(x))"]
unary = ["x", "square", "sigmoid", "tanh", "erf", "sin"]
binary = ["mul", "add", "max"]

[strategy]
kind = "evolution"
trials = 6
population = 3
children = 2
sample = 2

[[rung]]
epochs = 1
seeds = [1]
promote = 2

[[rung]]
epochs = 1
seeds = [1, 2]
"#;

#[test]
fn an_evolution_trained_stage_by_stage_in_shards_breeds_as_one_process() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("study.toml"), EVOLUTION).unwrap();
    let whole = search(tmp.path(), "whole").output().unwrap();
    assert!(whole.status.success(), "{}", stderr(&whole));
    let board = read_json(&tmp.path().join("o/whole/leaderboard.json"));
    assert_eq!(board["complete"], true);
    let evolution = &board["evolution"];
    let sizes: Vec<u64> = evolution["generations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["candidates"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, [3, 2, 1], "{evolution}");
    let births = evolution["births"].as_array().unwrap();
    assert_eq!(births.len(), 6);
    // Children name their parent (a candidate trained before them) and the mutation.
    for (i, b) in births.iter().enumerate().skip(3) {
        let parent = b["parent"].as_str().unwrap_or_else(|| panic!("{b}"));
        assert!(births[..i].iter().any(|p| p["name"] == parent), "{b}");
        assert!(b["change"].as_str().unwrap().contains(" → "), "{b}");
    }
    // The baselines train in generation 0 only.
    assert!(tmp.path().join("o/whole/gen-0/ReLU-s1").is_dir());
    assert!(!tmp.path().join("o/whole/gen-1/ReLU-s1").exists());
    assert!(
        stdout(&whole).contains("## Evolution"),
        "{}",
        stdout(&whole)
    );
    // The study's report page, written at its end and again by `actlab report`.
    let page = tmp.path().join("o/whole/index.html");
    let written = std::fs::read_to_string(&page).unwrap();
    assert!(
        written.contains("<h2>Evolution</h2>") && written.contains("<h2>Leaderboard</h2>"),
        "{written}"
    );
    std::fs::remove_file(&page).unwrap();
    let report = actlab(tmp.path(), &["report", "o/whole"]);
    assert!(report.status.success(), "{}", stderr(&report));
    assert!(
        stdout(&report).contains("(study whole, 2 figures)"),
        "{}",
        stdout(&report)
    );
    let again = std::fs::read_to_string(&page).unwrap();
    let figures = |html: &str| html.matches("<figure>").count();
    assert_eq!(
        figures(&again),
        2,
        "the leaderboard's figure and the discovered functions'"
    );

    // The same study as a cluster runs it: prepared, then each stage in two shards
    // (generations 0 to 2, then rung 2), then finished by a resume.
    let data = std::fs::canonicalize(real_dataset()).unwrap();
    let data = data.to_str().unwrap();
    let prepared = actlab(
        tmp.path(),
        &[
            "search",
            "study.toml",
            "--out",
            "o",
            "--name",
            "sharded",
            "--prepare",
        ],
    );
    assert!(prepared.status.success(), "{}", stderr(&prepared));
    for stage in ["1", "2", "3", "4"] {
        for shard in ["1/2", "0/2"] {
            let out = actlab(
                tmp.path(),
                &[
                    "search",
                    "--resume",
                    "o/sharded",
                    "--stage",
                    stage,
                    "--shard",
                    shard,
                    "--quiet",
                    "--data-dir",
                    data,
                ],
            );
            assert!(
                out.status.success(),
                "stage {stage} {shard}: {}",
                stderr(&out)
            );
        }
    }
    let out = actlab(
        tmp.path(),
        &[
            "search",
            "--resume",
            "o/sharded",
            "--quiet",
            "--data-dir",
            data,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mut sharded = read_json(&tmp.path().join("o/sharded/leaderboard.json"));
    let mut board = board;
    for b in [&mut board, &mut sharded] {
        b["study"] = Value::Null;
    }
    assert_eq!(sharded, board, "the sharded evolution bred otherwise");
    let status = actlab(tmp.path(), &["search", "--status", "o/sharded", "--json"]);
    let shown: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(
        shown["evolution"], board["evolution"],
        "--status breeds alike"
    );
}

#[test]
fn an_evolution_that_spends_its_space_ends_with_what_it_trained() {
    // 20 distinct candidates and 40 trials: after the first generations nothing is left
    // to breed, and those generations train nothing and make no folder.
    let tmp = tempfile::tempdir().unwrap();
    let spent = EVOLUTION
        .replace("trials = 6", "trials = 40")
        .replace("population = 3", "population = 18");
    std::fs::write(tmp.path().join("study.toml"), spent).unwrap();
    let out = search(tmp.path(), "spent").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let board = read_json(&tmp.path().join("o/spent/leaderboard.json"));
    assert_eq!(board["complete"], true);
    let births = board["evolution"]["births"].as_array().unwrap().len() as u64;
    assert_eq!(
        births,
        board["distinct"].as_u64().unwrap(),
        "every distinct candidate, once"
    );
    let last = board["evolution"]["generations"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["candidates"], 0, "{last}");
    assert!(!tmp.path().join("o/spent/gen-11").exists());
    let status = actlab(tmp.path(), &["search", "--status", "o/spent", "--json"]);
    let shown: Value = serde_json::from_slice(&status.stdout).unwrap();
    for part in ["evolution", "rows", "rungs"] {
        assert_eq!(
            shown[part], board[part],
            "--status reads the spent generations alike"
        );
    }
}
