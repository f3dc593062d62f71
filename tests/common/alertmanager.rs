//! A real Alertmanager (Debian's `prometheus-alertmanager`) on free loopback ports, with its own
//! storage, for the tests that need one. Under `CI=true` a missing package fails the test.

use std::process::{Command, Stdio};

use super::{Proc, installed, port_to_try, wait_ready};

/// A running Alertmanager. It sends no webhooks until [`Am::send_webhooks_to`] names the
/// port the console's receiver bound (the console binds port 0 and says which it got, so the
/// Alertmanager is started first and pointed at it afterwards).
pub struct Am {
    pub url: String,
    pub port: u16,
    /// Its cluster (gossip) port, when it was started as a replica.
    pub gossip_port: Option<u16>,
    pub proc: Proc,
    dir: tempfile::TempDir,
}

/// The test route: grouped by alert name, quick to send, `console` the only receiver; with
/// `webhook` (port and token) its webhook, without none.
pub fn test_config(webhook: Option<(u16, &str)>) -> String {
    let receiver = match webhook {
        None => String::new(),
        Some((port, token)) => format!(
            r#"    webhook_configs:
      - url: http://127.0.0.1:{port}/
        send_resolved: true
        http_config:
          authorization:
            credentials: {token}
"#
        ),
    };
    format!(
        r#"route:
  receiver: console
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: console
{receiver}"#
    )
}

/// An Alertmanager with the test route and no webhook yet.
pub fn start_alertmanager() -> Option<Am> {
    start_alertmanager_with(&test_config(None), None)
}

/// Cluster flags for one replica: the gossip port of a replica already running to join, if
/// any (the first replica has none; the second names the first's).
pub struct Cluster {
    pub peer: Option<u16>,
}

/// An Alertmanager with `config` (YAML) as its configuration file.
pub fn start_alertmanager_with(config: &str, cluster: Option<Cluster>) -> Option<Am> {
    if !installed("prometheus-alertmanager", "prometheus-alertmanager") {
        return None;
    }
    // Alertmanager cannot bind port 0 and say which port it got, and tests start several
    // in parallel: a port free a moment ago may be taken by the time it binds, and then it
    // exits at once. Such a start is tried again on other ports.
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("am.yml"), config).unwrap();
        let port = port_to_try();
        let gossip_port = cluster.as_ref().map(|_| port_to_try());
        let url = format!("http://127.0.0.1:{port}");
        let cluster_args = match (&cluster, gossip_port) {
            (Some(c), Some(listen)) => {
                let mut args = vec![
                    format!("--cluster.listen-address=127.0.0.1:{listen}"),
                    format!("--cluster.advertise-address=127.0.0.1:{listen}"),
                    // Loopback gossip settles fast; the default waits longer for a real network.
                    "--cluster.settle-timeout=2s".to_string(),
                ];
                if let Some(peer) = c.peer {
                    args.push(format!("--cluster.peer=127.0.0.1:{peer}"));
                }
                args
            }
            _ => vec!["--cluster.listen-address=".to_string()],
        };
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
            .args(cluster_args)
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
            gossip_port,
            proc,
            dir,
        });
    }
    panic!("our alertmanager could not keep a port in five tries");
}

impl Am {
    /// POSTs to `path`, with a JSON `body` or none; the answer's status.
    fn post(&self, path: &str, body: Option<String>) -> reqwest::StatusCode {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut request = reqwest::Client::new().post(format!("{}{path}", self.url));
            if let Some(body) = body {
                request = request
                    .header("Content-Type", "application/json")
                    .body(body);
            }
            request.send().await.unwrap().status()
        })
    }

    /// Points the test route's webhook at the console's receiver on `port` with `token`.
    pub fn send_webhooks_to(&self, port: u16, token: &str) {
        self.reload(&test_config(Some((port, token))));
    }

    /// Replaces the configuration with `config` (YAML) and reloads it; returns once
    /// Alertmanager runs it.
    pub fn reload(&self, config: &str) {
        std::fs::write(self.dir.path().join("am.yml"), config).unwrap();
        let status = self.post("/-/reload", None);
        // Its handler answers once the new configuration is in force (or refused).
        assert!(status.is_success(), "Alertmanager reloaded: {status}");
    }
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
    let status = am.post("/api/v2/alerts", Some(body.to_string()));
    assert!(status.is_success(), "Alertmanager took the alert: {status}");
}

/// Silences the test alert (`alertname=HighErrorRate`) with amtool, as another tool would:
/// `author`, `comment`, for `duration` (`1h`); returns the silence's id.
pub fn amtool_silence(am: &Am, author: &str, comment: &str, duration: &str) -> String {
    let made = std::process::Command::new("amtool")
        .args(["silence", "add", "alertname=HighErrorRate"])
        .arg(format!("--author={author}"))
        .arg(format!("--comment={comment}"))
        .arg(format!("--duration={duration}"))
        .arg(format!("--alertmanager.url={}", am.url))
        .output()
        .expect("amtool runs");
    let err = String::from_utf8_lossy(&made.stderr);
    assert!(made.status.success(), "amtool: {err}");
    String::from_utf8_lossy(&made.stdout).trim().to_string()
}

/// The console's clock, some seconds ahead of the real one (Alertmanager keeps real time):
/// minutes of an acknowledgement pass at once. The test stores the offset.
pub struct Ahead(pub std::sync::atomic::AtomicI64);

impl Ahead {
    /// Moves the console's clock on by `secs`.
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, std::sync::atomic::Ordering::SeqCst);
    }
}

impl incident_console::engine::Clock for Ahead {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        let secs = self.0.load(std::sync::atomic::Ordering::SeqCst);
        chrono::Utc::now() + chrono::Duration::seconds(secs)
    }
}

/// A console in `dir` polling `am` every second as kim, on a clock the test moves ahead;
/// `more` adds to its settings; `desktop`: it raises desktop notifications (the window's run).
pub fn console_ahead(
    dir: &std::path::Path,
    am: &Am,
    desktop: bool,
    more: impl FnOnce(&mut incident_console::model::Settings),
) -> (
    incident_console::engine::EngineHandle,
    std::sync::Arc<Ahead>,
) {
    let store = incident_console::store::Store::new(dir);
    let mut settings = incident_console::model::Settings::default();
    settings.intake.alertmanager_urls = vec![am.url.clone()];
    settings.intake.poll_interval_secs = 1;
    settings.responder = "kim".into();
    more(&mut settings);
    store.save_settings(&settings).unwrap();
    let clock = std::sync::Arc::new(Ahead(std::sync::atomic::AtomicI64::new(0)));
    let handle = super::spawn_engine(incident_console::engine::EngineConfig {
        clock: clock.clone(),
        desktop_notifications: desktop,
        ..super::quiet(store)
    });
    (handle, clock)
}
