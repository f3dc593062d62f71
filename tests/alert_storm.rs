//! A storm on tokio's paused clock: one webhook of 500 alerts gives 20 lines and then one
//! storm line when the minute is over, not 500; their resolution likewise; the detection the
//! responder saw before stays in the feed.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use incident_console::engine::{Command, Engine, EngineConfig, Input, IntakeEvent, TokioClock};
use incident_console::integrations::alertmanager::parse_webhook;
use incident_console::integrations::alertmanager::receiver::ReceiverEvent;
use incident_console::model::{FeedEntry, FeedEvent};
use incident_console::store::Store;

const ALERTS: usize = 500;

fn webhook(status: &str) -> String {
    let alerts: Vec<String> = (0..ALERTS)
        .map(|i| {
            let ends = if status == "resolved" {
                "2026-11-26T09:01:00Z"
            } else {
                "0001-01-01T00:00:00Z"
            };
            format!(
                r#"{{"status": "{status}", "labels": {{"alertname": "Flood{}", "severity": "warning", "instance": "n{i}"}},
                    "annotations": {{}}, "startsAt": "2026-11-26T08:59:00Z", "endsAt": "{ends}", "fingerprint": "f{i:04}"}}"#,
                i % 7
            )
        })
        .collect();
    format!(
        r#"{{"version": "4", "groupKey": "storm", "status": "{status}", "receiver": "console", "alerts": [{}]}}"#,
        alerts.join(",")
    )
}

/// Each storm line: fired, resolved, and the names with their counts.
type StormLine = (u64, u64, Vec<(String, u64)>);

fn storm_lines(feed: &[FeedEntry]) -> Vec<StormLine> {
    feed.iter()
        .filter_map(|e| match &e.event {
            FeedEvent::AlertStorm {
                fired,
                resolved,
                by_name,
                ..
            } => Some((*fired, *resolved, by_name.clone())),
            _ => None,
        })
        .collect()
}

fn count(feed: &[FeedEntry], what: fn(&FeedEvent) -> bool) -> usize {
    feed.iter().filter(|e| what(&e.event)).count()
}

#[tokio::test(start_paused = true)]
async fn a_storm_is_told_in_a_few_lines_and_the_responders_lines_stay() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(TokioClock::starting_at(
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap(),
    ));
    let engine = Engine::new(EngineConfig {
        force_demo: true,
        poll_override_secs: Some(3600),
        clock: clock.clone(),
        ..EngineConfig::new(Store::new(dir.path()))
    });
    let state = engine.state();
    let inputs = engine.input_sender();
    let (commands, rx) = Engine::channel();
    let task = tokio::spawn(engine.run(rx));
    commands
        .send(Command::TriggerScenario {
            code: Some("http_5xx_surge".into()),
        })
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(10)).await;
    let send = |body: String| {
        let group = parse_webhook(body.as_bytes()).unwrap();
        let at = incident_console::engine::Clock::now(clock.as_ref());
        inputs
            .send(Input::Intake(IntakeEvent::Receiver(
                ReceiverEvent::Webhook { group, at },
            )))
            .unwrap();
    };
    send(webhook("firing"));
    tokio::time::sleep(Duration::from_millis(10)).await;
    {
        let st = state.lock();
        let feed: Vec<FeedEntry> = st.feed.iter().cloned().collect();
        assert_eq!(st.board.alerts.len(), ALERTS);
        assert_eq!(
            count(&feed, |e| matches!(e, FeedEvent::AlertFired { .. })),
            20
        );
        assert!(
            storm_lines(&feed).is_empty(),
            "said when the minute is over"
        );
    }
    tokio::time::sleep(Duration::from_secs(61)).await;
    let feed: Vec<FeedEntry> = state.lock().feed.iter().cloned().collect();
    let storms = storm_lines(&feed);
    assert_eq!(storms.len(), 1, "{storms:?}");
    let (fired, resolved, by_name) = &storms[0];
    assert_eq!((*fired, *resolved), (ALERTS as u64 - 20, 0));
    assert_eq!(by_name.len(), 5, "the five most frequent names");
    assert!(
        by_name
            .iter()
            .all(|(n, c)| n.starts_with("Flood") && *c >= 68)
    );

    // Still a storm: the resolutions are counted from the start of the next minute.
    send(webhook("resolved"));
    tokio::time::sleep(Duration::from_secs(61)).await;
    let feed: Vec<FeedEntry> = state.lock().feed.iter().cloned().collect();
    assert_eq!(
        count(&feed, |e| matches!(e, FeedEvent::AlertResolved { .. })),
        0
    );
    let storms = storm_lines(&feed);
    assert_eq!(storms.len(), 2, "{storms:?}");
    assert_eq!((storms[1].0, storms[1].1), (0, ALERTS as u64));
    assert_eq!(
        count(&feed, |e| matches!(e, FeedEvent::Triggered { .. })),
        1,
        "the responder's trigger is still there"
    );
    assert!(
        feed.len() < 60,
        "a few lines, not a thousand: {}",
        feed.len()
    );
    commands.send(Command::Shutdown).await.unwrap();
    task.await.unwrap();
}
