//! Notifications that call until someone answers: each plays its severity's sound (muted,
//! or hushed in quiet hours, as `DesktopSettings::call` says) and, for a severity that repeats,
//! is shown again every few minutes while the alert fires (or the incident is active) and
//! nobody acknowledged, took or acted on it. On freedesktop desktops the notification has
//! Acknowledge 1 h, Snooze 15 min and Open; the answer comes back here and is obeyed as the
//! window's own command would be, so the engine's rules (an ack needs an Alertmanager, labels
//! that were not cut) apply alike.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::desktop::Notice;
use crate::engine::AckTarget;
use crate::engine::Engine;
use crate::integrations::desktop::{Answer, Toast};
use crate::model::{AlarmSound, AlertStatus, Author, Incident};

/// The notification's action keys: acknowledge (or take), snooze, and `default`, which
/// freedesktop services also send for a click on the notification itself (Open).
const ACK: &str = "ack";
const SNOOZE: &str = "snooze";
const OPEN: &str = "default";

/// How long "Acknowledge" from a notification silences, in minutes.
pub const NOTIFICATION_ACK_MINS: u32 = 60;
/// How long "Snooze" (and "Open") keeps a notification from repeating, in minutes.
pub const SNOOZE_MINS: i64 = 15;
/// At most this many things repeat at once (a storm's alerts are counted in one
/// notification, not rung one by one).
const RINGS_MAX: usize = 32;

/// What repeats, by what it is about.
#[derive(Debug, Default)]
pub(in crate::engine) struct Rings(BTreeMap<AckTarget, Ring>);

/// One thing that repeats.
#[derive(Debug)]
struct Ring {
    notice: Notice,
    /// When it began (a person's act on the incident after this stops it).
    since: DateTime<Utc>,
    /// When it is shown next.
    next_at: DateTime<Utc>,
    /// How many times it was shown.
    shown: u32,
    /// The notification's id while it is on screen (a repeat replaces it).
    id: Option<u32>,
}

impl Rings {
    /// A notification about `about` was shown as `id`.
    pub fn shown(&mut self, about: &AckTarget, id: u32) {
        if let Some(ring) = self.0.get_mut(about) {
            ring.id = (id != 0).then_some(id);
        }
    }
}

impl Engine {
    /// The severity an incident notifies at: its first alert's `severity` label, else its
    /// rule's (`critical` for one opened by hand).
    pub(super) fn incident_severity(&self, inc: &Incident) -> String {
        use crate::model::Severity;
        if let Some(links) = &inc.alerts {
            let first = links.alerts.first();
            return (first.and_then(|(_, labels)| labels.get("severity").cloned()))
                .unwrap_or_default();
        }
        let rule =
            (inc.trigger.rule.as_ref()).and_then(|id| self.rules.iter().find(|r| &r.id == id));
        match rule.map_or(Severity::Critical, |r| r.severity) {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
        .into()
    }

    /// Shows a notice with its severity's sound; one that repeats starts ringing.
    pub(in crate::engine) fn show_desktop(&mut self, notice: Notice) {
        let now = self.clock.now();
        let d = &self.settings.desktop;
        let local = now.with_timezone(&chrono::Local).time();
        let call = d.call(&notice.severity, now, local);
        let lang = self.settings.language;
        let actions = match &notice.about {
            Some(about) => self.actions(about, lang),
            None => Vec::new(),
        };
        let about = notice.about.clone();
        let ring = about.clone().zip(call.repeat_mins);
        let critical = notice.severity.eq_ignore_ascii_case("critical");
        let toast = Toast {
            title: notice.title.clone(),
            body: notice.body.clone(),
            critical,
            sound: None,
            actions,
            replaces: None,
        };
        if let Some((about, every)) = ring {
            let rings = &mut self.desktop.rings.0;
            if rings.len() < RINGS_MAX || rings.contains_key(&about) {
                rings.insert(
                    about,
                    Ring {
                        notice,
                        since: now,
                        next_at: now + Duration::minutes(i64::from(every)),
                        shown: 1,
                        id: None,
                    },
                );
            }
        }
        self.rings_changed();
        self.raise(about, toast, call.sound);
    }

    /// Publishes how many things ring.
    fn rings_changed(&mut self) {
        let n = self.desktop.rings.0.len();
        if self.board.desktop.ringing != n {
            self.board_mut().desktop.ringing = n;
        }
    }

    /// Hands a toast to the desktop task (started at the first).
    fn raise(&mut self, about: Option<AckTarget>, toast: Toast, sound: AlarmSound) {
        self.board_mut().desktop.asked += 1;
        let ask = super::desktop_link::Ask {
            about,
            toast,
            sound: (sound, self.settings.desktop.volume_pct),
            sounds_dir: self.store.dir().join("sounds"),
        };
        let inputs = self.inputs.clone();
        let link = (self.desktop.link).get_or_insert_with(|| super::desktop_link::spawn(inputs));
        let _ = link.send(ask);
    }

    /// At each poll: shows again what still calls and is due; forgets what no longer calls.
    pub(in crate::engine) fn ring_due(&mut self, now: DateTime<Utc>) {
        if self.desktop.rings.0.is_empty() {
            return;
        }
        let keys: Vec<AckTarget> = self.desktop.rings.0.keys().cloned().collect();
        for about in keys {
            if !self.still_calls(&about) {
                self.desktop.rings.0.remove(&about);
                self.rings_changed();
                continue;
            }
            let Some(ring) = self.desktop.rings.0.get(&about) else {
                continue;
            };
            if ring.next_at > now {
                continue;
            }
            let local = now.with_timezone(&chrono::Local).time();
            let call = (self.settings.desktop).call(&ring.notice.severity, now, local);
            let lang = self.settings.language;
            let actions = self.actions(&about, lang);
            let Some(ring) = self.desktop.rings.0.get_mut(&about) else {
                continue;
            };
            // Muted or hushed now: not shown, but still calling once that ends.
            let every = (self
                .settings
                .desktop
                .alarm(&ring.notice.severity)
                .repeat_mins)
                .max(1);
            ring.next_at = now + Duration::minutes(i64::from(every));
            if call.repeat_mins.is_none() {
                continue;
            }
            ring.shown += 1;
            let toast = Toast {
                title: crate::text::desktop::again(&ring.notice.title, ring.shown, lang),
                body: ring.notice.body.clone(),
                critical: ring.notice.severity.eq_ignore_ascii_case("critical"),
                sound: None,
                actions,
                replaces: ring.id,
            };
            self.raise(Some(about), toast, call.sound);
        }
    }

    /// Whether what a notification is about still wants someone: firing (active), and not
    /// acknowledged, silenced, taken, or acted on by a person since it began ringing.
    fn still_calls(&self, about: &AckTarget) -> bool {
        let now = self.clock.now();
        match about {
            AckTarget::Alert(fp) => {
                let Some(alert) = self.alerts.alert(fp) else {
                    return false;
                };
                let acked = (self.alert_acks.get(fp))
                    .is_some_and(|a| a.as_ref().is_some_and(|a| a.holds(now)));
                alert.status == AlertStatus::Firing && alert.silenced_by.is_empty() && !acked
            }
            AckTarget::Incident(id) => {
                let Some(inc) = self.book.find(*id) else {
                    return false;
                };
                let since = self.desktop.rings.0.get(about).map_or(now, |r| r.since);
                let links_quiet = inc.alerts.as_ref().is_some_and(|l| {
                    l.all_resolved() || l.ack.as_ref().is_some_and(|a| a.holds(now))
                });
                let touched = (inc.timeline.iter())
                    .any(|e| e.at >= since && matches!(e.author, Author::Responder(_)));
                inc.status.is_active() && !links_quiet && inc.owner().is_none() && !touched
            }
        }
    }

    /// Whether "Acknowledge" can silence what a notice is about (an alert, or an incident from
    /// alerts); an incident from a rule is taken instead.
    fn acknowledgeable(&self, about: &AckTarget) -> bool {
        match about {
            AckTarget::Alert(_) => true,
            AckTarget::Incident(id) => self.book.find(*id).is_some_and(|i| i.alerts.is_some()),
        }
    }

    /// The buttons of a notification about `about`, labelled in `lang`.
    fn actions(&self, about: &AckTarget, lang: crate::model::Lang) -> Vec<(String, String)> {
        use crate::text::desktop::{ActionLabel, action_label};
        let ack = if self.acknowledgeable(about) {
            ActionLabel::Acknowledge(NOTIFICATION_ACK_MINS)
        } else {
            ActionLabel::Take
        };
        [
            (ACK, ack),
            (SNOOZE, ActionLabel::Snooze(SNOOZE_MINS)),
            (OPEN, ActionLabel::Open),
        ]
        .into_iter()
        .map(|(key, label)| (key.to_string(), action_label(label, lang)))
        .collect()
    }

    /// What the person did with a notification.
    pub(super) fn on_desktop_answer(&mut self, about: AckTarget, answer: Answer) {
        let now = self.clock.now();
        let Answer::Action(action) = answer else {
            // Closed unanswered: a repeat shows a new one.
            if let Some(ring) = self.desktop.rings.0.get_mut(&about) {
                ring.id = None;
            }
            return;
        };
        match action.as_str() {
            ACK => {
                self.desktop.rings.0.remove(&about);
                self.rings_changed();
                match (&about, self.acknowledgeable(&about)) {
                    (AckTarget::Incident(id), false) => self.take_incident(*id, None, now),
                    _ => {
                        let comment = crate::text::desktop::ack_comment(self.settings.language);
                        self.acknowledge(about.clone(), comment, NOTIFICATION_ACK_MINS, now);
                    }
                }
            }
            // Snooze, Open, or the notification itself: quiet for a while; Open also
            // brings the window up on it.
            other => {
                if let Some(ring) = self.desktop.rings.0.get_mut(&about) {
                    ring.next_at = now + Duration::minutes(SNOOZE_MINS);
                    ring.id = None;
                }
                if other != SNOOZE {
                    let board = self.board_mut();
                    board.raise = Some(crate::engine::state::Raise {
                        seq: board.raise.as_ref().map_or(1, |r| r.seq + 1),
                        about,
                    });
                }
            }
        }
    }
}
