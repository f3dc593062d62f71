//! kittest: Alertmanager alerts arrive by webhook at the real engine and show in the alerts
//! list, which groups and filters them (a bad filter is said in words) and links the runbook.

mod common;

use std::io::{Read, Write};

use common::ui::{feed_any, harness, set_field, wait_for};
use egui_kittest::kittest::Queryable;
use incident_console::model::{FeedEvent, Secret, Settings};
use incident_console::store::Store;

fn post(port: u16, body: &str) -> String {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let req = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

/// Waits until the feed says a bulk acknowledgement of `(alerts, silences, common)`.
fn wait_acknowledged_many(
    h: &mut egui_kittest::Harness<'static, incident_console::ui::ConsoleApp>,
    want: (usize, usize, bool),
) {
    wait_for(h, "the bulk acknowledgement", |h| {
        feed_any(h, |e| match e.event {
            FeedEvent::AcknowledgedMany {
                alerts,
                silences,
                common,
                ..
            } => (alerts, silences, common) == want,
            _ => false,
        })
    });
}

/// The real Alertmanager's silences that carry `comment`.
fn silences_with_comment(port: u16, comment: &str) -> Vec<serde_json::Value> {
    let all: Vec<serde_json::Value> =
        serde_json::from_str(&common::http_get(port, "/api/v2/silences")).unwrap();
    all.into_iter()
        .filter(|s| s["comment"] == comment)
        .collect()
}

fn group(key: &str, name: &str, severity: &str, fp: &str, runbook: &str) -> String {
    format!(
        r#"{{"version": "4", "groupKey": "{key}", "status": "firing", "receiver": "console",
            "alerts": [{{"status": "firing",
              "labels": {{"alertname": "{name}", "severity": "{severity}", "team": "payments"}},
              "annotations": {{"summary": "{name} summary", "runbook_url": "{runbook}"}},
              "startsAt": "2026-11-27T06:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
              "generatorURL": "http://prometheus:9090/graph", "fingerprint": "{fp}"}}]}}"#
    )
}

#[test]
fn the_alerts_list_groups_filters_and_links_the_runbook() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::default();
    settings.intake.enabled = true;
    settings.intake.addr = "127.0.0.1:0".into();
    settings.intake.token = Secret::new("k");
    Store::new(dir.path()).save_settings(&settings).unwrap();
    let mut h = harness(dir.path());
    let port = common::receiver_port(&h.state().engine().state);
    assert!(
        post(
            port,
            &group(
                "g-5xx",
                "HighErrorRate",
                "critical",
                "f1",
                "https://runbooks.example/5xx"
            )
        )
        .contains("200 OK")
    );
    assert!(post(port, &group("g-cpu", "CPUHigh", "warning", "f2", "")).contains("200 OK"));

    wait_for(&mut h, "the alerts tab to count two", |h| {
        h.query_by_label("Alerts (2 firing)").is_some()
    });
    h.get_by_label("Alerts (2 firing)").click();
    h.run_steps(2);
    h.get_by_label("HighErrorRate");
    h.get_by_label("CPUHigh");
    // Grouped as Alertmanager grouped them.
    h.get_by_label("g-5xx (1)");
    h.get_by_label("g-cpu (1)");
    // A click on an alert shows its details: the runbook_url is a link (only the first
    // alert has one). A second click hides them.
    assert_eq!(h.query_all_by_label("runbook").count(), 0);
    h.get_by_label("HighErrorRate").click();
    h.run_steps(2);
    assert_eq!(h.get_all_by_label("runbook").count(), 1);
    h.get_all_by_label("HighErrorRate").last().unwrap().click();
    h.run_steps(2);
    h.get_by_label("CPUHigh").click();
    h.run_steps(2);
    assert_eq!(h.query_all_by_label("runbook").count(), 0);
    h.get_all_by_label("CPUHigh").last().unwrap().click();
    h.run_steps(2);
    h.get_by_label("2 of 2 alerts");
    h.get_by_label("critical 1");
    h.get_by_label("warning 1");

    set_field(
        &mut h,
        "Alert filter",
        r#"{severity="critical", team=~"pay.*"}"#,
    );
    assert!(h.query_by_label("CPUHigh").is_none());
    h.get_by_label("HighErrorRate");

    set_field(&mut h, "Alert filter", r#"severity=~"(""#);
    assert!(
        h.query_by_label_contains("is not valid").is_some(),
        "a bad filter in words"
    );

    set_field(&mut h, "Alert filter", "");
    h.get_by_label("Group by").click();
    h.run_steps(2);
    h.get_by_label("severity").click();
    h.run_steps(2);
    h.get_by_label(r#"severity="critical" (1)"#);
    h.get_by_label(r#"severity="warning" (1)"#);

    // Resolved, it goes to the history, where words find it.
    let resolved = group("g-cpu", "CPUHigh", "warning", "f2", "")
        .replace(r#""status": "firing""#, r#""status": "resolved""#)
        .replace("0001-01-01T00:00:00Z", "2026-11-27T06:05:00Z");
    assert!(post(port, &resolved).contains("200 OK"));
    wait_for(&mut h, "the history to hold it", |h| {
        h.query_by_label("History (1)").is_some()
    });
    h.get_by_label("History (1)").click();
    h.run_steps(2);
    set_field(&mut h, "Search history", "cpu warning");
    h.get_by_label("CPUHigh");
    h.get_by_label_contains("(5m 00s)");
    set_field(&mut h, "Search history", "payments critical");
    h.get_by_label("Nothing in the history matches.");
}

/// Against a real Alertmanager: the polled alert opens its runbook's incident; Acknowledge
/// there takes a comment and creates the silence; the incident then shows who acknowledged,
/// the comment and until when; Unsilence ends it.
#[test]
fn acknowledge_with_a_comment_silences_and_unsilence_ends_it() {
    use common::alertmanager::{post_alert, start_alertmanager};
    let Some(am) = start_alertmanager() else {
        return;
    };
    let starts_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    post_alert(&am, &starts_at, None);
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::default();
    settings.intake.alertmanager_urls = vec![am.url.clone()];
    settings.intake.poll_interval_secs = 1;
    settings.responder = "lee".into();
    Store::new(dir.path()).save_settings(&settings).unwrap();
    let mut h = harness(dir.path());
    wait_for(&mut h, "the incident from the polled alert", |h| {
        h.query_by_label("Alertmanager alerts").is_some()
    });
    h.get_by_label("Acknowledge").click();
    h.run_steps(2);
    // The comment starts as the incident's title; the responder replaces it.
    set_field(&mut h, "Silence comment", "rolling back checkout");
    h.get_by_label("Create silence").click();
    wait_for(&mut h, "the acknowledgement", |h| {
        h.query_by_label("Acknowledged").is_some()
            // In the incident, its timeline and the feed.
            && h
                .query_all_by_label_contains("\"rolling back checkout\"")
                .count()
                >= 2
    });
    let silence = {
        let snap = h.state().engine().snapshot();
        let ack = snap.incidents[0]
            .alerts
            .as_ref()
            .unwrap()
            .ack
            .clone()
            .unwrap();
        assert_eq!(ack.by, "lee");
        assert_eq!((ack.until - ack.at).num_minutes(), 60, "the default hour");
        ack.silences[0].id.clone()
    };
    let held = common::http_get(am.port, "/api/v2/silences");
    assert!(held.contains(&silence) && held.contains("rolling back checkout"));
    h.get_by_label("Unsilence").click();
    wait_for(&mut h, "the acknowledgement ended", |h| {
        h.query_by_label("Acknowledgement ended").is_some()
    });
    drop(am.proc);
}

/// The Alertmanager settings tab: a bad URL is refused in words, a good one is saved with the
/// responder's name and (from the Desktop tab) the desktop severities.
#[test]
fn the_alertmanager_tab_saves_urls_name_and_notifications() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.get_by_label("Settings").click();
    h.run_steps(2);
    h.get_by_label("Alertmanager").click();
    h.run_steps(2);
    set_field(&mut h, "Alertmanager URLs (one per line)", "ftp://am:9093");
    h.get_by_label("Save settings").click();
    h.run_steps(2);
    h.get_by_label_contains("must start with http:// or https://");
    set_field(
        &mut h,
        "Alertmanager URLs (one per line)",
        "http://127.0.0.1:1",
    );
    set_field(&mut h, "Your name (silences' author)", "park.oncall");
    // The desktop severities are on their own tab; one Save keeps both tabs' drafts.
    h.get_by_label("Desktop").click();
    h.run_steps(2);
    set_field(
        &mut h,
        "Notify for new alerts of severity",
        "critical, page",
    );
    h.get_by_label("Save settings").click();
    wait_for(&mut h, "the saved settings", |h| {
        h.state().engine().snapshot().settings.responder == "park.oncall"
    });
    let s = h.state().engine().snapshot().board.settings;
    assert_eq!(s.intake.alertmanager_urls, vec!["http://127.0.0.1:1"]);
    assert_eq!(s.desktop.severities, vec!["critical", "page"]);
}

/// Turning the receiver on without a token gives it a random one: the tab shows the
/// alertmanager.yml entry with the token masked, Copy puts the whole entry on the clipboard,
/// and a webhook without the token is refused. A token cleared later stays cleared.
#[test]
fn turning_the_receiver_on_makes_a_token_and_shows_its_alertmanager_entry() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.get_by_label("Settings").click();
    h.run_steps(2);
    h.get_by_label("Alertmanager").click();
    h.run_steps(2);
    h.get_by_label("Receive webhooks").click();
    // Port 0: the receiver takes one of its own, and the entry names the port it got.
    set_field(&mut h, "Listen on", "127.0.0.1:0");
    h.get_by_label("Save settings").click();
    wait_for(&mut h, "the saved settings", |h| {
        h.state().engine().snapshot().settings.intake.enabled
    });
    let port = common::receiver_port(&h.state().engine().state);
    let token = h
        .state()
        .engine()
        .snapshot()
        .settings
        .intake
        .token
        .expose()
        .to_string();
    assert_eq!(token.len(), 48, "{token}");
    assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
    let file = std::fs::read_to_string(dir.path().join("settings.ron")).unwrap();
    assert!(
        file.contains(&token),
        "the token is kept in the settings file"
    );
    assert!(feed_any(&h, |e| matches!(
        e.event,
        FeedEvent::IntakeTokenMade
    )));
    h.run_steps(2);
    h.get_by_label("In alertmanager.yml, for this receiver:");
    h.get_by_label_contains("credentials: \"••••••••\"");
    assert!(
        h.query_by_label_contains(&token).is_none(),
        "the token is not drawn"
    );
    h.get_by_label("Copy alertmanager.yml entry").click();
    h.run_steps(1);
    let copied: Vec<String> = h
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    assert!(
        copied
            .iter()
            .any(|t| t.contains(&format!("credentials: \"{token}\""))
                && t.contains(&format!("url: http://127.0.0.1:{port}/"))),
        "{copied:?}"
    );

    // Without the token: refused.
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let body = group("g", "HighErrorRate", "critical", "f1", "");
    let req = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");

    // Cleared by the responder, with the receiver on: it stays cleared.
    h.get_by_label("Receiver token").focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.key_press(egui::Key::Backspace);
    h.run_steps(2);
    h.get_by_label("Save settings").click();
    wait_for(&mut h, "the token cleared", |h| {
        h.state()
            .engine()
            .snapshot()
            .settings
            .intake
            .token
            .is_empty()
    });
    h.run_steps(2);
    h.get_by_label_contains("without a token");
}

/// Two real Alertmanagers, each with its own alert; one is stopped: the Alerts tab shows a
/// banner for it (failing since, why, its last good poll), its alert is marked "not
/// confirmed", and the other's alert is not.
#[test]
fn one_alertmanager_down_is_a_banner_and_its_alerts_are_marked() {
    use common::alertmanager::{post_alerts, start_alertmanager};
    let Some(am1) = start_alertmanager() else {
        return;
    };
    let Some(am2) = start_alertmanager() else {
        return;
    };
    let starts_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let one = |name: &str| {
        format!(
            r#"[{{"labels": {{"alertname": "{name}", "severity": "warning"}}, "startsAt": "{starts_at}"}}]"#
        )
    };
    post_alerts(&am1, &one("DiskFillingUp"));
    post_alerts(&am2, &one("QueueBacklog"));
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::default();
    settings.intake.alertmanager_urls = vec![am1.url.clone(), am2.url.clone()];
    settings.intake.poll_interval_secs = 1;
    settings.intake.timeout_secs = 1;
    Store::new(dir.path()).save_settings(&settings).unwrap();
    let mut h = harness(dir.path());
    wait_for(&mut h, "both alerts", |h| {
        h.query_by_label("Alerts (2 firing)").is_some()
    });
    h.get_by_label("Alerts (2 firing)").click();
    h.run_steps(2);
    assert!(h.query_by_label("not confirmed").is_none());
    let url2 = am2.url.clone();
    drop(am2);
    wait_for(&mut h, "the banner", |h| {
        h.query_by_label_contains(&format!("Alertmanager {url2} failing since"))
            .is_some()
    });
    h.get_by_label_contains("last good poll");
    assert_eq!(h.query_all_by_label("not confirmed").count(), 1);
    // The mark is on the stopped one's alert: on its line, before its name.
    let mark = h.get_by_label("not confirmed").rect();
    let queue = h.get_by_label("QueueBacklog").rect();
    let disk = h.get_by_label("DiskFillingUp").rect();
    assert!((mark.center().y - queue.center().y).abs() < 2.0);
    assert!((mark.center().y - disk.center().y).abs() > 2.0);
    drop(am1);
}

/// Against a real Alertmanager: the alerts a filter matches are picked at once and
/// acknowledged with one comment as one silence each; another set as one silence of their
/// common matchers, the form saying how many silences and what else it would silence.
#[test]
fn bulk_acknowledge_of_a_filtered_set_creates_the_silences_it_says() {
    use common::alertmanager::{post_alerts, start_alertmanager};
    let Some(am) = start_alertmanager() else {
        return;
    };
    let starts_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let alert = |name: &str, team: &str, instance: &str| {
        format!(
            r#"{{"labels": {{"alertname": "{name}", "severity": "warning", "team": "{team}", "instance": "{instance}"}}, "startsAt": "{starts_at}"}}"#
        )
    };
    let all = [
        alert("CheckoutLatency", "payments", "p1"),
        alert("CheckoutLatency", "payments", "p2"),
        alert("CheckoutLatency", "payments", "p3"),
        alert("IndexLag", "search", "s1"),
        alert("IndexLag", "search", "s2"),
    ];
    post_alerts(&am, &format!("[{}]", all.join(",")));
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::default();
    settings.intake.alertmanager_urls = vec![am.url.clone()];
    settings.intake.poll_interval_secs = 1;
    settings.responder = "lee".into();
    Store::new(dir.path()).save_settings(&settings).unwrap();
    let mut h = harness(dir.path());
    wait_for(&mut h, "the five alerts", |h| {
        h.query_by_label("Alerts (5 firing)").is_some()
    });
    h.get_by_label("Alerts (5 firing)").click();
    h.run_steps(2);
    set_field(&mut h, "Alert filter", r#"{team="payments"}"#);
    h.get_by_label("Select all matching the filter (3)").click();
    h.run_steps(2);
    h.get_by_label("3 picked, 3 firing");
    set_field(&mut h, "Bulk silence comment", "db failover, on it");
    h.get_by_label("Create 3 silences").click();
    wait_acknowledged_many(&mut h, (3, 3, false));
    let ours = silences_with_comment(am.port, "db failover, on it");
    assert_eq!(ours.len(), 3, "{ours:#?}");
    assert!(
        ours.iter()
            .all(|s| s["createdBy"] == "lee" && s["matchers"].as_array().unwrap().len() == 4)
    );

    set_field(&mut h, "Alert filter", r#"{team="search"}"#);
    h.get_by_label("Select all matching the filter (2)").click();
    h.run_steps(2);
    h.get_by_label_contains(
        r#"One silence of their common matchers {alertname="IndexLag", severity="warning", team="search"} (1 silence; it also silences 0 alerts not picked)"#,
    )
    .click();
    h.run_steps(2);
    set_field(&mut h, "Bulk silence comment", "reindexing");
    h.get_by_label("Create 1 silence").click();
    wait_acknowledged_many(&mut h, (2, 1, true));
    let common = silences_with_comment(am.port, "reindexing");
    assert_eq!(common.len(), 1, "{common:#?}");
    let names: Vec<&str> = common[0]["matchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "alertname, severity, team: not instance");
    assert!(!names.contains(&"instance"));
    drop(am.proc);
}

/// Who has it, in the window: a silence made with amtool shows its author on the incident
/// from its alert, and the list of acknowledgements holds it as active.
#[test]
fn a_silence_made_elsewhere_shows_who_on_the_incident_and_in_the_list_of_acks() {
    use common::alertmanager::{post_alert, start_alertmanager};
    let Some(am) = start_alertmanager() else {
        return;
    };
    let starts_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    post_alert(&am, &starts_at, None);
    common::alertmanager::amtool_silence(&am, "lee.sre", "failing over", "2h");
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::default();
    settings.intake.alertmanager_urls = vec![am.url.clone()];
    settings.intake.poll_interval_secs = 1;
    Store::new(dir.path()).save_settings(&settings).unwrap();
    let mut h = harness(dir.path());
    wait_for(&mut h, "the incident says who silenced it", |h| {
        h.query_all_by_label_contains("silenced by lee.sre")
            .next()
            .is_some()
    });
    h.get_by_label_contains("Alerts (").click();
    h.run_steps(2);
    h.get_by_label("Acknowledgements (1)").click();
    h.run_steps(2);
    h.get_by_label_contains("1 acknowledgement · 0 stale");
    h.get_by_label("active");
    h.get_by_label("lee.sre");
    h.get_by_label("\"failing over\"");
    drop(am.proc);
}

/// Reminders and escalation are set in the Alertmanager tab: saved as typed, a bad number
/// refused in words.
#[test]
fn reminders_and_escalation_are_set_in_the_alertmanager_tab() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.get_by_label("Settings").click();
    h.run_steps(2);
    h.get_by_label("Alertmanager").click();
    h.run_steps(2);
    h.get_by_label("Reminders and escalation").click();
    h.run_steps(2);
    set_field(&mut h, "Escalate after (min)", "soon");
    // Below the fold with the section open: pressed as a screen reader would.
    h.get_by_label("Save settings").click_accesskit();
    h.run_steps(2);
    h.get_by_label_contains("Escalate after (min): \"soon\" is not a whole number");
    set_field(&mut h, "Escalate after (min)", "5");
    set_field(&mut h, "Escalation mention (Slack)", "<!subteam^S0ONCALL>");
    h.get_by_label("Save settings").click_accesskit();
    wait_for(&mut h, "the saved settings", |h| {
        h.state()
            .engine()
            .snapshot()
            .settings
            .intake
            .escalate_after_mins
            == 5
    });
    let saved = h.state().engine().snapshot().settings.intake.clone();
    assert_eq!(saved.escalate_mention, "<!subteam^S0ONCALL>");
    assert_eq!(saved.remind_after_mins, 30, "the default kept");
    assert_eq!(saved.escalate_severities, ["critical"]);
}

/// The Desktop tab: a time of day that is not one is refused in words; quiet hours, the
/// volume and the tray's choices are saved.
#[test]
fn the_desktop_tab_saves_quiet_hours_volume_and_tray() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.get_by_label("Settings").click();
    h.run_steps(2);
    h.get_by_label("Desktop").click();
    h.run_steps(2);
    h.get_by_label("Quiet hours").click();
    h.run_steps(2);
    set_field(&mut h, "from", "25:00");
    h.get_by_label("Save settings").click();
    h.run_steps(2);
    h.get_by_label_contains("is not a time of day such as 22:00");
    set_field(&mut h, "from", "23:30");
    set_field(&mut h, "until", "06:45");
    set_field(&mut h, "Volume (%)", "40");
    h.get_by_label("Start at login").click();
    h.get_by_label("Save settings").click();
    wait_for(&mut h, "the saved settings", |h| {
        h.state().engine().snapshot().settings.desktop.volume_pct == 40
    });
    let d = h.state().engine().snapshot().board.settings.desktop;
    assert!(d.quiet.enabled);
    assert_eq!(d.quiet.start.format("%H:%M").to_string(), "23:30");
    assert_eq!(d.quiet.end.format("%H:%M").to_string(), "06:45");
    assert!(d.start_at_login && d.tray && d.close_to_tray);
}
