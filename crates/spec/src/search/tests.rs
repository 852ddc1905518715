use super::*;

fn parse(text: &str) -> Result<SearchFile, ConfigError> {
    SearchFile::parse(text, Path::new("s.toml"))
}

fn check(text: &str) -> Result<Search, String> {
    parse(text)
        .map_err(|e| e.to_string())?
        .check("s.toml")
        .map_err(|e| e.located_in(text).to_string())
}

const SMALL: &str = r#"
name = "tiny"
hidden = [8]
baselines = ["ReLU"]

[space]
schemas = ["u(x)", "b(x, u(x))"]
unary = ["x", "sigmoid", "tanh"]
binary = ["mul", "add"]

[strategy]
kind = "random"
trials = 3
seed = 5

[[rung]]
epochs = 1
seeds = [1]
promote = 2

[[rung]]
epochs = 2
seeds = 3
"#;

#[test]
fn a_small_study_checks_and_plans_its_rungs_as_experiments() {
    let search = check(SMALL).unwrap();
    assert_eq!(search.dir(), Path::new("results/tiny"));
    assert_eq!(search.space().size(), 3 + 2 * 3);
    let candidate = CustomActivation {
        name: "C0004".into(),
        expr: "x * sigmoid(x)".into(),
        params: BTreeMap::new(),
        mix: Vec::new(),
    };
    let rung = search.rung_experiment(1, vec![candidate]).unwrap();
    assert_eq!(rung.dir(), Path::new("results/tiny/rung-2"));
    assert_eq!(rung.seeds(), [1, 2, 3]);
    assert_eq!(rung.train().epochs, 2);
    let names: Vec<&str> = rung.acts().iter().map(|a| a.name()).collect();
    assert_eq!(names, ["ReLU", "C0004"]);
    assert_eq!(rung.baseline(), Some("ReLU"));
}

#[test]
fn the_default_study_checks() {
    let search = SearchFile::default().check("default").unwrap();
    assert!(search.space().size() > 1000, "{}", search.space().size());
}

#[test]
fn bad_studies_name_the_field_and_what_would_be_valid() {
    let cases: &[(&str, &str, &str)] = &[
        ("promote = 2\n", "", "`rung[0].promote` is missing"),
        (
            "seeds = 3\n",
            "seeds = 3\npromote = 1\n",
            "`rung[1].promote` is set on the last rung",
        ),
        (
            "seeds = [1]\n",
            "seeds = [1, 1]\n",
            "`rung[0].seeds[1]` repeats seed 1",
        ),
        (
            "baselines = [\"ReLU\"]",
            "baselines = [\"Relu9\"]",
            "`baselines[0]`",
        ),
        ("trials = 3\n", "", "`strategy.trials` is missing"),
        ("\"tanh\"]", "\"tanhh\"]", "'tanhh' is not a unary operator"),
        (
            "binary = [\"mul\", \"add\"]",
            "binary = []",
            "has a binary slot, but space.binary is empty",
        ),
        ("\"b(x, u(x))\"", "\"b(x, u(x)\"", "`space.schemas[1]`"),
        (
            "seed = 5\n",
            "seed = 5\n[space.params]\nbeta = 1e39\n",
            "finite float32",
        ),
    ];
    for (from, to, want) in cases {
        assert!(SMALL.contains(from), "{from}");
        let text = SMALL.replacen(from, to, 1);
        let err = check(&text).map(|_| ()).unwrap_err();
        assert!(err.contains(want), "{from} -> {to}: {err}");
        assert!(err.starts_with("s.toml"), "{err}");
    }
    let err = check(&SMALL.replace("[strategy]", "[train]\nepochs = 3\n[strategy]")).unwrap_err();
    assert!(err.contains("set per rung"), "{err}");
    let err = check(&SMALL.replace("unary = [", "exclude = [\"tanh\"]\nunary = [")).unwrap_err();
    assert!(err.contains("exclude leaves out"), "{err}");
    let err = check(&SMALL.replace("schemas = [", "max_candidates = 5\nschemas = [")).unwrap_err();
    assert!(err.contains("holds 9 candidates"), "{err}");
}

#[test]
fn the_registry_group_leaves_out_what_exclude_names() {
    let text = SMALL.replace(
        "unary = [\"x\", \"sigmoid\", \"tanh\"]",
        "unary = [\"x\", \"registry\"]\nexclude = [\"silu\", \"swish\", \"gelu\", \"mish\"]",
    );
    let search = check(&text).unwrap();
    let names: Vec<&str> = search
        .space()
        .unary
        .iter()
        .map(|o| o.name.as_str())
        .collect();
    assert!(
        names.contains(&"sigmoid") && names.contains(&"tanhexp"),
        "{names:?}"
    );
    for gone in ["silu", "swish", "gelu", "mish"] {
        assert!(!names.contains(&gone), "{gone} in {names:?}");
    }
    for c in search.space().candidates() {
        assert!(
            !c.operators
                .iter()
                .any(|o| ["silu", "swish", "gelu", "mish"].contains(&o.as_str())),
            "{c:?}"
        );
    }
}

#[test]
fn a_confirmation_is_an_experiment_after_the_last_rung() {
    let text = format!(
        "{SMALL}\n[confirm]\ntop = 2\nepochs = 4\nseeds = 5\nagainst = [\"relu\", \"TeLU\"]\n\n[confirm.train]\nlr = 0.002\n"
    );
    let search = check(&text).unwrap();
    let confirm = search.confirm().unwrap();
    assert_eq!(confirm.top, 2);
    let candidate = CustomActivation {
        name: "C0004".into(),
        expr: "x * sigmoid(beta * x)".into(),
        params: [("beta".to_string(), 1.0)].into(),
        mix: Vec::new(),
    };
    let experiment = search.confirm_experiment(vec![candidate]).unwrap().unwrap();
    assert_eq!(experiment.dir(), Path::new("results/tiny/confirm"));
    assert_eq!(experiment.seeds(), [1, 2, 3, 4, 5]);
    let names: Vec<&str> = experiment.acts().iter().map(|a| a.name()).collect();
    assert_eq!(names, ["ReLU", "TeLU", "C0004"]);
    assert_eq!(experiment.baseline(), Some("ReLU"));
    // [confirm.train] replaces the study's [train] (the book's defaults under it);
    // the epochs are the confirmation's.
    assert_eq!(experiment.train().lr, 0.002);
    assert_eq!(experiment.train().momentum, 0.8);
    assert_eq!(experiment.train().epochs, 4);

    // Without [confirm.train], the study's settings; the defaults: the best 3, 15
    // epochs, 10 seeds, against ReLU, TeLU, PReLU and STAF.
    let search = check(&format!("{SMALL}\n[train]\nlr = 0.03\n[confirm]\n")).unwrap();
    let confirm = search.confirm().unwrap();
    assert_eq!(
        (confirm.top, confirm.epochs, confirm.seeds.len()),
        (3, 15, 10)
    );
    assert_eq!(confirm.against, ["ReLU", "TeLU", "PReLU", "STAF"]);
    let experiment = search.confirm_experiment(Vec::new()).unwrap().unwrap();
    assert_eq!(experiment.train().lr, 0.03);
    // A study without [confirm] has none.
    assert!(
        check(SMALL)
            .unwrap()
            .confirm_experiment(Vec::new())
            .is_none()
    );
}

#[test]
fn bad_confirmations_name_the_field() {
    let cases: &[(&str, &str)] = &[
        ("top = 0", "`confirm.top` is 0"),
        ("seeds = 2", "`confirm.seeds` has 2 seeds"),
        ("seeds = [1, 2, 2]", "`confirm.seeds[2]` repeats seed 2"),
        ("against = []", "`confirm.against` is empty"),
        ("against = [\"ReLU\", \"Relu9\"]", "`confirm.against[1]`"),
        ("epochs = 0", "`confirm.epochs`"),
        ("[confirm.train]\nlr = -1", "`confirm.train.lr`"),
        ("[confirm.train]\nepochs = 3", "set in [confirm] itself"),
        ("topp = 3", "unknown field `topp`"),
    ];
    for (body, want) in cases {
        let text = format!("{SMALL}\n[confirm]\n{body}\n");
        let err = check(&text).map(|_| ()).unwrap_err();
        assert!(err.contains(want), "{body}: {err}");
        assert!(err.starts_with("s.toml"), "{err}");
    }
}

const EVOLVING: &str =
    "kind = \"evolution\"\ntrials = 11\npopulation = 4\nchildren = 3\nsample = 2\n";

#[test]
fn an_evolution_is_a_stage_per_generation_then_the_later_rungs() {
    let text = SMALL.replace("kind = \"random\"\ntrials = 3\n", EVOLVING);
    let search = check(&text).unwrap();
    let e = search.file().strategy.evolution().unwrap();
    // 4 at random, then 3, 3 and the last 1 of trials = 11.
    assert_eq!(e.generations(), 4);
    assert_eq!((0..4).map(|g| e.size(g)).collect::<Vec<_>>(), [4, 3, 3, 1]);
    assert_eq!(
        search.stages(),
        [
            Stage::Generation(0),
            Stage::Generation(1),
            Stage::Generation(2),
            Stage::Generation(3),
            Stage::Rung(1)
        ]
    );
    assert_eq!(
        search.stage_outline(),
        "1 to 4 the generations 0 to 3, 5 rung 2"
    );
    // Generation 0 trains the baselines beside its candidates, later ones only theirs.
    let candidate = CustomActivation {
        name: "C0004".into(),
        expr: "x * sigmoid(x)".into(),
        params: BTreeMap::new(),
        mix: Vec::new(),
    };
    let first = search
        .generation_experiment(0, vec![candidate.clone()])
        .unwrap();
    let later = search.generation_experiment(2, vec![candidate]).unwrap();
    assert_eq!(first.dir(), Path::new("results/tiny/gen-0"));
    assert_eq!(later.dir(), Path::new("results/tiny/gen-2"));
    let names = |e: &Experiment| {
        e.acts()
            .iter()
            .map(|a| a.name().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&first), ["ReLU", "C0004"]);
    assert_eq!(names(&later), ["C0004"]);
    assert_eq!(later.baseline(), None);
    assert_eq!(later.train().epochs, 1, "the first rung's budget");
    // Without evolution: the rungs, then the confirmation.
    let plain = check(&format!(
        "{SMALL}\n[confirm]\nseeds = 3\nagainst = [\"ReLU\"]\n"
    ))
    .unwrap();
    assert_eq!(
        plain.stages(),
        [Stage::Rung(0), Stage::Rung(1), Stage::Confirm]
    );
    assert_eq!(
        plain.stage_outline(),
        "1 to 2 the rungs, 3 the confirmation"
    );
}

#[test]
fn bad_evolutions_name_the_field_and_what_would_be_valid() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "population = 4",
            "population = 11",
            "`strategy.population` is 11; give 2 to 10",
        ),
        (
            "population = 4",
            "population = 1",
            "`strategy.population` is 1",
        ),
        (
            "sample = 2",
            "sample = 9",
            "`strategy.sample` is 9; a tournament draws 1 to population = 4",
        ),
        ("children = 3", "children = 0", "`strategy.children` is 0"),
        (
            "trials = 11",
            "trials = 0",
            "`strategy.trials` is missing or 0; the evolution strategy",
        ),
    ];
    for (from, to, want) in cases {
        let text = SMALL.replace(
            "kind = \"random\"\ntrials = 3\n",
            &EVOLVING.replace(from, to),
        );
        let err = check(&text).map(|_| ()).unwrap_err();
        assert!(err.contains(want), "{to}: {err}");
    }
    let err = check(&SMALL.replace("seed = 5", "seed = 5\npopulation = 3")).unwrap_err();
    assert!(
        err.contains("`strategy.population` is set, but only kind = \"evolution\""),
        "{err}"
    );
    let slow = EVOLVING
        .replace("trials = 11", "trials = 500")
        .replace("children = 3", "children = 1");
    let err = check(&SMALL.replace("kind = \"random\"\ntrials = 3\n", &slow)).unwrap_err();
    assert!(
        err.contains("would take 497 generations") && err.contains("at least 6"),
        "{err}"
    );
}
