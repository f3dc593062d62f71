//! Desktop notifications: a new incident, or a new alert whose severity the settings name,
//! raises one OS notification. Once per alert; an alert that fires again within
//! [`QUIET_AFTER_MINS`] of its last notification is flapping and raises none; the off switch
//! in settings; where no notification service answers, the feed says so once and the console
//! carries on (it keeps trying, quietly, in case one starts). Only the window's run raises
//! them (`EngineConfig::desktop_notifications`): a headless run has no desktop. Each plays its
//! severity's sound and may repeat until someone acknowledges (`ring.rs`).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::engine::AckTarget;
use crate::engine::Engine;
use crate::model::{Alert, FeedEvent};

/// Minutes after a notification during which the same alert firing again raises none.
pub const QUIET_AFTER_MINS: i64 = 15;

/// Alert notifications a minute; past it the alerts are counted and raise one notification
/// when the minute is over (a storm of 10,000 must not raise 10,000).
pub const ALERT_NOTIFICATIONS_PER_MINUTE: u32 = 5;

/// What the desktop notifier remembers.
#[derive(Debug, Default)]
pub(in crate::engine) struct Desktop {
    /// Per alert fingerprint: when it last raised a notification.
    last: HashMap<String, DateTime<Utc>>,
    /// Whether the feed says that no service answers.
    unavailable: crate::engine::said::Said<()>,
    /// Whether this run has a desktop (the window's run).
    pub(in crate::engine) on: bool,
    /// The current minute of alert notifications: when it began (engine time, for waking)
    /// and how many it raised.
    minute: Option<(tokio::time::Instant, u32)>,
    /// Alerts held back this minute: how many, and whether any was critical.
    held: (u64, bool),
    /// What repeats until someone acknowledges, and where its notification is.
    pub(super) rings: super::ring::Rings,
    /// Whether the tray's host was last said there (`None`: nothing said, it was there from
    /// the start or there is no tray).
    pub(in crate::engine) tray_shown: Option<bool>,
    /// The desktop task, once a notification was raised.
    pub(super) link: Option<tokio::sync::mpsc::UnboundedSender<super::desktop_link::Ask>>,
}

impl Desktop {
    /// The notifier of a run with a desktop (`on`) or without.
    pub fn new(on: bool) -> Self {
        Desktop {
            on,
            ..Default::default()
        }
    }
}

/// What the desktop notifier did this run: shown to the user in the Alertmanager tab, and
/// waited on by tests (every attempt reported) instead of sleeping.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DesktopCounts {
    /// Notifications handed to the platform's service.
    pub asked: u64,
    /// Of those, shown.
    pub shown: u64,
    /// Of those, refused or unreachable.
    pub failed: u64,
    /// Alerts and incidents whose notification repeats until someone answers.
    pub ringing: usize,
}

impl DesktopCounts {
    /// Attempts not reported yet.
    pub fn in_flight(&self) -> u64 {
        self.asked - self.shown - self.failed
    }
}

/// What a notification reports: that it was shown (its id) or why not, then, for one with
/// actions, what the person did with it.
#[derive(Debug)]
pub enum DesktopReport {
    /// The attempt's outcome.
    Shown {
        /// What the notification is about (`None` for a storm's count).
        about: Option<AckTarget>,
        /// Its id where the platform has one, or why it was not shown.
        result: Result<u32, crate::integrations::desktop::Unshown>,
    },
    /// The person's answer.
    Answered {
        /// What the notification is about.
        about: AckTarget,
        /// What they did.
        answer: crate::integrations::desktop::Answer,
    },
}

/// What one notification says and is about.
#[derive(Debug)]
pub(in crate::engine) struct Notice {
    /// What it is about; `None` for a storm's count (nothing to acknowledge).
    pub about: Option<AckTarget>,
    /// The `severity` of what it is about (its sound and repeats).
    pub severity: String,
    /// Its headline, in the user's language.
    pub title: String,
    /// Its body, in the user's language.
    pub body: String,
}

impl Engine {
    /// A new incident: always worth a notification (unless switched off).
    pub(in crate::engine) fn desktop_incident(&mut self, id: u64) {
        if !self.settings.desktop.enabled || !self.desktop.on {
            return;
        }
        let Some(inc) = self.book.find(id) else {
            return;
        };
        let (title, body) = crate::text::desktop::desktop_incident(inc, self.settings.language);
        let severity = self.incident_severity(inc);
        self.show_desktop(Notice {
            about: Some(AckTarget::Incident(id)),
            severity,
            title,
            body,
        });
    }

    /// A new firing alert: a notification when its severity is named in settings, once per
    /// alert, and none while it flaps.
    pub(in crate::engine) fn desktop_alert(&mut self, alert: &Alert, now: DateTime<Utc>) {
        let d = &self.settings.desktop;
        if !d.enabled || !self.desktop.on || !d.severities.iter().any(|s| s == alert.severity()) {
            return;
        }
        let quiet = Duration::minutes(QUIET_AFTER_MINS);
        let last = &mut self.desktop.last;
        if last
            .get(&alert.fingerprint)
            .is_some_and(|&at| now - at < quiet)
        {
            return;
        }
        // Forget what is too old to matter, so the map stays small (not on every alert: a
        // storm would make that quadratic).
        if last.len() >= 1024 {
            last.retain(|_, &mut at| now - at < quiet);
        }
        last.insert(alert.fingerprint.clone(), now);
        let critical = alert.severity().eq_ignore_ascii_case("critical");
        let instant = tokio::time::Instant::now();
        let minute = match self.desktop.minute {
            Some((start, n)) if instant < start + std::time::Duration::from_secs(60) => (start, n),
            _ => (instant, 0),
        };
        if minute.1 >= ALERT_NOTIFICATIONS_PER_MINUTE {
            self.desktop.minute = Some(minute);
            self.desktop.held.0 += 1;
            self.desktop.held.1 |= critical;
            return;
        }
        self.desktop.minute = Some((minute.0, minute.1 + 1));
        let (title, body) = crate::text::desktop::desktop_alert(alert, self.settings.language);
        self.show_desktop(Notice {
            about: Some(AckTarget::Alert(alert.fingerprint.clone())),
            severity: alert.severity().to_string(),
            title,
            body,
        });
    }

    /// When the minute with alerts held back ends, if one has.
    pub(in crate::engine) fn desktop_due(&self) -> Option<tokio::time::Instant> {
        let (start, _) = self.desktop.minute?;
        (self.desktop.held.0 > 0).then(|| start + std::time::Duration::from_secs(60))
    }

    /// Once the minute is over: one notification for the alerts held back in it.
    pub(in crate::engine) fn desktop_held(&mut self) {
        let Some(due) = self.desktop_due() else {
            return;
        };
        if tokio::time::Instant::now() < due {
            return;
        }
        let (count, critical) = std::mem::take(&mut self.desktop.held);
        self.desktop.minute = None;
        let (title, body) = crate::text::desktop::desktop_storm(count, self.settings.language);
        let severity = if critical { "critical" } else { "warning" };
        self.show_desktop(Notice {
            about: None,
            severity: severity.into(),
            title,
            body,
        });
    }

    /// Takes what a notification reported.
    pub(in crate::engine) fn on_desktop(&mut self, report: DesktopReport) {
        match report {
            DesktopReport::Shown { about, result } => self.on_desktop_shown(about, result),
            DesktopReport::Answered { about, answer } => self.on_desktop_answer(about, answer),
        }
    }

    fn on_desktop_shown(
        &mut self,
        about: Option<AckTarget>,
        result: Result<u32, crate::integrations::desktop::Unshown>,
    ) {
        let counts = &mut self.board_mut().desktop;
        match result {
            Ok(_) => counts.shown += 1,
            Err(_) => counts.failed += 1,
        }
        if let (Some(about), Ok(id)) = (&about, &result) {
            self.desktop.rings.shown(about, *id);
        }
        match result {
            Ok(_) => {
                self.desktop.unavailable.over();
            }
            Err((fault, reason)) if self.desktop.unavailable.news(()) => {
                let now = self.clock.now();
                self.emit(now, FeedEvent::DesktopUnavailable { fault, reason });
            }
            Err(_) => {}
        }
    }
}
