//! What reaches an incident's timeline from components that own something else: a
//! notification's fate (the notifier owns the outbox) and "Verify recovery"'s judgement (the
//! sources own the readings); and what the responders write into its review (sections and
//! follow-ups), each a new event.

use chrono::{DateTime, Utc};

use super::Engine;
use crate::model::{
    Author, EventId, FeedEvent, FollowUp, IncidentEventKind, ReviewSection, cap_note,
};

impl Engine {
    /// A notification delivered or given up, on its incident's timeline (the incident may be
    /// gone: trimmed); any other event of the notifier is the feed's only.
    pub(super) fn log_notification(&mut self, at: DateTime<Utc>, event: &FeedEvent) {
        let (FeedEvent::Delivered { job, .. } | FeedEvent::DeliveryPending { job, .. }) = event
        else {
            return;
        };
        if let Some(inc) = self.incident_mut(job.incident) {
            inc.log(
                at,
                Author::Console,
                IncidentEventKind::Notified,
                event.clone(),
            );
            self.publish_incidents();
        }
    }

    /// The responder's "Verify recovery" on the timeline of every active incident: it judged
    /// their rules' values.
    pub(super) fn log_verification(&mut self, at: DateTime<Utc>, event: &FeedEvent) {
        let who = Author::Responder(self.responder());
        let active: Vec<u64> = self
            .book
            .all()
            .iter()
            .filter(|i| i.status.is_active())
            .map(|i| i.id)
            .collect();
        for id in &active {
            if let Some(inc) = self.incident_mut(*id) {
                let kind = IncidentEventKind::Verified;
                inc.log(at, who.clone(), kind, event.clone());
            }
        }
        if !active.is_empty() {
            self.publish_incidents();
        }
    }

    /// A review section written; the same text again is nothing.
    pub(super) fn write_section(
        &mut self,
        incident: u64,
        section: ReviewSection,
        text: &str,
        now: DateTime<Utc>,
    ) {
        let text = cap_note(text);
        let Some((who, inc)) = self.as_responder(incident, now) else {
            return;
        };
        if inc.review_section(section).unwrap_or("") == text {
            return;
        }
        let event = FeedEvent::ReviewWritten {
            id: incident,
            section,
            text,
        };
        inc.log(now, who, IncidentEventKind::Review, event);
        self.publish_incidents();
    }

    /// A follow-up added, or a new version of one; an empty text or an unchanged version is
    /// nothing, an unknown follow-up is said.
    pub(super) fn follow_up(
        &mut self,
        incident: u64,
        changes: Option<EventId>,
        mut item: FollowUp,
        now: DateTime<Utc>,
    ) {
        item.text = cap_note(&item.text);
        item.owner = cap_note(&item.owner);
        let Some((who, inc)) = self.as_responder(incident, now) else {
            return;
        };
        if item.text.is_empty() {
            return;
        }
        let event = match changes {
            None => FeedEvent::FollowUpAdded { id: incident, item },
            Some(follow_up) => match inc
                .follow_ups()
                .into_iter()
                .find(|(id, _)| *id == follow_up)
            {
                Some((_, now_item)) if now_item == item => return,
                Some(_) => FeedEvent::FollowUpChanged {
                    id: incident,
                    follow_up,
                    item,
                },
                None => {
                    let event = follow_up;
                    return self.emit(
                        now,
                        FeedEvent::UnknownEvent {
                            id: incident,
                            event,
                        },
                    );
                }
            },
        };
        inc.log(now, who, IncidentEventKind::FollowUp, event);
        self.publish_incidents();
    }
}
