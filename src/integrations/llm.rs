//! An OpenAI-compatible chat-completions client, sized to what the analyst needs: one system and
//! one user message, an answer in JSON, and the servers' differences handled.
//!
//! - `response_format` steps down: strict `json_schema`, then `json_object`, then the prompt
//!   alone, when a server answers 400 about it; the step is remembered per server (base URL)
//!   for the rest of the run ([`FormatMemory`]).
//! - 429 waits for `retry-after-ms`, else `Retry-After` (seconds or an HTTP date), else backs off;
//!   5xx is retried with a cap; a refused key (401/403) is never retried and is said in words.
//! - An answer is taken from prose or code fences around the JSON, then checked by the caller;
//!   a bad one is asked again once.
//! - The key goes only into the `Authorization` header: errors carry the server's words, never
//!   the request.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};

use crate::model::{LlmSettings, Secret};

/// How the answer's JSON is asked for, strictest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FormatMode {
    /// `response_format: {type: json_schema, json_schema: {strict: true, schema}}`.
    JsonSchema,
    /// `response_format: {type: json_object}` (the schema goes in the prompt).
    JsonObject,
    /// No `response_format`; the prompt asks for the JSON.
    PromptOnly,
}

impl FormatMode {
    /// The next, looser mode (`None` after the prompt alone).
    pub fn step_down(self) -> Option<Self> {
        match self {
            FormatMode::JsonSchema => Some(FormatMode::JsonObject),
            FormatMode::JsonObject => Some(FormatMode::PromptOnly),
            FormatMode::PromptOnly => None,
        }
    }
}

/// The mode each server (by base URL) was stepped down to during this run.
#[derive(Clone, Debug, Default)]
pub struct FormatMemory(Arc<Mutex<HashMap<String, FormatMode>>>);

impl FormatMemory {
    /// The mode to start with for `base_url`.
    pub fn mode(&self, base_url: &str) -> FormatMode {
        self.0
            .lock()
            .get(base_url)
            .copied()
            .unwrap_or(FormatMode::JsonSchema)
    }

    fn remember(&self, base_url: &str, mode: FormatMode) {
        self.0.lock().insert(base_url.to_string(), mode);
    }
}

/// Why a call gave no usable answer, in words (never with the key).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LlmError {
    /// 401 or 403: the key is wrong, missing or not allowed this model.
    #[error("the server refused the API key (HTTP {status}): {message}")]
    BadKey {
        /// 401 or 403.
        status: u16,
        /// The server's words.
        message: String,
    },
    /// 400 about `response_format`: the server cannot do this mode.
    #[error("the server does not take this response_format: {message}")]
    FormatRefused {
        /// The server's words.
        message: String,
    },
    /// 429, with how long the server asked to wait.
    #[error("the server is rate limiting (HTTP 429)")]
    RateLimited {
        /// From `retry-after-ms` or `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// 5xx.
    #[error("the server failed (HTTP {status}): {message}")]
    Server {
        /// The status.
        status: u16,
        /// The server's words.
        message: String,
    },
    /// Any other refusal (400 not about the format, 404 for an unknown model, …).
    #[error("the server answered HTTP {status}: {message}")]
    Refused {
        /// The status.
        status: u16,
        /// The server's words.
        message: String,
    },
    /// No answer within the timeout.
    #[error("no answer within {0} s")]
    Timeout(u64),
    /// The server could not be reached.
    #[error("cannot reach the server: {0}")]
    Transport(String),
    /// The answer is not the JSON that was asked for, even when asked again.
    #[error("the answer is not what was asked: {0}")]
    BadAnswer(String),
    /// The settings cannot make a client (bad URL or header).
    #[error("{0}")]
    Setup(String),
}

/// The largest answer read, in bytes.
const MAX_ANSWER_BYTES: u64 = 4 * 1024 * 1024;

/// One server, model and key.
#[derive(Clone, Debug)]
pub struct LlmClient {
    base: String,
    model: String,
    key: Secret,
    temperature: f64,
    timeout_secs: u64,
    http: reqwest::Client,
}

impl LlmClient {
    /// A client for `settings`; a bad URL or header is said in words.
    pub fn new(settings: &LlmSettings) -> Result<Self, LlmError> {
        let base = settings.base_url.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(LlmError::Setup(format!(
                "the AI base URL \"{}\" must start with http:// or https://",
                super::http::redact(&base)
            )));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &settings.extra_headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| LlmError::Setup(format!("\"{name}\" is not a header name")))?;
            let mut value = HeaderValue::from_str(value).map_err(|_| {
                LlmError::Setup(format!("the value of {name} is not a header value"))
            })?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        let timeout_secs = settings.timeout_secs.clamp(1, 600);
        Ok(Self {
            base,
            model: settings.model.trim().to_string(),
            key: settings.api_key.clone(),
            temperature: settings.temperature,
            timeout_secs,
            http: super::http::client(timeout_secs, headers).map_err(LlmError::Setup)?,
        })
    }

    /// The base URL, as shown (no credentials); the key of [`FormatMemory`].
    pub fn base_url(&self) -> String {
        super::http::redact(&self.base)
    }

    /// The model's name.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// One request: `system` and `user` messages, the answer's JSON asked for by `mode` with
    /// `schema`. The message's content, unparsed.
    pub async fn chat(
        &self,
        system: &str,
        user: &str,
        schema: &Value,
        mode: FormatMode,
    ) -> Result<String, LlmError> {
        let mut body = json!({
            "model": self.model,
            "temperature": self.temperature,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": user},
            ],
        });
        match mode {
            FormatMode::JsonSchema => {
                body["response_format"] = json!({
                    "type": "json_schema",
                    "json_schema": {"name": "incident_report", "strict": true, "schema": schema},
                });
            }
            FormatMode::JsonObject => body["response_format"] = json!({"type": "json_object"}),
            FormatMode::PromptOnly => {}
        }
        let mut req = self
            .http
            .post(format!("{}/chat/completions", self.base))
            .json(&body);
        if !self.key.is_empty() {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", self.key.expose()))
                .map_err(|_| LlmError::Setup("the API key is not a header value".into()))?;
            value.set_sensitive(true);
            req = req.header(reqwest::header::AUTHORIZATION, value);
        }
        let response = req.send().await.map_err(|e| self.transport(&e))?;
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers(), chrono::Utc::now());
        let bytes = super::http::read_capped(response, MAX_ANSWER_BYTES)
            .await
            .map_err(|e| match e {
                super::http::ReadError::TooLarge => {
                    LlmError::BadAnswer("the answer is larger than 4 MiB".into())
                }
                super::http::ReadError::Transport(e) => self.transport(&e),
            })?;
        let text = String::from_utf8_lossy(&bytes);
        if (200..300).contains(&status) {
            return content_of(&text);
        }
        let message = error_message(&text);
        Err(match status {
            401 | 403 => LlmError::BadKey { status, message },
            429 => LlmError::RateLimited { retry_after },
            400 if mode != FormatMode::PromptOnly && message.contains("response_format") => {
                LlmError::FormatRefused { message }
            }
            500..=599 => LlmError::Server { status, message },
            _ => LlmError::Refused { status, message },
        })
    }

    fn transport(&self, e: &reqwest::Error) -> LlmError {
        if e.is_timeout() {
            LlmError::Timeout(self.timeout_secs)
        } else {
            LlmError::Transport(super::http::innermost(e))
        }
    }
}

/// How often a failing call is tried again, and how long to wait.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// The first back-off when the server says nothing (doubles each time).
    pub backoff: Duration,
    /// The longest wait, whatever the server asks.
    pub max_wait: Duration,
    /// Retries of 429.
    pub rate_retries: u32,
    /// Retries of 5xx.
    pub server_retries: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            backoff: Duration::from_secs(2),
            max_wait: Duration::from_secs(60),
            rate_retries: 3,
            server_retries: 2,
        }
    }
}

/// What an [`ask`] went through, for the report's footnote.
#[derive(Clone, Debug, PartialEq)]
pub struct Asked {
    /// The mode that answered.
    pub mode: FormatMode,
    /// Requests sent.
    pub requests: u32,
}

/// Asks until an answer passes `check` (once more after a bad one), stepping the format down,
/// waiting out 429s and retrying 5xx as `policy` says.
pub async fn ask<T>(
    client: &LlmClient,
    (system, user): (&str, &str),
    schema: &Value,
    memory: &FormatMemory,
    policy: RetryPolicy,
    check: impl Fn(&Value) -> Result<T, String>,
) -> Result<(T, Asked), LlmError> {
    let base = client.base_url();
    let mut mode = memory.mode(&base);
    let (mut bad, mut rate, mut server, mut requests) = (0, 0, 0, 0);
    loop {
        requests += 1;
        // Without the schema in `response_format`, it goes in the prompt.
        let user_text = match mode {
            FormatMode::JsonSchema => user.to_string(),
            _ => format!(
                "{user}\n\nAnswer with one JSON object only, matching this JSON schema:\n{schema}"
            ),
        };
        let error = match client.chat(system, &user_text, schema, mode).await {
            Ok(content) => match extract_json(&content).and_then(|v| check(&v)) {
                Ok(answer) => return Ok((answer, Asked { mode, requests })),
                Err(_) if bad == 0 => {
                    bad += 1;
                    continue;
                }
                Err(why) => return Err(LlmError::BadAnswer(why)),
            },
            Err(e) => e,
        };
        match error {
            LlmError::FormatRefused { .. } if mode.step_down().is_some() => {
                mode = mode.step_down().unwrap_or(mode);
                memory.remember(&base, mode);
            }
            LlmError::RateLimited { retry_after } if rate < policy.rate_retries => {
                let wait = retry_after.unwrap_or(policy.backoff * 2u32.pow(rate));
                rate += 1;
                tokio::time::sleep(wait.min(policy.max_wait)).await;
            }
            LlmError::Server { .. } if server < policy.server_retries => {
                let wait = policy.backoff * 2u32.pow(server);
                server += 1;
                tokio::time::sleep(wait.min(policy.max_wait)).await;
            }
            e => return Err(e),
        }
    }
}

/// The wait a 429 asks for: `retry-after-ms`, else `Retry-After` in seconds or as an HTTP
/// date (relative to `now`).
pub fn retry_after(headers: &HeaderMap, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok())
        && ms.is_finite()
        && ms >= 0.0
    {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    let value = text("retry-after")?;
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (at.with_timezone(&chrono::Utc) - now)
            .to_std()
            .unwrap_or_default(),
    )
}

/// The first choice's message content of a chat-completions answer.
fn content_of(body: &str) -> Result<String, LlmError> {
    let v: Value = serde_json::from_str(body)
        .map_err(|e| LlmError::BadAnswer(format!("not a chat-completions answer: {e}")))?;
    v["choices"][0]["message"]["content"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| LlmError::BadAnswer("the answer has no choices[0].message.content".into()))
}

/// The server's own words from an error body (`{"error": {"message": …}}` or the text).
fn error_message(body: &str) -> String {
    let from_json = serde_json::from_str::<Value>(body).ok().and_then(|v| {
        v["error"]["message"]
            .as_str()
            .or_else(|| v["error"].as_str())
            .or_else(|| v["message"].as_str())
            .map(str::to_string)
    });
    let text = from_json.unwrap_or_else(|| body.trim().to_string());
    text.chars().take(300).collect()
}

/// The JSON object in a model's answer: the whole text, or inside a code fence, or from the
/// first `{` to the last `}` of prose around it.
pub fn extract_json(content: &str) -> Result<Value, String> {
    let t = content.trim();
    if let Ok(v) = serde_json::from_str::<Value>(t) {
        return Ok(v);
    }
    let fenced = t.split("```").nth(1).map(|inner| {
        inner
            .strip_prefix("json")
            .or_else(|| inner.strip_prefix("JSON"))
            .unwrap_or(inner)
    });
    if let Some(inner) = fenced
        && let Ok(v) = serde_json::from_str::<Value>(inner.trim())
    {
        return Ok(v);
    }
    match (t.find('{'), t.rfind('}')) {
        (Some(a), Some(b)) if a < b => serde_json::from_str(&t[a..=b])
            .map_err(|e| format!("the JSON in the answer does not parse: {e}")),
        _ => Err("the answer holds no JSON object".into()),
    }
}

#[cfg(test)]
mod tests;
