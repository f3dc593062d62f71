use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{AnalysisReport, Metric, Scenario};

/// Where an incident is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IncidentStatus {
    /// Detected or triggered; nobody has acted yet (or the plan was deferred).
    Open,
    /// The action plan ran; waiting for the metrics to recover.
    Mitigating,
    /// Metrics stayed healthy for the required number of samples.
    Recovered,
    /// The responder closed it.
    Closed,
}

impl IncidentStatus {
    /// Whether new breaches of the same scenario attach to this incident as re-fires.
    pub fn is_active(self) -> bool {
        matches!(self, IncidentStatus::Open | IncidentStatus::Mitigating)
    }
}

/// The responder's verdict on one hypothesis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum HypothesisMark {
    /// Not yet judged.
    #[default]
    Open,
    /// The responder believes this is the cause.
    Confirmed,
    /// Ruled out.
    Rejected,
}

/// What opened an incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TriggerOrigin {
    /// The background monitor saw a breach.
    Monitor,
    /// The responder pressed "Trigger alert".
    Manual,
}

/// The sample that opened (or re-fired) an incident, with the thresholds in force then.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trigger {
    /// Monitor or manual.
    pub origin: TriggerOrigin,
    /// When the sample was taken.
    pub at: DateTime<Utc>,
    /// The metric that breached, if any (manual triggers may have none).
    pub metric: Option<Metric>,
    /// The node that breached, or the busiest node for a manual trigger.
    pub node: Option<String>,
    /// Highest HTTP error ratio over all nodes at that moment.
    pub http_error_rate: Option<f64>,
    /// Highest CPU usage ratio over all nodes at that moment.
    pub cpu_usage: Option<f64>,
    /// HTTP threshold in force.
    pub http_threshold: f64,
    /// CPU threshold in force.
    pub cpu_threshold: f64,
}

/// A node that breached during an incident.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hotspot {
    /// The node (series key).
    pub node: String,
    /// First breaching sample.
    pub first_at: DateTime<Utc>,
    /// Latest breaching sample.
    pub last_at: DateTime<Utc>,
    /// Number of breaching samples seen.
    pub samples: u32,
    /// Highest value seen.
    pub peak: f64,
}

/// The kind of a timeline event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum IncidentEventKind {
    /// Opened by the monitor or by hand.
    Opened,
    /// Breached again while open.
    Refired,
    /// Action plan executed.
    PlanExecuted,
    /// Action plan deferred for manual review.
    PlanDeferred,
    /// Recovered after the plan.
    Recovered,
    /// Closed by the responder.
    Closed,
}

/// One entry of an incident's own timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: IncidentEventKind,
    /// Details in words.
    pub detail: String,
}

/// Where an action plan stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanState {
    /// Waiting for the responder to execute or defer.
    AwaitingApproval,
    /// Executed at the given time.
    Executed(DateTime<Utc>),
    /// Deferred for manual review at the given time; can still be executed later.
    Deferred(DateTime<Utc>),
}

/// How one action went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionOutcome {
    /// The offline simulator ran it; nothing outside the console changed.
    Simulated,
    /// It could not be run; the detail says why.
    Failed,
}

/// The record of one executed action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionResult {
    /// Index into the scenario's actions.
    pub action: usize,
    /// The outcome.
    pub outcome: ActionOutcome,
    /// What happened, in words.
    pub detail: String,
    /// When it finished.
    pub at: DateTime<Utc>,
}

/// An incident's recommended actions and what became of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionPlan {
    /// Approval state.
    pub state: PlanState,
    /// One result per executed action, in order.
    pub results: Vec<ActionResult>,
}

/// An incident: a scenario opened by a breach or by hand, and everything the responder did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Unique, increasing id.
    pub id: u64,
    /// The runbook as it was when the incident opened, so later edits do not rewrite history.
    pub scenario: Scenario,
    /// Life-cycle status.
    pub status: IncidentStatus,
    /// When it opened.
    pub opened_at: DateTime<Utc>,
    /// The triggering sample.
    pub trigger: Trigger,
    /// How many times the breach came back while this incident was open.
    pub refire_count: u32,
    /// Nodes that breached, and when.
    pub hotspots: Vec<Hotspot>,
    /// One mark per scenario hypothesis, same order.
    pub marks: Vec<HypothesisMark>,
    /// The analysis report.
    pub report: AnalysisReport,
    /// The recommended actions and their fate.
    pub plan: ActionPlan,
    /// Healthy samples in a row since the plan ran (the recovery watch).
    #[serde(default)]
    pub healthy_streak: u32,
    /// When it recovered.
    pub recovered_at: Option<DateTime<Utc>>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Everything that happened to it.
    pub timeline: Vec<IncidentEvent>,
}

impl Incident {
    /// A newly opened incident: every hypothesis unmarked, the plan awaiting approval, nothing
    /// recorded yet. `write_report` writes the analysis for those unmarked hypotheses; it is a
    /// parameter so the model does not depend on the analysis writer.
    pub fn open(
        id: u64,
        scenario: Scenario,
        trigger: Trigger,
        write_report: impl FnOnce(&Scenario, &Trigger, &[HypothesisMark]) -> AnalysisReport,
    ) -> Self {
        let marks = vec![HypothesisMark::Open; scenario.hypotheses.len()];
        let report = write_report(&scenario, &trigger, &marks);
        Incident {
            id,
            status: IncidentStatus::Open,
            opened_at: trigger.at,
            refire_count: 0,
            hotspots: Vec::new(),
            marks,
            report,
            plan: ActionPlan {
                state: PlanState::AwaitingApproval,
                results: Vec::new(),
            },
            healthy_streak: 0,
            recovered_at: None,
            closed_at: None,
            timeline: Vec::new(),
            scenario,
            trigger,
        }
    }

    /// Time from detection to recovery, once recovered.
    pub fn time_to_recover(&self) -> Option<Duration> {
        self.recovered_at.map(|r| r - self.opened_at)
    }

    /// Adds a breaching sample of `node` to the hotspots.
    pub fn record_hotspot(&mut self, node: &str, at: DateTime<Utc>, value: f64) {
        match self.hotspots.iter_mut().find(|h| h.node == node) {
            Some(h) => {
                h.last_at = at;
                h.samples += 1;
                h.peak = h.peak.max(value);
            }
            None => self.hotspots.push(Hotspot {
                node: node.to_string(),
                first_at: at,
                last_at: at,
                samples: 1,
                peak: value,
            }),
        }
    }

    /// Appends to the timeline.
    pub fn log(&mut self, at: DateTime<Utc>, kind: IncidentEventKind, detail: impl Into<String>) {
        self.timeline.push(IncidentEvent {
            at,
            kind,
            detail: detail.into(),
        });
    }
}
