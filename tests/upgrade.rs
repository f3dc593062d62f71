//! A data dir written by v0.1 (tests/fixtures/v0_1), and one written by the release before
//! incidents came from alerts (tests/fixtures/before_alerts, commit 61b6020: the webhook
//! receiver on, an alert fired and resolved), load into today's model with nothing dropped,
//! and today's saves of them read back the same; so does one written by the release before typed
//! timelines (tests/fixtures/before_timeline, commit 01ed7ba).

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use incident_console::engine::{Command, Engine, EngineConfig, TokioClock};
use incident_console::model::{
    HypothesisMark, IncidentStatus, JobState, Lang, PlanState, TriggerOrigin, Unit,
};
use incident_console::store::Store;

/// The files every fixture has.
const FIXTURE_FILES: [&str; 4] = ["settings.ron", "incidents.ron", "feed.ron", "outbox.ron"];

/// `files` of fixture `name` copied into a temporary dir, so a test never writes to the
/// fixture; the fixture's own folder and the copy.
fn fixture_copy(name: &str, files: &[&str]) -> (std::path::PathBuf, tempfile::TempDir) {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let dir = tempfile::tempdir().unwrap();
    for file in files {
        std::fs::copy(src.join(file), dir.path().join(file)).unwrap();
    }
    (src, dir)
}

/// A copy of the v0.1 fixture.
fn v0_1_dir() -> tempfile::TempDir {
    fixture_copy("v0_1", &FIXTURE_FILES).1
}

/// A copy of the release before typed timelines, with its alert history and audit log.
fn before_timeline_dir() -> (std::path::PathBuf, tempfile::TempDir) {
    let extra = ["alert_history.ron", "audit.jsonl"];
    fixture_copy(
        "before_timeline",
        &[&FIXTURE_FILES[..], &extra[..]].concat(),
    )
}

#[test]
fn every_v0_1_file_reads_without_a_problem_and_nothing_is_dropped() {
    let dir = v0_1_dir();
    let restored = Store::new(dir.path()).restore();
    assert!(restored.problems.is_empty(), "{:?}", restored.problems);
    for name in ["settings.ron", "incidents.ron", "feed.ron", "outbox.ron"] {
        assert!(dir.path().join(name).exists(), "{name} was not moved aside");
    }

    // Settings: v0.1's thresholds and queries, which now tune the built-in rules.
    let settings = restored.settings.expect("settings");
    assert_eq!(settings.language, Lang::Ko);
    assert_eq!(settings.recovery_samples, 2);
    let rules = incident_console::rules::effective(
        &incident_console::rules::load(None).rules,
        &settings.prometheus,
    );
    assert_eq!(rules[0].id, "http_error_rate");
    assert_eq!(rules[0].threshold, 0.06);
    assert_eq!(rules[1].id, "cpu_usage");
    assert_eq!(rules[1].threshold, 0.85);
    assert_eq!(rules[1].query, "max by (instance) (cpu_usage)");
    assert_eq!(rules[1].series_label, "node");
    assert_eq!(
        settings.slack.token.expose(),
        "xoxb-fixture-not-a-real-token"
    );

    // Incidents: all three, with their values, marks, plans, hotspots and timelines.
    let incidents = &restored.incidents;
    assert_eq!(
        incidents.iter().map(|i| i.id).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    let one = &incidents[0];
    assert_eq!(one.status, IncidentStatus::Recovered);
    assert_eq!(one.trigger.origin, TriggerOrigin::Monitor);
    assert_eq!(one.trigger.rule.as_deref(), Some("http_error_rate"));
    assert_eq!(one.trigger.series.as_deref(), Some("edge-node-01"));
    let http = one.trigger.value_of("http_error_rate").unwrap();
    assert_eq!(http.value, Some(0.10769177075429213));
    assert_eq!(http.threshold, 0.06);
    assert_eq!(http.unit, Unit::Ratio);
    assert_eq!(http.series.as_deref(), Some("edge-node-01"));
    let cpu = one.trigger.value_of("cpu_usage").unwrap();
    assert_eq!(cpu.value, Some(0.7065391956448964));
    assert_eq!(cpu.threshold, 0.85);
    assert_eq!(
        one.marks,
        [
            HypothesisMark::Confirmed,
            HypothesisMark::Rejected,
            HypothesisMark::Open
        ]
    );
    assert!(matches!(one.plan.state, PlanState::Executed(_)));
    assert_eq!(one.plan.results.len(), 3);
    assert_eq!(one.refire_count, 1);
    assert_eq!(one.healthy_streak, 2);
    assert!(one.recovered_at.is_some());
    let spots: Vec<(&str, &str, u32, f64)> = one
        .hotspots
        .iter()
        .map(|h| (h.rule.as_str(), h.series.as_str(), h.samples, h.peak))
        .collect();
    assert_eq!(
        spots,
        [
            ("http_error_rate", "edge-node-01", 2, 0.10769177075429213),
            ("http_error_rate", "edge-node-03", 2, 0.0957244955728158)
        ]
    );
    assert!(one.timeline.len() >= 4, "{:?}", one.timeline);
    assert_eq!(one.rule(), Some("http_error_rate"));

    let two = &incidents[1];
    assert_eq!(two.status, IncidentStatus::Open);
    assert!(matches!(two.plan.state, PlanState::Deferred(_)));
    assert_eq!(two.refire_count, 2);
    assert_eq!(two.hotspots.len(), 3);
    assert!(two.hotspots.iter().all(|h| h.rule == "cpu_usage"));
    assert_eq!(two.trigger.value_of("cpu_usage").unwrap().threshold, 0.85);

    let three = &incidents[2];
    assert_eq!(three.status, IncidentStatus::Closed);
    assert!(three.closed_at.is_some());
    assert_eq!(three.refire_count, 1, "the manual trigger's re-fire");

    // The feed's 23 sentences and the outbox's 7 jobs, queued ones still queued.
    assert_eq!(restored.feed.len(), 23);
    assert!(
        common::en(&restored.feed[3])
            .starts_with("http_5xx_surge opened incident #1: edge-node-01"),
        "{}",
        common::en(&restored.feed[3])
    );
    assert_eq!(restored.outbox.jobs.len(), 7);
    assert!(
        restored
            .outbox
            .jobs
            .iter()
            .all(|j| j.state == JobState::Queued)
    );
}

#[tokio::test(start_paused = true)]
async fn the_engine_runs_on_a_v0_1_dir_and_its_saves_read_back_the_same() {
    let dir = v0_1_dir();
    let before = Store::new(dir.path()).restore();
    let engine = Engine::new(EngineConfig {
        force_demo: true,
        poll_override_secs: Some(1),
        clock: Arc::new(TokioClock::starting_at(
            Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap(),
        )),
        headless: true,
        ..EngineConfig::new(Store::new(dir.path()))
    });
    let state = engine.state();
    {
        let st = state.lock();
        assert_eq!(
            st.board.rules[0].threshold, 0.06,
            "v0.1's threshold is in force"
        );
        assert_eq!(st.board.incidents.len(), 3);
        assert!(
            st.feed.iter().take(23).eq(before.feed.iter()),
            "the old feed leads the new one"
        );
    }
    let (commands, rx) = Engine::channel();
    let task = tokio::spawn(engine.run(rx));
    // Incident #2 is still active: the demo's cpu bursts re-fire it, as in v0.1.
    tokio::time::sleep(Duration::from_secs(20)).await;
    commands.send(Command::Shutdown).await.unwrap();
    task.await.unwrap();

    let after = Store::new(dir.path()).restore();
    assert!(after.problems.is_empty(), "{:?}", after.problems);
    // What v0.1 wrote is still there, field for field, now in today's form.
    for old in &before.incidents {
        let new = after.incidents.iter().find(|i| i.id == old.id).unwrap();
        assert_eq!(new.trigger, old.trigger);
        assert_eq!(new.marks, old.marks);
        assert_eq!(new.plan, old.plan);
        assert_eq!(new.report, old.report);
        assert_eq!(new.opened_at, old.opened_at);
        assert_eq!(new.timeline[..old.timeline.len()], old.timeline[..]);
        for h in &old.hotspots {
            assert!(
                new.hotspots
                    .iter()
                    .any(|n| n.rule == h.rule && n.series == h.series && n.first_at == h.first_at),
                "{h:?}"
            );
        }
    }
    assert!(after.incidents[1].refire_count > before.incidents[1].refire_count);
    assert!(after.feed.iter().take(23).eq(before.feed.iter()));
    // Every old job is kept (new re-fire updates may have joined them).
    for old in &before.outbox.jobs {
        let new = after.outbox.jobs.iter().find(|j| j.id == old.id).unwrap();
        assert_eq!((&new.destination, &new.text), (&old.destination, &old.text));
    }
    // Written in today's form: no v0.1 field names left.
    let text = std::fs::read_to_string(dir.path().join("incidents.ron")).unwrap();
    assert!(!text.contains("http_threshold") && !text.contains("node:"));
}

/// Writes what `before` restored with today's code and reads it back: every file the same.
fn saves_back_the_same(store: &Store, before: &incident_console::store::Restored) {
    let settings = before.settings.clone().expect("settings");
    store.save_settings(&settings).unwrap();
    store.save_incidents(&before.incidents).unwrap();
    store
        .save_feed(&before.feed.iter().cloned().collect())
        .unwrap();
    store.save_outbox(&before.outbox).unwrap();
    store.save_alert_history(&before.alert_history).unwrap();
    let after = store.restore();
    assert!(after.problems.is_empty(), "{:?}", after.problems);
    assert_eq!(after.settings, Some(settings));
    assert_eq!(after.incidents, before.incidents);
    assert_eq!(after.feed, before.feed);
    assert_eq!(after.outbox.jobs, before.outbox.jobs);
    assert_eq!(after.alert_history, before.alert_history);
}

/// The release before alert incidents, acknowledgements, the alert history and desktop
/// notifications: everything it wrote loads, and today's writer gives it back unchanged.
#[test]
fn the_release_before_alert_incidents_loads_whole_and_saves_back_the_same() {
    use incident_console::model::FeedEvent;
    let (src, dir) = fixture_copy("before_alerts", &FIXTURE_FILES);
    let store = Store::new(dir.path());
    let before = store.restore();
    assert!(before.problems.is_empty(), "{:?}", before.problems);
    let settings = before.settings.clone().expect("settings");
    assert_eq!(settings.language, Lang::Ko);
    assert!(settings.intake.enabled);
    assert_eq!(settings.intake.addr, "127.0.0.1:9196");
    assert_eq!(settings.intake.token.expose(), "fixture-token");
    assert_eq!(settings.intake.alertmanager_urls, ["http://127.0.0.1:9"]);
    assert_eq!(settings.intake.poll_interval_secs, 3600);
    // What it did not know takes its default.
    assert_eq!(settings.responder, "");
    assert!(settings.desktop.enabled);
    assert!(before.alert_history.is_empty());

    let written = std::fs::read_to_string(src.join("feed.ron")).unwrap();
    let entries = written.matches("\n    (\n").count();
    assert_eq!(before.feed.len(), entries, "every feed entry read");
    assert!(before.feed.iter().any(|e| matches!(&e.event,
        FeedEvent::AlertFired { fingerprint, summary, .. } if fingerprint == "fx1" && summary == "결제 5xx 급증")));
    assert!(before.feed.iter().any(|e| matches!(&e.event,
        FeedEvent::AlertResolved { fingerprint, after_secs: 300, .. } if fingerprint == "fx1")));
    assert_eq!(
        before.incidents.iter().map(|i| i.id).collect::<Vec<_>>(),
        [1, 2]
    );
    assert!(before.incidents.iter().all(|i| i.alerts.is_none()));

    saves_back_the_same(&store, &before);
}

/// Writes `tests/fixtures/before_timeline` (to the dir `FIXTURE_OUT` names) with this
/// release's engine, before incidents' timelines became typed events with authors: a data dir
/// with everything today's engine keeps. Run once, at that release, and its files committed;
/// never again (they are what a user's disk holds).
#[tokio::test(start_paused = true)]
#[ignore = "writes the before_timeline fixture; run by hand at the release it records"]
async fn write_before_timeline_fixture() {
    use incident_console::engine::{Input, IntakeEvent};
    use incident_console::integrations::alertmanager::parse_webhook;
    use incident_console::integrations::alertmanager::receiver::ReceiverEvent;
    use incident_console::model::{Secret, Settings};
    let out = std::path::PathBuf::from(std::env::var("FIXTURE_OUT").expect("FIXTURE_OUT"));
    std::fs::create_dir_all(&out).unwrap();
    let clock = Arc::new(TokioClock::starting_at(
        Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap(),
    ));
    let engine = Engine::new(EngineConfig {
        force_demo: true,
        poll_override_secs: Some(1),
        clock: clock.clone(),
        ..EngineConfig::new(Store::new(&out))
    });
    let state = engine.state();
    let inputs = engine.input_sender();
    let (commands, rx) = Engine::channel();
    let task = tokio::spawn(engine.run(rx));
    let send = |c: Command| commands.send(c);

    // Settings as a responder keeps them: Korean, a name, the receiver on with a token, an
    // Alertmanager to poll (a closed port: its failure is in the feed), desktop off.
    let mut s = Settings {
        language: Lang::Ko,
        responder: "kim.oncall".into(),
        ..Settings::default()
    };
    s.intake.enabled = true;
    s.intake.addr = "127.0.0.1:0".into();
    s.intake.token = Secret::new("fixture-token");
    s.intake.alertmanager_urls = vec!["http://127.0.0.1:9".into()];
    s.intake.poll_interval_secs = 3600;
    s.desktop.enabled = false;
    send(Command::SaveSettings(Box::new(s))).await.unwrap();

    // 45 s of demo: its detections, re-fires and clears.
    tokio::time::sleep(Duration::from_secs(45)).await;
    // A webhook whose alert opens the 5xx runbook's incident; a second alert joins its group;
    // one no runbook matches.
    let webhook = |group: &str, alerts: &[(&str, &str, &str)], status: &str| {
        let body: Vec<String> = alerts
            .iter()
            .map(|(fp, name, ends)| {
                format!(
                    r#"{{"status": "{status}", "labels": {{"alertname": "{name}", "severity": "critical", "instance": "edge-node-01"}},
                        "annotations": {{"summary": "결제 5xx 급증"}}, "startsAt": "2026-12-03T08:59:00Z", "endsAt": "{ends}", "fingerprint": "{fp}"}}"#
                )
            })
            .collect();
        let text = format!(
            r#"{{"version": "4", "groupKey": "{group}", "status": "{status}", "receiver": "console", "alerts": [{}]}}"#,
            body.join(",")
        );
        let group = parse_webhook(text.as_bytes()).unwrap();
        let at = incident_console::engine::Clock::now(clock.as_ref());
        inputs
            .send(Input::Intake(IntakeEvent::Receiver(
                ReceiverEvent::Webhook { group, at },
            )))
            .unwrap();
    };
    let firing = "0001-01-01T00:00:00Z";
    webhook("g-5xx", &[("tl1", "HighErrorRate", firing)], "firing");
    tokio::time::sleep(Duration::from_secs(2)).await;
    webhook(
        "g-5xx",
        &[
            ("tl1", "HighErrorRate", firing),
            ("tl2", "Http5xxHigh", firing),
        ],
        "firing",
    );
    webhook("g-disk", &[("tl3", "DiskFull", firing)], "firing");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let alert_incident = state
        .lock()
        .board
        .incidents
        .iter()
        .find(|i| i.alerts.is_some())
        .expect("the alert's incident")
        .id;
    // The responder's work on the first incident: marks (one changed twice), the plan run with
    // the high-risk action confirmed, verification, close. The second is deferred.
    let first = state.lock().board.incidents[0].id;
    for (hypothesis, mark) in [
        (0, HypothesisMark::Confirmed),
        (1, HypothesisMark::Rejected),
        (1, HypothesisMark::Open),
    ] {
        send(Command::MarkHypothesis {
            incident: first,
            hypothesis,
            mark,
        })
        .await
        .unwrap();
    }
    let confirmations = {
        let st = state.lock();
        let inc = st.board.incidents.iter().find(|i| i.id == first).unwrap();
        inc.scenario
            .actions
            .iter()
            .enumerate()
            .filter(|(_, a)| a.risk == incident_console::model::Risk::High)
            .map(|(i, a)| {
                let word = a.confirm_word.clone().unwrap_or_else(|| first.to_string());
                (i, word)
            })
            .collect()
    };
    send(Command::ExecutePlan {
        incident: first,
        confirmations,
        alone_ack: String::new(),
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    send(Command::VerifyRecovery).await.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let second = state
        .lock()
        .board
        .incidents
        .iter()
        .find(|i| i.id != first && i.alerts.is_none() && i.status.is_active())
        .map(|i| i.id);
    if let Some(second) = second {
        send(Command::DeferPlan { incident: second }).await.unwrap();
    }
    // The alerts resolve; the alert incident recovers. Then the first is closed.
    let resolved = "2026-12-03T09:00:50Z";
    webhook(
        "g-5xx",
        &[
            ("tl1", "HighErrorRate", resolved),
            ("tl2", "Http5xxHigh", resolved),
        ],
        "resolved",
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    send(Command::CloseIncident {
        incident: first,
        resolution: String::new(),
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_secs(5)).await;
    send(Command::Shutdown).await.unwrap();
    task.await.unwrap();
    let restored = Store::new(&out).restore();
    assert!(restored.problems.is_empty(), "{:?}", restored.problems);
    assert!(restored.incidents.iter().any(|i| i.id == alert_incident));
}

/// The release before typed timelines (tests/fixtures/before_timeline, commit 01ed7ba):
/// settings with a responder and the receiver, three incidents (closed with its plan run,
/// deferred, opened from alerts and recovered) with their timelines, the alert history and the
/// audit line; everything loads, and today's writer gives it back unchanged.
#[test]
fn the_release_before_typed_timelines_loads_whole_and_saves_back_the_same() {
    use incident_console::model::IncidentEventKind;
    let (src, dir) = before_timeline_dir();
    let store = Store::new(dir.path());
    let before = store.restore();
    assert!(before.problems.is_empty(), "{:?}", before.problems);
    let settings = before.settings.clone().expect("settings");
    assert_eq!(settings.language, Lang::Ko);
    assert_eq!(settings.responder, "kim.oncall");
    assert!(settings.intake.enabled && !settings.desktop.enabled);
    assert_eq!(settings.intake.token.expose(), "fixture-token");

    let incidents = &before.incidents;
    assert_eq!(
        incidents.iter().map(|i| i.id).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    let first = &incidents[0];
    assert_eq!(first.status, IncidentStatus::Closed);
    assert_eq!(
        first.marks[..2],
        [HypothesisMark::Confirmed, HypothesisMark::Open]
    );
    assert!(matches!(first.plan.state, PlanState::Executed(_)));
    assert!(matches!(incidents[1].plan.state, PlanState::Deferred(_)));
    let from_alerts = &incidents[2];
    assert_eq!(from_alerts.trigger.origin, TriggerOrigin::Alertmanager);
    assert_eq!(from_alerts.status, IncidentStatus::Recovered);
    let links = from_alerts.alerts.as_ref().expect("its alerts");
    assert_eq!(links.alerts.len(), 2);
    assert!(links.all_resolved());
    let kinds: Vec<&IncidentEventKind> = incidents
        .iter()
        .flat_map(|i| i.timeline.iter().map(|e| &e.kind))
        .collect();
    for kind in [
        IncidentEventKind::Opened,
        IncidentEventKind::Refired,
        IncidentEventKind::SeriesCleared,
        IncidentEventKind::PlanExecuted,
        IncidentEventKind::PlanDeferred,
        IncidentEventKind::AlertAttached,
        IncidentEventKind::AlertsResolved,
        IncidentEventKind::Recovered,
        IncidentEventKind::Closed,
    ] {
        assert!(kinds.contains(&&kind), "{kind:?} in a timeline");
    }
    // Written before ids and authors: each entry gets origin 0 and its place, said as
    // unrecorded, and the key times read from what the old timeline had.
    for inc in incidents {
        for (i, e) in inc.timeline.iter().enumerate() {
            assert_eq!((e.id.origin, e.id.seq), (0, i as u64 + 1));
            assert_eq!(e.author, incident_console::model::Author::Unrecorded);
        }
    }
    let keys = incident_console::model::KeyTimes::of(first);
    assert!(keys.to_mitigate().is_some() && keys.to_close().is_some());
    assert!(
        incident_console::model::KeyTimes::of(from_alerts)
            .to_recover()
            .is_some()
    );
    let entries = std::fs::read_to_string(src.join("feed.ron"))
        .unwrap()
        .matches("\n    (\n")
        .count();
    assert_eq!(before.feed.len(), entries, "every feed entry read");
    assert_eq!(
        before
            .alert_history
            .iter()
            .map(|r| r.fingerprint.as_str())
            .collect::<Vec<_>>(),
        ["tl1", "tl2"]
    );
    let audit = incident_console::audit::read(dir.path());
    assert_eq!(audit.lines.len(), 1);
    assert_eq!(audit.lines[0].who, "kim.oncall");

    saves_back_the_same(&store, &before);
}

/// The review of an incident written by older releases shows every entry its old timeline had:
/// v0.1's English sentences as written, and the typed events of the release before ids, each
/// a row with its words.
#[test]
fn the_review_of_an_upgraded_incident_shows_what_its_old_timeline_had() {
    use incident_console::review::{self, Block};
    let rows_of = |r: &review::Review| -> Vec<Vec<String>> {
        // The timeline is the last table with four columns (the starred one is empty here).
        r.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Table { head, rows } if head.len() == 4 => Some(rows.clone()),
                _ => None,
            })
            .next_back()
            .unwrap_or_default()
    };
    let dir = v0_1_dir();
    let store = Store::new(dir.path());
    let old = store.peek_incidents().unwrap();
    let first = &old[0];
    let made =
        review::from_store(&store, first.id, Lang::En, chrono::Utc::now(), |_| None).unwrap();
    let rows = rows_of(&made);
    assert_eq!(rows.len(), first.timeline.len(), "a row per old entry");
    for (row, entry) in rows.iter().zip(&first.timeline) {
        assert_eq!(row[3], entry.detail, "v0.1's sentence as written");
    }
    let html = review::html(&made);
    assert!(html.contains("opened by the monitor: http=0.1077"));

    let (_, dir) = before_timeline_dir();
    let store = Store::new(dir.path());
    for inc in store.peek_incidents().unwrap() {
        let made =
            review::from_store(&store, inc.id, Lang::Ko, chrono::Utc::now(), |_| None).unwrap();
        let rows = rows_of(&made);
        assert_eq!(rows.len(), inc.timeline.len(), "incident #{}", inc.id);
        assert!(rows.iter().all(|r| !r[3].is_empty()), "each says something");
    }
}
