//! What opened an incident: the trigger and each rule's value at that moment. It reads v0.1's
//! form of a trigger too, so an old data dir loads whole.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Comparison, Localized, Metric, RuleId, Unit};

/// What opened an incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TriggerOrigin {
    /// The background monitor saw a breach.
    Monitor,
    /// The responder pressed "Trigger alert".
    Manual,
    /// Alertmanager alerts matched the runbook's `match_any`, or the responder opened it from
    /// an alert (see [`Incident::alerts`]).
    Alertmanager,
}

/// One rule's value at the moment of a trigger, with the threshold in force then.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleValue {
    /// The rule.
    pub rule: RuleId,
    /// Its title then, so the value reads the same after the rule is edited or removed.
    pub title: Localized,
    /// How the value is written.
    pub unit: Unit,
    /// Which side of the threshold is bad.
    pub comparison: Comparison,
    /// The threshold in force.
    pub threshold: f64,
    /// The worst value over all series (`None`: the source had none).
    pub value: Option<f64>,
    /// The series that had it.
    pub series: Option<String>,
}

impl RuleValue {
    /// Whether the value crosses the threshold.
    pub fn in_breach(&self) -> bool {
        self.value
            .is_some_and(|v| self.comparison.breaches(v, self.threshold))
    }
}

/// The sample that opened (or re-fired) an incident, with the thresholds in force then.
///
/// Reads v0.1's form too (`metric`, `node`, `http_error_rate`, `cpu_usage`, and the two
/// thresholds), which becomes the built-in rules' values; it is always written in the new form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "TriggerWire")]
pub struct Trigger {
    /// Monitor or manual.
    pub origin: TriggerOrigin,
    /// When the sample was taken.
    pub at: DateTime<Utc>,
    /// The rule whose breach opened it (manual triggers: the rule that opens the runbook, if
    /// any).
    pub rule: Option<RuleId>,
    /// The series that breached, or the worst one for a manual trigger.
    pub series: Option<String>,
    /// Every enabled rule's worst value at that moment.
    pub values: Vec<RuleValue>,
    /// When the trouble began as its source tells it, if before `at`: the alert's
    /// `startsAt`. (The monitor's `at` is its first breaching sample already.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
}

impl Trigger {
    /// The value of `rule` in this trigger.
    pub fn value_of(&self, rule: &str) -> Option<&RuleValue> {
        self.values.iter().find(|v| v.rule == rule)
    }
}

/// Both forms of a trigger on disk: today's and v0.1's.
#[derive(Deserialize)]
struct TriggerWire {
    origin: TriggerOrigin,
    at: DateTime<Utc>,
    #[serde(default)]
    rule: Option<RuleId>,
    #[serde(default)]
    series: Option<String>,
    #[serde(default)]
    values: Vec<RuleValue>,
    #[serde(default)]
    since: Option<DateTime<Utc>>,
    // v0.1:
    #[serde(default)]
    metric: Option<Metric>,
    #[serde(default)]
    node: Option<String>,
    #[serde(default)]
    http_error_rate: Option<f64>,
    #[serde(default)]
    cpu_usage: Option<f64>,
    // Plain numbers in v0.1 (not options); NaN when absent.
    #[serde(default = "f64_nan")]
    http_threshold: f64,
    #[serde(default = "f64_nan")]
    cpu_threshold: f64,
}

fn f64_nan() -> f64 {
    f64::NAN
}

impl From<TriggerWire> for Trigger {
    fn from(w: TriggerWire) -> Self {
        let mut values = w.values;
        let series = w.series.or(w.node);
        if values.is_empty() {
            // v0.1 recorded both metrics' highest values; they are the built-in rules now.
            let v01 = [
                (
                    Metric::HttpErrorRate,
                    "HTTP error rate",
                    "HTTP 오류율",
                    w.http_error_rate,
                    w.http_threshold,
                ),
                (
                    Metric::CpuUsage,
                    "CPU usage",
                    "CPU 사용률",
                    w.cpu_usage,
                    w.cpu_threshold,
                ),
            ];
            for (metric, en, ko, value, threshold) in v01 {
                if !threshold.is_finite() {
                    continue;
                }
                let breached_here = w.metric == Some(metric);
                values.push(RuleValue {
                    rule: metric.rule_id().to_string(),
                    title: Localized {
                        en: en.into(),
                        ko: ko.into(),
                    },
                    unit: Unit::Ratio,
                    comparison: Comparison::Above,
                    threshold,
                    value,
                    series: if breached_here { series.clone() } else { None },
                });
            }
        }
        Trigger {
            origin: w.origin,
            at: w.at,
            rule: w.rule.or_else(|| w.metric.map(|m| m.rule_id().to_string())),
            series,
            values,
            since: w.since,
        }
    }
}
