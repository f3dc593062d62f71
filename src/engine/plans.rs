//! What the responder does to an incident: marks on hypotheses, notes and stars, the plan
//! deferred, the incident closed (its plan runs in `executor.rs`).

use chrono::{DateTime, Utc};

use super::Engine;
use crate::model::{
    Author, EventId, FeedEvent, HypothesisMark, Incident, IncidentEventKind, IncidentStatus,
    NotifyEvent, PlanState,
};

impl Engine {
    /// What the responder does to an incident, handed over by the loop.
    pub(super) fn on_responder(&mut self, cmd: super::Command, now: DateTime<Utc>) {
        use super::Command as C;
        match cmd {
            C::MarkHypothesis {
                incident,
                hypothesis,
                mark,
            } => self.mark(incident, hypothesis, mark, now),
            C::DeferPlan { incident } => self.defer(incident, now),
            C::CloseIncident {
                incident,
                resolution,
            } => self.close(incident, &resolution, now),
            C::Note {
                incident,
                text,
                edits,
            } => self.note(incident, &text, edits, now),
            C::Star {
                incident,
                event,
                starred,
            } => self.star(incident, event, starred, now),
            C::TakeIncident { incident, to } => self.take_incident(incident, to, now),
            C::WriteReviewSection {
                incident,
                section,
                text,
            } => self.write_section(incident, section, &text, now),
            C::FollowUp {
                incident,
                follow_up,
                item,
            } => self.follow_up(incident, follow_up, item, now),
            _ => {}
        }
    }

    /// Records the responder's verdict on a hypothesis; a change (from → to) is a timeline
    /// event, the same mark again is nothing.
    pub(super) fn mark(
        &mut self,
        id: u64,
        hypothesis: usize,
        mark: HypothesisMark,
        now: DateTime<Utc>,
    ) {
        let Some((who, inc)) = self.as_responder(id, now) else {
            return;
        };
        if hypothesis >= inc.scenario.hypotheses.len() {
            return;
        }
        inc.marks
            .resize(inc.scenario.hypotheses.len(), HypothesisMark::Open);
        let from = std::mem::replace(&mut inc.marks[hypothesis], mark);
        if from == mark {
            return;
        }
        let event = FeedEvent::HypothesisMarked {
            id,
            hypothesis,
            from,
            to: mark,
        };
        inc.log(now, who, IncidentEventKind::Marked, event);
        // The deterministic report follows the responder's verdicts.
        if inc.report.source == crate::model::ReportSource::Deterministic {
            inc.report = crate::text::report::deterministic_report(inc, now);
        }
        self.publish_incidents();
    }

    pub(super) fn defer(&mut self, incident: u64, now: DateTime<Utc>) {
        let Some((who, inc)) = self.as_responder(incident, now) else {
            return;
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
        inc.log(now, who, IncidentEventKind::PlanDeferred, event.clone());
        self.publish_incidents();
        self.emit(now, event);
        self.notify(incident, NotifyEvent::PlanDeferred, now);
    }

    /// Closes the incident with the responder's resolution note (may be empty).
    pub(super) fn close(&mut self, incident: u64, resolution: &str, now: DateTime<Utc>) {
        // Nothing more of its plan runs (a run in flight finishes and is recorded).
        self.end_plan_run(incident, now);
        let Some((who, inc)) = self.as_responder(incident, now) else {
            return;
        };
        if inc.status == IncidentStatus::Closed {
            return;
        }
        inc.status = IncidentStatus::Closed;
        inc.closed_at = Some(now);
        let event = FeedEvent::Closed {
            id: incident,
            code: inc.scenario.code.clone(),
            resolution: crate::model::cap_note(resolution),
        };
        inc.log(now, who, IncidentEventKind::Closed, event.clone());
        self.publish_incidents();
        self.emit(now, event);
        self.notify(incident, NotifyEvent::Closed, now);
        self.remember_incident(incident);
        self.keep_samples(incident, false);
    }

    /// Adds the responder's note (trimmed, capped; an empty one is nothing), or, with `edits`,
    /// a new text for an earlier note: a new event, the note itself stays as written.
    pub(super) fn note(
        &mut self,
        incident: u64,
        text: &str,
        edits: Option<EventId>,
        now: DateTime<Utc>,
    ) {
        let text = crate::model::cap_note(text);
        let Some((who, inc)) = self.as_responder(incident, now) else {
            return;
        };
        if text.is_empty() {
            return;
        }
        let (kind, event) = match edits {
            None => (
                IncidentEventKind::Note,
                FeedEvent::NoteAdded { id: incident, text },
            ),
            Some(note) if inc.note_text(note).is_some() => (
                IncidentEventKind::NoteEdited,
                FeedEvent::NoteEdited {
                    id: incident,
                    note,
                    text,
                },
            ),
            Some(event) => {
                let unknown = FeedEvent::UnknownEvent {
                    id: incident,
                    event,
                };
                return self.emit(now, unknown);
            }
        };
        inc.log(now, who, kind, event);
        self.publish_incidents();
    }

    /// Stars (or unstars) one event of the incident's timeline; the same state again is
    /// nothing.
    /// Makes `to` (or this console's responder) the incident's owner; the same owner again
    /// is nothing. In team mode the event is shared, so every console shows who has it.
    pub(super) fn take_incident(&mut self, incident: u64, to: Option<String>, now: DateTime<Utc>) {
        let me = self.responder();
        let Some((who, inc)) = self.as_responder(incident, now) else {
            return;
        };
        let owner = crate::model::cap_note(&to.unwrap_or(me));
        let from = inc.owner().map(str::to_string);
        if owner.is_empty() || from.as_deref() == Some(owner.as_str()) {
            return;
        }
        let event = FeedEvent::OwnerChanged {
            id: incident,
            owner,
            from,
        };
        inc.log(now, who, IncidentEventKind::Owner, event.clone());
        self.publish_incidents();
        self.emit(now, event);
    }

    pub(super) fn star(
        &mut self,
        incident: u64,
        event: EventId,
        starred: bool,
        now: DateTime<Utc>,
    ) {
        let Some((who, inc)) = self.as_responder(incident, now) else {
            return;
        };
        let starrable = inc
            .event(event)
            .is_some_and(|e| e.kind != IncidentEventKind::Starred);
        if !starrable {
            return self.emit(
                now,
                FeedEvent::UnknownEvent {
                    id: incident,
                    event,
                },
            );
        }
        if inc.is_starred(event) == starred {
            return;
        }
        let payload = FeedEvent::Starred {
            id: incident,
            event,
            starred,
        };
        inc.log(now, who, IncidentEventKind::Starred, payload);
        self.publish_incidents();
    }

    /// The responder, as the author of what they do to incident `id`, and the incident to
    /// change; `None` (said in the feed) when there is no such incident.
    pub(super) fn as_responder(
        &mut self,
        id: u64,
        now: DateTime<Utc>,
    ) -> Option<(Author, &mut Incident)> {
        let who = Author::Responder(self.responder());
        if self.book.find(id).is_none() {
            self.unknown_incident(id, now);
            return None;
        }
        self.incident_mut(id).map(|inc| (who, inc))
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
