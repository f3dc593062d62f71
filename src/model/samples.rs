//! The samples an incident's review draws: each of its rules' series over the incident's
//! window (from before the first breach to after recovery), kept in a file of its own beside
//! the incidents (`samples/incident-<id>.ron`), since the sparklines' history lives only in
//! memory.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::RuleId;

/// The longest calm kept before the trouble began, in minutes (half the incident's length,
/// at least [`MIN_LEAD_SECS`]), so the breach is not a sliver at the graph's edge.
pub const LEAD_MINS: i64 = 10;

/// The shortest calm kept before the trouble began, in seconds.
pub const MIN_LEAD_SECS: i64 = 60;

/// How much calm before the trouble began a window of an incident `length` long shows.
pub fn lead(length: chrono::Duration) -> chrono::Duration {
    (length / 2).clamp(
        chrono::Duration::seconds(MIN_LEAD_SECS),
        chrono::Duration::minutes(LEAD_MINS),
    )
}

/// How long after recovery (or close) the window goes on, in minutes.
pub const TAIL_MINS: i64 = 2;

/// The most points kept per series (min/max per column past it), enough for a graph of
/// 2,000 pixels.
pub const KEPT_POINTS_PER_SERIES: usize = 4_000;

/// The most series kept per rule (the breaching ones first).
pub const KEPT_SERIES_PER_RULE: usize = 8;

/// One series' points, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeptSeries {
    /// Its rule.
    pub rule: RuleId,
    /// The series' name (its label value).
    pub series: String,
    /// `(unix milliseconds, value)`, at most [`KEPT_POINTS_PER_SERIES`].
    pub points: Vec<(i64, f64)>,
}

/// An incident's kept samples.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KeptSamples {
    /// The incident.
    pub incident: u64,
    /// The window's start.
    pub from: Option<DateTime<Utc>>,
    /// The window's end.
    pub to: Option<DateTime<Utc>>,
    /// Each series, grouped by rule in the order the incident names them.
    pub series: Vec<KeptSeries>,
}

impl KeptSamples {
    /// The series of `rule`.
    pub fn of<'a>(&'a self, rule: &'a str) -> impl Iterator<Item = &'a KeptSeries> + 'a {
        self.series.iter().filter(move |s| s.rule == rule)
    }

    /// The rules it has series of, in order, once each.
    pub fn rules(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for s in &self.series {
            if !out.contains(&s.rule.as_str()) {
                out.push(&s.rule);
            }
        }
        out
    }
}
