//! The notification outbox, as plain data and pure rules: every notification is a job that is
//! saved before its first attempt; the rules decide what is due, how a failure is retried, when
//! a job becomes a pending report for the user, and which Slack thread a reply goes into.
//!
//! Nothing here sends anything or reads a clock: each call gets `now`, so every rule is tested
//! without a network or a timer.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Longest wait between two attempts of one job.
pub const RETRY_CAP_SECS: i64 = 300;
/// First retry delay; doubled per failed attempt.
pub const RETRY_BASE_SECS: i64 = 2;
/// Slack allows about one message per second per channel.
pub const SLACK_CHANNEL_GAP_MS: i64 = 1000;

/// Where a job goes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Destination {
    /// A Slack channel (`#ops` or an id).
    Slack {
        /// Channel name or id.
        channel: String,
    },
    /// Email to these recipients.
    Email {
        /// Addresses.
        to: Vec<String>,
    },
}

impl Destination {
    /// A short name for dedup keys and the UI: `slack:#ops`, `email`.
    pub fn key(&self) -> String {
        match self {
            Destination::Slack { channel } => format!("slack:{channel}"),
            Destination::Email { .. } => "email".into(),
        }
    }
}

/// Which incident event a job reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NotifyEvent {
    /// The incident opened (the report).
    Opened,
    /// Its action plan ran.
    PlanExecuted,
    /// Its action plan was deferred.
    PlanDeferred,
    /// Its action plan stopped before its end (a failure, or the responder declined a real
    /// run after its dry run).
    PlanStopped,
    /// It recovered.
    Recovered,
    /// It was closed.
    Closed,
    /// The responder sent it by hand; `n` tells manual sends apart.
    Manual(u32),
    /// Its rule breached again while it was active (re-fire number `n`); never sent while the
    /// rule is flapping.
    Refired(u32),
    /// The language model's report arrived after the fixed-rule one went out: it follows in
    /// the Slack thread.
    AiReport,
    /// Its alerts still fire long after the acknowledgement: the one who acked is reminded.
    Reminder,
    /// Nobody acknowledged (or took) it in time: escalated, with the settings' mention.
    Escalated,
}

/// Where a job stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum JobState {
    /// Waiting for its next attempt.
    Queued,
    /// Delivered; `reference` is what the far side called it (Slack's `ts`).
    Delivered {
        /// When.
        at: DateTime<Utc>,
        /// Slack's message `ts`, used to thread replies.
        reference: Option<String>,
    },
    /// Failed for good, or still failing after its deadline: the user must see it.
    Pending {
        /// Why, in words (never a secret).
        reason: String,
        /// Since when.
        since: DateTime<Utc>,
    },
    /// Another console of the team sent it (team mode: its claim in the store was done).
    SentByOther {
        /// That console's name.
        by: String,
        /// When it was sent.
        at: DateTime<Utc>,
        /// Slack's message `ts`, used to thread this console's replies under it.
        reference: Option<String>,
    },
    /// The user saw the pending report and let it go.
    Acknowledged {
        /// When.
        at: DateTime<Utc>,
        /// The reason it had.
        reason: String,
    },
}

/// One notification to deliver.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Outbox-wide id.
    pub id: u64,
    /// Incident it is about.
    pub incident: u64,
    /// Event it reports.
    pub event: NotifyEvent,
    /// Where it goes.
    pub destination: Destination,
    /// Subject line (email) or headline (Slack).
    pub subject: String,
    /// The plain text (Slack's fallback, the email body).
    pub text: String,
    /// Slack Block Kit blocks as JSON, when the message has a richer layout than `text`.
    #[serde(default)]
    pub blocks: Option<String>,
    /// A Slack mention put before the text unescaped (an escalation's, from the settings;
    /// only Slack's own mention forms are sent as mentions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mention: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// After this, a job still failing becomes pending.
    pub deadline: DateTime<Utc>,
    /// Attempts so far.
    pub attempts: u32,
    /// When the next attempt may start.
    pub next_attempt_at: DateTime<Utc>,
    /// The last failure, in words.
    pub last_error: Option<String>,
    /// Where it stands.
    pub state: JobState,
}

impl Job {
    /// The job as feed events name it.
    pub fn desc(&self) -> super::JobDesc {
        super::JobDesc {
            incident: self.incident,
            event: self.event,
            destination: self.destination.clone(),
        }
    }

    /// The key that makes a notification unique: one per incident, event and destination, so
    /// neither a retry nor a restart ever sends it twice.
    pub fn dedup_key(&self) -> (u64, NotifyEvent, String) {
        (self.incident, self.event, self.destination.key())
    }
}

/// How an attempt failed, as the integration classified it.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// May succeed later (connection refused, timeout, 5xx, Slack 429).
    Retryable {
        /// Why, in words.
        reason: String,
        /// The server's `Retry-After`, when it gave one.
        retry_after: Option<Duration>,
    },
    /// Cannot succeed by retrying (`invalid_auth`, `channel_not_found`, SMTP 5xx on a recipient).
    Permanent {
        /// Why, in words.
        reason: String,
    },
}

/// The capped exponential delay before attempt `attempts + 1`, scaled by a jitter factor in
/// [0.5, 1] (`unit` uniform in [0, 1)), and never shorter than the server's `Retry-After`.
pub fn retry_delay(attempts: u32, retry_after: Option<Duration>, unit: f64) -> Duration {
    let exp = RETRY_BASE_SECS.saturating_mul(1i64 << attempts.saturating_sub(1).min(20));
    let ms = (exp.min(RETRY_CAP_SECS) * 1000) as f64 * (0.5 + 0.5 * unit.clamp(0.0, 1.0));
    let backoff = Duration::milliseconds(ms as i64);
    retry_after.map_or(backoff, |ra| ra.max(backoff))
}

/// Where a Slack reply goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Thread {
    /// Its report is still queued: wait.
    Wait,
    /// In the thread of this message `ts`.
    Under(String),
    /// In the channel itself.
    TopLevel,
}

/// Every notification job, persisted as a whole.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Outbox {
    /// All jobs, oldest first.
    pub jobs: Vec<Job>,
    /// The next id.
    pub next_id: u64,
    /// When each Slack channel last got a message (pacing), not persisted.
    #[serde(skip)]
    last_sent: HashMap<String, DateTime<Utc>>,
}

impl Outbox {
    /// Queues a job unless one with the same dedup key exists; returns its id, or `None` for
    /// a duplicate. `id`, `attempts`, `state` and `next_attempt_at` of `job` are set here.
    pub fn enqueue(&mut self, mut job: Job) -> Option<u64> {
        if self.jobs.iter().any(|j| j.dedup_key() == job.dedup_key()) {
            return None;
        }
        self.next_id = self.next_id.max(1);
        job.id = self.next_id;
        self.next_id += 1;
        job.attempts = 0;
        job.state = JobState::Queued;
        job.next_attempt_at = job.created_at;
        self.jobs.push(job);
        self.jobs.last().map(|j| j.id)
    }

    /// The job with `id`.
    pub fn job(&self, id: u64) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }

    fn job_mut(&mut self, id: u64) -> Option<&mut Job> {
        self.jobs.iter_mut().find(|j| j.id == id)
    }

    /// Where a reply about `incident` in `channel` goes: under the incident's delivered report
    /// in that channel, or (no report, or it never arrived) to the channel itself; or it waits
    /// while the report is still queued, so it never overtakes it.
    pub fn thread_for(&self, incident: u64, channel: &str) -> Thread {
        let parent = self.jobs.iter().find(|j| {
            j.incident == incident
                && j.event == NotifyEvent::Opened
                && matches!(&j.destination, Destination::Slack { channel: c } if c == channel)
        });
        match parent.map(|p| &p.state) {
            Some(JobState::Queued) => Thread::Wait,
            Some(
                JobState::Delivered {
                    reference: Some(ts),
                    ..
                }
                | JobState::SentByOther {
                    reference: Some(ts),
                    ..
                },
            ) => Thread::Under(ts.clone()),
            _ => Thread::TopLevel,
        }
    }

    /// Jobs that may be attempted at `now`, oldest first: queued, their time has come, their
    /// Slack channel's one-second gap has passed (one per channel per call), and a Slack reply
    /// only once its report was delivered or given up.
    pub fn due(&self, now: DateTime<Utc>) -> Vec<u64> {
        self.due_where(now, |_| true)
    }

    /// [`Self::due`] among the jobs `may` lets go (the others wait, and wake nothing).
    pub fn due_where(&self, now: DateTime<Utc>, may: impl Fn(&Job) -> bool) -> Vec<u64> {
        let mut channels_taken: Vec<&str> = Vec::new();
        let mut due = Vec::new();
        for j in &self.jobs {
            if j.state != JobState::Queued || j.next_attempt_at > now || !may(j) {
                continue;
            }
            if let Destination::Slack { channel } = &j.destination {
                let paced = self
                    .last_sent
                    .get(channel)
                    .is_some_and(|&t| now - t < Duration::milliseconds(SLACK_CHANNEL_GAP_MS));
                let waits_for_parent = j.event != NotifyEvent::Opened
                    && self.thread_for(j.incident, channel) == Thread::Wait;
                if paced || waits_for_parent || channels_taken.contains(&channel.as_str()) {
                    continue;
                }
                channels_taken.push(channel);
            }
            due.push(j.id);
        }
        due
    }

    /// When the next job could become due (for the engine's timer), if any is queued. A reply
    /// waiting for its report is left out: the report's own result wakes the engine, and
    /// counting the reply would make the timer fire again and again meanwhile.
    pub fn next_wake(&self) -> Option<DateTime<Utc>> {
        self.next_wake_where(|_| true)
    }

    /// [`Self::next_wake`] among the jobs `may` lets go.
    pub fn next_wake_where(&self, may: impl Fn(&Job) -> bool) -> Option<DateTime<Utc>> {
        self.jobs
            .iter()
            .filter(|j| j.state == JobState::Queued && may(j))
            .filter(|j| match &j.destination {
                Destination::Slack { channel } => {
                    j.event == NotifyEvent::Opened
                        || self.thread_for(j.incident, channel) != Thread::Wait
                }
                Destination::Email { .. } => true,
            })
            .map(|j| match &j.destination {
                Destination::Slack { channel } => {
                    let paced = self
                        .last_sent
                        .get(channel)
                        .map(|&t| t + Duration::milliseconds(SLACK_CHANNEL_GAP_MS));
                    paced.map_or(j.next_attempt_at, |p| p.max(j.next_attempt_at))
                }
                Destination::Email { .. } => j.next_attempt_at,
            })
            .min()
    }

    /// Notes that an attempt of `id` starts at `now`: counts it, paces its channel, and holds
    /// the job for `lease` (the attempt's timeout) so it is not started twice meanwhile.
    pub fn start_attempt(&mut self, id: u64, now: DateTime<Utc>, lease: Duration) {
        let Some(j) = self.job_mut(id) else { return };
        j.attempts += 1;
        j.next_attempt_at = now + lease;
        if let Destination::Slack { channel } = &j.destination {
            let channel = channel.clone();
            self.last_sent.insert(channel, now);
        }
    }

    /// Records a delivery.
    pub fn succeeded(&mut self, id: u64, at: DateTime<Utc>, reference: Option<String>) {
        if let Some(j) = self.job_mut(id) {
            j.state = JobState::Delivered { at, reference };
            j.last_error = None;
        }
    }

    /// Records that another console of the team sent `id` (it is not attempted again here).
    pub fn sent_by_other(
        &mut self,
        id: u64,
        by: String,
        at: DateTime<Utc>,
        reference: Option<String>,
    ) {
        if let Some(j) = self.job_mut(id) {
            j.state = JobState::SentByOther { by, at, reference };
            j.last_error = None;
        }
    }

    /// An attempt of `id` that did not start after all (another console holds it, or the
    /// team store could not be asked): it is not counted, and waits until `next`.
    pub fn held(&mut self, id: u64, next: DateTime<Utc>) {
        if let Some(j) = self.job_mut(id) {
            j.attempts = j.attempts.saturating_sub(1);
            j.next_attempt_at = next;
        }
    }

    /// Moves every job of incident `from` to incident `to` (a provisional id that became the
    /// team's, or an incident merged into another console's). A job whose key `to` already
    /// has is dropped unless it was sent: the one already there stands for it. Returns the
    /// ids of the jobs moved.
    pub fn rekey(&mut self, from: u64, to: u64) -> Vec<u64> {
        let mut moved = Vec::new();
        let taken: Vec<(NotifyEvent, String)> = self
            .jobs
            .iter()
            .filter(|j| j.incident == to)
            .map(|j| (j.event, j.destination.key()))
            .collect();
        self.jobs.retain_mut(|j| {
            if j.incident != from {
                return true;
            }
            let duplicate = taken.contains(&(j.event, j.destination.key()));
            if duplicate && !matches!(j.state, JobState::Delivered { .. }) {
                return false;
            }
            j.incident = to;
            moved.push(j.id);
            true
        });
        moved
    }

    /// Records a failed attempt: a permanent failure, or one past the deadline, makes the job
    /// pending; otherwise it is scheduled again. Returns the new state.
    pub fn failed(
        &mut self,
        id: u64,
        now: DateTime<Utc>,
        failure: Failure,
        jitter_unit: f64,
    ) -> Option<JobState> {
        let j = self.job_mut(id)?;
        match failure {
            Failure::Permanent { reason } => {
                j.last_error = Some(reason.clone());
                j.state = JobState::Pending { reason, since: now };
            }
            Failure::Retryable {
                reason,
                retry_after,
            } => {
                let next = now + retry_delay(j.attempts, retry_after, jitter_unit);
                j.last_error = Some(reason.clone());
                if next > j.deadline {
                    j.state = JobState::Pending {
                        reason: format!("{reason} (still failing after {} attempts)", j.attempts),
                        since: now,
                    };
                } else {
                    j.next_attempt_at = next;
                }
            }
        }
        Some(j.state.clone())
    }

    /// The user asks to try a pending job again, with a fresh deadline `window` from now.
    pub fn retry(&mut self, id: u64, now: DateTime<Utc>, window: Duration) -> bool {
        match self.job_mut(id) {
            Some(j) if matches!(j.state, JobState::Pending { .. }) => {
                j.state = JobState::Queued;
                j.next_attempt_at = now;
                j.deadline = now + window;
                j.attempts = 0;
                true
            }
            _ => false,
        }
    }

    /// The user lets a pending job go.
    pub fn acknowledge(&mut self, id: u64, now: DateTime<Utc>) -> bool {
        match self.job_mut(id) {
            Some(j) => match &j.state {
                JobState::Pending { reason, .. } => {
                    j.state = JobState::Acknowledged {
                        at: now,
                        reason: reason.clone(),
                    };
                    true
                }
                _ => false,
            },
            None => false,
        }
    }

    /// Jobs the user must see: pending reports.
    pub fn pending(&self) -> impl Iterator<Item = &Job> {
        self.jobs
            .iter()
            .filter(|j| matches!(j.state, JobState::Pending { .. }))
    }
}

#[cfg(test)]
mod tests;
