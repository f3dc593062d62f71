//! The engine: the tokio side that owns time, I/O and every state change.
//!
//! It publishes a [`ConsoleState`] behind a mutex that the UI (or the headless printer) reads,
//! and takes [`Command`]s on a channel. It computes outside the lock and locks only to assign;
//! no guard is ever held across an `.await`.

pub mod clock;
mod commands;
pub mod live;
pub mod monitor;
pub mod notifier;
pub mod source;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use tokio::sync::mpsc;

pub use clock::{Clock, SystemClock, TokioClock};
pub use commands::Command;
pub use notifier::{DeliveryEvent, SlackTest};

use crate::history::MetricHistory;
use crate::model::{
    ActionOutcome, ActionResult, FeedEntry, FeedKind, HypothesisMark, Incident, IncidentEventKind,
    IncidentStatus, Metric, PlanState, Reading, Scenario, Settings, Trigger, TriggerOrigin,
};
use crate::store::{FEED_LIMIT, INCIDENT_LIMIT, Store};
use live::{LiveConfig, LiveEvent};
use monitor::{Monitor, MonitorEvent};
use source::DemoSource;

use crate::integrations::prometheus::{PromClient, PromError, RangeSeries};
use crate::model::{
    Job, NotifyEvent, NotifyOverrides, Outbox, PrometheusOverrides, PrometheusSettings,
};

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

/// The Prometheus tab's Test: one run of both queries with the settings being edited.
#[derive(Clone, Debug, PartialEq)]
pub enum PromTest {
    /// Waiting for the server.
    Running {
        /// The server, without credentials.
        url: String,
    },
    /// The answer.
    Done {
        /// The server, without credentials.
        url: String,
        /// When it answered.
        at: DateTime<Utc>,
        /// Per metric ([`Metric::ALL`] order): every series' value (may be NaN), or the error
        /// in words; or the error that stopped both.
        results: Result<[TestSeries; 2], String>,
    },
}

/// The result of the last "Verify recovery".
#[derive(Clone, Debug, PartialEq)]
pub struct Verification {
    /// When the values were read.
    pub at: DateTime<Utc>,
    /// Highest HTTP error ratio over all nodes.
    pub http_error_rate: Option<f64>,
    /// Highest CPU ratio over all nodes.
    pub cpu_usage: Option<f64>,
    /// HTTP threshold in force.
    pub http_threshold: f64,
    /// CPU threshold in force.
    pub cpu_threshold: f64,
    /// Whether both are at or under their thresholds.
    pub recovered: bool,
}

impl Verification {
    /// The feed line, e.g. `Verification http=0.0123 (threshold 0.0500), cpu=... : recovered`.
    pub fn line(&self) -> String {
        let v = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{v:.4}"));
        format!(
            "Verification http={} (threshold {:.4}), cpu={} (threshold {:.4}): {}",
            v(self.http_error_rate),
            self.http_threshold,
            v(self.cpu_usage),
            self.cpu_threshold,
            if self.recovered {
                "recovered"
            } else {
                "pending"
            }
        )
    }
}

/// Everything the UI draws, owned by the engine.
#[derive(Clone, Debug)]
pub struct ConsoleState {
    /// Settings in force.
    pub settings: Settings,
    /// Loaded scenarios, sorted by code.
    pub scenarios: Arc<Vec<Scenario>>,
    /// Incidents, oldest first. Shared so that a frame's copy is one pointer.
    pub incidents: Arc<Vec<Incident>>,
    /// The feed, oldest first, at most [`FEED_LIMIT`] entries.
    pub feed: VecDeque<FeedEntry>,
    /// Entries ever added to the feed (moves even when the feed is full).
    pub feed_total: u64,
    /// Sparkline history.
    pub history: MetricHistory,
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
    /// The last Test of the Slack tab.
    pub slack_test: Option<SlackTest>,
}

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
    /// Receives a copy of every feed entry (headless printing).
    pub feed_tap: Option<mpsc::UnboundedSender<FeedEntry>>,
    /// The language to use when no settings are saved yet.
    pub default_language: crate::model::Lang,
    /// Prometheus settings from the environment for this run.
    pub overrides: PrometheusOverrides,
    /// Slack and email settings from the environment for this run.
    pub notify_overrides: NotifyOverrides,
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
            feed_tap: None,
            default_language: crate::model::Lang::En,
            overrides: PrometheusOverrides::default(),
            notify_overrides: NotifyOverrides::default(),
            startup_problems: Vec::new(),
        }
    }
}

type RepaintFn = Arc<dyn Fn() + Send + Sync>;

/// What the UI holds: the shared state, the command channel, and the engine thread.
pub struct EngineHandle {
    /// The state to read each frame.
    pub state: Arc<Mutex<ConsoleState>>,
    commands: mpsc::Sender<Command>,
    repaint: Arc<Mutex<Option<RepaintFn>>>,
    stop: Arc<tokio::sync::Notify>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EngineHandle {
    /// Queues a command. Returns false (and the engine is gone or swamped) if it could not.
    pub fn send(&self, command: Command) -> bool {
        self.commands.try_send(command).is_ok()
    }

    /// A sender for threads other than the UI's (e.g. a file dialog's).
    pub fn sender(&self) -> mpsc::Sender<Command> {
        self.commands.clone()
    }

    /// Installs what the engine calls after each batch of changes (the window's repaint).
    pub fn set_repaint(&self, repaint: impl Fn() + Send + Sync + 'static) {
        *self.repaint.lock() = Some(Arc::new(repaint));
    }

    /// Whether the engine thread is still alive (false after shutdown or a crash).
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Asks the engine to save and stop, and waits for its thread.
    pub fn shutdown(&mut self) {
        // A separate signal, not a command: it gets through even when the queue is full.
        self.stop.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for EngineHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The engine proper. Build it with [`Engine::new`], then either [`Engine::spawn`] it on its own
/// thread or drive [`Engine::run`] on a runtime of your own (tests use a paused clock).
pub struct Engine {
    state: Arc<Mutex<ConsoleState>>,
    repaint: Arc<Mutex<Option<RepaintFn>>>,
    stop: Arc<tokio::sync::Notify>,
    store: Store,
    clock: Arc<dyn Clock>,
    feed_tap: Option<mpsc::UnboundedSender<FeedEntry>>,
    settings: Settings,
    incidents: Arc<Vec<Incident>>,
    feed: VecDeque<FeedEntry>,
    feed_dirty: bool,
    monitor: Monitor,
    demo: Option<DemoSource>,
    force_demo: bool,
    poll_override_secs: Option<u64>,
    headless: bool,
    seed: u64,
    next_id: u64,
    random_draws: u64,
    /// The shared state changed since the last repaint request.
    changed: bool,
    /// Whether the last save of the feed / incidents failed.
    save_failing: [bool; 3],
    /// Settings as saved on disk (`settings` is these with the overrides applied).
    saved_settings: Settings,
    overrides: PrometheusOverrides,
    live: Option<LiveRun>,
    live_tx: mpsc::UnboundedSender<LiveEvent>,
    live_rx: Option<mpsc::UnboundedReceiver<LiveEvent>>,
    generation: u64,
    notify_overrides: NotifyOverrides,
    outbox: Outbox,
    notify_tx: mpsc::UnboundedSender<DeliveryEvent>,
    notify_rx: Option<mpsc::UnboundedReceiver<DeliveryEvent>>,
    /// Whether the feed already said why Slack / email cannot be used (once per settings).
    unusable_said: [bool; 2],
    /// Jitter state for retry delays.
    jitter: u64,
}

/// What a live task is polling with; a new one starts only when this changes.
#[derive(Clone, Debug, PartialEq)]
struct LiveKey {
    prometheus: PrometheusSettings,
    poll_secs: u64,
    window_secs: u64,
}

impl LiveKey {
    fn new(p: &PrometheusSettings, poll_secs: u64, window_secs: u64) -> Self {
        // Thresholds are the engine's business; changing them must not restart polling.
        let prometheus = PrometheusSettings {
            http_threshold: 0.0,
            cpu_threshold: 0.0,
            ..p.clone()
        };
        Self {
            prometheus,
            poll_secs,
            window_secs,
        }
    }
}

/// The running live task and what the engine remembers about its health.
struct LiveRun {
    key: LiveKey,
    generation: u64,
    client: PromClient,
    queries: [String; 2],
    task: tokio::task::JoinHandle<()>,
    last_good: Option<DateTime<Utc>>,
    failing_since: Option<DateTime<Utc>>,
    /// What the feed last said about this source's problems, so it speaks once per change.
    reported: Vec<String>,
}

impl Drop for LiveRun {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What a save was for, to report each one's failures once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SaveTarget {
    Feed = 0,
    Incidents = 1,
    Outbox = 2,
}

/// How often a changed feed is written to disk.
const FEED_SAVE_EVERY: Duration = Duration::from_secs(10);

impl Engine {
    /// Restores the data dir, loads scenarios and prepares the state. Does no polling yet.
    pub fn new(config: EngineConfig) -> Self {
        let restored = config.store.restore();
        let saved_settings = restored.settings.unwrap_or_else(|| Settings {
            language: config.default_language,
            ..Settings::default()
        });
        let settings = config
            .notify_overrides
            .apply(&config.overrides.apply(&saved_settings));
        let scenario_load = crate::scenarios::load(Some(&config.store.scenarios_dir()));
        let now = config.clock.now();
        let mut incidents = restored.incidents;
        let excess = incidents.len().saturating_sub(INCIDENT_LIMIT);
        incidents.drain(..excess);
        let next_id = incidents.iter().map(|i| i.id).max().unwrap_or(0) + 1;
        let mut feed: VecDeque<FeedEntry> = restored.feed.into();
        let poll = config
            .poll_override_secs
            .unwrap_or(settings.poll_interval_secs);
        let state = ConsoleState {
            settings: settings.clone(),
            scenarios: Arc::new(scenario_load.scenarios),
            incidents: Arc::new(Vec::new()),
            feed: VecDeque::new(),
            feed_total: 0,
            history: MetricHistory::for_poll_interval(poll),
            latest: None,
            source: SourceStatus::Off,
            data_dir: config.store.dir().to_path_buf(),
            demo_forced: config.force_demo,
            headless: config.headless,
            last_verification: None,
            poll_interval_secs: poll,
            prometheus_test: None,
            overridden: config
                .overrides
                .names()
                .into_iter()
                .chain(config.notify_overrides.names())
                .collect(),
            notifications: Arc::new(restored.outbox.jobs.clone()),
            slack_test: None,
        };
        let (live_tx, live_rx) = mpsc::unbounded_channel();
        let (notify_tx, notify_rx) = notifier::channel();
        let excess = feed.len().saturating_sub(FEED_LIMIT);
        feed.drain(..excess);
        let mut engine = Self {
            state: Arc::new(Mutex::new(state)),
            repaint: Arc::new(Mutex::new(None)),
            stop: Arc::new(tokio::sync::Notify::new()),
            store: config.store,
            clock: config.clock,
            feed_tap: config.feed_tap,
            settings,
            incidents: Arc::new(incidents),
            feed,
            feed_dirty: false,
            monitor: Monitor::new(),
            demo: None,
            force_demo: config.force_demo,
            poll_override_secs: config.poll_override_secs,
            headless: config.headless,
            seed: config.seed,
            next_id,
            random_draws: 0,
            changed: true,
            save_failing: [false; 3],
            saved_settings,
            overrides: config.overrides,
            live: None,
            live_tx,
            live_rx: Some(live_rx),
            generation: 0,
            notify_overrides: config.notify_overrides,
            outbox: restored.outbox,
            notify_tx,
            notify_rx: Some(notify_rx),
            unusable_said: [false; 2],
            jitter: config.seed ^ 0x0B0C,
        };
        {
            let mut st = engine.state.lock();
            st.feed = engine.feed.clone();
            st.feed_total = engine.feed.len() as u64;
            st.incidents = engine.incidents.clone();
        }
        for problem in restored.problems {
            engine.push_feed(now, FeedKind::Error, problem);
        }
        for err in scenario_load.errors {
            engine.push_feed(
                now,
                FeedKind::Error,
                format!("scenario file skipped: {err}"),
            );
        }
        for problem in config.startup_problems {
            engine.push_feed(now, FeedKind::Error, problem);
        }
        let overridden = engine.state.lock().overridden.clone();
        if !overridden.is_empty() {
            let names = overridden.join(", ");
            engine.push_feed(
                now,
                FeedKind::Settings,
                format!("Settings overridden for this run by {names}"),
            );
        }
        engine.select_source(now);
        let waiting = engine
            .outbox
            .jobs
            .iter()
            .filter(|j| j.state == crate::model::JobState::Queued)
            .count();
        let pending = engine.outbox.pending().count();
        if waiting + pending > 0 {
            engine.push_feed(
                now,
                FeedKind::Info,
                format!(
                    "Notifications from the last run: {waiting} still to deliver, {pending} pending your decision"
                ),
            );
        }
        let active: Vec<String> = engine
            .incidents
            .iter()
            .filter(|i| i.status.is_active())
            .map(|i| format!("#{} {}", i.id, i.scenario.code))
            .collect();
        engine.push_feed(
            now,
            FeedKind::Info,
            format!(
                "Console started: {}, poll every {} s, data dir {}; restored {} incidents ({} active{}{})",
                engine.source_words(),
                poll,
                engine.store.dir().display(),
                engine.incidents.len(),
                active.len(),
                if active.is_empty() { "" } else { ": " },
                active.join(", ")
            ),
        );
        engine
    }

    /// The shared state (for tests and for building a handle).
    pub fn state(&self) -> Arc<Mutex<ConsoleState>> {
        self.state.clone()
    }

    /// Starts the engine on its own thread with its own tokio runtime.
    pub fn spawn(config: EngineConfig) -> std::io::Result<EngineHandle> {
        let (tx, rx) = mpsc::channel(256);
        // One thread is plenty: the engine's work is small and I/O-bound.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let engine = runtime.block_on(async { Engine::new(config) });
        let state = engine.state();
        let repaint = engine.repaint.clone();
        let stop = engine.stop.clone();
        let thread = std::thread::Builder::new()
            .name("engine".into())
            .spawn(move || runtime.block_on(engine.run(rx)))?;
        Ok(EngineHandle {
            state,
            commands: tx,
            repaint,
            stop,
            thread: Some(thread),
        })
    }

    /// A command channel for driving [`Engine::run`] on a runtime of your own (tests).
    pub fn channel() -> (mpsc::Sender<Command>, mpsc::Receiver<Command>) {
        mpsc::channel(256)
    }

    /// The main loop: poll on schedule, obey commands, save periodically; returns on Shutdown
    /// or when every sender is gone, after saving everything.
    pub async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        let mut next_poll = tokio::time::Instant::now();
        let mut next_feed_save = tokio::time::Instant::now() + FEED_SAVE_EVERY;
        let stop = self.stop.clone();
        let mut live_rx = self.live_rx.take().expect("run is called once");
        let mut notify_rx = self.notify_rx.take().expect("run is called once");
        loop {
            let delivery_wake = self.outbox_wake();
            tokio::select! {
                _ = stop.notified() => break,
                Some(event) = live_rx.recv() => self.on_live(event),
                Some(event) = notify_rx.recv() => self.on_delivery(event),
                _ = tokio::time::sleep_until(delivery_wake.unwrap_or_else(tokio::time::Instant::now)), if delivery_wake.is_some() => {
                    self.deliver_due();
                }
                _ = tokio::time::sleep_until(next_poll) => {
                    self.poll();
                    next_poll += Duration::from_secs(self.poll_interval_secs());
                    // After a stall (suspend), skip missed polls instead of bursting.
                    let now = tokio::time::Instant::now();
                    if next_poll < now {
                        next_poll = now + Duration::from_secs(self.poll_interval_secs());
                    }
                }
                _ = tokio::time::sleep_until(next_feed_save) => {
                    self.save_feed_if_dirty();
                    next_feed_save += FEED_SAVE_EVERY;
                }
                cmd = commands.recv() => match cmd {
                    None | Some(Command::Shutdown) => break,
                    Some(cmd) => {
                        let old_interval = self.poll_interval_secs();
                        self.handle(cmd);
                        let new_interval = self.poll_interval_secs();
                        if new_interval != old_interval {
                            next_poll = tokio::time::Instant::now() + Duration::from_secs(new_interval);
                        }
                    }
                },
            }
            self.request_repaint();
        }
        self.live = None;
        self.save_feed_if_dirty();
        self.save_incidents();
        self.save_outbox();
    }

    fn poll_interval_secs(&self) -> u64 {
        self.poll_override_secs
            .unwrap_or(self.settings.poll_interval_secs)
            .max(1)
    }

    /// Wakes the window, only if something it draws changed: an idle window stays asleep.
    fn request_repaint(&mut self) {
        if !std::mem::take(&mut self.changed) {
            return;
        }
        let f = self.repaint.lock().clone();
        if let Some(f) = f {
            f();
        }
    }

    fn source_words(&self) -> String {
        match &self.state.lock().source {
            SourceStatus::Demo { forced: true } => {
                format!("demo source forced by --demo (seed {})", self.seed)
            }
            SourceStatus::Demo { forced: false } => format!("demo source (seed {})", self.seed),
            SourceStatus::Live { url, .. } => format!("live Prometheus {url}"),
            SourceStatus::Failing { url, reason, .. } => {
                format!("Prometheus {url}, failing: {reason}")
            }
            SourceStatus::Off => {
                "no metric source (demo is off and no Prometheus URL is set)".into()
            }
        }
    }

    fn select_source(&mut self, now: DateTime<Utc>) {
        let interval = self.poll_interval_secs();
        let window_secs = u64::from(self.settings.graph_window_mins.max(1)) * 60;
        let status = if self.force_demo || self.settings.demo_mode {
            self.live = None;
            if self.demo.is_none() {
                self.forget_source_data(interval);
                let demo = DemoSource::new(self.seed);
                let count = window_secs / interval;
                for r in demo.backfill(now, interval, count) {
                    // Graphs are never empty: the window's worth of calm demo history.
                    self.state.lock().history.push(&r);
                }
                self.demo = Some(demo);
                if count > 0 {
                    self.push_feed(
                        now,
                        FeedKind::Info,
                        format!(
                            "Graphs back-filled with {count} simulated calm demo samples; the monitor watches from now on"
                        ),
                    );
                }
            }
            SourceStatus::Demo {
                forced: self.force_demo,
            }
        } else {
            if self.demo.take().is_some() {
                self.forget_source_data(interval);
            }
            let p = self.settings.prometheus.clone();
            if p.base_url.trim().is_empty() {
                if self.live.take().is_some() {
                    self.forget_source_data(interval);
                }
                SourceStatus::Off
            } else {
                let key = LiveKey::new(&p, interval, window_secs);
                if self.live.as_ref().is_some_and(|l| l.key == key) {
                    return;
                }
                self.live = None;
                self.forget_source_data(interval);
                self.generation += 1;
                match LiveConfig::new(&p, interval, window_secs, self.generation) {
                    Ok(config) => {
                        let url = config.client.url().to_string();
                        let run = LiveRun {
                            key,
                            generation: self.generation,
                            client: config.client.clone(),
                            queries: config.queries.clone(),
                            task: tokio::spawn(live::run(
                                config,
                                self.clock.clone(),
                                self.live_tx.clone(),
                            )),
                            last_good: None,
                            failing_since: None,
                            reported: Vec::new(),
                        };
                        self.live = Some(run);
                        SourceStatus::Live {
                            url,
                            last_good: None,
                            problems: Vec::new(),
                        }
                    }
                    Err(e) => {
                        let words = format!("Prometheus settings cannot be used: {e}");
                        self.push_feed(now, FeedKind::Error, words);
                        SourceStatus::Failing {
                            url: p.base_url.trim().to_string(),
                            since: now,
                            reason: e.to_string(),
                            last_good: None,
                            retry_at: None,
                        }
                    }
                }
            }
        };
        self.changed = true;
        self.state.lock().source = status;
    }

    /// Drops what the previous source left: its windows say nothing about the next source, and
    /// its series must not share a graph with the next one's.
    fn forget_source_data(&mut self, poll_interval_secs: u64) {
        self.monitor = Monitor::new();
        let mut st = self.state.lock();
        st.history = MetricHistory::for_poll_interval(poll_interval_secs);
        st.latest = None;
    }

    /// Handles a report of a live task (or of a one-off Verify or Test).
    fn on_live(&mut self, event: LiveEvent) {
        let current = self.live.as_ref().map(|l| l.generation);
        match event {
            LiveEvent::Backfill {
                generation,
                series,
                from,
            } if Some(generation) == current => self.on_backfill(series, from),
            LiveEvent::Poll {
                generation,
                at,
                results,
                retry_in,
            } if Some(generation) == current => self.on_poll(at, &results, retry_in),
            LiveEvent::Backfill { .. } | LiveEvent::Poll { .. } => {
                // From a task that was replaced: its server is no longer ours.
            }
            LiveEvent::Verify { at, results } => {
                let assembled = live::assemble(at, &results);
                match assembled.reading {
                    Some(reading) => self.record_verification(&reading, at),
                    None => {
                        let url = self
                            .live
                            .as_ref()
                            .map_or("", |l| l.client.url())
                            .to_string();
                        self.push_feed(
                            at,
                            FeedKind::Verification,
                            format!(
                                "Verification not possible: Prometheus {url}: {}",
                                assembled.problems.join("; ")
                            ),
                        );
                    }
                }
            }
            LiveEvent::Test { url, at, results } => {
                let line = match &results {
                    Err(e) => format!("Prometheus test of {url} failed: {e}"),
                    Ok(r) => {
                        let part = |m: Metric| match &r[m.index()] {
                            Ok(s) => format!("{} {} series", m.short_name(), s.len()),
                            Err(e) => format!("{} failed ({e})", m.short_name()),
                        };
                        format!(
                            "Prometheus test of {url}: {}, {}",
                            part(Metric::HttpErrorRate),
                            part(Metric::CpuUsage)
                        )
                    }
                };
                let results = results.map_err(|e| e.to_string()).map(|r| {
                    r.map(|m| {
                        m.map(|s| s.into_iter().map(|v| (v.key, v.value)).collect())
                            .map_err(|e| e.to_string())
                    })
                });
                self.state.lock().prometheus_test = Some(PromTest::Done { url, at, results });
                self.push_feed(at, FeedKind::Settings, line);
            }
        }
    }

    fn on_backfill(
        &mut self,
        series: [Result<Vec<RangeSeries>, PromError>; 2],
        from: DateTime<Utc>,
    ) {
        let url = self
            .live
            .as_ref()
            .map_or("", |l| l.client.url())
            .to_string();
        let mut points = 0usize;
        let mut count = 0usize;
        let mut problems = Vec::new();
        {
            let mut st = self.state.lock();
            for metric in Metric::ALL {
                match &series[metric.index()] {
                    Ok(all) => {
                        for s in all {
                            count += 1;
                            for &(t, v) in s.points.iter().filter(|(_, v)| v.is_finite()) {
                                if st.history.push_point(metric, &s.key, t, v) {
                                    points += 1;
                                }
                            }
                        }
                    }
                    Err(e) => problems.push(format!("{}: {e}", metric.short_name())),
                }
            }
        }
        let mut line = format!(
            "Graphs back-filled from Prometheus {url}: {points} points in {count} series since {}",
            from.format("%H:%M:%S")
        );
        if !problems.is_empty() {
            line.push_str(&format!(" (not back-filled: {})", problems.join("; ")));
        }
        self.push_feed(self.clock.now(), FeedKind::Info, line);
    }

    fn on_poll(
        &mut self,
        at: DateTime<Utc>,
        results: &live::MetricResults,
        retry_in: Option<Duration>,
    ) {
        let assembled = live::assemble(at, results);
        let Some(run) = self.live.as_mut() else {
            return;
        };
        let url = run.client.url().to_string();
        let mut lines: Vec<(FeedKind, String)> = Vec::new();
        let status = match assembled.reading {
            Some(reading) => {
                let series = |m: Metric| {
                    reading
                        .nodes
                        .iter()
                        .filter(|n| n.value(m).is_some())
                        .count()
                };
                if let Some(since) = run.failing_since.take() {
                    lines.push((
                        FeedKind::Status,
                        format!(
                            "Prometheus {url} answers again after {} of failures; polling resumed",
                            format_duration(at - since)
                        ),
                    ));
                    run.reported.clear();
                } else if run.last_good.is_none() {
                    lines.push((
                        FeedKind::Status,
                        format!(
                            "Connected to Prometheus {url}: http {} series, cpu {} series; polling every {} s",
                            series(Metric::HttpErrorRate),
                            series(Metric::CpuUsage),
                            run.key.poll_secs
                        ),
                    ));
                }
                run.last_good = Some(at);
                if assembled.problems != run.reported {
                    if assembled.problems.is_empty() {
                        lines.push((
                            FeedKind::Info,
                            format!("Prometheus {url}: both queries give values again"),
                        ));
                    } else {
                        lines.push((
                            FeedKind::Error,
                            format!("Prometheus {url}: {}", assembled.problems.join("; ")),
                        ));
                    }
                    run.reported = assembled.problems.clone();
                }
                let status = SourceStatus::Live {
                    url,
                    last_good: Some(at),
                    problems: assembled.problems,
                };
                self.state.lock().source = status;
                for (kind, line) in lines.drain(..) {
                    self.push_feed(at, kind, line);
                }
                self.ingest(reading);
                return;
            }
            None => {
                let since = *run.failing_since.get_or_insert(at);
                let reason = assembled.problems.join("; ");
                if assembled.problems != run.reported {
                    let stale = if run.last_good.is_some() {
                        "the last values stay on screen, marked stale"
                    } else {
                        "no values yet"
                    };
                    lines.push((
                        FeedKind::Error,
                        format!(
                            "Prometheus {url} failing: {reason}; {stale}; retrying with backoff (at most {} s apart)",
                            live::BACKOFF_CAP_SECS.max(run.key.poll_secs)
                        ),
                    ));
                    run.reported = assembled.problems;
                }
                SourceStatus::Failing {
                    url,
                    since,
                    reason,
                    last_good: run.last_good,
                    retry_at: retry_in
                        .and_then(|d| chrono::Duration::from_std(d).ok())
                        .map(|d| at + d),
                }
            }
        };
        self.changed = true;
        self.state.lock().source = status;
        for (kind, line) in lines {
            self.push_feed(at, kind, line);
        }
    }

    /// Adds a feed entry (memory, shared state, tap); the disk copy follows within seconds.
    fn push_feed(&mut self, at: DateTime<Utc>, kind: FeedKind, message: String) {
        self.changed = true;
        let entry = FeedEntry { at, kind, message };
        if let Some(tap) = &self.feed_tap {
            let _ = tap.send(entry.clone());
        }
        if self.feed.len() >= FEED_LIMIT {
            self.feed.pop_front();
        }
        self.feed.push_back(entry.clone());
        self.feed_dirty = true;
        let mut st = self.state.lock();
        if st.feed.len() >= FEED_LIMIT {
            st.feed.pop_front();
        }
        st.feed.push_back(entry);
        st.feed_total += 1;
    }

    fn save_feed_if_dirty(&mut self) {
        if !self.feed_dirty {
            return;
        }
        self.feed_dirty = false;
        let result = self.store.save_feed(&self.feed);
        self.note_save(SaveTarget::Feed, result);
    }

    fn save_incidents(&mut self) {
        let result = self.store.save_incidents(&self.incidents);
        self.note_save(SaveTarget::Incidents, result);
    }

    /// Says in the feed when saving starts failing and when it works again: once per change,
    /// not once per attempt, so a full disk does not flood the feed.
    fn note_save(&mut self, target: SaveTarget, result: Result<(), crate::store::StoreError>) {
        let failing = &mut self.save_failing[target as usize];
        let now = self.clock.now();
        let what = match target {
            SaveTarget::Feed => "the feed",
            SaveTarget::Incidents => "incidents",
            SaveTarget::Outbox => "the notification outbox",
        };
        match result {
            Err(e) if !*failing => {
                *failing = true;
                self.push_feed(
                    now,
                    FeedKind::Error,
                    format!("Could not save {what}: {e}; will keep trying"),
                );
            }
            Err(_) => {
                // Still failing: the feed already says so. Keep the feed marked for the next try.
                if target == SaveTarget::Feed {
                    self.feed_dirty = true;
                }
            }
            Ok(()) if *failing => {
                *failing = false;
                self.push_feed(now, FeedKind::Info, format!("Saving {what} works again"));
            }
            Ok(()) => {}
        }
    }

    fn publish_incidents(&mut self) {
        let excess = self.incidents.len().saturating_sub(INCIDENT_LIMIT);
        if excess > 0 {
            Arc::make_mut(&mut self.incidents).drain(..excess);
        }
        self.changed = true;
        self.state.lock().incidents = self.incidents.clone();
        self.save_incidents();
    }

    fn poll(&mut self) {
        let now = self.clock.now();
        let Some(demo) = self.demo.as_mut() else {
            return;
        };
        let reading = demo.next_reading(now);
        self.ingest(reading);
    }

    /// Runs one reading through history, detection and the recovery watch.
    fn ingest(&mut self, reading: Reading) {
        let obs = self.monitor.observe(&reading, &self.settings);
        self.changed = true;
        {
            let mut st = self.state.lock();
            st.history.push(&reading);
            st.latest = Some(reading.clone());
        }
        let mut changed = false;
        for event in &obs.events {
            match event {
                MonitorEvent::Breach {
                    metric,
                    node,
                    value,
                    threshold,
                } => {
                    self.on_breach(&reading, *metric, node, *value, *threshold);
                    changed = true;
                }
                MonitorEvent::Cleared { metric } => {
                    let threshold = self.settings.threshold(*metric);
                    self.push_feed(
                        reading.at,
                        FeedKind::Cleared,
                        format!(
                            "{} breach cleared: the last {} samples are all at or under {threshold:.4}",
                            metric.short_name(),
                            monitor::WINDOW_SAMPLES
                        ),
                    );
                }
            }
        }
        // Hotspots: every breaching sample counts for the active incident of its scenario.
        let attaches = obs.breaching.iter().any(|b| {
            self.incidents
                .iter()
                .any(|i| i.status.is_active() && i.scenario.metric == Some(b.metric))
        });
        // `make_mut` copies the list while the UI's snapshot shares it: only when needed.
        if attaches {
            let incidents = Arc::make_mut(&mut self.incidents);
            for b in &obs.breaching {
                if let Some(inc) = incidents
                    .iter_mut()
                    .rev()
                    .find(|i| i.status.is_active() && i.scenario.metric == Some(b.metric))
                {
                    inc.record_hotspot(&b.node, reading.at, b.value);
                    changed = true;
                }
            }
        }
        // Recovery watch.
        let mut recovered = Vec::new();
        let watching = self
            .incidents
            .iter()
            .any(|i| i.status == IncidentStatus::Mitigating);
        let watched: &mut [Incident] = if watching {
            Arc::make_mut(&mut self.incidents).as_mut_slice()
        } else {
            &mut []
        };
        for inc in watched.iter_mut() {
            let before = inc.healthy_streak;
            if monitor::recovery_step(inc, &reading, &self.settings) {
                inc.status = IncidentStatus::Recovered;
                inc.recovered_at = Some(reading.at);
                let ttr = inc.time_to_recover().unwrap_or_default();
                let detail = format!(
                    "recovered after {} healthy samples; time to recover {}",
                    inc.healthy_streak,
                    format_duration(ttr)
                );
                inc.log(reading.at, IncidentEventKind::Recovered, detail.clone());
                recovered.push((
                    inc.id,
                    format!("Incident #{} {} {detail}", inc.id, inc.scenario.code),
                ));
            }
            changed |= before != inc.healthy_streak;
        }
        if changed {
            self.publish_incidents();
        }
        for (id, line) in recovered {
            self.push_feed(reading.at, FeedKind::Recovered, line);
            self.notify(id, NotifyEvent::Recovered, reading.at);
        }
    }

    fn scenario_for(&self, metric: Metric) -> Option<Scenario> {
        self.state
            .lock()
            .scenarios
            .iter()
            .find(|s| s.metric == Some(metric))
            .cloned()
    }

    fn trigger_from(
        &self,
        reading: Option<&Reading>,
        origin: TriggerOrigin,
        metric: Option<Metric>,
        at: DateTime<Utc>,
    ) -> Trigger {
        let max = |m| {
            reading
                .and_then(|r| r.max(m))
                .map(|(n, v)| (n.to_string(), v))
        };
        let node = metric
            .and_then(|m| max(m).map(|(n, _)| n))
            .or_else(|| max(Metric::HttpErrorRate).map(|(n, _)| n));
        Trigger {
            origin,
            at: reading.map_or(at, |r| r.at),
            metric,
            node,
            http_error_rate: max(Metric::HttpErrorRate).map(|(_, v)| v),
            cpu_usage: max(Metric::CpuUsage).map(|(_, v)| v),
            http_threshold: self.settings.prometheus.http_threshold,
            cpu_threshold: self.settings.prometheus.cpu_threshold,
        }
    }

    fn on_breach(
        &mut self,
        reading: &Reading,
        metric: Metric,
        node: &str,
        value: f64,
        threshold: f64,
    ) {
        let Some(scenario) = self.scenario_for(metric) else {
            self.push_feed(
                reading.at,
                FeedKind::Error,
                format!(
                    "{} breach on {node} ({value:.4} > {threshold:.4}) but no scenario watches {}",
                    metric.short_name(),
                    metric.metric_name()
                ),
            );
            return;
        };
        let mut trigger = self.trigger_from(
            Some(reading),
            TriggerOrigin::Monitor,
            Some(metric),
            reading.at,
        );
        trigger.node = Some(node.to_string());
        let values = trigger_values(&trigger);
        if let Some(id) = self.attach_refire(&scenario.code, &trigger) {
            let count = self
                .incidents
                .iter()
                .find(|i| i.id == id)
                .map_or(0, |i| i.refire_count);
            self.push_feed(
                reading.at,
                FeedKind::Refire,
                format!(
                    "{} re-fired on incident #{id} (re-fire {count}): {node} {values}",
                    scenario.code
                ),
            );
        } else {
            let id = self.open_incident(scenario.clone(), trigger);
            self.push_feed(
                reading.at,
                FeedKind::Detection,
                format!("{} opened incident #{id}: {node} {values}", scenario.code),
            );
            self.notify(id, NotifyEvent::Opened, self.clock.now());
        }
    }

    /// Attaches a re-fire to the active incident of `code`, if there is one.
    fn attach_refire(&mut self, code: &str, trigger: &Trigger) -> Option<u64> {
        let inc = Arc::make_mut(&mut self.incidents)
            .iter_mut()
            .rev()
            .find(|i| i.status.is_active() && i.scenario.code == code)?;
        inc.refire_count += 1;
        // A breach after the plan ran means it has not recovered: restart the watch.
        inc.healthy_streak = 0;
        let detail = format!(
            "re-fire {} ({}): {}",
            inc.refire_count,
            match trigger.origin {
                TriggerOrigin::Monitor => "monitor",
                TriggerOrigin::Manual => "manual trigger",
            },
            trigger_values(trigger)
        );
        inc.log(trigger.at, IncidentEventKind::Refired, detail);
        let id = inc.id;
        self.publish_incidents();
        Some(id)
    }

    fn open_incident(&mut self, scenario: Scenario, trigger: Trigger) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let now = self.clock.now();
        let mut incident = Incident::open(id, scenario, trigger.clone(), |s, t, marks| {
            crate::analysis::write(s, t, marks, now)
        });
        // The monitor's own breaching samples are added by `ingest` right after; a manual
        // trigger's sample was ingested before the incident existed, so it is added here.
        if let (TriggerOrigin::Manual, Some(node), Some(metric)) =
            (trigger.origin, &trigger.node, trigger.metric)
        {
            let value = match metric {
                Metric::HttpErrorRate => trigger.http_error_rate,
                Metric::CpuUsage => trigger.cpu_usage,
            };
            if let Some(v) = value.filter(|&v| v > self.settings.threshold(metric)) {
                incident.record_hotspot(node, trigger.at, v);
            }
        }
        incident.log(
            trigger.at,
            IncidentEventKind::Opened,
            format!(
                "opened by {}: {}",
                match trigger.origin {
                    TriggerOrigin::Monitor => "the monitor",
                    TriggerOrigin::Manual => "a manual trigger",
                },
                trigger_values(&trigger)
            ),
        );
        Arc::make_mut(&mut self.incidents).push(incident);
        self.publish_incidents();
        id
    }

    fn handle(&mut self, cmd: Command) {
        let now = self.clock.now();
        match cmd {
            Command::TriggerScenario { code } => self.trigger(code, now),
            Command::MarkHypothesis {
                incident,
                hypothesis,
                mark,
            } => {
                let Some(inc) = self.incident_mut(incident) else {
                    return self.unknown_incident(incident, now);
                };
                if hypothesis >= inc.scenario.hypotheses.len() {
                    return;
                }
                inc.marks
                    .resize(inc.scenario.hypotheses.len(), HypothesisMark::Open);
                inc.marks[hypothesis] = mark;
                // The deterministic report follows the responder's verdicts.
                if inc.report.source == crate::model::ReportSource::Deterministic {
                    inc.report = crate::analysis::deterministic_report(inc, now);
                }
                self.publish_incidents();
            }
            Command::ExecutePlan { incident } => self.execute(incident, now),
            Command::DeferPlan { incident } => {
                let Some(inc) = self.incident_mut(incident) else {
                    return self.unknown_incident(incident, now);
                };
                if !matches!(inc.plan.state, PlanState::AwaitingApproval) {
                    let msg = format!(
                        "Action plan of incident #{incident} is not awaiting approval; nothing deferred"
                    );
                    return self.push_feed(now, FeedKind::Error, msg);
                }
                inc.plan.state = PlanState::Deferred(now);
                inc.log(
                    now,
                    IncidentEventKind::PlanDeferred,
                    "deferred for manual review",
                );
                let line = format!(
                    "Action plan of incident #{incident} {} deferred for manual review ({} actions kept)",
                    inc.scenario.code,
                    inc.scenario.actions.len()
                );
                self.publish_incidents();
                self.push_feed(now, FeedKind::Action, line);
                self.notify(incident, NotifyEvent::PlanDeferred, now);
            }
            Command::VerifyRecovery => self.verify(now),
            Command::CloseIncident { incident } => {
                let Some(inc) = self.incident_mut(incident) else {
                    return self.unknown_incident(incident, now);
                };
                if inc.status == IncidentStatus::Closed {
                    return;
                }
                inc.status = IncidentStatus::Closed;
                inc.closed_at = Some(now);
                inc.log(now, IncidentEventKind::Closed, "closed by the responder");
                let line = format!("Incident #{incident} {} closed", inc.scenario.code);
                self.publish_incidents();
                self.push_feed(now, FeedKind::Status, line);
                self.notify(incident, NotifyEvent::Closed, now);
            }
            Command::SaveSettings(settings) => self.save_settings(*settings, now),
            Command::TestPrometheus(settings) => self.test_prometheus(*settings),
            Command::TestSlack(settings) => self.test_slack(*settings),
            Command::SendToSlack { incident } => self.send_to_slack(incident, now),
            Command::RetryNotification { job } => self.retry_notification(job, now),
            Command::AcknowledgeNotification { job } => self.acknowledge_notification(job, now),
            Command::ExportReport { incident, path } => {
                let Some(inc) = self.incidents.iter().find(|i| i.id == incident) else {
                    return self.unknown_incident(incident, now);
                };
                let text = format!(
                    "# #{} {}\n\n{}\n",
                    inc.id,
                    inc.scenario.title.ko,
                    inc.report.to_markdown()
                );
                let line = match crate::store::write_atomic(&path, text.as_bytes()) {
                    Ok(()) => (
                        FeedKind::Info,
                        format!(
                            "Report of incident #{incident} exported to {}",
                            path.display()
                        ),
                    ),
                    Err(e) => (
                        FeedKind::Error,
                        format!(
                            "Report of incident #{incident} not exported to {}: {e}",
                            path.display()
                        ),
                    ),
                };
                self.push_feed(now, line.0, line.1);
            }
            Command::ExportCancelled => self.push_feed(
                now,
                FeedKind::Info,
                "Report export cancelled (or this desktop offers no file dialog)".into(),
            ),
            Command::ReloadScenarios => {
                let load = crate::scenarios::load(Some(&self.store.scenarios_dir()));
                let count = load.scenarios.len();
                self.state.lock().scenarios = Arc::new(load.scenarios);
                for err in load.errors {
                    self.push_feed(
                        now,
                        FeedKind::Error,
                        format!("scenario file skipped: {err}"),
                    );
                }
                self.push_feed(
                    now,
                    FeedKind::Info,
                    format!("Scenarios reloaded: {count} available"),
                );
            }
            Command::Shutdown => {}
        }
    }

    fn incident_mut(&mut self, id: u64) -> Option<&mut Incident> {
        Arc::make_mut(&mut self.incidents)
            .iter_mut()
            .find(|i| i.id == id)
    }

    fn unknown_incident(&mut self, id: u64, now: DateTime<Utc>) {
        self.push_feed(now, FeedKind::Error, format!("There is no incident #{id}"));
    }

    fn trigger(&mut self, code: Option<String>, now: DateTime<Utc>) {
        let scenarios = self.state.lock().scenarios.clone();
        if scenarios.is_empty() {
            return self.push_feed(
                now,
                FeedKind::Error,
                "No scenario is loaded; nothing to trigger".into(),
            );
        }
        let scenario = match &code {
            Some(code) => match scenarios.iter().find(|s| &s.code == code) {
                Some(s) => s.clone(),
                None => {
                    return self.push_feed(
                        now,
                        FeedKind::Error,
                        format!("Unknown scenario `{code}`"),
                    );
                }
            },
            None => {
                self.random_draws += 1;
                let pick = source::DemoSource::value(
                    self.seed ^ 0xA11E,
                    self.random_draws,
                    0,
                    Metric::CpuUsage,
                );
                // value() is uniform in its band; rescale to an index.
                let u = ((pick - 0.35) / (0.72 - 0.35)).clamp(0.0, 0.999_999);
                scenarios[(u * scenarios.len() as f64) as usize].clone()
            }
        };
        let latest = self.state.lock().latest.clone();
        let trigger =
            self.trigger_from(latest.as_ref(), TriggerOrigin::Manual, scenario.metric, now);
        let trigger = Trigger { at: now, ..trigger };
        let mut values = trigger_values(&trigger);
        // A failing source leaves old values on screen; a trigger must not pass them off as now.
        if let (SourceStatus::Failing { .. }, Some(r)) = (&self.state.lock().source, &latest) {
            values.push_str(&format!(
                " (stale: last good sample at {}; the source is failing)",
                r.at.format("%H:%M:%S")
            ));
        }
        let how = if code.is_none() {
            "random manual trigger"
        } else {
            "manual trigger"
        };
        if let Some(id) = self.attach_refire(&scenario.code, &trigger) {
            self.push_feed(
                now,
                FeedKind::Trigger,
                format!(
                    "{how} of {} re-fired open incident #{id}: {values}",
                    scenario.code
                ),
            );
        } else {
            let id = self.open_incident(scenario.clone(), trigger);
            self.push_feed(
                now,
                FeedKind::Trigger,
                format!("{how} of {} opened incident #{id}: {values}", scenario.code),
            );
            self.notify(id, NotifyEvent::Opened, now);
        }
    }

    fn execute(&mut self, id: u64, now: DateTime<Utc>) {
        if self.headless {
            // Nobody approved it: without a window there is no one to confirm.
            return self.push_feed(
                now,
                FeedKind::Error,
                format!("Refused to execute the plan of incident #{id}: headless runs never execute actions"),
            );
        }
        let Some(inc) = self.incident_mut(id) else {
            return self.unknown_incident(id, now);
        };
        let problem = match (inc.status, inc.plan.state) {
            (IncidentStatus::Recovered | IncidentStatus::Closed, _) => {
                Some(format!("incident #{id} is already {:?}", inc.status).to_lowercase())
            }
            (_, PlanState::Executed(at)) => Some(format!(
                "the plan of incident #{id} already ran at {}",
                at.format("%H:%M:%S")
            )),
            _ => None,
        };
        if let Some(problem) = problem {
            return self.push_feed(now, FeedKind::Error, format!("Not executed: {problem}"));
        }
        let results: Vec<ActionResult> = inc
            .scenario
            .actions
            .iter()
            .enumerate()
            .map(|(i, a)| ActionResult {
                action: i,
                outcome: ActionOutcome::Simulated,
                detail: format!(
                    "offline simulator: would run `{}`; nothing outside the console was changed",
                    a.command
                ),
                at: now,
            })
            .collect();
        let n = results.len();
        inc.plan.results = results;
        inc.plan.state = PlanState::Executed(now);
        inc.status = IncidentStatus::Mitigating;
        inc.healthy_streak = 0;
        inc.log(
            now,
            IncidentEventKind::PlanExecuted,
            format!("{n} actions simulated"),
        );
        let line = format!(
            "Action plan of incident #{id} {} executed: {n} actions simulated; recovery watch started",
            inc.scenario.code
        );
        self.publish_incidents();
        self.push_feed(now, FeedKind::Action, line);
        self.notify(id, NotifyEvent::PlanExecuted, now);
    }

    fn verify(&mut self, now: DateTime<Utc>) {
        if let Some(run) = &self.live {
            // The answer comes back as an event: the engine never waits on the network.
            let (client, queries, tx) = (
                run.client.clone(),
                run.queries.clone(),
                self.live_tx.clone(),
            );
            let clock = self.clock.clone();
            tokio::spawn(async move {
                let at = clock.now();
                let results = live::query_both(&client, &queries, at).await;
                let _ = tx.send(LiveEvent::Verify { at, results });
            });
            return;
        }
        let reading = self.demo.as_ref().map(|demo| demo.current_reading(now));
        let Some(reading) = reading else {
            let words = self.source_words();
            return self.push_feed(
                now,
                FeedKind::Verification,
                format!("Verification not possible: {words}"),
            );
        };
        self.record_verification(&reading, now);
    }

    /// Judges `reading` against the thresholds and says so in the feed.
    fn record_verification(&mut self, reading: &Reading, now: DateTime<Utc>) {
        let http = reading.max(Metric::HttpErrorRate).map(|(_, v)| v);
        let cpu = reading.max(Metric::CpuUsage).map(|(_, v)| v);
        let p = &self.settings.prometheus;
        let v = Verification {
            at: now,
            http_error_rate: http,
            cpu_usage: cpu,
            http_threshold: p.http_threshold,
            cpu_threshold: p.cpu_threshold,
            recovered: http.is_some_and(|h| h <= p.http_threshold)
                && cpu.is_some_and(|c| c <= p.cpu_threshold),
        };
        let line = v.line();
        self.state.lock().last_verification = Some(v);
        self.push_feed(now, FeedKind::Verification, line);
    }

    fn test_prometheus(&mut self, settings: PrometheusSettings) {
        let tx = self.live_tx.clone();
        let clock = self.clock.clone();
        let client = PromClient::new(&settings);
        let url = client.as_ref().map_or_else(
            |_| settings.base_url.trim().to_string(),
            |c| c.url().to_string(),
        );
        self.state.lock().prometheus_test = Some(PromTest::Running { url: url.clone() });
        self.changed = true;
        let queries = [settings.http_query.clone(), settings.cpu_query.clone()];
        tokio::spawn(async move {
            let results = match client {
                Ok(client) => Ok(live::query_both(&client, &queries, clock.now()).await),
                Err(e) => Err(e),
            };
            let _ = tx.send(LiveEvent::Test {
                url,
                at: clock.now(),
                results,
            });
        });
    }

    fn save_settings(&mut self, edited: Settings, now: DateTime<Utc>) {
        if let Err(e) = edited.validate() {
            return self.push_feed(now, FeedKind::Error, format!("Settings not saved: {e}"));
        }
        // What the environment set for this run stays out of the file.
        let to_save = self.notify_overrides.unapply(
            &self.overrides.unapply(&edited, &self.saved_settings),
            &self.saved_settings,
        );
        if let Err(e) = self.store.save_settings(&to_save) {
            return self.push_feed(now, FeedKind::Error, format!("Settings not saved: {e}"));
        }
        self.saved_settings = to_save;
        let settings = self
            .notify_overrides
            .apply(&self.overrides.apply(&self.saved_settings));
        // New settings: say again (once) if Slack or email still cannot be used.
        self.unusable_said = [false; 2];
        self.settings = settings.clone();
        let poll = self.poll_interval_secs();
        {
            let mut st = self.state.lock();
            st.settings = settings;
            st.poll_interval_secs = poll;
            st.history.ensure_poll_interval(poll);
        }
        self.select_source(now);
        let words = self.source_words();
        self.push_feed(
            now,
            FeedKind::Settings,
            format!(
                "Settings saved: {words}; poll every {poll} s; thresholds http {:.4}, cpu {:.4}",
                self.settings.prometheus.http_threshold, self.settings.prometheus.cpu_threshold
            ),
        );
    }
}

fn trigger_values(t: &Trigger) -> String {
    let v = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{v:.4}"));
    format!(
        "http={} (threshold {:.4}), cpu={} (threshold {:.4})",
        v(t.http_error_rate),
        t.http_threshold,
        v(t.cpu_usage),
        t.cpu_threshold
    )
}

/// `1h 02m 03s`-style text for a duration.
pub fn format_duration(d: chrono::Duration) -> String {
    let s = d.num_seconds().max(0);
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, sec) => format!("{m}m {sec:02}s"),
        (h, m, sec) => format!("{h}h {m:02}m {sec:02}s"),
    }
}
