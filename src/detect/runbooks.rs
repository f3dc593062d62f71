//! Which runbook an alert opens: the runbooks' `match_any` entries, compiled once, and the
//! choice when several match.
//!
//! An entry is one Alertmanager matcher string (`{alertname=~".*5xx.*", severity="critical"}`);
//! a runbook matches when any of its entries does. When several runbooks match, the most
//! specific one wins: the one whose matching entry has the most matchers, then the most exact
//! `=` matchers among them, then the one listed first (built-in runbooks before the data
//! dir's, each sorted by code).

use super::matcher::{MatchOp, Matchers};
use crate::model::{Labels, RunbookMatch, Scenario};

/// Every runbook's compiled `match_any`, in the order of the scenario list.
#[derive(Clone, Debug, Default)]
pub struct RunbookIndex {
    entries: Vec<(String, Vec<(String, Matchers)>)>,
}

/// A `match_any` entry that is not a valid matcher string, in words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("runbook `{code}`: match_any entry `{entry}`: {reason}")]
pub struct MatchAnyError {
    /// The runbook's code.
    pub code: String,
    /// The entry as written.
    pub entry: String,
    /// Why it cannot be used.
    pub reason: String,
}

/// Checks one runbook's `match_any` entries; the loader refuses a file whose entries do not
/// parse, so that a typo is said instead of silently never matching.
pub fn check(scenario: &Scenario) -> Result<(), MatchAnyError> {
    compile(scenario).map(|_| ())
}

fn compile(scenario: &Scenario) -> Result<Vec<(String, Matchers)>, MatchAnyError> {
    scenario
        .match_any
        .iter()
        .map(|entry| {
            let matchers = Matchers::parse(entry).map_err(|e| MatchAnyError {
                code: scenario.code.clone(),
                entry: entry.clone(),
                reason: e.to_string(),
            })?;
            if matchers.0.is_empty() {
                // An empty entry would match every alert: never what a runbook means.
                return Err(MatchAnyError {
                    code: scenario.code.clone(),
                    entry: entry.clone(),
                    reason: "an empty entry would match every alert".into(),
                });
            }
            Ok((entry.clone(), matchers))
        })
        .collect()
}

impl RunbookIndex {
    /// Compiles every runbook's entries. A runbook whose entries do not parse is left out (the
    /// loader has refused it already; this keeps the index total).
    pub fn new(scenarios: &[Scenario]) -> Self {
        let entries = scenarios
            .iter()
            .filter_map(|s| Some((s.code.clone(), compile(s).ok()?)))
            .filter(|(_, e)| !e.is_empty())
            .collect();
        RunbookIndex { entries }
    }

    /// The runbook `labels` open and why, or `None` when no runbook matches.
    pub fn best(&self, labels: &Labels) -> Option<(String, RunbookMatch)> {
        let mut hits: Vec<(usize, &str, &str, usize, usize)> = Vec::new();
        for (order, (code, entries)) in self.entries.iter().enumerate() {
            // A runbook's strongest matching entry is what it competes with.
            let best = entries
                .iter()
                .filter(|(_, m)| m.matches(labels))
                .map(|(text, m)| {
                    let exact = m.0.iter().filter(|x| x.op == MatchOp::Equal).count();
                    (text.as_str(), m.0.len(), exact)
                })
                .max_by_key(|&(_, n, exact)| (n, exact));
            if let Some((text, n, exact)) = best {
                hits.push((order, code, text, n, exact));
            }
        }
        // Most matchers, then most exact ones, then the earliest runbook.
        hits.sort_by_key(|&(order, _, _, n, exact)| {
            (std::cmp::Reverse(n), std::cmp::Reverse(exact), order)
        });
        let (&(_, code, text, n, exact), rest) = hits.split_first()?;
        Some((
            code.to_string(),
            RunbookMatch {
                matcher: text.to_string(),
                matchers: n,
                exact,
                also_matched: rest.iter().map(|h| h.1.to_string()).collect(),
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runbook(code: &str, match_any: &[&str]) -> Scenario {
        let mut s = crate::scenarios::load(None).scenarios[0].clone();
        s.code = code.into();
        s.match_any = match_any.iter().map(|m| m.to_string()).collect();
        s
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_most_specific_runbook_wins_and_says_why() {
        let index = RunbookIndex::new(&[
            runbook("broad", &[r#"{alertname=~".*5xx.*"}"#]),
            runbook(
                "checkout",
                &[
                    r#"{alertname="Nope"}"#,
                    r#"{alertname=~".*5xx.*", service="checkout"}"#,
                ],
            ),
            runbook("cpu", &[r#"alertname=~"HighCpu.*""#]),
        ]);
        let (code, why) = index
            .best(&labels(&[
                ("alertname", "Http5xxHigh"),
                ("service", "checkout"),
            ]))
            .unwrap();
        assert_eq!(code, "checkout");
        assert_eq!(why.matcher, r#"{alertname=~".*5xx.*", service="checkout"}"#);
        assert_eq!((why.matchers, why.exact), (2, 1));
        assert_eq!(why.also_matched, vec!["broad".to_string()]);
        // Without the service label only the broad one matches.
        let (code, why) = index
            .best(&labels(&[("alertname", "Http5xxHigh")]))
            .unwrap();
        assert_eq!(code, "broad");
        assert!(why.also_matched.is_empty());
        // Anchored: `HighCpu.*` does not match `NodeHighCpu`.
        assert!(
            index
                .best(&labels(&[("alertname", "NodeHighCpu")]))
                .is_none()
        );
    }

    #[test]
    fn exact_matchers_break_ties_then_list_order() {
        let index = RunbookIndex::new(&[
            runbook("regex", &[r#"{alertname=~"A.*"}"#]),
            runbook("exact", &[r#"{alertname="Abc"}"#]),
            runbook("exact-too", &[r#"{alertname="Abc"}"#]),
        ]);
        let (code, why) = index.best(&labels(&[("alertname", "Abc")])).unwrap();
        assert_eq!(code, "exact");
        assert_eq!(why.also_matched, vec!["exact-too", "regex"]);
    }

    #[test]
    fn built_in_runbooks_open_for_typical_alert_names() {
        let index = RunbookIndex::new(&crate::scenarios::load(None).scenarios);
        let code = |name: &str| index.best(&labels(&[("alertname", name)])).map(|b| b.0);
        for name in [
            "Http5xxHigh",
            "HighErrorRate",
            "NginxHttpErrors",
            "HTTP_5XX_Rate",
        ] {
            assert_eq!(code(name).as_deref(), Some("http_5xx_surge"), "{name}");
        }
        for name in ["HighCpuUsage", "NodeCPUHigh", "cpu_throttling"] {
            assert_eq!(code(name).as_deref(), Some("cpu_spike_core"), "{name}");
        }
        for name in ["DiskFull", "InstanceDown", ""] {
            assert_eq!(code(name), None, "{name}");
        }
    }

    #[test]
    fn a_missing_label_is_empty_and_a_bad_entry_is_said() {
        let index = RunbookIndex::new(&[runbook("no-team", &[r#"{alertname="X", team=""}"#])]);
        assert!(index.best(&labels(&[("alertname", "X")])).is_some());
        assert!(
            index
                .best(&labels(&[("alertname", "X"), ("team", "pay")]))
                .is_none()
        );
        let err = check(&runbook("bad", &[r#"{alertname=~"("}"#])).unwrap_err();
        assert_eq!(err.code, "bad");
        assert!(err.to_string().contains("match_any"), "{err}");
        assert!(check(&runbook("empty", &["{}"])).is_err());
    }
}
