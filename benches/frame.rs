//! Frame cost of the console with a full feed (10,000 entries) and 24 h of samples for three
//! nodes, plus the decimation that keeps sparklines O(pixels).

use std::hint::black_box;

use chrono::{Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use egui_kittest::Harness;
use incident_console::engine::{Command, Engine, EngineConfig};
use incident_console::history::MetricHistory;
use incident_console::model::{FeedEntry, FeedKind, Metric, NodeReading, Reading};
use incident_console::store::{FEED_LIMIT, Store};
use incident_console::ui::{ConsoleApp, fonts};

const NODES: [&str; 3] = ["edge-node-01", "edge-node-02", "edge-node-03"];
/// 24 h at the default 5 s poll interval.
const SAMPLES: i64 = 24 * 60 * 60 / 5;

fn reading(at: chrono::DateTime<Utc>, i: i64) -> Reading {
    Reading {
        at,
        nodes: NODES
            .iter()
            .enumerate()
            .map(|(n, node)| NodeReading {
                node: (*node).to_string(),
                http_error_rate: Some(0.02 + 0.01 * (((i + n as i64) % 7) as f64 / 7.0)),
                cpu_usage: Some(0.5 + 0.2 * (((i * 3 + n as i64) % 11) as f64 / 11.0)),
            })
            .collect(),
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
    handle.send(Command::TriggerScenario {
        code: Some("http_5xx_surge".into()),
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    {
        let mut st = handle.state.lock();
        let start = Utc::now() - Duration::seconds(SAMPLES * 5);
        let mut history = MetricHistory::for_poll_interval(5);
        for i in 0..SAMPLES {
            history.push(&reading(start + Duration::seconds(i * 5), i));
        }
        st.history = history;
        st.latest = Some(reading(Utc::now(), SAMPLES));
        st.feed.clear();
        for i in 0..FEED_LIMIT {
            st.feed.push_back(FeedEntry {
                at: start + Duration::seconds(i as i64 * 8),
                kind: if i % 10 == 0 {
                    FeedKind::Refire
                } else {
                    FeedKind::Info
                },
                message: format!(
                    "edge-node-0{} http=0.{i:04} (threshold 0.0500) 결제 API",
                    i % 3 + 1
                ),
            });
        }
        st.feed_total += FEED_LIMIT as u64;
        st.settings.graph_window_mins = 1440;
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
    c.bench_function("frame: 10k feed, 24 h x 3 nodes, nothing new", |b| {
        b.iter(|| h.step())
    });
    let mut i = SAMPLES;
    c.bench_function("frame: 10k feed, 24 h x 3 nodes, one new sample", |b| {
        b.iter(|| {
            i += 1;
            {
                let mut st = h.state().engine().state.lock();
                let r = reading(Utc::now(), i);
                st.history.push(&r);
                st.latest = Some(r);
            }
            h.step()
        })
    });
    let mut app = h.into_state();
    app.shutdown();
}

fn bench_decimate(c: &mut Criterion) {
    let mut history = MetricHistory::for_poll_interval(5);
    let start = Utc::now() - Duration::seconds(SAMPLES * 5);
    for i in 0..SAMPLES {
        history.push(&reading(start + Duration::seconds(i * 5), i));
    }
    let t0 = start.timestamp() as f64;
    let t1 = t0 + (SAMPLES * 5) as f64;
    c.bench_function("decimate 24 h (17,280 samples) to 300 columns", |b| {
        b.iter(|| black_box(history.decimated(Metric::CpuUsage, "edge-node-02", t0, t1, 300)))
    });
}

criterion_group!(benches, bench_frame, bench_decimate);
criterion_main!(benches);
