//! The engine on tokio's paused clock: demo detection end to end, actions, recovery, restart.

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use incident_console::engine::{Command, ConsoleState, Engine, EngineConfig, TokioClock};
use incident_console::model::{
    FeedEntry, FeedEvent, FeedKind, HypothesisMark, IncidentStatus, Lang, PlanState,
};
use incident_console::store::Store;
use parking_lot::Mutex;
use tokio::sync::mpsc;

struct Running {
    state: Arc<Mutex<ConsoleState>>,
    commands: mpsc::Sender<Command>,
    task: tokio::task::JoinHandle<()>,
    tap: mpsc::UnboundedReceiver<FeedEntry>,
}

impl Running {
    /// Fires a scenario by hand and returns the id of the incident it opened.
    async fn trigger(&self, code: &str) -> u64 {
        self.commands
            .send(Command::TriggerScenario {
                code: Some(code.into()),
            })
            .await
            .unwrap();
        settle().await;
        self.state.lock().board.incidents.last().unwrap().id
    }

    /// Asks to run incident `id`'s plan with the incident id typed for these high-risk actions.
    async fn execute(&self, id: u64, confirmed: Vec<usize>) {
        self.commands
            .send(Command::ExecutePlan {
                incident: id,
                confirmations: confirmed.into_iter().map(|i| (i, id.to_string())).collect(),
                alone_ack: String::new(),
            })
            .await
            .unwrap();
    }

    async fn stop(self) -> Vec<FeedEntry> {
        self.commands.send(Command::Shutdown).await.unwrap();
        self.task.await.unwrap();
        let mut tap = self.tap;
        let mut out = Vec::new();
        while let Ok(e) = tap.try_recv() {
            out.push(e);
        }
        out
    }
}

fn start(dir: &std::path::Path, headless: bool) -> Running {
    let (tap_tx, tap) = mpsc::unbounded_channel();
    let engine = Engine::new(EngineConfig {
        force_demo: true,
        poll_override_secs: Some(1),
        clock: Arc::new(TokioClock::starting_at(
            Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap(),
        )),
        headless,
        feed_tap: Some(tap_tx),
        ..EngineConfig::new(Store::new(dir))
    });
    let state = engine.state();
    let (commands, rx) = Engine::channel();
    let task = tokio::spawn(engine.run(rx));
    Running {
        state,
        commands,
        task,
        tap,
    }
}

fn count(feed: &[FeedEntry], kind: FeedKind, needle: &str) -> usize {
    feed.iter()
        .filter(|e| e.kind == kind && common::en(e).contains(needle))
        .count()
}

/// Waits past the incident save gap, and (in real time) for the blocking write to finish.
async fn wait_for_save() {
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    std::thread::sleep(Duration::from_millis(100));
    settle().await;
}

/// Lets the engine work through everything queued without moving the clock much.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(10)).await;
}

#[tokio::test(start_paused = true)]
async fn demo_fires_clears_and_refires_both_scenarios_within_45_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let run = start(dir.path(), true);
    tokio::time::sleep(Duration::from_millis(44_500)).await;
    let state = run.state.clone();
    let feed = run.stop().await;
    let lines: Vec<String> = feed
        .iter()
        .map(|e| incident_console::text::feed::line(e, Lang::En))
        .collect();
    let all = lines.join("\n");
    // At 1 s: http opens at 3 s, clears at 9 s and 33 s, re-fires at 27 s; cpu opens at 15 s,
    // clears at 21 s, re-fires at 39 s (its second clear, at 45 s, is past the end).
    for (kind, needle, expected) in [
        (FeedKind::Detection, "http_5xx_surge opened incident", 1),
        (FeedKind::Detection, "cpu_spike_core opened incident", 1),
        (FeedKind::Cleared, "http_error_rate breach cleared", 2),
        (FeedKind::Cleared, "cpu_usage breach cleared", 1),
        (FeedKind::Refire, "http_5xx_surge re-fired", 1),
        (FeedKind::Refire, "cpu_spike_core re-fired", 1),
    ] {
        assert_eq!(count(&feed, kind, needle), expected, "{needle}:\n{all}");
    }
    // Detection lines name the code and the values against thresholds.
    let detection = feed.iter().find(|e| e.kind == FeedKind::Detection).unwrap();
    assert!(
        common::en(detection).contains("http_error_rate=")
            && common::en(detection).contains("(threshold 5.00 %)"),
        "{}",
        common::en(detection)
    );

    let st = state.lock();
    // 15 min of back-filled calm history at 1 s, then the 45 live samples.
    assert_eq!(st.history.len("cpu_usage", "edge-node-01"), 900 + 45);
    assert_eq!(
        st.board.incidents.len(),
        2,
        "re-fires attach, never duplicate"
    );
    for inc in st.board.incidents.iter() {
        assert_eq!(inc.refire_count, 1);
        assert!(!inc.hotspots.is_empty());
        assert_eq!(inc.status, IncidentStatus::Open);
    }
    let http = st
        .board
        .incidents
        .iter()
        .find(|i| i.scenario.code == "http_5xx_surge")
        .unwrap();
    // Burst 1 hit edge-node-01, burst 3 hit edge-node-03: both are hotspots, two samples each.
    let nodes: Vec<(&str, u32)> = http
        .hotspots
        .iter()
        .map(|h| (h.series.as_str(), h.samples))
        .collect();
    assert_eq!(nodes, [("edge-node-01", 2), ("edge-node-03", 2)]);
    assert_eq!(
        http.opened_at,
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 3).unwrap()
    );
}

#[tokio::test(start_paused = true)]
async fn executed_plan_recovers_after_three_healthy_samples() {
    let dir = tempfile::tempdir().unwrap();
    let run = start(dir.path(), false);
    // t = 0: the first sample is in. Trigger by hand and execute right away.
    settle().await;
    let id = run.trigger("http_5xx_surge").await;
    run.commands
        .send(Command::MarkHypothesis {
            incident: id,
            hypothesis: 1,
            mark: HypothesisMark::Confirmed,
        })
        .await
        .unwrap();
    run.execute(id, vec![0]).await;
    settle().await;
    {
        let st = run.state.lock();
        let inc = &st.board.incidents[0];
        assert_eq!(inc.status, IncidentStatus::Mitigating);
        assert!(matches!(inc.plan.state, PlanState::Executed(_)));
        assert_eq!(inc.plan.results.len(), 3);
        assert_eq!(inc.marks[1], HypothesisMark::Confirmed);
        assert!(
            inc.report.root_cause.starts_with("담당자가 확인한 원인"),
            "{}",
            inc.report.root_cause
        );
    }
    // Samples 1 and 2 are healthy, 3 and 4 are the burst (a re-fire that resets the watch),
    // 5, 6, 7 healthy: recovered at t = 7, not before.
    tokio::time::sleep(Duration::from_millis(6_500)).await;
    {
        let st = run.state.lock();
        let inc = &st.board.incidents[0];
        assert_eq!(
            inc.status,
            IncidentStatus::Mitigating,
            "only 2 healthy samples since the burst"
        );
        assert_eq!(inc.healthy_streak, 2);
        assert_eq!(inc.refire_count, 1);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let state = run.state.clone();
    let feed = run.stop().await;
    let st = state.lock();
    let inc = &st.board.incidents[0];
    assert_eq!(inc.status, IncidentStatus::Recovered);
    let ttr = inc.time_to_recover().unwrap().num_milliseconds();
    assert!((6_900..=7_000).contains(&ttr), "time to recover {ttr} ms");
    assert_eq!(
        count(
            &feed,
            FeedKind::Recovered,
            "recovered after 3 healthy samples"
        ),
        1
    );
    assert_eq!(
        count(&feed, FeedKind::Action, "executed: 3 actions simulated"),
        1
    );
}

#[tokio::test(start_paused = true)]
async fn headless_never_executes_and_defer_keeps_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let run = start(dir.path(), true);
    settle().await;
    let id = run.trigger("cpu_spike_core").await;
    run.execute(id, vec![0]).await;
    run.commands
        .send(Command::DeferPlan { incident: id })
        .await
        .unwrap();
    run.commands.send(Command::VerifyRecovery).await.unwrap();
    settle().await;
    let state = run.state.clone();
    let feed = run.stop().await;
    let st = state.lock();
    let inc = &st.board.incidents[0];
    assert_eq!(inc.status, IncidentStatus::Open);
    assert!(matches!(inc.plan.state, PlanState::Deferred(_)));
    assert!(inc.plan.results.is_empty());
    assert_eq!(
        count(
            &feed,
            FeedKind::Error,
            "headless runs never execute actions"
        ),
        1
    );
    let verify = feed
        .iter()
        .find(|e| e.kind == FeedKind::Verification)
        .unwrap();
    assert!(
        common::en(verify).starts_with("Verification http_error_rate=")
            && common::en(verify).contains("(threshold 5.00 %), cpu_usage=")
            && common::en(verify).ends_with(": recovered"),
        "{}",
        common::en(verify)
    );
}

#[tokio::test(start_paused = true)]
async fn restart_restores_incidents_feed_and_marks() {
    let dir = tempfile::tempdir().unwrap();
    let run = start(dir.path(), true);
    tokio::time::sleep(Duration::from_secs(20)).await;
    let id = run.state.lock().board.incidents[0].id;
    run.commands
        .send(Command::MarkHypothesis {
            incident: id,
            hypothesis: 2,
            mark: HypothesisMark::Rejected,
        })
        .await
        .unwrap();
    settle().await;
    let before = run.state.lock().board.incidents.clone();
    let feed_before = run.state.lock().feed.len();
    run.stop().await;

    let run = start(dir.path(), true);
    settle().await;
    let after = run.state.lock().board.incidents.clone();
    assert_eq!(after, before);
    assert_eq!(after[0].marks[2], HypothesisMark::Rejected);
    let feed = run.stop().await;
    let started = feed
        .iter()
        .find(|e| common::en(e).starts_with("Console started"))
        .unwrap();
    assert!(
        common::en(started)
            .contains("restored 2 incidents (2 active: #1 http_5xx_surge, #2 cpu_spike_core)"),
        "{}",
        common::en(started)
    );
    // The old feed came back too, under the new lines.
    let st_dir = Store::new(dir.path()).restore();
    assert!(st_dir.feed.len() > feed_before);
}

#[tokio::test(start_paused = true)]
async fn settings_are_validated_saved_and_applied() {
    let dir = tempfile::tempdir().unwrap();
    let run = start(dir.path(), false);
    settle().await;
    let mut bad = run.state.lock().board.settings.clone();
    bad.prometheus.cpu_threshold = 7.0;
    run.commands
        .send(Command::SaveSettings(Box::new(bad)))
        .await
        .unwrap();
    let mut good = run.state.lock().board.settings.clone();
    good.prometheus.base_url = "http://127.0.0.1:9090".into();
    good.prometheus.http_threshold = 0.2;
    good.language = Lang::Ko;
    run.commands
        .send(Command::SaveSettings(Box::new(good.clone())))
        .await
        .unwrap();
    settle().await;
    let state = run.state.clone();
    let feed = run.stop().await;
    assert_eq!(
        count(
            &feed,
            FeedKind::Error,
            "Settings not saved: CPU threshold: 7 is outside"
        ),
        1
    );
    assert_eq!(count(&feed, FeedKind::Settings, "Settings saved"), 1);
    assert_eq!(state.lock().board.settings, good);
    assert_eq!(Store::new(dir.path()).restore().settings, Some(good));
}

#[tokio::test(start_paused = true)]
async fn malformed_user_scenario_is_reported_and_the_rest_loads() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("scenarios")).unwrap();
    std::fs::write(
        dir.path().join("scenarios/broken.ron"),
        "Scenario(code: \"x\",, )",
    )
    .unwrap();
    let run = start(dir.path(), true);
    settle().await;
    let state = run.state.clone();
    let feed = run.stop().await;
    let err = feed
        .iter()
        .find(|e| e.kind == FeedKind::Error)
        .expect("an error line");
    assert!(
        common::en(err).contains("broken.ron:1:"),
        "{}",
        common::en(err)
    );
    assert_eq!(state.lock().board.scenarios.len(), 2);
}

#[tokio::test(start_paused = true)]
async fn report_export_writes_korean_markdown_and_reports_failures() {
    let dir = tempfile::tempdir().unwrap();
    let run = start(dir.path(), false);
    settle().await;
    let id = run.trigger("cpu_spike_core").await;
    let out = dir.path().join("report.md");
    run.commands
        .send(Command::ExportReport {
            incident: id,
            path: out.clone(),
        })
        .await
        .unwrap();
    let blocked = dir.path().join("no-such-dir/x/report.md");
    std::fs::write(dir.path().join("no-such-dir"), "a file, not a folder").unwrap();
    run.commands
        .send(Command::ExportReport {
            incident: id,
            path: blocked,
        })
        .await
        .unwrap();
    run.commands.send(Command::ExportCancelled).await.unwrap();
    settle().await;
    let feed = run.stop().await;
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("# #1 엣지 노드 CPU 급등"), "{text}");
    for h in [
        "## 요약",
        "## 근본 원인",
        "## 영향",
        "## 조치 계획",
        "## 후속 조치",
    ] {
        assert!(text.contains(h), "{h} missing in {text}");
    }
    assert_eq!(count(&feed, FeedKind::Info, "exported to"), 1);
    assert_eq!(count(&feed, FeedKind::Error, "not exported to"), 1);
    assert_eq!(count(&feed, FeedKind::Info, "export cancelled"), 1);
}

#[tokio::test(start_paused = true)]
async fn a_failing_save_is_said_once_and_its_recovery_too() {
    let dir = tempfile::tempdir().unwrap();
    let run = start(dir.path(), true);
    settle().await;
    // A folder where the file should go makes every rename onto it fail.
    std::fs::create_dir(dir.path().join("incidents.ron")).unwrap();
    run.trigger("http_5xx_surge").await;
    run.trigger("cpu_spike_core").await;
    // Saves are a second apart: let two of them fail.
    wait_for_save().await;
    run.trigger("http_5xx_surge").await;
    wait_for_save().await;
    std::fs::remove_dir(dir.path().join("incidents.ron")).unwrap();
    run.trigger("cpu_spike_core").await;
    let feed = run.stop().await;
    assert_eq!(count(&feed, FeedKind::Error, "Could not save incidents"), 1);
    assert_eq!(
        count(&feed, FeedKind::Info, "Saving incidents works again"),
        1
    );
    let saved = Store::new(dir.path()).restore();
    assert_eq!(
        saved.incidents.len(),
        2,
        "nothing was lost once saving worked again"
    );
    assert_eq!(saved.incidents[0].refire_count, 1);
}

#[tokio::test(start_paused = true)]
async fn the_engine_refuses_a_plan_whose_high_risk_action_was_not_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let run = start(dir.path(), false);
    settle().await;
    let id = run.trigger("http_5xx_surge").await;
    // A command that did not go through the dialog (or a dialog that forgot it): the rollback
    // (action 1, index 0) is high risk and has no typed confirmation; then a wrong one.
    run.execute(id, vec![1]).await;
    run.commands
        .send(Command::ExecutePlan {
            incident: id,
            confirmations: vec![(0, "yes".into())],
            alone_ack: String::new(),
        })
        .await
        .unwrap();
    settle().await;
    {
        let st = run.state.lock();
        let inc = &st.board.incidents[0];
        assert_eq!(inc.plan.state, PlanState::AwaitingApproval, "nothing ran");
        assert!(inc.plan.results.is_empty());
        assert_eq!(inc.status, IncidentStatus::Open);
    }
    run.execute(id, vec![0]).await;
    settle().await;
    let state = run.state.clone();
    let feed = run.stop().await;
    assert_eq!(
        count(
            &feed,
            FeedKind::Error,
            "was not confirmed by typing the incident id"
        ),
        2
    );
    assert!(matches!(
        state.lock().board.incidents[0].plan.state,
        PlanState::Executed(_)
    ));
}

#[tokio::test(start_paused = true)]
async fn demo_detections_come_at_v0_1s_seconds_for_a_minute() {
    let dir = tempfile::tempdir().unwrap();
    let run = start(dir.path(), true);
    tokio::time::sleep(Duration::from_millis(59_500)).await;
    let feed = run.stop().await;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
    // Read from the events themselves, not from their words.
    let seen: Vec<(i64, FeedKind, &str)> = feed
        .iter()
        .filter_map(|e| {
            let what = match &e.event {
                FeedEvent::Detected { code, .. } | FeedEvent::Refired { code, .. } => code,
                FeedEvent::Cleared { threshold, .. } => &threshold.rule,
                _ => return None,
            };
            Some(((e.at - t0).num_seconds(), e.kind, what.as_str()))
        })
        .collect();
    // v0.1 at --poll-secs 1 (README): http opens at 3 s and clears at 9 s, cpu opens at 15 s
    // and clears at 21 s, http re-fires at 27 s, cpu at 39 s, and so on every 24 s.
    use FeedKind::*;
    assert_eq!(
        seen,
        [
            (3, Detection, "http_5xx_surge"),
            (9, Cleared, "http_error_rate"),
            (15, Detection, "cpu_spike_core"),
            (21, Cleared, "cpu_usage"),
            (27, Refire, "http_5xx_surge"),
            (33, Cleared, "http_error_rate"),
            (39, Refire, "cpu_spike_core"),
            (45, Cleared, "cpu_usage"),
            (51, Refire, "http_5xx_surge"),
            (57, Cleared, "http_error_rate"),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_rule_without_a_runbook_opens_a_generic_incident_per_series() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    // The demo's CPU, judged the other way round and with no runbook: calm values under
    // 0.40 are "in breach".
    std::fs::write(
        dir.path().join("rules/cpu_low.ron"),
        r#"Rule(id: "cpu_usage", title: (en: "CPU too low", ko: "CPU 너무 낮음"),
               query: "cpu_usage", unit: Ratio, comparison: Below, threshold: 0.40, window: 2)"#,
    )
    .unwrap();
    let run = start(dir.path(), true);
    tokio::time::sleep(Duration::from_millis(30_500)).await;
    let state = run.state.clone();
    let feed = run.stop().await;
    let st = state.lock();
    let generic: Vec<_> = st
        .board
        .incidents
        .iter()
        .filter(|i| i.scenario.code == "rule:cpu_usage")
        .collect();
    assert_eq!(
        generic.len(),
        1,
        "re-fires attach: {:?}",
        st.board.incidents
    );
    let inc = generic[0];
    assert!(inc.scenario.hypotheses.is_empty(), "no made-up hypotheses");
    assert!(inc.scenario.actions.is_empty());
    assert_eq!(inc.trigger.rule.as_deref(), Some("cpu_usage"));
    assert!(
        inc.report.root_cause.contains("런북이 없어"),
        "{}",
        inc.report.root_cause
    );
    // Every hotspot is a series of the rule, below the threshold at its worst.
    assert!(!inc.hotspots.is_empty());
    for h in &inc.hotspots {
        assert_eq!(h.rule, "cpu_usage");
        assert!(h.peak < 0.40, "{h:?}");
    }
    assert!(count(&feed, FeedKind::Detection, "rule:cpu_usage opened incident") == 1);
}

/// The window opens before the data dir is read: what it shows first has the saved language
/// and says it is restoring, and peeking at the settings moves nothing aside (the restore
/// that follows reports a bad file, once).
#[test]
fn the_first_frame_shows_saved_settings_while_restoring_and_peeking_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let saved = incident_console::model::Settings {
        language: Lang::Ko,
        ..Default::default()
    };
    store.save_settings(&saved).unwrap();
    let first = ConsoleState::starting(&EngineConfig::new(Store::new(dir.path())));
    assert!(first.board.restoring);
    assert_eq!(first.board.settings.language, Lang::Ko);
    assert!(first.board.incidents.is_empty());

    std::fs::write(dir.path().join("settings.ron"), "(language: Klingon").unwrap();
    let first = ConsoleState::starting(&EngineConfig {
        default_language: Lang::En,
        ..EngineConfig::new(Store::new(dir.path()))
    });
    assert_eq!(first.board.settings.language, Lang::En);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("settings.ron")).unwrap(),
        "(language: Klingon",
        "a peek must not move the file aside"
    );
    let restored = Engine::new(EngineConfig::new(Store::new(dir.path())));
    let st = restored.state();
    let st = st.lock();
    assert!(!st.board.restoring);
    assert_eq!(
        st.feed
            .iter()
            .filter(|e| matches!(e.event, FeedEvent::RestoreProblem(_)))
            .count(),
        1
    );
}
