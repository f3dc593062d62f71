use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::RuleId;

/// The two signals of v0.1, kept so that files written by v0.1 (runbooks with
/// `metric: Some(CpuUsage)`, incidents whose trigger names a metric) still load. Each became the
/// built-in rule of the same name ([`Metric::rule_id`]); new code names rules by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Metric {
    /// Share of HTTP responses that are 5xx errors: the built-in rule `http_error_rate`.
    HttpErrorRate,
    /// CPU busy ratio of a node: the built-in rule `cpu_usage`.
    CpuUsage,
}

impl Metric {
    /// The id of the built-in rule that replaced this metric.
    pub fn rule_id(self) -> &'static str {
        match self {
            Metric::HttpErrorRate => "http_error_rate",
            Metric::CpuUsage => "cpu_usage",
        }
    }
}

/// One series' value in one poll.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesValue {
    /// The rule whose query returned it.
    pub rule: RuleId,
    /// The series' name (its rule's series label, e.g. `edge-node-01`).
    pub series: String,
    /// The value, always finite (NaN and infinities are left out by the source, in words).
    pub value: f64,
}

/// Everything one poll of a metric source returned.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// When the sample was taken.
    pub at: DateTime<Utc>,
    /// Every series' value, grouped by rule in rule order, series in name order.
    pub values: Vec<SeriesValue>,
    /// The rules this reading answers. A covered rule with no values has no series right now
    /// (each of its known series is missing); a rule not covered was not answered (its query
    /// failed, or the source has no data for it) and says nothing about health.
    pub covered: Vec<RuleId>,
}

impl Reading {
    /// Whether this reading answers `rule`.
    pub fn covers(&self, rule: &str) -> bool {
        self.covered.iter().any(|r| r == rule)
    }

    /// The values of `rule`'s series.
    pub fn of<'a>(&'a self, rule: &'a str) -> impl Iterator<Item = &'a SeriesValue> + 'a {
        self.values.iter().filter(move |v| v.rule == rule)
    }

    /// The highest value of `rule` over all series, with the series that has it.
    pub fn max<'a>(&'a self, rule: &'a str) -> Option<(&'a str, f64)> {
        self.extreme(rule, true)
    }

    /// The value nearest the bad side of `rule` (highest for `Above`, lowest for `Below`).
    pub fn worst<'a>(&'a self, rule: &'a super::Rule) -> Option<(&'a str, f64)> {
        self.extreme(&rule.id, rule.comparison == super::Comparison::Above)
    }

    fn extreme<'a>(&'a self, rule: &'a str, highest: bool) -> Option<(&'a str, f64)> {
        self.of(rule)
            .map(|v| (v.series.as_str(), v.value))
            .fold(None, |best, (s, v)| match best {
                Some((_, bv)) if (highest && bv >= v) || (!highest && bv <= v) => best,
                _ => Some((s, v)),
            })
    }
}

/// One point of a sparkline: seconds since the Unix epoch and the value.
pub type SeriesPoint = [f64; 2];

/// How Prometheus writes a number: `NaN`, `+Inf`, `-Inf`, or the value with 4 decimals.
pub fn prom_number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{v:.4}")
    }
}
