//! Detection rules: the two embedded ones plus `*.ron` files from the data dir's `rules/`
//! folder, which add rules or override embedded ones by `id` (`enabled: false` turns one off).
//!
//! The two built-in rules take their query, threshold and series label from the Prometheus
//! settings (and so from `INCIDENT_PROMETHEUS_*`), as v0.1 did; a file with the same id
//! replaces the built-in rule entirely.

use std::path::{Path, PathBuf};

use crate::model::{PrometheusSettings, Rule};
use crate::scenarios::ScenarioError as RuleError;

/// The rules compiled into the binary, as (file name, RON text), in card order.
pub const EMBEDDED: [(&str, &str); 2] = [
    (
        "http_error_rate.ron",
        include_str!("../rules/http_error_rate.ron"),
    ),
    ("cpu_usage.ron", include_str!("../rules/cpu_usage.ron")),
];

/// Ids of the built-in rules, in card order.
pub const BUILT_IN: [&str; 2] = ["http_error_rate", "cpu_usage"];

/// A rule and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedRule {
    /// The rule as written (before settings tune a built-in one).
    pub rule: Rule,
    /// The file that defines it; `None` for an embedded rule nobody overrode.
    pub file: Option<PathBuf>,
    /// Whether its id is a built-in rule's.
    pub built_in: bool,
}

/// What loading produced: every good rule, and one error per bad file.
#[derive(Clone, Debug, Default)]
pub struct RuleLoad {
    /// Built-in rules first (in [`BUILT_IN`] order), then the others by id.
    pub rules: Vec<LoadedRule>,
    /// Files that were skipped, with file:line:col.
    pub errors: Vec<RuleError>,
}

/// Parses one rule file's text; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Rule, RuleError> {
    crate::scenarios::parse_checked(file, text, Rule::validate)
}

/// Loads the embedded rules, then every `*.ron` in `user_dir` (if it exists) in name order.
pub fn load(user_dir: Option<&Path>) -> RuleLoad {
    let mut out = RuleLoad::default();
    for (name, text) in EMBEDDED {
        match parse(name, text) {
            Ok(rule) => out.rules.push(LoadedRule {
                rule,
                file: None,
                built_in: true,
            }),
            Err(e) => out.errors.push(e),
        }
    }
    if let Some(dir) = user_dir {
        for (path, rule) in crate::scenarios::load_dir(dir, parse, &mut out.errors) {
            let built_in = BUILT_IN.contains(&rule.id.as_str());
            let loaded = LoadedRule {
                rule,
                file: Some(path),
                built_in,
            };
            match out.rules.iter_mut().find(|r| r.rule.id == loaded.rule.id) {
                Some(existing) => *existing = loaded,
                None => out.rules.push(loaded),
            }
        }
    }
    out.rules.sort_by_key(|r| {
        let pos = BUILT_IN.iter().position(|b| *b == r.rule.id);
        (pos.unwrap_or(usize::MAX), r.rule.id.clone())
    });
    out
}

/// The rules in force: each loaded rule, with a built-in rule that no file overrides tuned by
/// the Prometheus settings (query, threshold, series label).
pub fn effective(loaded: &[LoadedRule], prometheus: &PrometheusSettings) -> Vec<Rule> {
    loaded
        .iter()
        .map(|l| {
            let mut rule = l.rule.clone();
            if l.file.is_none() {
                let tuned = match rule.id.as_str() {
                    "http_error_rate" => Some((&prometheus.http_query, prometheus.http_threshold)),
                    "cpu_usage" => Some((&prometheus.cpu_query, prometheus.cpu_threshold)),
                    _ => None,
                };
                if let Some((query, threshold)) = tuned {
                    rule.query = query.clone();
                    rule.threshold = threshold;
                    rule.series_label = prometheus.series_label.clone();
                }
            }
            rule
        })
        .collect()
}

/// The RON text of a rule file, with a first comment line saying what it is.
pub fn to_ron(rule: &Rule) -> String {
    let pretty = ron::ser::PrettyConfig::new()
        .depth_limit(3)
        .struct_names(true);
    let body = ron::ser::to_string_pretty(rule, pretty).expect("a rule always serialises");
    format!(
        "// Detection rule `{}`, written by the console's Rules tab.\n{body}\n",
        rule.id
    )
}

/// Writes `rule` to `dir` atomically: over the file that defines its id now, if any, otherwise
/// as `dir/<id>.ron`. Returns the path written.
pub fn save(dir: &Path, rule: &Rule, existing: Option<&Path>) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = existing
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dir.join(format!("{}.ron", rule.id)));
    crate::store::write_atomic(&path, to_ron(rule).as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_rules_are_v0_1s_two_metrics() {
        let load = load(None);
        assert!(load.errors.is_empty(), "{:?}", load.errors);
        let rules = effective(&load.rules, &PrometheusSettings::default());
        let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, BUILT_IN);
        assert_eq!(rules[0].threshold, 0.05);
        assert_eq!(rules[0].runbook.as_deref(), Some("http_5xx_surge"));
        assert_eq!(rules[1].threshold, 0.80);
        assert_eq!(rules[1].runbook.as_deref(), Some("cpu_spike_core"));
    }

    #[test]
    fn files_add_and_override_and_a_bad_one_is_named_with_its_place() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a_up.ron"),
            "Rule(id: \"up\", title: (en: \"Up\", ko: \"가동\"), query: \"up{job=\\\"x\\\"}\",\n comparison: Below, threshold: 1.0)",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("cpu.ron"),
            "Rule(id: \"cpu_usage\", title: (en: \"CPU\", ko: \"CPU\"), query: \"max(cpu)\", threshold: 0.9, enabled: false)",
        )
        .unwrap();
        std::fs::write(dir.path().join("broken.ron"), "Rule(id: \"x\",\n  query: )").unwrap();
        let load = load(Some(dir.path()));
        assert_eq!(load.errors.len(), 1);
        let e = load.errors[0].to_string();
        assert!(e.contains("broken.ron:2:"), "{e}");
        let p = PrometheusSettings {
            http_threshold: 0.07,
            ..Default::default()
        };
        let rules = effective(&load.rules, &p);
        let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["http_error_rate", "cpu_usage", "up"]);
        assert_eq!(rules[0].threshold, 0.07, "settings tune a built-in rule");
        assert_eq!(rules[1].threshold, 0.9, "a file replaces it");
        assert!(!rules[1].enabled);
        assert_eq!(rules[2].window, 5, "defaults");
        assert_eq!(rules[2].series_label, "instance");
        assert_eq!(rules[2].runbook, None);
    }

    #[test]
    fn a_saved_rule_reads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let mut rule = load(None).rules[0].rule.clone();
        rule.id = "p99".into();
        rule.title.ko = "지연 시간 p99".into();
        let path = save(dir.path(), &rule, None).unwrap();
        assert_eq!(path, dir.path().join("p99.ron"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(parse("p99.ron", &text).unwrap(), rule);
    }
}
