//! Settings of the Alertmanager webhook receiver.

use serde::{Deserialize, Serialize};

use super::Secret;

/// Where and how the console takes Alertmanager's webhooks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IntakeSettings {
    /// Whether the receiver listens (off until set up: nothing listens by surprise).
    pub enabled: bool,
    /// `host:port` to listen on; 127.0.0.1 unless `allow_remote`.
    pub addr: String,
    /// The bearer token (or basic password) Alertmanager must send; empty for none, which
    /// only a loopback address accepts.
    pub token: Secret,
    /// Listen on an address other machines can reach (needs a token).
    pub allow_remote: bool,
    /// Alertmanagers to poll (`GET /api/v2/alerts` and `/api/v2/status`), so the console
    /// converges at start and after a missed webhook; HA replicas are merged by fingerprint.
    pub alertmanager_urls: Vec<String>,
    /// Bearer token sent to every polled Alertmanager; empty for none.
    pub alertmanager_token: Secret,
    /// Seconds between two polls of each Alertmanager.
    pub poll_interval_secs: u64,
    /// Seconds before a poll gives up.
    pub timeout_secs: u64,
    /// Minutes after an acknowledgement when, its alerts still firing, the one who acked is
    /// reminded (once, in the incident's thread); 0: never.
    pub remind_after_mins: u32,
    /// Minutes after an acknowledgement when, nobody having acted on the incident (a mark, a
    /// note, a plan, taking it) and its alerts still firing, the acknowledgement is dropped and
    /// its silences expired; 0: never (the default).
    pub unack_after_mins: u32,
    /// Minutes after which an incident from alerts of [`Self::escalate_severities`] that
    /// nobody acknowledged (or took) is escalated (once, through Slack and mail); 0: never.
    pub escalate_after_mins: u32,
    /// The severities that escalate.
    pub escalate_severities: Vec<String>,
    /// What the escalation puts first in Slack: `<!here>`, `<!subteam^ID>`, `<@U123>`…
    pub escalate_mention: String,
}

impl Default for IntakeSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            addr: "127.0.0.1:9095".into(),
            token: Secret::default(),
            allow_remote: false,
            alertmanager_urls: Vec::new(),
            alertmanager_token: Secret::default(),
            poll_interval_secs: 30,
            timeout_secs: 10,
            remind_after_mins: 30,
            unack_after_mins: 0,
            escalate_after_mins: 15,
            escalate_severities: vec!["critical".into()],
            escalate_mention: "<!here>".into(),
        }
    }
}

/// Why something from outside did not get in: a request the receiver refused, or an alert
/// the alert book would not take. Typed, so that the feed says it in the user's language,
/// once a minute per kind, and never with the request's own bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum IntakeRefusal {
    /// A method other than POST.
    Method,
    /// A request with an `Origin` header: a web page's.
    FromWebPage,
    /// A body not sent as `application/json`.
    NotJson,
    /// A missing or wrong token.
    Unauthorized,
    /// A body past the receiver's cap.
    TooLarge,
    /// A body that did not arrive in time.
    SlowBody,
    /// A body that could not be read.
    Unreadable,
    /// Not an Alertmanager webhook payload (its JSON, a field, a status or a time).
    NotAlertmanager,
    /// A webhook payload version other than "4".
    Version,
    /// An alert's fingerprint empty, too long, or with control characters.
    Fingerprint,
    /// A webhook alert whose `startsAt` or `endsAt` lies further in the future than a clock
    /// can be wrong ([`crate::detect::alerts::FUTURE_TOLERANCE_SECS`]).
    FutureTime,
    /// A webhook's resolve of an alert that a polled Alertmanager still lists as firing.
    ResolveWhilePolled,
    /// A webhook's other firing episode (`startsAt`) of an alert a polled Alertmanager lists.
    EpisodeWhilePolled,
    /// A new alert while the alert book holds its maximum of firing alerts.
    BookFull,
    /// A new incident from an alert while the most incidents alerts may keep open are open.
    IncidentsFull,
}

/// How one polled Alertmanager is doing, for the Alerts tab's banner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmHealth {
    /// Its URL, as alerts name it (no credentials).
    pub url: String,
    /// Whether its last poll succeeded (`false` too before it ever answered).
    pub up: bool,
    /// When its polls began to fail, while they do.
    pub failing_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Why its last poll failed, in words, while they do.
    pub reason: Option<String>,
    /// When its last successful poll was sent.
    pub last_good: Option<chrono::DateTime<chrono::Utc>>,
}

/// Desktop notifications: when the console raises one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DesktopSettings {
    /// The off switch.
    pub enabled: bool,
    /// Alert severities (the `severity` label) that raise a notification when a new alert
    /// fires; a new incident always does.
    pub severities: Vec<String>,
    /// What each severity does: its sound, its repeats, quiet hours (`DesktopSettings::call`).
    pub alarms: Vec<super::Alarm>,
    /// The sounds' volume, 0–100 % of the bundled files' level.
    pub volume_pct: u8,
    /// No sound and no repeats at all.
    pub muted: bool,
    /// When only severities that say so make a sound or repeat.
    pub quiet: super::QuietHours,
    /// A tray icon in the window's run (where the platform has one).
    pub tray: bool,
    /// Closing the window keeps the console watching in the tray (with a tray icon).
    pub close_to_tray: bool,
    /// Start when the user logs in (an XDG autostart entry; Windows' Run key).
    pub start_at_login: bool,
    /// Started at login, start in the tray, the window hidden.
    pub start_minimised: bool,
    /// Whether "keeps watching in the tray" was said (it is said the first time only).
    pub said_tray: bool,
    /// The tray's "mute for 1 h": no sound and no repeats until then, kept over a restart.
    /// The engine owns it (the tray's menu sets it); a saved settings form keeps its value.
    pub muted_until: Option<chrono::DateTime<chrono::Utc>>,
}

impl Default for DesktopSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            severities: vec!["critical".into()],
            alarms: super::alarm::default_alarms(),
            volume_pct: 70,
            muted: false,
            quiet: super::QuietHours::default(),
            tray: true,
            close_to_tray: true,
            start_at_login: false,
            start_minimised: false,
            said_tray: false,
            muted_until: None,
        }
    }
}
