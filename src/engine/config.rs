//! How an engine is started: the data dir, the source, the clock, and what the environment
//! set for this run.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::{Clock, SystemClock};
use crate::model::{FeedEntry, Overrides};
use crate::store::Store;

/// How the engine is started.
pub struct EngineConfig {
    /// The persistence layer (its dir is the data dir).
    pub store: Store,
    /// Force the demo source (`--demo`).
    pub force_demo: bool,
    /// Override the poll interval (`--poll-secs`), not saved.
    pub poll_override_secs: Option<u64>,
    /// Seed of the demo source.
    pub seed: u64,
    /// Wall clock.
    pub clock: Arc<dyn Clock>,
    /// Running without a window.
    pub headless: bool,
    /// Whether to raise OS notifications (the window's run; off by default so that tests and
    /// benches never pop notifications on a developer's desktop).
    pub desktop_notifications: bool,
    /// Receives a copy of every feed entry (headless printing, in the language it chooses).
    pub feed_tap: Option<mpsc::UnboundedSender<FeedEntry>>,
    /// The language to use when no settings are saved yet.
    pub default_language: crate::model::Lang,
    /// What the environment sets for this run (the overrides table's variables).
    pub overrides: Overrides,
    /// `INCIDENT_SECRET_<NAME>` for this run (the name without the prefix): the secrets
    /// webhook headers may name, winning over Settings → Actions.
    pub action_secrets: Vec<(String, crate::model::Secret)>,
    /// Problems found while reading the environment, said in the feed at start.
    pub startup_problems: Vec<String>,
}

impl EngineConfig {
    /// Defaults for `store`: settings decide the source and interval, seed 42, the system
    /// clock, a window, English until settings say otherwise.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            force_demo: false,
            poll_override_secs: None,
            seed: 42,
            clock: Arc::new(SystemClock),
            headless: false,
            desktop_notifications: false,
            feed_tap: None,
            default_language: crate::model::Lang::En,
            overrides: Overrides::default(),
            action_secrets: Vec::new(),
            startup_problems: Vec::new(),
        }
    }
}
