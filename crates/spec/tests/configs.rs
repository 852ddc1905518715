//! Every config shipped in configs/ parses and checks: the examples a newcomer copies
//! must work as written. `search-*.toml` are studies (`actlab search`), the others
//! experiments (`actlab train`).

use spec::ExperimentFile;
use spec::search::SearchFile;

/// This crate's folder, as cargo gives it to the running test (a build folder shared
/// between clones can hand a fresh clone a test binary compiled in another one, whose
/// compile-time `env!("CARGO_MANIFEST_DIR")` would point there).
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

#[test]
fn every_shipped_config_checks() {
    let dir = manifest_dir().join("../../configs");
    let mut checked = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("configs/ exists") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let origin = path.display().to_string();
        let is_study = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("search-"));
        if is_study {
            let study = SearchFile::load(&path)
                .and_then(|(f, _)| f.check(&origin))
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(study.space().size() > 0, "{origin}: an empty space");
            checked.push(study.name().to_string());
            continue;
        }
        let experiment = ExperimentFile::load(&path)
            .and_then(|f| f.check(&origin))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!experiment.runs().is_empty());
        checked.push(experiment.name().to_string());
    }
    checked.sort();
    assert_eq!(
        checked,
        [
            "book-ch4",
            "book-ch4-curvature",
            "book-ch4-seeds",
            "claims",
            "discovered-gain",
            "expression-kernels",
            "mixture",
            "own-activation",
            "quick",
            "search-evolution",
            "search-quick",
            "search-rediscovery",
            "transfer"
        ]
    );
}
