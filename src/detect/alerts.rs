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

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::model::{Alert, AlertStatus, WEBHOOK_SOURCE};

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

/// Every alert the console knows, by fingerprint.
#[derive(Clone, Debug, Default)]
pub struct AlertBook {
    alerts: BTreeMap<String, Alert>,
}

impl AlertBook {
    /// Every alert, by fingerprint.
    pub fn alerts(&self) -> impl Iterator<Item = &Alert> {
        self.alerts.values()
    }

    /// The alert with this fingerprint.
    pub fn alert(&self, fingerprint: &str) -> Option<&Alert> {
        self.alerts.get(fingerprint)
    }

    /// Takes a webhook's alerts, which arrived at `at`.
    pub fn webhook(&mut self, alerts: &[Alert], at: DateTime<Utc>) -> Vec<AlertChange> {
        alerts
            .iter()
            .filter_map(|a| {
                let mut a = a.clone();
                a.seen_at = at;
                self.merge(a)
            })
            .collect()
    }

    /// Takes a successful poll of the Alertmanager `source`, whose request was sent at
    /// `sent_at`. `polled` names every Alertmanager the engine polls.
    pub fn poll(
        &mut self,
        source: &str,
        alerts: Vec<Alert>,
        sent_at: DateTime<Utc>,
        polled: &BTreeSet<String>,
    ) -> Vec<AlertChange> {
        let listed: BTreeSet<String> = alerts.iter().map(|a| a.fingerprint.clone()).collect();
        let mut changes: Vec<AlertChange> = alerts
            .into_iter()
            .filter_map(|mut a| {
                a.seen_at = sent_at;
                self.merge(a)
            })
            .collect();
        for alert in self.alerts.values_mut() {
            if alert.status != AlertStatus::Firing || listed.contains(&alert.fingerprint) {
                continue;
            }
            let was_reported = alert.reported_by.remove(source);
            let still_polled = alert.reported_by.iter().any(|s| polled.contains(s));
            // Webhook-only news that arrived after this poll was sent is not contradicted by
            // it.
            let heard_since = alert.seen_at > sent_at;
            let webhook_only = alert.reported_by.iter().all(|s| s == WEBHOOK_SOURCE);
            if still_polled || heard_since || (!was_reported && !webhook_only) {
                if was_reported {
                    changes.push(AlertChange::Updated(alert.fingerprint.clone()));
                }
                continue;
            }
            alert.status = AlertStatus::Resolved;
            alert.ends_at = Some(sent_at);
            changes.push(AlertChange::Resolved(alert.fingerprint.clone()));
        }
        changes
    }

    /// Folds one arrival into what is known.
    fn merge(&mut self, incoming: Alert) -> Option<AlertChange> {
        let fingerprint = incoming.fingerprint.clone();
        let Some(known) = self.alerts.get_mut(&fingerprint) else {
            let change = match incoming.status {
                AlertStatus::Firing => AlertChange::Fired(fingerprint.clone()),
                AlertStatus::Resolved => AlertChange::Resolved(fingerprint.clone()),
            };
            self.alerts.insert(fingerprint, incoming);
            return Some(change);
        };
        if incoming.starts_at != known.starts_at {
            if incoming.starts_at < known.starts_at {
                // A late copy of an older episode.
                return None;
            }
            let change = match incoming.status {
                AlertStatus::Firing => AlertChange::Fired(fingerprint),
                AlertStatus::Resolved => AlertChange::Resolved(fingerprint),
            };
            *known = incoming;
            return Some(change);
        }
        if known.status == AlertStatus::Resolved && incoming.status == AlertStatus::Firing {
            // Resolved wins within an episode.
            return None;
        }
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
            && merged.reported_by == known.reported_by);
        *known = merged;
        if resolved_now {
            Some(AlertChange::Resolved(fingerprint))
        } else if news {
            Some(AlertChange::Updated(fingerprint))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests;
