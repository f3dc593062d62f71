//! The alerts room: everything the engine does with Alertmanager alerts. This file: the
//! webhook receiver's and the polls' life (started, moved or stopped with the settings), what
//! they report, and the alert book that merges it all. Beside it: `incidents` (incidents from
//! alerts), `ack` and `bulk_ack` (acknowledge = silence), `desktop` (notifications), `storm`
//! (the feed's storm lines) and `notices` (refusals once a minute).

pub mod ack;
mod ack_keep;
mod bulk_ack;
pub mod desktop;
mod desktop_link;
mod incidents;
pub(super) mod notices;
mod oncall;
mod ring;
pub(super) mod storm;

pub use incidents::ACTIVE_ALERT_INCIDENT_LIMIT;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{Engine, Input};
use crate::detect::alerts::AlertChange;
use crate::integrations::alertmanager::AmClient;
use crate::integrations::alertmanager::receiver::{self, ReceiverEvent};
use crate::model::{Alert, AlertStatus, FeedEvent, IntakeSettings};

/// What the Alertmanager side reports: the receiver, or one poll.
#[derive(Debug)]
pub enum IntakeEvent {
    /// The webhook receiver: listening, unusable, a webhook, a refusal.
    Receiver(ReceiverEvent),
    /// A poll of one Alertmanager finished (sent at `sent_at`).
    Polled {
        /// The Alertmanager, without credentials.
        url: String,
        /// When the poll's first request was sent.
        sent_at: DateTime<Utc>,
        /// What it answered, or why not, in words.
        result: Result<PollAnswer, String>,
    },
}

/// One Alertmanager's answer to a poll.
#[derive(Debug)]
pub struct PollAnswer {
    /// Its alerts (all firing).
    pub alerts: Vec<Alert>,
    /// Its health.
    pub status: crate::integrations::alertmanager::AmStatus,
    /// Its active and pending silences, with who made them (`None`: they could not be read
    /// this time).
    pub silences: Option<Vec<crate::model::Silence>>,
}

/// Polls one Alertmanager every `every` until aborted; each result goes to the engine.
async fn poll_loop(
    client: AmClient,
    every: std::time::Duration,
    now: Arc<tokio::sync::Notify>,
    clock: Arc<dyn super::Clock>,
    tx: super::InputTx,
) {
    loop {
        let sent_at = clock.now();
        let result = async {
            Ok(PollAnswer {
                alerts: client.alerts().await?,
                status: client.status().await?,
                // Who acknowledged is extra: a proxy or an old server without the silences
                // API still has its alerts polled.
                silences: client.silences().await.ok(),
            })
        }
        .await
        .map_err(|e: crate::integrations::alertmanager::PollError| e.to_string());
        let event = IntakeEvent::Polled {
            url: client.url().to_string(),
            sent_at,
            result,
        };
        if tx.send(Input::Intake(event)).is_err() {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = now.notified() => {}
        }
    }
}

/// The Alertmanager poll tasks and what the feed last said of each.
pub(in crate::engine) struct AmPolls {
    /// The settings they run with (a change restarts them).
    key: (Vec<String>, crate::model::Secret, u64, u64),
    /// Every polled Alertmanager, as alerts name it (no credentials).
    urls: std::collections::BTreeSet<String>,
    /// Per URL: how it is doing (the banner's), and the failure the feed last said.
    health: std::collections::BTreeMap<
        String,
        (crate::model::AmHealth, crate::engine::said::Said<String>),
    >,
    /// Per URL: whether its last status said it runs in a cluster.
    clustered: std::collections::BTreeMap<String, bool>,
    /// Per URL: its active and pending silences, as last polled.
    silences: std::collections::BTreeMap<String, Vec<crate::model::Silence>>,
    /// Wakes every poll loop at once (after a silence changed what they would see).
    now: Arc<tokio::sync::Notify>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for AmPolls {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// The running receiver and the settings it runs with.
pub(in crate::engine) struct IntakeRun {
    settings: IntakeSettings,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for IntakeRun {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Engine {
    /// Starts, restarts or stops the Alertmanager polls to match the settings.
    fn select_polls(&mut self) {
        let s = &self.settings.intake;
        let key = (
            s.alertmanager_urls.clone(),
            s.alertmanager_token.clone(),
            s.poll_interval_secs.max(1),
            s.timeout_secs.clamp(1, 300),
        );
        if self.am_polls.as_ref().is_some_and(|p| p.key == key) {
            return;
        }
        // Other Alertmanagers: the banner starts again from what they answer.
        if !self.board.alertmanagers.is_empty() {
            self.board_mut().alertmanagers = Arc::default();
        }
        if !self.board.silences.is_empty() {
            self.board_mut().silences = Arc::default();
        }
        self.am_polls = None;
        if key.0.is_empty() {
            return;
        }
        let token = (!key.1.is_empty()).then(|| key.1.clone());
        let mut polls = AmPolls {
            key: key.clone(),
            urls: Default::default(),
            health: Default::default(),
            clustered: Default::default(),
            silences: Default::default(),
            now: Arc::new(tokio::sync::Notify::new()),
            tasks: Vec::new(),
        };
        for url in &key.0 {
            match AmClient::new(url, token.clone(), key.3) {
                Ok(client) => {
                    polls.urls.insert(client.url().to_string());
                    let (tx, clock) = (self.inputs.clone(), self.clock.clone());
                    let every = std::time::Duration::from_secs(key.2);
                    let now = polls.now.clone();
                    polls
                        .tasks
                        .push(tokio::spawn(poll_loop(client, every, now, clock, tx)));
                }
                Err(reason) => {
                    let now = self.clock.now();
                    let url = crate::integrations::http::redact(url);
                    self.emit(now, FeedEvent::AlertmanagerFailing { url, reason });
                }
            }
        }
        self.am_polls = Some(polls);
    }

    /// Takes one finished poll.
    fn on_polled(
        &mut self,
        url: String,
        sent_at: DateTime<Utc>,
        result: Result<PollAnswer, String>,
    ) {
        let Some(polls) = self.am_polls.as_mut() else {
            return;
        };
        if !polls.urls.contains(&url) {
            // A poll of settings that changed since.
            return;
        }
        let polled = polls.urls.clone();
        let (health, said) = polls.health.entry(url.clone()).or_insert_with(|| {
            let health = crate::model::AmHealth {
                url: url.clone(),
                up: false,
                failing_since: None,
                reason: None,
                last_good: None,
            };
            (health, Default::default())
        });
        let now = self.clock.now();
        let was = health.clone();
        match result {
            Ok(PollAnswer {
                alerts,
                status,
                silences,
            }) => {
                let clustered = status.cluster != "disabled";
                let after_failure = said.over();
                let event =
                    (was.last_good.is_none() || after_failure).then(|| FeedEvent::AlertmanagerUp {
                        url: url.clone(),
                        version: status.version,
                        cluster: status.cluster,
                        peers: status.peers,
                        after_failure,
                    });
                health.up = true;
                health.failing_since = None;
                health.reason = None;
                health.last_good = Some(sent_at);
                polls.clustered.insert(url.clone(), clustered);
                self.publish_health(&was);
                if let Some(event) = event {
                    self.emit(now, event);
                }
                if let Some(silences) = silences {
                    self.take_silences(&url, silences);
                }
                let merged = self.alerts.poll(&url, alerts, sent_at, &polled);
                self.on_merged(merged, now);
                self.keep_acks(now);
                self.remind_and_escalate(now);
                self.ring_due(now);
            }
            Err(reason) => {
                health.up = false;
                health.failing_since.get_or_insert(now);
                health.reason = Some(reason.clone());
                // A failed poll resolves nothing; it is said once per different reason.
                let say = said.news(reason.clone());
                self.publish_health(&was);
                if say {
                    self.emit(now, FeedEvent::AlertmanagerFailing { url, reason });
                }
            }
        }
    }

    /// Publishes every Alertmanager's health when the one that reported changed from `was`
    /// in what the banner shows (up or down, the reason): not on each good poll, so that an
    /// idle window stays asleep.
    /// The silences `url` holds now; the board's list (every polled Alertmanager's, each
    /// silence once: HA replicas share them) follows when it changed.
    fn take_silences(&mut self, url: &str, silences: Vec<crate::model::Silence>) {
        let Some(polls) = self.am_polls.as_mut() else {
            return;
        };
        if polls.silences.get(url) == Some(&silences) {
            return;
        }
        polls.silences.insert(url.to_string(), silences);
        let mut all: Vec<crate::model::Silence> = Vec::new();
        for s in polls.silences.values().flatten() {
            if !all.iter().any(|a| a.id == s.id) {
                all.push(s.clone());
            }
        }
        all.sort_by(|a, b| a.starts_at.cmp(&b.starts_at).then(a.id.cmp(&b.id)));
        self.board_mut().silences = Arc::new(all);
    }

    fn publish_health(&mut self, was: &crate::model::AmHealth) {
        let Some(polls) = self.am_polls.as_ref() else {
            return;
        };
        let Some((now, _)) = polls.health.get(&was.url) else {
            return;
        };
        if now.up == was.up && now.reason == was.reason {
            return;
        }
        let all: Vec<crate::model::AmHealth> =
            polls.health.values().map(|(h, _)| h.clone()).collect();
        self.board_mut().alertmanagers = Arc::new(all);
    }

    /// Whether the Alertmanager at `url` (as alerts name it) said it runs in a cluster; one
    /// not heard from yet counts as alone, so it gets its own silence.
    pub(in crate::engine) fn am_clustered(&self, url: &str) -> bool {
        self.am_polls
            .as_ref()
            .and_then(|p| p.clustered.get(url).copied())
            .unwrap_or(false)
    }

    /// Polls every Alertmanager now instead of at the next interval.
    pub(in crate::engine) fn poll_alertmanagers_now(&self) {
        if let Some(p) = &self.am_polls {
            p.now.notify_waiters();
        }
    }

    /// Starts, moves or stops the receiver and the polls to match the settings.
    pub(in crate::engine) fn select_intake(&mut self) {
        self.select_polls();
        let wanted = self.settings.intake.clone();
        if self.intake.as_ref().is_some_and(|r| r.settings == wanted) {
            return;
        }
        // Drop the old one first, so a new one may take the same port.
        self.intake = None;
        if self.board.receiver_addr.is_some() {
            self.board_mut().receiver_addr = None;
        }
        if !wanted.enabled {
            return;
        }
        let tx = self.inputs.clone();
        let sink: receiver::Sink =
            Arc::new(move |e| tx.send(Input::Intake(IntakeEvent::Receiver(e))).is_ok());
        let clock = self.clock.clone();
        let now: receiver::Now = Arc::new(move || clock.now());
        let token = (!wanted.token.is_empty()).then(|| wanted.token.clone());
        let task = tokio::spawn(receiver::run(
            wanted.addr.clone(),
            wanted.allow_remote,
            token,
            now,
            sink,
        ));
        self.intake = Some(IntakeRun {
            settings: wanted,
            task,
        });
    }

    /// Handles what the receiver reported.
    pub(in crate::engine) fn on_intake(&mut self, event: IntakeEvent) {
        let now = self.clock.now();
        let event = match event {
            IntakeEvent::Polled {
                url,
                sent_at,
                result,
            } => return self.on_polled(url, sent_at, result),
            IntakeEvent::Receiver(event) => event,
        };
        match event {
            ReceiverEvent::Listening { addr } => {
                self.board_mut().receiver_addr = Some(addr);
                let addr = addr.to_string();
                self.emit(now, FeedEvent::IntakeListening { addr });
            }
            ReceiverEvent::Unusable { reason } => {
                self.intake = None;
                self.board_mut().receiver_addr = None;
                self.emit(now, FeedEvent::IntakeUnusable { reason });
            }
            ReceiverEvent::Refused { status, refusal } => {
                self.refused(refusal, Some(status), now);
            }
            ReceiverEvent::Webhook { group, at } => {
                if group.truncated_alerts > 0 {
                    let event = FeedEvent::AlertsTruncated {
                        group: group.group_key.clone(),
                        count: group.truncated_alerts,
                    };
                    self.emit(at, event);
                }
                let polled = self.polled_urls();
                let merged = self.alerts.webhook(&group.alerts, at, &polled);
                self.on_merged(merged, at);
            }
        }
    }

    /// Every Alertmanager polled now, as alerts name them.
    fn polled_urls(&self) -> std::collections::BTreeSet<String> {
        self.am_polls
            .as_ref()
            .map(|p| p.urls.clone())
            .unwrap_or_default()
    }

    /// Notes one thing not taken: once a minute per reason (a misconfigured Alertmanager
    /// retries for ever, and a flood must not push the responder's entries out of the feed).
    pub(in crate::engine) fn refused(
        &mut self,
        refusal: crate::model::IntakeRefusal,
        status: Option<u16>,
        now: DateTime<Utc>,
    ) {
        if let Some(more) = self.refusals.allow(refusal, now) {
            let event = FeedEvent::NotTaken {
                refusal,
                status,
                more,
            };
            self.emit(now, event);
        }
    }

    /// Notes what a webhook or a poll did not take, then what it changed.
    fn on_merged(&mut self, merged: crate::detect::alerts::Merged, at: DateTime<Utc>) {
        for refusal in merged.refused {
            self.refused(refusal, None, at);
        }
        self.on_alert_changes(&merged.changes, at);
    }

    /// Says what changed in the feed (one line an alert, until a reporter passes its
    /// storm rate) and publishes the alerts.
    fn on_alert_changes(&mut self, changes: &[AlertChange], at: DateTime<Utc>) {
        if changes.is_empty() {
            return;
        }
        // A storm line whose minute is over comes before this batch's lines.
        self.say_storms();
        let instant = tokio::time::Instant::now();
        for change in changes {
            let (AlertChange::Fired(fp) | AlertChange::Resolved(fp) | AlertChange::Updated(fp)) =
                change;
            let Some(alert) = self.alerts.alert(fp) else {
                continue;
            };
            if matches!(change, AlertChange::Fired(_))
                && !alert.cut.is_empty()
                && let Some(more) = self.cuts.allow((), at)
            {
                let (name, cut) = (alert.name().to_string(), alert.cut);
                self.emit(at, FeedEvent::AlertsCut { name, cut, more });
            }
            let Some(alert) = self.alerts.alert(fp) else {
                continue;
            };
            let source = alert.reported_by.iter().next().cloned().unwrap_or_default();
            let event = match change {
                AlertChange::Fired(_) if alert.status == AlertStatus::Firing => {
                    FeedEvent::AlertFired {
                        name: alert.name().to_string(),
                        severity: alert.severity().to_string(),
                        summary: alert.summary().to_string(),
                        fingerprint: alert.fingerprint.clone(),
                        source: source.clone(),
                    }
                }
                AlertChange::Resolved(_) => FeedEvent::AlertResolved {
                    name: alert.name().to_string(),
                    fingerprint: alert.fingerprint.clone(),
                    after_secs: (alert.ends_at.unwrap_or(at) - alert.starts_at).num_seconds(),
                },
                _ => continue,
            };
            let fired = matches!(event, FeedEvent::AlertFired { .. });
            if self.storms.admit(&source, alert.name(), fired, instant) {
                self.emit(at, event);
            }
        }
        self.board_mut().alerts = self.alerts.published();
        self.alerts_to_incidents(changes, at);
    }

    /// Says the storm lines of every reporter whose counting minute is over, and raises the
    /// one notification for the alerts the desktop held back.
    pub(in crate::engine) fn say_storms(&mut self) {
        let now = self.clock.now();
        for line in self.storms.ended(tokio::time::Instant::now()) {
            self.emit(now, line);
        }
        self.desktop_held();
    }

    /// When the next storm line or held-back notification is due.
    pub(in crate::engine) fn storm_due(&self) -> Option<tokio::time::Instant> {
        match (self.storms.due(), self.desktop_due()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}
