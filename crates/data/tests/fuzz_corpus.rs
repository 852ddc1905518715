//! Replays the committed fuzz corpus (fuzz/corpus/idx) through the IDX reader on stable,
//! so every CI run re-checks the inputs that the fuzzer found interesting.

/// This crate's folder, as cargo gives it to the running test (a build folder shared
/// between clones can hand a fresh clone a test binary compiled in another one, whose
/// compile-time `env!("CARGO_MANIFEST_DIR")` would point there).
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

#[test]
fn idx_fuzz_corpus_is_read_or_refused_consistently() {
    let dir = manifest_dir().join("../../fuzz/corpus/idx");
    let mut files = 0;
    let mut accepted = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz/corpus/idx exists") {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        files += 1;
        let Ok(contents) = data::decompress(bytes, &path) else {
            continue;
        };
        match data::parse_idx(&contents, &path) {
            Ok(array) => {
                accepted += 1;
                let len: usize = array.dims.iter().product();
                assert_eq!(array.data.len(), len, "{}", path.display());
            }
            Err(err) => {
                let text = err.to_string();
                assert!(!text.contains('\n'), "{}: {text}", path.display());
                assert!(text.contains(&path.display().to_string()), "{text}");
            }
        }
    }
    assert!(files >= 10, "only {files} corpus files");
    assert!(accepted >= 1, "no corpus file is a valid IDX array");
}
