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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Author, FeedEvent, Trigger, TriggerOrigin};

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn key_times_come_from_the_first_event_of_each_kind_measured_from_the_start() {
        let scenario = crate::scenarios::load(None).scenarios[0].clone();
        let trigger = Trigger {
            origin: TriggerOrigin::Alertmanager,
            at: at(60),
            rule: None,
            series: None,
            values: Vec::new(),
            since: Some(at(0)),
        };
        let mut inc = Incident::open(1, scenario, trigger, |s, t, m| {
            crate::text::report::write(s, t, m, at(0))
        });
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
    }
}
