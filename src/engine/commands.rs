//! Intents the UI (or a test) sends to the engine. Results come back as state changes, never as
//! return values: an immediate-mode UI re-reads the state every frame anyway.

use crate::model::{HypothesisMark, PrometheusSettings, Rule, RuleId, Settings, SlackSettings};

/// One thing the user asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Fire a scenario by hand: the given code, or a random one for `None`.
    TriggerScenario {
        /// Scenario code, or `None` for a random scenario.
        code: Option<String>,
    },
    /// Record the responder's verdict on a hypothesis.
    MarkHypothesis {
        /// Incident id.
        incident: u64,
        /// Index into the scenario's hypotheses.
        hypothesis: usize,
        /// The verdict.
        mark: HypothesisMark,
    },
    /// The approval dialog opened: publish what approving incident `incident`'s plan would
    /// run, filled and masked (`Board::previews`). Runs nothing.
    PreviewPlan {
        /// Incident id.
        incident: u64,
    },
    /// Run the incident's action plan (the responder approved it).
    ExecutePlan {
        /// Incident id.
        incident: u64,
        /// What the responder typed for each high-risk action (index, text): the incident id,
        /// or the runbook's confirmation word. The engine refuses the whole plan, in words,
        /// when any high-risk action still to run lacks it.
        confirmations: Vec<(usize, String)>,
        /// What the responder typed to say they know other consoles may act too: needed for
        /// a high-risk action only while a team store is set and not joined
        /// ([`crate::model::alone_ack_ok`]).
        alone_ack: String,
    },
    /// The second approval: run action `action` for real after its dry run.
    ApproveRun {
        /// Incident id.
        incident: u64,
        /// Index of the action whose dry run waits.
        action: usize,
    },
    /// Do not run the action whose dry run waits: the plan stops there.
    StopPlan {
        /// Incident id.
        incident: u64,
    },
    /// Keep the plan for manual review.
    DeferPlan {
        /// Incident id.
        incident: u64,
    },
    /// Read the current values now and say whether they are under the thresholds.
    VerifyRecovery,
    /// Close an incident.
    CloseIncident {
        /// Incident id.
        incident: u64,
        /// What the responder wrote as its resolution (may be empty).
        resolution: String,
    },
    /// Add a note to an incident's timeline, or (`edits`) a new text for an earlier note.
    Note {
        /// Incident id.
        incident: u64,
        /// The note (trimmed; at most `NOTE_LIMIT_BYTES` kept; empty: nothing).
        text: String,
        /// The note this one edits.
        edits: Option<crate::model::EventId>,
    },
    /// Write a section of the incident's review (its latest text wins; empty clears it).
    WriteReviewSection {
        /// Incident id.
        incident: u64,
        /// Which section.
        section: crate::model::ReviewSection,
        /// Its text (trimmed; at most `NOTE_LIMIT_BYTES` kept).
        text: String,
    },
    /// Add a follow-up (`follow_up: None`) or change one: its new version.
    FollowUp {
        /// Incident id.
        incident: u64,
        /// The follow-up changed: the id of the event that added it.
        follow_up: Option<crate::model::EventId>,
        /// What it is now (an empty text is nothing).
        item: crate::model::FollowUp,
    },
    /// Star or unstar one event of an incident's timeline (starred ones lead the review).
    Star {
        /// Incident id.
        incident: u64,
        /// The event.
        event: crate::model::EventId,
        /// Starred or not.
        starred: bool,
    },
    /// The window has this incident open (or none): in team mode, others see who is on it.
    Viewing {
        /// The incident.
        incident: Option<u64>,
    },
    /// No sound and no repeated notifications for `mins` minutes (0: sound again now); the
    /// tray's "mute for 1 h". Saved, so a restart within the hour stays quiet.
    Mute {
        /// Minutes from now.
        mins: u32,
    },
    /// The window was closed into the tray (said, with a notification, the first time).
    WentToTray,
    /// The window's run has no tray icon: why, in words (said in the feed).
    TrayUnavailable {
        /// Why.
        fault: crate::model::TrayFault,
        /// What the OS said.
        reason: String,
    },
    /// The tray's host (the panel's StatusNotifierWatcher) is there (`shown`: the icon is on
    /// the panel) or not (yet): the console started before the panel, or the panel went.
    TrayHost {
        /// Whether the icon is shown.
        shown: bool,
    },
    /// Take an incident (become its owner, the incident commander), or hand it to `to`.
    TakeIncident {
        /// Incident id.
        incident: u64,
        /// Who takes it; `None`: the responder of this console.
        to: Option<String>,
    },
    /// Validate, persist and apply new settings.
    SaveSettings(Box<Settings>),
    /// Run both queries once with these (unsaved) Prometheus settings and show what came back.
    TestPrometheus(Box<PrometheusSettings>),
    /// Call Slack's `auth.test` with these (unsaved) Slack settings and show who answered.
    TestSlack(Box<SlackSettings>),
    /// Post an incident's report to the chosen Slack channel now (again, if it was posted).
    SendToSlack {
        /// Incident id.
        incident: u64,
    },
    /// Try a pending notification again.
    RetryNotification {
        /// Outbox job id.
        job: u64,
    },
    /// Let a pending notification go without sending it.
    AcknowledgeNotification {
        /// Outbox job id.
        job: u64,
    },
    /// Write an incident's analysis report as Markdown to `path` (chosen in a file dialog).
    ExportReport {
        /// Incident id.
        incident: u64,
        /// Where to write.
        path: std::path::PathBuf,
    },
    /// Ask the model to draft the review's narrative (summary, contributing factors) from the
    /// incident's facts; the draft lands on its timeline.
    DraftReview {
        /// Incident id.
        incident: u64,
    },
    /// Write an incident's post-incident review to `path`: Markdown (graphs as SVG files
    /// beside it) when it ends in `.md`, else one self-contained HTML file.
    ExportReview {
        /// Incident id.
        incident: u64,
        /// Where to write.
        path: std::path::PathBuf,
    },
    /// The export file dialog returned nothing: cancelled, or no dialog on this desktop.
    ExportCancelled,
    /// Re-read the scenario files.
    ReloadScenarios,
    /// Switch the language now (saved at once, without the rest of the settings form).
    SetLanguage(crate::model::Lang),
    /// Write a rule to the data dir's `rules/` and apply it; `replaces` is the id it had when
    /// the edit began (a renamed rule's old file is removed).
    SaveRule {
        /// The rule as edited.
        rule: Box<Rule>,
        /// Its id before the edit (`None` for a new rule).
        replaces: Option<RuleId>,
    },
    /// Remove a user rule's file (a built-in rule then returns to its embedded form).
    DeleteRule {
        /// The rule.
        id: RuleId,
    },
    /// Run one rule's query once against the Prometheus in force (the Rules tab's Test).
    TestRule(Box<Rule>),
    /// Re-read the rule files.
    ReloadRules,
    /// Open an incident from an Alertmanager alert: the runbook its labels match, or a
    /// generic one built from the alert.
    IncidentFromAlert {
        /// The alert's fingerprint.
        fingerprint: String,
    },
    /// Acknowledge: silence the alerts in the Alertmanagers that reported them, matching
    /// exactly each alert's labels, for `duration_mins` minutes.
    Acknowledge {
        /// An incident (its unresolved alerts) or one alert.
        target: AckTarget,
        /// The silences' comment (empty: the incident's title, or the alert's name).
        comment: String,
        /// How long the silences last.
        duration_mins: u32,
    },
    /// Acknowledge many alerts with one comment: one silence per alert, exactly its labels,
    /// or (`common`) one silence of the label pairs they all share, which may also silence
    /// other alerts with those labels (the window says how many before).
    AcknowledgeMany {
        /// The alerts, by fingerprint.
        fingerprints: Vec<String>,
        /// The silences' comment (empty: "N alerts acknowledged together").
        comment: String,
        /// How long the silences last.
        duration_mins: u32,
        /// One silence of the common matchers instead of one per alert.
        common: bool,
    },
    /// Expire the acknowledgement's silences (and, for an alert, any silence that suppresses
    /// it).
    Unsilence {
        /// What was acknowledged.
        target: AckTarget,
    },
    /// Ask the model about an incident again, with the facts as they are now.
    Analyse {
        /// Incident id.
        incident: u64,
    },
    /// Stop waiting for the model's answer about an incident.
    CancelAnalysis {
        /// Incident id.
        incident: u64,
    },
    /// Search the knowledge base (the side panel's box).
    SearchKnowledge {
        /// What the responder typed.
        query: String,
    },
    /// Import these files into the knowledge base (from the file dialog; empty: cancelled or
    /// no dialog on this desktop).
    ImportKnowledge {
        /// The files picked.
        paths: Vec<std::path::PathBuf>,
    },
    /// One tiny call with these (unsaved) AI settings, to show the answer or the error.
    TestLlm(Box<crate::model::LlmSettings>),
    /// Save everything and stop.
    Shutdown,
}

/// What an acknowledgement is for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AckTarget {
    /// An incident opened from alerts, by id.
    Incident(u64),
    /// One alert, by fingerprint.
    Alert(String),
}
