//! Replays the committed fuzz corpus (fuzz/corpus/config) through the config parser
//! and checker on stable, so every CI run re-checks what the fuzzer found.

use spec::ExperimentFile;

/// This crate's folder, as cargo gives it to the running test (a build folder shared
/// between clones can hand a fresh clone a test binary compiled in another one, whose
/// compile-time `env!("CARGO_MANIFEST_DIR")` would point there).
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

#[test]
fn config_fuzz_corpus_parses_or_fails_on_one_line() {
    let dir = manifest_dir().join("../../fuzz/corpus/config");
    let (mut files, mut checked) = (0, 0);
    for entry in std::fs::read_dir(&dir).expect("fuzz/corpus/config exists") {
        let path = entry.unwrap().path();
        let Ok(text) = String::from_utf8(std::fs::read(&path).unwrap()) else {
            continue;
        };
        files += 1;
        let outcome = ExperimentFile::parse(&text, &path).and_then(|f| f.check("corpus"));
        match outcome {
            Ok(experiment) => {
                checked += 1;
                for run in experiment.runs() {
                    run.network().check().unwrap();
                }
            }
            Err(err) => assert!(!err.to_string().contains('\n'), "{}: {err}", path.display()),
        }
    }
    assert!(files >= 10, "only {files} corpus files");
    assert!(checked >= 1, "no corpus file is a usable experiment");
}

#[test]
fn expr_fuzz_corpus_parses_or_fails_with_a_column_in_range() {
    let dir = manifest_dir().join("../../fuzz/corpus/expr");
    let params = ["a".to_string(), "beta".to_string()];
    let (mut files, mut parsed) = (0, 0);
    for entry in std::fs::read_dir(&dir).expect("fuzz/corpus/expr exists") {
        let path = entry.unwrap().path();
        let Ok(text) = String::from_utf8(std::fs::read(&path).unwrap()) else {
            continue;
        };
        files += 1;
        match spec::Expr::parse(&text, &params) {
            Ok(_) => parsed += 1,
            Err(err) => assert!(
                err.column >= 1 && err.column <= text.chars().count() + 1,
                "{}: {err}",
                path.display()
            ),
        }
    }
    assert!(files >= 5, "only {files} corpus files");
    assert!(parsed >= 1, "no corpus file is a valid expression");
}
