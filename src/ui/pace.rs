//! How soon the window draws what the engine published. News (a feed entry, an incident, a
//! source's health) is drawn at once. A new sample alone is drawn at once while the window has
//! focus, and at most every [`BACKGROUND_GRAPH_SECS`] while it does not: without a GPU every
//! frame is shaded on the CPU, and a console in the background is the usual case. The cards
//! say so while it lasts, and focusing the window draws the newest values at once (focus is
//! an input event, and input always repaints).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::engine::Wake;

/// Longest wait for a graph-only frame while the window is in the background, in seconds.
/// Slower than the default 5 s poll, or it would save nothing there.
pub const BACKGROUND_GRAPH_SECS: u64 = 10;

/// The shortest delay egui accepts without drawing twice (a zero delay draws two frames).
const AT_ONCE: Duration = Duration::from_millis(1);

/// What the engine's wake-up (on its thread) knows of the window (on the UI thread).
#[derive(Debug)]
pub struct Pace {
    epoch: Instant,
    focused: AtomicBool,
    /// When the last frame was drawn, in ms since `epoch`.
    last_frame_ms: AtomicU64,
}

impl Pace {
    /// A pace that assumes focus until the first frame says otherwise.
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            epoch: Instant::now(),
            focused: AtomicBool::new(true),
            last_frame_ms: AtomicU64::new(0),
        })
    }

    /// Records a frame drawn at `now`, and whether the window had focus.
    pub fn frame(&self, now: Instant, focused: bool) {
        let ms = now.saturating_duration_since(self.epoch).as_millis() as u64;
        self.last_frame_ms.store(ms, Ordering::Relaxed);
        self.focused.store(focused, Ordering::Relaxed);
    }

    /// Whether the window had focus at its last frame.
    pub fn focused(&self) -> bool {
        self.focused.load(Ordering::Relaxed)
    }

    /// How long after `now` the window should draw what `wake` announced. Every sample in the
    /// background asks for the same moment (the last frame plus the pace), so a stream of
    /// samples cannot push the frame out forever.
    pub fn delay(&self, wake: Wake, now: Instant) -> Duration {
        if wake == Wake::News || self.focused() {
            return AT_ONCE;
        }
        let last = self.epoch + Duration::from_millis(self.last_frame_ms.load(Ordering::Relaxed));
        let due = last + Duration::from_secs(BACKGROUND_GRAPH_SECS);
        due.saturating_duration_since(now).max(AT_ONCE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn news_is_drawn_at_once_and_samples_wait_only_in_the_background() {
        let pace = Pace::new();
        let t0 = Instant::now();
        pace.frame(t0, true);
        assert_eq!(pace.delay(Wake::Sample, t0), AT_ONCE);
        assert_eq!(pace.delay(Wake::News, t0), AT_ONCE);

        pace.frame(t0, false);
        assert_eq!(pace.delay(Wake::News, t0 + Duration::from_secs(1)), AT_ONCE);
        let wait = pace.delay(Wake::Sample, t0 + Duration::from_secs(1));
        assert!(
            wait > Duration::from_secs(8) && wait <= Duration::from_secs(9),
            "{wait:?}"
        );
        // A later sample asks for the same moment, not a later one.
        let later = pace.delay(Wake::Sample, t0 + Duration::from_secs(4));
        assert!(
            later > Duration::from_secs(5) && later <= Duration::from_secs(6),
            "{later:?}"
        );
        // Past the pace: at once.
        assert_eq!(
            pace.delay(
                Wake::Sample,
                t0 + Duration::from_secs(BACKGROUND_GRAPH_SECS + 1)
            ),
            AT_ONCE
        );
    }
}
