//! One Alertmanager's API v2 as a client: its alerts and status polled, silences created
//! and expired, each call with its own timeout and a capped answer.

use chrono::{DateTime, Utc};

use super::wire::{AlertmanagerError, AmStatus, parse_alerts, parse_silences, parse_status};
use crate::model::{Alert, Labels, Silence};

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
        /// `/api/v2/alerts`, `/api/v2/silences` or `/api/v2/status`.
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
                crate::integrations::http::redact(&base)
            ));
        }
        Ok(Self {
            shown: crate::integrations::http::redact(&base),
            base,
            token: token.filter(|t| !t.is_empty()),
            http: crate::integrations::http::client(timeout_secs, Default::default())?,
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

    /// `GET /api/v2/silences`: the active and pending silences, with who made them.
    pub async fn silences(&self) -> Result<Vec<Silence>, PollError> {
        let body = self.get("/api/v2/silences").await?;
        Ok(parse_silences(&body, &self.shown)?)
    }

    /// `GET /api/v2/status`: version and cluster.
    pub async fn status(&self) -> Result<AmStatus, PollError> {
        let body = self.get("/api/v2/status").await?;
        Ok(parse_status(&body)?)
    }

    /// `POST /api/v2/silences`: a silence of exactly `labels` (one `=` matcher per label)
    /// from `starts_at` to `ends_at`; Alertmanager's id for it. With `id`, that silence is
    /// updated (an active one keeps its id when only its end moves).
    pub async fn create_silence(
        &self,
        labels: &Labels,
        (starts_at, ends_at): (DateTime<Utc>, DateTime<Utc>),
        created_by: &str,
        comment: &str,
        id: Option<&str>,
    ) -> Result<String, PollError> {
        let matchers: Vec<serde_json::Value> = labels
            .iter()
            .map(|(name, value)| {
                serde_json::json!({"name": name, "value": value, "isRegex": false, "isEqual": true})
            })
            .collect();
        let mut body = serde_json::json!({
            "matchers": matchers,
            "startsAt": starts_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "endsAt": ends_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            // Alertmanager answers 422 when either is empty.
            "createdBy": if created_by.trim().is_empty() { "incident-console" } else { created_by },
            "comment": if comment.trim().is_empty() { "acknowledged in the incident console" } else { comment },
        });
        if let Some(id) = id {
            body["id"] = serde_json::Value::String(id.to_string());
        }
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
        let body = crate::integrations::http::read_capped(response, 64 * 1024)
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
            .map_err(|e| PollError::Transport(crate::integrations::http::innermost(&e)))
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
        crate::integrations::http::read_capped(response, MAX_ANSWER_BYTES)
            .await
            .map_err(|e| match e {
                crate::integrations::http::ReadError::TooLarge => PollError::TooLarge(path),
                crate::integrations::http::ReadError::Transport(e) => {
                    PollError::Transport(crate::integrations::http::innermost(&e))
                }
            })
    }
}
