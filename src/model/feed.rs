use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What kind of event a feed entry records; the UI colours and filters by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeedKind {
    /// The monitor found a new breach and opened an incident.
    Detection,
    /// A breach attached to an incident that was already open.
    Refire,
    /// The detection window is clean again.
    Cleared,
    /// The user fired a scenario by hand.
    Trigger,
    /// A recovery verification result.
    Verification,
    /// An action plan was executed, deferred or finished.
    Action,
    /// An incident recovered after its plan ran.
    Recovered,
    /// An incident changed status otherwise (closed).
    Status,
    /// Settings were saved.
    Settings,
    /// Something went wrong; the message says what.
    Error,
    /// Anything else worth a line (startup, source changes).
    Info,
}

impl FeedKind {
    /// Upper-case tag used in headless output and the feed's kind column.
    pub fn tag(self) -> &'static str {
        match self {
            FeedKind::Detection => "DETECTED",
            FeedKind::Refire => "REFIRE",
            FeedKind::Cleared => "CLEARED",
            FeedKind::Trigger => "TRIGGER",
            FeedKind::Verification => "VERIFY",
            FeedKind::Action => "ACTION",
            FeedKind::Recovered => "RECOVERED",
            FeedKind::Status => "STATUS",
            FeedKind::Settings => "SETTINGS",
            FeedKind::Error => "ERROR",
            FeedKind::Info => "INFO",
        }
    }
}

/// One timestamped line of the event feed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeedEntry {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What kind of event it is.
    pub kind: FeedKind,
    /// The line itself, in words.
    pub message: String,
}

impl FeedEntry {
    /// The single-line form printed by `--headless`.
    pub fn line(&self) -> String {
        format!(
            "{} {:<9} {}",
            self.at.format("%Y-%m-%dT%H:%M:%SZ"),
            self.kind.tag(),
            self.message
        )
    }
}
