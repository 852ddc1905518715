//! The shape of the house, checked: crates depend on each other one way only, no crate
//! has an import cycle among its modules, every type has one path (no crate re-exports
//! `spec`'s), no command module imports another, the CLI's modules mirror the commands,
//! and no source file grows past 600 lines unless its header says why.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("../..")
}

/// Every file below `dir` whose name ends in one of `extensions`, sorted.
fn files(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                found.extend(files(&path, extensions));
            }
        } else if extensions.iter().any(|e| name.ends_with(e)) {
            found.push(path);
        }
    }
    found.sort();
    found
}

fn crates() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A source file without comments and without its unit tests (a trailing
/// `#[cfg(test)] mod tests { ... }`): the code that ships.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]\nmod tests {") {
        Some(i) => &text[..i],
        None => &text,
    };
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level module a source file of `src` belongs to (`lib`/`main` for the roots).
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_string()
}

/// The top-level modules of `crate::` paths that `text` uses.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner: String = group.chars().take_while(|&c| c != ';').collect();
            let mut depth = 0;
            let mut name = String::new();
            for c in inner.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        used.insert(std::mem::take(&mut name).trim().to_string());
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 && c != '}' {
                    name.push(c);
                }
            }
            used.insert(name.trim().to_string());
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            used.insert(name);
        }
    }
    used.into_iter()
        .map(|p| p.split("::").next().unwrap_or("").trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// A cycle in `graph`, if it has one, as the modules along it.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut found = path[i..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_crate_has_an_import_cycle_among_its_modules() {
    let mut cycles = Vec::new();
    for name in crates() {
        let src = root().join("crates").join(&name).join("src");
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        // `tests.rs` files are unit tests (`#[cfg(test)] mod tests;`): not shipped code.
        for file in files(&src, &[".rs"])
            .into_iter()
            .filter(|f| !f.ends_with("tests.rs"))
        {
            let module = module_of(&src, &file);
            let uses = graph.entry(module.clone()).or_default();
            uses.extend(
                crate_paths(&code(&file))
                    .into_iter()
                    .filter(|u| *u != module),
            );
        }
        let modules: BTreeSet<String> = graph.keys().cloned().collect();
        for uses in graph.values_mut() {
            uses.retain(|u| modules.contains(u));
        }
        if let Some(found) = cycle(&graph) {
            cycles.push(format!("{name}: {}", found.join(" → ")));
        }
    }
    assert!(cycles.is_empty(), "import cycles: {}", cycles.join("; "));
}

/// The cycle finder finds a cycle, and none where there is none.
#[test]
fn the_cycle_finder_finds_cycles() {
    let graph = |edges: &[(&str, &str)]| {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().insert(b.to_string());
            g.entry(b.to_string()).or_default();
        }
        g
    };
    assert!(cycle(&graph(&[("a", "b"), ("b", "c"), ("a", "c")])).is_none());
    let found = cycle(&graph(&[("a", "b"), ("b", "c"), ("c", "a")])).unwrap();
    assert_eq!(found.first(), found.last());
    assert_eq!(found.len(), 4);
    assert_eq!(
        crate_paths("use crate::{a::X, b::{c, d}};\nlet y = crate::e::f();"),
        ["a", "b", "e"].map(String::from).into()
    );
}

/// The crates each crate may depend on: one direction only (`spec` at the bottom,
/// `actlab` on top), and `probe` without the training loop.
#[test]
fn crates_depend_on_each_other_one_way() {
    let allowed: BTreeMap<&str, &[&str]> = BTreeMap::from([
        ("spec", &[][..]),
        ("vmath", &[]),
        ("stats", &["spec"]),
        ("tensorboard", &["spec"]),
        ("viz", &["spec"]),
        ("data", &["spec"]),
        ("acts", &["spec", "vmath"]),
        ("nets", &["spec", "vmath", "acts"]),
        ("train", &["spec", "nets", "data", "tensorboard"]),
        ("probe", &["spec", "vmath", "acts", "nets", "data"]),
        ("search", &["spec", "stats", "acts"]),
        (
            "actlab",
            &[
                "spec",
                "vmath",
                "stats",
                "tensorboard",
                "viz",
                "acts",
                "nets",
                "data",
                "train",
                "probe",
                "search",
            ],
        ),
    ]);
    let ours = crates();
    let mut wrong = Vec::new();
    for name in &ours {
        let manifest =
            std::fs::read_to_string(root().join("crates").join(name).join("Cargo.toml")).unwrap();
        let dependencies = manifest
            .split("[dependencies]")
            .nth(1)
            .map(|s| s.split("\n[").next().unwrap_or(""))
            .unwrap_or("");
        let allowed = allowed
            .get(name.as_str())
            .unwrap_or_else(|| panic!("crate {name} is not in this test's table"));
        for line in dependencies.lines() {
            let dependency = line.split(['.', ' ', '=']).next().unwrap_or("").trim();
            if ours.iter().any(|o| o == dependency) && !allowed.contains(&dependency) {
                wrong.push(format!("{name} depends on {dependency}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("; "));
}

/// Every type has one path: `spec`'s types are used as `spec::...`, not re-exported.
#[test]
fn no_crate_re_exports_spec() {
    for name in crates() {
        for file in files(&root().join("crates").join(&name).join("src"), &[".rs"]) {
            let text = code(&file);
            assert!(
                !text.contains("pub use spec::"),
                "{} re-exports spec's types",
                file.display()
            );
        }
    }
}

/// Each command module is a leaf: it shares only through `context`, and the CLI's
/// modules mirror the commands' (one file of flags per command, named alike).
#[test]
fn commands_are_leaves_and_the_cli_mirrors_them() {
    let src = root().join("crates/actlab/src");
    let commands = src.join("commands");
    for file in files(&commands, &[".rs"]) {
        let text = code(&file);
        assert!(
            !text.contains("crate::commands") && !text.contains("super::"),
            "{} imports another command",
            file.display()
        );
    }
    let stems = |dir: &Path, skip: &[&str]| -> BTreeSet<String> {
        files(dir, &[".rs"])
            .iter()
            .map(|f| f.strip_prefix(dir).unwrap().display().to_string())
            .filter(|f| !skip.contains(&f.as_str()))
            .collect()
    };
    let ours = stems(&commands, &[]);
    let flags = stems(&src.join("cli"), &["shared.rs"]);
    assert_eq!(ours, flags, "commands/ and cli/ name the same modules");
}

/// No source file over 600 lines unless a line of its header (the first 20) says why,
/// starting `Over 600 lines:`.
#[test]
fn source_files_stay_small() {
    let mut long = Vec::new();
    for dir in ["crates", "scripts", "fuzz"] {
        for file in files(&root().join(dir), &[".rs", ".py", ".sh"]) {
            let text = std::fs::read_to_string(&file).unwrap();
            let lines = text.lines().count();
            let said = text.lines().take(20).any(|l| l.contains("Over 600 lines:"));
            if lines > 600 && !said {
                long.push(format!("{} ({lines} lines)", file.display()));
            }
        }
    }
    assert!(
        long.is_empty(),
        "split these, or say why in their header: {}",
        long.join(", ")
    );
}

/// The packages whose build compiles Burn. Selecting one of them alone (`-p data`)
/// resolves other features for the crates below Burn (`num-traits`, `libc`, …) than the
/// workspace does, and so compiles the whole Burn chain a second time (470 s of a cold
/// CI run went to that once).
const BURN_USERS: [&str; 6] = ["acts", "nets", "data", "train", "probe", "search"];

/// Every cargo command the README, docs, scripts, CI and examples give shares the
/// workspace's build of Burn: none selects a Burn-using package alone, except to ask for
/// another feature set on purpose (`--features wgpu`).
#[test]
fn documented_builds_share_the_workspace_build_of_burn() {
    let mut sources = vec![root().join("README.md"), root().join(".ci/run")];
    sources.extend(files(&root().join("docs"), &[".md"]));
    sources.extend(files(&root().join("scripts"), &[".sh"]));
    for krate in crates() {
        sources.extend(files(
            &root().join("crates").join(krate).join("examples"),
            &[".rs"],
        ));
    }
    let mut offending = Vec::new();
    for file in &sources {
        let text = std::fs::read_to_string(file).unwrap();
        for line in text.lines() {
            if !line.contains("cargo ") || line.contains("--features") {
                continue;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            for pair in words.windows(2) {
                let package = pair[1].trim_matches(|c: char| !c.is_alphanumeric() && c != '_');
                if matches!(pair[0], "-p" | "--package") && BURN_USERS.contains(&package) {
                    offending.push(format!("{}: {}", file.display(), line.trim()));
                }
            }
        }
    }
    assert!(
        offending.is_empty(),
        "these build Burn again; drop `-p` (run from the workspace) or use `-p actlab`:\n{}",
        offending.join("\n")
    );
}

/// `-p actlab` (the scripts' selection) resolves every package it builds with the
/// workspace's features, so it reuses the workspace's Burn; `-p data` does not, which is
/// why the rule above exists.
#[test]
fn selecting_actlab_resolves_the_workspaces_features() {
    let resolved = |selection: &[&str]| -> BTreeSet<String> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = std::process::Command::new(cargo)
            .args([
                "tree",
                "--offline",
                "-e",
                "normal,build,dev",
                "--prefix",
                "none",
            ])
            .args(["--no-dedupe", "-f", "{p} [{f}]"])
            .args(selection)
            .current_dir(root())
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.trim_end_matches(" (*)").to_owned())
            .collect()
    };
    let workspace = resolved(&["--workspace"]);
    let differ = |selection: &[&str]| -> Vec<String> {
        resolved(selection)
            .difference(&workspace)
            .cloned()
            .collect()
    };
    let actlab = differ(&["-p", "actlab"]);
    assert!(
        actlab.is_empty(),
        "`-p actlab` resolves these with other features than the workspace (a dependency \
         of another crate, a dev-dependency perhaps, asks for more), so the scripts would \
         build them, and what depends on them, a second time: {actlab:?}"
    );
    assert!(
        !differ(&["-p", "data"]).is_empty(),
        "-p data resolves as the workspace now"
    );
}
