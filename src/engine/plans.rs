//! What the responder does to an incident: marks on hypotheses, the plan deferred, the
//! incident closed (its plan runs in `executor.rs`).

use chrono::{DateTime, Utc};

use super::Engine;
use crate::model::{
    FeedEvent, HypothesisMark, Incident, IncidentEventKind, IncidentStatus, NotifyEvent, PlanState,
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
            inc.report = crate::text::report::deterministic_report(inc, now);
        }
        self.publish_incidents();
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
        // Nothing more of its plan runs (a run in flight finishes and is recorded).
        self.end_plan_run(incident, now);
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
        // The title may be an alert's name and summary, the report the model's words, the
        // audit lines an action's output: all escaped, so a viewer shows them as text.
        let mut text = format!(
            "# #{} {}\n\n{}\n",
            inc.id,
            crate::model::escape_markdown(&inc.scenario.title.ko.replace(['\r', '\n'], " ")),
            inc.report.to_markdown()
        );
        // What was approved and what ran, as the audit log recorded it (secrets masked there).
        let lines = self
            .audit_log
            .lines
            .iter()
            .filter(|l| l.incident == incident);
        text.push_str(&crate::text::plan::audit_markdown(lines));
        let shown = path.display().to_string();
        // Opened by people in their editor: CRLF on Windows, where older tools expect it.
        let text = crate::text::platform_line_ends(text);
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
