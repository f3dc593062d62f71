use serde::{Deserialize, Serialize};

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
}

impl Default for PrometheusSettings {
    fn default() -> Self {
        Self {
            base_url: String::new(),
            http_query: "http_error_rate".into(),
            cpu_query: "cpu_usage".into(),
            http_threshold: 0.05,
            cpu_threshold: 0.80,
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

    /// Parses a poll interval typed by the user: whole seconds, 1 to an hour.
    pub fn parse_poll_interval(text: &str) -> Result<u64, SettingsError> {
        let field = "poll interval (s)";
        let value: u64 = text.trim().parse().map_err(|_| SettingsError::NotANumber {
            field,
            text: text.to_string(),
        })?;
        if !(1..=Self::MAX_POLL_INTERVAL_SECS).contains(&value) {
            return Err(SettingsError::OutOfRange {
                field,
                value: value.to_string(),
                min: "1".into(),
                max: Self::MAX_POLL_INTERVAL_SECS.to_string(),
            });
        }
        Ok(value)
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
        Ok(())
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
    fn locale_picks_language() {
        assert_eq!(Lang::from_locale(Some("ko-KR")), Lang::Ko);
        assert_eq!(Lang::from_locale(Some("en-US")), Lang::En);
        assert_eq!(Lang::from_locale(None), Lang::En);
    }
}
