//! What the engine publishes for the window and the headless printer to read: the state
//! behind the one mutex, and the small result types it holds.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::history::MetricHistory;
use crate::model::{
    FeedEntry, Incident, Job, Lang, Reading, Rule, RuleId, RuleValue, Scenario, Settings,
};
use crate::rules::LoadedRule;

use super::SlackTest;

/// Where the numbers come from right now.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceStatus {
    /// The built-in deterministic demo source.
    Demo {
        /// Whether `--demo` forced it.
        forced: bool,
    },
    /// Polling a Prometheus server; `last_good` is `None` while connecting.
    Live {
        /// The server, without credentials.
        url: String,
        /// When the last poll with values arrived.
        last_good: Option<DateTime<Utc>>,
        /// What the last poll could not use, in words (an empty query, a NaN series).
        problems: Vec<String>,
    },
    /// The server gives no values: the last good values are stale.
    Failing {
        /// The server, without credentials.
        url: String,
        /// When the failures began.
        since: DateTime<Utc>,
        /// Why, in words.
        reason: String,
        /// When the last poll with values arrived, if ever.
        last_good: Option<DateTime<Utc>>,
        /// When the next attempt is due, if one is scheduled.
        retry_at: Option<DateTime<Utc>>,
    },
    /// Demo is off and nothing else is configured: nothing is polled.
    Off,
}

/// One query's answer in a Test: every series' `(name, value)`, or the error in words.
pub type TestSeries = Result<Vec<(String, f64)>, String>;

/// A Test of queries against a Prometheus (the Prometheus tab's: every rule; the Rules tab's:
/// one).
#[derive(Clone, Debug, PartialEq)]
pub enum PromTest {
    /// Waiting for the server.
    Running {
        /// The server, without credentials.
        url: String,
    },
    /// The answer.
    Done {
        /// The server, without credentials (empty when there is none).
        url: String,
        /// When it answered.
        at: DateTime<Utc>,
        /// Per rule (in rule order): every series' value (may be NaN), or the error in words;
        /// or the error that stopped them all.
        results: Result<Vec<(RuleId, TestSeries)>, String>,
    },
}

/// The Rules tab's last Test of one rule's query.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleTest(pub PromTest);

/// The result of the last "Verify recovery".
#[derive(Clone, Debug, PartialEq)]
pub struct Verification {
    /// When the values were read.
    pub at: DateTime<Utc>,
    /// Every enabled rule the source answered: its worst value against its threshold.
    pub checks: Vec<RuleValue>,
    /// Whether every check has a value on the good side of its threshold.
    pub recovered: bool,
}

impl Verification {
    /// The feed event that says it (the window and the feed put it in words the same way).
    pub fn event(&self) -> crate::model::FeedEvent {
        crate::model::FeedEvent::Verified {
            checks: self.checks.clone(),
            recovered: self.recovered,
        }
    }
}

/// The small part of what the engine publishes. The engine keeps its own copy, changes it
/// during a turn of its loop, and publishes it whole at the end of the turn (see
/// `engine/publish.rs`); cloning it costs a few reference counts and short vectors.
#[derive(Clone, Debug)]
pub struct Board {
    /// Where the console stands with the team store (`Off` in solo mode).
    pub team: crate::model::TeamStatus,
    /// The team's consoles on now, this one included (empty in solo mode or while alone).
    pub present: Vec<crate::model::Present>,
    /// This console's name in the team store (`kim (1a2b)`; empty in solo mode).
    pub console: String,
    /// The engine is still restoring the data dir: nothing but the settings is known yet
    /// (the window's first frame does not wait for a full data dir to be read).
    pub restoring: bool,
    /// Settings in force.
    pub settings: Settings,
    /// Loaded scenarios, sorted by code.
    pub scenarios: Arc<Vec<Scenario>>,
    /// The rules in force (built-in ones tuned by settings), in card order.
    pub rules: Arc<Vec<Rule>>,
    /// The rules as loaded, with the file that defines each (the Rules tab edits these).
    pub rule_files: Arc<Vec<LoadedRule>>,
    /// Rules flapping right now.
    pub flapping: Vec<RuleId>,
    /// Enabled rules the current source has no data for (the demo answers only the built-in
    /// rules): their cards say so instead of waiting.
    pub unsourced: Vec<RuleId>,
    /// The Rules tab's last Test.
    pub rule_test: Option<RuleTest>,
    /// Incidents, oldest first. Shared so that a frame's copy is one pointer.
    pub incidents: Arc<Vec<Incident>>,
    /// The latest reading.
    pub latest: Option<Reading>,
    /// Where numbers come from.
    pub source: SourceStatus,
    /// The data dir.
    pub data_dir: PathBuf,
    /// Whether `--demo` forced the demo source.
    pub demo_forced: bool,
    /// Whether the engine runs without a window (it then never executes actions).
    pub headless: bool,
    /// The last verification.
    pub last_verification: Option<Verification>,
    /// Effective poll interval (settings, or `--poll-secs`).
    pub poll_interval_secs: u64,
    /// The last Test of the Prometheus tab.
    pub prometheus_test: Option<PromTest>,
    /// Environment variables that override settings for this run (names only).
    pub overridden: Vec<&'static str>,
    /// Every notification job: queued, pending, and the sent history.
    pub notifications: Arc<Vec<Job>>,
    /// Every Alertmanager alert the console knows, by fingerprint.
    pub alerts: Arc<Vec<Arc<crate::model::Alert>>>,
    /// The polled Alertmanagers' active and pending silences, oldest first, each once: who
    /// acknowledged which alert (`Alert::silenced_by` names them).
    pub silences: Arc<Vec<crate::model::Silence>>,
    /// Every polled Alertmanager's health, by URL (published when one goes up or down).
    pub alertmanagers: Arc<Vec<crate::model::AmHealth>>,
    /// Resolved alert episodes, oldest first.
    pub alert_history: Arc<Vec<crate::model::ResolvedAlert>>,
    /// The AI tab's last Test.
    pub llm_test: Option<super::analyst::LlmTest>,
    /// The side panel's last knowledge-base search.
    pub kb_search: Option<super::analyst::KbSearch>,
    /// Acknowledgements of single alerts, by fingerprint (an incident's is in the incident).
    pub alert_acks: Arc<std::collections::BTreeMap<String, crate::model::Ack>>,
    /// The last Test of the Slack tab.
    pub slack_test: Option<SlackTest>,
    /// The audit log of actions, oldest first (every incident's; the window filters).
    pub audit: Arc<Vec<crate::audit::AuditLine>>,
    /// Per incident, what approving its plan runs, one entry per action (see
    /// `engine/plan_preview.rs`): for the dialog open on it and for each run under way.
    pub previews: Arc<std::collections::BTreeMap<u64, Vec<crate::model::ActionPreview>>>,
    /// Where the Alertmanager receiver listens now: the address it bound, so a port 0 in the
    /// settings reads as the port it got. `None` while it is off or could not bind.
    pub receiver_addr: Option<std::net::SocketAddr>,
    /// What the desktop notifier did this run.
    pub desktop: super::alerts::desktop::DesktopCounts,
    /// The last "Open" pressed on a notification: the window comes up on it (once per `seq`).
    pub raise: Option<Raise>,
}

/// A request to bring the window up on something.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Raise {
    /// Grows by one per request, so the window obeys each once.
    pub seq: u64,
    /// What to show.
    pub about: super::AckTarget,
}

/// Everything the UI draws, owned by the engine: the board, and the two large things the
/// engine appends to instead of replacing.
#[derive(Clone, Debug)]
pub struct ConsoleState {
    /// Everything small (settings, rules, incidents, the source, the last tests).
    pub board: Board,
    /// The feed, oldest first, at most [`crate::store::FEED_LIMIT`] entries.
    pub feed: VecDeque<FeedEntry>,
    /// Entries ever added to the feed (moves even when the feed is full).
    pub feed_total: u64,
    /// Sparkline history.
    pub history: MetricHistory,
}

impl Board {
    /// A board that knows only `settings` and the command line: no rules, incidents or
    /// source yet, and `restoring` set.
    pub(super) fn empty(settings: Settings, config: &super::EngineConfig) -> Self {
        Self {
            team: crate::model::TeamStatus::Off,
            present: Vec::new(),
            console: String::new(),
            restoring: true,
            settings,
            scenarios: Arc::default(),
            rules: Arc::default(),
            rule_files: Arc::default(),
            flapping: Vec::new(),
            unsourced: Vec::new(),
            rule_test: None,
            incidents: Arc::default(),
            latest: None,
            source: SourceStatus::Off,
            data_dir: config.store.dir().to_path_buf(),
            demo_forced: config.force_demo,
            headless: config.headless,
            last_verification: None,
            poll_interval_secs: config.poll_override_secs.unwrap_or(0),
            prometheus_test: None,
            overridden: Vec::new(),
            notifications: Arc::default(),
            alerts: Arc::default(),
            alertmanagers: Arc::default(),
            silences: Arc::default(),
            alert_acks: Arc::default(),
            alert_history: Arc::default(),
            llm_test: None,
            kb_search: None,
            slack_test: None,
            audit: Arc::default(),
            previews: Arc::default(),
            receiver_addr: None,
            desktop: Default::default(),
            raise: None,
        }
    }
}

impl ConsoleState {
    /// What the window shows before the engine has restored the data dir: the saved settings
    /// (for the language and theme), empty lists, no source, `restoring` set.
    pub fn starting(config: &super::EngineConfig) -> Self {
        let settings = config.store.peek_settings().unwrap_or_else(|| Settings {
            language: config.default_language,
            ..Settings::default()
        });
        Self {
            board: Board::empty(settings, config),
            feed: VecDeque::new(),
            feed_total: 0,
            history: MetricHistory::with_capacity(1),
        }
    }
}

/// What one frame draws, copied under one short lock ([`super::EngineHandle::snapshot`]):
/// the board (its lists are shared pointers, so the copy costs a few reference counts, not a
/// deep clone), read through `Deref` as `snap.incidents`, `snap.alerts`…, and what the frame
/// needs to know of the feed and the history, which stay behind the handle (`with_feed`,
/// `with_history`) because they are large.
#[derive(Clone)]
pub struct Snapshot {
    /// The board as published.
    pub board: Board,
    /// The data dir, as shown.
    pub data_dir: String,
    /// Entries ever added to the feed.
    pub feed_total: u64,
    /// Entries in the feed now.
    pub feed_len: usize,
    /// The history's revision (moves when it changes).
    pub history_revision: u64,
}

impl std::ops::Deref for Snapshot {
    type Target = Board;

    fn deref(&self) -> &Board {
        &self.board
    }
}

impl Snapshot {
    /// Copies what a frame draws from the published state.
    pub fn take(state: &ConsoleState) -> Self {
        Self {
            board: state.board.clone(),
            data_dir: state.board.data_dir.display().to_string(),
            feed_total: state.feed_total,
            feed_len: state.feed.len(),
            history_revision: state.history.revision(),
        }
    }

    /// The language the window shows.
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
