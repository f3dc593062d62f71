//! Pure detection: a window per series of every rule, breach and clear transitions, vanished
//! series, flapping, and the recovery watch. No I/O and no clock: every call gets the reading it
//! judges, and time is the reading's own timestamp.

pub mod alerts;
pub mod matcher;
pub mod runbooks;

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Duration, Utc};

use crate::model::{Incident, IncidentStatus, Reading, Rule, RuleId};

/// A rule is flapping while more than this many of its series breaches began within
/// [`FLAP_WINDOW_MINS`].
pub const FLAP_LIMIT: usize = 3;
/// The span over which breach starts are counted for flapping, in minutes.
pub const FLAP_WINDOW_MINS: i64 = 30;

/// A state change found in one reading.
#[derive(Clone, Debug, PartialEq)]
pub enum DetectEvent {
    /// One or more series of `rule` went from clean to breaching in this reading.
    Breach {
        /// The rule.
        rule: RuleId,
        /// Each newly breaching series with the value that crossed, worst first.
        series: Vec<(String, f64)>,
        /// Whether another series of the rule was already in breach (then this is a re-fire
        /// of an active incident, not a new one, if the incident is still active).
        already_in_breach: bool,
    },
    /// One series' window is clean again.
    SeriesCleared {
        /// The rule.
        rule: RuleId,
        /// The series.
        series: String,
    },
    /// A series stopped arriving for a whole window; it counts as clean and is forgotten.
    SeriesMissing {
        /// The rule.
        rule: RuleId,
        /// The series.
        series: String,
        /// Samples it was missing for (the rule's window).
        samples: u32,
    },
    /// No series of the rule is in breach any more.
    Cleared {
        /// The rule.
        rule: RuleId,
        /// The rule's window, in samples, that is now clean everywhere.
        window: u32,
    },
    /// The rule's series opened and cleared more than [`FLAP_LIMIT`] times in
    /// [`FLAP_WINDOW_MINS`]: its re-fires are kept but not notified.
    FlappingStarted {
        /// The rule.
        rule: RuleId,
        /// Breach starts counted in the last [`FLAP_WINDOW_MINS`].
        breaches: usize,
    },
    /// The rule calmed down: at most [`FLAP_LIMIT`] breach starts in the last
    /// [`FLAP_WINDOW_MINS`].
    FlappingStopped {
        /// The rule.
        rule: RuleId,
    },
}

/// One sample of this reading that crosses its rule's threshold (for hotspots).
#[derive(Clone, Debug, PartialEq)]
pub struct BreachingSample {
    /// The rule.
    pub rule: RuleId,
    /// The series.
    pub series: String,
    /// Its value.
    pub value: f64,
}

/// What one reading changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observation {
    /// Transitions, in rule order.
    pub events: Vec<DetectEvent>,
    /// Every sample of this reading that crosses its rule's threshold.
    pub breaching: Vec<BreachingSample>,
}

#[derive(Clone, Debug, Default)]
struct SeriesWindow {
    /// The last samples, oldest first; `None` where the series did not arrive.
    recent: VecDeque<Option<f64>>,
    in_breach: bool,
    /// Readings in a row without this series.
    missing: u32,
}

#[derive(Clone, Debug, Default)]
struct RuleWindows {
    series: BTreeMap<String, SeriesWindow>,
    breach_starts: VecDeque<DateTime<Utc>>,
    flapping: bool,
}

impl RuleWindows {
    fn in_breach(&self) -> bool {
        self.series.values().any(|s| s.in_breach)
    }
}

/// Per-series detection windows for every rule.
#[derive(Clone, Debug, Default)]
pub struct Detector {
    rules: BTreeMap<RuleId, RuleWindows>,
}

impl Detector {
    /// A detector with empty windows.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether any series of `rule` is in breach.
    pub fn in_breach(&self, rule: &str) -> bool {
        self.rules.get(rule).is_some_and(RuleWindows::in_breach)
    }

    /// Whether `rule` is flapping.
    pub fn is_flapping(&self, rule: &str) -> bool {
        self.rules.get(rule).is_some_and(|r| r.flapping)
    }

    /// The series of `rule` in breach, in name order.
    pub fn breaching_series(&self, rule: &str) -> Vec<String> {
        self.rules.get(rule).map_or_else(Vec::new, |r| {
            r.series
                .iter()
                .filter(|(_, w)| w.in_breach)
                .map(|(k, _)| k.clone())
                .collect()
        })
    }

    /// Forgets every rule not in `rules` (removed or disabled): its windows say nothing any more.
    pub fn retain(&mut self, rules: &[Rule]) {
        self.rules
            .retain(|id, _| rules.iter().any(|r| r.enabled && &r.id == id));
    }

    /// Judges one reading. A rule the reading does not cover (its query failed, or the source
    /// has no data for it) keeps its windows as they are: no answer is not evidence of health.
    pub fn observe(&mut self, reading: &Reading, rules: &[Rule]) -> Observation {
        let mut obs = Observation::default();
        for rule in rules.iter().filter(|r| r.enabled) {
            if !reading.covers(&rule.id) {
                continue;
            }
            let state = self.rules.entry(rule.id.clone()).or_default();
            let was_in_breach = state.in_breach();
            let window = rule.window.max(1) as usize;
            let mut newly: Vec<(String, f64)> = Vec::new();
            for sv in reading.of(&rule.id) {
                if rule.breaches(sv.value) {
                    obs.breaching.push(BreachingSample {
                        rule: rule.id.clone(),
                        series: sv.series.clone(),
                        value: sv.value,
                    });
                }
                state.series.entry(sv.series.clone()).or_default();
            }
            let mut gone = Vec::new();
            for (key, w) in state.series.iter_mut() {
                let value = reading
                    .of(&rule.id)
                    .find(|sv| &sv.series == key)
                    .map(|sv| sv.value);
                w.missing = if value.is_some() { 0 } else { w.missing + 1 };
                while w.recent.len() >= window {
                    w.recent.pop_front();
                }
                w.recent.push_back(value);
                let breaching = w.recent.iter().flatten().any(|&v| rule.breaches(v));
                let was = std::mem::replace(&mut w.in_breach, breaching);
                match (was, breaching) {
                    (false, true) => newly.push((key.clone(), value.unwrap_or(f64::NAN))),
                    (true, false) => obs.events.push(DetectEvent::SeriesCleared {
                        rule: rule.id.clone(),
                        series: key.clone(),
                    }),
                    _ => {}
                }
                if w.missing as usize >= window {
                    gone.push(key.clone());
                }
            }
            for key in gone {
                state.series.remove(&key);
                obs.events.push(DetectEvent::SeriesMissing {
                    rule: rule.id.clone(),
                    series: key,
                    samples: rule.window,
                });
            }
            if !newly.is_empty() {
                newly.sort_by(|a, b| {
                    if rule.comparison.worse(a.1, b.1) {
                        std::cmp::Ordering::Less
                    } else if rule.comparison.worse(b.1, a.1) {
                        std::cmp::Ordering::Greater
                    } else {
                        a.0.cmp(&b.0)
                    }
                });
                for _ in &newly {
                    state.breach_starts.push_back(reading.at);
                }
                obs.events.push(DetectEvent::Breach {
                    rule: rule.id.clone(),
                    series: newly,
                    already_in_breach: was_in_breach,
                });
            }
            if was_in_breach && !state.in_breach() {
                obs.events.push(DetectEvent::Cleared {
                    rule: rule.id.clone(),
                    window: rule.window,
                });
            }
            let horizon = reading.at - Duration::minutes(FLAP_WINDOW_MINS);
            while state.breach_starts.front().is_some_and(|&t| t <= horizon) {
                state.breach_starts.pop_front();
            }
            let count = state.breach_starts.len();
            match (state.flapping, count > FLAP_LIMIT) {
                (false, true) => {
                    state.flapping = true;
                    obs.events.push(DetectEvent::FlappingStarted {
                        rule: rule.id.clone(),
                        breaches: count,
                    });
                }
                (true, false) => {
                    state.flapping = false;
                    obs.events.push(DetectEvent::FlappingStopped {
                        rule: rule.id.clone(),
                    });
                }
                _ => {}
            }
        }
        obs
    }
}

/// Advances an incident's recovery watch by one reading; returns true when it just recovered.
///
/// Only incidents whose plan ran (status Mitigating) are watched, against the rule that opened
/// them. A sample is healthy when no series of that rule crosses its threshold; a reading that
/// does not cover the rule (no data) is not evidence of health and changes nothing. An incident
/// with no rule (a manual trigger of a runbook no rule opens) is watched against every rule the
/// reading covers.
pub fn recovery_step(
    incident: &mut Incident,
    reading: &Reading,
    rules: &[Rule],
    recovery_samples: u32,
) -> bool {
    // An incident opened from Alertmanager alerts recovers when they resolve, not by metrics.
    if incident.status != IncidentStatus::Mitigating || incident.alerts.is_some() {
        return false;
    }
    let watched: Vec<&Rule> = match incident.rule() {
        Some(id) => rules.iter().filter(|r| r.id == id).collect(),
        None => rules.iter().filter(|r| r.enabled).collect(),
    };
    let covered: Vec<&&Rule> = watched.iter().filter(|r| reading.covers(&r.id)).collect();
    if covered.is_empty() {
        return false;
    }
    let healthy = covered
        .iter()
        .all(|r| reading.of(&r.id).all(|sv| !r.breaches(sv.value)));
    if healthy {
        incident.healthy_streak += 1;
    } else {
        incident.healthy_streak = 0;
    }
    incident.healthy_streak >= recovery_samples.max(1)
}

#[cfg(test)]
mod tests;
