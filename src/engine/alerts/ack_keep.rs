//! Acks that last as long as the alert: an acknowledgement's silences are a slice of
//! [`crate::model::ACK_SLICE_MINS`] that this console extends while the alerts still fire, up to the ack's
//! end, and that lapses when they resolve (`incidents.rs` expires it then) or when nobody
//! extends it. Only the console that made the silences extends them (another console's ack,
//! applied from the team store, holds no silences here), so a team extends each ack once.

use chrono::{DateTime, Utc};

use super::ack::create_silences;
use crate::engine::{AckTarget, Engine, Input};
use crate::model::{AckStep, AlertStatus, Author, FeedEvent, IncidentEventKind, SilenceRef};

/// What an extension task reports.
#[derive(Debug)]
pub struct Extended {
    /// The acknowledgement.
    pub target: AckTarget,
    /// The new end asked for.
    pub to: DateTime<Utc>,
    /// The silences as Alertmanager now names them (an update may give a new id).
    pub silences: Vec<SilenceRef>,
    /// Each failure in words.
    pub errors: Vec<String>,
}

impl Engine {
    /// Every acknowledgement this console holds, with whether its alerts still fire.
    fn acks_firing(&self) -> Vec<(AckTarget, bool)> {
        let mut acks = Vec::new();
        for inc in self.book.all().iter() {
            if let Some(links) = &inc.alerts
                && links.ack.is_some()
            {
                acks.push((AckTarget::Incident(inc.id), !links.all_resolved()));
            }
        }
        for (fp, ack) in &self.alert_acks {
            if ack.is_some() {
                let firing = self
                    .alerts
                    .alert(fp)
                    .is_some_and(|a| a.status == AlertStatus::Firing);
                acks.push((AckTarget::Alert(fp.clone()), firing));
            }
        }
        acks
    }

    /// After each poll: extends the slices about to end while their alerts fire, and says
    /// which lapsed. See [`crate::model::Ack::step`].
    pub(in crate::engine) fn keep_acks(&mut self, now: DateTime<Utc>) {
        for (target, firing) in self.acks_firing() {
            let Some(Some(ack)) = self.ack_mut(&target).map(|a| a.clone()) else {
                continue;
            };
            if self.ack_dropped(&target, &ack) {
                // Being expired (Unacknowledge after): never extended again.
                continue;
            }
            match ack.step(firing, now) {
                AckStep::Keep => {}
                AckStep::Lapse { at } => {
                    if let Some(Some(ack)) = self.ack_mut(&target) {
                        ack.ended_at = Some(at);
                    }
                    let (id, name) = self.ack_names(&target);
                    self.log_ack(&target, now, FeedEvent::AckLapsed { id, name, at });
                }
                AckStep::Extend { to } => {
                    if let Some(Some(ack)) = self.ack_mut(&target) {
                        // Asked once: the next poll sees the new end.
                        ack.silenced_until = Some(to);
                    }
                    self.extend(target, ack, to);
                }
            }
        }
    }

    fn ack_names(&self, target: &AckTarget) -> (Option<u64>, String) {
        match target {
            AckTarget::Incident(id) => (Some(*id), format!("#{id}")),
            AckTarget::Alert(fp) => (
                None,
                self.alerts
                    .alert(fp)
                    .map_or(fp.clone(), |a| a.name().to_string()),
            ),
        }
    }

    /// Updates each of `ack`'s silences to end at `to`, in the Alertmanager that holds it.
    fn extend(&mut self, target: AckTarget, ack: crate::model::Ack, to: DateTime<Utc>) {
        let clients = self.am_clients();
        let mut jobs = Vec::new();
        for s in &ack.silences {
            let Some(alert) = self.alerts.alert(&s.fingerprint) else {
                continue;
            };
            let mut job = super::ack::Job::of(alert, &clients);
            // The Alertmanager that holds it first (a cluster shares it).
            job.clients.sort_by_key(|(c, _)| c.url() != s.url);
            jobs.push((job, s.id.clone()));
        }
        let tx = self.inputs.clone();
        tokio::spawn(async move {
            let (mut silences, mut errors) = (Vec::new(), Vec::new());
            for (job, id) in jobs {
                let (made, failed) = create_silences(
                    std::slice::from_ref(&job),
                    &ack.by,
                    &ack.comment,
                    (ack.at, to),
                    Some(&id),
                )
                .await;
                silences.extend(made.into_iter().take(1));
                errors.extend(failed);
            }
            let report = Extended {
                target,
                to,
                silences,
                errors,
            };
            let _ = tx.send(Input::Silences(super::ack::SilenceReport::Extended(report)));
        });
    }

    /// An extension came back.
    pub(in crate::engine) fn on_extended(&mut self, done: Extended, now: DateTime<Utc>) {
        if !done.errors.is_empty() {
            let problem = crate::model::AckProblem::Alertmanager(done.errors);
            self.ack_not_made(&done.target, problem, now);
        }
        if done.silences.is_empty() {
            return;
        }
        let Some(Some(ack)) = self.ack_mut(&done.target) else {
            return;
        };
        ack.silences = done.silences;
        let (until, adopted) = (ack.until, ack.clone());
        if self.ack_dropped(&done.target, &adopted) {
            // The extension crossed the drop: what it made is expired too.
            if let Some(Some(ack)) = self.ack_mut(&done.target) {
                ack.ended_at = None;
            }
            return self.unsilence(done.target, now);
        }
        let (id, name) = self.ack_names(&done.target);
        let event = FeedEvent::AckExtended {
            id,
            name,
            to: done.to,
            until,
        };
        self.log_ack(&done.target, now, event);
    }

    /// Whether `ack` (of an incident) was dropped because nobody acted on it.
    fn ack_dropped(&self, target: &AckTarget, ack: &crate::model::Ack) -> bool {
        let AckTarget::Incident(id) = target else {
            return false;
        };
        self.book.find(*id).is_some_and(|inc| {
            (inc.timeline.iter())
                .any(|e| e.at >= ack.at && matches!(e.event, Some(FeedEvent::AckDropped { .. })))
        })
    }

    /// The event on the incident's timeline (for an incident's ack) and in the feed.
    fn log_ack(&mut self, target: &AckTarget, now: DateTime<Utc>, event: FeedEvent) {
        if let AckTarget::Incident(id) = target
            && let Some(inc) = self.incident_mut(*id)
        {
            inc.log(
                now,
                Author::Console,
                IncidentEventKind::Acknowledged,
                event.clone(),
            );
        }
        self.publish_ack(target);
        self.emit(now, event);
    }
}
