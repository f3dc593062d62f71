//! Nobody forgets an incident from alerts: the one who acknowledged it is reminded when its
//! alerts still fire long after, and an incident of a severity that escalates, which nobody
//! acknowledged or took in time, is escalated through the outbox (Slack with the settings'
//! mention, and mail). An acknowledgement nobody followed with any act (Unack after, off by
//! default) is dropped and its silences expired, so the incident calls again. Each happens
//! once per incident (once per acknowledgement for the reminder and the drop), said on its
//! timeline; in team mode the outbox's claims make it once per team.

use chrono::{DateTime, Duration, Utc};

use crate::engine::Engine;
use crate::model::{Author, FeedEvent, Incident, IncidentEventKind, NotifyEvent};

/// What an incident needs now.
enum Due {
    Remind { by: String, after_mins: i64 },
    Unack { by: String, after_mins: i64 },
    Escalate { after_mins: i64 },
}

/// Whether `inc` is due a reminder or an escalation at `now`, as the settings say.
fn due(inc: &Incident, s: &crate::model::IntakeSettings, now: DateTime<Utc>) -> Option<Due> {
    let links = inc.alerts.as_ref()?;
    if !inc.status.is_active() || links.all_resolved() {
        return None;
    }
    let said = |since: DateTime<Utc>, want: fn(&FeedEvent) -> bool| {
        (inc.timeline.iter()).any(|e| e.at >= since && e.event.as_ref().is_some_and(want))
    };
    match &links.ack {
        Some(ack) if ack.holds(now) => {
            let after = now - ack.at;
            let unack = i64::from(s.unack_after_mins);
            // What a person did on the incident since the ack, the ack's own lines aside.
            let acted = (inc.timeline.iter()).any(|e| {
                e.at > ack.at
                    && matches!(e.author, Author::Responder(_))
                    && !e.event.as_ref().is_some_and(|ev| {
                        matches!(
                            ev,
                            FeedEvent::Acknowledged { .. }
                                | FeedEvent::AckExtended { .. }
                                | FeedEvent::AckFailed { .. }
                        )
                    })
            });
            let dropped = said(ack.at, |e| matches!(e, FeedEvent::AckDropped { .. }));
            if unack > 0
                && after >= Duration::minutes(unack)
                && !acted
                && !dropped
                && inc.owner().is_none()
            {
                return Some(Due::Unack {
                    by: ack.by.clone(),
                    after_mins: after.num_minutes(),
                });
            }
            let mins = i64::from(s.remind_after_mins);
            (mins > 0
                && after >= Duration::minutes(mins)
                && !said(ack.at, |e| matches!(e, FeedEvent::AckReminder { .. })))
            .then(|| Due::Remind {
                by: ack.by.clone(),
                after_mins: after.num_minutes(),
            })
        }
        // An acknowledgement that ended (dropped, unsilenced, lapsed) escalates as none would.
        _ => {
            let mins = i64::from(s.escalate_after_mins);
            let severe = (links.alerts.iter()).any(|(_, labels)| {
                labels.get("severity").is_some_and(|v| {
                    s.escalate_severities
                        .iter()
                        .any(|w| w.eq_ignore_ascii_case(v))
                })
            });
            let after = now - inc.opened_at;
            (mins > 0
                && severe
                && inc.owner().is_none()
                && after >= Duration::minutes(mins)
                && !said(inc.opened_at, |e| matches!(e, FeedEvent::Escalated { .. })))
            .then(|| Due::Escalate {
                after_mins: after.num_minutes(),
            })
        }
    }
}

impl Engine {
    /// After each poll: reminders and escalations that are due.
    pub(in crate::engine) fn remind_and_escalate(&mut self, now: DateTime<Utc>) {
        let settings = self.settings.intake.clone();
        let due: Vec<(u64, Due)> = (self.book.all().iter())
            .filter_map(|i| Some((i.id, due(i, &settings, now)?)))
            .collect();
        for (id, due) in due {
            if let Due::Unack { by, after_mins } = due {
                let event = FeedEvent::AckDropped { id, by, after_mins };
                if let Some(inc) = self.incident_mut(id) {
                    let kind = IncidentEventKind::Notified;
                    inc.log(now, Author::Console, kind, event.clone());
                }
                self.publish_incidents();
                self.emit(now, event);
                self.unsilence(crate::engine::AckTarget::Incident(id), now);
                continue;
            }
            let (event, notify) = match due {
                Due::Remind { by, after_mins } => (
                    FeedEvent::AckReminder { id, by, after_mins },
                    NotifyEvent::Reminder,
                ),
                Due::Escalate { after_mins } => (
                    FeedEvent::Escalated { id, after_mins },
                    NotifyEvent::Escalated,
                ),
                Due::Unack { .. } => continue,
            };
            if let Some(inc) = self.incident_mut(id) {
                inc.log(
                    now,
                    Author::Console,
                    IncidentEventKind::Notified,
                    event.clone(),
                );
            }
            self.publish_incidents();
            self.emit(now, event);
            self.notify(id, notify, now);
        }
    }
}
