//! A forged webhook against a real Alertmanager the console polls (Debian's
//! `prometheus-alertmanager`): a resolve from 2099 and a resolve of an alert the poll still
//! lists change nothing, and 600 forged groups leave the real incident in place, open at most
//! [`ACTIVE_ALERT_INCIDENT_LIMIT`] incidents and say so in one feed line, not 400.

mod common;

use std::io::{Read, Write};
use std::time::Instant;

use common::alertmanager::{post_alert, start_alertmanager};
use common::wait_for;
use incident_console::engine::ACTIVE_ALERT_INCIDENT_LIMIT;
use incident_console::engine::ConsoleState;
use incident_console::model::{AlertStatus, FeedEvent, IntakeRefusal, Settings, TriggerOrigin};
use incident_console::store::Store;

/// POSTs `body` to the receiver as a forger on the same machine would: no token is needed on
/// the default loopback receiver.
fn forge(port: u16, body: &str) -> String {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let req = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

fn group(key: &str, fp: &str, status: &str, starts: &str, ends: &str) -> String {
    format!(
        r#"{{"version": "4", "groupKey": "{key}", "status": "{status}", "receiver": "console",
            "alerts": [{{"status": "{status}",
              "labels": {{"alertname": "HighErrorRate", "severity": "critical", "instance": "edge-node-01"}},
              "annotations": {{"summary": "5xx above 5 %"}},
              "startsAt": "{starts}", "endsAt": "{ends}", "fingerprint": "{fp}"}}]}}"#
    )
}

fn not_taken(st: &ConsoleState, want: IntakeRefusal) -> usize {
    st.feed
        .iter()
        .filter(|e| matches!(e.event, FeedEvent::NotTaken { refusal, .. } if refusal == want))
        .count()
}

#[test]
fn forged_webhooks_cannot_resolve_a_polled_alert_or_bury_its_incident() {
    let Some(am) = start_alertmanager() else {
        return;
    };
    let started = chrono::Utc::now() - chrono::Duration::seconds(30);
    let starts_at = started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    post_alert(&am, &starts_at, None);

    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let mut settings = Settings::default();
    settings.intake.alertmanager_urls = vec![am.url.clone()];
    // Polled once at the start; the next poll (which would resolve the forged alerts, as it
    // does not list them) is not due while the test runs.
    settings.intake.poll_interval_secs = 3600;
    settings.intake.enabled = true;
    settings.intake.addr = "127.0.0.1:0".into();
    settings.desktop.enabled = false;
    store.save_settings(&settings).unwrap();
    let mut handle = common::spawn_engine(common::quiet(store));
    let state = handle.state.clone();
    let console_port = common::receiver_port(&state);

    wait_for(&state, "the real alert's incident, polled", |st| {
        st.board
            .incidents
            .iter()
            .any(|i| i.trigger.origin == TriggerOrigin::Alertmanager && i.status.is_active())
            && st
                .board
                .alerts
                .iter()
                .any(|a| a.reported_by.contains(&am.url))
    });
    let (fp, real_id) = {
        let st = state.lock();
        let alert = st
            .board
            .alerts
            .iter()
            .find(|a| a.name() == "HighErrorRate")
            .unwrap();
        let inc = st
            .board
            .incidents
            .iter()
            .find(|i| i.alerts.is_some())
            .unwrap();
        (alert.fingerprint.clone(), inc.id)
    };

    // A resolve from 2099: refused, in words, and nothing moves.
    let answer = forge(
        console_port,
        &group(
            "forged-real",
            &fp,
            "resolved",
            "2099-01-01T00:00:00Z",
            "2099-01-01T00:01:00Z",
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    wait_for(&state, "the 2099 resolve noted", |st| {
        not_taken(st, IntakeRefusal::FutureTime) == 1
    });
    // A resolve of the real episode while Alertmanager still lists it: noted, not applied.
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    forge(
        console_port,
        &group("forged-real", &fp, "resolved", &starts_at, &now),
    );
    wait_for(&state, "the resolve of a polled alert noted", |st| {
        not_taken(st, IntakeRefusal::ResolveWhilePolled) == 1
    });
    {
        let st = state.lock();
        let alert = st
            .board
            .alerts
            .iter()
            .find(|a| a.fingerprint == fp)
            .unwrap();
        assert_eq!(alert.status, AlertStatus::Firing);
        assert_eq!(alert.starts_at, started.with_nanosecond_zero());
        let inc = st.board.incidents.iter().find(|i| i.id == real_id).unwrap();
        assert!(inc.status.is_active(), "{:?}", inc.status);
        assert!(
            !st.feed
                .iter()
                .any(|e| matches!(e.event, FeedEvent::AlertResolved { .. })),
            "nothing resolved"
        );
    }

    // 600 forged groups that each match the runbook.
    let flood_started = Instant::now();
    for i in 0..600 {
        let answer = forge(
            console_port,
            &group(
                &format!("forged-{i}"),
                &format!("f{i:04}"),
                "firing",
                &now,
                "0001-01-01T00:00:00Z",
            ),
        );
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    wait_for(&state, "every forged alert in the book", |st| {
        st.board.alerts.len() == 601
    });
    let minutes = flood_started.elapsed().as_secs() / 60;
    let st = state.lock();
    let real = st.board.incidents.iter().find(|i| i.id == real_id).unwrap();
    assert!(
        real.status.is_active(),
        "the real incident stays: {:?}",
        real.status
    );
    let from_alerts = st
        .board
        .incidents
        .iter()
        .filter(|i| i.status.is_active() && i.alerts.is_some())
        .count();
    assert_eq!(from_alerts, ACTIVE_ALERT_INCIDENT_LIMIT);
    let lines = not_taken(&st, IntakeRefusal::IncidentsFull);
    assert!(
        (1..=1 + minutes as usize).contains(&lines),
        "said once a minute, not per alert: {lines} lines"
    );
    drop(st);
    handle.shutdown();
}

/// `DateTime::with_nanosecond(0)`, which RFC 3339 seconds dropped.
trait NanoZero {
    fn with_nanosecond_zero(self) -> Self;
}

impl NanoZero for chrono::DateTime<chrono::Utc> {
    fn with_nanosecond_zero(self) -> Self {
        chrono::Timelike::with_nanosecond(&self, 0).unwrap()
    }
}

/// An alert without a runbook, whose name and summary are Markdown and HTML, opened as an
/// incident by hand and exported: the file shows them as text (no image a viewer would
/// fetch, no raw HTML, no forged heading).
#[test]
fn a_hostile_alert_exports_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let mut settings = Settings::default();
    settings.intake.enabled = true;
    settings.intake.addr = "127.0.0.1:0".into();
    settings.desktop.enabled = false;
    store.save_settings(&settings).unwrap();
    let mut handle = common::spawn_engine(common::quiet(store));
    let state = handle.state.clone();
    let port = common::receiver_port(&state);
    let body = r#"{"version": "4", "groupKey": "g", "status": "firing", "receiver": "console",
        "alerts": [{"status": "firing",
          "labels": {"alertname": "Disk<img src=x onerror=alert(1)>", "severity": "warning"},
          "annotations": {"summary": "![p](https://tracker.example/p.png) [Approve](https://evil.example)\n# Approved by SRE"},
          "startsAt": "2026-12-03T06:00:00Z", "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "hostile1"}]}"#;
    assert!(forge(port, body).starts_with("HTTP/1.1 200"));
    wait_for(&state, "the alert", |st| st.board.alerts.len() == 1);
    handle.send(incident_console::engine::Command::IncidentFromAlert {
        fingerprint: "hostile1".into(),
    });
    wait_for(&state, "its incident", |st| st.board.incidents.len() == 1);
    let id = state.lock().board.incidents[0].id;
    let out = dir.path().join("report.md");
    handle.send(incident_console::engine::Command::ExportReport {
        incident: id,
        path: out.clone(),
    });
    wait_for(&state, "the export said", |st| {
        st.feed
            .iter()
            .any(|e| matches!(e.event, FeedEvent::Exported { .. }))
    });
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("Disk"), "{text}");
    // Each is there only with its first character escaped.
    let unescaped = |pat: &str| {
        text.match_indices(pat)
            .any(|(i, _)| i == 0 || text.as_bytes()[i - 1] != b'\\')
    };
    for raw in ["<img", "![p]", "[Approve]", "# Approved"] {
        assert!(!unescaped(raw), "{raw} left raw in:\n{text}");
    }
    assert!(text.contains("\\!\\[p\\]"), "{text}");
    handle.shutdown();
}
