//! The webhook receiver over real sockets: answers, refusals in words, a slow client that
//! holds up nobody, and a burst with nothing lost.

mod common;

use std::sync::Arc;
use std::time::Duration;

use incident_console::integrations::alertmanager::receiver::{
    MAX_BODY_BYTES, ReceiverEvent as IntakeEvent, bind, serve,
};
use incident_console::model::{IntakeRefusal, Secret};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

fn payload(fingerprint: &str) -> String {
    named(fingerprint, "HighErrorRate")
}

/// A firing webhook of one alert named `name` in the `HighErrorRate` group.
fn named(fingerprint: &str, name: &str) -> String {
    format!(
        r#"{{"version": "4", "groupKey": "{{}}:{{alertname=\"HighErrorRate\"}}", "status": "firing",
            "receiver": "console", "truncatedAlerts": 0,
            "alerts": [{{"status": "firing", "labels": {{"alertname": "{name}"}},
                         "annotations": {{}}, "startsAt": "2026-11-27T06:00:00Z",
                         "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "",
                         "fingerprint": "{fingerprint}"}}]}}"#
    )
}

async fn start(token: Option<&str>) -> (String, mpsc::UnboundedReceiver<IntakeEvent>) {
    let secret = token.map(Secret::new);
    let listener = bind("127.0.0.1:0", false, secret.as_ref()).await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    let sink = Arc::new(move |e| tx.send(e).is_ok());
    tokio::spawn(serve(listener, secret, Arc::new(chrono::Utc::now), sink));
    (url, rx)
}

#[tokio::test]
async fn answers_and_refusals_are_right_and_said_in_words() {
    let (url, mut rx) = start(Some("s3cret")).await;
    let http = reqwest::Client::new();
    let post = |body: String, auth: Option<&'static str>| {
        let mut r = http
            .post(&url)
            .header("Content-Type", "application/json")
            .body(body);
        if let Some(a) = auth {
            r = r.header("Authorization", a);
        }
        r.send()
    };

    let ok = post(payload("f1"), Some("Bearer s3cret")).await.unwrap();
    assert_eq!(ok.status(), 200);
    match rx.recv().await.unwrap() {
        IntakeEvent::Webhook { group, .. } => assert_eq!(group.alerts[0].fingerprint, "f1"),
        other => panic!("{other:?}"),
    }
    // Basic auth with the token as the password ("am:s3cret").
    let basic = post(payload("f2"), Some("Basic YW06czNjcmV0"))
        .await
        .unwrap();
    assert_eq!(basic.status(), 200);
    assert!(matches!(
        rx.recv().await.unwrap(),
        IntakeEvent::Webhook { .. }
    ));

    for (body, auth, status, words) in [
        (payload("f3"), Some("Bearer wrong"), 401, "wrong token"),
        (payload("f3"), None, 401, "wrong token"),
        (
            "{not json".to_string(),
            Some("Bearer s3cret"),
            400,
            "not an Alertmanager payload",
        ),
        (
            "x".repeat(2 * MAX_BODY_BYTES),
            Some("Bearer s3cret"),
            413,
            "1 MiB",
        ),
    ] {
        let r = post(body, auth).await.unwrap();
        assert_eq!(r.status(), status);
        let text = r.text().await.unwrap();
        assert!(text.contains(words), "{status}: {text}");
        match rx.recv().await.unwrap() {
            IntakeEvent::Refused { status: s, .. } => assert_eq!(s, status),
            other => panic!("{other:?}"),
        }
    }
    let get = http.get(&url).send().await.unwrap();
    assert_eq!(get.status(), 405);
}

#[tokio::test]
async fn a_web_page_cannot_post_an_alert_even_without_a_token() {
    // The default: loopback, no token. A page's `fetch(url, {mode: "no-cors", body})` sends
    // text/plain with an Origin; neither gets through, and nothing is queued.
    let (url, mut rx) = start(None).await;
    let http = reqwest::Client::new();
    let tries = [
        (
            Some("text/plain;charset=UTF-8"),
            Some("https://evil.example"),
            403,
        ),
        (Some("application/json"), Some("null"), 403),
        (Some("text/plain;charset=UTF-8"), None, 415),
        (None, None, 415),
    ];
    for (content_type, origin, status) in tries {
        let mut r = http.post(&url).body(payload("web"));
        if let Some(c) = content_type {
            r = r.header("Content-Type", c);
        }
        if let Some(o) = origin {
            r = r.header("Origin", o);
        }
        let answer = r.send().await.unwrap();
        assert_eq!(answer.status(), status, "{content_type:?} {origin:?}");
        match rx.recv().await.unwrap() {
            IntakeEvent::Refused { status: s, refusal } => {
                assert_eq!(s, status);
                let want = if status == 403 {
                    IntakeRefusal::FromWebPage
                } else {
                    IntakeRefusal::NotJson
                };
                assert_eq!(refusal, want);
            }
            other => panic!("{other:?}"),
        }
    }
    // What Alertmanager sends still gets in.
    let ok = http
        .post(&url)
        .header("Content-Type", "application/json")
        .body(payload("am"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert!(matches!(
        rx.recv().await.unwrap(),
        IntakeEvent::Webhook { .. }
    ));
}

#[tokio::test]
async fn a_half_sent_request_holds_up_nobody_and_a_burst_loses_nothing() {
    let (url, mut rx) = start(None).await;
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    // A client that promises 10,000 bytes and sends 10.
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n0123456789")
        .await
        .unwrap();

    let http = reqwest::Client::new();
    let mut sends = tokio::task::JoinSet::new();
    for i in 0..1000 {
        let (http, url) = (http.clone(), url.clone());
        sends.spawn(async move {
            http.post(&url)
                .header("Content-Type", "application/json")
                .body(payload(&format!("b{i}")))
                .send()
                .await
        });
    }
    let mut ok = 0;
    while let Some(r) = sends.join_next().await {
        if r.unwrap().unwrap().status() == 200 {
            ok += 1;
        }
    }
    assert_eq!(ok, 1000);
    let mut seen = std::collections::BTreeSet::new();
    while seen.len() < 1000 {
        match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
            Ok(Some(IntakeEvent::Webhook { group, .. })) => {
                seen.insert(group.alerts[0].fingerprint.clone());
            }
            other => panic!("after {} webhooks: {other:?}", seen.len()),
        }
    }
    drop(slow);
}

#[tokio::test]
async fn a_remote_address_needs_the_setting_and_a_token() {
    let err = bind("0.0.0.0:0", false, None)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("reachable from other machines"), "{err}");
    let err = bind("0.0.0.0:0", true, None).await.unwrap_err().to_string();
    assert!(err.contains("reachable from other machines"), "{err}");
    assert!(
        bind("0.0.0.0:0", true, Some(&Secret::new("t")))
            .await
            .is_ok()
    );
    let err = bind("localhost", false, None)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("not an address"), "{err}");
}

/// The engine runs the receiver from its settings: a firing webhook is an alert and a line in
/// the feed, a repeat is nothing, a resolved one says how long it fired. An alert that matches
/// a runbook opens its incident, one per group; the group's next alert attaches; the incident
/// recovers when the last of them resolves. An alert no runbook matches opens nothing.
#[tokio::test(flavor = "multi_thread")]
async fn the_engine_takes_webhooks_into_alerts_and_the_feed() {
    use incident_console::engine::EngineConfig;
    use incident_console::model::{AlertStatus, FeedEntry, FeedEvent, Settings};
    use incident_console::store::Store;

    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let mut settings = Settings::default();
    settings.intake.enabled = true;
    settings.intake.addr = "127.0.0.1:0".into();
    settings.intake.token = Secret::new("t0ken");
    store.save_settings(&settings).unwrap();
    let (tap, mut feed) = mpsc::unbounded_channel::<FeedEntry>();
    let handle = common::spawn_engine(EngineConfig {
        feed_tap: Some(tap),
        ..common::quiet(store)
    });
    async fn next(
        feed: &mut mpsc::UnboundedReceiver<FeedEntry>,
        want: impl Fn(&FeedEvent) -> bool,
    ) -> FeedEvent {
        loop {
            let entry = tokio::time::timeout(Duration::from_secs(10), feed.recv())
                .await
                .expect("the feed said it in time")
                .unwrap();
            if want(&entry.event) {
                return entry.event;
            }
        }
    }
    let FeedEvent::IntakeListening { addr } = next(&mut feed, |e| {
        matches!(e, FeedEvent::IntakeListening { .. })
    })
    .await
    else {
        unreachable!()
    };
    let http = reqwest::Client::new();
    let send = |url: &str, body: String| {
        let r = http
            .post(url)
            .bearer_auth("t0ken")
            .header("Content-Type", "application/json")
            .body(body);
        async move { r.send().await.unwrap().status() }
    };
    let url = format!("http://{addr}/");
    let post = |body: String| send(&url, body);
    assert_eq!(post(payload("e1")).await, 200);
    let fired = next(&mut feed, |e| matches!(e, FeedEvent::AlertFired { .. })).await;
    assert!(
        matches!(fired, FeedEvent::AlertFired { ref name, ref fingerprint, .. }
            if name == "HighErrorRate" && fingerprint == "e1"),
        "{fired:?}"
    );
    let opened = next(&mut feed, |e| matches!(e, FeedEvent::AlertIncident { .. })).await;
    let FeedEvent::AlertIncident {
        id, code, matcher, ..
    } = opened
    else {
        unreachable!()
    };
    assert_eq!(code, "http_5xx_surge");
    assert!(matcher.is_some_and(|m| m.contains("error_?rate")));
    assert_eq!(post(payload("e1")).await, 200, "a repeat is answered");
    assert_eq!(post(named("e2", "Http5xxHigh")).await, 200);
    let attached = next(&mut feed, |e| matches!(e, FeedEvent::AlertAttached { .. })).await;
    assert_eq!(
        attached,
        FeedEvent::AlertAttached {
            id,
            name: "Http5xxHigh".into(),
            fingerprint: "e2".into(),
            count: 2
        }
    );
    let resolve = |fp: &str, name: &str| {
        named(fp, name)
            .replace(
                r#""status": "firing", "labels""#,
                r#""status": "resolved", "labels""#,
            )
            .replace("0001-01-01T00:00:00Z", "2026-11-27T06:10:00Z")
    };
    assert_eq!(post(resolve("e1", "HighErrorRate")).await, 200);
    // The next alert line is the resolution: the repeat said nothing.
    let next_alert = next(&mut feed, |e| {
        matches!(
            e,
            FeedEvent::AlertFired { .. } | FeedEvent::AlertResolved { .. }
        )
    })
    .await;
    assert_eq!(
        next_alert,
        FeedEvent::AlertResolved {
            name: "HighErrorRate".into(),
            fingerprint: "e1".into(),
            after_secs: 600
        }
    );
    let snap = handle.snapshot();
    let inc = snap.incidents.iter().find(|i| i.id == id).unwrap();
    assert!(inc.status.is_active(), "one of its alerts still fires");
    assert_eq!(post(resolve("e2", "Http5xxHigh")).await, 200);
    let all = next(&mut feed, |e| {
        matches!(e, FeedEvent::AlertsAllResolved { .. })
    })
    .await;
    assert!(matches!(all, FeedEvent::AlertsAllResolved { id: i, .. } if i == id));
    // An alert no runbook matches opens no incident.
    assert_eq!(post(named("e3", "DiskFull")).await, 200);
    next(
        &mut feed,
        |e| matches!(e, FeedEvent::AlertFired { fingerprint, .. } if fingerprint == "e3"),
    )
    .await;
    let snap = handle.snapshot();
    assert_eq!(snap.alerts.len(), 3);
    assert_eq!(snap.alerts[0].status, AlertStatus::Resolved);
    assert_eq!(snap.incidents.len(), 1, "DiskFull opened nothing");
    let inc = &snap.incidents[0];
    assert_eq!(
        inc.status,
        incident_console::model::IncidentStatus::Recovered
    );
    let links = inc.alerts.as_ref().unwrap();
    assert_eq!(links.alerts.len(), 2);
    assert!(links.resolved_at.is_some() && links.all_resolved());
    assert_eq!(links.matched.as_ref().unwrap().matchers, 1);
    tokio::task::spawn_blocking(move || drop(handle))
        .await
        .unwrap();
    // The history of resolved alerts survives a restart.
    let handle = common::spawn_engine(common::quiet(Store::new(dir.path())));
    let snap = handle.snapshot();
    let kept: Vec<(&str, i64, Option<u64>)> = snap
        .alert_history
        .iter()
        .map(|r| {
            (
                r.fingerprint.as_str(),
                r.duration().num_seconds(),
                r.incident,
            )
        })
        .collect();
    assert_eq!(kept, vec![("e1", 600, Some(id)), ("e2", 600, Some(id))]);
    // Alertmanager re-sends a resolve the console already kept: still one entry per episode.
    let port = tokio::task::block_in_place(|| common::receiver_port(&handle.state));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let again = format!("http://127.0.0.1:{port}/");
    assert_eq!(send(&again, resolve("e1", "HighErrorRate")).await, 200);
    while handle.snapshot().alerts.is_empty() {
        assert!(std::time::Instant::now() < deadline, "the resolve arrives");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(handle.snapshot().alert_history.len(), 2);
    tokio::task::spawn_blocking(move || drop(handle))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_flood_of_idle_connections_is_capped_and_the_receiver_takes_webhooks_after_it() {
    use incident_console::integrations::alertmanager::receiver::MAX_CONNECTIONS;
    use tokio::io::AsyncReadExt;
    let (url, mut rx) = start(None).await;
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut idle = Vec::new();
    for _ in 0..MAX_CONNECTIONS {
        idle.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    // One more: accepted by the kernel, then closed by the receiver at once (an EOF, not a
    // wait for the read timeout).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let mut extra = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let mut buf = [0u8; 1];
        let read =
            tokio::time::timeout(std::time::Duration::from_secs(2), extra.read(&mut buf)).await;
        if matches!(read, Ok(Ok(0)) | Ok(Err(_))) {
            break;
        }
        // The accept loop may not have seen all the idle ones yet.
        assert!(
            std::time::Instant::now() < deadline,
            "the connection over the cap stayed open"
        );
    }
    drop(idle);
    // The idle ones gone, a webhook gets in again.
    let http = reqwest::Client::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let sent = http
            .post(&url)
            .header("Content-Type", "application/json")
            .body(payload("after"))
            .send()
            .await;
        if sent.is_ok_and(|r| r.status() == 200) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the receiver did not recover"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(matches!(
        rx.recv().await.unwrap(),
        IntakeEvent::Webhook { .. }
    ));
}
