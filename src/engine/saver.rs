//! Incidents are written off the engine's thread: at most once a second, never two writes at
//! once, always the newest list, and once more, synchronously, at exit. A breaching sample on
//! every poll then costs a pointer copy, not a full fsync of up to 500 incidents.

use std::time::Duration;

use tokio::time::Instant;

use super::{Engine, SaveTarget};
use crate::model::{FeedEvent, SavedFile};

/// The shortest time between the starts of two incident saves.
pub const INCIDENT_SAVE_GAP: Duration = Duration::from_secs(1);

/// When the next incident save may start, and whether one is running.
#[derive(Debug, Default)]
pub(super) struct SaveSchedule {
    /// Changes not yet handed to a save.
    dirty: bool,
    /// A save is running on a blocking thread.
    in_flight: bool,
    last_start: Option<Instant>,
}

impl SaveSchedule {
    /// Something changed that must reach the disk.
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// When the next save should start: `None` while nothing is dirty or one is running.
    pub fn due(&self) -> Option<Instant> {
        if !self.dirty || self.in_flight {
            return None;
        }
        Some(match self.last_start {
            Some(t) => t + INCIDENT_SAVE_GAP,
            None => Instant::now(),
        })
    }

    /// A save of everything up to now starts.
    pub fn started(&mut self) {
        self.dirty = false;
        self.in_flight = true;
        self.last_start = Some(Instant::now());
    }

    /// The running save finished (well or not: a failure marks dirty again).
    pub fn finished(&mut self, ok: bool) {
        self.in_flight = false;
        if !ok {
            self.dirty = true;
        }
    }

    /// Whether a save is running.
    pub fn in_flight(&self) -> bool {
        self.in_flight
    }
}

impl Engine {
    /// Hands the current incident list to a blocking thread; its result comes back on
    /// the engine's inputs. The list is shared, so this costs a pointer copy here.
    pub(super) fn start_incident_save(&mut self) {
        self.book.saves.started();
        let (store, incidents, done) = (
            self.store.clone(),
            self.book.all().clone(),
            self.inputs.clone(),
        );
        tokio::task::spawn_blocking(move || {
            let _ = done.send(super::Input::Saved(store.save_incidents(&incidents)));
        });
    }

    pub(super) fn save_feed_if_dirty(&mut self) {
        // The alert history changes seldom and goes with the feed's cadence (and at exit).
        if self.alert_history_dirty {
            self.alert_history_dirty = false;
            let result = self.store.save_alert_history(&self.alert_history);
            self.note_save(SaveTarget::AlertHistory, result);
        }
        if !self.feed_dirty {
            return;
        }
        self.feed_dirty = false;
        let result = self.store.save_feed(&self.feed);
        self.note_save(SaveTarget::Feed, result);
    }

    /// Writes incidents now, on this thread: only at exit.
    pub(super) fn save_incidents(&mut self) {
        let result = self.store.save_incidents(self.book.all());
        self.note_save(SaveTarget::Incidents, result);
    }

    /// Says in the feed when saving starts failing and when it works again: once per change,
    /// not once per attempt, so a full disk does not flood the feed.
    pub(super) fn note_save(
        &mut self,
        target: SaveTarget,
        result: Result<(), crate::store::StoreError>,
    ) {
        let failing = &mut self.save_failing[target as usize];
        let now = self.clock.now();
        let file = match target {
            SaveTarget::Feed => SavedFile::Feed,
            SaveTarget::Incidents => SavedFile::Incidents,
            SaveTarget::Outbox => SavedFile::Outbox,
            SaveTarget::AlertHistory => SavedFile::AlertHistory,
        };
        match result {
            Err(e) if failing.news(()) => {
                let reason = e.to_string();
                self.emit(now, FeedEvent::SaveFailed { file, reason });
            }
            Err(_) => {
                // Still failing: the feed already says so. Keep the feed marked for the next try.
                match target {
                    SaveTarget::Feed => self.feed_dirty = true,
                    SaveTarget::AlertHistory => self.alert_history_dirty = true,
                    _ => {}
                }
            }
            Ok(()) if failing.over() => {
                self.emit(now, FeedEvent::SaveRecovered { file });
            }
            Ok(()) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn saves_are_a_second_apart_one_at_a_time_and_failures_retry() {
        let mut s = SaveSchedule::default();
        assert_eq!(s.due(), None, "nothing to save");
        s.mark_dirty();
        let t0 = Instant::now();
        assert_eq!(s.due(), Some(t0), "the first save starts at once");
        s.started();
        s.mark_dirty();
        assert_eq!(s.due(), None, "never two at once");
        s.finished(true);
        assert_eq!(s.due(), Some(t0 + INCIDENT_SAVE_GAP));
        tokio::time::advance(INCIDENT_SAVE_GAP).await;
        s.started();
        s.finished(false);
        assert!(s.due().is_some(), "a failed save is tried again");
    }
}
