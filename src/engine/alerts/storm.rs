//! The feed tells a storm, not each alert. Per reporter (each polled Alertmanager, or the
//! webhook), the first [`LINES_PER_MINUTE`] alerts that fire or resolve in a minute get a
//! line each; past that they are counted by alertname and said in one line when the minute
//! ends ([`FeedEvent::AlertStorm`]), so 10,000 arrivals make a few lines, not 10,000.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::time::Instant;

use crate::model::FeedEvent;

/// Lines per reporter and minute said one alert each.
pub(in crate::engine) const LINES_PER_MINUTE: u32 = 20;

/// How long one counting window lasts.
const WINDOW: Duration = Duration::from_secs(60);

/// Alert names a storm line names; the rest are counted together.
const NAMES_SHOWN: usize = 5;

/// One reporter's current minute.
struct Window {
    started: Instant,
    said: u32,
    fired: BTreeMap<String, u64>,
    resolved: u64,
}

/// Every reporter's window.
#[derive(Default)]
pub(in crate::engine) struct StormGate {
    windows: BTreeMap<String, Window>,
}

impl StormGate {
    /// One alert of `source` fired (or resolved) at `now`: whether it gets its own line;
    /// if not, it is counted for the storm line.
    pub fn admit(&mut self, source: &str, name: &str, fired: bool, now: Instant) -> bool {
        let window = self
            .windows
            .entry(source.to_string())
            .or_insert_with(|| Window {
                started: now,
                said: 0,
                fired: BTreeMap::new(),
                resolved: 0,
            });
        if now >= window.started + WINDOW && window.fired.is_empty() && window.resolved == 0 {
            window.started = now;
            window.said = 0;
        }
        if window.said < LINES_PER_MINUTE {
            window.said += 1;
            return true;
        }
        if fired {
            *window.fired.entry(name.to_string()).or_default() += 1;
        } else {
            window.resolved += 1;
        }
        false
    }

    /// When the next window with counted alerts ends.
    pub fn due(&self) -> Option<Instant> {
        self.windows
            .values()
            .filter(|w| !w.fired.is_empty() || w.resolved > 0)
            .map(|w| w.started + WINDOW)
            .min()
    }

    /// The storm lines of every window that ended by `now` with alerts counted; those
    /// windows start again empty.
    pub fn ended(&mut self, now: Instant) -> Vec<FeedEvent> {
        let mut lines = Vec::new();
        for (source, w) in &mut self.windows {
            if now < w.started + WINDOW || (w.fired.is_empty() && w.resolved == 0) {
                continue;
            }
            let mut by_name: Vec<(String, u64)> =
                std::mem::take(&mut w.fired).into_iter().collect();
            by_name.sort_by_key(|(name, n)| (std::cmp::Reverse(*n), name.clone()));
            let fired = by_name.iter().map(|(_, n)| n).sum();
            let other_names = by_name.len().saturating_sub(NAMES_SHOWN) as u64;
            by_name.truncate(NAMES_SHOWN);
            lines.push(FeedEvent::AlertStorm {
                source: source.clone(),
                fired,
                resolved: std::mem::take(&mut w.resolved),
                by_name,
                other_names,
                secs: WINDOW.as_secs(),
            });
            w.started = now;
            w.said = LINES_PER_MINUTE;
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn past_twenty_a_minute_alerts_are_counted_and_said_in_one_line() {
        let mut gate = StormGate::default();
        let t0 = Instant::now();
        let said = (0..1000)
            .filter(|i| gate.admit("am", &format!("A{}", i % 7), true, t0))
            .count();
        assert_eq!(said, 20);
        assert!(
            gate.admit("other-am", "B", true, t0),
            "each reporter has its own minute"
        );
        assert!(!gate.admit("am", "A0", false, t0));
        assert_eq!(gate.due(), Some(t0 + WINDOW));
        assert!(gate.ended(t0 + Duration::from_secs(59)).is_empty());
        let lines = gate.ended(t0 + WINDOW);
        let [
            FeedEvent::AlertStorm {
                fired,
                resolved,
                by_name,
                other_names,
                ..
            },
        ] = &lines[..]
        else {
            panic!("{lines:?}");
        };
        assert_eq!((*fired, *resolved, *other_names), (980, 1, 2));
        assert_eq!(by_name.len(), 5);
        assert_eq!(by_name[0].1, 140);
        // Still stormy: the next minute is counted from its start, no lines one by one.
        assert!(!gate.admit("am", "A0", true, t0 + WINDOW));
        let calm = t0 + WINDOW * 2;
        assert_eq!(gate.ended(calm).len(), 1);
        assert_eq!(gate.due(), None);
        // A quiet minute later: one line each again.
        assert!(gate.admit("am", "A0", true, calm + WINDOW));
    }
}
