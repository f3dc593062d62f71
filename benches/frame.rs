//! Frame cost of the console with a full feed (10,000 entries) and 8 rules x 20 series x 24 h
//! of samples, plus the decimation that keeps sparklines O(pixels). Prints the history's memory.

use std::hint::black_box;

use chrono::{Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use egui_kittest::Harness;
use incident_console::engine::{Command, Engine, EngineConfig};
use incident_console::history::MetricHistory;
use incident_console::model::{
    Comparison, FeedEntry, FeedEvent, Localized, Reading, Rule, RuleValue, SeriesValue, Severity,
    Unit,
};
use incident_console::store::{FEED_LIMIT, Store};
use incident_console::ui::{ConsoleApp, fonts};

/// Rules in the bench: the two built-in ones and six more.
const RULES: usize = 8;
/// Series per rule.
const SERIES: usize = 20;
/// 24 h at the default 5 s poll interval.
const SAMPLES: i64 = 24 * 60 * 60 / 5;

fn rules() -> Vec<Rule> {
    let mut rules = incident_console::rules::effective(
        &incident_console::rules::load(None).rules,
        &Default::default(),
    );
    for k in rules.len()..RULES {
        rules.push(Rule {
            id: format!("bench_rule_{k}"),
            title: Localized {
                en: format!("Bench rule {k}"),
                ko: format!("벤치 규칙 {k}"),
            },
            query: format!("bench_metric_{k}"),
            unit: [Unit::Seconds, Unit::Bytes, Unit::Count][k % 3],
            comparison: Comparison::Above,
            threshold: 0.9,
            window: 5,
            series_label: "instance".into(),
            severity: Severity::Warning,
            runbook: None,
            enabled: true,
        });
    }
    rules
}

fn reading(rules: &[Rule], at: chrono::DateTime<Utc>, i: i64) -> Reading {
    let mut values = Vec::with_capacity(RULES * SERIES);
    for (r, rule) in rules.iter().enumerate() {
        for n in 0..SERIES {
            values.push(SeriesValue {
                rule: rule.id.clone(),
                series: format!("node-{n:02}"),
                value: 0.3 + 0.4 * (((i * (r as i64 + 1) + n as i64) % 11) as f64 / 11.0),
            });
        }
    }
    Reading {
        at,
        values,
        covered: rules.iter().map(|r| r.id.clone()).collect(),
    }
}

fn full_console(dir: &std::path::Path) -> Harness<'static, ConsoleApp> {
    let handle = Engine::spawn(EngineConfig {
        force_demo: true,
        // One sample at start, then quiet, so the clicks decide what happens.
        poll_override_secs: Some(3600),
        ..EngineConfig::new(Store::new(dir))
    })
    .expect("engine");
    assert!(handle.wait_restored(std::time::Duration::from_secs(10)));
    handle.send(Command::TriggerScenario {
        code: Some("http_5xx_surge".into()),
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    {
        let rules = rules();
        let start = Utc::now() - Duration::seconds(SAMPLES * 5);
        let mut history = MetricHistory::for_poll_interval(5);
        for i in 0..SAMPLES {
            history.push(&reading(&rules, start + Duration::seconds(i * 5), i));
        }
        eprintln!(
            "history: {RULES} rules x {SERIES} series x {SAMPLES} samples = {:.1} MiB",
            history.approx_bytes() as f64 / (1024.0 * 1024.0)
        );
        let mut st = handle.state.lock();
        st.history = history;
        st.board.latest = Some(reading(&rules, Utc::now(), SAMPLES));
        st.board.rules = std::sync::Arc::new(rules);
        st.feed.clear();
        for i in 0..FEED_LIMIT {
            // Typed events, rendered into words only for the rows on screen.
            let values = st.board.latest.as_ref().map_or_else(Vec::new, |r| {
                r.values
                    .iter()
                    .take(2)
                    .map(|v| RuleValue {
                        rule: v.rule.clone(),
                        title: Localized::default(),
                        unit: Unit::Ratio,
                        comparison: Comparison::Above,
                        threshold: 0.05,
                        value: Some(v.value),
                        series: Some(v.series.clone()),
                    })
                    .collect()
            });
            let event = FeedEvent::Refired {
                id: i as u64 / 10,
                code: "http_5xx_surge".into(),
                count: i as u32,
                series: vec![format!("node-{:02}", i % SERIES)],
                values,
                ongoing: i % 2 == 0,
            };
            st.feed.push_back(FeedEntry::new(
                start + Duration::seconds(i as i64 * 8),
                event,
            ));
        }
        st.feed_total += FEED_LIMIT as u64;
        st.board.settings.graph_window_mins = 1440;
    }
    let app = ConsoleApp::new(handle);
    let mut h = Harness::builder()
        .with_size([1440.0, 920.0])
        .with_context_setup(fonts::install)
        .build_ui_state(|ui, app: &mut ConsoleApp| app.console_ui(ui), app);
    h.run_steps(5);
    h
}

fn bench_frame(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut h = full_console(dir.path());
    c.bench_function(
        "frame: 10k feed, 8 rules x 20 series x 24 h, nothing new",
        |b| b.iter(|| h.step()),
    );
    let mut i = SAMPLES;
    let rules = rules();
    let start = Utc::now() - Duration::seconds(SAMPLES * 5);
    c.bench_function(
        "frame: 10k feed, 8 rules x 20 series x 24 h, one new sample",
        |b| {
            b.iter(|| {
                i += 1;
                {
                    let mut st = h.state().engine().state.lock();
                    // Samples 5 s apart, as the default poll sends them.
                    let r = reading(&rules, start + Duration::seconds(i * 5), i);
                    st.history.push(&r);
                    st.board.latest = Some(r);
                }
                h.step()
            })
        },
    );
    let mut app = h.into_state();
    app.shutdown();
}

fn bench_decimate(c: &mut Criterion) {
    let rules = rules();
    let mut history = MetricHistory::for_poll_interval(5);
    let start = Utc::now() - Duration::seconds(SAMPLES * 5);
    for i in 0..SAMPLES {
        history.push(&reading(&rules, start + Duration::seconds(i * 5), i));
    }
    let t0 = start.timestamp() as f64;
    let t1 = t0 + (SAMPLES * 5) as f64;
    c.bench_function("decimate 24 h (17,280 samples) to 300 columns", |b| {
        b.iter(|| black_box(history.decimated("cpu_usage", "node-02", t0, t1, 300)))
    });
}

criterion_group!(benches, bench_frame, bench_decimate);
criterion_main!(benches);
