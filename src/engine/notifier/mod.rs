//! The engine's side of notifications: it turns incident events into outbox jobs (saved before
//! their first attempt), starts due attempts as tasks that report back over a channel, and
//! records what came of them. The rules (dedup, backoff, pacing, threading, pending) live in
//! [`crate::model::Outbox`]; the wire formats in [`crate::integrations`].

pub(super) mod claim;
mod deliver;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::{Clock, Engine, SaveTarget};
use crate::integrations::slack::SlackClient;
use crate::model::{
    Destination, Failure, FeedEvent, Incident, Job, JobState, NotifyEvent, Outbox, Settings,
    SlackSettings,
};

/// How long a notification keeps being retried before it becomes a pending report.
pub const DELIVERY_WINDOW_MINS: i64 = 60;
/// The outbox keeps at most this many finished jobs (the newest) as history.
pub const OUTBOX_HISTORY_LIMIT: usize = 1000;
/// A delivery's far-side reference (Slack's `ts`) and the message's link.
type Sent = (Option<String>, Option<String>);

/// How one attempt ended.
#[derive(Debug)]
pub enum Attempted {
    /// It reached the far side: its reference (Slack's `ts`) and the message's link.
    Sent(Sent),
    /// It failed, as the integration classified it.
    Failed(Failure),
    /// Team mode: another console of the team sent it.
    SentByOther {
        /// That console's name.
        by: String,
        /// When.
        at: DateTime<Utc>,
        /// Its Slack `ts`, for this console's replies.
        reference: Option<String>,
    },
    /// Team mode: it did not start (another console holds its claim, or the store could not
    /// be asked); asked again after this many seconds.
    Held {
        /// Seconds to wait.
        wait_secs: f64,
    },
}

/// What a delivery or test task reports.
#[derive(Debug)]
pub enum DeliveryEvent {
    /// One attempt of a job ended.
    Attempt {
        /// The job.
        job: u64,
        /// When it ended.
        at: DateTime<Utc>,
        /// How it ended.
        result: Attempted,
    },
    /// The Slack tab's Test ended.
    SlackTest {
        /// The API root, without credentials.
        url: String,
        /// When.
        at: DateTime<Utc>,
        /// Who the token belongs to, or the error, in words.
        result: Result<String, String>,
    },
}

/// The Slack tab's Test.
#[derive(Clone, Debug, PartialEq)]
pub enum SlackTest {
    /// Waiting for Slack.
    Running {
        /// The API root.
        url: String,
    },
    /// Slack's answer.
    Done {
        /// The API root.
        url: String,
        /// When it answered.
        at: DateTime<Utc>,
        /// Workspace and bot, or the error in words.
        result: Result<String, String>,
    },
}

/// The notifier: it owns the outbox and the bookkeeping of the delivery tasks. It turns incident
/// events into jobs and attempts into outcomes; what it has to say comes out as feed events,
/// and whether the outbox changed (to be saved and published) as a flag, both taken by the
/// engine after each call ([`Engine`]'s `settle_notifier`).
pub struct Notifier {
    /// Every job: queued, pending, and the sent history.
    pub(super) outbox: Outbox,
    /// Jitter state for retry delays.
    jitter: u64,
    /// Whether the feed already said why Slack / email cannot be used (once per settings).
    unusable_said: [super::said::Said<()>; 2],
    inputs: super::report::Report<DeliveryEvent>,
    clock: Arc<dyn Clock>,
    events: Vec<(DateTime<Utc>, FeedEvent)>,
    outbox_changed: bool,
    slack_test: Option<SlackTest>,
    /// Whether a team store is set: until it is joined, attempts wait.
    pub(super) team_set: bool,
    /// The team's claims, while joined.
    pub(super) team: Option<claim::TeamClaims>,
}

impl Notifier {
    /// A notifier over `outbox` (as restored), reporting its tasks on `inputs`.
    pub(super) fn new(
        outbox: Outbox,
        seed: u64,
        inputs: super::report::Report<DeliveryEvent>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            outbox,
            jitter: seed,
            unusable_said: Default::default(),
            inputs,
            clock,
            events: Vec::new(),
            outbox_changed: false,
            slack_test: None,
            team_set: false,
            team: None,
        }
    }

    fn emit(&mut self, at: DateTime<Utc>, event: FeedEvent) {
        self.events.push((at, event));
    }

    /// The outbox changed: the engine saves and publishes it when it settles this call.
    fn outbox_changed(&mut self) {
        self.outbox_changed = true;
    }

    /// New settings: say again (once) if Slack or email still cannot be used.
    pub(super) fn settings_changed(&mut self) {
        self.unusable_said = Default::default();
    }

    /// Queues what `event` of `inc` should send, as the targets and settings say.
    pub(super) fn notify(
        &mut self,
        inc: &Incident,
        event: NotifyEvent,
        now: DateTime<Utc>,
        settings: &Settings,
    ) {
        let incident = inc.id;
        let message = match event {
            NotifyEvent::Opened | NotifyEvent::Manual(_) => crate::notify::report(inc),
            e => crate::notify::event(inc, e),
        };
        let targets = settings.targets.clone();
        // Slack: a report (and an escalation, which must reach the channel) goes to the
        // chosen channel when the target is on; later events go to every channel that has
        // this incident's report, as thread replies.
        let slack_channels: Vec<String> =
            if matches!(event, NotifyEvent::Opened | NotifyEvent::Escalated) {
                if targets.slack {
                    vec![settings.slack.channel.clone()]
                } else {
                    Vec::new()
                }
            } else {
                let mut threads: Vec<String> = Vec::new();
                for j in &self.outbox.jobs {
                    if let (true, Destination::Slack { channel }) = (
                        j.incident == incident
                            && matches!(j.event, NotifyEvent::Opened | NotifyEvent::Manual(_)),
                        &j.destination,
                    ) && !threads.contains(channel)
                    {
                        threads.push(channel.clone());
                    }
                }
                if threads.is_empty() && targets.slack {
                    threads.push(settings.slack.channel.clone());
                }
                threads
            };
        if !slack_channels.is_empty() {
            match settings.slack.unusable() {
                Some(why) => self.say_unusable(0, now, why, settings),
                None => {
                    let mention = Some(settings.intake.escalate_mention.trim().to_string())
                        .filter(|m| event == NotifyEvent::Escalated && !m.is_empty());
                    for channel in slack_channels {
                        self.enqueue(
                            incident,
                            event,
                            Destination::Slack { channel },
                            &message,
                            now,
                            mention.clone(),
                        );
                    }
                }
            }
        }
        // Email: plan results always (as in the original), reports when the target is on.
        let mail = match event {
            NotifyEvent::Opened => targets.email,
            NotifyEvent::PlanExecuted
            | NotifyEvent::PlanDeferred
            | NotifyEvent::PlanStopped
            | NotifyEvent::Escalated => true,
            _ => false,
        };
        // Never set up at all: the original stayed silent then, and so do we.
        let e = &settings.email;
        let email_wanted =
            targets.email || !e.smtp_host.trim().is_empty() || !e.recipients.is_empty();
        if mail && email_wanted {
            match settings.email.unusable() {
                Some(why) => self.say_unusable(1, now, why, settings),
                None => {
                    let to = settings.email.recipients.clone();
                    let mail = Destination::Email { to };
                    self.enqueue(incident, event, mail, &message, now, None);
                }
            }
        }
    }

    /// The jobs of incident `from` are `inc`'s now (a provisional id that became the team's,
    /// or an incident merged into another console's); those not yet sent are written again,
    /// naming it by the id it has now.
    pub(super) fn rekey(&mut self, from: u64, inc: &Incident) {
        let moved = self.outbox.rekey(from, inc.id);
        for j in self.outbox.jobs.iter_mut() {
            if !moved.contains(&j.id) || j.state != JobState::Queued {
                continue;
            }
            let message = match j.event {
                NotifyEvent::Opened | NotifyEvent::Manual(_) => crate::notify::report(inc),
                e => crate::notify::event(inc, e),
            };
            j.subject = message.subject;
            j.text = message.text;
            j.blocks = message.blocks.map(|b| b.to_string());
        }
        if !moved.is_empty() {
            self.outbox_changed();
        }
    }

    /// Says once per run (or per settings change) why a target cannot be served. A target
    /// nobody has set up yet (Slack is on by default, with no token) is a hint, not an error:
    /// a first run shows no red line for it.
    fn say_unusable(&mut self, which: usize, now: DateTime<Utc>, why: String, settings: &Settings) {
        let set_up = match which {
            0 => !settings.slack.token.expose().trim().is_empty(),
            _ => !settings.email.smtp_host.trim().is_empty(),
        };
        if self.unusable_said[which].news(()) {
            let email = which == 1;
            self.emit(now, FeedEvent::TargetUnusable { email, why, set_up });
        }
    }

    /// The Incident view's "Send to Slack": the report to the chosen channel, again if it was
    /// already posted there.
    pub(super) fn send_to_slack(
        &mut self,
        incident: u64,
        inc: Option<&Incident>,
        now: DateTime<Utc>,
        settings: &Settings,
    ) {
        let Some(inc) = inc else {
            return self.emit(now, FeedEvent::UnknownIncident { id: incident });
        };
        if let Some(why) = settings.slack.unusable() {
            return self.emit(now, FeedEvent::NotSentToSlack { id: incident, why });
        }
        let channel = settings.slack.channel.clone();
        let destination = Destination::Slack {
            channel: channel.clone(),
        };
        let mine = |j: &&Job| j.incident == incident && j.destination == destination;
        let posted = self
            .outbox
            .jobs
            .iter()
            .filter(mine)
            .any(|j| j.event == NotifyEvent::Opened);
        let event = if posted {
            let n = self
                .outbox
                .jobs
                .iter()
                .filter(mine)
                .filter(|j| matches!(j.event, NotifyEvent::Manual(_)))
                .count();
            NotifyEvent::Manual(n as u32 + 1)
        } else {
            NotifyEvent::Opened
        };
        let message = crate::notify::report(inc);
        if self
            .enqueue(incident, event, destination, &message, now, None)
            .is_some()
        {
            self.emit(
                now,
                FeedEvent::QueuedForSlack {
                    id: incident,
                    channel,
                },
            );
        }
    }

    fn enqueue(
        &mut self,
        incident: u64,
        event: NotifyEvent,
        destination: Destination,
        message: &crate::notify::Message,
        now: DateTime<Utc>,
        mention: Option<String>,
    ) -> Option<u64> {
        let job = Job {
            id: 0,
            incident,
            event,
            destination,
            subject: message.subject.clone(),
            text: message.text.clone(),
            blocks: message.blocks.as_ref().map(|b| b.to_string()),
            mention,
            created_at: now,
            deadline: now + Duration::minutes(DELIVERY_WINDOW_MINS),
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            state: JobState::Queued,
        };
        // A duplicate (same incident, event, destination) was already sent or is on its way.
        let id = self.outbox.enqueue(job)?;
        self.prune_outbox();
        // On disk before the first attempt, so a crash cannot lose it.
        self.outbox_changed();
        Some(id)
    }

    fn prune_outbox(&mut self) {
        let finished = |j: &Job| {
            matches!(
                j.state,
                JobState::Delivered { .. } | JobState::Acknowledged { .. }
            )
        };
        let mut excess = self
            .outbox
            .jobs
            .iter()
            .filter(|j| finished(j))
            .count()
            .saturating_sub(OUTBOX_HISTORY_LIMIT);
        // Oldest finished first; queued and pending jobs are never dropped.
        self.outbox.jobs.retain(|j| {
            if excess > 0 && finished(j) {
                excess -= 1;
                false
            } else {
                true
            }
        });
    }

    /// The user retries a pending job.
    pub(super) fn retry_notification(&mut self, id: u64, now: DateTime<Utc>) {
        if self
            .outbox
            .retry(id, now, Duration::minutes(DELIVERY_WINDOW_MINS))
        {
            if let Some(job) = self.outbox.job(id).map(Job::desc) {
                self.emit(now, FeedEvent::DeliveryRetry { job });
            }
            self.outbox_changed();
        }
    }

    /// The user lets a pending job go.
    pub(super) fn acknowledge_notification(&mut self, id: u64, now: DateTime<Utc>) {
        if self.outbox.acknowledge(id, now) {
            if let Some(job) = self.outbox.job(id).map(Job::desc) {
                self.emit(now, FeedEvent::DeliveryDropped { job });
            }
            self.outbox_changed();
        }
    }

    /// The Slack tab's Test: `auth.test` with the settings being edited.
    pub(super) fn test_slack(&mut self, settings: SlackSettings) {
        let client = SlackClient::new(&settings);
        let url = client.as_ref().map_or_else(
            |_| crate::integrations::http::redact(settings.api_base_url.trim()),
            |c| c.url(),
        );
        self.slack_test = Some(SlackTest::Running { url: url.clone() });
        let tx = self.inputs.clone();
        let clock = self.clock.clone();
        tokio::spawn(async move {
            let result = match client {
                Ok(c) => c
                    .auth_test()
                    .await
                    .map(|a| {
                        format!(
                            "connected to workspace \"{}\" as bot user \"{}\" ({})",
                            a.team, a.user, a.url
                        )
                    })
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            let _ = tx(DeliveryEvent::SlackTest {
                url,
                at: clock.now(),
                result,
            });
        });
    }
}

impl Engine {
    /// Hands what the notifier said to the feed, and saves and publishes the outbox if it changed.
    fn settle_notifier(&mut self) {
        for (at, event) in std::mem::take(&mut self.notifier.events) {
            self.log_notification(at, &event);
            self.emit(at, event);
        }
        if std::mem::take(&mut self.notifier.outbox_changed) {
            self.save_outbox();
            self.publish_outbox();
        }
        if let Some(test) = self.notifier.slack_test.take() {
            self.board_mut().slack_test = Some(test);
        }
    }

    /// Queues what `event` of incident `id` should send.
    pub(super) fn notify(&mut self, id: u64, event: NotifyEvent, now: DateTime<Utc>) {
        if let Some(inc) = self.book.find(id) {
            self.notifier.notify(inc, event, now, &self.settings);
        }
        self.settle_notifier();
        if event == NotifyEvent::Opened {
            self.desktop_incident(id);
            self.find_related(id);
            // The analysis follows once the live checks are back.
            self.check_evidence(id, now);
        }
    }

    /// Incident `from`'s notifications are incident `to`'s now.
    pub(super) fn rekey_notifications(&mut self, from: u64, to: u64) {
        if let Some(inc) = self.book.find(to) {
            self.notifier.rekey(from, inc);
        }
        self.settle_notifier();
        // They waited for the team's id.
        self.deliver_due();
    }

    /// The team's claims to make before each attempt (`None`: not joined, or no store), and
    /// whether a store is set at all (then attempts wait until it is joined).
    pub(super) fn claim_notifications(&mut self, set: bool, claims: Option<claim::TeamClaims>) {
        let was_held = self.notifier.team_set && self.notifier.team.is_none();
        self.notifier.team_set = set;
        let joined = claims.is_some();
        self.notifier.team = claims;
        if was_held && (joined || !set) {
            // What waited for the join (or for a store that cannot be used) goes now.
            self.deliver_due();
        }
    }

    pub(super) fn send_to_slack(&mut self, id: u64, now: DateTime<Utc>) {
        let inc = self.book.find(id);
        self.notifier.send_to_slack(id, inc, now, &self.settings);
        self.settle_notifier();
    }

    pub(super) fn deliver_due(&mut self) {
        self.notifier.deliver_due(&self.settings);
        self.settle_notifier();
    }

    pub(super) fn on_delivery(&mut self, event: DeliveryEvent) {
        self.notifier.on_delivery(event);
        self.settle_notifier();
    }

    pub(super) fn retry_notification(&mut self, id: u64, now: DateTime<Utc>) {
        self.notifier.retry_notification(id, now);
        self.settle_notifier();
    }

    pub(super) fn acknowledge_notification(&mut self, id: u64, now: DateTime<Utc>) {
        self.notifier.acknowledge_notification(id, now);
        self.settle_notifier();
    }

    pub(super) fn test_slack(&mut self, settings: SlackSettings) {
        self.notifier.test_slack(settings);
        self.settle_notifier();
    }

    pub(super) fn outbox_wake(&self) -> Option<tokio::time::Instant> {
        self.notifier.outbox_wake()
    }

    pub(super) fn save_outbox(&mut self) {
        let result = self.store.save_outbox(&self.notifier.outbox);
        self.note_save(SaveTarget::Outbox, result);
    }

    pub(super) fn publish_outbox(&mut self) {
        self.board_mut().notifications = Arc::new(self.notifier.outbox.jobs.clone());
    }
}
