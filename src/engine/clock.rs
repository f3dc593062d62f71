//! Injected time. The engine never calls `Utc::now()` itself, so tests can run the monitor on
//! tokio's paused clock and get the same timestamps every time.

use chrono::{DateTime, Utc};

/// A source of wall-clock time.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Wall time that follows tokio's clock from a fixed origin, so a paused tokio runtime
/// (tests) moves it exactly as far as `tokio::time::advance` or auto-advance does.
#[derive(Clone, Debug)]
pub struct TokioClock {
    origin_wall: DateTime<Utc>,
    origin: tokio::time::Instant,
}

impl TokioClock {
    /// Starts at `origin_wall` now; must be created inside a tokio runtime.
    pub fn starting_at(origin_wall: DateTime<Utc>) -> Self {
        Self {
            origin_wall,
            origin: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = tokio::time::Instant::now() - self.origin;
        self.origin_wall + chrono::Duration::from_std(elapsed).unwrap_or_default()
    }
}
