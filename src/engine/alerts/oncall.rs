//! Nobody forgets an incident from alerts: the one who acknowledged it is reminded when its
//! alerts still fire long after, and an incident of a severity that escalates, which nobody
//! acknowledged or took in time, is escalated through the outbox (Slack with the settings'
//! mention, and mail). Each happens once per incident (once per acknowledgement for the
//! reminder), said on its timeline; in team mode the outbox's claims make it once per team.

use chrono::{DateTime, Duration, Utc};

use crate::engine::Engine;
use crate::model::{Author, FeedEvent, Incident, IncidentEventKind, NotifyEvent};

/// What an incident needs now.
enum Due {
    Remind { by: String, after_mins: i64 },
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
            let mins = i64::from(s.remind_after_mins);
            (mins > 0
                && after >= Duration::minutes(mins)
                && !said(ack.at, |e| matches!(e, FeedEvent::AckReminder { .. })))
            .then(|| Due::Remind {
                by: ack.by.clone(),
                after_mins: after.num_minutes(),
            })
        }
        Some(_) => None,
        None => {
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
            let (event, notify) = match due {
                Due::Remind { by, after_mins } => (
                    FeedEvent::AckReminder { id, by, after_mins },
                    NotifyEvent::Reminder,
                ),
                Due::Escalate { after_mins } => (
                    FeedEvent::Escalated { id, after_mins },
                    NotifyEvent::Escalated,
                ),
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
