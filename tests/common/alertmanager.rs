//! A real Alertmanager (Debian's `prometheus-alertmanager`) on free loopback ports, with its own
//! storage, for the tests that need one. Under `CI=true` a missing package fails the test.

use std::process::{Command, Stdio};

use super::{Proc, free_port, installed, wait_ready};

/// A running Alertmanager that sends its webhooks to `webhook_port` with `token`.
pub struct Am {
    pub url: String,
    pub port: u16,
    pub proc: Proc,
    _dir: tempfile::TempDir,
}

pub fn start_alertmanager(webhook_port: u16, token: &str) -> Option<Am> {
    start_alertmanager_in(webhook_port, token, None)
}

/// Cluster flags for one replica: its own gossip port, and the peer's.
pub struct Cluster {
    pub listen: u16,
    pub peer: u16,
}

pub fn start_alertmanager_in(
    webhook_port: u16,
    token: &str,
    cluster: Option<Cluster>,
) -> Option<Am> {
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
    start_alertmanager_with(&config, cluster)
}

/// An Alertmanager with `config` (YAML) as its configuration file.
pub fn start_alertmanager_with(config: &str, cluster: Option<Cluster>) -> Option<Am> {
    if !installed("prometheus-alertmanager", "prometheus-alertmanager") {
        return None;
    }
    // Tests start Alertmanagers in parallel: two may be handed the same free port, and the
    // second then exits at once. Such a start is tried again on another port.
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
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
            .args(match &cluster {
                None => vec!["--cluster.listen-address=".to_string()],
                Some(c) => vec![
                    format!("--cluster.listen-address=127.0.0.1:{}", c.listen),
                    format!("--cluster.advertise-address=127.0.0.1:{}", c.listen),
                    format!("--cluster.peer=127.0.0.1:{}", c.peer),
                    // Loopback gossip settles fast; the default waits longer for a real network.
                    "--cluster.settle-timeout=2s".to_string(),
                ],
            })
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("am.log")).unwrap())
            .spawn()
            .expect("alertmanager starts");
        let proc = std::cell::RefCell::new(Proc(child));
        let exited = std::cell::Cell::new(false);
        wait_ready("Alertmanager", &dir.path().join("am.log"), || {
            exited.set(matches!(proc.borrow_mut().0.try_wait(), Ok(Some(_))));
            exited.get() || super::http_get(port, "/-/ready").contains("OK")
        });
        let mut proc = proc.into_inner();
        // Ours, not another test's (or a packaged service's) that holds the port.
        if exited.get() || proc.0.try_wait().unwrap().is_some() {
            continue;
        }
        return Some(Am {
            url,
            port,
            proc,
            _dir: dir,
        });
    }
    panic!("our alertmanager could not keep a port in three tries");
}

/// POSTs one alert to Alertmanager's API; `ends_at` in the past resolves it.
pub fn post_alert(am: &Am, starts_at: &str, ends_at: Option<&str>) {
    let ends = ends_at.map_or(String::new(), |e| format!(r#", "endsAt": "{e}""#));
    let body = format!(
        r#"[{{"labels": {{"alertname": "HighErrorRate", "severity": "critical", "instance": "edge-node-01"}},
             "annotations": {{"summary": "5xx above 5 %"}}, "startsAt": "{starts_at}"{ends}}}]"#
    );
    post_alerts(am, &body);
}

/// POSTs `body` (a JSON array of alerts, as `POST /api/v2/alerts` takes) to Alertmanager.
pub fn post_alerts(am: &Am, body: &str) {
    let body = body.to_string();
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
