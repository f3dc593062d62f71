//! A critical alert's notification calls until someone answers, and its answer reaches the
//! engine: against a real Alertmanager and a real notification daemon (dunst on a private
//! D-Bus session bus under Xvfb). The console's clock is moved on (Alertmanager keeps real
//! time), so the 5-minute repeat comes at once; dunst's context menu is answered by a
//! `dmenu` stand-in, as a person picking "Acknowledge 1 h" would.
//!
//! One test in this binary: it points the process's `DBUS_SESSION_BUS_ADDRESS` at its own bus.

mod common;

use common::alertmanager::{console_ahead, post_alerts, start_alertmanager};
use common::wait_for;

/// A critical alert no runbook matches, so it notifies on its own (not as an incident).
fn disk_full(starts_at: &str) -> String {
    format!(
        r#"[{{"labels": {{"alertname": "DiskFull", "severity": "critical", "instance": "db-01"}},
             "annotations": {{"summary": "/var at 97 %"}}, "startsAt": "{starts_at}"}}]"#
    )
}

#[test]
fn a_critical_repeats_until_acknowledged_from_the_notification() {
    if !common::desktop::available() {
        return;
    }
    let Some(am) = start_alertmanager() else {
        return;
    };
    let desktop = common::desktop::Desktop::start();
    // SAFETY: the only test of this binary, before any thread of ours reads the environment.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &desktop.bus) };
    let dir = tempfile::tempdir().unwrap();
    let (handle, clock) = console_ahead(dir.path(), &am, true, |_| {});
    let starts_at = (chrono::Utc::now() - chrono::Duration::seconds(5)).to_rfc3339();
    post_alerts(&am, &disk_full(&starts_at));

    let first = desktop.logged(1);
    assert_eq!(
        first[0],
        "Alert firing: DiskFull [critical]|/var at 97 %|CRITICAL"
    );
    // The siren at the default 70 %, written once into the data dir for the service to play.
    let siren = dir.path().join("sounds").join("siren-70.wav");
    wait_for(&handle.state, "the notification shown", |st| {
        st.board.desktop.shown == 1 && st.board.desktop.ringing == 1
    });
    let wav = std::fs::read(&siren).expect("the sound file is written");
    assert_eq!(wav.len(), incident_console::model::alarm::SIREN_WAV.len());
    assert_ne!(
        wav,
        incident_console::model::alarm::SIREN_WAV,
        "scaled to 70 %"
    );

    // Nobody answered: five minutes on, it is shown again (replacing the first).
    clock.advance(5 * 60 + 1);
    wait_for(&handle.state, "the repeat shown", |st| {
        st.board.desktop.shown == 2
    });
    let again = desktop.logged(2);
    assert_eq!(
        again[1],
        "Alert firing: DiskFull [critical] (reminder 1)|/var at 97 %|CRITICAL"
    );

    // Acknowledge 1 h from dunst's context menu: the engine silences the alert, as kim.
    let menu = desktop.choose("Acknowledge");
    let silences = || common::http_get(am.port, "/api/v2/silences");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !silences().contains("acknowledged from the desktop notification") {
        assert!(
            std::time::Instant::now() < deadline,
            "no silence; menu {menu:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let held = silences();
    assert!(held.contains(r#""createdBy":"kim""#), "{held}");
    assert!(held.contains(r#""value":"DiskFull""#), "{held}");
    // Acknowledged: it rings no more, however long it still fires. (Alertmanager holds the
    // silence as pending until its start, which the moved clock put ahead.)
    wait_for(&handle.state, "the ring ended", |st| {
        st.board.desktop.ringing == 0 && !st.board.alert_acks.is_empty()
    });
    // Eleven minutes on (two repeats' worth), the acknowledgement's slice is extended: polls
    // ran on the moved clock, and still nothing was shown again.
    clock.advance(11 * 60);
    let acked_at = handle.snapshot().alert_acks.values().next().unwrap().at;
    wait_for(
        &handle.state,
        "the silence extended on the moved clock",
        |st| {
            (st.board.alert_acks.values()).any(|a| {
                a.silenced_until
                    .is_some_and(|u| u > acked_at + chrono::Duration::minutes(20))
            })
        },
    );
    let counts = handle.snapshot().desktop;
    assert_eq!((counts.asked, counts.ringing), (2, 0), "{counts:?}");
    drop(handle);
    drop(am.proc);
}
