//! Alerts from the team's Alertmanager(s): what the console knows of each, merged by
//! fingerprint across the webhook and every polled Alertmanager.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Ack;

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
    /// What was cut from it on arrival to fit the caps ([`cap_alert_text`]); empty for
    /// every alert a real Alertmanager sends.
    #[serde(default, skip_serializing_if = "AlertCut::is_empty")]
    pub cut: AlertCut,
}

/// At most this many labels per alert are kept (`alertname` and `severity` always).
pub const MAX_LABELS: usize = 64;
/// At most this many annotations per alert are kept (`summary` and `description` first).
pub const MAX_ANNOTATIONS: usize = 32;
/// A label or annotation name longer than this, in bytes, is dropped with its value.
pub const MAX_NAME_BYTES: usize = 256;
/// A label value is cut to this many bytes (at a character boundary).
pub const MAX_LABEL_VALUE_BYTES: usize = 2048;
/// An annotation value or the generator URL is cut to this many bytes.
pub const MAX_ANNOTATION_VALUE_BYTES: usize = 8192;

/// What [`cap_alert_text`] cut from one alert, so the feed and the alert can say so.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertCut {
    /// Labels dropped (past [`MAX_LABELS`], or with a name past [`MAX_NAME_BYTES`]).
    pub labels_dropped: u32,
    /// Annotations dropped, likewise.
    pub annotations_dropped: u32,
    /// Values shortened to their cap (labels, annotations and the generator URL).
    pub values_shortened: u32,
}

impl AlertCut {
    /// Whether nothing was cut.
    pub fn is_empty(&self) -> bool {
        *self == AlertCut::default()
    }

    /// Whether a label was dropped or shortened, so the labels the console holds are not
    /// the alert's own (a silence made from them would not match it).
    pub fn labels_changed(&self) -> bool {
        self.labels_dropped > 0 || self.values_shortened > 0
    }
}

/// Cuts what came with an alert to the caps above, so that an alert cannot make the feed,
/// the files or the model's prompt grow without bound; returns what was cut.
pub fn cap_alert_text(
    labels: &mut Labels,
    annotations: &mut Labels,
    generator_url: &mut String,
) -> AlertCut {
    let mut cut = AlertCut::default();
    let (dropped, shortened) = cap_map(
        labels,
        &["alertname", "severity"],
        MAX_LABELS,
        MAX_LABEL_VALUE_BYTES,
    );
    cut.labels_dropped = dropped;
    cut.values_shortened += shortened;
    let (dropped, shortened) = cap_map(
        annotations,
        &["summary", "description", "runbook_url"],
        MAX_ANNOTATIONS,
        MAX_ANNOTATION_VALUE_BYTES,
    );
    cut.annotations_dropped = dropped;
    cut.values_shortened += shortened;
    if generator_url.len() > MAX_ANNOTATION_VALUE_BYTES {
        // A cut link would lead somewhere else: drop it whole.
        generator_url.clear();
        cut.values_shortened += 1;
    }
    cut
}

/// Keeps `first` names, then others in name order, up to `max` entries, each value cut to
/// `value_bytes`; returns (entries dropped, values shortened).
fn cap_map(map: &mut Labels, first: &[&str], max: usize, value_bytes: usize) -> (u32, u32) {
    let before = map.len();
    map.retain(|k, _| k.len() <= MAX_NAME_BYTES);
    if map.len() > max {
        let mut keep: BTreeSet<String> = first
            .iter()
            .filter(|k| map.contains_key(**k))
            .map(|k| k.to_string())
            .collect();
        for k in map.keys() {
            if keep.len() >= max {
                break;
            }
            keep.insert(k.clone());
        }
        map.retain(|k, _| keep.contains(k));
    }
    let mut shortened = 0;
    for v in map.values_mut() {
        if v.len() > value_bytes {
            let mut end = value_bytes;
            while !v.is_char_boundary(end) {
                end -= 1;
            }
            v.truncate(end);
            shortened += 1;
        }
    }
    ((before - map.len()) as u32, shortened)
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

/// What ties an incident to the Alertmanager alerts it was opened from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentAlerts {
    /// Alertmanager's `groupKey`, or `alertname="…"` for an alert known only from polling
    /// (the API does not say its group; that is Alertmanager's default `group_by`).
    pub group: String,
    /// Which `match_any` entry opened it; `None` for an incident opened by hand.
    #[serde(default)]
    pub matched: Option<RunbookMatch>,
    /// The first [`SHOWN_ALERTS_PER_INCIDENT`] alerts attached, in arrival order:
    /// fingerprint and label set.
    pub alerts: Vec<(String, Labels)>,
    /// Fingerprints of the alerts attached after the first [`SHOWN_ALERTS_PER_INCIDENT`]
    /// (their labels are in the Alerts list), so a storm of one group does not grow the
    /// incident's file without bound and recovery still waits for every one.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub more: BTreeSet<String>,
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

/// How many attached alerts an incident keeps with their labels; the rest by fingerprint.
pub const SHOWN_ALERTS_PER_INCIDENT: usize = 100;

impl IncidentAlerts {
    /// Whether `fingerprint` is attached.
    pub fn has(&self, fingerprint: &str) -> bool {
        self.more.contains(fingerprint) || self.alerts.iter().any(|(f, _)| f == fingerprint)
    }

    /// Attaches an alert: with its labels while fewer than [`SHOWN_ALERTS_PER_INCIDENT`]
    /// are, by fingerprint after.
    pub fn attach(&mut self, fingerprint: String, labels: &Labels) {
        if self.has(&fingerprint) {
            return;
        }
        if self.alerts.len() < SHOWN_ALERTS_PER_INCIDENT {
            self.alerts.push((fingerprint, labels.clone()));
        } else {
            self.more.insert(fingerprint);
        }
    }

    /// How many alerts are attached.
    pub fn count(&self) -> usize {
        self.alerts.len() + self.more.len()
    }

    /// Every attached fingerprint: the shown ones in arrival order, then the rest.
    pub fn fingerprints(&self) -> impl Iterator<Item = &str> {
        let shown = self.alerts.iter().map(|(f, _)| f.as_str());
        shown.chain(self.more.iter().map(String::as_str))
    }

    /// Whether every attached alert has resolved.
    pub fn all_resolved(&self) -> bool {
        self.fingerprints().all(|f| self.resolved.contains(f))
    }
}

/// The label pairs every one of `alerts` has, with the same value: the matchers of one
/// silence that covers them all (empty when they share none).
pub fn common_labels<'a>(mut alerts: impl Iterator<Item = &'a Alert>) -> Labels {
    let Some(first) = alerts.next() else {
        return Labels::new();
    };
    let mut common = first.labels.clone();
    for a in alerts {
        common.retain(|k, v| a.labels.get(k) == Some(v));
        if common.is_empty() {
            break;
        }
    }
    common
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

/// What an acknowledgement is of, as the feed names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum AckSubject {
    /// One alert, by its name.
    Alert {
        /// Its `alertname`.
        name: String,
    },
    /// An incident opened from alerts.
    Incident {
        /// Its id.
        id: u64,
    },
    /// Alerts picked together (a bulk acknowledgement).
    Alerts {
        /// How many were picked.
        count: usize,
    },
}

/// Why the silences of an acknowledgement were not made (or not expired). Typed, so the feed
/// says it in the user's language; only Alertmanager's own answers are quoted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum AckProblem {
    /// No alert of that fingerprint is known.
    UnknownAlert,
    /// No incident of that id.
    UnknownIncident,
    /// The incident was not opened from alerts, so it has none to silence.
    NotFromAlerts,
    /// None of its alerts is firing.
    NoneFiring,
    /// None of the picked alerts is firing and unacknowledged.
    NoneUnacknowledged,
    /// Its labels were cut on arrival: a silence of them would not match the alert.
    LabelsCut,
    /// It is acknowledged already, until then.
    AlreadyAcknowledged {
        /// When the acknowledgement ends.
        until: DateTime<Utc>,
    },
    /// No Alertmanager URL is set: a silence can only be made in one.
    NoAlertmanager,
    /// The picked alerts share no label, so one silence cannot cover them.
    NoCommonLabel,
    /// There is no silence to expire.
    NoSilence,
    /// What the Alertmanagers answered, each `url: error`, as they came.
    Alertmanager(Vec<String>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_text_is_cut_to_its_caps_keeping_the_names_that_matter() {
        let mut labels: Labels = (0..100).map(|i| (format!("l{i:03}"), "v".into())).collect();
        labels.insert("zz_alertname".into(), "x".into());
        labels.insert("severity".into(), "critical".into());
        labels.insert("alertname".into(), "가".repeat(1000));
        labels.insert("n".repeat(300), "long name".into());
        let mut annotations: Labels = [("summary".to_string(), "s".repeat(10_000))].into();
        let mut url = format!("https://prom/{}", "x".repeat(9000));
        let cut = cap_alert_text(&mut labels, &mut annotations, &mut url);
        assert_eq!(labels.len(), MAX_LABELS);
        assert_eq!(labels["severity"], "critical");
        // 1000 three-byte characters cut at a character boundary under 2048 bytes.
        assert_eq!(labels["alertname"], "가".repeat(682));
        assert_eq!(annotations["summary"].len(), MAX_ANNOTATION_VALUE_BYTES);
        assert!(url.is_empty(), "a cut link would lead elsewhere");
        assert_eq!(
            cut,
            AlertCut {
                labels_dropped: 104 - 64,
                annotations_dropped: 0,
                values_shortened: 3,
            }
        );
        assert!(cut.labels_changed());
        let mut small: Labels = [("alertname".to_string(), "A".to_string())].into();
        let cut = cap_alert_text(&mut small, &mut Labels::new(), &mut String::new());
        assert!(cut.is_empty());
    }

    #[test]
    fn an_incident_keeps_the_first_alerts_with_labels_and_counts_every_one() {
        let mut links = IncidentAlerts {
            group: "g".into(),
            matched: None,
            alerts: Vec::new(),
            more: BTreeSet::new(),
            resolved: BTreeSet::new(),
            resolved_at: None,
            ack: None,
        };
        let labels = Labels::new();
        for i in 0..250 {
            links.attach(format!("f{i}"), &labels);
        }
        links.attach("f0".into(), &labels);
        assert_eq!(links.alerts.len(), SHOWN_ALERTS_PER_INCIDENT);
        assert_eq!(links.count(), 250);
        assert!(links.has("f249") && links.has("f0") && !links.has("f250"));
        for i in 0..249 {
            links.resolved.insert(format!("f{i}"));
        }
        assert!(!links.all_resolved(), "one past the shown ones still fires");
        links.resolved.insert("f249".into());
        assert!(links.all_resolved());
    }

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
