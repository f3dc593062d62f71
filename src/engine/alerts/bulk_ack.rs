//! Acknowledging many alerts at once (a storm's alerts picked in the list, or every one the
//! filter matches): one comment, and either one silence per alert (exactly its labels) or,
//! when the responder chooses it, one silence of the matchers every picked alert shares.
//! Each alert keeps its own acknowledgement, and the feed says it once for all of them.

use chrono::{DateTime, Duration, Utc};

use super::ack::{Job, MAX_ACK_MINS, SilenceReport, create_silences};
use crate::engine::{AckTarget, Engine, Input};
use crate::model::{
    Ack, AckProblem, AckSubject, Alert, AlertStatus, FeedEvent, SilenceRef, common_labels,
};

/// What a bulk acknowledgement's task reports: per alert, the silences that cover it.
#[derive(Debug)]
pub struct BulkCreated {
    /// Each alert acknowledged, with its silences (for a common silence, the same one).
    pub alerts: Vec<(String, Vec<SilenceRef>)>,
    /// Each refusal or failure in words.
    pub errors: Vec<String>,
    /// Whether it was one silence of the common matchers.
    pub common: bool,
}

impl Engine {
    /// Silences `fingerprints` with one comment: one silence each, or one of their common
    /// matchers (`common`). Alerts resolved, unknown, cut or acknowledged already are left
    /// out, and said.
    pub(in crate::engine) fn acknowledge_many(
        &mut self,
        fingerprints: Vec<String>,
        comment: String,
        duration_mins: u32,
        common: bool,
        now: DateTime<Utc>,
    ) {
        let count = fingerprints.len();
        let alerts: Vec<Alert> = fingerprints
            .iter()
            .filter_map(|fp| self.alerts.alert(fp))
            .filter(|a| a.status == AlertStatus::Firing && !a.cut.labels_changed())
            .filter(|a| {
                !self
                    .alert_acks
                    .get(&a.fingerprint)
                    .is_some_and(|s| s.as_ref().is_some_and(|k| k.holds(now)))
            })
            .cloned()
            .collect();
        let left_out = fingerprints.len() - alerts.len();
        if alerts.is_empty() {
            return self.bulk_not_made(count, AckProblem::NoneUnacknowledged, now);
        }
        let clients = self.am_clients();
        if clients.is_empty() {
            return self.bulk_not_made(count, AckProblem::NoAlertmanager, now);
        }
        let jobs: Vec<Job> = if common {
            let labels = common_labels(alerts.iter());
            if labels.is_empty() {
                return self.bulk_not_made(count, AckProblem::NoCommonLabel, now);
            }
            let mut job = Job::of(&alerts[0], &clients);
            job.labels = labels;
            // Every reporter of any picked alert, so the silence reaches all of them.
            job.clients = clients
                .iter()
                .filter(|(c, _)| alerts.iter().any(|a| a.reported_by.contains(c.url())))
                .cloned()
                .collect();
            if job.clients.is_empty() {
                job.clients = clients.clone();
            }
            vec![job]
        } else {
            alerts.iter().map(|a| Job::of(a, &clients)).collect()
        };
        let comment = if comment.trim().is_empty() {
            format!("{} alerts acknowledged together", alerts.len())
        } else {
            comment.trim().to_string()
        };
        let until = now + Duration::minutes(i64::from(duration_mins.clamp(1, MAX_ACK_MINS)));
        let by = self.responder();
        for a in &alerts {
            self.alert_acks.insert(
                a.fingerprint.clone(),
                Some(Ack {
                    silenced_until: None,
                    by: by.clone(),
                    at: now,
                    comment: comment.clone(),
                    until,
                    silences: Vec::new(),
                    ended_at: None,
                }),
            );
        }
        self.publish_ack(&AckTarget::Alert(String::new()));
        let fps: Vec<String> = alerts.iter().map(|a| a.fingerprint.clone()).collect();
        let tx = self.inputs.clone();
        tokio::spawn(async move {
            let (created, mut errors) =
                create_silences(&jobs, &by, &comment, (now, until), None).await;
            if left_out > 0 {
                errors.push(format!(
                    "{left_out} of the picked alerts were left out: resolved, unknown, acknowledged already, or with labels cut on arrival"
                ));
            }
            let alerts = fps
                .into_iter()
                .map(|fp| {
                    let mine = created
                        .iter()
                        .filter(|s| common || s.fingerprint == fp)
                        .map(|s| SilenceRef {
                            fingerprint: fp.clone(),
                            ..s.clone()
                        })
                        .collect();
                    (fp, mine)
                })
                .collect();
            let done = BulkCreated {
                alerts,
                errors,
                common,
            };
            let _ = tx.send(Input::Silences(SilenceReport::CreatedMany(done)));
        });
    }

    /// Says in the feed that the silences of `count` picked alerts were not made, and why.
    fn bulk_not_made(&mut self, count: usize, problem: AckProblem, now: DateTime<Utc>) {
        let subject = AckSubject::Alerts { count };
        self.emit(now, FeedEvent::AckNotMade { subject, problem });
    }

    /// A bulk acknowledgement's silences exist: each alert's ack holds them (or goes, when
    /// none covers it), and the feed says it once.
    pub(in crate::engine) fn on_bulk_created(&mut self, done: BulkCreated, now: DateTime<Utc>) {
        if !done.errors.is_empty() {
            let problem = AckProblem::Alertmanager(done.errors.clone());
            self.bulk_not_made(done.alerts.len(), problem, now);
        }
        let mut acked = 0;
        let mut silences = std::collections::BTreeSet::new();
        let mut said = None;
        for (fp, created) in done.alerts {
            let Some(slot) = self.alert_acks.get_mut(&fp) else {
                continue;
            };
            if created.is_empty() {
                *slot = None;
                continue;
            }
            silences.extend(created.iter().map(|s| s.id.clone()));
            if let Some(ack) = slot.as_mut() {
                ack.silences = created;
                said.get_or_insert((ack.by.clone(), ack.comment.clone(), ack.until));
                acked += 1;
            }
        }
        self.publish_ack(&AckTarget::Alert(String::new()));
        let Some((by, comment, until)) = said else {
            return;
        };
        let event = FeedEvent::AcknowledgedMany {
            alerts: acked,
            silences: silences.len(),
            common: done.common,
            by,
            comment,
            until,
        };
        self.emit(now, event);
        self.poll_alertmanagers_now();
    }
}
