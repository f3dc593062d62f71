//! Against a real Prometheus (Debian's `prometheus`, started here on a free port with a 1 s
//! scrape) scraping a real `sample-metrics`. Under CI=true these fail when Prometheus cannot
//! start; elsewhere they are skipped with a note.

mod common;

use common::{feed_has, wait_for};

use std::sync::Arc;

use chrono::Utc;
use incident_console::engine::source::DemoSource;
use incident_console::engine::{Command, EngineConfig, SourceStatus};
use incident_console::integrations::prometheus::PromClient;
use incident_console::model::{
    FeedKind, Metric, Overrides, PrometheusSettings, TriggerOrigin, Unit, overrides,
};
use incident_console::store::Store;

const NODES: [&str; 3] = ["edge-node-01", "edge-node-02", "edge-node-03"];

fn client(url: &str, label: &str) -> PromClient {
    PromClient::new(&PrometheusSettings {
        base_url: url.into(),
        series_label: label.into(),
        ..Default::default()
    })
    .unwrap()
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The exporter's values: sample 0 of the demo sequence for its seed.
fn expected(seed: u64, metric: Metric) -> Vec<(String, f64)> {
    NODES
        .iter()
        .enumerate()
        .map(|(n, name)| (name.to_string(), DemoSource::value(seed, 0, n, metric)))
        .collect()
}

#[test]
fn client_reads_per_node_values_that_match_the_api_and_keeps_series_apart() {
    let Some(stack) = common::live_stack() else {
        return;
    };
    let rt = rt();
    let at = Utc::now();
    for (metric, query) in [
        (Metric::HttpErrorRate, "http_error_rate"),
        (Metric::CpuUsage, "cpu_usage"),
    ] {
        let mut got: Vec<(String, f64)> = rt
            .block_on(client(&stack.url, "instance").query(query, at))
            .unwrap()
            .into_iter()
            .map(|s| (s.key, s.value))
            .collect();
        got.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(got, expected(stack.seed, metric), "{query}");

        // The same instant straight from /api/v1/query.
        let path = format!(
            "/api/v1/query?query={query}&time={:.3}",
            at.timestamp_millis() as f64 / 1000.0
        );
        let raw: serde_json::Value =
            serde_json::from_str(&common::http_get(stack.port, &path)).unwrap();
        let mut api: Vec<(String, f64)> = raw["data"]["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["metric"]["instance"].as_str().unwrap().to_string(),
                    r["value"][1].as_str().unwrap().parse().unwrap(),
                )
            })
            .collect();
        api.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(got, api, "{query} against the raw API");
    }

    // Hotspot labels: a label every series has, one they share, and one none has.
    let keys = |label: &str, query: &str| {
        let mut k: Vec<String> = rt
            .block_on(client(&stack.url, label).query(query, at))
            .unwrap()
            .into_iter()
            .map(|s| s.key)
            .collect();
        k.sort();
        k
    };
    assert_eq!(keys("node", "cpu_usage"), NODES);
    let shared = keys("job", "cpu_usage");
    for (key, node) in shared.iter().zip(NODES) {
        assert!(key.starts_with("cpu_usage{"), "{key}");
        assert!(key.contains(&format!("node=\"{node}\"")), "{key}");
        assert!(key.contains("job=\"sample-metrics\""), "{key}");
    }
    assert_eq!(
        keys("instance", "max by (node) (cpu_usage)"),
        NODES.map(|n| format!("{{node=\"{n}\"}}"))
    );
    assert_eq!(keys("instance", "max(cpu_usage)"), ["{}"]);
    assert_eq!(keys("instance", "scalar(max(cpu_usage))"), ["scalar"]);

    // A range query for the graphs.
    let series = rt
        .block_on(client(&stack.url, "instance").query_range(
            "cpu_usage",
            at - chrono::Duration::seconds(20),
            at,
            1,
        ))
        .unwrap();
    assert_eq!(series.len(), 3);
    let want = expected(stack.seed, Metric::CpuUsage);
    for s in &series {
        let value = want.iter().find(|(n, _)| *n == s.key).unwrap().1;
        assert!(!s.points.is_empty());
        assert!(s.points.iter().all(|&(_, v)| v == value), "{s:?}");
    }

    // A query Prometheus rejects comes back as its own words.
    let err = rt
        .block_on(client(&stack.url, "instance").query("rate(cpu_usage", at))
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Prometheus rejected the query (bad_data)"),
        "{err}"
    );
}

#[test]
fn monitor_opens_an_incident_from_live_data_and_verify_reads_live_values() {
    let Some(stack) = common::live_stack() else {
        return;
    };
    let http = expected(stack.seed, Metric::HttpErrorRate);
    let cpu = expected(stack.seed, Metric::CpuUsage);
    let mut sorted: Vec<&(String, f64)> = http.iter().collect();
    sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
    // A threshold only the worst node exceeds: it must be the hotspot.
    let threshold = (sorted[1].1 + sorted[2].1) / 2.0;
    let hot = sorted[2].0.clone();

    let dir = tempfile::tempdir().unwrap();
    let handle = common::spawn_engine(EngineConfig {
        poll_override_secs: Some(1),
        // The environment's way in: what INCIDENT_PROMETHEUS_URL and _HTTP_THRESHOLD set.
        overrides: {
            let threshold = threshold.to_string();
            let (o, problems) = Overrides::of(&[
                (overrides::PROMETHEUS_URL, &stack.url),
                (overrides::PROMETHEUS_HTTP_THRESHOLD, &threshold),
            ]);
            assert!(problems.is_empty(), "{problems:?}");
            o
        },
        ..EngineConfig::new(Store::new(dir.path()))
    });

    let state = Arc::clone(&handle.state);

    wait_for(&state, "an incident opened by the monitor", |st| {
        st.board.incidents.iter().any(|i| {
            i.trigger.origin == TriggerOrigin::Monitor && i.scenario.code == "http_5xx_surge"
        })
    });
    {
        let st = state.lock();
        let inc = &st.board.incidents[0];
        assert_eq!(inc.trigger.series.as_deref(), Some(hot.as_str()));
        assert_eq!(
            inc.trigger.value_of("http_error_rate").unwrap().value,
            Some(sorted[2].1)
        );
        assert!(
            inc.hotspots.iter().all(|h| h.series == hot),
            "{:?}",
            inc.hotspots
        );
        assert!(
            matches!(
                &st.board.source,
                SourceStatus::Live { url, last_good: Some(_), problems } if *url == stack.url && problems.is_empty()
            ),
            "{:?}",
            st.board.source
        );
        assert!(feed_has(&st, FeedKind::Status, "Connected to Prometheus"));
        assert!(feed_has(
            &st,
            FeedKind::Info,
            "Graphs back-filled from Prometheus"
        ));
        assert_eq!(st.history.series_of("cpu_usage"), NODES);
        assert_eq!(st.history.series_of("http_error_rate"), NODES);
        // Nothing from the environment was written to disk.
        assert!(
            !std::fs::read_to_string(dir.path().join("settings.ron"))
                .is_ok_and(|s| s.contains(&stack.url))
        );
    }

    assert!(handle.send(Command::VerifyRecovery));
    let max = |v: &[(String, f64)]| v.iter().map(|x| x.1).fold(f64::MIN, f64::max);
    let pct = |v: f64| Unit::Ratio.format(v);
    let want = format!(
        "Verification http_error_rate={} (threshold {}), cpu_usage={} (threshold 80.00 %): pending",
        pct(max(&http)),
        pct(threshold),
        pct(max(&cpu))
    );
    wait_for(&state, &want, |st| {
        feed_has(st, FeedKind::Verification, &want)
    });
}

/// Live evidence against the real Prometheus and `sample-metrics`: a runbook's checks are run
/// when its incident opens: one observed (the exporter's `up`), one not observed (its error
/// rate is far below 50 %, with the value), and a query Prometheus refuses, could not check.
#[test]
fn live_evidence_is_observed_not_observed_or_could_not_check_with_values() {
    use incident_console::model::CheckState;
    let Some(stack) = common::live_stack() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let scenarios = dir.path().join("scenarios");
    std::fs::create_dir_all(&scenarios).unwrap();
    std::fs::write(
        scenarios.join("checks.ron"),
        r#"Scenario(
    code: "checks",
    title: (en: "Live checks", ko: "실시간 확인"),
    source: "test",
    description: (en: "", ko: ""),
    hypotheses: [(statement: (en: "h", ko: "h"), confidence: 0.5, evidence: [0, 1, 2])],
    evidence: [
        (text: (en: "The exporter is up", ko: "익스포터가 살아 있습니다"),
         check: Some((query: "up", expect: AnySeries))),
        (text: (en: "Errors above 50 %", ko: "오류율 50 % 초과"),
         check: Some((query: "http_error_rate", expect: Above(0.5)))),
        (text: (en: "A bad query", ko: "잘못된 쿼리"),
         check: Some((query: "rate(", expect: AnySeries, timeout_secs: 5))),
    ],
    actions: [],
)"#,
    )
    .unwrap();
    let handle = common::spawn_engine(EngineConfig {
        poll_override_secs: Some(3600),
        overrides: Overrides::of(&[(overrides::PROMETHEUS_URL, &stack.url)]).0,
        ..EngineConfig::new(Store::new(dir.path()))
    });
    let state = Arc::clone(&handle.state);
    wait_for(&state, "a live sample", |st| st.board.latest.is_some());
    handle.send(incident_console::engine::Command::TriggerScenario {
        code: Some("checks".into()),
    });
    wait_for(&state, "the three checks", |st| {
        st.board
            .incidents
            .first()
            .is_some_and(|i| i.checks.len() == 3 && i.checks.iter().all(Option::is_some))
    });
    let st = state.lock();
    let checks: Vec<_> = st.board.incidents[0]
        .checks
        .iter()
        .map(|c| c.clone().unwrap())
        .collect();
    assert_eq!(checks[0].state, CheckState::Observed);
    assert_eq!(checks[0].value, Some(1.0));
    assert_eq!(checks[1].state, CheckState::NotObserved);
    let highest = expected(stack.seed, Metric::HttpErrorRate)
        .into_iter()
        .map(|(_, v)| v)
        .fold(f64::MIN, f64::max);
    assert!(
        (checks[1].value.unwrap() - highest).abs() < 1e-9,
        "{:?}",
        checks[1]
    );
    assert!(checks[1].series.is_some());
    assert_eq!(checks[2].state, CheckState::CouldNotCheck);
    assert!(!checks[2].detail.is_empty());
}
