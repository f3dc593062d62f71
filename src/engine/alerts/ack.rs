//! Acknowledge = silence: the responder's acknowledgement of an incident's alerts (or of one
//! alert) is a silence in the Alertmanager(s) that reported them, matching exactly each
//! alert's labels. The silence ids are kept with the acknowledgement, so Unsilence can expire
//! them, after a restart too (an incident's ack is saved with it).
//!
//! Alertmanagers in one cluster share silences by gossip, so a silence is created in one of
//! them (the first that accepts it); one that runs alone (`cluster: disabled`) gets its own.

use chrono::{DateTime, Duration, Utc};

use crate::engine::{AckTarget, Engine, Input};
use crate::integrations::alertmanager::AmClient;
use crate::model::{
    Ack, AckProblem, AckSubject, Alert, Author, FeedEvent, IncidentEventKind, Labels, SilenceRef,
};

/// The longest acknowledgement the console creates (Alertmanager takes any; a week keeps a
/// forgotten silence from hiding an alert for good).
pub const MAX_ACK_MINS: u32 = 7 * 24 * 60;

/// What a silence task reports.
#[derive(Debug)]
pub enum SilenceReport {
    /// An acknowledgement's silences were extended (or not).
    Extended(super::ack_keep::Extended),
    /// A bulk acknowledgement's silences were created.
    CreatedMany(super::bulk_ack::BulkCreated),
    /// Silences were created (`errors`: where they could not be).
    Created {
        /// What was acknowledged.
        target: AckTarget,
        /// The silences Alertmanager accepted.
        created: Vec<SilenceRef>,
        /// Each refusal or failure in words.
        errors: Vec<String>,
    },
    /// Silences were expired.
    Expired {
        /// What was unsilenced.
        target: AckTarget,
        /// How many were expired.
        expired: usize,
        /// Each failure in words.
        errors: Vec<String>,
        /// Whether the feed already said why (the alerts resolved): failures only are said.
        quiet: bool,
    },
}

/// One silence to create: the alert it is for, the matchers (its labels, or those common to
/// several), and the clients of the Alertmanagers to ask, in order.
pub(in crate::engine) struct Job {
    pub fingerprint: String,
    pub labels: Labels,
    pub clients: Vec<(AmClient, bool)>,
}

impl Job {
    /// The silence of exactly `a`'s labels, asked of the Alertmanagers that reported it (any
    /// of `clients` for one known only by webhook).
    pub fn of(a: &Alert, clients: &[(AmClient, bool)]) -> Self {
        let reporters: Vec<(AmClient, bool)> = clients
            .iter()
            .filter(|(c, _)| a.reported_by.contains(c.url()))
            .cloned()
            .collect();
        Job {
            fingerprint: a.fingerprint.clone(),
            labels: a.labels.clone(),
            clients: if reporters.is_empty() {
                clients.to_vec()
            } else {
                reporters
            },
        }
    }
}

/// Creates each job's silence, one after the other (a bulk acknowledgement must not open a
/// connection per alert at once): in the first Alertmanager of a cluster that accepts it, in
/// each one that runs alone. Returns the silences made and each failure in words.
pub(in crate::engine) async fn create_silences(
    jobs: &[Job],
    by: &str,
    comment: &str,
    period: (DateTime<Utc>, DateTime<Utc>),
    id: Option<&str>,
) -> (Vec<SilenceRef>, Vec<String>) {
    let mut created = Vec::new();
    let mut errors = Vec::new();
    for job in jobs {
        for (client, clustered) in &job.clients {
            match client
                .create_silence(&job.labels, period, by, comment, id)
                .await
            {
                Ok(id) => {
                    created.push(SilenceRef {
                        url: client.url().to_string(),
                        id,
                        fingerprint: job.fingerprint.clone(),
                    });
                    // Its cluster's other members learn it by gossip.
                    if *clustered {
                        break;
                    }
                }
                Err(e) => errors.push(format!("{}: {e}", client.url())),
            }
        }
    }
    (created, errors)
}

impl Engine {
    /// The responder's name: the setting, else the OS user.
    pub(in crate::engine) fn responder(&self) -> String {
        crate::envconfig::responder_name(&self.settings)
    }

    /// A client of every configured Alertmanager, with whether it runs in a cluster.
    pub(in crate::engine) fn am_clients(&self) -> Vec<(AmClient, bool)> {
        let s = &self.settings.intake;
        let token = (!s.alertmanager_token.is_empty()).then(|| s.alertmanager_token.clone());
        s.alertmanager_urls
            .iter()
            .filter_map(|u| AmClient::new(u, token.clone(), s.timeout_secs.clamp(1, 300)).ok())
            .map(|c| {
                let clustered = self.am_clustered(c.url());
                (c, clustered)
            })
            .collect()
    }

    /// The firing alerts an acknowledgement of `target` silences, and its default comment.
    fn ack_alerts(&self, target: &AckTarget) -> Result<(Vec<Alert>, String), AckProblem> {
        match target {
            AckTarget::Alert(fp) => {
                let alert = self.alerts.alert(fp).ok_or(AckProblem::UnknownAlert)?;
                Ok((vec![alert.clone()], alert.name().to_string()))
            }
            AckTarget::Incident(id) => {
                let inc = self.book.find(*id).ok_or(AckProblem::UnknownIncident)?;
                let links = inc.alerts.as_ref().ok_or(AckProblem::NotFromAlerts)?;
                let alerts = links
                    .alerts
                    .iter()
                    .filter(|(fp, _)| !links.resolved.contains(fp))
                    .filter_map(|(fp, _)| self.alerts.alert(fp).cloned())
                    .collect();
                let title = inc.scenario.title.text(self.settings.language).to_string();
                Ok((alerts, title))
            }
        }
    }

    /// Says in the feed that the silences of `target` were not made, and why.
    pub(in crate::engine) fn ack_not_made(
        &mut self,
        target: &AckTarget,
        problem: AckProblem,
        now: DateTime<Utc>,
    ) {
        let subject = match target {
            AckTarget::Incident(id) => AckSubject::Incident { id: *id },
            AckTarget::Alert(_) => AckSubject::Alert {
                name: self.target_name(target),
            },
        };
        self.emit(now, FeedEvent::AckNotMade { subject, problem });
    }

    /// The name the feed gives the target.
    fn target_name(&self, target: &AckTarget) -> String {
        match target {
            AckTarget::Alert(fp) => self
                .alerts
                .alert(fp)
                .map_or(fp.clone(), |a| a.name().to_string()),
            AckTarget::Incident(id) => format!("#{id}"),
        }
    }

    /// The acknowledgement of `target`, where it is kept.
    pub(in crate::engine) fn ack_mut(&mut self, target: &AckTarget) -> Option<&mut Option<Ack>> {
        match target {
            AckTarget::Incident(id) => self
                .book
                .find_mut(*id)
                .and_then(|i| i.alerts.as_mut())
                .map(|l| &mut l.ack),
            AckTarget::Alert(fp) => Some(self.alert_acks.entry(fp.clone()).or_default()),
        }
    }

    /// Publishes where the target's ack is kept.
    pub(in crate::engine) fn publish_ack(&mut self, target: &AckTarget) {
        match target {
            AckTarget::Incident(_) => self.publish_incidents(),
            AckTarget::Alert(_) => {
                self.alert_acks.retain(|_, a| a.is_some());
                let acks = self
                    .alert_acks
                    .iter()
                    .filter_map(|(fp, a)| Some((fp.clone(), a.clone()?)))
                    .collect();
                self.board_mut().alert_acks = std::sync::Arc::new(acks);
            }
        }
    }

    /// Creates the silences of an acknowledgement.
    pub(in crate::engine) fn acknowledge(
        &mut self,
        target: AckTarget,
        comment: String,
        duration_mins: u32,
        now: DateTime<Utc>,
    ) {
        let (alerts, default_comment) = match self.ack_alerts(&target) {
            Ok(found) => found,
            Err(problem) => return self.ack_not_made(&target, problem, now),
        };
        if alerts.is_empty() {
            return self.ack_not_made(&target, AckProblem::NoneFiring, now);
        }
        if alerts.iter().any(|a| a.cut.labels_changed()) {
            // Its labels were cut on arrival: a silence of the labels the console holds
            // would not match the alert in Alertmanager, and the ack would be a false one.
            return self.ack_not_made(&target, AckProblem::LabelsCut, now);
        }
        if let Some(Some(ack)) = self.ack_mut(&target).map(|a| a.as_ref())
            && ack.holds(now)
        {
            let until = ack.until;
            return self.ack_not_made(&target, AckProblem::AlreadyAcknowledged { until }, now);
        }
        let clients = self.am_clients();
        if clients.is_empty() {
            return self.ack_not_made(&target, AckProblem::NoAlertmanager, now);
        }
        let comment = if comment.trim().is_empty() {
            default_comment
        } else {
            comment.trim().to_string()
        };
        let until = now + Duration::minutes(i64::from(duration_mins.clamp(1, MAX_ACK_MINS)));
        // A slice, extended while the alerts fire (`extend_acks`), up to `until`.
        let slice_end = (now + Duration::minutes(crate::model::ACK_SLICE_MINS)).min(until);
        let by = self.responder();
        let jobs: Vec<Job> = alerts.iter().map(|a| Job::of(a, &clients)).collect();
        if let Some(slot) = self.ack_mut(&target) {
            *slot = Some(Ack {
                by: by.clone(),
                at: now,
                comment: comment.clone(),
                until,
                silences: Vec::new(),
                ended_at: None,
                silenced_until: Some(slice_end),
            });
        }
        self.publish_ack(&target);
        let tx = self.inputs.clone();
        tokio::spawn(async move {
            let (created, errors) =
                create_silences(&jobs, &by, &comment, (now, slice_end), None).await;
            let report = SilenceReport::Created {
                target,
                created,
                errors,
            };
            let _ = tx.send(Input::Silences(report));
        });
    }

    /// Expires the acknowledgement's silences, and for an alert every silence that suppresses
    /// it.
    pub(in crate::engine) fn unsilence(&mut self, target: AckTarget, now: DateTime<Utc>) {
        let mut silences = match self.ack_mut(&target).and_then(|a| a.as_ref()) {
            Some(ack) if ack.ended_at.is_none() => ack.silences.clone(),
            _ => Vec::new(),
        };
        if let AckTarget::Alert(fp) = &target
            && let Some(alert) = self.alerts.alert(fp)
        {
            for id in &alert.silenced_by {
                if silences.iter().all(|s| &s.id != id) {
                    let url = alert.reported_by.iter().next().cloned().unwrap_or_default();
                    silences.push(SilenceRef {
                        url,
                        id: id.clone(),
                        fingerprint: fp.clone(),
                    });
                }
            }
        }
        if silences.is_empty() {
            return self.ack_not_made(&target, AckProblem::NoSilence, now);
        }
        self.expire_silences(target, silences, false);
    }

    /// Expires `silences` in the Alertmanagers that hold them (any configured one when the URL
    /// is not one of them: a cluster shares its silences).
    pub(in crate::engine) fn expire_silences(
        &mut self,
        target: AckTarget,
        silences: Vec<SilenceRef>,
        quiet: bool,
    ) {
        let clients = self.am_clients();
        let tx = self.inputs.clone();
        tokio::spawn(async move {
            let (mut expired, mut errors) = (0, Vec::new());
            for s in silences {
                let mut order: Vec<&AmClient> = clients.iter().map(|(c, _)| c).collect();
                order.sort_by_key(|c| c.url() != s.url);
                let mut last = None;
                for client in order {
                    match client.expire_silence(&s.id).await {
                        Ok(()) => {
                            last = None;
                            expired += 1;
                            break;
                        }
                        Err(e) => last = Some(format!("{}: {e}", client.url())),
                    }
                }
                if let Some(e) = last {
                    errors.push(e);
                }
            }
            let report = SilenceReport::Expired {
                target,
                expired,
                errors,
                quiet,
            };
            let _ = tx.send(Input::Silences(report));
        });
    }

    /// Takes what a silence task reported.
    pub(in crate::engine) fn on_silences(&mut self, report: SilenceReport) {
        let now = self.clock.now();
        match report {
            SilenceReport::CreatedMany(done) => self.on_bulk_created(done, now),
            SilenceReport::Extended(done) => self.on_extended(done, now),
            SilenceReport::Created {
                target,
                created,
                errors,
            } => {
                let name = self.target_name(&target);
                if !errors.is_empty() {
                    self.ack_not_made(&target, AckProblem::Alertmanager(errors), now);
                }
                let Some(slot) = self.ack_mut(&target) else {
                    return;
                };
                if created.is_empty() {
                    // Nothing was silenced: there is no acknowledgement.
                    *slot = None;
                    return self.publish_ack(&target);
                }
                let Some(ack) = slot.as_mut() else {
                    return;
                };
                ack.silences = created;
                let event = FeedEvent::Acknowledged {
                    id: match target {
                        AckTarget::Incident(id) => Some(id),
                        AckTarget::Alert(_) => None,
                    },
                    name,
                    by: ack.by.clone(),
                    comment: ack.comment.clone(),
                    until: ack.until,
                    silences: ack.silences.len(),
                };
                let who = Author::Responder(ack.by.clone());
                if let AckTarget::Incident(id) = target
                    && let Some(inc) = self.incident_mut(id)
                {
                    inc.log(now, who, IncidentEventKind::Acknowledged, event.clone());
                }
                self.publish_ack(&target);
                self.emit(now, event);
                self.poll_alertmanagers_now();
            }
            SilenceReport::Expired {
                target,
                expired,
                errors,
                quiet,
            } => {
                let name = self.target_name(&target);
                if !errors.is_empty() {
                    self.ack_not_made(&target, AckProblem::Alertmanager(errors), now);
                }
                if quiet || expired == 0 {
                    return;
                }
                let mut ids = Vec::new();
                if let Some(Some(ack)) = self.ack_mut(&target) {
                    ack.ended_at = Some(now);
                    ids = ack.silences.iter().map(|s| s.id.clone()).collect();
                }
                // A silence of common matchers covered other alerts too: their acks end with it.
                for ack in self.alert_acks.values_mut().flatten() {
                    if ack.ended_at.is_none() && ack.silences.iter().any(|s| ids.contains(&s.id)) {
                        ack.ended_at = Some(now);
                    }
                }
                let event = FeedEvent::Unsilenced {
                    id: match target {
                        AckTarget::Incident(id) => Some(id),
                        AckTarget::Alert(_) => None,
                    },
                    name,
                    by: self.responder(),
                    silences: expired,
                };
                let who = Author::Responder(self.responder());
                if let AckTarget::Incident(id) = target
                    && let Some(inc) = self.incident_mut(id)
                {
                    inc.log(now, who, IncidentEventKind::Unsilenced, event.clone());
                }
                self.publish_ack(&target);
                self.emit(now, event);
                self.poll_alertmanagers_now();
            }
        }
    }
}
