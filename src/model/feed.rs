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

impl FeedEvent {
    /// Whether this is alert traffic (an alert fired or resolved, a storm, what the intake
    /// did not take): when the feed is full it goes first, so that a storm never pushes the
    /// detections and the responder's own acts out.
    pub fn is_alert_traffic(&self) -> bool {
        use FeedEvent::*;
        matches!(
            self,
            AlertFired { .. }
                | AlertResolved { .. }
                | AlertStorm { .. }
                | AlertsTruncated { .. }
                | AlertsCut { .. }
                | NotTaken { .. }
                | IntakeRefused { .. }
        )
    }

    /// The kind the feed colours and filters by.
    pub fn kind(&self) -> FeedKind {
        use FeedEvent::*;
        match self {
            Legacy(_) => FeedKind::Info,
            Detected { .. } => FeedKind::Detection,
            Refired { .. } => FeedKind::Refire,
            Triggered { .. } => FeedKind::Trigger,
            Cleared { .. } | AlertResolved { .. } => FeedKind::Cleared,
            AlertFired { .. } | AlertIncident { .. } | AlertAttached { .. } | AlertStorm { .. } => {
                FeedKind::Alert
            }
            AlertsAllResolved { .. } => FeedKind::Recovered,
            AiReportReady { .. } => FeedKind::Info,
            KnowledgeImported { errors, .. } if !errors.is_empty() => FeedKind::Error,
            KnowledgeImported { .. } => FeedKind::Info,
            AiReportFailed { .. } | ReviewDraftFailed { .. } => FeedKind::Error,
            ReviewDraftAsked { .. } | ReviewDrafted { .. } => FeedKind::Info,
            Acknowledged { .. } | AcknowledgedMany { .. } | Unsilenced { .. } => FeedKind::Action,
            AckExtended { .. } | AckLapsed { .. } | AckReminder { .. } | AckDropped { .. } => {
                FeedKind::Info
            }
            Escalated { .. } => FeedKind::Error,
            AlertsTruncated { .. } => FeedKind::Error,
            TeamUnreachable { .. }
            | TeamUnusable { .. }
            | TeamRefused { .. }
            | TeamEventUnreadable { .. }
            | RunLost { .. } => FeedKind::Error,
            TeamJoined { .. } | TeamBack { .. } => FeedKind::Info,
            TeamOpened { .. } => FeedKind::Detection,
            OwnerChanged { .. } => FeedKind::Action,
            Recovered { .. } => FeedKind::Recovered,
            PlanExecuted { .. }
            | PlanDeferred { .. }
            | DryRunReady { .. }
            | PlanApproved { .. }
            | RunApproved { .. }
            | HypothesisMarked { .. }
            | NoteAdded { .. }
            | NoteEdited { .. }
            | Starred { .. }
            | ReviewWritten { .. }
            | FollowUpAdded { .. }
            | FollowUpChanged { .. } => FeedKind::Action,
            ActionRan { outcome, .. } => match outcome {
                super::ActionOutcome::Failed
                | super::ActionOutcome::TimedOut
                | super::ActionOutcome::Unknown => FeedKind::Error,
                _ => FeedKind::Action,
            },
            PlanStopped { .. } | OutcomeUnknown { .. } | AuditFailed { .. } => FeedKind::Error,
            Closed { .. }
            | Connected { .. }
            | SourceBack { .. }
            | IntakeListening { .. }
            | AlertmanagerUp { .. }
            | FlappingStarted { .. }
            | FlappingStopped { .. } => FeedKind::Status,
            Verified { .. } | VerifyImpossible { .. } => FeedKind::Verification,
            Overridden { .. }
            | PromTested { .. }
            | SettingsSaved { .. }
            | LanguageSet
            | SlackTested { .. }
            | RuleSaved { .. }
            | IntakeTokenMade
            | RuleRemoved { .. } => FeedKind::Settings,
            RestoreProblem(_)
            | FileSkipped { .. }
            | EnvironmentProblem(_)
            | RunbookMissing { .. }
            | PlanRefused { .. }
            | NotDeferred { .. }
            | UnknownIncident { .. }
            | UnknownEvent { .. }
            | NoScenario { .. }
            | SourceFailing { .. }
            | QueryProblems { .. }
            | SourceUnusable { .. }
            | IntakeUnusable { .. }
            | IntakeRefused { .. }
            | NotTaken { .. }
            | AlertsCut { .. }
            | AlertmanagerFailing { .. }
            | AckFailed { .. }
            | AckNotMade { .. }
            | AutostartFailed { .. }
            | SettingsRejected { .. }
            | SaveFailed { .. }
            | ExportFailed { .. }
            | RuleRejected { .. }
            | NotSentToSlack { .. }
            | DeliveryPending { .. }
            | DeliveryRetrying { .. } => FeedKind::Error,
            // A target nobody set up yet is a hint; one set up but broken is an error.
            TargetUnusable { set_up: true, .. } => FeedKind::Error,
            TargetUnusable { set_up: false, .. } => FeedKind::Info,
            Started { .. }
            | OutboxRestored { .. }
            | DemoBackfilled { .. }
            | DesktopUnavailable { .. }
            | WentToTray
            | TrayUnavailable { .. }
            | TrayHost { .. }
            | AutostartSet { .. }
            | DemoLacks { .. }
            | SeriesMissing { .. }
            | SeriesClear { .. }
            | EvidenceChecked { .. }
            | Backfilled { .. }
            | QueriesHealthy { .. }
            | SaveRecovered { .. }
            | Exported { .. }
            | ExportCancelled
            | ScenariosReloaded { .. }
            | RulesReloaded { .. }
            | QueuedForSlack { .. }
            | Delivered { .. }
            | DeliveryRetry { .. }
            | DeliveryDropped { .. } => FeedKind::Info,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ack_failure_written_before_ack_problems_were_typed_still_loads() {
        let old = r##"AckFailed(id: Some(3), name: "#3", reason: "it has no silence to expire")"##;
        let event: FeedEvent = ron::from_str(old).unwrap();
        assert_eq!(event.kind(), FeedKind::Error);
        let new = FeedEvent::AckNotMade {
            subject: crate::model::AckSubject::Incident { id: 3 },
            problem: crate::model::AckProblem::NoSilence,
        };
        let back: FeedEvent = ron::from_str(&ron::to_string(&new).unwrap()).unwrap();
        assert_eq!(back, new);
    }

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
