//! Runbook scenarios: the two embedded defaults plus `*.ron` files from the data dir's
//! `scenarios/` folder, which add new scenarios or override embedded ones by `code`.

use std::path::{Path, PathBuf};

use crate::model::Scenario;

/// The scenarios compiled into the binary, as (file name, RON text).
pub const EMBEDDED: [(&str, &str); 2] = [
    (
        "http_5xx_surge.ron",
        include_str!("../scenarios/http_5xx_surge.ron"),
    ),
    (
        "cpu_spike_core.ron",
        include_str!("../scenarios/cpu_spike_core.ron"),
    ),
];

/// A scenario file that could not be used, with where the problem is.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{file}:{line}:{col}: {message}")]
pub struct ScenarioError {
    /// The file's path or name.
    pub file: String,
    /// 1-based line (0 when the problem is not tied to a place, e.g. unreadable file).
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// What is wrong.
    pub message: String,
}

/// What loading produced: every good scenario, and one error per bad file.
#[derive(Clone, Debug, Default)]
pub struct ScenarioLoad {
    /// Usable scenarios, sorted by code.
    pub scenarios: Vec<Scenario>,
    /// Files that were skipped and why.
    pub errors: Vec<ScenarioError>,
}

/// Parses one scenario file's text; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    parse_checked(file, text, |s: &Scenario| {
        s.validate()?;
        crate::detect::runbooks::check(s).map_err(|e| e.to_string())
    })
}

/// Parses a RON file's text into `T` and checks what serde cannot with `validate`; a syntax
/// error carries its line and column, a failed check points at the file's start.
pub(crate) fn parse_checked<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
    validate: impl FnOnce(&T) -> Result<(), String>,
) -> Result<T, ScenarioError> {
    let value: T = ron::from_str(text).map_err(|e| ScenarioError {
        file: file.to_string(),
        line: e.span.start.line,
        col: e.span.start.col,
        message: e.code.to_string(),
    })?;
    validate(&value).map_err(|message| ScenarioError {
        file: file.to_string(),
        line: 1,
        col: 1,
        message,
    })?;
    Ok(value)
}

/// Every `*.ron` file of `dir`, read and parsed with `parse`, in name order, with one error per
/// file that could not be used. A missing folder holds no files; an unreadable one is an error.
pub(crate) fn load_dir<T>(
    dir: &Path,
    parse: impl Fn(&str, &str) -> Result<T, ScenarioError>,
    errors: &mut Vec<ScenarioError>,
) -> Vec<(PathBuf, T)> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "ron"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            errors.push(ScenarioError {
                file: dir.display().to_string(),
                line: 0,
                col: 0,
                message: format!("cannot read the folder: {e}"),
            });
            Vec::new()
        }
    };
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let file = path.display().to_string();
        let parsed = crate::store::read_user_file(&path)
            .map_err(|message| ScenarioError {
                file: file.clone(),
                line: 0,
                col: 0,
                message,
            })
            .and_then(|text| parse(&file, &text));
        match parsed {
            Ok(v) => out.push((path, v)),
            Err(e) => errors.push(e),
        }
    }
    out
}

/// Loads the embedded scenarios, then every `*.ron` in `user_dir` (if it exists) in name order.
pub fn load(user_dir: Option<&Path>) -> ScenarioLoad {
    let mut out = ScenarioLoad::default();
    for (name, text) in EMBEDDED {
        match parse(name, text) {
            Ok(s) => upsert(&mut out.scenarios, s),
            Err(e) => out.errors.push(e),
        }
    }
    if let Some(dir) = user_dir {
        for (_, s) in load_dir(dir, parse, &mut out.errors) {
            upsert(&mut out.scenarios, s);
        }
    }
    out.scenarios.sort_by(|a, b| a.code.cmp(&b.code));
    out
}

fn upsert(list: &mut Vec<Scenario>, scenario: Scenario) {
    match list.iter_mut().find(|s| s.code == scenario.code) {
        Some(existing) => *existing = scenario,
        None => list.push(scenario),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_scenarios_load_with_three_hypotheses() {
        let load = load(None);
        assert!(load.errors.is_empty(), "{:?}", load.errors);
        let codes: Vec<&str> = load.scenarios.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(codes, ["cpu_spike_core", "http_5xx_surge"]);
        for s in &load.scenarios {
            assert_eq!(s.top_hypotheses().len(), 3);
            assert_eq!(s.actions.len(), 3);
            assert_eq!(s.evidence.len(), 3);
            assert!(!s.title.ko.is_empty() && !s.title.en.is_empty());
        }
    }

    #[test]
    fn malformed_file_names_file_line_and_column_and_others_still_load() {
        let dir = tempfile::tempdir().unwrap();
        let good = EMBEDDED[0]
            .1
            .replace("\"http_5xx_surge\"", "\"db_pool_exhausted\"");
        std::fs::write(dir.path().join("a_good.ron"), good).unwrap();
        std::fs::write(
            dir.path().join("b_bad.ron"),
            "Scenario(\n    code: \"broken\",\n    title: oops\n)",
        )
        .unwrap();
        let load = load(Some(dir.path()));
        assert_eq!(load.errors.len(), 1, "{:?}", load.errors);
        let err = &load.errors[0];
        assert!(err.file.ends_with("b_bad.ron"), "{err}");
        assert_eq!((err.line, err.col), (3, 12), "{err}");
        let codes: Vec<&str> = load.scenarios.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(
            codes,
            ["cpu_spike_core", "db_pool_exhausted", "http_5xx_surge"]
        );
    }

    #[test]
    fn user_file_overrides_embedded_by_code() {
        let dir = tempfile::tempdir().unwrap();
        let changed = EMBEDDED[1]
            .1
            .replace("Edge node CPU spike", "Edge node CPU spike (site runbook)");
        std::fs::write(dir.path().join("cpu.ron"), changed).unwrap();
        let load = load(Some(dir.path()));
        let cpu = load
            .scenarios
            .iter()
            .find(|s| s.code == "cpu_spike_core")
            .unwrap();
        assert_eq!(cpu.title.en, "Edge node CPU spike (site runbook)");
        assert_eq!(load.scenarios.len(), 2);
    }

    #[test]
    fn dangling_evidence_index_is_an_error_in_words() {
        let text = EMBEDDED[0].1.replacen("evidence: [0]", "evidence: [7]", 1);
        assert_ne!(
            text, EMBEDDED[0].1,
            "the fixture must contain `evidence: [0]`"
        );
        let err = parse("x.ron", &text).unwrap_err();
        assert!(err.message.contains("points at evidence 7"), "{err}");
    }
}
