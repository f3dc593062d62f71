//! What the responders write into an incident's review, kept as timeline events like
//! everything else (append-only, so two consoles writing never overwrite each other's words):
//! the sections (what went well, what did not, contributing factors), each its latest text,
//! and follow-ups (text, owner, due date, status), each its latest version.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{EventId, FeedEvent, Incident};

/// A section of the review the responders write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReviewSection {
    /// What went well.
    WentWell,
    /// What did not go well.
    WentBadly,
    /// What contributed to the incident.
    ContributingFactors,
}

impl ReviewSection {
    /// Every section, in the review's order.
    pub const ALL: [ReviewSection; 3] = [
        ReviewSection::WentWell,
        ReviewSection::WentBadly,
        ReviewSection::ContributingFactors,
    ];
}

/// Where a follow-up stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum FollowUpStatus {
    /// Still to do.
    #[default]
    Open,
    /// Done.
    Done,
    /// Decided against.
    WontDo,
}

impl FollowUpStatus {
    /// Every status, in the order a picker shows them.
    pub const ALL: [FollowUpStatus; 3] = [
        FollowUpStatus::Open,
        FollowUpStatus::Done,
        FollowUpStatus::WontDo,
    ];
}

/// One follow-up as it stands now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    /// What is to be done (at most [`super::NOTE_LIMIT_BYTES`]).
    pub text: String,
    /// Who owns it (free text: a name, a team); may be empty.
    pub owner: String,
    /// When it is due.
    pub due: Option<NaiveDate>,
    /// Where it stands.
    pub status: FollowUpStatus,
}

impl Incident {
    /// A section's text now: the last time it was written (empty text: cleared).
    pub fn review_section(&self, section: ReviewSection) -> Option<&str> {
        self.timeline
            .iter()
            .rev()
            .find_map(|e| match &e.event {
                Some(FeedEvent::ReviewWritten {
                    section: s, text, ..
                }) if *s == section => Some(text.as_str()),
                _ => None,
            })
            .filter(|t| !t.is_empty())
    }

    /// Every follow-up as it stands now, in the order they were added, each with the id of
    /// the event that added it (what a change names).
    pub fn follow_ups(&self) -> Vec<(EventId, FollowUp)> {
        let mut out: Vec<(EventId, FollowUp)> = Vec::new();
        for e in &self.timeline {
            match &e.event {
                Some(FeedEvent::FollowUpAdded { item, .. }) => out.push((e.id, item.clone())),
                Some(FeedEvent::FollowUpChanged {
                    follow_up, item, ..
                }) => {
                    if let Some(slot) = out.iter_mut().find(|(id, _)| id == follow_up) {
                        slot.1 = item.clone();
                    }
                }
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Author, IncidentEventKind, TriggerOrigin};

    #[test]
    fn sections_and_follow_ups_read_their_latest_version() {
        let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let mut inc = crate::model::test_incident(1, TriggerOrigin::Manual, at, None);
        let kim = || Author::Responder("kim".into());
        let write = |text: &str| FeedEvent::ReviewWritten {
            id: 1,
            section: ReviewSection::WentWell,
            text: text.into(),
        };
        inc.log(at, kim(), IncidentEventKind::Review, write("fast rollback"));
        inc.log(
            at,
            kim(),
            IncidentEventKind::Review,
            write("fast rollback; clear runbook"),
        );
        let item = FollowUp {
            text: "alert on p99 latency".into(),
            owner: "lee".into(),
            due: NaiveDate::from_ymd_opt(2026, 12, 10),
            status: FollowUpStatus::Open,
        };
        let added = FeedEvent::FollowUpAdded {
            id: 1,
            item: item.clone(),
        };
        inc.log(at, kim(), IncidentEventKind::FollowUp, added);
        inc.number_new_events(3, &mut 1);
        let first = inc.timeline[2].id;
        let done = FollowUp {
            status: FollowUpStatus::Done,
            ..item
        };
        let changed = FeedEvent::FollowUpChanged {
            id: 1,
            follow_up: first,
            item: done.clone(),
        };
        inc.log(at, kim(), IncidentEventKind::FollowUp, changed);
        assert_eq!(
            inc.review_section(ReviewSection::WentWell),
            Some("fast rollback; clear runbook")
        );
        assert_eq!(inc.review_section(ReviewSection::WentBadly), None);
        assert_eq!(inc.follow_ups(), [(first, done)]);
        inc.log(at, kim(), IncidentEventKind::Review, write(""));
        assert_eq!(inc.review_section(ReviewSection::WentWell), None, "cleared");
    }
}
