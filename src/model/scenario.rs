use serde::{Deserialize, Serialize};

use super::{Lang, Metric};

/// A text in both UI languages.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Localized {
    /// English text.
    pub en: String,
    /// Korean text.
    pub ko: String,
}

impl Localized {
    /// The text for `lang`, falling back to the other language when one is empty.
    pub fn text(&self, lang: Lang) -> &str {
        let (first, second) = match lang {
            Lang::En => (&self.en, &self.ko),
            Lang::Ko => (&self.ko, &self.en),
        };
        if first.is_empty() { second } else { first }
    }
}

/// How much damage an action can do if it is wrong; drives the safety guard before execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Risk {
    /// Read-only or purely communicative.
    Low,
    /// Changes capacity or routing; reversible.
    Medium,
    /// Changes what runs in production (rollback, restart).
    High,
}

/// A cause hypothesis, ranked by `confidence`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hypothesis {
    /// What might have happened.
    pub statement: Localized,
    /// Prior confidence between 0 and 1; the list is shown highest first.
    pub confidence: f64,
    /// Indices into the scenario's `evidence` that support this hypothesis.
    #[serde(default)]
    pub evidence: Vec<usize>,
}

/// A fact gathered for the incident.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The observation, in words.
    pub text: Localized,
    /// A PromQL query that checks it live when an incident opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<EvidenceCheck>,
}

/// How a live check judges its query's answer.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Expect {
    /// Observed when any series is above the value.
    Above(f64),
    /// Observed when any series is below the value.
    Below(f64),
    /// Observed when the query returns any series at all.
    AnySeries,
}

/// A live check of an evidence item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvidenceCheck {
    /// PromQL, run as an instant query on the configured Prometheus.
    pub query: String,
    /// What counts as observed.
    pub expect: Expect,
    /// Seconds the query may take.
    #[serde(default = "default_check_timeout_secs")]
    pub timeout_secs: u64,
}

fn default_check_timeout_secs() -> u64 {
    10
}

/// What a live check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckState {
    /// The query's answer shows it.
    Observed,
    /// The query answered, and it does not show it.
    NotObserved,
    /// The query could not be run or answered (the detail says why).
    CouldNotCheck,
}

/// The result of one live check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Observed, not observed, or could not check.
    pub state: CheckState,
    /// The deciding value (the highest for `Above`, the lowest for `Below`), if any.
    pub value: Option<f64>,
    /// The series that had it.
    pub series: Option<String>,
    /// When it was checked.
    pub at: chrono::DateTime<chrono::Utc>,
    /// Why it could not be checked, or what answered (`demo`, a Prometheus URL).
    pub detail: String,
}

impl CheckResult {
    /// Judges an answer: `values` are `(series, value)` of the query at `at`.
    pub fn judge(
        expect: Expect,
        values: &[(String, f64)],
        at: chrono::DateTime<chrono::Utc>,
        detail: String,
    ) -> Self {
        let finite = values.iter().filter(|(_, v)| v.is_finite());
        let pick = match expect {
            Expect::Above(_) | Expect::AnySeries => finite.max_by(|a, b| a.1.total_cmp(&b.1)),
            Expect::Below(_) => finite.min_by(|a, b| a.1.total_cmp(&b.1)),
        };
        let observed = match (expect, pick) {
            (Expect::AnySeries, _) => !values.is_empty(),
            (Expect::Above(x), Some((_, v))) => *v > x,
            (Expect::Below(x), Some((_, v))) => *v < x,
            (_, None) => false,
        };
        CheckResult {
            state: if observed {
                CheckState::Observed
            } else {
                CheckState::NotObserved
            },
            value: pick.map(|p| p.1),
            series: pick.map(|p| p.0.clone()),
            at,
            detail,
        }
    }

    /// A check that could not run, and why.
    pub fn failed(at: chrono::DateTime<chrono::Utc>, why: String) -> Self {
        CheckResult {
            state: CheckState::CouldNotCheck,
            value: None,
            series: None,
            at,
            detail: why,
        }
    }
}

/// A recommended remediation step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// What to do, in words.
    pub title: Localized,
    /// The command in words, as an operator would run it (what a simulated action records).
    pub command: String,
    /// How risky the action is.
    pub risk: Risk,
    /// How it runs; simulated unless the runbook says otherwise.
    #[serde(default, skip_serializing_if = "is_simulated")]
    pub kind: super::ActionKind,
    /// Whether the plan goes on to the next action when this one fails.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub continue_on_failure: bool,
    /// Seconds a run may take (default: the settings', 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<u64>,
    /// What the responder types to run it when it is high-risk (default: the incident id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_word: Option<String>,
}

fn is_simulated(kind: &super::ActionKind) -> bool {
    *kind == super::ActionKind::Simulated
}

/// A runbook: what an alert of one kind probably means and what to do about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Stable identifier, e.g. `http_5xx_surge`; user files override embedded ones by code.
    pub code: String,
    /// Short title.
    pub title: Localized,
    /// Where the alert comes from, e.g. `Prometheus http_error_rate`.
    pub source: String,
    /// v0.1's way to say which signal opens this runbook. Rules name their runbook now
    /// (`Rule::runbook`); this is kept so v0.1 files load, and is read only to find the rule an
    /// old incident watches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<Metric>,
    /// A paragraph of context.
    pub description: Localized,
    /// Ranked cause hypotheses.
    pub hypotheses: Vec<Hypothesis>,
    /// Observations supporting the hypotheses.
    pub evidence: Vec<Evidence>,
    /// Recommended actions, in order.
    pub actions: Vec<Action>,
    /// Alertmanager label matchers that open this runbook, with Alertmanager's own syntax and
    /// semantics (`{alertname=~".*5xx.*", severity="critical"}`); the matchers of one entry are
    /// ANDed, the entries ORed. Empty: no alert opens it by itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_any: Vec<String>,
}

impl Scenario {
    /// Indices of the three most likely hypotheses, highest confidence first (stable on ties).
    pub fn top_hypotheses(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.hypotheses.len()).collect();
        order.sort_by(|&a, &b| {
            self.hypotheses[b]
                .confidence
                .total_cmp(&self.hypotheses[a].confidence)
        });
        order.truncate(3);
        order
    }

    /// Checks what serde cannot: non-empty code and title, evidence indices in range.
    pub fn validate(&self) -> Result<(), String> {
        if self.code.trim().is_empty() {
            return Err("the scenario has an empty `code`".into());
        }
        if !self
            .code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!(
                "code `{}` may only use letters, digits, `_` and `-`",
                self.code
            ));
        }
        if self.hypotheses.is_empty() {
            return Err(format!("scenario `{}` has no hypotheses", self.code));
        }
        for (i, h) in self.hypotheses.iter().enumerate() {
            if let Some(bad) = h.evidence.iter().find(|&&e| e >= self.evidence.len()) {
                return Err(format!(
                    "hypothesis {} of `{}` points at evidence {bad}, but there are only {}",
                    i + 1,
                    self.code,
                    self.evidence.len()
                ));
            }
            if !(0.0..=1.0).contains(&h.confidence) {
                return Err(format!(
                    "hypothesis {} of `{}` has confidence {}, expected 0 to 1",
                    i + 1,
                    self.code,
                    h.confidence
                ));
            }
        }
        Ok(())
    }
}
