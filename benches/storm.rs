//! An alert storm: 10,000 firing alerts in 500 groups, 6,000 of them on an HA pair (both
//! replicas report each) and 4,000 on a second cluster. Measures the poll merged into the
//! book, a webhook of one group of 200 merged into it, publishing the book to the window, and
//! the alerts list's frame (CPU side) at 10,000, still, scrolled and filtered. Prints the
//! resident memory the 10,000 alerts add to a window.

use std::collections::BTreeSet;
use std::hint::black_box;

use chrono::{Duration, TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use incident_console::detect::alerts::AlertBook;
use incident_console::engine::{Engine, EngineConfig};
use incident_console::model::{Alert, AlertState, AlertStatus, WEBHOOK_SOURCE};
use incident_console::store::Store;
use incident_console::ui::{ConsoleApp, fonts};

const ALERTS: usize = 10_000;
const GROUPS: usize = 500;
const HA: [&str; 2] = ["http://am-a:9093", "http://am-b:9093"];
const OTHER: &str = "http://am-eu:9093";

/// Alert `i` of the storm, as the Alertmanager at `source` reports it.
fn alert(i: usize, source: &str) -> Alert {
    let group = i % GROUPS;
    let name = format!("Storm{:02}", group % 50);
    let severity = ["critical", "warning", "warning", "info"][i % 4];
    let labels = [
        ("alertname", name.clone()),
        ("severity", severity.to_string()),
        ("instance", format!("node-{i:05}:9100")),
        ("cluster", if i < 6000 { "us".into() } else { "eu".into() }),
        (
            "team",
            ["payments", "search", "edge"][group % 3].to_string(),
        ),
        ("job", "node".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let annotations = [
        (
            "summary".to_string(),
            format!("{name} on node-{i:05}: 5xx above 5 %"),
        ),
        (
            "runbook_url".to_string(),
            "https://wiki.example/runbooks/storm".to_string(),
        ),
    ]
    .into();
    // The same for every copy of the alert: HA replicas and the webhook agree on it.
    let starts_at =
        Utc.with_ymd_and_hms(2026, 12, 1, 6, 0, 0).unwrap() + Duration::seconds(i as i64);
    Alert {
        fingerprint: format!("{i:016x}"),
        status: AlertStatus::Firing,
        state: AlertState::Active,
        silenced_by: Vec::new(),
        inhibited_by: Vec::new(),
        labels,
        annotations,
        starts_at,
        ends_at: None,
        generator_url: "http://prometheus:9090/graph?g0.expr=up".into(),
        group_key: (source == WEBHOOK_SOURCE).then(|| group_key(group)),
        reported_by: BTreeSet::from([source.to_string()]),
        seen_at: starts_at,
        cut: Default::default(),
    }
}

/// The `groupKey` of group `group`.
fn group_key(group: usize) -> String {
    format!(
        "{{}}:{{alertname=\"Storm{:02}\", group=\"{group}\"}}",
        group % 50
    )
}

fn polled() -> BTreeSet<String> {
    HA.iter().chain([&OTHER]).map(|s| s.to_string()).collect()
}

/// What each Alertmanager's poll returns: the HA pair 0..6000 each, the other 6000..10000.
fn answers() -> Vec<(&'static str, Vec<Alert>)> {
    vec![
        (HA[0], (0..6000).map(|i| alert(i, HA[0])).collect()),
        (HA[1], (0..6000).map(|i| alert(i, HA[1])).collect()),
        (OTHER, (6000..ALERTS).map(|i| alert(i, OTHER)).collect()),
    ]
}

fn full_book() -> AlertBook {
    let mut book = AlertBook::default();
    let polled = polled();
    for (source, alerts) in answers() {
        book.poll(source, alerts, Utc::now(), &polled);
    }
    // Each group's webhook too, so that the book knows Alertmanager's 500 groups.
    for g in 0..GROUPS {
        let group: Vec<Alert> = (g..ALERTS)
            .step_by(GROUPS)
            .map(|i| alert(i, WEBHOOK_SOURCE))
            .collect();
        book.webhook(&group, Utc::now(), &polled);
    }
    assert_eq!(book.len(), ALERTS);
    book
}

fn bench_merge(c: &mut Criterion) {
    let polled = polled();
    let answers = answers();
    c.bench_function(
        "storm: first poll of 10,000 alerts from three Alertmanagers, merged",
        |b| {
            b.iter_batched(
                || answers.clone(),
                |answers| {
                    let mut book = AlertBook::default();
                    for (source, alerts) in answers {
                        black_box(book.poll(source, alerts, Utc::now(), &polled));
                    }
                    book
                },
                BatchSize::LargeInput,
            )
        },
    );
    let mut book = full_book();
    c.bench_function(
        "storm: a poll of one replica's 6,000 alerts, nothing new",
        |b| {
            b.iter_batched(
                || answers[0].1.clone(),
                |alerts| black_box(book.poll(HA[0], alerts, Utc::now(), &polled)),
                BatchSize::LargeInput,
            )
        },
    );
    // 200 alerts under one groupKey (as a receiver with group_by: [cluster] would send).
    let group: Vec<Alert> = (0..200).map(|k| alert(k * 50, WEBHOOK_SOURCE)).collect();
    c.bench_function(
        "storm: a webhook of one group of 200 into the 10,000",
        |b| b.iter(|| black_box(book.webhook(&group, Utc::now(), &polled))),
    );
    c.bench_function("storm: publishing the 10,000 to the window", |b| {
        b.iter(|| black_box(book.published()))
    });
}

/// Resident memory of this process, in MiB.
fn rss_mib() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / (1024.0 * 1024.0)
}

fn window(dir: &std::path::Path) -> Harness<'static, ConsoleApp> {
    let handle = Engine::spawn(EngineConfig {
        force_demo: true,
        poll_override_secs: Some(3600),
        ..EngineConfig::new(Store::new(dir))
    })
    .expect("engine");
    assert!(handle.wait_restored(std::time::Duration::from_secs(10)));
    let app = ConsoleApp::new(handle);
    let mut h = Harness::builder()
        .with_size([1440.0, 920.0])
        .with_context_setup(fonts::install)
        .build_ui_state(|ui, app: &mut ConsoleApp| app.console_ui(ui), app);
    h.run_steps(5);
    h
}

fn bench_list(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut h = window(dir.path());
    h.get_by_label_contains("Alerts (").click();
    h.run_steps(5);
    let before = rss_mib();
    h.state().engine().state.lock().board.alerts = full_book().published();
    h.run_steps(10);
    // The tab is open: 500 groups of 20, each closed.
    h.get_by_label(&format!("{} (20)", group_key(7)));
    eprintln!(
        "storm: the window holds {:.1} MiB more with the 10,000 alerts shown",
        rss_mib() - before
    );
    c.bench_function("storm: alerts list frame at 10,000, nothing new", |b| {
        b.iter(|| h.step())
    });
    c.bench_function(
        "storm: alerts list frame at 10,000, scrolled each frame",
        |b| {
            b.iter(|| {
                h.event(egui::Event::MouseWheel {
                    unit: egui::MouseWheelUnit::Line,
                    delta: egui::vec2(0.0, -3.0),
                    modifiers: Default::default(),
                    phase: egui::TouchPhase::Move,
                    source: egui::MouseWheelSource::Unknown,
                });
                h.step()
            })
        },
    );
    h.get_by_label("Alert filter").focus();
    h.run_steps(1);
    h.get_by_label("Alert filter")
        .type_text(r#"{severity="critical", team=~"pay.*"}"#);
    h.run_steps(2);
    c.bench_function("storm: alerts list frame at 10,000, filtered", |b| {
        b.iter(|| h.step())
    });
    let mut app = h.into_state();
    app.shutdown();
}

// The window first, so its memory figure is not hidden by what the merges freed.
criterion_group!(benches, bench_list, bench_merge);
criterion_main!(benches);
