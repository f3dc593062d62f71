//! The incident book: the incidents (oldest first, at most [`INCIDENT_LIMIT`]), the next id,
//! and when the list is next written. Everything that changes an incident goes through it,
//! so a change is never published without being scheduled for the disk too.

use std::sync::Arc;

use super::saver::SaveSchedule;
use crate::model::Incident;
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
}

impl IncidentBook {
    /// The book over what the data dir held, trimmed to the newest [`INCIDENT_LIMIT`].
    pub fn new(mut restored: Vec<Incident>) -> Self {
        let excess = restored.len().saturating_sub(INCIDENT_LIMIT);
        restored.drain(..excess);
        let next_id = restored.iter().map(|i| i.id).max().unwrap_or(0) + 1;
        Self {
            list: Arc::new(restored),
            next_id,
            saves: SaveSchedule::default(),
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

    /// Adds a new incident (then call [`Self::changed`]).
    pub fn add(&mut self, incident: Incident) {
        self.list_mut().push(incident);
    }

    /// Records that the list changed: trims it to the limit, schedules a save, and returns
    /// the list to publish.
    pub fn changed(&mut self) -> Arc<Vec<Incident>> {
        let excess = self.list.len().saturating_sub(INCIDENT_LIMIT);
        if excess > 0 {
            self.list_mut().drain(..excess);
        }
        self.saves.mark_dirty();
        self.list.clone()
    }
}
