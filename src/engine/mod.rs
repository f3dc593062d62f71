//! The engine: the tokio side that owns time, I/O and every state change.
//!
//! It publishes a [`ConsoleState`] behind a mutex that the UI (or the headless printer) reads,
//! and takes [`Command`]s on a channel. A turn of its loop changes the engine's own [`Board`]
//! and queues feed entries and history changes; `publish` applies them under one lock at the
//! end of the turn, the only place the engine takes it.
//!
//! One room per concern: the state each one owns is a struct of its own where it stands apart
//! (the incident `book`, the `notifier`, the `Detector`, the live task), and the rooms that
//! join them are `impl Engine` blocks in their own files. `ARCHITECTURE.md` names each room
//! and the way an alert and a sample take through them. Words are never made here: the feed
//! takes typed [`FeedEvent`]s.

mod alerts;
pub mod analyst;
mod audit_log;
mod book;
pub mod clock;
mod commands;
mod config;
mod evidence;
mod executor;
mod handle;
pub mod incidents;
mod input;
pub mod live;
pub mod notifier;
mod plan_preview;
mod plans;
mod publish;
mod report;
mod review;
mod rules;
mod said;
mod samples;
mod saver;
mod settings;
pub mod source;
mod sources;
mod state;
mod team;
mod timeline;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use tokio::sync::mpsc;

pub use alerts::IntakeEvent;
pub use alerts::{ACTIVE_ALERT_INCIDENT_LIMIT, ack, desktop};
pub use book::random_origin;
pub use clock::{Clock, SystemClock, TokioClock};
pub use commands::{AckTarget, Command};
pub use config::EngineConfig;
pub use executor::ExecEvent;
use handle::RepaintFn;
pub use handle::{EngineHandle, Wake};
pub use input::Input;
use input::InputTx;
pub use notifier::{DeliveryEvent, SlackTest};
pub use samples::range_samples;
pub use state::{
    Board, ConsoleState, PromTest, RuleTest, Snapshot, SourceStatus, TestSeries, Verification,
};

use crate::detect::Detector;
use crate::history::MetricHistory;

use crate::model::{FeedEntry, FeedEvent, Rule, Settings, ThresholdDesc, UserFile};
use crate::rules::LoadedRule;
use crate::store::{FEED_LIMIT, Store};
use source::DemoSource;
use sources::LiveRun;

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
    /// The incidents, their ids and their saves.
    book: book::IncidentBook,
    feed: VecDeque<FeedEntry>,
    feed_dirty: bool,
    detector: Detector,
    /// Rules as loaded from the embedded files and `rules/`.
    rule_load: Vec<LoadedRule>,
    /// The rules in force: `rule_load` with the settings applied to the built-in ones.
    rules: Arc<Vec<Rule>>,
    demo: Option<DemoSource>,
    force_demo: bool,
    poll_override_secs: Option<u64>,
    headless: bool,
    seed: u64,
    random_draws: u64,
    /// What the window sees once this turn is published (see `publish.rs`).
    board: Board,
    /// What this turn changed and has not published yet.
    out: publish::Outgoing,
    /// Whether the last save of the feed / incidents failed.
    save_failing: [said::Said<()>; 4],
    /// Where every task reports (see [`Input`]).
    inputs: InputTx,
    inputs_rx: Option<mpsc::UnboundedReceiver<Input>>,
    /// Settings as saved on disk (`settings` is these with the overrides applied).
    saved_settings: Settings,
    /// What the environment sets for this run.
    overrides: crate::model::Overrides,
    live: Option<LiveRun>,
    generation: u64,
    notifier: notifier::Notifier,
    /// The Alertmanager webhook receiver, while enabled.
    intake: Option<alerts::IntakeRun>,
    /// The Alertmanager polls, while any URL is set.
    am_polls: Option<alerts::AmPolls>,
    /// Refused requests and alerts, said once a minute per reason.
    refusals: alerts::notices::OncePerMinute<crate::model::IntakeRefusal>,
    /// Alerts cut to size, said once a minute.
    cuts: alerts::notices::OncePerMinute<()>,
    /// Alert lines per reporter and minute, past which a storm is counted.
    storms: alerts::storm::StormGate,
    /// Every Alertmanager alert the console knows.
    alerts: crate::detect::alerts::AlertBook,
    /// Resolved alert episodes, oldest first (at most [`crate::store::ALERT_HISTORY_LIMIT`]).
    alert_history: Arc<Vec<crate::model::ResolvedAlert>>,
    /// Whether the alert history changed since it was last saved (with the feed).
    alert_history_dirty: bool,
    /// Desktop notifications raised, for their dedup.
    desktop: alerts::desktop::Desktop,
    /// The AI analyst's tasks, cache and format memory.
    analyst: analyst::Analyst,
    /// Plans under way and the audit log.
    exec: executor::Executor,
    /// The audit log's lines and its writer.
    audit_log: audit_log::AuditLog,
    /// The knowledge base in the data dir (`None` when it cannot be opened; the feed said why).
    knowledge: Option<Arc<crate::knowledge::KnowledgeBase>>,
    /// Acknowledgements of single alerts (an incident's is kept with the incident).
    alert_acks: std::collections::BTreeMap<String, Option<crate::model::Ack>>,
    /// Team mode: the link to the team store, claims, events to share.
    team: team::Team,
    /// The runbooks' compiled `match_any`, and the scenario list it was built from.
    runbook_index: Option<(
        Arc<Vec<crate::model::Scenario>>,
        crate::detect::runbooks::RunbookIndex,
    )>,
}

/// What the engine and its handle share.
#[derive(Clone)]
struct Shared {
    state: Arc<Mutex<ConsoleState>>,
    repaint: Arc<Mutex<Option<RepaintFn>>>,
    stop: Arc<tokio::sync::Notify>,
}

/// What a save was for, to report each one's failures once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SaveTarget {
    Feed = 0,
    Incidents = 1,
    Outbox = 2,
    AlertHistory = 3,
}

/// How often a changed feed is written to disk.
const FEED_SAVE_EVERY: Duration = Duration::from_secs(10);

impl Engine {
    /// Restores the data dir, loads scenarios and prepares the state. Does no polling yet.
    pub fn new(config: EngineConfig) -> Self {
        let shared = Shared {
            state: Arc::new(Mutex::new(ConsoleState::starting(&config))),
            repaint: Arc::new(Mutex::new(None)),
            stop: Arc::new(tokio::sync::Notify::new()),
        };
        Self::with_shared(config, shared)
    }

    /// [`Self::new`], publishing into state the window already holds.
    fn with_shared(config: EngineConfig, shared: Shared) -> Self {
        let restored = config.store.restore();
        let saved_settings = restored.settings.unwrap_or_else(|| Settings {
            language: config.default_language,
            ..Settings::default()
        });
        let settings = config.overrides.apply(&saved_settings);
        let scenario_load = crate::scenarios::load(Some(&config.store.scenarios_dir()));
        let rule_load = crate::rules::load(Some(&config.store.rules_dir()));
        let rules = Arc::new(crate::rules::effective(
            &rule_load.rules,
            &settings.prometheus,
        ));
        let now = config.clock.now();
        let book = book::IncidentBook::new(restored.incidents);
        let alert_history = Arc::new(restored.alert_history);
        let mut feed: VecDeque<FeedEntry> = restored.feed.into();
        if feed.len() > FEED_LIMIT {
            // Alert traffic first, as when the feed fills while running.
            crate::model::make_room(&mut feed, FEED_LIMIT + 1);
        }
        let poll = config
            .poll_override_secs
            .unwrap_or(settings.poll_interval_secs);
        let board = Board {
            restoring: false,
            scenarios: Arc::new(scenario_load.scenarios),
            rules: rules.clone(),
            rule_files: Arc::new(rule_load.rules.clone()),
            incidents: book.all().clone(),
            alert_history: alert_history.clone(),
            poll_interval_secs: poll,
            overridden: config.overrides.names(),
            notifications: Arc::new(restored.outbox.jobs.clone()),
            ..Board::empty(settings.clone(), &config)
        };
        // Still `restoring` until the publish below: the startup lines (what was restored,
        // what was skipped) are queued in between, and a reader told "restored" must see them.
        *shared.state.lock() = ConsoleState {
            board: Board {
                restoring: true,
                ..board.clone()
            },
            feed: feed.clone(),
            feed_total: feed.len() as u64,
            history: MetricHistory::for_poll_interval(poll),
        };
        let (inputs, inputs_rx) = mpsc::unbounded_channel();
        let notifier_inputs = inputs.clone();
        let notifier_clock = config.clock.clone();
        let mut engine = Self {
            state: shared.state,
            repaint: shared.repaint,
            stop: shared.stop,
            store: config.store,
            clock: config.clock,
            feed_tap: config.feed_tap,
            settings,
            book,
            feed,
            feed_dirty: false,
            detector: Detector::new(),
            rule_load: rule_load.rules,
            rules,
            demo: None,
            force_demo: config.force_demo,
            poll_override_secs: config.poll_override_secs,
            headless: config.headless,
            seed: config.seed,
            random_draws: 0,
            board,
            out: publish::Outgoing::default(),
            save_failing: Default::default(),
            inputs,
            inputs_rx: Some(inputs_rx),
            saved_settings,
            overrides: config.overrides,
            live: None,
            generation: 0,
            intake: None,
            am_polls: None,
            refusals: Default::default(),
            cuts: Default::default(),
            storms: Default::default(),
            alerts: Default::default(),
            alert_acks: Default::default(),
            runbook_index: None,
            alert_history: alert_history.clone(),
            alert_history_dirty: false,
            desktop: alerts::desktop::Desktop::new(config.desktop_notifications),
            analyst: Default::default(),
            exec: Default::default(),
            audit_log: audit_log::AuditLog::new(input::report(&notifier_inputs, |e| {
                Input::Exec(ExecEvent::AuditFailed(e))
            })),
            knowledge: None,
            team: Default::default(),
            notifier: notifier::Notifier::new(
                restored.outbox,
                config.seed ^ 0x0B0C,
                input::report(&notifier_inputs, Input::Delivery),
                notifier_clock,
            ),
        };
        for problem in restored.problems {
            engine.emit(now, FeedEvent::RestoreProblem(problem));
        }
        engine.restore_audit(config.action_secrets, now);
        match crate::knowledge::KnowledgeBase::open(&engine.store.knowledge_dir()) {
            Ok(kb) => engine.knowledge = Some(Arc::new(kb)),
            Err(e) => engine.emit(now, FeedEvent::RestoreProblem(e.to_string())),
        }
        let skipped = (scenario_load
            .errors
            .iter()
            .map(|e| (UserFile::Scenario, e.to_string())))
        .chain(
            rule_load
                .errors
                .iter()
                .map(|e| (UserFile::Rule, e.to_string())),
        );
        for (file, error) in skipped {
            engine.emit(now, FeedEvent::FileSkipped { file, error });
        }
        for problem in config.startup_problems {
            engine.emit(now, FeedEvent::EnvironmentProblem(problem));
        }
        let overridden = engine.board.overridden.clone();
        if !overridden.is_empty() {
            let names = overridden.iter().map(|n| n.to_string()).collect();
            engine.emit(now, FeedEvent::Overridden { names });
        }
        engine.select_source(now);
        engine.select_intake();
        engine.select_team();
        engine.say_started(now, poll);
        // Publishes the board too, so `restoring` ends with the lines above.
        engine.board_mut();
        engine.publish();
        engine
    }

    /// Where the engine's tasks report, for tests that play the Alertmanager side (a
    /// webhook, a poll) on tokio's paused clock, without sockets.
    pub fn input_sender(&self) -> mpsc::UnboundedSender<Input> {
        self.inputs.clone()
    }

    /// The shared state (for tests and for building a handle).
    pub fn state(&self) -> Arc<Mutex<ConsoleState>> {
        self.state.clone()
    }

    /// Starts the engine on its own thread with its own tokio runtime, and returns at once:
    /// the data dir is restored on that thread, so a window opens without waiting for it (the
    /// state says `restoring` until then).
    pub fn spawn(config: EngineConfig) -> std::io::Result<EngineHandle> {
        let (tx, rx) = mpsc::channel(256);
        // One thread is plenty: the engine's work is small and I/O-bound.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let shared = Shared {
            state: Arc::new(Mutex::new(ConsoleState::starting(&config))),
            repaint: Arc::new(Mutex::new(None)),
            stop: Arc::new(tokio::sync::Notify::new()),
        };
        let handle_parts = shared.clone();
        let thread = std::thread::Builder::new()
            .name("engine".into())
            .spawn(move || {
                runtime.block_on(async {
                    let engine = Engine::with_shared(config, shared);
                    engine.request_repaint(Wake::News);
                    engine.run(rx).await
                })
            })?;
        Ok(EngineHandle {
            state: handle_parts.state,
            commands: tx,
            repaint: handle_parts.repaint,
            stop: handle_parts.stop,
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
        let mut inputs = self.inputs_rx.take().expect("run is called once");
        loop {
            let delivery_wake = self.outbox_wake();
            let save_due = self.book.saves.due();
            let storm_due = self.storm_due();
            tokio::select! {
                _ = stop.notified() => break,
                _ = tokio::time::sleep_until(save_due.unwrap_or_else(tokio::time::Instant::now)), if save_due.is_some() => {
                    self.start_incident_save();
                }
                Some(input) = inputs.recv() => self.on_input(input),
                _ = tokio::time::sleep_until(storm_due.unwrap_or_else(tokio::time::Instant::now)), if storm_due.is_some() => {
                    self.say_storms();
                }
                _ = tokio::time::sleep_until(delivery_wake.unwrap_or_else(tokio::time::Instant::now)), if delivery_wake.is_some() => {
                    self.deliver_due();
                }
                _ = tokio::time::sleep_until(next_poll) => {
                    self.poll();
                    self.ring_due(self.clock.now());
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
            self.share_with_team();
            if let Some(wake) = self.publish() {
                self.request_repaint(wake);
            }
        }
        self.live = None;
        // A save still running finishes before the last one, so the newest list wins on disk.
        while self.book.saves.in_flight() {
            match inputs.recv().await {
                Some(input @ Input::Saved(_)) => self.on_input(input),
                // What the other tasks still report says nothing the last saves need.
                Some(_) => {}
                None => break,
            }
        }
        self.save_feed_if_dirty();
        self.save_incidents();
        self.keep_active_samples();
        self.save_outbox();
        self.flush_audit().await;
        self.publish();
    }

    /// Hands what a task reported to the room that owns it.
    fn on_input(&mut self, input: Input) {
        match input {
            Input::Live(event) => self.on_live(event),
            Input::Delivery(event) => self.on_delivery(event),
            Input::Intake(event) => self.on_intake(event),
            Input::Silences(report) => self.on_silences(report),
            Input::Desktop(shown) => self.on_desktop(shown),
            Input::Analysis(event) => self.on_analysis(event),
            Input::Exec(event) => self.on_exec(event),
            Input::Team(event) => self.on_team(event),
            Input::Saved(result) => {
                self.book.saves.finished(result.is_ok());
                self.note_save(SaveTarget::Incidents, result);
            }
            Input::SamplesSaved(Err(e)) => self.samples_not_saved(&e),
            Input::SamplesSaved(Ok(())) => {}
        }
    }

    fn poll_interval_secs(&self) -> u64 {
        self.poll_override_secs
            .unwrap_or(self.settings.poll_interval_secs)
            .max(1)
    }

    /// Wakes the window; called only after a turn that changed something it draws, so an
    /// idle window stays asleep.
    fn request_repaint(&self, wake: Wake) {
        let f = self.repaint.lock().clone();
        if let Some(f) = f {
            f(wake);
        }
    }

    /// Adds an event to the feed: the saved copy now, the shared state and the tap when the
    /// turn is published; the disk copy follows within seconds.
    fn emit(&mut self, at: DateTime<Utc>, event: FeedEvent) {
        let entry = FeedEntry::new(at, event);
        if self.feed.len() >= FEED_LIMIT {
            self.feed.pop_front();
        }
        self.feed.push_back(entry.clone());
        self.feed_dirty = true;
        self.queue_feed(entry);
    }

    /// The incidents changed: publish them and schedule their save.
    fn publish_incidents(&mut self) {
        self.board_mut().incidents = self.book.changed();
    }

    fn poll(&mut self) {
        // The demo source answers only the built-in rules; `ingest` judges what it covers.
        let now = self.clock.now();
        let Some(demo) = self.demo.as_mut() else {
            return;
        };
        let reading = demo.next_reading(now);
        self.ingest(reading);
    }

    fn handle(&mut self, cmd: Command) {
        let now = self.clock.now();
        match cmd {
            Command::TriggerScenario { code } => self.trigger(code, now),
            cmd @ (Command::MarkHypothesis { .. }
            | Command::DeferPlan { .. }
            | Command::CloseIncident { .. }
            | Command::Note { .. }
            | Command::Star { .. }
            | Command::TakeIncident { .. }
            | Command::WriteReviewSection { .. }
            | Command::FollowUp { .. }) => self.on_responder(cmd, now),
            Command::PreviewPlan { incident } => self.preview_plan(incident),
            Command::Viewing { incident } => self.viewing(incident),
            Command::WentToTray => self.went_to_tray(now),
            Command::TrayUnavailable { fault, reason } => {
                self.emit(now, FeedEvent::TrayUnavailable { fault, reason });
            }
            Command::Mute { mins } => self.mute(mins, now),
            Command::TrayHost { shown } => self.tray_host(shown, now),
            Command::ExecutePlan {
                incident,
                confirmations,
                alone_ack,
            } => self.execute(incident, &confirmations, &alone_ack, now),
            Command::ApproveRun { incident, action } => self.approve_run(incident, action, now),
            Command::StopPlan { incident } => self.stop_plan(incident, now),
            Command::VerifyRecovery => self.verify(now),
            Command::SaveRule { rule, replaces } => self.save_rule(*rule, replaces, now),
            Command::DeleteRule { id } => self.delete_rule(&id, now),
            Command::TestRule(rule) => self.test_rule(*rule),
            Command::ReloadRules => self.reload_rules(now),
            Command::SaveSettings(settings) => self.save_settings(*settings, now),
            Command::TestPrometheus(settings) => self.test_prometheus(*settings),
            Command::TestSlack(settings) => self.test_slack(*settings),
            Command::SendToSlack { incident } => self.send_to_slack(incident, now),
            Command::RetryNotification { job } => self.retry_notification(job, now),
            Command::AcknowledgeNotification { job } => self.acknowledge_notification(job, now),
            Command::ExportReport { incident, path } => self.export_report(incident, &path, now),
            Command::ExportReview { incident, path } => self.export_review(incident, &path, now),
            Command::DraftReview { incident } => self.draft_review(incident, now),
            Command::ExportCancelled => self.emit(now, FeedEvent::ExportCancelled),
            Command::SetLanguage(lang) => self.set_language(lang, now),
            Command::ReloadScenarios => self.reload_scenarios(now),
            Command::IncidentFromAlert { fingerprint } => {
                self.incident_from_alert(&fingerprint, now)
            }
            Command::Acknowledge {
                target,
                comment,
                duration_mins,
            } => self.acknowledge(target, comment, duration_mins, now),
            Command::Unsilence { target } => self.unsilence(target, now),
            Command::AcknowledgeMany {
                fingerprints,
                comment,
                duration_mins,
                common,
            } => self.acknowledge_many(fingerprints, comment, duration_mins, common, now),
            Command::Analyse { incident } => self.analyse(incident, true, now),
            Command::CancelAnalysis { incident } => self.cancel_analysis(incident, now),
            Command::TestLlm(settings) => self.test_llm(*settings),
            Command::SearchKnowledge { query } => self.search_knowledge(query),
            Command::ImportKnowledge { paths } => self.import_knowledge(paths, now),
            Command::Shutdown => {}
        }
    }
}

/// A rule's threshold as events name it.
pub(crate) fn threshold_desc(r: &Rule) -> ThresholdDesc {
    ThresholdDesc {
        rule: r.id.clone(),
        comparison: r.comparison,
        threshold: r.threshold,
        unit: r.unit,
    }
}
