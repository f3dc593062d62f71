//! Alerts from the team's Alertmanager(s): what the console knows of each, merged by
//! fingerprint across the webhook and every polled Alertmanager.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Label or annotation name → value, sorted by name.
pub type Labels = BTreeMap<String, String>;

/// Firing or resolved, as Alertmanager's `status` says (never inferred from `endsAt`, which a
/// firing alert carries as a time in the future or `0001-01-01`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlertStatus {
    /// Still firing.
    Firing,
    /// Resolved: by Alertmanager's word, or gone from a successful poll of every Alertmanager
    /// that reported it.
    Resolved,
}

/// What Alertmanager does with a firing alert (API v2's `status.state`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlertState {
    /// Routed to receivers.
    #[default]
    Active,
    /// Silenced or inhibited (see `silenced_by` and `inhibited_by`).
    Suppressed,
    /// Not yet processed by Alertmanager's pipeline.
    Unprocessed,
}

/// One alert as the console knows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Alertmanager's fingerprint of the label set: equal across HA replicas.
    pub fingerprint: String,
    /// Firing or resolved.
    pub status: AlertStatus,
    /// Active, suppressed or unprocessed (known from polling; the webhook does not say).
    #[serde(default)]
    pub state: AlertState,
    /// Silence ids that suppress it.
    #[serde(default)]
    pub silenced_by: Vec<String>,
    /// Fingerprints of the alerts that inhibit it.
    #[serde(default)]
    pub inhibited_by: Vec<String>,
    /// Its labels (`alertname`, `severity`, …).
    pub labels: Labels,
    /// Its annotations (`summary`, `description`, `runbook_url`, …).
    #[serde(default)]
    pub annotations: Labels,
    /// When it began firing.
    pub starts_at: DateTime<Utc>,
    /// When it resolved; `None` while firing.
    pub ends_at: Option<DateTime<Utc>>,
    /// The link to the expression that fired it (Prometheus's graph page); may be empty.
    #[serde(default)]
    pub generator_url: String,
    /// The Alertmanager group it last arrived in by webhook (`groupKey`), if any.
    #[serde(default)]
    pub group_key: Option<String>,
    /// Who reported it: each polled Alertmanager's URL (without credentials), or
    /// [`WEBHOOK_SOURCE`].
    #[serde(default)]
    pub reported_by: BTreeSet<String>,
    /// When the console last heard of it (a webhook or a poll), to tell a poll that started
    /// before a webhook arrived from one that saw it gone.
    pub seen_at: DateTime<Utc>,
}

/// How [`Alert::reported_by`] names the webhook receiver.
pub const WEBHOOK_SOURCE: &str = "webhook";

impl Alert {
    /// The `alertname` label, or the empty string.
    pub fn name(&self) -> &str {
        self.label("alertname")
    }

    /// The `severity` label, or the empty string.
    pub fn severity(&self) -> &str {
        self.label("severity")
    }

    /// A label's value; a missing label is the empty string (as Alertmanager's matchers see
    /// it).
    pub fn label(&self, name: &str) -> &str {
        self.labels.get(name).map_or("", String::as_str)
    }

    /// What to show as its one line: the `summary` annotation, else `description`, else the
    /// empty string.
    pub fn summary(&self) -> &str {
        ["summary", "description"]
            .iter()
            .find_map(|k| self.annotations.get(*k).filter(|v| !v.trim().is_empty()))
            .map_or("", String::as_str)
    }

    /// Whether `other` says nothing new about this alert: the same firing episode
    /// (`starts_at`) in the same status and state. A repeated webhook is then a no-op.
    pub fn same_as(&self, other: &Alert) -> bool {
        self.fingerprint == other.fingerprint
            && self.starts_at == other.starts_at
            && self.status == other.status
            && self.state == other.state
            && self.silenced_by == other.silenced_by
            && self.inhibited_by == other.inhibited_by
    }
}

/// Why an incident was opened from a runbook: the `match_any` entry that matched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunbookMatch {
    /// The matching entry, as the runbook file wrote it.
    pub matcher: String,
    /// How many matchers that entry has (more is more specific).
    pub matchers: usize,
    /// How many of them are exact `=` matchers (breaks ties between equally long entries).
    pub exact: usize,
    /// Other runbooks that matched too and lost, by code.
    pub also_matched: Vec<String>,
}

/// A silence the console created in one Alertmanager.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SilenceRef {
    /// The Alertmanager's URL (without credentials).
    pub url: String,
    /// The silence id Alertmanager gave.
    pub id: String,
    /// The alert it silences.
    pub fingerprint: String,
}

/// The responder's acknowledgement: silences in the Alertmanagers that reported the alerts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ack {
    /// The responder's name (settings), sent as the silences' `createdBy`.
    pub by: String,
    /// When it was given.
    pub at: DateTime<Utc>,
    /// The silences' comment.
    pub comment: String,
    /// When the silences end by themselves.
    pub until: DateTime<Utc>,
    /// The silences created; empty until Alertmanager answers.
    #[serde(default)]
    pub silences: Vec<SilenceRef>,
    /// When it ended: unsilenced, or every alert resolved.
    #[serde(default)]
    pub ended_at: Option<DateTime<Utc>>,
}

impl Ack {
    /// Whether it still holds at `now`.
    pub fn holds(&self, now: DateTime<Utc>) -> bool {
        self.ended_at.is_none() && now < self.until
    }
}

/// What ties an incident to the Alertmanager alerts it was opened from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentAlerts {
    /// Alertmanager's `groupKey`, or `alertname="…"` for an alert known only from polling
    /// (the API does not say its group; that is Alertmanager's default `group_by`).
    pub group: String,
    /// Which `match_any` entry opened it; `None` for an incident opened by hand.
    #[serde(default)]
    pub matched: Option<RunbookMatch>,
    /// The alerts attached, in arrival order: fingerprint and label set.
    pub alerts: Vec<(String, Labels)>,
    /// Fingerprints of the attached alerts that have resolved.
    #[serde(default)]
    pub resolved: BTreeSet<String>,
    /// When the last of them resolved.
    #[serde(default)]
    pub resolved_at: Option<DateTime<Utc>>,
    /// The acknowledgement, if given.
    #[serde(default)]
    pub ack: Option<Ack>,
}

impl IncidentAlerts {
    /// Whether `fingerprint` is attached.
    pub fn has(&self, fingerprint: &str) -> bool {
        self.alerts.iter().any(|(f, _)| f == fingerprint)
    }

    /// Whether every attached alert has resolved.
    pub fn all_resolved(&self) -> bool {
        self.alerts.iter().all(|(f, _)| self.resolved.contains(f))
    }
}

/// `url` when it is an http(s) link, the only kind an alert's `runbook_url` or `generatorURL`
/// opens: a `file:`, `javascript:` or custom-scheme link from an alert could start a program.
pub fn web_link(url: &str) -> Option<&str> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    matches!(parsed.scheme(), "http" | "https").then_some(url.trim())
}

/// The group an alert belongs to: Alertmanager's `groupKey`, or by `alertname` when the alert
/// is known only from polling.
pub fn alert_group(alert: &Alert) -> String {
    alert
        .group_key
        .clone()
        .unwrap_or_else(|| format!("{{alertname=\"{}\"}}", alert.name()))
}

/// One firing → resolved episode of an alert, as the history keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResolvedAlert {
    /// Alertmanager's fingerprint.
    pub fingerprint: String,
    /// Its labels.
    pub labels: Labels,
    /// Its one line (summary or description) when it resolved.
    #[serde(default)]
    pub summary: String,
    /// When it began firing.
    pub starts_at: DateTime<Utc>,
    /// When it resolved.
    pub ends_at: DateTime<Utc>,
    /// Who reported it.
    #[serde(default)]
    pub reported_by: BTreeSet<String>,
    /// The incident it was attached to, if any.
    #[serde(default)]
    pub incident: Option<u64>,
}

impl ResolvedAlert {
    /// The episode of `alert`, which resolved at `ends_at` (its own `endsAt` when known).
    pub fn of(alert: &Alert, ends_at: DateTime<Utc>, incident: Option<u64>) -> Self {
        ResolvedAlert {
            fingerprint: alert.fingerprint.clone(),
            labels: alert.labels.clone(),
            summary: alert.summary().to_string(),
            starts_at: alert.starts_at,
            ends_at: alert.ends_at.unwrap_or(ends_at),
            reported_by: alert.reported_by.clone(),
            incident,
        }
    }

    /// How long it fired (never negative).
    pub fn duration(&self) -> chrono::Duration {
        (self.ends_at - self.starts_at).max(chrono::Duration::zero())
    }

    /// Whether `query` finds it: every word, case-insensitively, in its name, labels
    /// (`name="value"`), summary, fingerprint or incident (`#3`).
    pub fn found_by(&self, query: &str) -> bool {
        let mut hay = format!("{} {}", self.summary, self.fingerprint);
        for (k, v) in &self.labels {
            hay.push_str(&format!(" {k}=\"{v}\" {v}"));
        }
        if let Some(id) = self.incident {
            hay.push_str(&format!(" #{id}"));
        }
        let hay = hay.to_lowercase();
        query
            .split_whitespace()
            .all(|w| hay.contains(&w.to_lowercase()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_links_from_an_alert_open() {
        assert_eq!(web_link(" https://wiki/x "), Some("https://wiki/x"));
        assert_eq!(
            web_link("http://prom:9090/graph?g0.expr=up"),
            Some("http://prom:9090/graph?g0.expr=up")
        );
        for bad in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "ms-settings:",
            "smb://host/share",
            "not a url",
        ] {
            assert_eq!(web_link(bad), None, "{bad}");
        }
    }

    #[test]
    fn history_search_finds_every_word_in_labels_summary_and_incident() {
        let at = |s| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let r = ResolvedAlert {
            fingerprint: "ab12".into(),
            labels: [("alertname", "HighErrorRate"), ("team", "payments")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            summary: "결제 5xx 급증".into(),
            starts_at: at("2026-11-27T06:00:00Z"),
            ends_at: at("2026-11-27T06:12:30Z"),
            reported_by: BTreeSet::new(),
            incident: Some(3),
        };
        assert_eq!(r.duration().num_seconds(), 750);
        assert!(r.found_by("higherror PAYMENTS"));
        assert!(r.found_by(r#"team="payments""#));
        assert!(r.found_by("결제 #3"));
        assert!(r.found_by(""));
        assert!(!r.found_by("payments cpu"));
    }
}
