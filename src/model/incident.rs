//! An incident and everything that becomes of it: its status, hotspots, timeline, action plan
//! and the results of each run. What opened it (the trigger, with v0.1's form) is in
//! `trigger.rs`.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{AnalysisReport, IncidentEvent, Metric, RuleId, Scenario, Trigger};

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

impl Incident {
    /// The actions of its plan that have not succeeded yet, in order: what an approval runs.
    pub fn still_to_run(&self) -> Vec<usize> {
        (0..self.scenario.actions.len())
            .filter(|&i| !self.plan.last_run(i).is_some_and(|r| r.outcome.is_done()))
            .collect()
    }
}

impl PlanState {
    /// The action a plan in progress (or stopped) is at, counted from 0; 0 otherwise.
    pub fn position(self) -> usize {
        match self {
            PlanState::AwaitingRun { action, .. } | PlanState::Stopped { action, .. } => action,
            _ => 0,
        }
    }
}

impl ActionResult {
    /// The result of action `action`'s run (`dry_run` says which) with what ran and its
    /// outcome; no status, duration or output yet.
    pub fn new(
        action: usize,
        dry_run: bool,
        what: String,
        outcome: ActionOutcome,
        at: DateTime<Utc>,
    ) -> Self {
        ActionResult {
            action,
            outcome,
            detail: String::new(),
            at,
            dry_run,
            what,
            status: None,
            duration_ms: None,
            output: String::new(),
        }
    }
}

/// Drops the oldest closed or recovered incidents until at most `limit` remain (oldest
/// first in `list`); an active incident is never dropped to make room, so the list may hold
/// more than `limit` while that many are active.
pub fn trim_incidents(list: &mut Vec<Incident>, limit: usize) {
    let mut excess = list.len().saturating_sub(limit);
    if excess == 0 {
        return;
    }
    list.retain(|i| {
        if excess > 0 && !i.status.is_active() {
            excess -= 1;
            false
        } else {
            true
        }
    });
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

/// A series that breached during an incident.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hotspot {
    /// The rule it breached (empty in v0.1 files: the incident's own rule, filled on load).
    #[serde(default)]
    pub rule: RuleId,
    /// The series (v0.1 called it `node`).
    #[serde(alias = "node")]
    pub series: String,
    /// First breaching sample.
    pub first_at: DateTime<Utc>,
    /// Latest breaching sample.
    pub last_at: DateTime<Utc>,
    /// Number of breaching samples seen.
    pub samples: u32,
    /// The worst value seen (highest for an `Above` rule, lowest for `Below`).
    pub peak: f64,
    /// When its window went clean again (`None` while it is still in breach, or unknown).
    #[serde(default)]
    pub cleared_at: Option<DateTime<Utc>>,
}

/// Where an action plan stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanState {
    /// Waiting for the responder to execute or defer.
    AwaitingApproval,
    /// Every action ran (or was simulated), finishing at the given time.
    Executed(DateTime<Utc>),
    /// Deferred for manual review at the given time; can still be executed later.
    Deferred(DateTime<Utc>),
    /// Its actions are running, in order, since the given time.
    Running(DateTime<Utc>),
    /// Action `action`'s dry run finished; its real run waits for the second approval.
    AwaitingRun {
        /// Index into the scenario's actions.
        action: usize,
        /// When the dry run finished.
        since: DateTime<Utc>,
    },
    /// Stopped before the end, at action `action`; the responder may run it again (only the
    /// actions that have not succeeded run again).
    Stopped {
        /// When.
        at: DateTime<Utc>,
        /// Index of the action it stopped at.
        action: usize,
        /// Why.
        why: StopReason,
    },
}

impl PlanState {
    /// Whether a run of it is under way (running, or waiting for a second approval).
    pub fn is_in_progress(self) -> bool {
        matches!(self, Self::Running(_) | Self::AwaitingRun { .. })
    }
}

/// Why a plan stopped before its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StopReason {
    /// An action failed or timed out (and was not marked `continue_on_failure`).
    Failed,
    /// The responder did not approve the real run after its dry run.
    Declined,
    /// The console stopped while it ran: what was in flight has an unknown outcome.
    Interrupted,
    /// The incident was closed while its plan ran.
    Closed,
}

/// How one run of an action went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionOutcome {
    /// The offline simulator ran it; nothing outside the console changed.
    Simulated,
    /// It ran and failed, or could not be run; the detail and output say why.
    Failed,
    /// It ran: exit code 0, or a 2xx answer.
    Succeeded,
    /// It outlived its timeout and was stopped (a command is killed).
    TimedOut,
    /// The console stopped while it ran: it may or may not have acted.
    Unknown,
}

impl ActionOutcome {
    /// Whether the action counts as done (a plan run again skips it).
    pub fn is_done(self) -> bool {
        matches!(self, Self::Simulated | Self::Succeeded)
    }
}

/// The record of one run of an action (its dry run, or the real one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionResult {
    /// Index into the scenario's actions.
    pub action: usize,
    /// The outcome.
    pub outcome: ActionOutcome,
    /// Why it failed, in the words of the OS or the server (v0.1's simulated entries hold an
    /// English sentence here); empty when the typed fields say it all.
    pub detail: String,
    /// When it finished.
    pub at: DateTime<Utc>,
    /// Whether this was the dry run.
    #[serde(default)]
    pub dry_run: bool,
    /// What ran, secrets masked (empty for a simulated action).
    #[serde(default)]
    pub what: String,
    /// The exit code, or the HTTP status.
    #[serde(default)]
    pub status: Option<i64>,
    /// How long it took, in milliseconds.
    #[serde(default)]
    pub duration_ms: Option<u64>,
    /// stdout and stderr, or the answer's body: at most [`OUTPUT_LIMIT_BYTES`], secrets masked.
    #[serde(default)]
    pub output: String,
}

/// The most output kept per run, in bytes (more is cut, and the cut is said).
pub const OUTPUT_LIMIT_BYTES: usize = 64 * 1024;

/// An incident's recommended actions and what became of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionPlan {
    /// Approval state.
    pub state: PlanState,
    /// One entry per run (dry runs included), in the order they finished.
    pub results: Vec<ActionResult>,
    /// Whether it ran while *Actions* was off, so its webhook and command actions were
    /// simulated.
    #[serde(default)]
    pub actions_off: bool,
}

impl ActionPlan {
    /// The last real (not dry) run of action `index`.
    pub fn last_run(&self, index: usize) -> Option<&ActionResult> {
        self.results
            .iter()
            .rev()
            .find(|r| r.action == index && !r.dry_run)
    }
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
    /// Whether its rule is flapping: re-fires are recorded but not notified.
    #[serde(default)]
    pub flapping: bool,
    /// When it recovered.
    pub recovered_at: Option<DateTime<Utc>>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Everything that happened to it, in time order, append-only (see `timeline.rs`).
    pub timeline: Vec<IncidentEvent>,
    /// The Alertmanager alerts it was opened from (`None` for a metric rule's incident).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<super::IncidentAlerts>,
    /// The language model's report, when one was asked for (the fixed-rule `report` stays).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ai: Option<super::AiReport>,
    /// Live checks of the runbook's evidence, one slot per evidence item (`None`: no check, or
    /// not back yet).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Option<super::CheckResult>>,
    /// Knowledge-base documents found for it when it opened.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<super::Related>,
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
                actions_off: false,
                results: Vec::new(),
            },
            healthy_streak: 0,
            flapping: false,
            recovered_at: None,
            closed_at: None,
            timeline: Vec::new(),
            alerts: None,
            ai: None,
            related: Vec::new(),
            checks: Vec::new(),
            scenario,
            trigger,
        }
    }

    /// Time from detection to recovery, once recovered.
    pub fn time_to_recover(&self) -> Option<Duration> {
        self.recovered_at.map(|r| r - self.opened_at)
    }

    /// Adds a breaching sample of `series` (of `rule`) to the hotspots; `worse` says whether a
    /// value is worse than the peak so far. A series that breaches again after its clear is
    /// in breach again: its clear is forgotten.
    pub fn record_hotspot(
        &mut self,
        rule: &str,
        series: &str,
        at: DateTime<Utc>,
        value: f64,
        worse: impl Fn(f64, f64) -> bool,
    ) {
        match self
            .hotspots
            .iter_mut()
            .find(|h| h.rule == rule && h.series == series)
        {
            Some(h) => {
                h.last_at = at;
                h.samples += 1;
                if worse(value, h.peak) {
                    h.peak = value;
                }
                h.cleared_at = None;
            }
            None => self.hotspots.push(Hotspot {
                rule: rule.to_string(),
                series: series.to_string(),
                first_at: at,
                last_at: at,
                samples: 1,
                peak: value,
                cleared_at: None,
            }),
        }
    }

    /// Marks the hotspot of `series` cleared at `at`, if it is in breach.
    pub fn clear_hotspot(&mut self, rule: &str, series: &str, at: DateTime<Utc>) -> bool {
        match self
            .hotspots
            .iter_mut()
            .find(|h| h.rule == rule && h.series == series && h.cleared_at.is_none())
        {
            Some(h) => {
                h.cleared_at = Some(at);
                true
            }
            None => false,
        }
    }

    /// The rule this incident watches: the one that opened it, or for a v0.1 runbook opened by
    /// hand, the metric the runbook named.
    pub fn rule(&self) -> Option<&str> {
        self.trigger
            .rule
            .as_deref()
            .or_else(|| self.scenario.metric.map(Metric::rule_id))
    }

    /// Fills in what older files leave out: each hotspot's rule is the incident's own (v0.1),
    /// and each timeline entry without an id gets a stable one (see
    /// [`Incident::number_old_events`]).
    pub fn upgrade(&mut self) {
        let rule = self.rule().unwrap_or_default().to_string();
        for h in &mut self.hotspots {
            if h.rule.is_empty() {
                h.rule = rule.clone();
            }
        }
        self.number_old_events();
    }
}

/// For unit tests: incident `id` of the first built-in runbook, opened by `origin` at `at`,
/// with nothing logged yet.
#[cfg(test)]
pub(crate) fn test_incident(
    id: u64,
    origin: super::TriggerOrigin,
    at: DateTime<Utc>,
    since: Option<DateTime<Utc>>,
) -> Incident {
    let scenario = crate::scenarios::load(None).scenarios[0].clone();
    let trigger = Trigger {
        origin,
        at,
        rule: None,
        series: None,
        values: Vec::new(),
        since,
    };
    Incident::open(id, scenario, trigger, |s, t, m| {
        crate::text::report::write(s, t, m, at)
    })
}
