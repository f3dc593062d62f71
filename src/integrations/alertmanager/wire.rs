//! Alertmanager's wire formats: the webhook payload (`webhook_config`, version "4") and API
//! v2's `GET /api/v2/alerts` and `GET /api/v2/status`. Unknown fields are ignored; every
//! failure is an error in words; each alert's text is capped on the way in.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::model::cap_text;
use crate::model::{
    Alert, AlertState, AlertStatus, Labels, SILENCE_AUTHOR_LIMIT_BYTES,
    SILENCE_COMMENT_LIMIT_BYTES, Silence, WEBHOOK_SOURCE,
};

/// The longest fingerprint taken, in bytes (Alertmanager's are 16 hex digits).
pub const MAX_FINGERPRINT_BYTES: usize = 128;

/// Why a payload from Alertmanager cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AlertmanagerError {
    /// Not the JSON we expect (the serde error names the line, column and field).
    #[error("not an Alertmanager payload: {0}")]
    Json(String),
    /// A webhook payload of a version this console does not read.
    #[error("webhook payload version \"{0}\" is not supported (only \"4\")")]
    Version(String),
    /// A status other than firing or resolved.
    #[error("alert {fingerprint}: status \"{status}\" is neither firing nor resolved")]
    Status {
        /// The alert.
        fingerprint: String,
        /// What it said.
        status: String,
    },
    /// An empty fingerprint, or one past [`MAX_FINGERPRINT_BYTES`] or with control
    /// characters.
    #[error("an alert's fingerprint is empty, longer than 128 bytes or holds control characters")]
    Fingerprint,
    /// A time that is not RFC 3339.
    #[error("alert {fingerprint}: {field} \"{value}\" is not a time")]
    Time {
        /// The alert.
        fingerprint: String,
        /// `startsAt` or `endsAt`.
        field: &'static str,
        /// What it said.
        value: String,
    },
}

/// One webhook POST: a full snapshot of one Alertmanager group, not a list of changes.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookGroup {
    /// The group's key (`groupKey`), stable while the group exists.
    pub group_key: String,
    /// The receiver that sent it.
    pub receiver: String,
    /// How many alerts Alertmanager left out because of the receiver's `max_alerts`.
    pub truncated_alerts: u64,
    /// The labels the group is grouped by.
    pub group_labels: Labels,
    /// Alertmanager's own URL, as it knows it.
    pub external_url: String,
    /// The alerts of the group, each with `reported_by` = [`WEBHOOK_SOURCE`].
    pub alerts: Vec<Alert>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireWebhook {
    version: String,
    group_key: String,
    #[serde(default)]
    truncated_alerts: u64,
    #[serde(default)]
    receiver: String,
    #[serde(default)]
    group_labels: Labels,
    #[serde(default, rename = "externalURL")]
    external_url: String,
    #[serde(default)]
    alerts: Vec<WireAlert>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAlert {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    labels: Labels,
    #[serde(default)]
    annotations: Labels,
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    #[serde(default, rename = "generatorURL")]
    generator_url: String,
    fingerprint: String,
}

/// API v2's `status` object of an alert.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireState {
    state: String,
    #[serde(default)]
    silenced_by: Vec<String>,
    #[serde(default)]
    inhibited_by: Vec<String>,
}

/// API v2's alert: the webhook's fields, with `status` an object.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireGettable {
    #[serde(default)]
    labels: Labels,
    #[serde(default)]
    annotations: Labels,
    starts_at: String,
    #[serde(default, rename = "generatorURL")]
    generator_url: String,
    fingerprint: String,
    status: WireState,
}

/// Parses a webhook body.
pub fn parse_webhook(body: &[u8]) -> Result<WebhookGroup, AlertmanagerError> {
    let wire: WireWebhook =
        serde_json::from_slice(body).map_err(|e| AlertmanagerError::Json(e.to_string()))?;
    if wire.version != "4" {
        return Err(AlertmanagerError::Version(wire.version));
    }
    let alerts = wire
        .alerts
        .into_iter()
        .map(|a| {
            let status = match a.status.as_deref() {
                Some("firing") => AlertStatus::Firing,
                Some("resolved") => AlertStatus::Resolved,
                other => {
                    return Err(AlertmanagerError::Status {
                        fingerprint: a.fingerprint.clone(),
                        status: other.unwrap_or("").to_string(),
                    });
                }
            };
            alert(
                a.fingerprint,
                status,
                Times(&a.starts_at, &a.ends_at),
                a.labels,
                a.annotations,
                a.generator_url,
                Some(wire.group_key.clone()),
                WEBHOOK_SOURCE,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(WebhookGroup {
        group_key: wire.group_key,
        receiver: wire.receiver,
        truncated_alerts: wire.truncated_alerts,
        group_labels: wire.group_labels,
        external_url: wire.external_url,
        alerts,
    })
}

/// Parses `GET /api/v2/alerts` from the Alertmanager at `source` (its URL without
/// credentials). Every alert it returns is firing: the API never returns resolved ones.
pub fn parse_alerts(body: &[u8], source: &str) -> Result<Vec<Alert>, AlertmanagerError> {
    let wire: Vec<WireGettable> =
        serde_json::from_slice(body).map_err(|e| AlertmanagerError::Json(e.to_string()))?;
    wire.into_iter()
        .map(|a| {
            let mut alert = alert(
                a.fingerprint,
                AlertStatus::Firing,
                Times(&a.starts_at, ""),
                a.labels,
                a.annotations,
                a.generator_url,
                None,
                source,
            )?;
            alert.state = match a.status.state.as_str() {
                "suppressed" => AlertState::Suppressed,
                "unprocessed" => AlertState::Unprocessed,
                _ => AlertState::Active,
            };
            alert.silenced_by = a.status.silenced_by;
            alert.inhibited_by = a.status.inhibited_by;
            Ok(alert)
        })
        .collect()
}

/// An Alertmanager's health as `GET /api/v2/status` tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmStatus {
    /// Its version (`versionInfo.version`).
    pub version: String,
    /// `ready`, `settling` or `disabled` (no cluster).
    pub cluster: String,
    /// How many peers its cluster has, itself included.
    pub peers: usize,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireStatus {
    #[serde(default)]
    cluster: Option<WireCluster>,
    #[serde(default)]
    version_info: Option<WireVersion>,
}

#[derive(Deserialize)]
struct WireCluster {
    #[serde(default)]
    status: String,
    #[serde(default)]
    peers: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct WireVersion {
    #[serde(default)]
    version: String,
}

/// Parses `GET /api/v2/status`.
pub fn parse_status(body: &[u8]) -> Result<AmStatus, AlertmanagerError> {
    let wire: WireStatus =
        serde_json::from_slice(body).map_err(|e| AlertmanagerError::Json(e.to_string()))?;
    let cluster = wire.cluster.unwrap_or(WireCluster {
        status: "disabled".into(),
        peers: Vec::new(),
    });
    Ok(AmStatus {
        version: wire.version_info.map(|v| v.version).unwrap_or_default(),
        cluster: cluster.status,
        peers: cluster.peers.len(),
    })
}

/// `startsAt` and `endsAt` as sent.
struct Times<'a>(&'a str, &'a str);

#[allow(clippy::too_many_arguments)]
fn alert(
    fingerprint: String,
    status: AlertStatus,
    Times(starts, ends): Times<'_>,
    mut labels: Labels,
    mut annotations: Labels,
    mut generator_url: String,
    group_key: Option<String>,
    source: &str,
) -> Result<Alert, AlertmanagerError> {
    if fingerprint.is_empty()
        || fingerprint.len() > MAX_FINGERPRINT_BYTES
        || fingerprint.chars().any(char::is_control)
    {
        return Err(AlertmanagerError::Fingerprint);
    }
    let cut = crate::model::cap_alert_text(&mut labels, &mut annotations, &mut generator_url);
    let time = |field: &'static str, value: &str| {
        DateTime::parse_from_rfc3339(value)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| AlertmanagerError::Time {
                fingerprint: fingerprint.clone(),
                field,
                value: value.to_string(),
            })
    };
    let starts_at = time("startsAt", starts)?;
    // A firing alert's endsAt is `0001-01-01` or when Alertmanager would consider it stale;
    // only a resolved alert's endsAt is when it resolved.
    let ends_at = match status {
        AlertStatus::Resolved if !ends.is_empty() => Some(time("endsAt", ends)?),
        _ => None,
    };
    Ok(Alert {
        fingerprint: fingerprint.clone(),
        status,
        state: AlertState::Active,
        silenced_by: Vec::new(),
        inhibited_by: Vec::new(),
        labels,
        annotations,
        starts_at,
        ends_at,
        generator_url,
        group_key,
        reported_by: BTreeSet::from([source.to_string()]),
        // The caller sets when it arrived; the start is the earliest it can be.
        seen_at: starts_at,
        cut,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireSilence {
    id: String,
    #[serde(default)]
    created_by: String,
    #[serde(default)]
    comment: String,
    starts_at: String,
    ends_at: String,
    #[serde(default)]
    status: Option<WireSilenceStatus>,
}

#[derive(Deserialize)]
struct WireSilenceStatus {
    #[serde(default)]
    state: String,
}

/// Parses `GET /api/v2/silences` from the Alertmanager at `source`: the active and pending
/// ones (expired silences, kept for days there, acknowledge nothing), author and comment
/// capped. A silence with unreadable times is left out rather than failing the poll.
pub fn parse_silences(body: &[u8], source: &str) -> Result<Vec<Silence>, AlertmanagerError> {
    let wire: Vec<WireSilence> =
        serde_json::from_slice(body).map_err(|e| AlertmanagerError::Json(e.to_string()))?;
    Ok(wire
        .into_iter()
        .filter(|s| s.status.as_ref().is_none_or(|st| st.state != "expired"))
        .filter_map(|s| {
            let time = |t: &str| {
                DateTime::parse_from_rfc3339(t)
                    .ok()
                    .map(|t| t.with_timezone(&Utc))
            };
            Some(Silence {
                created_by: cap_text(&s.created_by, SILENCE_AUTHOR_LIMIT_BYTES),
                comment: cap_text(&s.comment, SILENCE_COMMENT_LIMIT_BYTES),
                starts_at: time(&s.starts_at)?,
                ends_at: time(&s.ends_at)?,
                source: source.to_string(),
                id: cap_text(&s.id, 64),
            })
        })
        .collect())
}
