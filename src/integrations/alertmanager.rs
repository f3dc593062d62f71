//! Alertmanager's wire formats: the webhook payload (`webhook_config`, version "4") and API
//! v2's `GET /api/v2/alerts` and `GET /api/v2/status`. Unknown fields are ignored; every
//! failure is an error in words.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::model::{Alert, AlertState, AlertStatus, Labels, WEBHOOK_SOURCE};

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

/// The `receivers:` entry of an `alertmanager.yml` that sends webhooks to the console's
/// receiver at `addr` (`host:port`) with `token` (as Alertmanager's bearer credentials).
/// `token` is written as given: the window passes a mask to show and the real one to copy.
pub fn receiver_snippet(addr: &str, token: &str) -> String {
    let auth = if token.is_empty() {
        String::new()
    } else {
        format!(
            "\n        http_config:\n          authorization:\n            credentials: \"{token}\""
        )
    };
    format!(
        "receivers:\n  - name: incident-console\n    webhook_configs:\n      - url: http://{addr}/\n        send_resolved: true{auth}\n"
    )
}

/// The largest answer read from an Alertmanager, in bytes (thousands of alerts fit).
pub const MAX_ANSWER_BYTES: u64 = 16 << 20;

/// Why a poll of an Alertmanager failed, in words (never with a credential).
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    /// Connecting, timing out, or the transfer.
    #[error("{0}")]
    Transport(String),
    /// An HTTP status other than 200.
    #[error("HTTP {status} from {path}")]
    Status {
        /// The status code.
        status: u16,
        /// `/api/v2/alerts` or `/api/v2/status`.
        path: &'static str,
    },
    /// Alertmanager refused a change, in its own words (e.g. a 422 naming a missing field).
    #[error("{path} answered HTTP {status}: {message}")]
    Refused {
        /// The status code.
        status: u16,
        /// `/api/v2/silences` or `/api/v2/silence/{id}`.
        path: &'static str,
        /// The start of its answer.
        message: String,
    },
    /// A body past [`MAX_ANSWER_BYTES`].
    #[error("the answer of {0} is larger than 16 MiB")]
    TooLarge(&'static str),
    /// A body that is not what the API documents.
    #[error(transparent)]
    Payload(#[from] AlertmanagerError),
}

/// One Alertmanager's API v2, with its own timeout on every call.
#[derive(Clone, Debug)]
pub struct AmClient {
    base: String,
    shown: String,
    token: Option<crate::model::Secret>,
    http: reqwest::Client,
}

impl AmClient {
    /// A client of the Alertmanager at `url`; `token`, when set, goes as a bearer token.
    pub fn new(
        url: &str,
        token: Option<crate::model::Secret>,
        timeout_secs: u64,
    ) -> Result<Self, String> {
        let base = url.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(format!(
                "Alertmanager URL \"{}\" must start with http:// or https://",
                super::http::redact(&base)
            ));
        }
        Ok(Self {
            shown: super::http::redact(&base),
            base,
            token: token.filter(|t| !t.is_empty()),
            http: super::http::client(timeout_secs, Default::default())?,
        })
    }

    /// The URL as it may be shown (no credentials): the name alerts are reported by.
    pub fn url(&self) -> &str {
        &self.shown
    }

    /// `GET /api/v2/alerts`: every alert it holds (all firing).
    pub async fn alerts(&self) -> Result<Vec<Alert>, PollError> {
        let body = self.get("/api/v2/alerts").await?;
        Ok(parse_alerts(&body, &self.shown)?)
    }

    /// `GET /api/v2/status`: version and cluster.
    pub async fn status(&self) -> Result<AmStatus, PollError> {
        let body = self.get("/api/v2/status").await?;
        Ok(parse_status(&body)?)
    }

    /// `POST /api/v2/silences`: a silence of exactly `labels` (one `=` matcher per label)
    /// from `starts_at` to `ends_at`; Alertmanager's id for it.
    pub async fn create_silence(
        &self,
        labels: &Labels,
        (starts_at, ends_at): (DateTime<Utc>, DateTime<Utc>),
        created_by: &str,
        comment: &str,
    ) -> Result<String, PollError> {
        let matchers: Vec<serde_json::Value> = labels
            .iter()
            .map(|(name, value)| {
                serde_json::json!({"name": name, "value": value, "isRegex": false, "isEqual": true})
            })
            .collect();
        let body = serde_json::json!({
            "matchers": matchers,
            "startsAt": starts_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "endsAt": ends_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            // Alertmanager answers 422 when either is empty.
            "createdBy": if created_by.trim().is_empty() { "incident-console" } else { created_by },
            "comment": if comment.trim().is_empty() { "acknowledged in the incident console" } else { comment },
        });
        let path = "/api/v2/silences";
        let req = self.http.post(format!("{}{path}", self.base)).json(&body);
        let answer = self.change(req, path).await?;
        #[derive(serde::Deserialize)]
        struct Created {
            #[serde(rename = "silenceID")]
            silence_id: String,
        }
        serde_json::from_slice::<Created>(&answer)
            .map(|c| c.silence_id)
            .map_err(|e| {
                PollError::Payload(AlertmanagerError::Json(format!(
                    "the answer to a new silence has no silenceID: {e}"
                )))
            })
    }

    /// `DELETE /api/v2/silence/{id}`: ends the silence now.
    pub async fn expire_silence(&self, id: &str) -> Result<(), PollError> {
        // Ids are UUIDs; anything else would change the path.
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(PollError::Refused {
                status: 0,
                path: "/api/v2/silence/{id}",
                message: format!("\"{id}\" is not a silence id"),
            });
        }
        let req = self
            .http
            .delete(format!("{}/api/v2/silence/{id}", self.base));
        self.change(req, "/api/v2/silence/{id}").await.map(|_| ())
    }

    /// Sends a changing request; a refusal carries the start of Alertmanager's answer.
    async fn change(
        &self,
        req: reqwest::RequestBuilder,
        path: &'static str,
    ) -> Result<Vec<u8>, PollError> {
        let response = self.send(req).await?;
        let status = response.status();
        let body = super::http::read_capped(response, 64 * 1024)
            .await
            .unwrap_or_default();
        if !status.is_success() {
            let text = String::from_utf8_lossy(&body);
            return Err(PollError::Refused {
                status: status.as_u16(),
                path,
                message: text.trim().chars().take(200).collect(),
            });
        }
        Ok(body)
    }

    /// Sends `req` with the token, if any.
    async fn send(&self, mut req: reqwest::RequestBuilder) -> Result<reqwest::Response, PollError> {
        if let Some(t) = &self.token {
            req = req.bearer_auth(t.expose());
        }
        req.send()
            .await
            .map_err(|e| PollError::Transport(super::http::innermost(&e)))
    }

    async fn get(&self, path: &'static str) -> Result<Vec<u8>, PollError> {
        let req = self.http.get(format!("{}{path}", self.base));
        let response = self.send(req).await?;
        if !response.status().is_success() {
            return Err(PollError::Status {
                status: response.status().as_u16(),
                path,
            });
        }
        super::http::read_capped(response, MAX_ANSWER_BYTES)
            .await
            .map_err(|e| match e {
                super::http::ReadError::TooLarge => PollError::TooLarge(path),
                super::http::ReadError::Transport(e) => {
                    PollError::Transport(super::http::innermost(&e))
                }
            })
    }
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

#[cfg(test)]
mod tests;
