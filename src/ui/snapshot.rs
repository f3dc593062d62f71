//! The per-frame copy of the engine's state that every panel draws from.

use std::sync::Arc;

use crate::engine::{ConsoleState, SourceStatus, Verification};
use crate::model::{Incident, Lang, Reading, Scenario, Settings};

/// What one frame draws, copied under one short lock. Incidents and scenarios are shared
/// pointers, so the copy costs a few reference counts, not a deep clone.
#[derive(Clone)]
pub(crate) struct Snapshot {
    pub settings: Settings,
    pub scenarios: Arc<Vec<Scenario>>,
    pub rules: Arc<Vec<crate::model::Rule>>,
    pub rule_files: Arc<Vec<crate::rules::LoadedRule>>,
    pub flapping: Vec<String>,
    pub unsourced: Vec<String>,
    pub rule_test: Option<crate::engine::RuleTest>,
    pub incidents: Arc<Vec<Incident>>,
    pub latest: Option<Reading>,
    pub source: SourceStatus,
    pub data_dir: String,
    pub demo_forced: bool,
    pub headless: bool,
    pub poll_interval_secs: u64,
    pub feed_total: u64,
    pub feed_len: usize,
    pub history_revision: u64,
    pub last_verification: Option<Verification>,
    pub prometheus_test: Option<crate::engine::PromTest>,
    pub overridden: Vec<&'static str>,
    pub notifications: Arc<Vec<crate::model::Job>>,
    pub slack_test: Option<crate::engine::SlackTest>,
}

impl Snapshot {
    pub fn take(st: &ConsoleState) -> Self {
        Self {
            settings: st.settings.clone(),
            scenarios: st.scenarios.clone(),
            rules: st.rules.clone(),
            rule_files: st.rule_files.clone(),
            flapping: st.flapping.clone(),
            unsourced: st.unsourced.clone(),
            rule_test: st.rule_test.clone(),
            incidents: st.incidents.clone(),
            latest: st.latest.clone(),
            source: st.source.clone(),
            data_dir: st.data_dir.display().to_string(),
            demo_forced: st.demo_forced,
            headless: st.headless,
            poll_interval_secs: st.poll_interval_secs,
            feed_total: st.feed_total,
            feed_len: st.feed.len(),
            history_revision: st.history.revision(),
            last_verification: st.last_verification.clone(),
            prometheus_test: st.prometheus_test.clone(),
            overridden: st.overridden.clone(),
            notifications: st.notifications.clone(),
            slack_test: st.slack_test.clone(),
        }
    }

    pub fn lang(&self) -> Lang {
        self.settings.language
    }

    /// `Some(name)` when the environment variable `name` sets a field for this run (the field
    /// is then read-only and says so).
    pub fn set_by_env(&self, name: &'static str) -> Option<&'static str> {
        self.overridden.contains(&name).then_some(name)
    }

    /// Whether the demo source is what feeds the cards.
    pub fn demo(&self) -> bool {
        matches!(self.source, SourceStatus::Demo { .. })
    }

    /// Whether the values on screen are the last good ones of a failing source.
    pub fn stale(&self) -> bool {
        matches!(self.source, SourceStatus::Failing { .. })
    }
}
