//! Incidents are written off the engine's thread: at most once a second, never two writes at
//! once, always the newest list, and once more, synchronously, at exit. A breaching sample on
//! every poll then costs a pointer copy, not a full fsync of up to 500 incidents.

use std::time::Duration;

use tokio::time::Instant;

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
