//! An incident's timeline: append-only events, each with a stable id, a time, an author and a
//! typed payload (a [`FeedEvent`]). Nothing here is ever rewritten: a note's edit, a star and
//! its removal are events of their own that point at an earlier one by id, and what the
//! timeline says now (a note's latest text, which events are starred) is folded from them.
//!
//! Ids are `(origin, seq)`. Each run of a console (and each `note` from the command line)
//! draws a random non-zero origin and numbers what it adds 1, 2, 3…, so two consoles adding
//! to one incident never collide, and a copy of an event applied twice is kept once. Entries
//! written before ids existed get origin 0 and their position (1-based) when loaded: the same
//! ids on every load, since those timelines never change.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{FeedEvent, Incident};

/// The longest note kept, in bytes (a longer one is cut at a character boundary).
pub const NOTE_LIMIT_BYTES: usize = 4 * 1024;

/// A timeline event's stable id: who numbered it, and its number there.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct EventId {
    /// The numbering run's random id; 0 for entries written before ids existed.
    pub origin: u64,
    /// Its number in that run, from 1; 0 means "not numbered yet".
    pub seq: u64,
}

impl EventId {
    /// Whether it has been given a number (every event on disk has one).
    pub fn is_set(self) -> bool {
        self.seq != 0
    }
}

/// Who made an event happen.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Author {
    /// A person, by the name the console knows them by (the Responder setting, or the OS
    /// user).
    Responder(String),
    /// The console's own monitor (a rule's breach, clear, recovery).
    Monitor,
    /// An Alertmanager (alerts attached, resolved).
    Alertmanager,
    /// The language model.
    Model,
    /// The console itself (a run's outcome, a refusal, a notification sent).
    Console,
    /// Written by a release that did not record who.
    #[default]
    Unrecorded,
}

/// The kind of a timeline event (what the timeline filters on; the payload says the rest).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IncidentEventKind {
    /// Opened by the monitor, an alert, or by hand.
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
    /// Its rule started or stopped flapping (the detail says which).
    Flapping,
    /// One series' window went clean (the detail names it).
    SeriesCleared,
    /// Another alert of its group attached.
    AlertAttached,
    /// Acknowledged: silences created in Alertmanager.
    Acknowledged,
    /// The acknowledgement's silences were expired.
    Unsilenced,
    /// Every alert of it resolved.
    AlertsResolved,
    /// One run of an action finished (the event says which and how).
    ActionRan,
    /// The plan stopped before its end, or its outcome became unknown.
    PlanStopped,
    /// A hypothesis' mark changed (from → to).
    Marked,
    /// The responder approved the plan, or an action's real run after its dry run.
    Approved,
    /// The console refused what was asked (a guard).
    Refused,
    /// A note was added.
    Note,
    /// A note was edited (the payload names the note).
    NoteEdited,
    /// An event was starred or unstarred (the payload names it).
    Starred,
    /// A notification was delivered, or given up.
    Notified,
    /// A live check of the runbook's evidence came back.
    Checked,
    /// The language model's report arrived.
    ModelReport,
    /// "Verify recovery" judged the current values.
    Verified,
    /// A section of the review was written.
    Review,
    /// A follow-up was added or changed.
    FollowUp,
    /// Someone took the incident (its owner, the incident commander).
    Owner,
}

/// One entry of an incident's own timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentEvent {
    /// Its stable id (unset only between being logged and the book numbering it).
    #[serde(default)]
    pub id: EventId,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    #[serde(default)]
    pub author: Author,
    /// What.
    pub kind: IncidentEventKind,
    /// Details in words (v0.1's entries, in English); empty when `event` says it.
    pub detail: String,
    /// What happened, typed, so the timeline reads in the reader's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<FeedEvent>,
}

/// Cuts `text` to [`NOTE_LIMIT_BYTES`] at a character boundary, trimmed.
pub fn cap_note(text: &str) -> String {
    let text = text.trim();
    let mut end = text.len().min(NOTE_LIMIT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

impl Incident {
    /// Appends an event (unnumbered: the incident book numbers it when the change is
    /// published; see [`Incident::number_new_events`]).
    pub fn log(
        &mut self,
        at: DateTime<Utc>,
        author: Author,
        kind: IncidentEventKind,
        event: FeedEvent,
    ) {
        self.timeline.push(IncidentEvent {
            id: EventId::default(),
            at,
            author,
            kind,
            detail: String::new(),
            event: Some(event),
        });
    }

    /// Numbers the events added since the last call (the unnumbered ones at the end) as
    /// `(origin, *next_seq)`, counting `next_seq` up. Returns whether any was numbered.
    pub fn number_new_events(&mut self, origin: u64, next_seq: &mut u64) -> bool {
        let fresh = self
            .timeline
            .iter()
            .rev()
            .take_while(|e| !e.id.is_set())
            .count();
        let start = self.timeline.len() - fresh;
        for e in &mut self.timeline[start..] {
            e.id = EventId {
                origin,
                seq: *next_seq,
            };
            *next_seq += 1;
        }
        fresh > 0
    }

    /// Gives every entry written before ids existed origin 0 and its position (from 1).
    pub fn number_old_events(&mut self) {
        for (i, e) in self.timeline.iter_mut().enumerate() {
            if !e.id.is_set() {
                e.id = EventId {
                    origin: 0,
                    seq: i as u64 + 1,
                };
            }
        }
    }

    /// Applies an event made elsewhere (another console, a copy): kept in time order after
    /// the entries of the same time, unless an event with its id is already there. Returns
    /// whether it was added.
    pub fn apply(&mut self, event: IncidentEvent) -> bool {
        if !event.id.is_set() || self.timeline.iter().any(|e| e.id == event.id) {
            return false;
        }
        let at = self.timeline.partition_point(|e| e.at <= event.at);
        self.timeline.insert(at, event);
        true
    }

    /// The event with this id.
    pub fn event(&self, id: EventId) -> Option<&IncidentEvent> {
        self.timeline.iter().find(|e| e.id == id)
    }

    /// Whether the event `id` is starred now (its last star event says so).
    pub fn is_starred(&self, id: EventId) -> bool {
        self.timeline
            .iter()
            .rev()
            .find_map(|e| match &e.event {
                Some(FeedEvent::Starred { event, starred, .. }) if *event == id => Some(*starred),
                _ => None,
            })
            .unwrap_or(false)
    }

    /// The starred events, in timeline order (star events themselves are never starred).
    pub fn starred(&self) -> Vec<&IncidentEvent> {
        self.timeline
            .iter()
            .filter(|e| e.kind != IncidentEventKind::Starred && self.is_starred(e.id))
            .collect()
    }

    /// A note's text now: its last edit's, or what it was written with; `None` when `id` is
    /// not a note.
    pub fn note_text(&self, id: EventId) -> Option<&str> {
        let original = match &self.event(id)?.event {
            Some(FeedEvent::NoteAdded { text, .. }) => text.as_str(),
            _ => return None,
        };
        let edited = self.timeline.iter().rev().find_map(|e| match &e.event {
            Some(FeedEvent::NoteEdited { note, text, .. }) if *note == id => Some(text.as_str()),
            _ => None,
        });
        Some(edited.unwrap_or(original))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TriggerOrigin;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    fn incident() -> Incident {
        crate::model::test_incident(1, TriggerOrigin::Manual, at(0), None)
    }

    fn note(text: &str) -> FeedEvent {
        FeedEvent::NoteAdded {
            id: 1,
            text: text.into(),
        }
    }

    #[test]
    fn new_events_are_numbered_once_in_order_and_old_ones_by_position() {
        let mut inc = incident();
        let old = IncidentEvent {
            id: EventId::default(),
            at: at(0),
            author: Author::Unrecorded,
            kind: IncidentEventKind::Opened,
            detail: "Opened by monitor".into(),
            event: None,
        };
        inc.timeline = vec![old.clone(), old];
        inc.number_old_events();
        let ids: Vec<_> = inc
            .timeline
            .iter()
            .map(|e| (e.id.origin, e.id.seq))
            .collect();
        assert_eq!(ids, [(0, 1), (0, 2)]);

        let mut seq = 7;
        assert!(!inc.number_new_events(42, &mut seq), "nothing new");
        let who = Author::Responder("kim".into());
        inc.log(at(1), who.clone(), IncidentEventKind::Note, note("a"));
        inc.log(at(2), who, IncidentEventKind::Note, note("b"));
        assert!(inc.number_new_events(42, &mut seq));
        let ids: Vec<_> = inc
            .timeline
            .iter()
            .map(|e| (e.id.origin, e.id.seq))
            .collect();
        assert_eq!(ids, [(0, 1), (0, 2), (42, 7), (42, 8)]);
        assert_eq!(seq, 9);
        // Numbering again changes nothing.
        assert!(!inc.number_new_events(42, &mut seq));
        assert_eq!(inc.timeline[3].id.seq, 8);
    }

    #[test]
    fn an_event_applied_twice_is_kept_once_and_in_time_order() {
        let mut inc = incident();
        let mut seq = 1;
        inc.log(
            at(10),
            Author::Monitor,
            IncidentEventKind::Refired,
            note("x"),
        );
        inc.number_new_events(5, &mut seq);
        let remote = IncidentEvent {
            id: EventId { origin: 9, seq: 1 },
            at: at(5),
            author: Author::Responder("lee".into()),
            kind: IncidentEventKind::Note,
            detail: String::new(),
            event: Some(note("from the other console")),
        };
        assert!(inc.apply(remote.clone()));
        assert!(!inc.apply(remote.clone()), "the copy is dropped");
        assert_eq!(inc.timeline.len(), 2);
        assert_eq!(inc.timeline[0].id, remote.id, "before the later event");
        let unnumbered = IncidentEvent {
            id: EventId::default(),
            ..remote
        };
        assert!(!inc.apply(unnumbered), "an event without an id is refused");
    }

    #[test]
    fn stars_and_note_edits_are_folded_from_later_events() {
        let mut inc = incident();
        let mut seq = 1;
        let who = Author::Responder("kim".into());
        inc.log(at(1), who.clone(), IncidentEventKind::Note, note("first"));
        inc.number_new_events(3, &mut seq);
        let id = inc.timeline[0].id;
        assert_eq!(inc.note_text(id), Some("first"));
        assert!(!inc.is_starred(id));
        for (t, starred) in [(2, true), (3, false), (4, true)] {
            let star = FeedEvent::Starred {
                id: 1,
                event: id,
                starred,
            };
            inc.log(at(t), who.clone(), IncidentEventKind::Starred, star);
        }
        let edit = FeedEvent::NoteEdited {
            id: 1,
            note: id,
            text: "second".into(),
        };
        inc.log(at(5), who, IncidentEventKind::NoteEdited, edit);
        inc.number_new_events(3, &mut seq);
        assert!(inc.is_starred(id), "the last star event wins");
        assert_eq!(inc.starred().len(), 1);
        assert_eq!(inc.note_text(id), Some("second"));
        assert_eq!(inc.timeline.len(), 5, "nothing rewritten");
        assert_eq!(inc.note_text(inc.timeline[1].id), None, "a star is no note");
    }

    #[test]
    fn a_long_note_is_cut_at_a_character_boundary() {
        let long = "가".repeat(NOTE_LIMIT_BYTES);
        let cut = cap_note(&long);
        assert!(cut.len() <= NOTE_LIMIT_BYTES && cut.len() > NOTE_LIMIT_BYTES - 3);
        assert_eq!(cap_note("  hi \n"), "hi");
    }
}
