//! A data dir written by v0.1 (tests/fixtures/v0_1), and one written by the release before
//! incidents came from alerts (tests/fixtures/before_alerts, commit 61b6020: the webhook
//! receiver on, an alert fired and resolved), load into today's model with nothing dropped,
//! and today's saves of them read back the same.

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use incident_console::engine::{Command, Engine, EngineConfig, TokioClock};
use incident_console::model::{
    HypothesisMark, IncidentStatus, JobState, Lang, PlanState, TriggerOrigin, Unit,
};
use incident_console::store::Store;

/// A copy of the fixture in a temporary dir, so the test never writes to the fixture.
fn v0_1_dir() -> tempfile::TempDir {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v0_1");
    let dir = tempfile::tempdir().unwrap();
    for name in ["settings.ron", "incidents.ron", "feed.ron", "outbox.ron"] {
        std::fs::copy(src.join(name), dir.path().join(name)).unwrap();
    }
    dir
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

/// The release before alert incidents, acknowledgements, the alert history and desktop
/// notifications: everything it wrote loads, and today's writer gives it back unchanged.
#[test]
fn the_release_before_alert_incidents_loads_whole_and_saves_back_the_same() {
    use incident_console::model::FeedEvent;
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/before_alerts");
    let dir = tempfile::tempdir().unwrap();
    for name in ["settings.ron", "incidents.ron", "feed.ron", "outbox.ron"] {
        std::fs::copy(src.join(name), dir.path().join(name)).unwrap();
    }
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

    // Written again by today's code and read back: the same.
    store.save_settings(&settings).unwrap();
    store.save_incidents(&before.incidents).unwrap();
    store
        .save_feed(&before.feed.iter().cloned().collect())
        .unwrap();
    store.save_outbox(&before.outbox).unwrap();
    let after = store.restore();
    assert!(after.problems.is_empty(), "{:?}", after.problems);
    assert_eq!(after.settings, Some(settings));
    assert_eq!(after.incidents, before.incidents);
    assert_eq!(after.feed, before.feed);
    assert_eq!(after.outbox.jobs, before.outbox.jobs);
}
