//! Desktop notifications against a real notification daemon: Debian's `dunst` on a private
//! D-Bus session bus under Xvfb, with a rule that logs every notification it shows. Then, with
//! no service on the bus, the feed says so once and the console carries on.
//!
//! One test in this binary: it points the process's `DBUS_SESSION_BUS_ADDRESS` at its own bus.

mod common;

use incident_console::engine::desktop::DesktopCounts;
use incident_console::engine::{Command as EngineCommand, EngineConfig, EngineHandle};
use incident_console::model::{FeedEvent, Secret, Settings};
use incident_console::store::Store;

/// A console that takes webhooks (on the port it returns) and raises desktop notifications.
fn console(dir: &std::path::Path) -> (EngineHandle, u16) {
    let store = Store::new(dir);
    let mut settings = Settings::default();
    settings.intake.enabled = true;
    settings.intake.addr = "127.0.0.1:0".into();
    settings.intake.token = Secret::new("k");
    store.save_settings(&settings).unwrap();
    let handle = common::spawn_engine(EngineConfig {
        desktop_notifications: true,
        ..common::quiet(store)
    });
    let port = common::receiver_port(&handle.state);
    (handle, port)
}

/// Waits until every notification the console asked for has been reported on.
fn desktop_settled(handle: &EngineHandle) -> DesktopCounts {
    common::wait_for(&handle.state, "every desktop notification reported", |st| {
        st.board.desktop.in_flight() == 0
    });
    handle.snapshot().desktop
}

/// POSTs one firing (or resolved) alert as Alertmanager's webhook would.
fn webhook(port: u16, fp: &str, name: &str, severity: &str, starts: &str, resolved: bool) {
    common::post_webhook_at(port, "k", fp, name, severity, starts, resolved);
}

#[test]
fn notifications_reach_dunst_once_per_alert_and_a_missing_service_is_said_once() {
    if !common::desktop::available() {
        return;
    }
    let mut desktop = common::desktop::Desktop::start();
    // SAFETY: the only test of this binary, before any thread of ours reads the environment.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &desktop.bus) };
    let dir = tempfile::tempdir().unwrap();
    let (handle, port) = console(dir.path());
    // A critical alert no runbook matches: one notification.
    webhook(
        port,
        "d1",
        "DiskFull",
        "critical",
        "2026-11-27T06:00:00Z",
        false,
    );
    let first = desktop.logged(1);
    assert_eq!(
        first[0],
        "Alert firing: DiskFull [critical]|DiskFull needs a look|CRITICAL"
    );
    // The same alert again, then a re-fire (resolved, a new start) while it flaps: nothing;
    // a warning: nothing (the setting names critical); a 5xx alert opens its runbook's
    // incident: one notification for the incident.
    webhook(
        port,
        "d1",
        "DiskFull",
        "critical",
        "2026-11-27T06:00:00Z",
        false,
    );
    webhook(
        port,
        "d1",
        "DiskFull",
        "critical",
        "2026-11-27T06:00:00Z",
        true,
    );
    webhook(
        port,
        "d1",
        "DiskFull",
        "critical",
        "2026-11-27T06:40:00Z",
        false,
    );
    webhook(
        port,
        "w1",
        "QueueSlow",
        "warning",
        "2026-11-27T06:00:00Z",
        false,
    );
    webhook(
        port,
        "h1",
        "HighErrorRate",
        "critical",
        "2026-11-27T06:00:00Z",
        false,
    );
    let all = desktop.logged(2);
    assert_eq!(
        all[1],
        "Incident #1 opened|Nginx 5xx surge on checkout API HighErrorRate [critical]|CRITICAL"
    );
    // Every webhook taken (the last one's incident is open, so the ones before were handled
    // first), and every notification asked for reported: exactly those two.
    common::wait_for(&handle.state, "the last webhook's incident", |st| {
        st.board.incidents.len() == 1 && st.board.alerts.iter().any(|a| a.fingerprint == "h1")
    });
    let counts = desktop_settled(&handle);
    assert_eq!((counts.asked, counts.shown), (2, 2), "{counts:?}");
    let text = std::fs::read_to_string(&desktop.log).unwrap();
    assert!(
        !text.contains("QueueSlow") && text.lines().count() == 2,
        "{text}"
    );
    let feed_said = handle.with_feed(|feed| {
        feed.iter()
            .any(|e| matches!(e.event, FeedEvent::DesktopUnavailable { .. }))
    });
    assert!(!feed_said, "dunst answered, so nothing is said");
    drop(handle);

    // No service on the bus: said once, and the console carries on.
    drop(desktop.dunst.take());
    let dir = tempfile::tempdir().unwrap();
    let (handle, _) = console(dir.path());
    for scenario in ["cpu_spike_core", "http_5xx_surge"] {
        assert!(handle.send(EngineCommand::TriggerScenario {
            code: Some(scenario.into())
        }));
    }
    common::wait_for(&handle.state, "both incidents", |st| {
        st.board.incidents.len() == 2
    });
    let counts = desktop_settled(&handle);
    assert_eq!((counts.asked, counts.failed), (2, 2), "{counts:?}");
    let said = handle.with_feed(|feed| {
        feed.iter()
            .filter(|e| matches!(e.event, FeedEvent::DesktopUnavailable { .. }))
            .count()
    });
    assert_eq!(said, 1, "said once, not once per notification");
}
