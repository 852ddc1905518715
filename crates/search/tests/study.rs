//! A study's decisions on a small space: what screening keeps, what the strategy picks,
//! who is promoted and how the leaderboard ranks, from hand-made run records.

use std::path::Path;

use burn::tensor::Device;
use search::{
    Generation, RungResults, breed, confirm_candidates, confirmation, leaderboard, promoted,
    screen, select, stage_runs, study_progress,
};
use spec::record::search::{CandidateList, Fate};
use spec::search::{Search, SearchFile};
use spec::{
    ActivationConfig, ActivationSpec, BatchPoint, CustomActivation, RunRecord, RunStatus, Scope,
};

const STUDY: &str = r#"
name = "t"
baselines = ["ReLU"]
[space]
schemas = ["u(x)", "b(x, u(x))", "b(u(x), x)"]
unary = ["x", "sigmoid", "tanh", "square", "exp"]
binary = ["mul", "add"]
[strategy]
kind = "random"
trials = 4
seed = 3
[[rung]]
epochs = 1
seeds = [1]
promote = 2
[[rung]]
epochs = 2
seeds = [1, 2, 3]
"#;

fn study(text: &str) -> Search {
    SearchFile::parse(text, Path::new("t.toml"))
        .unwrap()
        .check("t.toml")
        .unwrap()
}

fn screened(search: &Search) -> CandidateList {
    let mut list = screen(search, &Device::flex(), |_, _| {});
    select(search, &mut list);
    list
}

fn fate<'a>(list: &'a CandidateList, formula: &str) -> &'a Fate {
    &list
        .candidates
        .iter()
        .find(|c| c.formula == formula)
        .unwrap_or_else(|| panic!("no candidate {formula}"))
        .fate
}

#[test]
fn screening_refuses_with_reasons_and_trains_equal_candidates_once() {
    let list = screened(&study(STUDY));
    assert_eq!(list.candidates.len(), 5 + 10 + 10);
    let refused = |f: &str| match fate(&list, f) {
        Fate::Rejected { reason } => reason.clone(),
        other => panic!("{f} was not refused: {other:?}"),
    };
    assert!(refused("x").starts_with("affine"), "{}", refused("x"));
    assert!(refused("x + x").starts_with("affine"));
    assert!(
        refused("exp(x) * x").starts_with("fragile")
            || refused("exp(x) * x").starts_with("not finite")
    );
    // x * sigmoid(x) and sigmoid(x) * x: one class, trained under the first written.
    let Fate::Distinct { name } = fate(&list, "x * sigmoid(x)") else {
        panic!("{:?}", fate(&list, "x * sigmoid(x)"));
    };
    assert_eq!(
        fate(&list, "sigmoid(x) * x"),
        &Fate::SameAs { name: name.clone() }
    );
    // x * x and x^2 compute alike; x^2 has fewer operations.
    let Fate::Distinct { name: square } = fate(&list, "x^2") else {
        panic!("{:?}", fate(&list, "x^2"));
    };
    assert_eq!(
        fate(&list, "x * x"),
        &Fate::SameAs {
            name: square.clone()
        }
    );
    assert_ne!(fate(&list, "x * tanh(x)"), fate(&list, "x * sigmoid(x)"));
}

#[test]
fn the_random_pick_is_the_seeds_and_exhaustive_takes_every_distinct_candidate() {
    let search = study(STUDY);
    let list = screened(&search);
    assert_eq!(list.selected.len(), 4);
    assert!(list.selected.is_sorted(), "{:?}", list.selected);
    assert_eq!(
        screened(&search).selected,
        list.selected,
        "the same seed, the same pick"
    );
    let other = screened(&study(&STUDY.replace("seed = 3", "seed = 4"))).selected;
    assert_ne!(other, list.selected, "another seed, another pick");
    let all = screened(&study(
        &STUDY.replace("kind = \"random\"\ntrials = 4\n", "kind = \"exhaustive\"\n"),
    ));
    let distinct = all
        .candidates
        .iter()
        .filter(|c| matches!(c.fate, Fate::Distinct { .. }))
        .count();
    assert_eq!(all.selected.len(), distinct);
}

/// A committed record of the book's ReLU run, as the template of every test run.
fn template() -> RunRecord {
    let text = include_str!("../../../results/reference/book-ch4/ReLU-s7/run.json");
    spec::artifact::parse(text, Path::new("run.json")).unwrap()
}

/// A finished run of candidate `name` (formula x * tanh(x)) or of a registry activation.
fn run(name: &str, seed: u64, accuracy: Option<f64>) -> RunRecord {
    let mut r = template();
    let kind = match name.parse() {
        Ok(builtin) => ActivationSpec::Builtin(builtin),
        Err(_) => ActivationSpec::Custom(
            CustomActivation {
                name: name.into(),
                expr: "x * tanh(x)".into(),
                params: Default::default(),
                mix: Vec::new(),
            }
            .compile()
            .unwrap(),
        ),
    };
    r.network.activation = Some(ActivationConfig {
        kind,
        scope: Scope::Shared,
    });
    r.train.seed = seed;
    r.run = format!("{name}-s{seed}");
    match accuracy {
        Some(a) => r
            .epochs
            .iter_mut()
            .for_each(|e| e.test_accuracy = a / 100.0),
        None => {
            r.epochs.truncate(1);
            r.status = RunStatus::Diverged(BatchPoint { epoch: 2, batch: 5 });
        }
    }
    r
}

#[test]
fn promotion_and_the_leaderboard_follow_the_records_alone() {
    let search = study(STUDY);
    let list = screened(&search);
    let names: Vec<String> = list.selected.clone();
    let (a, b, c, d) = (&names[0], &names[1], &names[2], &names[3]);
    let mut rung1 = vec![
        run("ReLU", 1, Some(84.0)),
        run(a, 1, Some(80.0)),
        run(b, 1, None),
        run(c, 1, Some(85.0)),
    ];
    // d has not finished: nothing is promoted yet.
    let pending = promoted(&search, 0, &names, &rung1).unwrap_err();
    assert_eq!(pending.missing, [format!("{d}-s1")]);
    rung1.push(run(d, 1, Some(85.0)));
    // Best first, a tie broken by enumeration order, the diverged never promoted.
    let up = promoted(&search, 0, &names, &rung1).unwrap();
    assert_eq!(up, [c.clone(), d.clone()]);
    let rung2: Vec<RunRecord> = [("ReLU", 86.0), (c.as_str(), 86.5), (d.as_str(), 87.0)]
        .iter()
        .flat_map(|(n, acc)| (1..=3).map(move |s| run(n, s, Some(acc + s as f64 / 10.0))))
        .collect();
    let board = leaderboard(
        &search,
        &list,
        &[
            RungResults {
                candidates: Some(names.clone()),
                records: &rung1,
            },
            RungResults {
                candidates: Some(up.clone()),
                records: &rung2,
            },
        ],
    );
    assert!(board.complete);
    let order: Vec<&str> = board.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(order, [d.as_str(), c, "ReLU", a, b]);
    let top = &board.rows[0];
    assert_eq!((top.rank, top.rung, top.seeds), (1, 2, 3));
    assert_eq!(top.by_rung, [Some(85.0), Some(87.2)], "{top:?}");
    assert_eq!(board.rows[4].by_rung, [None], "the diverged one");
    assert!((top.accuracy.unwrap() - 87.2).abs() < 1e-9, "{top:?}");
    let [lo, hi] = top.interval.unwrap();
    assert!(lo < 87.2 && hi > 87.2);
    assert_eq!(board.rows[4].state, "diverged (seed 1, epoch 2)");
    assert!(board.rows[4].accuracy.is_none());
    assert!(board.rows[2].baseline);
    let md = board.markdown();
    assert!(md.contains("| 1 | ") && md.contains("(baseline)"), "{md}");
    assert_eq!(board.csv().lines().count(), 1 + 5);
}

#[test]
fn the_confirmation_takes_the_last_rungs_best_and_tests_each_pair_as_one_family() {
    let text = format!("{STUDY}\n[confirm]\ntop = 1\nseeds = 3\nagainst = [\"ReLU\", \"Tanh\"]\n");
    let search = study(&text);
    let list = screened(&search);
    let names = list.selected.clone();
    let rung1: Vec<RunRecord> = names
        .iter()
        .enumerate()
        .map(|(i, n)| run(n, 1, Some(80.0 + i as f64)))
        .chain([run("ReLU", 1, Some(84.0))])
        .collect();
    let up = promoted(&search, 0, &names, &rung1).unwrap();
    let first = [RungResults {
        candidates: Some(names.clone()),
        records: &rung1,
    }];
    // Nothing to confirm before the last rung has finished.
    assert!(confirm_candidates(&leaderboard(&search, &list, &first), 1).is_empty());
    let rung2: Vec<RunRecord> = [
        ("ReLU", 86.0),
        (up[0].as_str(), 87.0),
        (up[1].as_str(), 86.5),
    ]
    .iter()
    .flat_map(|(n, acc)| (1..=3).map(move |s| run(n, s, Some(acc + s as f64 / 10.0))))
    .collect();
    let both = [
        RungResults {
            candidates: Some(names.clone()),
            records: &rung1,
        },
        RungResults {
            candidates: Some(up.clone()),
            records: &rung2,
        },
    ];
    let mut board = leaderboard(&search, &list, &both);
    let best = confirm_candidates(&board, 1);
    assert_eq!(best, [up[0].clone()]);

    let records: Vec<RunRecord> = [("ReLU", 86.0), ("Tanh", 84.0), (best[0].as_str(), 88.0)]
        .iter()
        .flat_map(|(n, acc)| (1..=3).map(move |s| run(n, s, Some(acc + s as f64 / 10.0))))
        .collect();
    let learned = (1..=3)
        .map(|s| {
            let value = 1.5 + s as f64 / 10.0;
            (
                format!("{}-s{s}", best[0]),
                [("beta".to_string(), value)].into(),
            )
        })
        .collect();
    let c = confirmation(&search, &list, &best, &records, learned).unwrap();
    let groups: Vec<(&str, bool)> = c
        .groups
        .iter()
        .map(|g| (g.name.as_str(), g.candidate))
        .collect();
    assert_eq!(
        groups,
        [(best[0].as_str(), true), ("ReLU", false), ("Tanh", false)]
    );
    assert!(
        (c.groups[0].learned["beta"].mean - 1.7).abs() < 1e-12,
        "{c:?}"
    );
    assert_eq!((c.planned, c.finished, c.seeds), (9, 9, 3));
    let pairs: Vec<(&str, &str)> = c
        .comparisons
        .iter()
        .map(|x| (x.group.as_str(), x.against.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [(best[0].as_str(), "ReLU"), (best[0].as_str(), "Tanh")]
    );
    let p: Vec<f64> = c.comparisons.iter().map(|x| x.p.unwrap()).collect();
    let adjusted: Vec<f64> = c.comparisons.iter().map(|x| x.p_holm.unwrap()).collect();
    assert_eq!(adjusted, stats::holm(&p));
    assert!(
        c.comparisons.iter().all(|x| x.verdict() == "better"),
        "{c:?}"
    );
    board.confirmation = Some(c);
    let md = board.markdown();
    assert!(
        md.contains("## Confirmation")
            && md.contains("beta = 1.700 [")
            && md.contains("| better |"),
        "{md}"
    );
    // A study without a confirmation has none to make.
    assert!(confirmation(&study(STUDY), &list, &best, &records, Default::default()).is_none());
}

#[test]
fn the_study_counts_its_runs_and_epochs_left_stage_by_stage() {
    let text = format!(
        "{STUDY}\n[confirm]\ntop = 1\nseeds = 3\nepochs = 4\nagainst = [\"ReLU\", \"Tanh\"]\n"
    );
    let search = study(&text);
    let list = screened(&search);
    assert_eq!(list.selected.len(), 4);
    // Rung 1: 4 candidates and ReLU, one seed; rung 2: the best 2 and ReLU, three
    // seeds; the confirmation: the best and two others, three seeds.
    assert_eq!(stage_runs(&search, 4), [5, 9, 9]);
    let names = &list.selected;
    let rung1 = vec![
        run("ReLU", 1, Some(84.0)),
        run(&names[0], 1, Some(80.0)),
        run(&names[1], 1, None), // diverged: finished, nothing left of it
        run(&names[2], 1, Some(85.0)),
    ];
    let p = study_progress(&search, 4, &[&rung1]);
    assert_eq!((p.runs_finished, p.runs_planned), (4, 23));
    // One rung-1 run not started (1 epoch), rung 2 (9 x 2) and the confirmation (9 x 4).
    assert_eq!(p.epochs_left, 1 + 18 + 36);
    let each = p.seconds_per_epoch.unwrap();
    let recorded: f64 = rung1
        .iter()
        .flat_map(|r| &r.epochs)
        .map(|e| e.train_seconds + e.eval_seconds)
        .sum::<f64>()
        / rung1.iter().map(|r| r.epochs.len()).sum::<usize>() as f64;
    assert!((each - recorded).abs() < 1e-12);
    assert!((p.seconds_left(2).unwrap() - each * 55.0 / 2.0).abs() < 1e-9);
    assert_eq!(study_progress(&search, 4, &[]).seconds_per_epoch, None);
}

#[test]
fn evolution_breeds_mutants_of_tournament_winners_from_the_records_alone() {
    // Tournaments of the whole population: each child's parent is its best member.
    let text = STUDY.replace(
        "kind = \"random\"\ntrials = 4\n",
        "kind = \"evolution\"\ntrials = 8\npopulation = 4\nchildren = 2\nsample = 4\n",
    );
    let search = study(&text);
    let list = screened(&search);
    // Generation 0 with ReLU, the two children of 1 and of 2, then rung 2.
    assert_eq!(stage_runs(&search, 4), [5, 2, 2, 9]);
    let first = breed(&search, &list, 0, &[]).unwrap();
    let zero: Vec<String> = first.iter().map(|b| b.name.clone()).collect();
    assert_eq!(
        zero, list.selected,
        "generation 0 is the strategy's random draw"
    );
    assert!(first.iter().all(|b| b.parent.is_none()));
    let scored = |best: usize| -> Vec<RunRecord> {
        let mut records = vec![run("ReLU", 1, Some(84.0))];
        for (i, name) in zero.iter().enumerate() {
            records.push(run(
                name,
                1,
                Some(if i == best { 86.0 } else { 80.0 + i as f64 }),
            ));
        }
        records
    };
    let distinct = |name: &str| {
        list.candidates
            .iter()
            .any(|c| matches!(&c.fate, Fate::Distinct { name: n } if n == name))
    };
    for best in [2, 0] {
        let records = scored(best);
        let held = [Generation {
            names: &zero,
            records: &records,
        }];
        let children = breed(&search, &list, 1, &held).unwrap();
        assert_eq!(children.len(), 2);
        assert_eq!(children, breed(&search, &list, 1, &held).unwrap(), "seeded");
        for child in &children {
            assert_eq!(child.generation, 1);
            assert_eq!(
                child.parent.as_deref(),
                Some(zero[best].as_str()),
                "{child:?}"
            );
            assert!(child.change.contains(" → "), "{child:?}");
            assert!(
                distinct(&child.name) && !zero.contains(&child.name),
                "{child:?}"
            );
        }
        assert_ne!(children[0].name, children[1].name);
    }
    // Generation 2 draws from the latest four: two of generation 0 (aged out: the first
    // two) and both children, the best of which is the parent.
    let records = scored(0);
    let children = breed(
        &search,
        &list,
        1,
        &[Generation {
            names: &zero,
            records: &records,
        }],
    )
    .unwrap();
    let one: Vec<String> = children.iter().map(|b| b.name.clone()).collect();
    let later = vec![run(&one[0], 1, Some(90.0)), run(&one[1], 1, Some(70.0))];
    let held = [
        Generation {
            names: &zero,
            records: &records,
        },
        Generation {
            names: &one,
            records: &later,
        },
    ];
    let grandchildren = breed(&search, &list, 2, &held).unwrap();
    assert_eq!(grandchildren.len(), 2);
    for child in &grandchildren {
        assert_eq!(child.parent.as_deref(), Some(one[0].as_str()), "{child:?}");
        assert!(!zero.contains(&child.name) && !one.contains(&child.name));
    }
    // An unfinished run of an earlier generation holds the next one back.
    let unfinished = [Generation {
        names: &zero,
        records: &records[..4],
    }];
    let pending = breed(&search, &list, 1, &unfinished).unwrap_err();
    assert_eq!(pending.missing, [format!("{}-s1", zero[3])]);
}
