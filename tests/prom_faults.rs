//! Faults a real Prometheus will not produce on demand, from an in-process fake on
//! 127.0.0.1:0: refused connections, a server slower than the timeout, garbage JSON, an
//! `errorType` body, NaN values; and the engine riding them out.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use common::{FakeProm, Reply, count, matrix, vector, wait_for, wait_for_live_sample};
use incident_console::engine::live::assemble;
use incident_console::engine::{Command, EngineConfig, SourceStatus};
use incident_console::integrations::prometheus::{PromClient, PromError};
use incident_console::model::{FeedKind, PromAuth, PrometheusSettings, Secret, Settings};
use incident_console::store::Store;

fn settings(url: &str) -> PrometheusSettings {
    PrometheusSettings {
        base_url: url.into(),
        timeout_secs: 1,
        ..Default::default()
    }
}

#[tokio::test]
async fn refused_connection_is_said_in_words() {
    let url = common::closed_port_url();
    let err = PromClient::new(&settings(&url))
        .unwrap()
        .query("up", Utc::now())
        .await
        .unwrap_err();
    assert!(matches!(err, PromError::Connect { .. }), "{err:?}");
    let words = err.to_string();
    assert!(
        words.starts_with(&format!("cannot connect to {url}: ")),
        "{words}"
    );
    assert!(words.to_lowercase().contains("refused"), "{words}");
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_is_a_timeout() {
    let fake = FakeProm::start(
        Reply::Slow(Duration::from_secs(3), vector(&[("a", "1")])),
        Reply::Hang,
    );
    let err = PromClient::new(&settings(&fake.url))
        .unwrap()
        .query("up", Utc::now())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("no answer from {} within 1 s", fake.url)
    );
}

#[tokio::test]
async fn garbage_error_bodies_and_nan_become_clear_states() {
    let fake = FakeProm::start(Reply::Json("this is {not json".into()), Reply::Hang);
    let client = PromClient::new(&settings(&fake.url)).unwrap();
    let err = client.query("up", Utc::now()).await.unwrap_err();
    assert!(matches!(err, PromError::Decode { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("did not answer with Prometheus API JSON"),
        "{err}"
    );
    assert!(err.to_string().contains("this is {not json"), "{err}");

    fake.set_instant(Reply::Status(
        400,
        r#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:6: parse error: unclosed left parenthesis"}"#.into(),
    ));
    let err = client.query("rate(", Utc::now()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "Prometheus rejected the query (bad_data): invalid parameter \"query\": 1:6: parse error: unclosed left parenthesis"
    );

    fake.set_instant(Reply::Status(502, "<html>Bad Gateway</html>".into()));
    let err = client.query("up", Utc::now()).await.unwrap_err();
    assert!(
        err.to_string()
            .ends_with("answered HTTP 502: <html>Bad Gateway</html>"),
        "{err}"
    );

    fake.set_instant(Reply::Json(vector(&[
        ("n1", "NaN"),
        ("n2", "0.5"),
        ("n3", "+Inf"),
    ])));
    let values = client.query("up", Utc::now()).await.unwrap();
    assert!(values[0].value.is_nan());
    let results = vec![
        ("http_error_rate".to_string(), Ok(values.clone())),
        ("cpu_usage".to_string(), Ok(values)),
    ];
    let assembled = assemble(Utc::now(), &results);
    let reading = assembled.reading.unwrap();
    assert_eq!(
        reading.of("cpu_usage").count(),
        1,
        "only the finite series is a value"
    );
    assert_eq!(reading.max("cpu_usage"), Some(("n2", 0.5)));
    assert_eq!(
        assembled.problems[0],
        "http_error_rate: n1 is NaN, n3 is +Inf (no value, left out)"
    );

    fake.set_instant(Reply::Json(
        r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#.into(),
    ));
    let empty = client.query("up", Utc::now()).await.unwrap();
    let results = vec![
        ("http_error_rate".to_string(), Ok(empty.clone())),
        ("cpu_usage".to_string(), Ok(empty)),
    ];
    let assembled = assemble(Utc::now(), &results);
    let reading = assembled.reading.expect("an empty answer is an answer");
    assert!(
        reading.values.is_empty(),
        "no series is no value, never a zero"
    );
    assert!(reading.covers("http_error_rate"), "its series are missing");
    assert_eq!(
        assembled.problems[0],
        "http_error_rate: the query returned no series"
    );
}

#[tokio::test]
async fn auth_and_extra_headers_are_sent_and_secrets_stay_out_of_errors() {
    let fake = FakeProm::start(Reply::Status(401, "unauthorized".into()), Reply::Hang);
    let client = PromClient::new(&PrometheusSettings {
        auth: PromAuth::Bearer {
            token: Secret::new("s3cret-token"),
        },
        extra_headers: vec![("X-Scope-OrgID".into(), "tenant-7".into())],
        ..settings(&fake.url)
    })
    .unwrap();
    let err = client.query("up", Utc::now()).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("HTTP 401 (check the authentication settings)"),
        "{err}"
    );
    assert!(
        !format!("{err} {err:?} {client:?}").contains("s3cret"),
        "{err:?}"
    );
    let head = fake.heads.lock()[0].to_lowercase();
    assert!(
        head.contains("authorization: bearer s3cret-token"),
        "{head}"
    );
    assert!(head.contains("x-scope-orgid: tenant-7"), "{head}");

    // Basic auth, and credentials written into the URL never reach the words.
    let with_userinfo = fake.url.replace("http://", "http://alice:pw-in-url@");
    let client = PromClient::new(&PrometheusSettings {
        auth: PromAuth::Basic {
            user: "alice".into(),
            password: Secret::new("open sesame"),
        },
        ..settings(&with_userinfo)
    })
    .unwrap();
    let err = client.query("up", Utc::now()).await.unwrap_err();
    assert!(!err.to_string().contains("pw-in-url"), "{err}");
    let head = fake.heads.lock()[1].to_lowercase();
    // base64("alice:open sesame")
    assert!(
        head.contains("authorization: basic ywxpy2u6b3blbibzzxnhbwu="),
        "{head}"
    );
}

fn live_engine(
    dir: &std::path::Path,
    url: &str,
    timeout_secs: u64,
) -> incident_console::engine::EngineHandle {
    let store = Store::new(dir);
    let mut s = Settings {
        demo_mode: false,
        poll_interval_secs: 1,
        ..Settings::default()
    };
    s.prometheus.base_url = url.into();
    s.prometheus.timeout_secs = timeout_secs;
    store.save_settings(&s).unwrap();
    common::spawn_engine(EngineConfig::new(store))
}

#[test]
fn engine_says_a_failure_once_keeps_stale_values_and_resumes_by_itself() {
    let fake = FakeProm::start(
        Reply::Json(vector(&[("edge-1", "0.02"), ("edge-2", "0.03")])),
        Reply::Json(matrix(&["edge-1", "edge-2"], "0.01", 30)),
    );
    let dir = tempfile::tempdir().unwrap();
    let handle = live_engine(dir.path(), &fake.url, 2);
    let state = Arc::clone(&handle.state);
    wait_for_live_sample(&state);
    {
        let st = state.lock();
        assert_eq!(st.history.series_of("cpu_usage"), ["edge-1", "edge-2"]);
        assert!(count(&st, FeedKind::Info, "Graphs back-filled from Prometheus") == 1);
    }

    // The server starts answering garbage: several failed polls, one feed line.
    fake.set_instant(Reply::Json("garbage".into()));
    let hits = fake.hits();
    wait_for(&state, "failing", |st| {
        matches!(st.board.source, SourceStatus::Failing { .. })
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while fake.hits() < hits + 8 {
        assert!(Instant::now() < deadline, "the engine stopped retrying");
        std::thread::sleep(Duration::from_millis(50));
    }
    {
        let st = state.lock();
        assert_eq!(
            count(&st, FeedKind::Error, "failing:"),
            1,
            "once per state change"
        );
        assert!(count(&st, FeedKind::Error, "marked stale") == 1);
        let SourceStatus::Failing {
            reason, last_good, ..
        } = &st.board.source
        else {
            panic!("{:?}", st.board.source)
        };
        assert!(
            reason.contains("did not answer with Prometheus API JSON"),
            "{reason}"
        );
        assert!(last_good.is_some());
        assert!(st.board.latest.is_some(), "the last good values stay");
    }
    // The engine still obeys commands while failing, and a trigger says its values are stale.
    assert!(handle.send(Command::TriggerScenario {
        code: Some("cpu_spike_core".into())
    }));
    wait_for(&state, "a trigger marked stale", |st| {
        count(st, FeedKind::Trigger, "; the source is failing)") == 1
    });
    assert!(handle.send(Command::VerifyRecovery));
    wait_for(&state, "verify to say why it cannot", |st| {
        count(
            st,
            FeedKind::Verification,
            "Verification not possible: Prometheus",
        ) == 1
    });

    // Back to health: polling resumes without anyone asking.
    fake.set_instant(Reply::Json(vector(&[
        ("edge-1", "0.02"),
        ("edge-2", "0.04"),
    ])));
    wait_for(&state, "recovery", |st| {
        count(st, FeedKind::Status, "answers again after") == 1
            && matches!(st.board.source, SourceStatus::Live { .. })
    });
    let st = state.lock();
    assert_eq!(count(&st, FeedKind::Error, "failing:"), 1);
    let latest = st.board.latest.as_ref().unwrap();
    assert_eq!(latest.max("http_error_rate"), Some(("edge-2", 0.04)));
}

#[test]
fn commands_never_wait_on_a_hung_server() {
    let fake = FakeProm::start(Reply::Hang, Reply::Hang);
    let dir = tempfile::tempdir().unwrap();
    // The server never answers and the timeout is long: every poll is in flight for 60 s.
    let handle = live_engine(dir.path(), &fake.url, 60);
    let state = Arc::clone(&handle.state);
    let deadline = Instant::now() + Duration::from_secs(10);
    while fake.hits() < 2 {
        assert!(Instant::now() < deadline, "no request reached the server");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(handle.send(Command::TriggerScenario {
        code: Some("cpu_spike_core".into())
    }));
    wait_for(&state, "the manual trigger", |st| {
        count(
            st,
            FeedKind::Trigger,
            "manual trigger of cpu_spike_core opened incident #1",
        ) == 1
    });
    assert!(matches!(
        state.lock().board.source,
        SourceStatus::Live {
            last_good: None,
            ..
        }
    ));
}

#[test]
fn all_nan_answers_are_a_failing_state_not_a_zero() {
    let fake = FakeProm::start(
        Reply::Json(vector(&[("edge-1", "0.5")])),
        Reply::Json(matrix(&["edge-1"], "0.5", 3)),
    );
    let dir = tempfile::tempdir().unwrap();
    let handle = live_engine(dir.path(), &fake.url, 2);
    let state = Arc::clone(&handle.state);
    wait_for_live_sample(&state);
    // Now every answer is NaN for both: a clear state, not a zero.
    fake.set_instant(Reply::Json(vector(&[("edge-1", "NaN")])));
    wait_for(&state, "NaN to be said", |st| {
        count(st, FeedKind::Error, "edge-1 is NaN (no value, left out)") == 1
    });
    let st = state.lock();
    assert!(
        matches!(st.board.source, SourceStatus::Failing { .. }),
        "{:?}",
        st.board.source
    );
    assert_eq!(
        st.board.latest.as_ref().unwrap().max("cpu_usage"),
        Some(("edge-1", 0.5))
    );
}

/// Resident memory of this test process, in MiB.
fn rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kb / 1024
}

#[test]
fn a_400_mb_answer_is_cut_off_at_the_cap_and_said_in_words() {
    let fake = FakeProm::start(
        Reply::Endless(400 * 1024 * 1024),
        Reply::Endless(400 * 1024 * 1024),
    );
    let before = rss_mib();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = PromClient::new(&PrometheusSettings {
        timeout_secs: 60,
        max_body_mib: 16,
        ..settings(&fake.url)
    })
    .unwrap();
    let err = runtime
        .block_on(client.query("up", Utc::now()))
        .unwrap_err();
    assert!(
        matches!(err, PromError::TooLarge { limit_mib: 16, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{} sent more than 16 MiB; the answer was cut off there and not used (a wrong URL or a query that selects too much?)",
            fake.url
        )
    );
    // Nowhere near the 400 MB that was on offer: the body was never held whole.
    let grown = rss_mib().saturating_sub(before);
    assert!(grown < 100, "memory grew by {grown} MiB");

    // The engine says it as the source's failure, and keeps running.
    let dir = tempfile::tempdir().unwrap();
    let handle = live_engine(dir.path(), &fake.url, 60);
    let state = Arc::clone(&handle.state);
    wait_for(&state, "the cap in the feed", |st| {
        count(st, FeedKind::Error, "sent more than 16 MiB") == 1
    });
    assert!(matches!(
        state.lock().board.source,
        SourceStatus::Failing { .. }
    ));
    let grown = rss_mib().saturating_sub(before);
    assert!(grown < 150, "memory grew by {grown} MiB");
    assert!(handle.is_running());
}
