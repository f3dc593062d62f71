//! The post-incident review of a large incident: 1,000 timeline events and 24 h of samples of
//! three series (kept as the console keeps them: decimated to 4,000 points each). Measures
//! building the review, rendering it to HTML (with its SVG graph), keeping 24 h of samples,
//! and the window's frame with that incident's timeline open against one with 10 events.

use std::hint::black_box;
use std::sync::Arc;

use chrono::{Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use egui_kittest::Harness;
use incident_console::engine::{Command, Engine, EngineConfig};
use incident_console::history::MetricHistory;
use incident_console::model::{
    Author, FeedEvent, HypothesisMark, Incident, IncidentEventKind, KEPT_POINTS_PER_SERIES,
    KeptSamples, KeptSeries, Lang, Reading, SeriesValue,
};
use incident_console::review::{self, ReviewInput};
use incident_console::store::Store;
use incident_console::ui::{ConsoleApp, fonts};

const EVENTS: usize = 1_000;
/// 24 h at the default 5 s poll interval.
const SAMPLES: i64 = 24 * 60 * 60 / 5;

/// The demo's first incident with `events` more events of the kinds a long incident has.
fn with_events(mut inc: Incident, events: usize) -> Incident {
    let start = inc.opened_at;
    for i in 0..events {
        let at = start + Duration::seconds(i as i64 * 60);
        let kim = Author::Responder("kim".into());
        let (kind, event) = match i % 4 {
            0 => (
                IncidentEventKind::Note,
                FeedEvent::NoteAdded {
                    id: inc.id,
                    text: format!("노트 {i}: checked node-{:02} again", i % 20),
                },
            ),
            1 => (
                IncidentEventKind::Marked,
                FeedEvent::HypothesisMarked {
                    id: inc.id,
                    hypothesis: i % 3,
                    from: HypothesisMark::Open,
                    to: HypothesisMark::Confirmed,
                },
            ),
            2 => (
                IncidentEventKind::Refired,
                FeedEvent::Refired {
                    id: inc.id,
                    code: inc.scenario.code.clone(),
                    count: i as u32,
                    series: vec![format!("node-{:02}", i % 20)],
                    values: inc.trigger.values.clone(),
                    ongoing: true,
                },
            ),
            _ => (
                IncidentEventKind::SeriesCleared,
                FeedEvent::SeriesClear {
                    rule: "http_error_rate".into(),
                    series: format!("node-{:02}", i % 20),
                },
            ),
        };
        inc.log(at, kim, kind, event);
    }
    inc.number_new_events(7, &mut 1);
    // Every tenth starred, so the review's starred table is long too.
    let ids: Vec<_> = inc.timeline.iter().step_by(10).map(|e| e.id).collect();
    for id in ids {
        let star = FeedEvent::Starred {
            id: inc.id,
            event: id,
            starred: true,
        };
        inc.log(start, Author::Console, IncidentEventKind::Starred, star);
    }
    inc.number_new_events(7, &mut 100_000);
    inc
}

/// 24 h of three series in a history, ending at `end`.
fn day_of_samples(end: chrono::DateTime<Utc>) -> MetricHistory {
    let mut history = MetricHistory::for_poll_interval(5);
    let start = end - Duration::seconds(SAMPLES * 5);
    for i in 0..SAMPLES {
        let values = (0..3)
            .map(|n| SeriesValue {
                rule: "http_error_rate".into(),
                series: format!("edge-node-{n:02}"),
                value: 0.02
                    + 0.01 * ((i + n) % 7) as f64
                    + if i > SAMPLES - 400 { 0.08 } else { 0.0 },
            })
            .collect();
        history.push(&Reading {
            at: start + Duration::seconds(i * 5),
            values,
            covered: vec!["http_error_rate".into()],
        });
    }
    history
}

/// The history's last 24 h kept as the console keeps them.
fn kept(history: &MetricHistory, end: chrono::DateTime<Utc>) -> KeptSamples {
    let start = end - Duration::seconds(SAMPLES * 5);
    let (t0, t1) = (start.timestamp() as f64, end.timestamp() as f64);
    let series = (0..3)
        .map(|n| {
            let name = format!("edge-node-{n:02}");
            let points = history
                .decimated("http_error_rate", &name, t0, t1, KEPT_POINTS_PER_SERIES / 2)
                .into_iter()
                .map(|[t, v]| ((t * 1000.0) as i64, v))
                .collect();
            KeptSeries {
                rule: "http_error_rate".into(),
                series: name,
                points,
            }
        })
        .collect();
    KeptSamples {
        incident: 1,
        from: Some(start),
        to: Some(end),
        series,
    }
}

fn console_with(dir: &std::path::Path) -> (Harness<'static, ConsoleApp>, Incident) {
    let handle = Engine::spawn(EngineConfig {
        force_demo: true,
        poll_override_secs: Some(3600),
        ..EngineConfig::new(Store::new(dir))
    })
    .expect("engine");
    assert!(handle.wait_restored(std::time::Duration::from_secs(10)));
    handle.send(Command::TriggerScenario {
        code: Some("http_5xx_surge".into()),
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    let inc = handle.state.lock().board.incidents[0].clone();
    let app = ConsoleApp::new(handle);
    let mut h = Harness::builder()
        .with_size([1440.0, 920.0])
        .with_context_setup(fonts::install)
        .build_ui_state(|ui, app: &mut ConsoleApp| app.console_ui(ui), app);
    h.run_steps(5);
    (h, inc)
}

fn bench_review(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, base) = console_with(dir.path());
    let big = with_events(base.clone(), EVENTS);
    let end = big.opened_at + Duration::hours(1);
    let history = day_of_samples(end);
    let kept = kept(&history, end);
    let input = ReviewInput {
        incident: &big,
        samples: Some(&kept),
        audit: Vec::new(),
        jobs: Vec::new(),
        written_at: Utc::now(),
    };
    eprintln!(
        "review input: {} events, {} kept points",
        big.timeline.len(),
        kept.series.iter().map(|s| s.points.len()).sum::<usize>()
    );
    c.bench_function("review: build (1,000 events, 24 h of 3 series)", |b| {
        b.iter(|| black_box(review::build(&input, Lang::Ko)))
    });
    let made = review::build(&input, Lang::Ko);
    eprintln!("review HTML: {} KiB", review::html(&made).len() / 1024);
    c.bench_function("review: render HTML", |b| {
        b.iter(|| black_box(review::html(&made)))
    });
    c.bench_function(
        "review: keep 24 h of 3 series (decimate to 4,000 points)",
        |b| b.iter(|| black_box(self::kept(&history, end).series.len())),
    );

    // The frame with the timeline open: the 1,000-event incident, then one with 10.
    for (name, inc) in [
        ("frame: timeline open, 1,000 events", big.clone()),
        (
            "frame: timeline open, 10 events",
            with_events(base.clone(), 10),
        ),
    ] {
        h.state().engine().state.lock().board.incidents = Arc::new(vec![inc]);
        h.run_steps(3);
        c.bench_function(name, |b| b.iter(|| h.step()));
    }
    let mut app = h.into_state();
    app.shutdown();
}

criterion_group!(benches, bench_review);
criterion_main!(benches);
