//! What reaches an incident's timeline from components that own something else: a
//! notification's fate (the notifier owns the outbox) and "Verify recovery"'s judgement (the
//! sources own the readings).

use chrono::{DateTime, Utc};

use super::Engine;
use crate::model::{Author, FeedEvent, IncidentEventKind};

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
}
