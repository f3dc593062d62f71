//! ARCHITECTURE.md stays true: every source file is named in its module map, every file the
//! map names exists, and the arrows it forbids do not appear in the code.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` under `src/`, relative to it, except unit-test files (`tests.rs`).
fn sources() -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "tests.rs")
            {
                let rel = path.strip_prefix(base).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join("src"), &root().join("src"), &mut out);
    out.sort();
    out
}

/// The files the module map names: each `` `path.rs` `` at the start of a list item.
fn mapped(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("- `"))
        .filter_map(|l| l.split_once('`'))
        .map(|(path, _)| path.to_string())
        .filter(|p| p.ends_with(".rs"))
        .collect()
}

#[test]
fn the_module_map_names_every_source_file_and_only_those() {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let named = mapped(&text);
    let files = sources();
    let missing: Vec<&String> = files.iter().filter(|f| !named.contains(f)).collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md does not name {missing:?}: add one line each to its module map"
    );
    let stale: Vec<&String> = named.iter().filter(|n| !files.contains(n)).collect();
    assert!(
        stale.is_empty(),
        "ARCHITECTURE.md names files that do not exist: {stale:?}"
    );
}

/// The code of a file without its comments and its unit tests (a `#[cfg(test)]` module
/// closes each file here).
fn code(path: &str) -> String {
    let text = std::fs::read_to_string(root().join("src").join(path)).unwrap();
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_forbidden_arrows_do_not_exist() {
    let rules: [(&str, &[&str]); 7] = [
        (
            "model/",
            &[
                "crate::engine",
                "crate::ui",
                "crate::integrations",
                "crate::text",
                "crate::store",
                "egui",
                "tokio",
            ],
        ),
        (
            "detect/",
            &["crate::engine", "crate::ui", "crate::integrations"],
        ),
        (
            "text/",
            &["crate::engine", "crate::ui", "crate::integrations"],
        ),
        ("integrations/", &["crate::engine", "crate::ui"]),
        ("store", &["crate::engine", "crate::ui"]),
        // The review is pure but for reading the data dir: no engine, no window, no tasks.
        ("review", &["crate::engine", "crate::ui", "egui", "tokio"]),
        ("engine/", &["crate::ui"]),
    ];
    let mut found = Vec::new();
    for file in sources() {
        for (prefix, banned) in &rules {
            if !file.starts_with(prefix) {
                continue;
            }
            let code = code(&file);
            for b in *banned {
                if code.contains(b) {
                    found.push(format!("{file} uses {b}"));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "arrows ARCHITECTURE.md forbids: {found:#?}"
    );
}

/// The sibling modules a file of `dir` names: `super::x`, `super::{x, y}`, or
/// `crate::<dir>::x` (the parent's own items, `super::Engine` and the like, are not edges).
fn sibling_edges(dir: &str, code: &str, siblings: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut names = Vec::new();
    for (i, _) in code.match_indices("super::") {
        let rest = &code[i + "super::".len()..];
        if let Some(list) = rest.strip_prefix('{') {
            let list = &list[..list.find('}').unwrap_or(list.len())];
            names.extend(
                list.split(',')
                    .map(|w| w.trim().split("::").next().unwrap_or("").trim().to_string()),
            );
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
                .collect();
            names.push(name);
        }
    }
    let own = format!("crate::{dir}::");
    for (i, _) in code.match_indices(&own) {
        let name: String = code[i + own.len()..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
            .collect();
        names.push(name);
    }
    for n in names {
        if siblings.contains(&n) && !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

#[test]
fn no_two_files_of_a_room_import_each_other_in_a_circle() {
    let mut circles = Vec::new();
    for dir in [
        "engine",
        "ui",
        "model",
        "text",
        "integrations",
        "detect",
        "review",
    ] {
        let files: Vec<String> = sources()
            .into_iter()
            .filter(|f| f.starts_with(&format!("{dir}/")) && f.matches('/').count() == 1)
            .filter(|f| !f.ends_with("/mod.rs"))
            .collect();
        let name = |f: &str| f[dir.len() + 1..].trim_end_matches(".rs").to_string();
        let siblings: Vec<String> = files.iter().map(|f| name(f)).collect();
        let edges: std::collections::BTreeMap<String, Vec<String>> = files
            .iter()
            .map(|f| (name(f), sibling_edges(dir, &code(f), &siblings)))
            .collect();
        // A circle: a path from a file back to itself.
        for start in &siblings {
            let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
            let mut seen = std::collections::BTreeSet::new();
            while let Some((at, path)) = stack.pop() {
                // A file naming its own items is no circle.
                for next in edges.get(&at).into_iter().flatten().filter(|n| **n != at) {
                    if next == start {
                        circles.push(format!("{dir}/: {} -> {next}", path.join(" -> ")));
                    }
                    if seen.insert(next.clone()) {
                        let mut p = path.clone();
                        p.push(next.clone());
                        stack.push((next.clone(), p));
                    }
                }
            }
        }
    }
    assert!(circles.is_empty(), "import circles: {circles:#?}");
}
