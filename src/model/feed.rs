use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::FeedEvent;

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
    /// An alert from Alertmanager began firing.
    Alert,
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
            FeedKind::Alert => "ALERT",
        }
    }
}

/// One timestamped event of the feed. Words are made from `event` when it is shown, in the
/// reader's language (`crate::text::feed`).
///
/// Reads v0.1's form too (`message: "..."`, an English sentence), as [`FeedEvent::Legacy`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "FeedEntryWire")]
pub struct FeedEntry {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What kind of event it is (always `event.kind()`, or v0.1's kind for a legacy line).
    pub kind: FeedKind,
    /// What happened.
    pub event: FeedEvent,
}

impl FeedEntry {
    /// An entry for `event` at `at`.
    pub fn new(at: DateTime<Utc>, event: FeedEvent) -> Self {
        Self {
            at,
            kind: event.kind(),
            event,
        }
    }
}

/// Both forms of an entry on disk. Neither field is an `Option` on the wire: RON would want
/// `Some(...)` around today's `event`, and v0.1 wrote `message` as a plain string.
#[derive(Deserialize)]
struct FeedEntryWire {
    at: DateTime<Utc>,
    kind: FeedKind,
    #[serde(default = "no_event")]
    event: FeedEvent,
    // v0.1:
    #[serde(default)]
    message: String,
}

fn no_event() -> FeedEvent {
    FeedEvent::Legacy(String::new())
}

impl From<FeedEntryWire> for FeedEntry {
    fn from(w: FeedEntryWire) -> Self {
        let event = match w.event {
            FeedEvent::Legacy(text) if text.is_empty() => FeedEvent::Legacy(w.message),
            event => event,
        };
        FeedEntry {
            at: w.at,
            kind: w.kind,
            event,
        }
    }
}

/// Makes room for one more entry in a feed of at most `limit`: the oldest alert arrival
/// ([`FeedEvent::is_alert_traffic`]) goes first, and only a feed with none loses its oldest
/// entry.
pub fn make_room(feed: &mut std::collections::VecDeque<FeedEntry>, limit: usize) {
    while feed.len() >= limit.max(1) {
        match feed.iter().position(|e| e.event.is_alert_traffic()) {
            Some(i) => {
                feed.remove(i);
            }
            None => {
                feed.pop_front();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_feed_drops_alert_traffic_before_the_responders_own_lines() {
        let at = Utc::now();
        let fired = |i: u64| {
            FeedEntry::new(
                at,
                FeedEvent::AlertFired {
                    name: format!("A{i}"),
                    severity: String::new(),
                    summary: String::new(),
                    fingerprint: i.to_string(),
                    source: "am".into(),
                },
            )
        };
        let own = |id: u64| FeedEntry::new(at, FeedEvent::UnknownIncident { id });
        let mut feed: std::collections::VecDeque<FeedEntry> =
            [own(1), fired(1), own(2), fired(2)].into();
        for i in 3..10 {
            make_room(&mut feed, 4);
            feed.push_back(fired(i));
        }
        let own_left = feed
            .iter()
            .filter(|e| matches!(e.event, FeedEvent::UnknownIncident { .. }))
            .count();
        assert_eq!(own_left, 2, "the storm never pushed them out");
        assert_eq!(feed.len(), 4);
        // Only once nothing else is left does the oldest go.
        let mut feed: std::collections::VecDeque<FeedEntry> = [own(1), own(2)].into();
        make_room(&mut feed, 2);
        assert!(matches!(
            feed[0].event,
            FeedEvent::UnknownIncident { id: 2 }
        ));
    }
}
