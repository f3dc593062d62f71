//! The whole chain, with the files shipped in `prometheus/`: a real Prometheus fires the
//! `alerts.yml` rules on the sample exporter's burst, a real Alertmanager routes them by
//! `alertmanager.yml` to the console's webhook with its bearer token, the console opens the
//! matching runbook's incident, and it recovers when the burst is over and the alert resolves.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::alertmanager::start_alertmanager_with;
use common::{Proc, installed, wait_for, wait_ready};

use incident_console::model::{IncidentStatus, Secret, Settings, TriggerOrigin};
use incident_console::store::Store;

fn shipped(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("prometheus")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_prometheus_alert_on_the_exporter_opens_the_runbook_incident_and_resolves_it() {
    if !installed("prometheus", "prometheus") {
        return;
    }
    // As shipped, until the console's receiver has a port to name (nothing fires before).
    let Some(am) = start_alertmanager_with(&shipped("alertmanager.yml"), None) else {
        return;
    };

    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let mut settings = Settings::default();
    settings.intake.enabled = true;
    settings.intake.addr = "127.0.0.1:0".into();
    settings.intake.token = Secret::new("change-me");
    settings.intake.alertmanager_urls = vec![am.url.clone()];
    settings.intake.poll_interval_secs = 1;
    store.save_settings(&settings).unwrap();
    // One demo sample at start: the incidents that follow are the alerts'.
    let handle = common::spawn_engine(common::quiet(store));
    let state = handle.state.clone();
    let console_port = common::receiver_port(&state);
    am.reload(
        &shipped("alertmanager.yml")
            .replace("127.0.0.1:9095", &format!("127.0.0.1:{console_port}")),
    );

    // Prometheus with the shipped config and rules, pointed at this test's ports and
    // evaluating every second.
    let prom_dir = tempfile::tempdir().unwrap();
    // The exporter is named to Prometheus before it starts (so that its first burst is
    // scraped): the one port of ours handed on. Taken in between, the exporter says "cannot
    // listen" and the test fails; it cannot pass by it.
    let exporter_port = common::port_to_try();
    let config = shipped("prometheus.yml")
        .replace("127.0.0.1:9001", &format!("127.0.0.1:{exporter_port}"))
        .replace("127.0.0.1:9093", &format!("127.0.0.1:{}", am.port))
        .replace("interval: 5s", "interval: 1s");
    std::fs::write(prom_dir.path().join("prometheus.yml"), config).unwrap();
    std::fs::write(prom_dir.path().join("alerts.yml"), shipped("alerts.yml")).unwrap();
    let log = prom_dir.path().join("prometheus.log");
    let (_prometheus, prom_port) = common::spawn_prometheus(prom_dir.path());
    // Scraping (the exporter's target is known, still down): Prometheus hands new targets to
    // its scrapers about 5 s after start.
    wait_ready("Prometheus scraping", &log, || {
        common::http_get(prom_port, "/api/v1/query?query=up").contains("sample-metrics")
    });
    // The exporter last, so its first burst (samples 3 and 4, one a second) is scraped.
    let mut exporter = Command::new(env!("CARGO_BIN_EXE_sample-metrics"))
        .args(["--port", &exporter_port.to_string(), "--interval", "1"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("sample-metrics starts");
    let mut line = String::new();
    BufReader::new(exporter.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _exporter = Proc(exporter);

    wait_for(&state, "the 5xx runbook's incident from the alert", |st| {
        st.board.incidents.iter().any(|i| {
            i.trigger.origin == TriggerOrigin::Alertmanager
                && i.scenario.code == "http_5xx_surge"
                && i.alerts.as_ref().is_some_and(|l| {
                    l.alerts
                        .iter()
                        .any(|(_, labels)| labels["alertname"] == "HttpErrorRateHigh")
                })
        })
    });
    wait_for(&state, "the incident resolved after the burst", |st| {
        st.board.incidents.iter().any(|i| {
            i.scenario.code == "http_5xx_surge"
                && i.status == IncidentStatus::Recovered
                && i.alerts.as_ref().is_some_and(|l| l.resolved_at.is_some())
        })
    });
    {
        let st = state.lock();
        let inc = st
            .board
            .incidents
            .iter()
            .find(|i| i.alerts.is_some() && i.scenario.code == "http_5xx_surge")
            .unwrap();
        let labels = &inc.alerts.as_ref().unwrap().alerts[0].1;
        assert_eq!(labels["severity"], "critical");
        assert_eq!(labels["instance"], "edge-node-01", "the burst's node");
        assert!(
            st.board
                .alert_history
                .iter()
                .any(|r| r.labels["alertname"] == "HttpErrorRateHigh"),
            "the episode is in the history"
        );
    }
    drop(handle);
    drop(am.proc);
}
