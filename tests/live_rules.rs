//! User rules against a real Prometheus scraping a real `sample-metrics`: `up < 1` opens an
//! incident naming the exporter when it stops and recovers when it comes back, and a third rule
//! on another query draws its own card.

use egui_kittest::kittest::Queryable;
use incident_console::engine::Command;
use incident_console::model::{IncidentStatus, PlanState, Settings};
use incident_console::store::Store;

mod common;

use common::ui::{harness_with, wait_for};

#[test]
fn an_up_rule_opens_an_incident_when_the_exporter_stops_and_recovers_when_it_returns() {
    let Some(mut stack) = common::live_stack() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings {
        demo_mode: false,
        recovery_samples: 2,
        ..Settings::default()
    };
    settings.prometheus.base_url = stack.url.clone();
    Store::new(dir.path()).save_settings(&settings).unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::write(
        dir.path().join("rules/exporter_up.ron"),
        r#"Rule(
            id: "exporter_up",
            title: (en: "Exporter up", ko: "익스포터 가동"),
            query: "up{job=\"sample-metrics\"}",
            comparison: Below,
            threshold: 1,
            window: 2,
        )"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("rules/requests.ron"),
        r#"Rule(
            id: "sample_requests",
            title: (en: "Sample requests", ko: "샘플 요청 수"),
            query: "sum by (status) (sample_http_requests_total)",
            unit: Count,
            threshold: 1000000,
            series_label: "status",
            severity: Info,
        )"#,
    )
    .unwrap();
    let mut h = harness_with(dir.path(), false, 1);

    // Every rule has its card, the third one with its own series (by status).
    wait_for(&mut h, "the three user-visible cards", |h| {
        h.query_by_label("(exporter_up)").is_some()
            && h.query_by_label("(sample_requests)").is_some()
            && h.query_by_label_contains("200  ").is_some()
    });
    assert!(h.query_by_label("(http_error_rate)").is_some());
    let state = h.state().engine().state.clone();
    assert!(
        state
            .lock()
            .board
            .incidents
            .iter()
            .all(|i| i.trigger.rule.as_deref() != Some("exporter_up")),
        "up is 1: no breach yet"
    );

    stack.stop_exporter();
    wait_for(&mut h, "an incident for the exporter", |_| {
        state
            .lock()
            .board
            .incidents
            .iter()
            .any(|i| i.scenario.code == "rule:exporter_up")
    });
    let id = {
        let st = state.lock();
        let inc = st
            .board
            .incidents
            .iter()
            .find(|i| i.scenario.code == "rule:exporter_up")
            .unwrap();
        assert_eq!(
            inc.trigger.series.as_deref(),
            Some(stack.exporter_addr.as_str()),
            "the incident names the series"
        );
        assert_eq!(inc.hotspots[0].series, stack.exporter_addr);
        assert_eq!(
            inc.trigger.value_of("exporter_up").unwrap().value,
            Some(0.0)
        );
        inc.id
    };
    // The responder acknowledges (no actions to run) and the recovery watch starts.
    h.state().engine().send(Command::ExecutePlan {
        incident: id,
        confirmations: Vec::new(),
        alone_ack: String::new(),
    });
    wait_for(&mut h, "the recovery watch", |_| {
        state.lock().board.incidents.iter().any(|i| {
            i.id == id
                && i.status == IncidentStatus::Mitigating
                && matches!(i.plan.state, PlanState::Executed(_))
        })
    });

    stack.start_exporter();
    wait_for(&mut h, "recovery", |_| {
        state
            .lock()
            .board
            .incidents
            .iter()
            .any(|i| i.id == id && i.status == IncidentStatus::Recovered)
    });
    wait_for(&mut h, "the hotspot's clear", |_| {
        let st = state.lock();
        let inc = st.board.incidents.iter().find(|i| i.id == id).unwrap();
        inc.hotspots[0].cleared_at.is_some()
            || st
                .feed
                .iter()
                .any(|e| common::en(e).starts_with("exporter_up breach cleared"))
    });

    // Recovered: its samples were kept from the live history, the exporter's 0 and 1.
    let store = Store::new(dir.path());
    wait_for(&mut h, "the kept samples", |_| {
        store.load_samples(id).ok().flatten().is_some()
    });
    let kept = store.load_samples(id).unwrap().unwrap();
    let up: Vec<f64> = kept
        .of("exporter_up")
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .collect();
    assert!(up.contains(&0.0) && up.contains(&1.0), "{up:?}");

    // With none kept (an older release's incident), the review asks Prometheus for them.
    std::fs::remove_file(store.samples_path(id)).unwrap();
    let md = dir.path().join("review.md");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_incident-console"))
        .args([
            "review",
            &id.to_string(),
            "--format",
            "md",
            "--lang",
            "en",
            "--out",
        ])
        .arg(&md)
        .arg("--data-dir")
        .arg(dir.path())
        .env_remove("INCIDENT_PROMETHEUS_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = std::fs::read_to_string(dir.path().join("review-graph-1.svg")).unwrap();
    assert!(
        svg.contains(&stack.exporter_addr),
        "the exporter's series, from Prometheus"
    );
}
