//! The alerts the console knows, merged by fingerprint from the webhook and every polled
//! Alertmanager (HA replicas report the same fingerprint, so they give one alert). Pure: the
//! engine hands it what arrived and when, and turns the changes it returns into events.
//!
//! - A webhook is a full snapshot of one group, but an alert missing from it is not resolved
//!   (Alertmanager leaves silenced alerts out): only `status: resolved` resolves.
//! - A successful poll of an Alertmanager that no longer lists an alert it reported resolves
//!   it, unless another polled Alertmanager still reports it. A failed poll changes nothing,
//!   so the engine simply does not call [`AlertBook::poll`] for it.
//! - Within one firing episode (one `startsAt`), resolved wins: a late, repeated firing
//!   webhook does not revive it. A new `startsAt` is a new episode.
//! - Repeats (same fingerprint, episode, status and state) change nothing.
//!
//! A webhook can be sent by anyone who reaches the receiver, a poll only by an Alertmanager
//! the responder configured, so where they disagree the poll stands:
//! - a webhook alert that starts or ends more than [`FUTURE_TOLERANCE_SECS`] in the future is
//!   refused (a `startsAt: 2099` would otherwise pin the alert's episode for ever);
//! - while a polled Alertmanager lists an alert as firing, a webhook cannot resolve it or
//!   give it another episode (refused, for the feed to note);
//! - an alert a poll sent after the webhook's news still lists as firing is firing, whatever
//!   that webhook said.
//!
//! Bounded: resolved alerts are pruned [`RESOLVED_KEPT_SECS`] after they resolved (their
//! episodes are in the alert history), and past [`MAX_ALERTS`] a new alert is refused.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::model::{Alert, AlertStatus, IntakeRefusal, WEBHOOK_SOURCE};

/// How far in the future, in seconds, a webhook alert's `startsAt` or `endsAt` may lie: a
/// sender's clock may be a little ahead, not years.
pub const FUTURE_TOLERANCE_SECS: i64 = 300;

/// The most alerts the book holds; a new fingerprint past it is refused.
pub const MAX_ALERTS: usize = 50_000;

/// How long, in seconds, a resolved alert stays in the book (so a late firing copy of its
/// episode does not revive it) before it is pruned.
pub const RESOLVED_KEPT_SECS: i64 = 3600;

/// What one webhook or poll did to the book.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Merged {
    /// What changed, per alert.
    pub changes: Vec<AlertChange>,
    /// What was not taken, one entry per alert.
    pub refused: Vec<IntakeRefusal>,
}

/// What one arrival changed about one alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlertChange {
    /// A new firing episode: an unknown fingerprint, or a new `startsAt` of a known one.
    Fired(String),
    /// It resolved (Alertmanager said so, or it vanished from every Alertmanager polled).
    Resolved(String),
    /// The same episode with something else new: state, silences, annotations, reporters.
    Updated(String),
}

/// One alert in the book: shared with the window's copy of the book until it changes, and
/// when the console last heard of it (a webhook or a poll), kept beside it so that a poll
/// with nothing new does not copy the alert.
#[derive(Clone, Debug)]
struct Entry {
    alert: Arc<Alert>,
    heard_at: DateTime<Utc>,
}

impl Entry {
    fn new(alert: Alert) -> Self {
        let heard_at = alert.seen_at;
        Self {
            alert: Arc::new(alert),
            heard_at,
        }
    }
}

/// Every alert the console knows, by fingerprint.
#[derive(Clone, Debug, Default)]
pub struct AlertBook {
    alerts: BTreeMap<String, Entry>,
}

impl AlertBook {
    /// Every alert, by fingerprint.
    pub fn alerts(&self) -> impl Iterator<Item = &Alert> {
        self.alerts.values().map(|e| e.alert.as_ref())
    }

    /// The alert with this fingerprint.
    pub fn alert(&self, fingerprint: &str) -> Option<&Alert> {
        self.alerts.get(fingerprint).map(|e| e.alert.as_ref())
    }

    /// Every alert, by fingerprint, for the window: a pointer copy per alert, so publishing
    /// a storm costs microseconds, not a copy of every label.
    pub fn published(&self) -> Arc<Vec<Arc<Alert>>> {
        Arc::new(self.alerts.values().map(|e| e.alert.clone()).collect())
    }

    /// How many alerts it holds, firing and recently resolved.
    pub fn len(&self) -> usize {
        self.alerts.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.alerts.is_empty()
    }

    /// Takes a webhook's alerts, which arrived at `at`. `polled` names every Alertmanager
    /// the engine polls.
    pub fn webhook(
        &mut self,
        alerts: &[Alert],
        at: DateTime<Utc>,
        polled: &BTreeSet<String>,
    ) -> Merged {
        self.prune(at);
        let latest = at + chrono::Duration::seconds(FUTURE_TOLERANCE_SECS);
        let mut merged = Merged::default();
        for a in alerts {
            if a.starts_at > latest || a.ends_at.is_some_and(|e| e > latest) {
                merged.refused.push(IntakeRefusal::FutureTime);
                continue;
            }
            if let Some(refusal) = self.polled_disagrees(a, polled) {
                merged.refused.push(refusal);
                continue;
            }
            let mut a = a.clone();
            a.seen_at = at;
            self.take(a, &mut merged);
        }
        merged
    }

    /// Why a polled Alertmanager's word on `incoming`'s alert stands against this webhook
    /// copy of it, if it does.
    fn polled_disagrees(
        &self,
        incoming: &Alert,
        polled: &BTreeSet<String>,
    ) -> Option<IntakeRefusal> {
        let known = &self.alerts.get(&incoming.fingerprint)?.alert;
        let listed = known.status == AlertStatus::Firing
            && known.reported_by.iter().any(|s| polled.contains(s));
        if !listed {
            None
        } else if incoming.starts_at != known.starts_at {
            Some(IntakeRefusal::EpisodeWhilePolled)
        } else if incoming.status == AlertStatus::Resolved {
            Some(IntakeRefusal::ResolveWhilePolled)
        } else {
            None
        }
    }

    /// Takes a successful poll of the Alertmanager `source`, whose request was sent at
    /// `sent_at`. `polled` names every Alertmanager the engine polls.
    pub fn poll(
        &mut self,
        source: &str,
        alerts: Vec<Alert>,
        sent_at: DateTime<Utc>,
        polled: &BTreeSet<String>,
    ) -> Merged {
        self.prune(sent_at);
        let listed: BTreeSet<String> = alerts.iter().map(|a| a.fingerprint.clone()).collect();
        let mut merged = Merged::default();
        for mut a in alerts {
            a.seen_at = sent_at;
            if let Some(change) = self.overrule_webhook(&a, polled) {
                merged.changes.push(change);
                continue;
            }
            self.take(a, &mut merged);
        }
        for entry in self.alerts.values_mut() {
            let alert = &entry.alert;
            if alert.status != AlertStatus::Firing || listed.contains(&alert.fingerprint) {
                continue;
            }
            let was_reported = alert.reported_by.contains(source);
            let mut others = alert.reported_by.iter().filter(|s| *s != source);
            let still_polled = others.clone().any(|s| polled.contains(s));
            // Webhook-only news that arrived after this poll was sent is not contradicted by
            // it.
            let heard_since = entry.heard_at > sent_at;
            let webhook_only = others.all(|s| s == WEBHOOK_SOURCE);
            let fingerprint = alert.fingerprint.clone();
            if still_polled || heard_since || (!was_reported && !webhook_only) {
                if was_reported {
                    Arc::make_mut(&mut entry.alert).reported_by.remove(source);
                    merged.changes.push(AlertChange::Updated(fingerprint));
                }
                continue;
            }
            let alert = Arc::make_mut(&mut entry.alert);
            alert.reported_by.remove(source);
            alert.status = AlertStatus::Resolved;
            alert.ends_at = Some(sent_at);
            merged.changes.push(AlertChange::Resolved(fingerprint));
        }
        merged
    }

    /// A polled alert, sent after the webhook news it contradicts, replaces what only a
    /// webhook said: a resolve, or a later episode. Returns the change, or `None` when the
    /// ordinary merge applies.
    fn overrule_webhook(
        &mut self,
        polled_alert: &Alert,
        polled: &BTreeSet<String>,
    ) -> Option<AlertChange> {
        let entry = self.alerts.get_mut(&polled_alert.fingerprint)?;
        let known = &entry.alert;
        let only_webhook = !known.reported_by.iter().any(|s| polled.contains(s));
        let after = polled_alert.seen_at > entry.heard_at;
        let contradicted =
            known.status == AlertStatus::Resolved || polled_alert.starts_at < known.starts_at;
        if !(only_webhook && after && contradicted) {
            return None;
        }
        let revived = known.status == AlertStatus::Resolved;
        let mut alert = polled_alert.clone();
        alert.group_key = known.group_key.clone();
        *entry = Entry::new(alert);
        let fingerprint = polled_alert.fingerprint.clone();
        Some(if revived {
            AlertChange::Fired(fingerprint)
        } else {
            AlertChange::Updated(fingerprint)
        })
    }

    /// Merges one alert, refusing a new one past [`MAX_ALERTS`].
    fn take(&mut self, incoming: Alert, merged: &mut Merged) {
        if self.alerts.len() >= MAX_ALERTS && !self.alerts.contains_key(&incoming.fingerprint) {
            merged.refused.push(IntakeRefusal::BookFull);
            return;
        }
        merged.changes.extend(self.merge(incoming));
    }

    /// Drops alerts that resolved more than [`RESOLVED_KEPT_SECS`] before `now`.
    fn prune(&mut self, now: DateTime<Utc>) {
        let keep_from = now - chrono::Duration::seconds(RESOLVED_KEPT_SECS);
        self.alerts.retain(|_, e| {
            let heard = e.heard_at;
            e.alert.status == AlertStatus::Firing
                || e.alert.ends_at.unwrap_or(heard).max(heard) >= keep_from
        });
    }

    /// Folds one arrival into what is known.
    fn merge(&mut self, incoming: Alert) -> Option<AlertChange> {
        let fingerprint = incoming.fingerprint.clone();
        let Some(entry) = self.alerts.get_mut(&fingerprint) else {
            let change = match incoming.status {
                AlertStatus::Firing => AlertChange::Fired(fingerprint.clone()),
                AlertStatus::Resolved => AlertChange::Resolved(fingerprint.clone()),
            };
            self.alerts.insert(fingerprint, Entry::new(incoming));
            return Some(change);
        };
        let known = &entry.alert;
        if incoming.starts_at != known.starts_at {
            if incoming.starts_at < known.starts_at {
                // A late copy of an older episode.
                return None;
            }
            let change = match incoming.status {
                AlertStatus::Firing => AlertChange::Fired(fingerprint),
                AlertStatus::Resolved => AlertChange::Resolved(fingerprint),
            };
            *entry = Entry::new(incoming);
            return Some(change);
        }
        if known.status == AlertStatus::Resolved && incoming.status == AlertStatus::Firing {
            // Resolved wins within an episode.
            return None;
        }
        entry.heard_at = incoming.seen_at;
        let resolved_now =
            known.status == AlertStatus::Firing && incoming.status == AlertStatus::Resolved;
        let from_webhook = incoming.reported_by.iter().all(|s| s == WEBHOOK_SOURCE);
        let mut merged = incoming;
        merged.reported_by.extend(known.reported_by.iter().cloned());
        if from_webhook {
            // The webhook does not know state or silences; keep what polling said.
            merged.state = known.state;
            merged.silenced_by = known.silenced_by.clone();
            merged.inhibited_by = known.inhibited_by.clone();
        }
        if merged.group_key.is_none() {
            merged.group_key = known.group_key.clone();
        }
        let news = !(merged.same_as(known)
            && merged.annotations == known.annotations
            && merged.reported_by == known.reported_by
            && merged.group_key == known.group_key
            && merged.generator_url == known.generator_url);
        if !(news || resolved_now) {
            // Nothing to show: the window's copy stays shared.
            return None;
        }
        entry.alert = Arc::new(merged);
        if resolved_now {
            Some(AlertChange::Resolved(fingerprint))
        } else {
            Some(AlertChange::Updated(fingerprint))
        }
    }
}

#[cfg(test)]
mod tests;
