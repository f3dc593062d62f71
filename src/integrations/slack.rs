//! The Slack Web API: `auth.test`, `chat.postMessage` and `chat.getPermalink`, with every failure classified as
//! retryable or not, in words that never hold the token.

use serde_json::Value;

use super::http::{innermost, redact};
use crate::model::{Failure, SlackSettings};

/// A failed Slack call, in words.
#[derive(Debug, thiserror::Error)]
pub enum SlackError {
    /// The settings cannot be used (no token, a bad URL).
    #[error("{0}")]
    Config(String),
    /// No connection.
    #[error("cannot connect to Slack at {url}: {detail}")]
    Connect {
        /// The API root, without credentials.
        url: String,
        /// What the OS or TLS said.
        detail: String,
    },
    /// No answer in time.
    #[error("Slack at {url} did not answer within {secs} s")]
    Timeout {
        /// The API root.
        url: String,
        /// The timeout.
        secs: u64,
    },
    /// Slack (or a proxy) answered with an HTTP error.
    #[error("Slack answered HTTP {status}{}", hint(*status))]
    Http {
        /// The status code.
        status: u16,
        /// The `Retry-After` header of a 429, in seconds.
        retry_after: Option<u64>,
    },
    /// Slack said `ok: false`.
    #[error("{code}{}", explain(code))]
    Api {
        /// Slack's error code, e.g. `invalid_auth`.
        code: String,
    },
    /// Not a Slack answer.
    #[error("Slack's answer could not be read: {0}")]
    Decode(String),
    /// Anything else reqwest reports.
    #[error("request to Slack failed: {0}")]
    Request(String),
}

fn hint(status: u16) -> &'static str {
    match status {
        429 => " (rate limited)",
        404 => " (not found: check the Slack API URL)",
        500..=599 => " (Slack or a proxy is failing)",
        _ => "",
    }
}

fn explain(code: &str) -> &'static str {
    match code {
        "invalid_auth" => ": Slack does not accept this token",
        "not_authed" => ": no token was sent",
        "account_inactive" => ": the token's bot or user was deactivated",
        "token_revoked" | "token_expired" => ": the token is no longer valid",
        "channel_not_found" => {
            ": no such channel, or the bot cannot see it (a private channel needs an invite)"
        }
        "not_in_channel" => ": the bot is not in the channel; invite it with /invite",
        "is_archived" => ": the channel is archived",
        "missing_scope" => ": the token lacks the chat:write scope",
        "ratelimited" => ": Slack asks to slow down",
        "invalid_blocks" => ": Slack refused the message layout",
        _ => "",
    }
}

/// Slack error codes that may succeed when tried again.
/// The largest Slack answer read, in bytes.
const SLACK_ANSWER_CAP_BYTES: u64 = 1024 * 1024;

const RETRYABLE_CODES: [&str; 5] = [
    "ratelimited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
];

impl SlackError {
    /// Whether trying again can help, and after how long at least.
    pub fn failure(&self) -> Failure {
        let reason = self.to_string();
        match self {
            SlackError::Connect { .. } | SlackError::Timeout { .. } => Failure::Retryable {
                reason,
                retry_after: None,
            },
            SlackError::Http {
                status,
                retry_after,
            } if *status == 429 || *status >= 500 => Failure::Retryable {
                reason,
                retry_after: retry_after.map(|s| chrono::Duration::seconds(s as i64)),
            },
            SlackError::Api { code } if RETRYABLE_CODES.contains(&code.as_str()) => {
                Failure::Retryable {
                    reason,
                    retry_after: None,
                }
            }
            _ => Failure::Permanent { reason },
        }
    }
}

/// A message Slack took: its `ts` and the id of the channel it is in (a name like `#ops` in,
/// an id like `C0123` out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Posted {
    /// The message's timestamp id.
    pub ts: String,
    /// The channel's id.
    pub channel: String,
}

/// Who the token belongs to, from `auth.test`.
#[derive(Clone, Debug, PartialEq)]
pub struct AuthInfo {
    /// Workspace name.
    pub team: String,
    /// Bot user name.
    pub user: String,
    /// Workspace URL.
    pub url: String,
}

/// A Slack Web API client for one token.
#[derive(Clone)]
pub struct SlackClient {
    http: reqwest::Client,
    base: String,
    token: crate::model::Secret,
    timeout_secs: u64,
}

impl SlackClient {
    /// A client for `settings`; fails in words on a missing token or a bad URL.
    pub fn new(settings: &SlackSettings) -> Result<Self, SlackError> {
        let base = settings
            .api_base_url
            .trim()
            .trim_end_matches('/')
            .to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(SlackError::Config(format!(
                "Slack API URL \"{}\" must start with http:// or https://",
                redact(&base)
            )));
        }
        let token = settings.token.clone();
        if token.expose().trim().is_empty() {
            return Err(SlackError::Config("no Slack bot token is set".into()));
        }
        if token
            .expose()
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(SlackError::Config(
                "the Slack token holds a space or a line break".into(),
            ));
        }
        let secs = settings.timeout_secs.max(1);
        let http = super::http::client(secs, Default::default()).map_err(SlackError::Request)?;
        Ok(Self {
            http,
            base,
            token,
            timeout_secs: secs,
        })
    }

    /// The API root, without credentials.
    pub fn url(&self) -> String {
        redact(&self.base)
    }

    /// Checks the token: who it belongs to, or Slack's error.
    pub async fn auth_test(&self) -> Result<AuthInfo, SlackError> {
        let v = self.call("auth.test", &serde_json::json!({})).await?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        Ok(AuthInfo {
            team: s("team"),
            user: s("user"),
            url: s("url"),
        })
    }

    /// Posts a message; returns its `ts` (the id replies thread under) and the channel's id.
    pub async fn post_message(
        &self,
        channel: &str,
        text: &str,
        blocks: Option<&Value>,
        thread_ts: Option<&str>,
        mention: Option<&str>,
    ) -> Result<Posted, SlackError> {
        // Only a mention of Slack's own forms goes unescaped: everything else is text.
        let text = match mention.map(str::trim).filter(|m| is_mention(m)) {
            Some(m) => format!("{m} {}", escape_mrkdwn(text)),
            None => escape_mrkdwn(text),
        };
        let mut body = serde_json::json!({
            "channel": channel,
            "text": text,
            "unfurl_links": false,
        });
        if let Some(b) = blocks {
            let mut b = b.clone();
            escape_blocks(&mut b);
            body["blocks"] = b;
        }
        if let Some(ts) = thread_ts {
            body["thread_ts"] = Value::String(ts.to_string());
        }
        let v = self.call("chat.postMessage", &body).await?;
        let ts = v
            .get("ts")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| SlackError::Decode("chat.postMessage answered without a ts".into()))?;
        let channel = v
            .get("channel")
            .and_then(Value::as_str)
            .unwrap_or(channel)
            .to_string();
        Ok(Posted { ts, channel })
    }

    /// The message's link (`chat.getPermalink`: the channel's id and the message's `ts`).
    pub async fn permalink(&self, posted: &Posted) -> Result<String, SlackError> {
        let url = format!("{}/chat.getPermalink", self.base);
        let query = [("channel", &posted.channel), ("message_ts", &posted.ts)];
        let v = self.answer(self.http.get(&url).query(&query)).await?;
        v.get("permalink")
            .and_then(Value::as_str)
            .filter(|l| l.starts_with("https://") && l.len() <= 512)
            .map(str::to_string)
            .ok_or_else(|| SlackError::Decode("chat.getPermalink answered without a link".into()))
    }

    async fn call(&self, method: &str, body: &Value) -> Result<Value, SlackError> {
        let url = format!("{}/{method}", self.base);
        self.answer(self.http.post(&url).json(body)).await
    }

    /// Sends `request` with the token and reads Slack's answer: `ok`, or the error classified.
    async fn answer(&self, request: reqwest::RequestBuilder) -> Result<Value, SlackError> {
        let response = request
            .bearer_auth(self.token.expose())
            .send()
            .await
            .map_err(|e| self.transport_error(&e))?;
        let status = response.status().as_u16();
        if !response.status().is_success() {
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|h| h.to_str().ok())
                .and_then(|s| s.trim().parse::<u64>().ok());
            return Err(SlackError::Http {
                status,
                retry_after,
            });
        }
        // Slack's answers are a few KiB; anything past the cap is not Slack.
        let bytes = super::http::read_capped(response, SLACK_ANSWER_CAP_BYTES)
            .await
            .map_err(|e| match e {
                super::http::ReadError::TooLarge => SlackError::Decode(format!(
                    "the answer is over {} KiB; is {} the Slack API?",
                    SLACK_ANSWER_CAP_BYTES / 1024,
                    self.url()
                )),
                super::http::ReadError::Transport(e) => self.transport_error(&e),
            })?;
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| {
            SlackError::Decode(format!("not JSON ({e}); is {} the Slack API?", self.url()))
        })?;
        match v.get("ok").and_then(Value::as_bool) {
            Some(true) => Ok(v),
            Some(false) => Err(SlackError::Api {
                code: v
                    .get("error")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown_error")
                    .to_string(),
            }),
            None => Err(SlackError::Decode("the answer has no \"ok\" field".into())),
        }
    }

    fn transport_error(&self, e: &reqwest::Error) -> SlackError {
        let url = self.url();
        if e.is_timeout() {
            SlackError::Timeout {
                url,
                secs: self.timeout_secs,
            }
        } else if e.is_connect() {
            SlackError::Connect {
                url,
                detail: innermost(e),
            }
        } else {
            // Something answered, but not in HTTP (a wrong port or a non-HTTP service).
            SlackError::Request(format!("{} (is {url} the Slack Web API?)", innermost(e)))
        }
    }
}

/// Whether `m` is one of Slack's mentions, and nothing else (the one thing sent unescaped): `<!here>`, `<!channel>`,
/// `<!everyone>`, `<!subteam^ID>` (a user group) or `<@ID>` (a user).
pub fn is_mention(m: &str) -> bool {
    let Some(inner) = m.strip_prefix('<').and_then(|m| m.strip_suffix('>')) else {
        return false;
    };
    let id = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric());
    match inner {
        "!here" | "!channel" | "!everyone" => true,
        _ => {
            inner.strip_prefix("!subteam^").is_some_and(id)
                || inner.strip_prefix('@').is_some_and(id)
        }
    }
}

/// Slack's mrkdwn with `&`, `<` and `>` escaped: a message carries alert labels, summaries and
/// the model's words, and unescaped they could mention everyone (`<!channel>`) or dress a link
/// as a button (`<https://evil|Approve>`). The console writes no links of its own, and a mention only
/// as the settings' escalation mention ([`is_mention`]).
pub fn escape_mrkdwn(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Escapes every mrkdwn text object in Block Kit `blocks` (plain_text is shown as it is and
/// needs none), clipped again to Slack's 3,000 characters.
pub fn escape_blocks(blocks: &mut Value) {
    match blocks {
        Value::Array(items) => items.iter_mut().for_each(escape_blocks),
        Value::Object(map) => {
            let mrkdwn = map.get("type").and_then(Value::as_str) == Some("mrkdwn");
            for (key, v) in map.iter_mut() {
                match v {
                    Value::String(t) if mrkdwn && key == "text" => {
                        let escaped = escape_mrkdwn(t);
                        *t = if escaped.chars().count() > 3000 {
                            let mut cut: String = escaped.chars().take(2999).collect();
                            cut.push('…');
                            cut
                        } else {
                            escaped
                        };
                    }
                    _ => escape_blocks(v),
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_slacks_own_mention_forms_are_mentions() {
        for m in [
            "<!here>",
            "<!channel>",
            "<!subteam^S0123ABC>",
            "<@U024BE7LH>",
        ] {
            assert!(is_mention(m), "{m}");
        }
        for m in [
            "@here",
            "<!here|x>",
            "<https://evil|Approve>",
            "<@U1> <!channel>",
            "<!subteam^>",
            "",
        ] {
            assert!(!is_mention(m), "{m}");
        }
    }

    #[test]
    fn text_from_alerts_cannot_mention_everyone_or_dress_a_link_in_slack() {
        assert_eq!(
            escape_mrkdwn("svc <!channel> & <https://evil.example|Approve>"),
            "svc &lt;!channel&gt; &amp; &lt;https://evil.example|Approve&gt;"
        );
        let mut blocks = serde_json::json!([
            {"type": "header", "text": {"type": "plain_text", "text": "<!here>"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "*bold* <!channel>"}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "a<b"}]}
        ]);
        escape_blocks(&mut blocks);
        assert_eq!(
            blocks[0]["text"]["text"], "<!here>",
            "plain text parses no mentions"
        );
        assert_eq!(blocks[1]["text"]["text"], "*bold* &lt;!channel&gt;");
        assert_eq!(blocks[2]["elements"][0]["text"], "a&lt;b");
    }

    fn is_retryable(e: SlackError) -> bool {
        matches!(e.failure(), Failure::Retryable { .. })
    }

    #[test]
    fn failures_are_classified_by_whether_a_retry_can_help() {
        let http = |status, retry_after| SlackError::Http {
            status,
            retry_after,
        };
        let api = |code: &str| SlackError::Api { code: code.into() };
        assert!(is_retryable(http(500, None)));
        assert!(is_retryable(http(503, None)));
        assert!(is_retryable(api("ratelimited")));
        assert!(is_retryable(SlackError::Connect {
            url: "u".into(),
            detail: "refused".into()
        }));
        assert!(!is_retryable(api("invalid_auth")));
        assert!(!is_retryable(api("channel_not_found")));
        assert!(!is_retryable(http(404, None)));
        assert!(!is_retryable(SlackError::Decode("x".into())));
        match http(429, Some(7)).failure() {
            Failure::Retryable { retry_after, .. } => {
                assert_eq!(retry_after, Some(chrono::Duration::seconds(7)))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            api("invalid_auth").to_string(),
            "invalid_auth: Slack does not accept this token"
        );
    }

    #[test]
    fn a_client_needs_a_token_and_an_http_url() {
        let mut s = SlackSettings::default();
        assert!(
            SlackClient::new(&s)
                .err()
                .unwrap()
                .to_string()
                .contains("token")
        );
        s.token = crate::model::Secret::new("xoxb-1 2");
        let err = SlackClient::new(&s).err().unwrap().to_string();
        assert!(err.contains("space") && !err.contains("xoxb"), "{err}");
        s.token = crate::model::Secret::new("xoxb-1");
        s.api_base_url = "slack.com/api".into();
        assert!(SlackClient::new(&s).is_err());
        s.api_base_url = "https://slack.com/api/".into();
        assert_eq!(SlackClient::new(&s).unwrap().url(), "https://slack.com/api");
    }
}
