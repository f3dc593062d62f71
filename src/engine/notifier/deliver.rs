//! Delivering the outbox: which attempts are due, each attempt as a task of its own (with a
//! hard time limit), and what its result does to the job. In team mode an attempt first
//! claims its notification in the team store, so one console of the team sends it.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};

use super::super::source::{splitmix64, unit};
use super::{Attempted, DeliveryEvent, Notifier, Sent, SlackTest};
use crate::integrations::{email, slack::SlackClient};
use crate::model::{Destination, Failure, FeedEvent, JobState, NotifyEvent, Settings};
use crate::model::{EmailSettings, Job};

/// Added to a client's own timeout for the attempt's hard limit.
const ATTEMPT_MARGIN_SECS: u64 = 5;

impl Notifier {
    /// When the next attempt may start, on tokio's clock. Nothing while attempts are held
    /// (team mode, the store not joined): the join wakes the outbox.
    pub(super) fn outbox_wake(&self) -> Option<tokio::time::Instant> {
        if self.held() {
            return None;
        }
        let wake = self.outbox.next_wake_where(|j| self.may_go(j))?;
        let wait = (wake - self.clock.now()).to_std().unwrap_or_default();
        Some(tokio::time::Instant::now() + wait)
    }

    /// Whether `job` may be attempted: in team mode, not while its incident's id is
    /// provisional (its claim would be this console's alone; it goes once the incident has
    /// the team's id).
    fn may_go(&self, job: &Job) -> bool {
        !(self.team_set && crate::model::is_provisional(job.incident))
    }

    /// Whether attempts wait: a team store is set and not joined, so nobody can say whether
    /// another console sent it already.
    fn held(&self) -> bool {
        self.team_set && self.team.is_none()
    }

    /// Starts every attempt that is due, each as its own task.
    pub(super) fn deliver_due(&mut self, settings: &Settings) {
        let now = self.clock.now();
        let due = if self.held() {
            Vec::new()
        } else {
            self.outbox.due_where(now, |j| self.may_go(j))
        };
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
                (_, NotifyEvent::Opened | NotifyEvent::Manual(_) | NotifyEvent::Escalated) => None,
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
            let team = self.team.clone();
            tokio::spawn(async move {
                // A person's "send again" is theirs to make: it is never claimed.
                let claimed = !matches!(job.event, NotifyEvent::Manual(_));
                let team = team.filter(|_| claimed);
                let thread = match &team {
                    Some(team) => match team.claim(&job, thread, lease).await {
                        Ok(thread) => thread,
                        Err(answer) => {
                            let _ = tx(DeliveryEvent::Attempt {
                                job: id,
                                at: clock.now(),
                                result: answer,
                            });
                            return;
                        }
                    },
                    None => thread,
                };
                let result = tokio::time::timeout(lease, attempt(&job, &slack, &mail, thread))
                    .await
                    .unwrap_or_else(|_| {
                        Err(Failure::Retryable {
                            reason: format!("no answer within {} s", lease.as_secs()),
                            retry_after: None,
                        })
                    });
                if let Some(team) = &team {
                    team.settle(&job, &result).await;
                }
                let _ = tx(DeliveryEvent::Attempt {
                    job: id,
                    at: clock.now(),
                    result: match result {
                        Ok(sent) => Attempted::Sent(sent),
                        Err(failure) => Attempted::Failed(failure),
                    },
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

    fn on_attempt(&mut self, id: u64, at: DateTime<Utc>, result: Attempted) {
        let Some(job) = self.outbox.job(id).cloned() else {
            return;
        };
        if job.state != JobState::Queued {
            // Acknowledged or retried meanwhile; the newer decision stands.
            return;
        }
        match result {
            Attempted::SentByOther { by, at, reference } => {
                // Its Delivered line reaches this timeline from the sender's, shared.
                self.outbox.sent_by_other(id, by, at, reference);
            }
            Attempted::Held { wait_secs } => {
                let wait = Duration::milliseconds((wait_secs.max(0.5) * 1000.0) as i64);
                self.outbox.held(id, at + wait);
            }
            Attempted::Sent((reference, link)) => {
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
            Attempted::Failed(failure) => {
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

/// One attempt at the far side: Slack's post (under `thread`, when a reply) or the mail.
async fn attempt(
    job: &Job,
    slack: &crate::model::SlackSettings,
    mail: &EmailSettings,
    thread: Option<String>,
) -> Result<Sent, Failure> {
    match &job.destination {
        Destination::Slack { channel } => {
            let client = SlackClient::new(slack).map_err(|e| e.failure())?;
            let blocks = job
                .blocks
                .as_deref()
                .and_then(|b| serde_json::from_str(b).ok());
            let posted = client
                .post_message(
                    channel,
                    &job.text,
                    blocks.as_ref(),
                    thread.as_deref(),
                    job.mention.as_deref(),
                )
                .await
                .map_err(|e| e.failure())?;
            // The link is for the timeline: without it the message still went.
            let link = client.permalink(&posted).await.ok();
            Ok((Some(posted.ts), link))
        }
        Destination::Email { to } => email::send(mail, to, &job.subject, &job.text)
            .await
            .map(|r| (Some(r), None))
            .map_err(|e| e.failure()),
    }
}
