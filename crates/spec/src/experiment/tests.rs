//! Experiment files: parsing, checking, planning, and their errors.

use super::*;

fn parse(text: &str) -> Result<ExperimentFile, ConfigError> {
    ExperimentFile::parse(text, Path::new("x.toml"))
}

#[test]
fn full_file_parses_and_expands() {
    let file = parse(
        "name = \"demo\"\nacts = [\"relu\", \"STAF\"]\nseeds = [1, 2]\n[train]\nepochs = 2\nlr = 0.01\n",
    )
    .unwrap();
    let exp = file.check("x.toml").unwrap();
    assert_eq!(
        exp.acts(),
        [ActivationKind::ReLU.into(), ActivationKind::STAF.into()]
    );
    assert_eq!(
        exp.file().acts,
        ["ReLU", "STAF"],
        "saved in the registry's spelling"
    );
    let runs = exp.runs();
    let names: Vec<_> = runs.iter().map(|r| r.name()).collect();
    assert_eq!(names, ["ReLU-s1", "ReLU-s2", "STAF-s1", "STAF-s2"]);
    assert_eq!(runs[1].train().seed, 2);
    assert_eq!(runs[0].train().momentum, 0.8);
    assert_eq!(runs[0].dir(), Path::new("results/demo/ReLU-s1"));
}

#[test]
fn parse_errors_have_line_and_column_on_one_line() {
    let err = parse("name = \"a\"\n[train]\nlrr = 1\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("x.toml:3:1: unknown field `lrr`"), "{err}");
    assert!(!err.contains('\n'));
    let err = parse("acts = [\"ReLU\"\n").unwrap_err().to_string();
    assert!(err.starts_with("x.toml:"), "{err}");
    let err = parse("[train]\nepochs = \"ten\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("x.toml:2:10"), "{err}");
}

#[test]
fn user_defined_activations_resolve_by_name_and_are_checked() {
    let def = "[[activation]]\nname = \"SwiGELU2\"\nexpr = \"0.5 * (x * sigmoid(beta * x) + gelu(x))\"\nparams = { beta = 1.0 }\n";
    let exp = parse(&format!("acts = [\"relu\", \"swigelu2\"]\n{def}"))
        .unwrap()
        .check("x.toml")
        .unwrap();
    assert_eq!(exp.acts()[1].name(), "SwiGELU2");
    assert!(exp.acts()[1].is_trainable());
    assert_eq!(exp.runs()[1].name(), "SwiGELU2-s7");

    let check = |text: &str| {
        parse(text)
            .unwrap()
            .check("x.toml")
            .unwrap_err()
            .to_string()
    };
    let err = check("acts = [\"SwiGELU3\"]\n[[activation]]\nname = \"SwiGELU2\"\nexpr = \"x\"\n");
    assert!(
        err.contains("unknown activation 'SwiGELU3'; did you mean"),
        "{err}"
    );
    assert!(err.contains("SwiGELU2?"), "{err}");
    assert!(err.contains("Tanh"), "{err}");
    let err = check("acts = [\"M\"]\n[[activation]]\nname = \"M\"\nexpr = \"x +\"\n");
    assert!(
        err.starts_with("x.toml: `activation[0].expr` of 'M' \"x +\": column 4: expected"),
        "{err}"
    );
    let err = check(
        "acts = [\"M\"]\n[[activation]]\nname = \"M\"\nexpr = \"x\"\n[[activation]]\nname = \"m\"\nexpr = \"x\"\n",
    );
    assert!(err.contains("repeats 'm' of activation[0]"), "{err}");
    let err = parse("[[activation]]\nname = \"M\"\nexpression = \"x\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field `expression`"), "{err}");
}

#[test]
fn fourier_settings_apply_to_fourier_runs_only() {
    let exp = parse("acts = [\"Fourier\", \"STAF\"]\n[fourier]\ntau = 8\ninit = \"paper\"\n")
        .unwrap()
        .check("x.toml")
        .unwrap();
    let runs = exp.runs();
    let kind = |i: usize| runs[i].network().activation.as_ref().unwrap().kind.clone();
    let ActivationSpec::Fourier(options) = kind(0) else {
        panic!("Fourier runs carry their options")
    };
    assert_eq!((options.tau, options.init), (8, crate::FourierInit::Paper));
    assert_eq!(options.omega0, 30.0);
    assert_eq!(kind(1), ActivationSpec::Builtin(ActivationKind::STAF));

    let check = |text: &str| {
        parse(text)
            .unwrap()
            .check("x.toml")
            .unwrap_err()
            .to_string()
    };
    assert!(check("acts = [\"ReLU\"]\n[fourier]\ntau = 8\n").contains("no run uses Fourier"));
    assert!(check("acts = [\"Fourier\"]\n[fourier]\ntau = 0\n").contains("`fourier.tau` is 0"));
    let err = parse("acts = [\"Fourier\"]\n[fourier]\ninit = \"xavier\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("x.toml:3:8") && err.contains("normal"),
        "{err}"
    );
}

#[test]
fn bad_values_name_their_line_and_misplaced_keys_their_table() {
    let text = "acts = [\"ReLU\"]\n[train]\nlr = -0.1\n";
    let err = parse(text)
        .unwrap()
        .check("x.toml")
        .unwrap_err()
        .located_in(text)
        .to_string();
    assert!(err.starts_with("x.toml:3:6: `train.lr` is -0.1"), "{err}");
    let err = parse("acts = [\"ReLU\"]\nepochs = 1\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("x.toml:2:1: unknown field `epochs`")
            && err.ends_with("`epochs` belongs in [train]"),
        "{err}"
    );
}

#[test]
fn a_baseline_must_be_trained() {
    let exp = parse("acts = [\"ReLU\", \"GELU\"]\nbaseline = \"gelu\"\n")
        .unwrap()
        .check("x.toml")
        .unwrap();
    assert_eq!(exp.baseline(), Some("GELU"));
    let err = parse("acts = [\"ReLU\", \"GELU\"]\nbaseline = \"Tanh\"\n")
        .unwrap()
        .check("x.toml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("baseline") && err.contains("name one of ReLU, GELU"),
        "{err}"
    );
}

#[test]
fn seeds_are_a_list_or_a_count() {
    let exp = parse("acts = [\"ReLU\"]\nseeds = 3\n")
        .unwrap()
        .check("x.toml")
        .unwrap();
    assert_eq!(exp.seeds(), [1, 2, 3]);
    let err = parse("acts = [\"ReLU\"]\nseeds = \"many\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("x.toml:2:9") && err.contains("a count such as 5"),
        "{err}"
    );
    assert!(
        parse("acts = [\"ReLU\"]\nseeds = 0")
            .unwrap()
            .check("x.toml")
            .unwrap_err()
            .to_string()
            .contains("`seeds` is empty")
    );
}

#[test]
fn bad_values_name_the_field() {
    let check = |text: &str| {
        parse(text)
            .unwrap()
            .check("x.toml")
            .unwrap_err()
            .to_string()
    };
    assert!(check("acts = []").contains("`acts` is empty"));
    let err = check("acts = [\"Relu9\"]");
    assert!(
        err.contains("`acts[0]` has an unknown activation 'Relu9'; did you mean ReLU"),
        "{err}"
    );
    assert!(check("acts = [\"ReLU\"]\nhidden = [3, 0]").contains("`hidden[1]` is 0"));
    assert!(check("acts = [\"ReLU\"]\n[train]\nepochs = 0").contains("`train.epochs` is 0"));
    assert!(check("acts = [\"ReLU\"]\n[train]\nlr = -1.0").contains("`train.lr` is -1"));
    assert!(check("acts = [\"ReLU\"]\n[train]\nlr = nan").contains("`train.lr` is NaN"));
    assert!(check("acts = [\"ReLU\"]\n[train]\nsave_epochs = [99]").contains("save_epochs"));
    assert!(check("acts = [\"ReLU\", \"relu\"]").contains("repeats ReLU"));
}

/// A saved config written as TOML reads back to the same config.
#[test]
fn the_config_round_trips_through_toml() {
    let text = "name = \"z\"\nacts = [\"fourier\", \"mine\", \"mix\"]\nseeds = [3, 4]\nscope = \"per-layer\"\n[train]\nepochs = 2\nlr = 0.01\n[fourier]\ntau = 5\n[[activation]]\nname = \"Mine\"\nexpr = \"x * k\"\nparams = { k = 2.0 }\n[[activation]]\nname = \"Mix\"\nmix = [\"ReLU\", \"Tanh\"]\n";
    let exp = parse(text).unwrap().check("x.toml").unwrap();
    let toml = exp.file().to_toml();
    let again = parse(&toml).unwrap();
    assert_eq!(&again, exp.file(), "{toml}");
    assert_eq!(again.check("again.toml").unwrap(), exp);
}

/// What experiment.json holds is the resolved config: checked again, it gives the
/// same experiment; an experiment.json of actlab before 0.2 gives the same config.
#[test]
fn the_saved_config_checks_back_to_the_same_experiment() {
    let text = "name = \"z\"\nacts = [\"fourier\", \"mine\"]\nseeds = [3, 4]\n[fourier]\ntau = 5\n[[activation]]\nname = \"Mine\"\nexpr = \"x * k\"\nparams = { k = 2.0 }\n";
    let exp = parse(text).unwrap().check("x.toml").unwrap();
    let json = serde_json::to_string(exp.file()).unwrap();
    let again: ExperimentFile = serde_json::from_str(&json).unwrap();
    assert_eq!(again.clone().check("experiment.json").unwrap(), exp);
    let old = r#"{"name": "z", "dir": "results/z", "acts": ["Fourier", {"name": "Mine", "expr": "x * k", "params": {"k": 2.0}}],
        "seeds": [3, 4], "hidden": [256, 192, 128, 64], "scope": "shared", "fourier": {"tau": 5, "init": "normal", "omega0": 30.0},
        "train": {"epochs": 15, "batch_size": 128, "eval_batch_size": 1000, "optimizer": "sgd", "lr": 0.001, "momentum": 0.8,
                  "weight_decay": 0.0, "save_epochs": [], "seed": 7}}"#;
    let legacy = ExperimentFile::from_checked_json(old).unwrap();
    assert_eq!(legacy.check("old").unwrap(), exp);
}

#[test]
fn misplaced_keys_are_pointed_to_their_table() {
    let top = "unknown field `epochs`, expected one of `name`, `acts`, `seeds`";
    assert_eq!(
        misplaced_hint(top, &tables()).as_deref(),
        Some("`epochs` belongs in [train]")
    );
    let hint =
        misplaced_hint("unknown field `seeds`, expected one of `epochs`", &tables()).unwrap();
    assert!(hint.contains("top level"), "{hint}");
    assert_eq!(
        misplaced_hint("unknown field `zzz`, expected one of `a`", &tables()),
        None
    );
    assert!(fields_of::<TrainConfig>().contains(&"batch_size".to_string()));
}

/// Nesting is bounded in every recursive format actlab reads: a TOML config nested
/// 100,000 deep and a JSON record nested as deep are errors, not stack overflows.
#[test]
fn deeply_nested_files_are_errors() {
    let n = 100_000;
    let toml = format!("name = \"d\"\nacts = {}{}\n", "[".repeat(n), "]".repeat(n));
    let e = ExperimentFile::parse(&toml, Path::new("deep.toml")).unwrap_err();
    assert!(e.to_string().starts_with("deep.toml:2:"), "{e}");
    let json = format!(
        "{{\"kind\": \"run\", \"format\": 1, \"x\": {}{}}}",
        "[".repeat(n),
        "]".repeat(n)
    );
    let e = crate::artifact::parse::<crate::RunRecord>(&json, Path::new("run.json")).unwrap_err();
    assert!(e.to_string().contains("recursion limit"), "{e}");
}

#[test]
fn an_initialisation_reaches_every_run_and_a_gated_network_refuses_one() {
    let exp = parse("acts = [\"ReLU\"]\ninit = \"lecun-normal\"\n")
        .unwrap()
        .check("x.toml")
        .unwrap();
    assert_eq!(exp.runs()[0].network().init, InitScheme::LecunNormal);
    // The default is left out of experiment.json, so older folders read back alike.
    let default = parse("acts = [\"ReLU\"]\n").unwrap();
    assert!(!serde_json::to_string(&default).unwrap().contains("init"));
    let err = parse("acts = [\"SiLU\"]\nlayer = \"glu\"\ninit = \"orthogonal\"\n")
        .unwrap()
        .check("x.toml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`init` is \"orthogonal\" with layer = \"glu\""),
        "{err}"
    );
    let err = parse("acts = [\"ReLU\"]\ninit = \"he\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("x.toml:2:") && err.contains("he-normal"),
        "{err}"
    );
}

#[test]
fn settings_plan_one_experiment_each_with_their_values_over_the_experiments() {
    let text = "name = \"t\"\nacts = [\"relu\"]\nseeds = 2\nhidden = [16]\n[train]\nepochs = 2\nlr = 0.01\n\
                [[setting]]\nname = \"book\"\n\
                [[setting]]\nname = \"deep\"\nhidden = [8, 8, 8]\ninit = \"he-normal\"\ntrain = { optimizer = \"adam\", epochs = 3 }\n";
    let file = parse(text).unwrap();
    let exp = file.clone().check("x.toml").unwrap();
    let [book, deep] = exp.settings() else {
        panic!("two settings")
    };
    assert_eq!(book.dir(), Path::new("results/t/book"));
    assert_eq!(
        book.file(),
        &ExperimentFile {
            name: "book".into(),
            out: "results/t".into(),
            settings: Vec::new(),
            ..exp.file().clone()
        }
    );
    assert_eq!(deep.file().hidden, [8, 8, 8]);
    assert_eq!(deep.file().init, InitScheme::HeNormal);
    assert_eq!(deep.train().optimizer, crate::OptimizerKind::Adam);
    assert_eq!(deep.train().epochs, 3);
    assert_eq!(deep.train().lr, 0.01, "the experiment's own value");
    // The experiment's runs are its settings' runs, setting after setting.
    let dirs: Vec<_> = exp.runs().iter().map(|r| r.dir().to_path_buf()).collect();
    assert_eq!(
        dirs,
        [
            "book/ReLU-s1",
            "book/ReLU-s2",
            "deep/ReLU-s1",
            "deep/ReLU-s2"
        ]
        .map(|d| Path::new("results/t").join(d))
    );
    // Saved and read back (TOML and JSON), and moved, it is the same experiment.
    assert_eq!(parse(&file.to_toml()).unwrap(), file);
    let json = crate::artifact::to_json(exp.file());
    let saved: ExperimentFile = crate::artifact::parse(&json, Path::new("e.json")).unwrap();
    assert_eq!(saved.check("e.json").unwrap(), exp);
    let moved = exp.at("elsewhere".into());
    assert_eq!(moved.settings()[1].dir(), Path::new("elsewhere/deep"));
    assert_eq!(moved.runs()[3].dir(), Path::new("elsewhere/deep/ReLU-s2"));
}
