//! Delivering the outbox: which attempts are due, each attempt as a task of its own (with a
//! hard time limit), and what its result does to the job. In team mode an attempt first
//! claims its notification in the team store, so one console of the team sends it.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};

use super::super::source::{splitmix64, unit};
use super::{DeliveryEvent, Notifier, Sent, SlackTest};
use crate::integrations::{email, slack::SlackClient};
use crate::model::{Destination, Failure, FeedEvent, JobState, NotifyEvent, Settings};

/// Added to a client's own timeout for the attempt's hard limit.
const ATTEMPT_MARGIN_SECS: u64 = 5;

impl Notifier {
    /// When the next attempt may start, on tokio's clock.
    pub(super) fn outbox_wake(&self) -> Option<tokio::time::Instant> {
        let wake = self.outbox.next_wake()?;
        let wait = (wake - self.clock.now()).to_std().unwrap_or_default();
        Some(tokio::time::Instant::now() + wait)
    }

    /// Starts every attempt that is due, each as its own task.
    pub(super) fn deliver_due(&mut self, settings: &Settings) {
        let now = self.clock.now();
        let due = self.outbox.due(now);
        if due.is_empty() {
            return;
        }
        for id in due {
            let Some(job) = self.outbox.job(id).cloned() else {
                continue;
            };
            let timeout_secs = match job.destination {
                Destination::Slack { .. } => settings.slack.timeout_secs,
                Destination::Email { .. } => settings.email.timeout_secs,
            };
            let lease = StdDuration::from_secs(timeout_secs.max(1) + ATTEMPT_MARGIN_SECS);
            let thread = match (&job.destination, job.event) {
                (_, NotifyEvent::Opened | NotifyEvent::Manual(_)) => None,
                (Destination::Slack { channel }, _) => {
                    match self.outbox.thread_for(job.incident, channel) {
                        crate::model::Thread::Under(ts) => Some(ts),
                        _ => None,
                    }
                }
                _ => None,
            };
            self.outbox.start_attempt(
                id,
                now,
                Duration::from_std(lease).unwrap_or(Duration::seconds(60)),
            );
            let tx = self.inputs.clone();
            let clock = self.clock.clone();
            let slack = settings.slack.clone();
            let mail = settings.email.clone();
            tokio::spawn(async move {
                let attempt = async {
                    match &job.destination {
                        Destination::Slack { channel } => {
                            let client = SlackClient::new(&slack).map_err(|e| e.failure())?;
                            let blocks = job
                                .blocks
                                .as_deref()
                                .and_then(|b| serde_json::from_str(b).ok());
                            let text = &job.text;
                            let posted = client
                                .post_message(channel, text, blocks.as_ref(), thread.as_deref())
                                .await
                                .map_err(|e| e.failure())?;
                            // The link is for the timeline: without it the message still went.
                            let link = client.permalink(&posted).await.ok();
                            Ok((Some(posted.ts), link))
                        }
                        Destination::Email { to } => {
                            email::send(&mail, to, &job.subject, &job.text)
                                .await
                                .map(|r| (Some(r), None))
                                .map_err(|e| e.failure())
                        }
                    }
                };
                let result = tokio::time::timeout(lease, attempt)
                    .await
                    .unwrap_or_else(|_| {
                        Err(Failure::Retryable {
                            reason: format!("no answer within {} s", lease.as_secs()),
                            retry_after: None,
                        })
                    });
                let _ = tx(DeliveryEvent::Attempt {
                    job: id,
                    at: clock.now(),
                    result,
                });
            });
        }
        // The attempt counts are on disk too: a restart does not reset the backoff.
        self.outbox_changed();
    }

    /// Records what a delivery or test task reported.
    pub(super) fn on_delivery(&mut self, event: DeliveryEvent) {
        match event {
            DeliveryEvent::Attempt { job, at, result } => self.on_attempt(job, at, result),
            DeliveryEvent::SlackTest { url, at, result } => {
                let event = FeedEvent::SlackTested {
                    url: url.clone(),
                    result: result.clone(),
                };
                self.slack_test = Some(SlackTest::Done { url, at, result });
                self.emit(at, event);
            }
        }
    }

    fn on_attempt(&mut self, id: u64, at: DateTime<Utc>, result: Result<Sent, Failure>) {
        let Some(job) = self.outbox.job(id).cloned() else {
            return;
        };
        if job.state != JobState::Queued {
            // Acknowledged or retried meanwhile; the newer decision stands.
            return;
        }
        match result {
            Ok((reference, link)) => {
                self.outbox.succeeded(id, at, reference.clone());
                let attempts = (job.attempts > 1).then_some(job.attempts);
                let job = job.desc();
                let event = FeedEvent::Delivered {
                    job,
                    attempts,
                    reference,
                    link,
                };
                self.emit(at, event);
            }
            Err(failure) => {
                self.jitter = splitmix64(self.jitter);
                match self.outbox.failed(id, at, failure, unit(self.jitter)) {
                    Some(JobState::Pending { reason, .. }) => {
                        let job = job.desc();
                        self.emit(at, FeedEvent::DeliveryPending { job, reason });
                    }
                    Some(JobState::Queued) if job.attempts == 1 => {
                        let next = self.outbox.job(id).map_or(at, |j| j.next_attempt_at);
                        let reason = self
                            .outbox
                            .job(id)
                            .and_then(|j| j.last_error.clone())
                            .unwrap_or_default();
                        let job = job.desc();
                        self.emit(at, FeedEvent::DeliveryRetrying { job, reason, next });
                    }
                    _ => {}
                }
            }
        }
        self.outbox_changed();
    }
}
