//! Plain data shared by the engine, the store and the UI.
//!
//! Nothing in here knows about egui, tokio or the network: every type is serde data with
//! small pure helpers, so it can be persisted, tested and drawn without side effects.

mod ack;
mod action;
pub mod alarm;
mod alert;
mod event;
mod event_desc;
mod feed;
mod incident;
mod intake;
mod key_times;
mod llm;
mod metrics;
mod notify;
mod outbox;
pub mod overrides;
mod postmortem;
mod prepared;
mod report;
mod rule;
mod samples;
mod scenario;
mod secret;
mod settings;
mod silence;
mod team;
mod template;
mod timeline;
mod tray;
mod trigger;

pub use ack::{ACK_RENEW_MINS, ACK_SLICE_MINS, Ack, AckStep};
pub use action::{
    ActionKind, ActionRefusal, ActionsSettings, AllowedHost, CommandSpec, HeaderValue, Refusal,
    RefusalReason, WebhookSpec, check_action, check_url, confirmation_ok, incident_vars,
};
pub use alarm::{Alarm, AlarmSound, Call, QuietHours, scaled_wav};
pub use alert::{
    AckProblem, AckSubject, Alert, AlertCut, AlertState, AlertStatus, IncidentAlerts, Labels,
    MAX_ANNOTATION_VALUE_BYTES, MAX_ANNOTATIONS, MAX_LABEL_VALUE_BYTES, MAX_LABELS, MAX_NAME_BYTES,
    ResolvedAlert, RunbookMatch, SHOWN_ALERTS_PER_INCIDENT, SilenceRef, WEBHOOK_SOURCE,
    alert_group, cap_alert_text, common_labels, web_link,
};
pub use event::FeedEvent;
pub use event_desc::{JobDesc, RuleCount, SavedFile, SourceDesc, ThresholdDesc, UserFile};
pub use feed::{FeedEntry, FeedKind, make_room};
#[cfg(test)]
pub(crate) use incident::test_incident;
pub use incident::{
    ActionOutcome, ActionPlan, ActionResult, Hotspot, HypothesisMark, Incident, IncidentStatus,
    OUTPUT_LIMIT_BYTES, PlanState, StopReason, trim_incidents,
};
pub use intake::{AmHealth, DesktopSettings, IntakeRefusal, IntakeSettings};
pub use key_times::{KeyTimeRow, KeyTimes, key_time_rows};
pub use llm::{
    AiAnswer, AiReport, AiState, AnswerFlag, Claim, Fact, FactKind, HypothesisVerdict, LlmSettings,
    Related, ReviewNarrative, Verdict,
};
pub use metrics::{Metric, Reading, SeriesPoint, SeriesValue, prom_number};
pub use notify::{
    EmailSettings, SLACK_API_DEFAULT, SlackSettings, Targets, check_address, check_channel,
    parse_recipients,
};
pub use outbox::{
    Destination, Failure, Job, JobState, NotifyEvent, Outbox, RETRY_BASE_SECS, RETRY_CAP_SECS,
    SLACK_CHANNEL_GAP_MS, Thread, retry_delay,
};
pub use overrides::Overrides;
pub use postmortem::{FollowUp, FollowUpStatus, ReviewSection};
pub use prepared::{
    ActionPreview, PreparedAction, PreparedKind, PreparedRun, RunPreview, command_line, mask,
    prepare,
};
pub use report::{AnalysisReport, ReportSource, escape_markdown};
pub use rule::{
    Comparison, DEFAULT_WINDOW_SAMPLES, MAX_WINDOW_SAMPLES, Rule, RuleId, Severity, Unit, check_id,
    check_label,
};
pub use samples::{
    KEPT_POINTS_PER_SERIES, KEPT_SERIES_PER_RULE, KeptSamples, KeptSeries, LEAD_MINS,
    MIN_LEAD_SECS, TAIL_MINS, lead,
};
pub use scenario::{
    Action, CheckResult, CheckState, Evidence, EvidenceCheck, Expect, Hypothesis, Localized, Risk,
    Scenario,
};
pub use secret::{MASK, Secret};
pub use settings::{Lang, PromAuth, PrometheusSettings, Settings, SettingsError, ThemeChoice};
pub use silence::{
    AckState, EXPIRING_MINS, SILENCE_AUTHOR_LIMIT_BYTES, SILENCE_COMMENT_LIMIT_BYTES, STALE_HOURS,
    Silence, ack_state, cap_text,
};
pub use team::{
    ALONE_WORDS, PROVISIONAL_ID_BASE, Present, TeamSettings, TeamStatus, alone_ack_ok, breach_key,
    check_database_url, incident_label, is_provisional, is_shared_kind, rekey_event,
};
pub use template::{Filler, OUTSIDE_VALUE_LIMIT_BYTES, TemplateError, Var, Vars, percent_encode};
pub use timeline::{Author, EventId, IncidentEvent, IncidentEventKind, NOTE_LIMIT_BYTES, cap_note};
pub use tray::{DesktopFault, TrayFault, TrayStatus, Worst};
pub use trigger::{RuleValue, Trigger, TriggerOrigin};
