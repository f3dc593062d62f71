//! What the responder does to an incident: marks on hypotheses, the plan executed (behind the
//! engine's own high-risk guard) or deferred, the incident closed.

use chrono::{DateTime, Utc};

use super::Engine;
use crate::model::{
    ActionOutcome, ActionResult, FeedEvent, HypothesisMark, Incident, IncidentEventKind,
    IncidentStatus, NotifyEvent, PlanState, Refusal, Risk,
};

impl Engine {
    pub(super) fn mark(
        &mut self,
        id: u64,
        hypothesis: usize,
        mark: HypothesisMark,
        now: DateTime<Utc>,
    ) {
        let Some(inc) = self.incident_mut(id) else {
            return self.unknown_incident(id, now);
        };
        if hypothesis >= inc.scenario.hypotheses.len() {
            return;
        }
        inc.marks
            .resize(inc.scenario.hypotheses.len(), HypothesisMark::Open);
        inc.marks[hypothesis] = mark;
        // The deterministic report follows the responder's verdicts.
        if inc.report.source == crate::model::ReportSource::Deterministic {
            inc.report = crate::analysis::deterministic_report(inc, now);
        }
        self.publish_incidents();
    }

    /// Runs the plan of incident `id`. The engine itself refuses a plan whose high-risk actions
    /// the responder did not acknowledge one by one (`acknowledged` holds their indices), and
    /// any plan at all when there is no window to approve it.
    pub(super) fn execute(&mut self, id: u64, acknowledged: &[usize], now: DateTime<Utc>) {
        if self.headless {
            // Nobody approved it: without a window there is no one to confirm.
            let reason = Refusal::Headless;
            return self.emit(now, FeedEvent::PlanRefused { id, reason });
        }
        let Some(inc) = self.incident_mut(id) else {
            return self.unknown_incident(id, now);
        };
        let problem = match (inc.status, inc.plan.state) {
            (IncidentStatus::Recovered | IncidentStatus::Closed, _) => Some(Refusal::Finished),
            (_, PlanState::Executed(at)) => Some(Refusal::AlreadyRan(at)),
            _ => None,
        };
        if let Some(reason) = problem {
            return self.emit(now, FeedEvent::PlanRefused { id, reason });
        }
        let unacknowledged: Vec<(usize, String)> = inc
            .scenario
            .actions
            .iter()
            .enumerate()
            .filter(|(i, a)| a.risk == Risk::High && !acknowledged.contains(i))
            .map(|(i, a)| (i + 1, a.command.clone()))
            .collect();
        if !unacknowledged.is_empty() {
            let reason = Refusal::Unacknowledged(unacknowledged);
            return self.emit(now, FeedEvent::PlanRefused { id, reason });
        }
        let results: Vec<ActionResult> = inc
            .scenario
            .actions
            .iter()
            .enumerate()
            .map(|(i, a)| ActionResult {
                action: i,
                outcome: ActionOutcome::Simulated,
                detail: format!(
                    "offline simulator: would run `{}`; nothing outside the console was changed",
                    a.command
                ),
                at: now,
            })
            .collect();
        let n = results.len();
        inc.plan.results = results;
        inc.plan.state = PlanState::Executed(now);
        inc.status = IncidentStatus::Mitigating;
        inc.healthy_streak = 0;
        let event = FeedEvent::PlanExecuted {
            id,
            code: inc.scenario.code.clone(),
            actions: n,
        };
        inc.log(now, IncidentEventKind::PlanExecuted, event.clone());
        self.publish_incidents();
        self.emit(now, event);
        self.notify(id, NotifyEvent::PlanExecuted, now);
    }

    pub(super) fn defer(&mut self, incident: u64, now: DateTime<Utc>) {
        let Some(inc) = self.incident_mut(incident) else {
            return self.unknown_incident(incident, now);
        };
        if !matches!(inc.plan.state, PlanState::AwaitingApproval) {
            return self.emit(now, FeedEvent::NotDeferred { id: incident });
        }
        inc.plan.state = PlanState::Deferred(now);
        let event = FeedEvent::PlanDeferred {
            id: incident,
            code: inc.scenario.code.clone(),
            actions: inc.scenario.actions.len(),
        };
        inc.log(now, IncidentEventKind::PlanDeferred, event.clone());
        self.publish_incidents();
        self.emit(now, event);
        self.notify(incident, NotifyEvent::PlanDeferred, now);
    }

    pub(super) fn close(&mut self, incident: u64, now: DateTime<Utc>) {
        let Some(inc) = self.incident_mut(incident) else {
            return self.unknown_incident(incident, now);
        };
        if inc.status == IncidentStatus::Closed {
            return;
        }
        inc.status = IncidentStatus::Closed;
        inc.closed_at = Some(now);
        let event = FeedEvent::Closed {
            id: incident,
            code: inc.scenario.code.clone(),
        };
        inc.log(now, IncidentEventKind::Closed, event.clone());
        self.publish_incidents();
        self.emit(now, event);
        self.notify(incident, NotifyEvent::Closed, now);
        self.remember_incident(incident);
    }

    pub(super) fn incident_mut(&mut self, id: u64) -> Option<&mut Incident> {
        self.book.find_mut(id)
    }

    pub(super) fn unknown_incident(&mut self, id: u64, now: DateTime<Utc>) {
        self.emit(now, FeedEvent::UnknownIncident { id });
    }

    /// Writes an incident's analysis report as Markdown to `path` (chosen in a file dialog).
    pub(super) fn export_report(
        &mut self,
        incident: u64,
        path: &std::path::Path,
        now: DateTime<Utc>,
    ) {
        let Some(inc) = self.book.find(incident) else {
            return self.unknown_incident(incident, now);
        };
        let text = format!(
            "# #{} {}\n\n{}\n",
            inc.id,
            inc.scenario.title.ko,
            inc.report.to_markdown()
        );
        let shown = path.display().to_string();
        let event = match crate::store::write_atomic(path, text.as_bytes()) {
            Ok(()) => FeedEvent::Exported {
                id: incident,
                path: shown,
            },
            Err(e) => FeedEvent::ExportFailed {
                id: incident,
                path: shown,
                reason: e.to_string(),
            },
        };
        self.emit(now, event);
    }

    /// Re-reads the scenario files; each bad one is said in the feed.
    pub(super) fn reload_scenarios(&mut self, now: DateTime<Utc>) {
        let load = crate::scenarios::load(Some(&self.store.scenarios_dir()));
        let count = load.scenarios.len();
        self.board_mut().scenarios = std::sync::Arc::new(load.scenarios);
        for err in load.errors {
            let error = err.to_string();
            self.emit(
                now,
                FeedEvent::FileSkipped {
                    file: crate::model::UserFile::Scenario,
                    error,
                },
            );
        }
        self.emit(now, FeedEvent::ScenariosReloaded { count });
    }
}
