//! The documentation's commands work as written: every `actlab ...` line in a code block
//! of the README or of docs/ parses against the CLI's own definition, every file they
//! link to exists, and the README's first five minutes run for real, start to report.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use actlab::cli::Cli;
use clap::Parser;

/// This crate's folder, as cargo gives it to the running test (a build folder shared
/// between clones can hand a fresh clone a test binary compiled in another one, whose
/// compile-time `env!("CARGO_MANIFEST_DIR")` would point there).
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

fn root() -> PathBuf {
    manifest_dir().join("../..")
}

/// README.md and every page under docs/.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// The lines of a page's fenced code blocks, each block on its own.
fn code_blocks(text: &str) -> Vec<Vec<String>> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            match current.take() {
                Some(block) => blocks.push(block),
                None => current = Some(Vec::new()),
            }
        } else if let Some(block) = current.as_mut() {
            block.push(line.to_string());
        }
    }
    blocks
}

/// Shell words of a command line: whitespace-separated, double quotes grouping, a
/// comment (`#`) or a redirection (`>`) ending it.
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            '#' | '>' if !quoted => break,
            c if c.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The arguments of an actlab command line (`actlab ...` or `cargo run --release -- ...`).
fn actlab_args(line: &str) -> Option<Vec<String>> {
    let line = line.trim().trim_start_matches("$ ");
    let rest = line
        .strip_prefix("actlab ")
        .or_else(|| line.split_once("cargo run --release -- ").map(|(_, r)| r))?;
    Some(words(rest))
}

#[test]
fn every_documented_command_parses() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for line in code_blocks(&text).into_iter().flatten() {
            let Some(args) = actlab_args(&line) else {
                continue;
            };
            let argv = std::iter::once("actlab".to_string()).chain(args);
            if let Err(e) = Cli::try_parse_from(argv) {
                let first = e.to_string().lines().next().unwrap_or_default().to_string();
                failures.push(format!("{}: `{}`: {first}", page.display(), line.trim()));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 30, "only {checked} documented commands");
}

#[test]
fn every_linked_file_exists() {
    let mut missing = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let folder = page.parent().unwrap();
        for (i, _) in text.match_indices("](") {
            let target: String = text[i + 2..].chars().take_while(|&c| c != ')').collect();
            if target.starts_with("http") || target.starts_with('#') {
                continue;
            }
            let path = target.split('#').next().unwrap();
            if !folder.join(path).exists() {
                missing.push(format!("{}: {target}", page.display()));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// The README's first five minutes, from training to report, on the real dataset (CI
/// installs it; its absence fails). The time is printed, not asserted: machines vary.
#[test]
fn the_first_five_minutes_run_as_written() {
    let data = data::locate(
        None,
        std::env::var_os("ACTLAB_DATA").as_deref().map(Path::new),
    )
    .unwrap_or_else(|e| panic!("this test needs FashionMNIST (run scripts/setup.sh): {e}"));
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let first = readme
        .split("## The first five minutes")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("the README has a first section");
    let commands: Vec<Vec<String>> = code_blocks(first)
        .into_iter()
        .flatten()
        .filter_map(|l| actlab_args(&l))
        .collect();
    assert!(commands.len() >= 5, "{commands:?}");
    let tmp = tempfile::tempdir().unwrap();
    let started = Instant::now();
    for args in &commands {
        let out = Command::new(env!("CARGO_BIN_EXE_actlab"))
            .args(args)
            .current_dir(tmp.path())
            .env("ACTLAB_DATA", &data)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "actlab {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    eprintln!(
        "the first five minutes: {} commands in {:.1} s",
        commands.len(),
        started.elapsed().as_secs_f64()
    );
    for file in [
        "results/first/index.html",
        "results/first/figures/comparison.png",
        "results/first/ReLU-s7/probes/dead-neurons-epoch-1-figure.png",
    ] {
        assert!(tmp.path().join(file).is_file(), "{file}");
    }
}

/// The number before each `marker` in `text` (`34 built in` → 34).
fn counts_before(text: &str, marker: &str) -> Vec<usize> {
    text.match_indices(marker)
        .filter_map(|(at, _)| {
            let before = text[..at].trim_end();
            let digits = before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
            before[before.len() - digits..].parse().ok()
        })
        .collect()
}

/// The prose counts of the registry ("34 built in", "The registry holds 34
/// activations") are its size: adding an activation fails here until the docs say so.
#[test]
fn the_registry_counts_in_the_docs_are_the_registry() {
    let size = spec::ActivationKind::names().len();
    let mut quoted = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap().replace('\n', " ");
        for marker in [" built in", " activations: the book's 13"] {
            for count in counts_before(&text, marker) {
                quoted.push((page.display().to_string(), count));
            }
        }
    }
    assert!(
        quoted.len() >= 2,
        "the README and docs/activations.md quote the registry's size: {quoted:?}"
    );
    for (page, count) in quoted {
        assert_eq!(
            count, size,
            "{page} says {count} activations; the registry holds {size}"
        );
    }
}

/// Where the docs quote what a command prints, it prints that: each bad-input row below
/// is looked up in docs/development.md's table by its input cell, and every literal
/// part of its message cell (the text between `...` elisions) must be in the command's
/// error, as must the suggestion docs/activations.md quotes.
#[test]
fn quoted_messages_are_what_actlab_prints() {
    let development = std::fs::read_to_string(root().join("docs/development.md")).unwrap();
    let activations = std::fs::read_to_string(root().join("docs/activations.md")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str]); 2] = [
        ("`--acts Relu9`", &["train", "--acts", "Relu9"]),
        (
            "`--hidden 256,0`",
            &["train", "--acts", "ReLU", "--hidden", "256,0"],
        ),
    ];
    for (input, args) in cases {
        let row = development
            .lines()
            .find(|l| l.starts_with(&format!("| {input} |")))
            .unwrap_or_else(|| panic!("docs/development.md has no row for {input}"));
        let message = row.trim_end_matches('|').rsplit('|').next().unwrap().trim();
        let out = Command::new(env!("CARGO_BIN_EXE_actlab"))
            .args(args)
            .current_dir(tmp.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{input}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let literal: Vec<&str> = message
            .split("...")
            .map(|part| part.trim().trim_end_matches(['(', ',']).trim())
            .filter(|part| !part.is_empty() && *part != ")")
            .collect();
        assert!(
            !literal.is_empty(),
            "{input}: nothing quoted in {message:?}"
        );
        for part in literal {
            assert!(
                stderr.contains(part),
                "{input}: the docs quote {part:?}; actlab printed {stderr}"
            );
        }
        if input == "`--acts Relu9`" {
            let quoted = activations
                .split('`')
                .find(|q| q.starts_with("unknown activation 'Relu9'"))
                .expect("docs/activations.md quotes the suggestion");
            assert!(
                stderr.contains(quoted),
                "docs/activations.md quotes {quoted:?}; actlab printed {stderr}"
            );
        }
    }
}
