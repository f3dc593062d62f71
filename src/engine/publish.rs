//! The one place where the engine's changes reach the shared state.
//!
//! During a turn of its loop the engine changes its own [`Board`] and queues feed entries and
//! history changes here; at the end of the turn [`Engine::publish`] takes the lock once,
//! applies all of it, and lets go. So a frame never sees half a change (an incident without
//! the feed line that announced it), the window waits on the lock for microseconds, and the
//! repaint request follows exactly the turns that changed something.

use chrono::{DateTime, Utc};

use super::state::Board;
use super::{Engine, Wake};
use crate::history::MetricHistory;
use crate::integrations::prometheus::{PromError, RangeSeries};
use crate::model::{FeedEntry, FeedEvent, Reading};
use crate::store::FEED_LIMIT;

/// A change to the sparkline history, applied at publish time (the history is large, so the
/// engine does not keep a copy of its own).
pub(super) enum HistoryOp {
    /// One reading's values.
    Push(Reading),
    /// Forget everything (a new source) and size for this poll interval, in seconds.
    Reset { poll_interval_secs: u64 },
    /// Grow to hold the graph window at this poll interval, in seconds.
    EnsurePollInterval(u64),
    /// A live source's back-fill; publishing says in the feed how many points were new.
    Backfill(Backfill),
}

/// A Prometheus range query's answer for every rule, to be added to the graphs.
pub(super) struct Backfill {
    /// The server, without credentials.
    pub url: String,
    /// The start of the range.
    pub from: DateTime<Utc>,
    /// When it arrived.
    pub at: DateTime<Utc>,
    /// Per rule: its series, or why the query failed.
    pub series: Vec<(String, Result<Vec<RangeSeries>, PromError>)>,
}

impl Backfill {
    /// Adds the finite points that are newer than what each series holds; returns the event
    /// that says how many were added.
    fn apply(self, history: &mut MetricHistory) -> FeedEvent {
        let mut points = 0usize;
        let mut count = 0usize;
        let mut missing = Vec::new();
        for (rule, result) in &self.series {
            match result {
                Ok(all) => {
                    for s in all {
                        count += 1;
                        for &(t, v) in s.points.iter().filter(|(_, v)| v.is_finite()) {
                            if history.push_point(rule, &s.key, t, v) {
                                points += 1;
                            }
                        }
                    }
                }
                Err(e) => missing.push(format!("{rule}: {e}")),
            }
        }
        FeedEvent::Backfilled {
            url: self.url,
            points,
            series: count,
            since: self.from,
            missing,
        }
    }
}

/// What a turn changed and has not published yet.
#[derive(Default)]
pub(super) struct Outgoing {
    /// The board changed.
    board: bool,
    /// Something beyond a new sample changed (see [`Wake`]).
    news: bool,
    /// New feed entries, oldest first.
    feed: Vec<FeedEntry>,
    /// History changes, in order.
    history: Vec<HistoryOp>,
}

impl Engine {
    /// The board, to change; it is published at the end of the turn.
    pub(super) fn board_mut(&mut self) -> &mut Board {
        self.out.board = true;
        self.out.news = true;
        &mut self.board
    }

    /// Sets the newest reading: the one board change that is only a sample.
    pub(super) fn set_latest(&mut self, reading: Reading) {
        self.out.board = true;
        self.board.latest = Some(reading);
    }

    /// Queues a history change for the end of the turn.
    pub(super) fn history_op(&mut self, op: HistoryOp) {
        self.out.history.push(op);
    }

    /// Queues a feed entry for the end of the turn.
    pub(super) fn queue_feed(&mut self, entry: FeedEntry) {
        self.out.feed.push(entry);
    }

    /// Applies what this turn changed under one lock. Returns what changed, if anything (so
    /// the window is woken only then, and knows whether it was only a sample).
    pub(super) fn publish(&mut self) -> Option<Wake> {
        let out = std::mem::take(&mut self.out);
        if !out.board && out.feed.is_empty() && out.history.is_empty() {
            return None;
        }
        let mut news = out.news || !out.feed.is_empty();
        let state = self.state.clone();
        let mut st = state.lock();
        let mut said = Vec::new();
        for op in out.history {
            match op {
                HistoryOp::Push(reading) => st.history.push(&reading),
                HistoryOp::Reset { poll_interval_secs } => {
                    st.history = MetricHistory::for_poll_interval(poll_interval_secs);
                }
                HistoryOp::EnsurePollInterval(secs) => st.history.ensure_poll_interval(secs),
                HistoryOp::Backfill(b) => {
                    let at = b.at;
                    said.push((at, b.apply(&mut st.history)));
                }
            }
        }
        // What applying said joins this turn's feed (it goes through `emit` for the saved
        // copy, which only queues).
        for (at, event) in said {
            self.emit(at, event);
        }
        let feed = std::mem::take(&mut self.out.feed);
        news |= !feed.is_empty();
        let mut tapped = Vec::new();
        for entry in out.feed.into_iter().chain(feed) {
            crate::model::make_room(&mut st.feed, FEED_LIMIT);
            if self.feed_tap.is_some() {
                tapped.push(entry.clone());
            }
            st.feed.push_back(entry);
            st.feed_total += 1;
        }
        if out.board {
            st.board = self.board.clone();
        }
        drop(st);
        // The tap (headless, tests) hears of an entry only once the state that goes with it
        // is published.
        if let Some(tap) = &self.feed_tap {
            for entry in tapped {
                let _ = tap.send(entry);
            }
        }
        Some(if news { Wake::News } else { Wake::Sample })
    }
}
