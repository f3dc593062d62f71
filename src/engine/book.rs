//! The incident book: the incidents (oldest first, at most [`INCIDENT_LIMIT`] but for the
//! active ones, which are never dropped to make room), the next id,
//! and when the list is next written. Everything that changes an incident goes through it,
//! so a change is never published without being scheduled for the disk too, and no timeline
//! event is published or saved without its id (numbered here, as this run's origin).

use std::sync::Arc;

use super::saver::SaveSchedule;
use crate::model::{Incident, IncidentEvent, PROVISIONAL_ID_BASE, is_provisional, trim_incidents};
use crate::store::INCIDENT_LIMIT;

/// The incidents and their save schedule. The list is shared copy-on-write: publishing or
/// saving it costs a pointer copy, and a change copies it only while a frame or a save still
/// holds the old one.
pub(super) struct IncidentBook {
    list: Arc<Vec<Incident>>,
    /// Ids are never reused, also after a restart (the restored maximum plus one).
    next_id: u64,
    /// When the list is next written (off the engine's thread, at most once a second).
    pub saves: SaveSchedule,
    /// This run's random, non-zero origin of timeline event ids.
    origin: u64,
    /// The next event number of this run.
    next_seq: u64,
    /// The next provisional id (team mode: an incident whose team id is not known yet).
    next_provisional: u64,
    /// Whether numbered events are kept for [`Self::take_fresh`] (team mode shares them).
    pub keep_fresh: bool,
    /// Events numbered since the last [`Self::take_fresh`], with their incident's id.
    fresh: Vec<(u64, IncidentEvent)>,
}

/// A random non-zero origin for this run's event ids (see `model/timeline.rs`).
pub fn random_origin() -> u64 {
    loop {
        let mut bytes = [0u8; 8];
        // Without the OS's randomness, the time and the process id still differ per run.
        let origin = match getrandom::fill(&mut bytes) {
            Ok(()) => u64::from_le_bytes(bytes),
            Err(_) => {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos() as u64);
                nanos ^ (u64::from(std::process::id()) << 32)
            }
        };
        if origin != 0 {
            return origin;
        }
    }
}

impl IncidentBook {
    /// The book over what the data dir held, trimmed to [`INCIDENT_LIMIT`] by dropping the
    /// oldest closed or recovered incidents.
    pub fn new(mut restored: Vec<Incident>) -> Self {
        trim_incidents(&mut restored, INCIDENT_LIMIT);
        // Provisional ids (an incident opened alone in team mode) live in a range of their
        // own; they neither set the next id nor are ever given out as one.
        let next_id = restored
            .iter()
            .map(|i| i.id)
            .filter(|&id| !is_provisional(id))
            .max()
            .unwrap_or(0)
            + 1;
        let next_provisional = restored
            .iter()
            .map(|i| i.id)
            .filter(|&id| is_provisional(id))
            .max()
            .map_or(PROVISIONAL_ID_BASE, |m| m + 1);
        Self {
            list: Arc::new(restored),
            next_id,
            saves: SaveSchedule::default(),
            origin: random_origin(),
            next_seq: 1,
            next_provisional,
            keep_fresh: false,
            fresh: Vec::new(),
        }
    }

    /// Every incident, oldest first.
    pub fn all(&self) -> &Arc<Vec<Incident>> {
        &self.list
    }

    /// The incident with this id.
    pub fn find(&self, id: u64) -> Option<&Incident> {
        self.list.iter().find(|i| i.id == id)
    }

    /// The incident with this id, to change (then call [`Self::changed`]).
    pub fn find_mut(&mut self, id: u64) -> Option<&mut Incident> {
        self.list_mut().iter_mut().find(|i| i.id == id)
    }

    /// Every incident, to change (then call [`Self::changed`]).
    pub fn list_mut(&mut self) -> &mut Vec<Incident> {
        Arc::make_mut(&mut self.list)
    }

    /// Takes the next id.
    pub fn take_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Takes the next provisional id (see [`PROVISIONAL_ID_BASE`]).
    pub fn take_provisional_id(&mut self) -> u64 {
        let id = self.next_provisional;
        self.next_provisional += 1;
        id
    }

    /// This run's origin of event ids.
    pub fn origin(&self) -> u64 {
        self.origin
    }

    /// The events numbered since the last call (only while [`Self::keep_fresh`]), with their
    /// incident's id, in the order they were numbered.
    pub fn take_fresh(&mut self) -> Vec<(u64, IncidentEvent)> {
        std::mem::take(&mut self.fresh)
    }

    /// Takes incident `id` out of the book.
    pub fn remove(&mut self, id: u64) -> Option<Incident> {
        let at = self.list.iter().position(|i| i.id == id)?;
        Some(self.list_mut().remove(at))
    }

    /// Adds a new incident (then call [`Self::changed`]).
    pub fn add(&mut self, incident: Incident) {
        self.list_mut().push(incident);
    }

    /// Records that the list changed: trims it to the limit (never an active incident),
    /// schedules a save, and returns the list to publish.
    pub fn changed(&mut self) -> Arc<Vec<Incident>> {
        if self.list.len() > INCIDENT_LIMIT {
            trim_incidents(self.list_mut(), INCIDENT_LIMIT);
        }
        // New events sit at the end of their timelines: a look at each last entry finds them
        // without copying a list nobody changed.
        if self
            .list
            .iter()
            .any(|i| i.timeline.last().is_some_and(|e| !e.id.is_set()))
        {
            let (origin, mut seq) = (self.origin, self.next_seq);
            let keep = self.keep_fresh;
            let mut fresh = Vec::new();
            for inc in Arc::make_mut(&mut self.list) {
                let before = inc.timeline.len()
                    - inc
                        .timeline
                        .iter()
                        .rev()
                        .take_while(|e| !e.id.is_set())
                        .count();
                if inc.number_new_events(origin, &mut seq) && keep {
                    fresh.extend(inc.timeline[before..].iter().map(|e| (inc.id, e.clone())));
                }
            }
            self.fresh.extend(fresh);
            self.next_seq = seq;
        }
        self.saves.mark_dirty();
        self.list.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IncidentStatus, Trigger, TriggerOrigin};

    fn incident(id: u64, status: IncidentStatus) -> Incident {
        let scenario = crate::scenarios::load(None).scenarios[0].clone();
        let trigger = Trigger {
            origin: TriggerOrigin::Manual,
            at: chrono::Utc::now(),
            rule: None,
            series: None,
            values: Vec::new(),
            since: None,
        };
        let mut i = Incident::open(id, scenario, trigger, |s, t, m| {
            crate::text::report::write(s, t, m, chrono::Utc::now())
        });
        i.status = status;
        i
    }

    #[test]
    fn the_limit_drops_the_oldest_closed_or_recovered_never_an_active_one() {
        // The 150 oldest are still open: a flood of 450 newer ones must not push them out.
        let list: Vec<Incident> = (1..=600)
            .map(|id| {
                let status = match id {
                    ..=150 => IncidentStatus::Open,
                    151..=300 => IncidentStatus::Closed,
                    _ => IncidentStatus::Recovered,
                };
                incident(id, status)
            })
            .collect();
        let mut book = IncidentBook::new(list.clone());
        let kept = book.changed();
        assert_eq!(kept.len(), INCIDENT_LIMIT);
        assert!(
            (1..=150).all(|id| book.find(id).is_some()),
            "every open one stays"
        );
        assert!(book.find(250).is_none() && book.find(251).is_some());
        assert_eq!(book.take_id(), 601);

        // All active: nothing is dropped, the list holds more than the limit.
        let active: Vec<Incident> = (1..=520)
            .map(|id| incident(id, IncidentStatus::Mitigating))
            .collect();
        let mut book = IncidentBook::new(active);
        assert_eq!(book.changed().len(), 520);

        // What is saved follows the same rule.
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::new(dir.path());
        store.save_incidents(&list).unwrap();
        let loaded = store.restore().incidents;
        assert_eq!(loaded.len(), INCIDENT_LIMIT);
        assert_eq!(loaded[0].id, 1);
    }
}
