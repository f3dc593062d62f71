//! Alerts as the engine owns them: the webhook receiver's life (started, moved or stopped
//! with the settings), what it reports, and the alert book that merges it all.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::intake::{self, IntakeEvent};
use super::{Engine, Input};
use crate::detect::alerts::AlertChange;
use crate::model::{Alert, AlertStatus, FeedEvent, IntakeSettings};

/// The running receiver and the settings it runs with.
pub(super) struct IntakeRun {
    settings: IntakeSettings,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for IntakeRun {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Engine {
    /// Starts, moves or stops the receiver to match the settings.
    pub(super) fn select_intake(&mut self) {
        let wanted = self.settings.intake.clone();
        if !wanted.enabled {
            self.intake = None;
            return;
        }
        if self.intake.as_ref().is_some_and(|r| r.settings == wanted) {
            return;
        }
        // Drop the old one first, so a new one may take the same port.
        self.intake = None;
        self.intake_refusal = None;
        let tx = self.inputs.clone();
        let sink: intake::Sink = Arc::new(move |e| tx.send(Input::Intake(e)).is_ok());
        let token = (!wanted.token.is_empty()).then(|| wanted.token.clone());
        let task = tokio::spawn(intake::run(
            wanted.addr.clone(),
            wanted.allow_remote,
            token,
            self.clock.clone(),
            sink,
        ));
        self.intake = Some(IntakeRun {
            settings: wanted,
            task,
        });
    }

    /// Handles what the receiver reported.
    pub(super) fn on_intake(&mut self, event: IntakeEvent) {
        let now = self.clock.now();
        match event {
            IntakeEvent::Listening { addr } => {
                let addr = addr.to_string();
                self.emit(now, FeedEvent::IntakeListening { addr });
            }
            IntakeEvent::Unusable { reason } => {
                self.intake = None;
                self.emit(now, FeedEvent::IntakeUnusable { reason });
            }
            IntakeEvent::Refused { status, reason } => {
                // Once per different reason: a misconfigured Alertmanager retries for ever.
                if self.intake_refusal.as_deref() != Some(reason.as_str()) {
                    self.intake_refusal = Some(reason.clone());
                    self.emit(now, FeedEvent::IntakeRefused { status, reason });
                }
            }
            IntakeEvent::Webhook { group, at } => {
                self.intake_refusal = None;
                if group.truncated_alerts > 0 {
                    let event = FeedEvent::AlertsTruncated {
                        group: group.group_key.clone(),
                        count: group.truncated_alerts,
                    };
                    self.emit(at, event);
                }
                let changes = self.alerts.webhook(&group.alerts, at);
                self.on_alert_changes(&changes, at);
            }
        }
    }

    /// Says what changed in the feed and publishes the alerts.
    fn on_alert_changes(&mut self, changes: &[AlertChange], at: DateTime<Utc>) {
        if changes.is_empty() {
            return;
        }
        for change in changes {
            let (AlertChange::Fired(fp) | AlertChange::Resolved(fp) | AlertChange::Updated(fp)) =
                change;
            let Some(alert) = self.alerts.alert(fp) else {
                continue;
            };
            let event = match change {
                AlertChange::Fired(_) if alert.status == AlertStatus::Firing => {
                    FeedEvent::AlertFired {
                        name: alert.name().to_string(),
                        severity: alert.severity().to_string(),
                        summary: alert.summary().to_string(),
                        fingerprint: alert.fingerprint.clone(),
                        source: alert.reported_by.iter().next().cloned().unwrap_or_default(),
                    }
                }
                AlertChange::Resolved(_) => FeedEvent::AlertResolved {
                    name: alert.name().to_string(),
                    fingerprint: alert.fingerprint.clone(),
                    after_secs: (alert.ends_at.unwrap_or(at) - alert.starts_at).num_seconds(),
                },
                _ => continue,
            };
            self.emit(at, event);
        }
        let alerts: Vec<Alert> = self.alerts.alerts().cloned().collect();
        self.board_mut().alerts = Arc::new(alerts);
    }
}
