//! The experiment config parser and checker on arbitrary text: errors must be one line
//! with a position inside the text, never a panic; what passes the check must expand
//! into runs whose networks pass their own check.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use spec::{ConfigError, ExperimentFile};

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let file = match ExperimentFile::parse(text, Path::new("fuzz.toml")) {
        Ok(file) => file,
        Err(err) => {
            if let ConfigError::Parse { line, column, .. } = &err {
                assert!(*line >= 1 && *line <= text.lines().count().max(1) + 1);
                assert!(*column >= 1);
            }
            assert!(!err.to_string().contains('\n'), "{err}");
            return;
        }
    };
    match file.check("fuzz.toml") {
        Ok(experiment) => {
            let runs = experiment.runs();
            assert_eq!(runs.len(), experiment.acts().len() * experiment.seeds().len());
            for run in runs {
                run.network()
                    .check()
                    .expect("a checked experiment builds valid networks");
            }
        }
        Err(err) => assert!(!err.to_string().contains('\n'), "{err}"),
    }
});
