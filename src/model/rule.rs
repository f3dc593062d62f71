//! Detection rules: a PromQL query, what counts as a breach of each of its series, and the
//! runbook a breach opens. Rules are data (RON files), so teams keep them in git and share them.

use serde::{Deserialize, Serialize};

use super::Localized;

/// A rule's identifier, e.g. `http_error_rate`: letters, digits, `_` and `-`. Files override
/// built-in rules by id, and incidents, history and feed events name rules by it.
pub type RuleId = String;

/// How a rule's values are shown. Values are stored as the query returns them; the unit only
/// changes how they are written (`Ratio` 0.1077 is shown as `10.77 %`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    /// A share between 0 and 1, shown as a percentage.
    Ratio,
    /// Already a percentage (0 to 100).
    Percent,
    /// A duration in seconds, shown as ms, s or min.
    Seconds,
    /// A size in bytes, shown in KiB, MiB, GiB.
    Bytes,
    /// A count of things.
    Count,
    /// A plain number.
    #[default]
    None,
}

impl Unit {
    /// Every unit, in the order the Rules tab offers them.
    pub const ALL: [Unit; 6] = [
        Unit::Ratio,
        Unit::Percent,
        Unit::Seconds,
        Unit::Bytes,
        Unit::Count,
        Unit::None,
    ];

    /// The value written for people: `10.77 %`, `350 ms`, `1.5 GiB`, `1,234`.
    pub fn format(self, v: f64) -> String {
        if !v.is_finite() {
            return crate::model::prom_number(v);
        }
        match self {
            Unit::Ratio => format!("{:.2} %", v * 100.0),
            Unit::Percent => format!("{v:.2} %"),
            Unit::Seconds => {
                let a = v.abs();
                if a < 1.0 {
                    format!("{:.0} ms", v * 1000.0)
                } else if a < 120.0 {
                    format!("{v:.2} s")
                } else {
                    format!("{:.1} min", v / 60.0)
                }
            }
            Unit::Bytes => {
                const STEPS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
                let mut x = v;
                let mut i = 0;
                while x.abs() >= 1024.0 && i < STEPS.len() - 1 {
                    x /= 1024.0;
                    i += 1;
                }
                if i == 0 {
                    format!("{x:.0} B")
                } else {
                    format!("{x:.1} {}", STEPS[i])
                }
            }
            Unit::Count => {
                if v.fract() == 0.0 && v.abs() < 1e15 {
                    group_thousands(v as i64)
                } else {
                    format!("{v:.2}")
                }
            }
            Unit::None => {
                let s = format!("{v:.4}");
                let s = s.trim_end_matches('0').trim_end_matches('.');
                s.to_string()
            }
        }
    }

    /// The name used in rule files and the Rules tab.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Ratio => "Ratio",
            Unit::Percent => "Percent",
            Unit::Seconds => "Seconds",
            Unit::Bytes => "Bytes",
            Unit::Count => "Count",
            Unit::None => "None",
        }
    }
}

fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Which side of the threshold is bad. A value equal to the threshold is never a breach.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    /// In breach when the value is greater than the threshold.
    #[default]
    Above,
    /// In breach when the value is less than the threshold (e.g. `up < 1`).
    Below,
}

impl Comparison {
    /// Whether `value` crosses `threshold` on the bad side.
    pub fn breaches(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Above => value > threshold,
            Comparison::Below => value < threshold,
        }
    }

    /// `>` or `<`, for compact text.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Above => ">",
            Comparison::Below => "<",
        }
    }

    /// Of two values, the one nearer the bad side (the one a card shows).
    pub fn worse(self, a: f64, b: f64) -> bool {
        match self {
            Comparison::Above => a > b,
            Comparison::Below => a < b,
        }
    }
}

/// How urgent a rule's breach is; shown on its card and in notifications.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    /// Someone must act now.
    #[default]
    Critical,
    /// Worth a look soon.
    Warning,
    /// For the record.
    Info,
}

impl Severity {
    /// Every severity, most urgent first.
    pub const ALL: [Severity; 3] = [Severity::Critical, Severity::Warning, Severity::Info];
}

/// Samples in a detection window when a rule does not say.
pub const DEFAULT_WINDOW_SAMPLES: u32 = 5;
/// The most samples a window may hold.
pub const MAX_WINDOW_SAMPLES: u32 = 1000;

fn default_window() -> u32 {
    DEFAULT_WINDOW_SAMPLES
}
fn default_series_label() -> String {
    "instance".into()
}
fn yes() -> bool {
    true
}

/// One detection rule.
///
/// Every series the query returns has its own window of the last `window` samples: it is in
/// breach while any of them crosses the threshold, and clear when all are clean again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// Stable id; a file with a built-in rule's id replaces it.
    pub id: RuleId,
    /// What the rule watches, in both languages.
    pub title: Localized,
    /// PromQL evaluated on every poll.
    pub query: String,
    /// How values are written.
    #[serde(default)]
    pub unit: Unit,
    /// Which side of the threshold is bad.
    #[serde(default)]
    pub comparison: Comparison,
    /// The threshold, in the query's own unit (a ratio rule's 5 % is `0.05`).
    pub threshold: f64,
    /// Samples per series window (1 to [`MAX_WINDOW_SAMPLES`]).
    #[serde(default = "default_window")]
    pub window: u32,
    /// The label whose value names a series; a series without it (or sharing its value with
    /// another) is named by its whole label set.
    #[serde(default = "default_series_label")]
    pub series_label: String,
    /// How urgent a breach is.
    #[serde(default)]
    pub severity: Severity,
    /// The runbook (scenario code) a breach opens; without one, a generic incident that shows
    /// the rule, its values and its series, and no hypotheses.
    #[serde(default)]
    pub runbook: Option<String>,
    /// A disabled rule is neither polled nor drawn.
    #[serde(default = "yes")]
    pub enabled: bool,
}

impl Rule {
    /// Whether `value` is in breach under this rule.
    pub fn breaches(&self, value: f64) -> bool {
        self.comparison.breaches(value, self.threshold)
    }

    /// `10.77 %`-style text for one value of this rule.
    pub fn format(&self, value: f64) -> String {
        self.unit.format(value)
    }

    /// Checks what serde cannot: id characters, a query, a finite threshold, a window in range,
    /// a label name.
    pub fn validate(&self) -> Result<(), String> {
        check_id(&self.id)?;
        if self.query.trim().is_empty() {
            return Err(format!("rule `{}` has an empty `query`", self.id));
        }
        if !self.threshold.is_finite() {
            return Err(format!(
                "rule `{}` has a threshold that is not a number",
                self.id
            ));
        }
        if !(1..=MAX_WINDOW_SAMPLES).contains(&self.window) {
            return Err(format!(
                "rule `{}` has window {}, expected 1 to {MAX_WINDOW_SAMPLES} samples",
                self.id, self.window
            ));
        }
        check_label(&self.series_label)
            .map_err(|e| format!("rule `{}`: series label {e}", self.id))?;
        if let Some(code) = &self.runbook
            && code.trim().is_empty()
        {
            return Err(format!(
                "rule `{}` names an empty runbook; leave `runbook` out (or `None`) for a generic incident",
                self.id
            ));
        }
        Ok(())
    }
}

/// Checks a rule id: 1 to 64 letters, digits, `_` or `-`.
pub fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > 64 {
        return Err(format!("rule id `{id}` must be 1 to 64 characters"));
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(format!(
            "rule id `{id}` may only use letters, digits, `_` and `-`"
        ));
    }
    Ok(())
}

/// Checks a Prometheus label name: letters, digits and `_`, not starting with a digit.
pub fn check_label(label: &str) -> Result<(), String> {
    let ok = !label.is_empty()
        && label
            .chars()
            .enumerate()
            .all(|(i, c)| c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "\"{label}\" is not a label name (letters, digits and _, not starting with a digit)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_write_values_for_people() {
        assert_eq!(Unit::Ratio.format(0.1077), "10.77 %");
        assert_eq!(Unit::Percent.format(85.0), "85.00 %");
        assert_eq!(Unit::Seconds.format(0.35), "350 ms");
        assert_eq!(Unit::Seconds.format(1.25), "1.25 s");
        assert_eq!(Unit::Seconds.format(600.0), "10.0 min");
        assert_eq!(Unit::Bytes.format(512.0), "512 B");
        assert_eq!(
            Unit::Bytes.format(1.5 * 1024.0 * 1024.0 * 1024.0),
            "1.5 GiB"
        );
        assert_eq!(Unit::Count.format(1234567.0), "1,234,567");
        assert_eq!(Unit::Count.format(-1000.0), "-1,000");
        assert_eq!(Unit::Count.format(2.5), "2.50");
        assert_eq!(Unit::None.format(0.5), "0.5");
        assert_eq!(Unit::None.format(3.0), "3");
        assert_eq!(Unit::None.format(f64::NAN), "NaN");
    }

    #[test]
    fn comparisons_never_breach_at_the_threshold() {
        assert!(Comparison::Above.breaches(0.051, 0.05));
        assert!(!Comparison::Above.breaches(0.05, 0.05));
        assert!(Comparison::Below.breaches(0.0, 1.0));
        assert!(!Comparison::Below.breaches(1.0, 1.0));
    }

    #[test]
    fn validation_names_the_rule_and_the_problem() {
        let rule = Rule {
            id: "up".into(),
            title: Localized::default(),
            query: "up".into(),
            unit: Unit::None,
            comparison: Comparison::Below,
            threshold: 1.0,
            window: 5,
            series_label: "instance".into(),
            severity: Severity::Critical,
            runbook: None,
            enabled: true,
        };
        assert_eq!(rule.validate(), Ok(()));
        let bad = |f: fn(&mut Rule)| {
            let mut r = rule.clone();
            f(&mut r);
            r.validate().unwrap_err()
        };
        assert!(bad(|r| r.id = "a b".into()).contains("letters, digits"));
        assert!(bad(|r| r.query = " ".into()).contains("empty `query`"));
        assert!(bad(|r| r.window = 0).contains("window 0"));
        assert!(bad(|r| r.threshold = f64::NAN).contains("not a number"));
        assert!(bad(|r| r.series_label = "1x".into()).contains("not a label name"));
    }
}
