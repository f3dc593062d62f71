//! An incident's key times, computed from its timeline (and, for what older releases did not
//! log, from its own fields): when the trouble began, when the console detected it, and when
//! someone acknowledged, mitigated, saw it recover, closed it. Every duration is measured from
//! when the trouble began, so a review reads "15 min into the incident, the plan ran".

use chrono::{DateTime, Duration, Utc};

use super::{Incident, IncidentEventKind, PlanState};

/// The moments of one incident; `None` where it has not happened (yet).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyTimes {
    /// The alert's `startsAt`, or the first breaching sample.
    pub began_at: DateTime<Utc>,
    /// When the console opened the incident.
    pub detected_at: DateTime<Utc>,
    /// The first acknowledgement, hypothesis mark or plan approval by a person.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// The plan's last action (the plan ran to its end).
    pub mitigated_at: Option<DateTime<Utc>>,
    /// Recovered: the recovery watch, or every alert resolved.
    pub recovered_at: Option<DateTime<Utc>>,
    /// Closed by the responder.
    pub closed_at: Option<DateTime<Utc>>,
}

impl KeyTimes {
    /// The key times of `inc`, from its first event of each kind.
    pub fn of(inc: &Incident) -> Self {
        let first = |pick: &dyn Fn(&IncidentEventKind) -> bool| {
            inc.timeline.iter().find(|e| pick(&e.kind)).map(|e| e.at)
        };
        let detected_at = first(&|k| *k == IncidentEventKind::Opened).unwrap_or(inc.opened_at);
        let began_at = inc.trigger.since.unwrap_or(inc.trigger.at).min(detected_at);
        // Each of these is a person's by construction (older releases logged only acks).
        let acknowledged_at = first(&|k| {
            matches!(
                k,
                IncidentEventKind::Acknowledged
                    | IncidentEventKind::Marked
                    | IncidentEventKind::Approved
            )
        });
        let mitigated_at =
            first(&|k| *k == IncidentEventKind::PlanExecuted).or(match inc.plan.state {
                PlanState::Executed(at) => Some(at),
                _ => None,
            });
        let recovered_at = first(&|k| {
            matches!(
                k,
                IncidentEventKind::Recovered | IncidentEventKind::AlertsResolved
            )
        })
        .or(inc.recovered_at);
        let closed_at = first(&|k| *k == IncidentEventKind::Closed).or(inc.closed_at);
        KeyTimes {
            began_at,
            detected_at,
            acknowledged_at,
            mitigated_at,
            recovered_at,
            closed_at,
        }
    }

    /// From the trouble's start to the console's detection.
    pub fn to_detect(&self) -> Duration {
        self.detected_at - self.began_at
    }

    /// From the trouble's start to `at`.
    fn since_began(&self, at: Option<DateTime<Utc>>) -> Option<Duration> {
        at.map(|at| (at - self.began_at).max(Duration::zero()))
    }

    /// From the trouble's start to the first acknowledgement.
    pub fn to_acknowledge(&self) -> Option<Duration> {
        self.since_began(self.acknowledged_at)
    }

    /// From the trouble's start to the plan's last action.
    pub fn to_mitigate(&self) -> Option<Duration> {
        self.since_began(self.mitigated_at)
    }

    /// From the trouble's start to recovery.
    pub fn to_recover(&self) -> Option<Duration> {
        self.since_began(self.recovered_at)
    }

    /// From the trouble's start to close.
    pub fn to_close(&self) -> Option<Duration> {
        self.since_began(self.closed_at)
    }
}

/// One row of the Reports view: the incidents of one runbook and rule that opened in a
/// window of days, and the median of each key time (over those that reached it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyTimeRow {
    /// The runbook's code.
    pub runbook: String,
    /// The rule that opened them (`None`: from alerts, or by hand without a rule).
    pub rule: Option<String>,
    /// How many opened in the window.
    pub incidents: usize,
    /// Median time to detect, acknowledge, mitigate, recover, close; `None` where none of
    /// them got there.
    pub medians: [Option<Duration>; 5],
}

/// The median of `values` (the lower middle one of an even count), `None` when empty.
fn median(mut values: Vec<Duration>) -> Option<Duration> {
    values.sort();
    let n = values.len();
    (n > 0).then(|| values[(n - 1) / 2])
}

/// Per runbook and rule, the incidents opened since `since`, with median key times; rows by
/// count, then name.
pub fn key_time_rows(incidents: &[Incident], since: DateTime<Utc>) -> Vec<KeyTimeRow> {
    let mut groups: std::collections::BTreeMap<(String, Option<String>), Vec<KeyTimes>> =
        std::collections::BTreeMap::new();
    for inc in incidents.iter().filter(|i| i.opened_at >= since) {
        let key = (inc.scenario.code.clone(), inc.rule().map(str::to_string));
        groups.entry(key).or_default().push(KeyTimes::of(inc));
    }
    let mut rows: Vec<KeyTimeRow> = groups
        .into_iter()
        .map(|((runbook, rule), keys)| {
            let pick =
                |f: fn(&KeyTimes) -> Option<Duration>| median(keys.iter().filter_map(f).collect());
            KeyTimeRow {
                runbook,
                rule,
                incidents: keys.len(),
                medians: [
                    pick(|k| Some(k.to_detect())),
                    pick(KeyTimes::to_acknowledge),
                    pick(KeyTimes::to_mitigate),
                    pick(KeyTimes::to_recover),
                    pick(KeyTimes::to_close),
                ],
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.incidents
            .cmp(&a.incidents)
            .then(a.runbook.cmp(&b.runbook))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Author, FeedEvent, TriggerOrigin};

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn key_times_come_from_the_first_event_of_each_kind_measured_from_the_start() {
        let mut inc =
            crate::model::test_incident(1, TriggerOrigin::Alertmanager, at(60), Some(at(0)));
        let ev = FeedEvent::NoteAdded {
            id: 1,
            text: String::new(),
        };
        let kim = || Author::Responder("kim".into());
        for (t, kind) in [
            (60, IncidentEventKind::Opened),
            (90, IncidentEventKind::Note),
            (120, IncidentEventKind::Marked),
            (150, IncidentEventKind::Acknowledged),
            (300, IncidentEventKind::PlanExecuted),
            (600, IncidentEventKind::AlertsResolved),
        ] {
            inc.log(at(t), kim(), kind, ev.clone());
        }
        let k = KeyTimes::of(&inc);
        assert_eq!(k.to_detect(), Duration::seconds(60));
        assert_eq!(
            k.to_acknowledge(),
            Some(Duration::seconds(120)),
            "a mark counts"
        );
        assert_eq!(k.to_mitigate(), Some(Duration::seconds(300)));
        assert_eq!(k.to_recover(), Some(Duration::seconds(600)));
        assert_eq!(k.to_close(), None, "not closed yet");
        // What an older release kept outside the timeline still counts.
        inc.closed_at = Some(at(900));
        assert_eq!(KeyTimes::of(&inc).to_close(), Some(Duration::seconds(900)));

        // Across incidents: the median of those that got there, per runbook and rule.
        let mut other = inc.clone();
        other.id = 2;
        other
            .timeline
            .retain(|e| e.kind != IncidentEventKind::Marked);
        other.closed_at = None;
        let mut old = inc.clone();
        old.opened_at = at(-40 * 86_400);
        let rows = key_time_rows(&[inc.clone(), other, old], at(-7 * 86_400));
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].incidents, 2,
            "the one older than the window is left out"
        );
        assert_eq!(rows[0].medians[0], Some(Duration::seconds(60)));
        // Acknowledged at 120 s by a mark in one, at 150 s by the ack in the other.
        assert_eq!(rows[0].medians[1], Some(Duration::seconds(120)));
        assert_eq!(
            rows[0].medians[4],
            Some(Duration::seconds(900)),
            "only one closed"
        );
    }
}
