//! Against a real Alertmanager (Debian's `prometheus-alertmanager`, started here on free
//! loopback ports with its own storage and no cluster): an alert firing before the console
//! started is found by polling, the webhook arrives with the bearer token, and resolving the
//! alert in Alertmanager resolves it in the console.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Proc, ci, wait_for, wait_ready};
use incident_console::engine::{Engine, EngineConfig};
use incident_console::model::{AlertStatus, FeedEvent, Secret, Settings};
use incident_console::store::Store;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running Alertmanager that sends its webhooks to `webhook_port` with `token`.
struct Am {
    url: String,
    port: u16,
    proc: Proc,
    _dir: tempfile::TempDir,
}

fn start_alertmanager(webhook_port: u16, token: &str) -> Option<Am> {
    let found = Command::new("prometheus-alertmanager")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if found.is_err() {
        assert!(
            !ci(),
            "prometheus-alertmanager is needed under CI=true (apt-get install prometheus-alertmanager)"
        );
        eprintln!("skipped: prometheus-alertmanager not found");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        r#"route:
  receiver: console
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: console
    webhook_configs:
      - url: http://127.0.0.1:{webhook_port}/
        send_resolved: true
        http_config:
          authorization:
            credentials: {token}
"#
    );
    std::fs::write(dir.path().join("am.yml"), config).unwrap();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let child = Command::new("prometheus-alertmanager")
        .arg(format!(
            "--config.file={}",
            dir.path().join("am.yml").display()
        ))
        .arg(format!(
            "--storage.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg(format!("--web.external-url={url}"))
        .arg("--cluster.listen-address=")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("am.log")).unwrap())
        .spawn()
        .expect("alertmanager starts");
    let mut proc = Proc(child);
    wait_ready("Alertmanager", &dir.path().join("am.log"), || {
        common::http_get(port, "/-/ready").contains("OK")
    });
    // Ours, not a packaged service that happened to hold the port.
    assert!(
        proc.0.try_wait().unwrap().is_none(),
        "our alertmanager is alive"
    );
    Some(Am {
        url,
        port,
        proc,
        _dir: dir,
    })
}

/// POSTs one alert to Alertmanager's API; `ends_at` in the past resolves it.
fn post_alert(am: &Am, starts_at: &str, ends_at: Option<&str>) {
    let ends = ends_at.map_or(String::new(), |e| format!(r#", "endsAt": "{e}""#));
    let body = format!(
        r#"[{{"labels": {{"alertname": "HighErrorRate", "severity": "critical", "instance": "edge-node-01"}},
             "annotations": {{"summary": "5xx above 5 %"}}, "startsAt": "{starts_at}"{ends}}}]"#
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{}/api/v2/alerts", am.url))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
            .status()
    });
    assert!(status.is_success(), "Alertmanager took the alert: {status}");
}

#[test]
fn polling_finds_an_earlier_alert_the_webhook_follows_and_resolving_resolves() {
    let console_port = free_port();
    let Some(am) = start_alertmanager(console_port, "am-t0ken") else {
        return;
    };
    let started = chrono::Utc::now() - chrono::Duration::seconds(30);
    let starts_at = started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    // Firing before the console starts.
    post_alert(&am, &starts_at, None);

    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let mut settings = Settings::default();
    settings.intake.enabled = true;
    settings.intake.addr = format!("127.0.0.1:{console_port}");
    settings.intake.token = Secret::new("am-t0ken");
    settings.intake.alertmanager_urls = vec![am.url.clone()];
    settings.intake.poll_interval_secs = 1;
    store.save_settings(&settings).unwrap();
    let handle = Engine::spawn(EngineConfig {
        force_demo: true,
        poll_override_secs: Some(3600),
        ..EngineConfig::new(store)
    })
    .unwrap();
    assert!(handle.wait_restored(Duration::from_secs(10)));
    let state = handle.state.clone();

    wait_for(&state, "the earlier alert, found by polling", |st| {
        st.board.alerts.iter().any(|a| {
            a.name() == "HighErrorRate"
                && a.status == AlertStatus::Firing
                && a.reported_by.contains(&am.url)
        })
    });
    wait_for(&state, "Alertmanager's health in the feed", |st| {
        st.feed.iter().any(|e| {
            matches!(&e.event, FeedEvent::AlertmanagerUp { url, cluster, .. }
                if url == &am.url && cluster == "disabled")
        })
    });
    wait_for(&state, "the webhook, with the bearer token", |st| {
        st.board
            .alerts
            .iter()
            .any(|a| a.reported_by.contains("webhook") && a.group_key.is_some())
    });
    {
        let st = state.lock();
        assert_eq!(st.board.alerts.len(), 1, "poll and webhook give one alert");
        let fired = st
            .feed
            .iter()
            .filter(|e| matches!(e.event, FeedEvent::AlertFired { .. }))
            .count();
        assert_eq!(fired, 1, "said once");
        assert!(
            !st.feed
                .iter()
                .any(|e| matches!(e.event, FeedEvent::IntakeRefused { .. })),
            "Alertmanager's token was accepted"
        );
    }

    // Resolved in Alertmanager: resolved here (by the webhook or by vanishing from the poll).
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    post_alert(&am, &starts_at, Some(&now));
    wait_for(&state, "the alert resolved", |st| {
        st.board
            .alerts
            .iter()
            .all(|a| a.status == AlertStatus::Resolved)
            && st
                .feed
                .iter()
                .any(|e| matches!(e.event, FeedEvent::AlertResolved { .. }))
    });
    let _ = am.port;
    drop(handle);
    drop(am.proc);
}
