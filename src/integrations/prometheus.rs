//! Client for the Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`), which Thanos,
//! Mimir, VictoriaMetrics and Grafana Cloud speak too.
//!
//! Every call has a timeout. Results keep their series apart, each named by a label (the
//! hotspot). Values are returned as Prometheus sent them, `NaN` and `±Inf` included: judging
//! them is the caller's business, and this module never turns "no data" into a zero.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;

use crate::model::{PromAuth, PrometheusSettings};

/// Why a query gave no values, in words. No variant ever holds a token or password.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PromError {
    /// The settings cannot make a client (bad URL or header).
    #[error("{0}")]
    Config(String),
    /// Nothing answered at the address.
    #[error("cannot connect to {url}: {detail}")]
    Connect {
        /// The server, without credentials.
        url: String,
        /// What the OS said, e.g. "Connection refused".
        detail: String,
    },
    /// The server took longer than the timeout.
    #[error("no answer from {url} within {secs} s")]
    Timeout {
        /// The server, without credentials.
        url: String,
        /// The timeout in force.
        secs: u64,
    },
    /// An HTTP error status without a Prometheus error body (a proxy, a wrong path, auth).
    #[error("{url} answered HTTP {status}{detail}")]
    Http {
        /// The server, without credentials.
        url: String,
        /// The status code.
        status: u16,
        /// A hint and the start of the body, or empty.
        detail: String,
    },
    /// Prometheus answered `status: error`.
    #[error("Prometheus rejected the query ({error_type}): {error}")]
    Api {
        /// `errorType`, e.g. `bad_data`.
        error_type: String,
        /// `error`, e.g. the parse error.
        error: String,
    },
    /// The body is not the Prometheus API's JSON.
    #[error("{url} did not answer with Prometheus API JSON: {detail}")]
    Decode {
        /// The server, without credentials.
        url: String,
        /// What is wrong with it.
        detail: String,
    },
    /// The answer was bigger than the settings allow; reading stopped at the cap.
    #[error(
        "{url} sent more than {limit_mib} MiB; the answer was cut off there and not used (a wrong URL or a query that selects too much?)"
    )]
    TooLarge {
        /// The server, without credentials.
        url: String,
        /// The cap, in MiB.
        limit_mib: u64,
    },
    /// The request failed in some other way (TLS, a broken connection).
    #[error("request to {url} failed: {detail}")]
    Request {
        /// The server, without credentials.
        url: String,
        /// The innermost cause.
        detail: String,
    },
    /// The query has the wrong result type for its use.
    #[error("the query returned a {0}; an instant vector or a scalar is needed")]
    WrongType(String),
}

/// One series' value from an instant query.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesValue {
    /// The series' name: its hotspot label's value, or its whole label set.
    pub key: String,
    /// The value exactly as sent (may be `NaN` or infinite).
    pub value: f64,
}

/// One series of a range query.
#[derive(Clone, Debug, PartialEq)]
pub struct RangeSeries {
    /// The series' name, as in [`SeriesValue::key`].
    pub key: String,
    /// `(unix seconds, value)`, oldest first, exactly as sent.
    pub points: Vec<(f64, f64)>,
}

/// A Prometheus API client made from the Prometheus settings.
#[derive(Clone, Debug)]
pub struct PromClient {
    http: reqwest::Client,
    auth: PromAuth,
    base: String,
    shown_url: String,
    series_label: String,
    timeout_secs: u64,
    max_body_bytes: u64,
}

impl PromClient {
    /// A client for `settings`; fails in words on a bad URL or header.
    pub fn new(settings: &PrometheusSettings) -> Result<Self, PromError> {
        let base = settings.base_url.trim().trim_end_matches('/').to_string();
        let url = reqwest::Url::parse(&base)
            .map_err(|e| PromError::Config(format!("base URL \"{}\": {e}", redact(&base))))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(PromError::Config(format!(
                "base URL \"{}\" must start with http:// or https://",
                redact(&base)
            )));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &settings.extra_headers {
            let bad = |what: &str| PromError::Config(format!("header \"{name}\": {what}"));
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad("bad name"))?;
            let value = HeaderValue::from_str(value).map_err(|_| bad("bad value"))?;
            headers.insert(name, value);
        }
        // reqwest writes the Authorization header (and marks it sensitive) per request; here
        // only what it would reject later is caught, so the user gets words now.
        if let PromAuth::Bearer { token } = &settings.auth
            && !token.expose().chars().all(|c| c.is_ascii_graphic())
        {
            return Err(PromError::Config(
                "the token holds characters HTTP cannot carry (a space or line break?)".into(),
            ));
        }
        let timeout_secs = settings.timeout_secs.clamp(1, 300);
        let http = super::http::client(timeout_secs, headers).map_err(PromError::Config)?;
        // Credentials in the URL are used only when no authentication is set: the explicit
        // setting wins, and reqwest would otherwise send the URL's instead.
        let base = if settings.auth == PromAuth::None {
            base
        } else {
            redact(&base)
        };
        Ok(Self {
            http,
            auth: settings.auth.clone(),
            shown_url: redact(&base),
            base,
            series_label: settings.series_label.clone(),
            timeout_secs,
            max_body_bytes: u64::from(settings.max_body_mib.clamp(1, 1024)) * 1024 * 1024,
        })
    }

    /// The server's URL as it may be shown (no credentials).
    pub fn url(&self) -> &str {
        &self.shown_url
    }

    /// Evaluates `promql` at `at`. A vector gives one value per series, a scalar one value
    /// named `scalar`.
    pub async fn query(
        &self,
        promql: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<SeriesValue>, PromError> {
        self.query_as(promql, &self.series_label, at).await
    }

    /// [`PromClient::query`], naming series by `series_label` instead of the settings' label
    /// (each rule has its own).
    pub async fn query_as(
        &self,
        promql: &str,
        series_label: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<SeriesValue>, PromError> {
        let time = format_time(at);
        let params = [("query", promql), ("time", time.as_str())];
        let (status, body) = self.fetch("/api/v1/query", &params).await?;
        parse_instant(&self.shown_url, status, &body, series_label)
    }

    /// Evaluates `promql` every `step_secs` from `start` to `end`.
    pub async fn query_range(
        &self,
        promql: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        step_secs: u64,
    ) -> Result<Vec<RangeSeries>, PromError> {
        self.query_range_as(promql, &self.series_label, start, end, step_secs)
            .await
    }

    /// [`PromClient::query_range`], naming series by `series_label`.
    pub async fn query_range_as(
        &self,
        promql: &str,
        series_label: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        step_secs: u64,
    ) -> Result<Vec<RangeSeries>, PromError> {
        let (start, end, step) = (
            format_time(start),
            format_time(end),
            step_secs.max(1).to_string(),
        );
        let params = [
            ("query", promql),
            ("start", start.as_str()),
            ("end", end.as_str()),
            ("step", step.as_str()),
        ];
        let (status, body) = self.fetch("/api/v1/query_range", &params).await?;
        parse_range(&self.shown_url, status, &body, series_label)
    }

    async fn fetch(
        &self,
        path: &str,
        params: &[(&str, &str)],
    ) -> Result<(u16, Vec<u8>), PromError> {
        let request = self.http.get(format!("{}{path}", self.base)).query(params);
        let request = match &self.auth {
            PromAuth::None => request,
            PromAuth::Bearer { token } => request.bearer_auth(token.expose()),
            PromAuth::Basic { user, password } => request.basic_auth(user, Some(password.expose())),
        };
        let response = request.send().await.map_err(|e| self.classify(e))?;
        let status = response.status().as_u16();
        // Read chunk by chunk and stop at the cap: a broken endpoint that streams without end
        // must not take the console's memory with it.
        let body = super::http::read_capped(response, self.max_body_bytes)
            .await
            .map_err(|e| match e {
                super::http::ReadError::TooLarge => PromError::TooLarge {
                    url: self.shown_url.clone(),
                    limit_mib: self.max_body_bytes / (1024 * 1024),
                },
                super::http::ReadError::Transport(e) => self.classify(e),
            })?;
        Ok((status, body))
    }

    fn classify(&self, e: reqwest::Error) -> PromError {
        let url = self.shown_url.clone();
        if e.is_timeout() {
            PromError::Timeout {
                url,
                secs: self.timeout_secs,
            }
        } else if e.is_connect() {
            PromError::Connect {
                url,
                detail: innermost(&e),
            }
        } else {
            PromError::Request {
                url,
                detail: innermost(&e),
            }
        }
    }
}

/// Parses an instant-query answer (HTTP status and body) into one named value per series.
/// `url` only labels errors; `series_label` names the series (see [`series_keys`]).
pub fn parse_instant(
    url: &str,
    status: u16,
    body: &[u8],
    series_label: &str,
) -> Result<Vec<SeriesValue>, PromError> {
    match decode(url, status, body)? {
        ApiData::Vector(items) => {
            let mut labelled = Vec::with_capacity(items.len());
            for item in items {
                let Some((_, value)) = item.value else {
                    return Err(PromError::WrongType("native histogram".into()));
                };
                labelled.push((item.metric, parse_value(&value)?));
            }
            let keys = series_keys(labelled.iter().map(|(m, _)| m), series_label);
            Ok(keys
                .into_iter()
                .zip(labelled)
                .map(|(key, (_, value))| SeriesValue { key, value })
                .collect())
        }
        ApiData::Scalar((_, value)) => Ok(vec![SeriesValue {
            key: "scalar".into(),
            value: parse_value(&value)?,
        }]),
        other => Err(PromError::WrongType(other.kind().into())),
    }
}

/// Parses a range-query answer into its series.
pub fn parse_range(
    url: &str,
    status: u16,
    body: &[u8],
    series_label: &str,
) -> Result<Vec<RangeSeries>, PromError> {
    match decode(url, status, body)? {
        ApiData::Matrix(items) => {
            let keys = series_keys(items.iter().map(|i| &i.metric), series_label);
            keys.into_iter()
                .zip(items)
                .map(|(key, item)| {
                    let points = item
                        .values
                        .iter()
                        .map(|(t, v)| parse_value(v).map(|v| (*t, v)))
                        .collect::<Result<_, _>>()?;
                    Ok(RangeSeries { key, points })
                })
                .collect()
        }
        other => Err(PromError::WrongType(other.kind().into())),
    }
}

/// Turns a response into data or an error in words. Prometheus sends its error JSON with 4xx/5xx
/// statuses too (400 bad_data, 422 execution, 503 timeout), so the body is read first.
fn decode(url: &str, status: u16, body: &[u8]) -> Result<ApiData, PromError> {
    let parsed: Result<ApiResponse, _> = serde_json::from_slice(body);
    match parsed {
        Ok(r) if r.status == "error" => Err(PromError::Api {
            error_type: r.error_type.unwrap_or_else(|| "unknown".into()),
            error: r.error.unwrap_or_else(|| "no message".into()),
        }),
        Ok(r) if (200..300).contains(&status) && r.status == "success" => {
            r.data.ok_or_else(|| PromError::Decode {
                url: url.to_string(),
                detail: "\"data\" is missing".into(),
            })
        }
        Ok(r) if (200..300).contains(&status) => Err(PromError::Decode {
            url: url.to_string(),
            detail: format!("unknown status \"{}\"", r.status),
        }),
        _ if !(200..300).contains(&status) => Err(PromError::Http {
            url: url.to_string(),
            status,
            detail: http_hint(status, body),
        }),
        Ok(_) => unreachable!("every Ok case with a 2xx status is matched above"),
        Err(e) => Err(PromError::Decode {
            url: url.to_string(),
            detail: if body.is_empty() {
                "the body is empty".into()
            } else {
                format!("{e} (body starts \"{}\")", snippet(body))
            },
        }),
    }
}

fn http_hint(status: u16, body: &[u8]) -> String {
    let hint = match status {
        401 | 403 => " (check the authentication settings)",
        404 => " (is the base URL the API root, e.g. http://host:9090?)",
        _ => "",
    };
    let text = snippet(body);
    if text.is_empty() {
        hint.to_string()
    } else {
        format!("{hint}: {text}")
    }
}

/// At most 120 characters of a body, on one line.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut s: String = one_line.chars().take(120).collect();
    if one_line.chars().count() > 120 {
        s.push('…');
    }
    s
}

/// Prometheus sends sample values as strings: `"0.05"`, `"NaN"`, `"+Inf"`, `"-Inf"`.
fn parse_value(text: &str) -> Result<f64, PromError> {
    match text {
        "NaN" => Ok(f64::NAN),
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ => text.parse().map_err(|_| PromError::Decode {
            url: String::new(),
            detail: format!("\"{}\" is not a sample value", snippet(text.as_bytes())),
        }),
    }
}

/// Names each series by `label`; a series without it, or sharing its name with another, is
/// named by its whole label set instead, so no two series are ever merged.
pub fn series_keys<'a>(
    metrics: impl Iterator<Item = &'a BTreeMap<String, String>>,
    label: &str,
) -> Vec<String> {
    let metrics: Vec<&BTreeMap<String, String>> = metrics.collect();
    let short: Vec<Option<&String>> = metrics.iter().map(|m| m.get(label)).collect();
    let mut counts: HashMap<&String, usize> = HashMap::new();
    for k in short.iter().flatten() {
        *counts.entry(k).or_default() += 1;
    }
    metrics
        .iter()
        .zip(&short)
        .map(|(m, k)| match k {
            Some(k) if counts[k] == 1 => (*k).clone(),
            _ => label_set(m),
        })
        .collect()
}

/// `name{a="1", b="2"}`, as Prometheus prints a series.
fn label_set(m: &BTreeMap<String, String>) -> String {
    let name = m.get("__name__").map_or("", String::as_str);
    let labels: Vec<String> = m
        .iter()
        .filter(|(k, _)| k.as_str() != "__name__")
        .map(|(k, v)| format!("{k}=\"{v}\""))
        .collect();
    format!("{name}{{{}}}", labels.join(", "))
}

fn format_time(t: DateTime<Utc>) -> String {
    format!("{:.3}", t.timestamp_millis() as f64 / 1000.0)
}

pub(crate) use super::http::{innermost, redact};

#[derive(Deserialize)]
struct ApiResponse {
    status: String,
    data: Option<ApiData>,
    #[serde(rename = "errorType")]
    error_type: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
enum ApiData {
    Vector(Vec<VectorItem>),
    Scalar((f64, String)),
    Matrix(Vec<MatrixItem>),
    String(serde::de::IgnoredAny),
}

impl ApiData {
    fn kind(&self) -> &'static str {
        match self {
            ApiData::Vector(_) => "instant vector",
            ApiData::Scalar(_) => "scalar",
            ApiData::Matrix(_) => "range vector",
            ApiData::String(_) => "string",
        }
    }
}

#[derive(Debug, Deserialize)]
struct VectorItem {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    // Absent for native histograms, which carry `histogram` instead.
    value: Option<(f64, String)>,
}

#[derive(Debug, Deserialize)]
struct MatrixItem {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    #[serde(default)]
    values: Vec<(f64, String)>,
}

#[cfg(test)]
mod tests;
