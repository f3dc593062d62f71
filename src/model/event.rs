//! What the feed records: typed events, not sentences. Words are made from them at the edge
//! (`crate::text::feed`), in the reader's language, so the same feed reads in Korean or English
//! and tests assert on events rather than on wording.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    AckProblem, AckSubject, JobDesc, Refusal, RuleCount, RuleId, RuleValue, SavedFile, SourceDesc,
    ThresholdDesc, UserFile,
};

/// Everything the feed can say. Free text appears only where it comes from outside (a
/// server's or the OS's error message, a file's parse error) or from v0.1's feed (`Legacy`).
// Field names say what they hold; each variant's comment says when it happens.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FeedEvent {
    /// A sentence from a v0.1 feed file, kept as it was written.
    Legacy(String),
    /// The console started.
    Started {
        source: SourceDesc,
        poll_secs: u64,
        data_dir: String,
        restored: usize,
        /// Active incidents as (id, code).
        active: Vec<(u64, String)>,
    },
    /// A file of the data dir could not be read and was moved aside (words from the store).
    RestoreProblem(String),
    /// A runbook or rule file was skipped (`error` holds file:line:col and the parser's words).
    FileSkipped { file: UserFile, error: String },
    /// The environment could not be used as given (words from the reader of the environment).
    EnvironmentProblem(String),
    /// Environment variables override settings for this run.
    Overridden { names: Vec<String> },
    /// Notifications left by the last run.
    OutboxRestored { waiting: usize, pending: usize },
    /// The demo's graphs were filled with calm samples.
    DemoBackfilled { samples: u64 },
    /// The demo has no data for these rules.
    DemoLacks { rules: Vec<RuleId> },
    /// A breach of a rule opened an incident (`series`: the newly breaching ones, worst first).
    Detected {
        id: u64,
        code: String,
        series: Vec<String>,
        values: Vec<RuleValue>,
    },
    /// A breach attached to an active incident.
    Refired {
        id: u64,
        code: String,
        count: u32,
        series: Vec<String>,
        values: Vec<RuleValue>,
        /// Another series of the rule was still in breach.
        ongoing: bool,
    },
    /// The responder fired a runbook by hand (`refired`: it attached to an active incident).
    Triggered {
        id: u64,
        code: String,
        random: bool,
        refired: bool,
        values: Vec<RuleValue>,
        /// When the source is failing: the time of the last good sample shown.
        stale_since: Option<DateTime<Utc>>,
    },
    /// No series of the rule is in breach any more.
    Cleared {
        threshold: ThresholdDesc,
        window: u32,
    },
    /// One series' window is clean again (an incident's timeline says it).
    SeriesClear { rule: RuleId, series: String },
    /// A series stopped arriving for a whole window; counted as clean.
    SeriesMissing {
        rule: RuleId,
        series: String,
        samples: u32,
    },
    /// A rule started flapping.
    FlappingStarted {
        rule: RuleId,
        breaches: usize,
        window_mins: i64,
    },
    /// A rule stopped flapping.
    FlappingStopped { rule: RuleId },
    /// A rule names a runbook that is not loaded.
    RunbookMissing { rule: RuleId, runbook: String },
    /// An incident recovered after its plan ran.
    Recovered {
        id: u64,
        code: String,
        samples: u32,
        /// Time to recover, in seconds.
        ttr_secs: i64,
    },
    /// An action plan ran to its end; the recovery watch starts.
    PlanExecuted {
        id: u64,
        code: String,
        actions: usize,
        /// How many of them ran for real (webhooks, commands); the rest were simulated.
        #[serde(default)]
        real: usize,
        /// Whether *Actions* was off, so webhooks and commands were simulated.
        #[serde(default)]
        actions_off: bool,
    },
    /// One run of an action (number from 1) finished.
    ActionRan {
        id: u64,
        number: usize,
        dry_run: bool,
        outcome: super::ActionOutcome,
        /// Exit code or HTTP status.
        status: Option<i64>,
        duration_ms: u64,
    },
    /// An action's dry run is done: its real run waits for the responder's second approval.
    DryRunReady { id: u64, number: usize },
    /// A plan stopped before its end, at action `number`.
    PlanStopped {
        id: u64,
        number: usize,
        why: super::StopReason,
    },
    /// At start: these actions (numbers) were running when the console stopped; whether they
    /// acted is unknown.
    OutcomeUnknown { id: u64, numbers: Vec<usize> },
    /// A line could not be written to the audit log (the run it was for did not start).
    AuditFailed { error: String },
    /// An action plan was kept for manual review.
    PlanDeferred {
        id: u64,
        code: String,
        actions: usize,
    },
    /// A plan was refused and nothing ran.
    PlanRefused { id: u64, reason: Refusal },
    /// A plan was not deferred: it is not awaiting approval.
    NotDeferred { id: u64 },
    /// An incident was closed by the responder, with what they wrote as its resolution.
    Closed {
        id: u64,
        code: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        resolution: String,
    },
    /// The responder changed hypothesis `hypothesis`'s mark (index from 0).
    HypothesisMarked {
        id: u64,
        hypothesis: usize,
        from: super::HypothesisMark,
        to: super::HypothesisMark,
    },
    /// The responder approved the plan: actions `numbers` (from 1) run, `typed` high-risk
    /// ones confirmed by typing.
    PlanApproved {
        id: u64,
        numbers: Vec<usize>,
        typed: usize,
        actions_off: bool,
    },
    /// The responder approved action `number`'s real run after its dry run.
    RunApproved { id: u64, number: usize },
    /// A note on the incident (at most [`super::NOTE_LIMIT_BYTES`]).
    NoteAdded { id: u64, text: String },
    /// A note's new text; the note itself is never rewritten.
    NoteEdited {
        id: u64,
        note: super::EventId,
        text: String,
    },
    /// A responder wrote a section of the review (the latest text is the section's; empty
    /// clears it).
    ReviewWritten {
        id: u64,
        section: super::ReviewSection,
        text: String,
    },
    /// The model was asked to draft incident `id`'s review narrative.
    ReviewDraftAsked { id: u64, model: String },
    /// The model's draft of the review's narrative, with what its facts do not back and the
    /// facts it cited (so the review can show them).
    ReviewDrafted {
        id: u64,
        model: String,
        narrative: super::ReviewNarrative,
        flags: Vec<super::AnswerFlag>,
        cited: Vec<super::Fact>,
    },
    /// No draft came back (words from the client or the check).
    ReviewDraftFailed { id: u64, reason: String },
    /// A follow-up was added; the event's id is the follow-up's.
    FollowUpAdded { id: u64, item: super::FollowUp },
    /// A follow-up changed (text, owner, due date or status): its new version.
    FollowUpChanged {
        id: u64,
        follow_up: super::EventId,
        item: super::FollowUp,
    },
    /// An event of the incident's timeline was starred (or the star taken away).
    Starred {
        id: u64,
        event: super::EventId,
        starred: bool,
    },
    /// A live check of evidence item `evidence` (from 0) came back.
    EvidenceChecked {
        id: u64,
        evidence: usize,
        state: super::CheckState,
        value: Option<f64>,
        series: Option<String>,
        /// Why it could not be checked (words from the client), or what answered.
        detail: String,
    },
    /// Incident `id` was taken by `owner` (its incident commander), from `from` when someone
    /// had it.
    OwnerChanged {
        id: u64,
        owner: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<String>,
    },
    /// Joined the team store (its schema at `version`; `applied` migrations applied by this
    /// console, 0 when another had).
    TeamJoined { version: i32, applied: usize },
    /// The team store cannot be reached: the console works alone from now.
    TeamUnreachable { reason: String },
    /// The team store is back after `after_secs` alone.
    TeamBack { after_secs: i64 },
    /// The team store cannot be used as set (a bad URL, a newer schema): solo.
    TeamUnusable { reason: String },
    /// The team store refused to take an incident or its events (a permission, a broken
    /// schema): it stays this console's alone.
    TeamRefused { reason: String },
    /// Another console (`by`) opened incident `id` (runbook `code`) for the team.
    TeamOpened { id: u64, code: String, by: String },
    /// Event `seq` of the team store could not be read (a newer console's, or damaged).
    TeamEventUnreadable { seq: i64, reason: String },
    /// Team mode: console `by` held these actions' (numbers) run and stopped answering the
    /// store mid-way; whether they acted is unknown.
    RunLost {
        id: u64,
        numbers: Vec<usize>,
        by: String,
    },
    /// There is no such incident.
    UnknownIncident { id: u64 },
    /// Incident `id` has no such event (or not one that can be starred or edited).
    UnknownEvent { id: u64, event: super::EventId },
    /// "Trigger alert" with no runbook loaded, or an unknown one (`code`).
    NoScenario { code: Option<String> },
    /// The result of "Verify recovery".
    Verified {
        checks: Vec<RuleValue>,
        recovered: bool,
    },
    /// "Verify recovery" could not read values.
    VerifyImpossible { source: SourceDesc, reason: String },
    /// A Prometheus answered for the first time.
    Connected {
        url: String,
        /// Series per rule.
        series: Vec<(RuleId, usize)>,
        poll_secs: u64,
    },
    /// Graphs were back-filled from a range query (`missing`: rules not back-filled, with why).
    Backfilled {
        url: String,
        points: usize,
        series: usize,
        since: DateTime<Utc>,
        missing: Vec<String>,
    },
    /// The source fails (`had_values`: the last values stay on screen, stale).
    SourceFailing {
        url: String,
        reason: String,
        had_values: bool,
        backoff_cap_secs: u64,
    },
    /// An Alertmanager alert began firing (`source`: who reported it first).
    AlertFired {
        name: String,
        severity: String,
        summary: String,
        fingerprint: String,
        source: String,
    },
    /// An Alertmanager alert resolved after firing for `after_secs`.
    AlertResolved {
        name: String,
        fingerprint: String,
        after_secs: i64,
    },
    /// Alertmanager left `count` alerts of a group out of a webhook (the receiver's
    /// `max_alerts`).
    AlertsTruncated { group: String, count: u64 },
    /// A polled Alertmanager answers: first, or again after failing (`after_failure`).
    AlertmanagerUp {
        url: String,
        version: String,
        cluster: String,
        peers: usize,
        after_failure: bool,
    },
    /// A polled Alertmanager fails (said once per different reason); its alerts stay as they
    /// were.
    AlertmanagerFailing { url: String, reason: String },
    /// Alerts matched runbook `code` and opened incident `id` (`matcher`: the `match_any`
    /// entry; `None`: the responder opened it from the alert).
    AlertIncident {
        id: u64,
        code: String,
        name: String,
        group: String,
        matcher: Option<String>,
    },
    /// Another alert of its group attached to incident `id`, which has `count` alerts now.
    AlertAttached {
        id: u64,
        name: String,
        fingerprint: String,
        count: usize,
    },
    /// Every alert of incident `id` resolved, `after_secs` after it opened; its
    /// acknowledgement (if any) ended.
    AlertsAllResolved { id: u64, after_secs: i64 },
    /// The responder acknowledged incident `id` (or, `None`, the alert `name` alone): `silences`
    /// silences until `until`.
    Acknowledged {
        id: Option<u64>,
        name: String,
        by: String,
        comment: String,
        until: DateTime<Utc>,
        silences: usize,
    },
    /// The acknowledgement of incident `id` (or, `None`, of the alert `name`) still holds
    /// firing alerts: its silences now end at `to` (at most at the ack's end, `until`).
    AckExtended {
        id: Option<u64>,
        name: String,
        to: DateTime<Utc>,
        until: DateTime<Utc>,
    },
    /// Incident `id`'s alerts still fire `after_mins` minutes after `by` acknowledged it: a
    /// reminder went out.
    AckReminder {
        id: u64,
        by: String,
        after_mins: i64,
    },
    /// Nobody did anything on incident `id` for `after_mins` minutes after `by` acknowledged
    /// it, its alerts still firing: the acknowledgement was dropped (its silences expired), so
    /// the incident calls again.
    AckDropped {
        id: u64,
        by: String,
        after_mins: i64,
    },
    /// Nobody acknowledged or took incident `id` within `after_mins` minutes: escalated.
    Escalated { id: u64, after_mins: i64 },
    /// The acknowledgement's silences ended at `at` without being extended (the console was
    /// not running then, or the ack reached its end while the alerts still fired).
    AckLapsed {
        id: Option<u64>,
        name: String,
        at: DateTime<Utc>,
    },
    /// `alerts` alerts acknowledged together with one comment, in `silences` silences (one of
    /// their common matchers when `common`).
    AcknowledgedMany {
        alerts: usize,
        silences: usize,
        common: bool,
        by: String,
        comment: String,
        until: DateTime<Utc>,
    },
    /// An acknowledgement could not be made in (one of) the Alertmanagers. Written by
    /// releases before [`FeedEvent::AckNotMade`]; kept so their feeds load whole.
    AckFailed {
        id: Option<u64>,
        name: String,
        reason: String,
    },
    /// The silences of an acknowledgement (or an unsilence) of `subject` were not made.
    AckNotMade {
        subject: AckSubject,
        problem: AckProblem,
    },
    /// `silences` silences of incident `id` (or of the alert `name`) were expired.
    Unsilenced {
        id: Option<u64>,
        name: String,
        by: String,
        silences: usize,
    },
    /// The model's report on incident `id` arrived (`flags`: what its facts do not back).
    AiReportReady {
        id: u64,
        model: String,
        summary: String,
        flags: usize,
    },
    /// Documents were imported into the knowledge base (`errors`: each file that was not, in
    /// words).
    KnowledgeImported {
        files: usize,
        docs: usize,
        errors: Vec<String>,
    },
    /// No AI report on incident `id` (the fixed-rule report stands).
    AiReportFailed { id: u64, reason: String },
    /// Desktop notifications cannot be shown (said once per run).
    DesktopUnavailable {
        /// Why (`Worded` in entries from before the kinds).
        #[serde(default)]
        fault: super::DesktopFault,
        /// What the OS said.
        reason: String,
    },
    /// The window was closed into the tray: the console keeps watching (said the first time).
    WentToTray,
    /// No tray icon this run (`fault`, with the OS's words as `reason`); closing the window
    /// quits.
    TrayUnavailable {
        #[serde(default)]
        fault: super::TrayFault,
        reason: String,
    },
    /// The tray's host (the panel) is not there (`shown` false: the icon appears when it
    /// starts, and closing the window quits until then), or it came (`shown`).
    TrayHost { shown: bool },
    /// Starting at login was turned on (`minimised`: into the tray) or off.
    AutostartSet { on: bool, minimised: bool },
    /// Starting at login could not be set (words from the OS).
    AutostartFailed { reason: String },
    /// The webhook receiver listens.
    IntakeListening { addr: String },
    /// The webhook receiver cannot listen (words from the receiver).
    IntakeUnusable { reason: String },
    /// The receiver refused a request, in words made by the release that wrote it (feeds
    /// of earlier releases; refusals are [`FeedEvent::NotTaken`] now).
    IntakeRefused { status: u16, reason: String },
    /// Something from outside was not taken: a request (`status` is the HTTP answer) or an
    /// alert of one (`status` is `None`: the request itself was taken). Said once a minute
    /// per kind; `more` counts the ones of that kind not said since the last line.
    NotTaken {
        refusal: super::IntakeRefusal,
        status: Option<u16>,
        more: u64,
    },
    /// Past 20 lines a minute from one reporter (each polled Alertmanager or the webhook), the alerts
    /// that fired (`fired`, the most frequent names in `by_name`, `other_names` more names)
    /// and resolved in the last `secs`, said in one line.
    AlertStorm {
        source: String,
        fired: u64,
        resolved: u64,
        by_name: Vec<(String, u64)>,
        other_names: u64,
        secs: u64,
    },
    /// Turning the receiver on gave it a random token (in the settings, never in the feed).
    IntakeTokenMade,
    /// An alert arrived with more or longer labels and annotations than the console keeps
    /// (said once a minute; `more` counts the alerts cut since the last line).
    AlertsCut {
        name: String,
        cut: super::AlertCut,
        more: u64,
    },
    /// The source answers again after failing for `after_secs`.
    SourceBack { url: String, after_secs: i64 },
    /// Some queries have problems (each in words).
    QueryProblems { url: String, problems: Vec<String> },
    /// Every query gives values again.
    QueriesHealthy { url: String },
    /// The Prometheus settings cannot make a client (words from the client).
    SourceUnusable { reason: String },
    /// The Prometheus tab's Test: per rule, the number of series or the error.
    PromTested {
        url: String,
        results: Result<Vec<RuleCount>, String>,
    },
    /// Settings were saved and applied.
    SettingsSaved {
        source: SourceDesc,
        poll_secs: u64,
        thresholds: Vec<ThresholdDesc>,
    },
    /// The language was switched (applied at once).
    LanguageSet,
    /// Settings were not saved (validation's words).
    SettingsRejected { reason: String },
    /// A save started failing (OS words); said once until it works again.
    SaveFailed { file: SavedFile, reason: String },
    /// A save works again.
    SaveRecovered { file: SavedFile },
    /// A report was exported.
    Exported { id: u64, path: String },
    /// A report was not exported (OS words).
    ExportFailed {
        id: u64,
        path: String,
        reason: String,
    },
    /// The export dialog was cancelled or there is none.
    ExportCancelled,
    /// Runbooks were re-read.
    ScenariosReloaded { count: usize },
    /// Rules were re-read.
    RulesReloaded { enabled: usize, total: usize },
    /// A rule was written to its file.
    RuleSaved {
        rule: RuleId,
        path: String,
        enabled: bool,
        query: String,
        threshold: ThresholdDesc,
        window: u32,
    },
    /// A rule's file was removed (`built_in`: the built-in rule is back).
    RuleRemoved {
        rule: RuleId,
        path: String,
        built_in: bool,
    },
    /// A rule change was refused (validation's or the OS's words).
    RuleRejected { rule: RuleId, reason: String },
    /// A target (Slack or email) is wanted but cannot be used. `set_up`: someone configured
    /// it (an error); otherwise nothing is set up yet (a hint).
    TargetUnusable {
        email: bool,
        why: String,
        set_up: bool,
    },
    /// "Send to Slack" could not be done.
    NotSentToSlack { id: u64, why: String },
    /// A report was queued for a Slack channel.
    QueuedForSlack { id: u64, channel: String },
    /// The Slack tab's Test.
    SlackTested {
        url: String,
        result: Result<String, String>,
    },
    /// A notification was delivered (`attempts` when more than one).
    Delivered {
        job: JobDesc,
        attempts: Option<u32>,
        /// What the far side called it: Slack's message `ts`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        /// The message's link (Slack's permalink), when it could be had.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        link: Option<String>,
    },
    /// A notification failed for good or for too long; it waits for the responder.
    DeliveryPending { job: JobDesc, reason: String },
    /// A notification failed and is retried at `next`.
    DeliveryRetrying {
        job: JobDesc,
        reason: String,
        next: DateTime<Utc>,
    },
    /// The responder asked to retry a notification.
    DeliveryRetry { job: JobDesc },
    /// The responder acknowledged a pending notification: it will not be sent.
    DeliveryDropped { job: JobDesc },
}
