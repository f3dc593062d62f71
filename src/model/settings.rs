use serde::{Deserialize, Serialize};

use super::Secret;
use super::notify::{EmailSettings, SlackSettings, Targets, check_address, check_channel};

/// UI language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Korean.
    Ko,
}

impl Lang {
    /// Picks Korean for a `ko` locale (e.g. `ko-KR`), English otherwise.
    pub fn from_locale(locale: Option<&str>) -> Lang {
        match locale {
            Some(l) if l.to_ascii_lowercase().starts_with("ko") => Lang::Ko,
            _ => Lang::En,
        }
    }
}

/// Light or dark look.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThemeChoice {
    /// The default: light monotone, colour only for state.
    #[default]
    Light,
    /// Dark.
    Dark,
}

/// How the console authenticates to Prometheus (or a compatible API behind a gateway).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PromAuth {
    /// No authentication.
    #[default]
    None,
    /// `Authorization: Bearer <token>` (Grafana Cloud, most gateways).
    Bearer {
        /// The token.
        token: Secret,
    },
    /// HTTP basic authentication.
    Basic {
        /// User name.
        user: String,
        /// Password.
        password: Secret,
    },
}

/// Where live metrics come from and what counts as a breach.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PrometheusSettings {
    /// Base URL of the Prometheus HTTP API, e.g. `http://127.0.0.1:9090`; empty means none.
    pub base_url: String,
    /// PromQL for the HTTP error ratio.
    pub http_query: String,
    /// PromQL for the CPU usage ratio.
    pub cpu_query: String,
    /// HTTP error ratio above which the metric is in breach.
    pub http_threshold: f64,
    /// CPU ratio above which the metric is in breach.
    pub cpu_threshold: f64,
    /// The label whose value names a series (a hotspot); a series without it is named by its
    /// whole label set.
    pub series_label: String,
    /// Authentication.
    pub auth: PromAuth,
    /// Extra request headers, e.g. `X-Scope-OrgID` for multi-tenant Mimir.
    pub extra_headers: Vec<(String, String)>,
    /// Seconds before a query is given up.
    pub timeout_secs: u64,
    /// The largest answer read from the server, in MiB (1 to 1024); a bigger one is cut off
    /// and said in words.
    pub max_body_mib: u32,
}

impl Default for PrometheusSettings {
    fn default() -> Self {
        Self {
            base_url: String::new(),
            http_query: "http_error_rate".into(),
            cpu_query: "cpu_usage".into(),
            http_threshold: 0.05,
            cpu_threshold: 0.80,
            series_label: "instance".into(),
            auth: PromAuth::None,
            extra_headers: Vec::new(),
            timeout_secs: 5,
            max_body_mib: 16,
        }
    }
}

/// Everything the user can set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// UI language.
    pub language: Lang,
    /// Light or dark.
    pub theme: ThemeChoice,
    /// Use the built-in demo source instead of Prometheus.
    pub demo_mode: bool,
    /// Seconds between two polls of the metric source.
    pub poll_interval_secs: u64,
    /// Healthy samples in a row after execution before an incident counts as recovered.
    pub recovery_samples: u32,
    /// Minutes of history the sparklines show.
    pub graph_window_mins: u32,
    /// Prometheus connection and thresholds.
    pub prometheus: PrometheusSettings,
    /// Slack connection and channel.
    pub slack: SlackSettings,
    /// SMTP server and recipients.
    pub email: EmailSettings,
    /// Where automatic reports go.
    pub targets: Targets,
    /// The Alertmanager webhook receiver.
    pub intake: super::IntakeSettings,
    /// The responder's name: the `createdBy` of silences and the `who` of audit lines. Empty: the OS user name.
    pub responder: String,
    /// Desktop notifications.
    pub desktop: super::DesktopSettings,
    /// The AI analyst's chat-completions server.
    pub llm: super::LlmSettings,
    /// Actions that act: the switch (off by default) and the allow-lists.
    pub actions: super::ActionsSettings,
    /// The team store (empty: solo).
    pub team: super::TeamSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            language: Lang::default(),
            theme: ThemeChoice::default(),
            demo_mode: true,
            poll_interval_secs: 5,
            recovery_samples: 3,
            graph_window_mins: 15,
            prometheus: PrometheusSettings::default(),
            slack: SlackSettings::default(),
            email: EmailSettings::default(),
            targets: Targets::default(),
            intake: super::IntakeSettings::default(),
            responder: String::new(),
            desktop: super::DesktopSettings::default(),
            llm: super::LlmSettings::default(),
            actions: super::ActionsSettings::default(),
            team: super::TeamSettings::default(),
        }
    }
}

/// A setting that cannot be accepted, in words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// A number field does not hold a number.
    #[error("{field}: \"{text}\" is not a number")]
    NotANumber {
        /// The field's name.
        field: &'static str,
        /// What the user typed.
        text: String,
    },
    /// A number outside its allowed range.
    #[error("{field}: {value} is outside {min}..={max}")]
    OutOfRange {
        /// The field's name.
        field: &'static str,
        /// The value given.
        value: String,
        /// Lowest allowed.
        min: String,
        /// Highest allowed.
        max: String,
    },
    /// A URL that is not http(s).
    #[error("base URL: \"{0}\" must start with http:// or https://")]
    BadUrl(String),
    /// A query left empty.
    #[error("{0}: the query is empty")]
    EmptyQuery(&'static str),
    /// A header that HTTP cannot carry.
    #[error("header \"{0}\": {1}")]
    BadHeader(String, &'static str),
    /// A Slack or email setting that cannot be used, in words.
    #[error("{0}")]
    Notify(String),
    /// The series label is not a Prometheus label name.
    #[error(
        "series label: \"{0}\" is not a label name (letters, digits and _, not starting with a digit)"
    )]
    BadLabel(String),
}

impl Settings {
    /// Longest allowed poll interval: one hour.
    pub const MAX_POLL_INTERVAL_SECS: u64 = 3600;

    /// Parses a threshold typed by the user: a ratio above 0 and at most 1.
    pub fn parse_threshold(field: &'static str, text: &str) -> Result<f64, SettingsError> {
        let value: f64 = text.trim().parse().map_err(|_| SettingsError::NotANumber {
            field,
            text: text.to_string(),
        })?;
        if !(value > 0.0 && value <= 1.0) {
            return Err(SettingsError::OutOfRange {
                field,
                value: text.trim().to_string(),
                min: "0 (exclusive)".into(),
                max: "1".into(),
            });
        }
        Ok(value)
    }

    /// Parses a whole number typed by the user into `min..=max`; every whole-number setting
    /// goes through here, from the window, the environment and disk alike.
    pub fn parse_whole<T>(
        field: &'static str,
        text: &str,
        min: T,
        max: T,
    ) -> Result<T, SettingsError>
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        let value: T = text.trim().parse().map_err(|_| SettingsError::NotANumber {
            field,
            text: text.to_string(),
        })?;
        if !(min..=max).contains(&value) {
            return Err(SettingsError::OutOfRange {
                field,
                value: value.to_string(),
                min: min.to_string(),
                max: max.to_string(),
            });
        }
        Ok(value)
    }

    /// Parses a poll interval typed by the user: whole seconds, 1 to an hour.
    pub fn parse_poll_interval(text: &str) -> Result<u64, SettingsError> {
        Self::parse_whole("poll interval (s)", text, 1, Self::MAX_POLL_INTERVAL_SECS)
    }

    /// Parses the timeout of an outside call (`field` names which): 1 to 300 s.
    pub fn parse_timeout(field: &'static str, text: &str) -> Result<u64, SettingsError> {
        Self::parse_whole(field, text, 1, 300)
    }

    /// Parses the healthy samples in a row that make an incident recovered: 1 to 100.
    pub fn parse_recovery_samples(text: &str) -> Result<u32, SettingsError> {
        Self::parse_whole("recovery samples", text, 1, 100)
    }

    /// Parses the largest answer read from Prometheus, in MiB: 1 to 1024.
    pub fn parse_max_body_mib(text: &str) -> Result<u32, SettingsError> {
        Self::parse_whole("largest answer (MiB)", text, 1, 1024)
    }

    /// Checks a whole settings value, e.g. one read from disk or the environment.
    pub fn validate(&self) -> Result<(), SettingsError> {
        Self::parse_poll_interval(&self.poll_interval_secs.to_string())?;
        Self::parse_threshold(
            "HTTP threshold",
            &self.prometheus.http_threshold.to_string(),
        )?;
        Self::parse_threshold("CPU threshold", &self.prometheus.cpu_threshold.to_string())?;
        let url = self.prometheus.base_url.trim();
        if !(url.is_empty() || url.starts_with("http://") || url.starts_with("https://")) {
            return Err(SettingsError::BadUrl(url.to_string()));
        }
        if self.prometheus.http_query.trim().is_empty() {
            return Err(SettingsError::EmptyQuery("HTTP-error query"));
        }
        if self.prometheus.cpu_query.trim().is_empty() {
            return Err(SettingsError::EmptyQuery("CPU query"));
        }
        let label = &self.prometheus.series_label;
        let label_ok = label
            .chars()
            .enumerate()
            .all(|(i, c)| c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()));
        if label.is_empty() || !label_ok {
            return Err(SettingsError::BadLabel(label.clone()));
        }
        for (name, value) in &self.prometheus.extra_headers {
            Self::check_header(name, value)?;
        }
        let text = |v: &dyn std::fmt::Display| v.to_string();
        Self::parse_timeout("timeout (s)", &text(&self.prometheus.timeout_secs))?;
        Self::parse_max_body_mib(&text(&self.prometheus.max_body_mib))?;
        Self::parse_recovery_samples(&text(&self.recovery_samples))?;
        Self::parse_timeout("Slack timeout (s)", &text(&self.slack.timeout_secs))?;
        Self::parse_timeout("SMTP timeout (s)", &text(&self.email.timeout_secs))?;
        if let Some(problem) = self.actions.problems().into_iter().next() {
            return Err(SettingsError::Notify(problem));
        }
        self.validate_notify()
    }

    /// Checks the Slack and email parts: URL, channels, port, addresses, timeouts.
    fn validate_notify(&self) -> Result<(), SettingsError> {
        let bad = |s: String| Err(SettingsError::Notify(s));
        let url = self.slack.api_base_url.trim();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return bad(format!(
                "Slack API URL: \"{url}\" must start with http:// or https://"
            ));
        }
        for c in self.slack.channels.iter().chain([&self.slack.channel]) {
            if !c.trim().is_empty() {
                check_channel(c).map_err(SettingsError::Notify)?;
            }
        }
        if self.slack.token.expose().chars().any(char::is_whitespace) {
            return bad("Slack token: it holds a space or a line break".into());
        }
        if self.email.smtp_port == 0 {
            return bad("SMTP port: 0 is not a port".into());
        }
        let from = self.email.from.trim();
        if !from.is_empty() {
            check_address(from).map_err(|e| SettingsError::Notify(format!("From: {e}")))?;
        }
        for r in &self.email.recipients {
            check_address(r).map_err(SettingsError::Notify)?;
        }
        for (field, secs) in [
            ("Slack timeout (s)", self.slack.timeout_secs),
            ("SMTP timeout (s)", self.email.timeout_secs),
        ] {
            if !(1..=300).contains(&secs) {
                return Err(SettingsError::OutOfRange {
                    field,
                    value: secs.to_string(),
                    min: "1".into(),
                    max: "300".into(),
                });
            }
        }
        Ok(())
    }

    /// Checks one extra header: an RFC 9110 token for the name, visible text for the value.
    pub fn check_header(name: &str, value: &str) -> Result<(), SettingsError> {
        let token_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        if name.is_empty() || !name.chars().all(token_char) {
            return Err(SettingsError::BadHeader(
                name.to_string(),
                "a header name is letters, digits and -",
            ));
        }
        if name.eq_ignore_ascii_case("authorization") {
            return Err(SettingsError::BadHeader(
                name.to_string(),
                "set it with the authentication fields, which keep it masked",
            ));
        }
        if value.chars().any(|c| c.is_control()) {
            return Err(SettingsError::BadHeader(
                name.to_string(),
                "the value holds a control character (a line break?)",
            ));
        }
        Ok(())
    }

    /// Parses the headers field: one `Name: value` per line, blank lines ignored.
    pub fn parse_headers(text: &str) -> Result<Vec<(String, String)>, SettingsError> {
        let mut headers = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let Some((name, value)) = line.split_once(':') else {
                return Err(SettingsError::BadHeader(
                    line.to_string(),
                    "write it as Name: value",
                ));
            };
            let (name, value) = (name.trim(), value.trim());
            Self::check_header(name, value)?;
            headers.push((name.to_string(), value.to_string()));
        }
        Ok(headers)
    }

    /// The threshold for `metric`.
    pub fn threshold(&self, metric: super::Metric) -> f64 {
        match metric {
            super::Metric::HttpErrorRate => self.prometheus.http_threshold,
            super::Metric::CpuUsage => self.prometheus.cpu_threshold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_checked_in_words() {
        assert_eq!(Settings::parse_threshold("CPU threshold", " 0.8 "), Ok(0.8));
        let err = Settings::parse_threshold("CPU threshold", "abc").unwrap_err();
        assert_eq!(err.to_string(), "CPU threshold: \"abc\" is not a number");
        let err = Settings::parse_threshold("CPU threshold", "1.5").unwrap_err();
        assert!(err.to_string().contains("outside"), "{err}");
        assert!(Settings::parse_threshold("x", "0").is_err());
        assert!(Settings::parse_threshold("x", "NaN").is_err());
    }

    #[test]
    fn poll_interval_and_url_rules() {
        assert_eq!(Settings::parse_poll_interval("5"), Ok(5));
        assert!(Settings::parse_poll_interval("0").is_err());
        assert!(Settings::parse_poll_interval("2.5").is_err());
        let mut s = Settings::default();
        assert_eq!(s.validate(), Ok(()));
        s.prometheus.base_url = "localhost:9090".into();
        assert!(matches!(s.validate(), Err(SettingsError::BadUrl(_))));
    }

    #[test]
    fn headers_and_labels_are_checked_in_words() {
        let h = Settings::parse_headers("X-Scope-OrgID: tenant-1\n\n  X-A:b ").unwrap();
        assert_eq!(
            h,
            [
                ("X-Scope-OrgID".to_string(), "tenant-1".to_string()),
                ("X-A".into(), "b".into())
            ]
        );
        let err = Settings::parse_headers("no colon here").unwrap_err();
        assert!(err.to_string().contains("Name: value"), "{err}");
        assert!(Settings::parse_headers("Bad Name: x").is_err());
        assert!(Settings::parse_headers("Authorization: Bearer x").is_err());
        let mut s = Settings::default();
        s.prometheus.series_label = "1node".into();
        assert!(matches!(s.validate(), Err(SettingsError::BadLabel(_))));
        s.prometheus.series_label = "node_1".into();
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn locale_picks_language() {
        assert_eq!(Lang::from_locale(Some("ko-KR")), Lang::Ko);
        assert_eq!(Lang::from_locale(Some("en-US")), Lang::En);
        assert_eq!(Lang::from_locale(None), Lang::En);
    }
}
