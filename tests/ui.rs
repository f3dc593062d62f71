//! Clicks through the real console by label with egui_kittest, against a real engine thread.

use egui_kittest::kittest::{NodeT, Queryable};
use incident_console::model::{FeedKind, HypothesisMark, IncidentStatus, Lang, PlanState};
use incident_console::store::Store;

mod common;

use common::ui::{
    feed_has, harness, harness_with, open_settings, set_field, trigger_from_ui, wait_for,
};

#[test]
fn trigger_mark_execute_verify() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());

    trigger_from_ui(&mut h, "Nginx 5xx surge on checkout API (http_5xx_surge)");
    assert_eq!(
        h.get_all_by_label("Confirmed").count(),
        3,
        "three hypotheses, each markable"
    );
    h.get_by_label_contains("broke request validation");
    h.get_by_label_contains("payment provider is timing out");
    h.get_by_label_contains("cold-start");
    h.get_by_label("요약");
    h.get_by_label("근본 원인");

    // Mark the first hypothesis confirmed; it is kept with the incident.
    h.get_all_by_label("Confirmed").next().unwrap().click();
    wait_for(&mut h, "the mark to be recorded", |h| {
        h.state().engine().state.lock().board.incidents[0].marks[0] == HypothesisMark::Confirmed
    });
    h.get_by_label_contains("담당자가 확인한 원인");

    // Execute: the confirmation lists each action and guards the high-risk one.
    h.get_by_label("Execute plan…").click();
    // The dialog lists what will run once the engine has prepared it.
    wait_for(&mut h, "the engine's preview", |h| {
        h.query_by_label_contains("kubectl -n checkout rollout undo")
            .is_some()
    });
    // The high-risk rollback asks for the incident id, typed: until then Execute is off.
    assert!(h.get_by_label("Execute now").accesskit_node().is_disabled());
    set_field(&mut h, "Type 1 to confirm action 1", "1");
    assert!(!h.get_by_label("Execute now").accesskit_node().is_disabled());
    h.get_by_label("Execute now").click();
    wait_for(&mut h, "the plan to run", |h| {
        matches!(
            h.state().engine().state.lock().board.incidents[0]
                .plan
                .state,
            PlanState::Executed(_)
        )
    });
    assert_eq!(
        h.state().engine().state.lock().board.incidents[0].status,
        IncidentStatus::Mitigating
    );
    h.get_by_label_contains("#1 http_5xx_surge · executed");
    assert_eq!(
        h.get_all_by_label_contains("simulated · ").count(),
        3,
        "one result per action"
    );

    // Verify puts a line in the feed.
    h.get_by_label("Verify recovery").click();
    wait_for(&mut h, "the verification line", |h| {
        feed_has(h, FeedKind::Verification, "Verification http_error_rate=")
    });
    // Shown in the header, as a feed row, and on the incident's timeline.
    let lines: Vec<String> = h
        .get_all_by_label_contains("Verification http_error_rate=")
        .filter_map(|n| n.value())
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines.iter().any(|l| l.contains("  verified  ")),
        "the timeline's row: {lines:?}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l.contains("(threshold 5.00 %), cpu_usage=")),
        "{lines:?}"
    );

    // Close it.
    h.get_by_label("Close incident").click();
    wait_for(&mut h, "the incident to close", |h| {
        h.state().engine().state.lock().board.incidents[0].status == IncidentStatus::Closed
    });
}

#[test]
fn settings_validate_in_words_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    open_settings(&mut h, "Prometheus");

    let field = h.get_by_label("HTTP threshold");
    field.focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("HTTP threshold").type_text("abc");
    h.run_steps(2);
    h.get_by_label("Save settings").click();
    h.run_steps(2);
    h.get_by_label("HTTP threshold: \"abc\" is not a number");

    h.get_by_label("HTTP threshold").focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("HTTP threshold").type_text("0.07");
    let url = h.get_by_label("Base URL");
    url.focus();
    h.run_steps(1);
    h.get_by_label("Base URL")
        .type_text("http://127.0.0.1:9090");
    h.run_steps(2);
    h.get_by_label("Save settings").click();
    wait_for(&mut h, "the settings to be saved", |h| {
        saved_settings(h).prometheus.http_threshold == 0.07
    });
    // --demo wins over a saved URL, and the tab says so rather than pretending to be live.
    h.get_by_label_contains("Demo mode is on");
    assert!(
        h.query_by_label("HTTP threshold: \"abc\" is not a number")
            .is_none()
    );

    // Restart the harness (and its engine) on the same data dir.
    let mut app = h.into_state();
    app.shutdown();
    drop(app);
    let mut h = harness(dir.path());
    open_settings(&mut h, "Prometheus");
    assert_eq!(
        h.get_by_label("HTTP threshold").value().as_deref(),
        Some("0.07")
    );
    assert_eq!(
        h.get_by_label("Base URL").value().as_deref(),
        Some("http://127.0.0.1:9090")
    );
}

#[test]
fn korean_ui_renders_hangul() {
    let dir = tempfile::tempdir().unwrap();
    let settings = incident_console::model::Settings {
        language: Lang::Ko,
        ..Default::default()
    };
    Store::new(dir.path()).save_settings(&settings).unwrap();
    let mut h = harness(dir.path());
    h.get_by_label("알림 발생").click();
    wait_for(&mut h, "an incident", |h| {
        h.query_by_label("상위 3개 가설").is_some()
    });
    h.get_by_label("이벤트 피드");
    // The incident's own timeline reads in Korean too.
    // Open by default, with its event count.
    h.get_by_label_contains("타임라인 (");
    assert!(
        h.query_all_by_label_contains("  열림  ").any(|n| n
            .value()
            .is_some_and(|v| v.contains("수동 발생, 인시던트 #1 열림"))),
        "the timeline entry in Korean"
    );
    // Verify's line in the top bar is in Korean too, as the feed row and the timeline's are.
    h.get_by_label("복구 검증").click();
    wait_for(&mut h, "the Korean verification", |h| {
        h.query_all_by_label_contains("복구 검증 HTTP 오류율")
            .count()
            == 3
    });
    h.get_by_label("설정").click();
    h.run_steps(2);
    h.get_by_label("설정 저장");
}

#[test]
fn defer_lists_the_plan_and_the_feed_filter_narrows_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    trigger_from_ui(&mut h, "Edge node CPU spike (cpu_spike_core)");
    h.get_by_label("Defer").click();
    wait_for(&mut h, "the plan to be deferred", |h| {
        matches!(
            h.state().engine().state.lock().board.incidents[0]
                .plan
                .state,
            PlanState::Deferred(_)
        ) && feed_has(h, FeedKind::Action, "deferred for manual review")
    });
    h.get_by_label_contains("#1 cpu_spike_core · deferred");
    assert_eq!(h.get_all_by_label_contains("(kept for review)").count(), 3);

    // The feed holds the start line, the trigger, the one note that Slack (on by default) has
    // no token yet, and the deferral; the filter keeps one.
    let total = h.state().engine().state.lock().feed.len();
    assert_eq!(total, 4);
    assert!(feed_has(
        &h,
        FeedKind::Info,
        "Slack is a target but no bot token is set"
    ));
    let errors = h
        .state()
        .engine()
        .state
        .lock()
        .feed
        .iter()
        .filter(|e| e.kind == FeedKind::Error)
        .count();
    assert_eq!(errors, 0, "a first run shows no red ERROR");
    h.get_by_label(&format!("{total} / {total} entries"));
    h.get_by_label("Filter").focus();
    h.run_steps(1);
    h.get_by_label("Filter").type_text("deferred for manual");
    h.run_steps(3);
    h.get_by_label(&format!("1 / {total} entries"));
    assert!(h.query_by_label_contains("Console started").is_none());
    // The feed's row and the incident timeline's.
    let rows = h
        .get_all_by_label_contains("deferred for manual review (3 actions kept)")
        .count();
    assert_eq!(rows, 2);
}

#[test]
fn a_stopped_engine_is_said_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    assert!(
        h.query_by_label_contains("The engine has stopped")
            .is_none()
    );
    h.state_mut().shutdown();
    h.run_steps(2);
    h.get_by_label_contains("The engine has stopped");
}

#[test]
fn prometheus_test_shows_values_or_the_error_in_words() {
    let fake = common::FakeProm::start(
        common::Reply::Json(common::vector(&[
            ("edge-node-01", "0.042"),
            ("edge-node-02", "NaN"),
        ])),
        common::Reply::Hang,
    );
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    open_settings(&mut h, "Prometheus");
    set_field(&mut h, "Base URL", &fake.url);
    h.get_by_label("Test").click();
    wait_for(&mut h, "the test result", |h| {
        h.query_by_label("http_error_rate: edge-node-01 = 4.20 %, edge-node-02 = NaN")
            .is_some()
    });
    h.get_by_label("cpu_usage: edge-node-01 = 4.20 %, edge-node-02 = NaN");
    assert!(fake.hits() >= 2, "both queries ran");
    // Test saves nothing.
    assert_eq!(saved_settings(&h).prometheus.base_url, "");

    let closed = common::closed_port_url();
    set_field(&mut h, "Base URL", &closed);
    h.get_by_label("Test").click();
    wait_for(&mut h, "the connection error", |h| {
        h.query_by_label_contains(&format!("http_error_rate: cannot connect to {closed}"))
            .is_some()
    });

    set_field(&mut h, "Base URL", "localhost:9090");
    h.get_by_label("Test").click();
    h.run_steps(2);
    h.get_by_label("base URL: \"localhost:9090\" must start with http:// or https://");
}

#[test]
fn saving_prometheus_settings_switches_to_the_live_source_at_once() {
    let fake = common::FakeProm::start(
        common::Reply::Json(common::vector(&[
            ("edge-node-01", "0.5"),
            ("edge-node-02", "0.25"),
        ])),
        common::Reply::Json(common::matrix(&["edge-node-01", "edge-node-02"], "0.3", 20)),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_with(dir.path(), false, 1);
    h.get_by_label_contains("Demo data (offline, simulated)");
    open_settings(&mut h, "General");
    h.get_by_label("Use simulated metrics").click();
    h.run_steps(1);
    open_settings(&mut h, "Prometheus");
    set_field(&mut h, "Base URL", &fake.url);
    set_field(&mut h, "Hotspot label", "instance");
    h.get_by_label("Save settings").click();
    wait_for(&mut h, "the live status line", |h| {
        h.query_by_label_contains("Live: Prometheus").is_some()
    });
    h.get_by_label_contains(&format!("Live: Prometheus {}", fake.url));
    // The card shows the live value and its node.
    assert_eq!(h.get_all_by_label("50.00 %  (edge-node-01)").count(), 2);
    assert!(feed_has(&h, FeedKind::Status, "Connected to Prometheus"));

    // The server goes bad: the values stay, marked stale, and the line says why.
    fake.set_instant(common::Reply::Json("oops".into()));
    wait_for(&mut h, "the failing status line", |h| {
        h.query_by_label_contains("failing since").is_some()
    });
    assert_eq!(h.get_all_by_label("stale").count(), 2, "both cards");
    assert_eq!(
        h.get_all_by_label_contains("did not answer with Prometheus API JSON")
            .count(),
        2,
        "the status line and its one feed line"
    );
}

const SLACK_TOKEN: &str = "xoxb-ui-test-token";

#[test]
fn slack_tab_adds_and_removes_channels_and_test_says_slacks_error_in_words() {
    let fake = common::notify::FakeSlack::start(SLACK_TOKEN);
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    open_settings(&mut h, "Slack");
    set_field(&mut h, "Bot token", "xoxb-wrong-token");
    set_field(&mut h, "API base URL", &fake.url);

    // A name Slack would refuse is refused here, in words; a good one joins the list.
    set_field(&mut h, "New channel", "#Payments Team");
    h.get_by_label("Add channel").click();
    h.run_steps(2);
    h.get_by_label_contains("lower-case letters");
    let before = h.get_all_by_label("Remove").count();
    set_field(&mut h, "New channel", "#payments-oncall");
    h.get_by_label("Add channel").click();
    h.run_steps(2);
    h.get_by_label("#payments-oncall");
    assert_eq!(h.get_all_by_label("Remove").count(), before + 1);
    assert!(h.query_by_label_contains("lower-case letters").is_none());
    h.get_all_by_label("Remove").last().unwrap().click();
    h.run_steps(2);
    assert!(h.query_by_label("#payments-oncall").is_none());
    assert_eq!(h.get_all_by_label("Remove").count(), before);

    // Test with the wrong token: Slack's error, in words, and the token is not shown.
    h.get_by_label("Test Slack").click();
    wait_for(&mut h, "the failed test", |h| {
        h.query_by_label_contains(&format!(
            "Slack ({}): invalid_auth: Slack does not accept this token",
            fake.url
        ))
        .is_some()
    });
    assert!(h.query_by_label_contains("xoxb-wrong-token").is_none());
    set_field(&mut h, "Bot token", SLACK_TOKEN);
    h.get_by_label("Test Slack").click();
    wait_for(&mut h, "the good test", |h| {
        h.query_by_label(&format!(
            "Slack ({}): connected to workspace \"Acme Ops\" as bot user \"incident-bot\" (https://acme-ops.slack.com/)",
            fake.url
        ))
        .is_some()
    });

    // Save keeps the list and the token, in a file only the owner can read.
    set_field(&mut h, "New channel", "#payments-oncall");
    h.get_by_label("Add channel").click();
    h.run_steps(2);
    h.get_by_label("Save settings").click();
    wait_for(&mut h, "the save", |h| {
        saved_settings(h)
            .slack
            .channels
            .contains(&"#payments-oncall".to_string())
    });
    let saved = saved_settings(&h).slack.clone();
    assert_eq!(saved.token.expose(), SLACK_TOKEN);
    assert_eq!(saved.api_base_url, fake.url);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("settings.ron"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let feed = h.state().engine().state.lock().feed.clone();
    assert!(feed.iter().all(|e| !common::en(e).contains(SLACK_TOKEN)));
}

#[test]
fn email_tab_adds_dedups_pages_and_removes_recipients() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    open_settings(&mut h, "Email");
    h.get_by_label_contains("Email is off: no SMTP host is set");
    h.get_by_label("Nothing mailed yet.");
    for i in 1..=6 {
        set_field(&mut h, "New recipient", &format!("oncall{i}@example.com"));
        h.get_by_label("Add recipient").click();
        h.run_steps(2);
    }
    // The sixth went to page 2, which is shown.
    h.get_by_label("Page 2 / 2");
    h.get_by_label("oncall6@example.com");
    assert!(h.query_by_label("oncall1@example.com").is_none());
    // A duplicate in other letter case, and a broken address, are refused in words.
    set_field(&mut h, "New recipient", "ONCALL2@Example.com");
    h.get_by_label("Add recipient").click();
    h.run_steps(2);
    h.get_by_label_contains("already a recipient");
    set_field(&mut h, "New recipient", "not-an-address");
    h.get_by_label("Add recipient").click();
    h.run_steps(2);
    h.get_by_label_contains("is not an email address");
    h.get_by_label("Previous").click();
    h.run_steps(2);
    h.get_by_label("Page 1 / 2");
    assert_eq!(h.get_all_by_label("Remove").count(), 5, "five per page");
    h.get_by_label("oncall1@example.com");
    h.get_all_by_label("Remove").next().unwrap().click();
    h.run_steps(2);
    assert!(h.query_by_label("oncall1@example.com").is_none());
    h.get_by_label("Page 1 / 1");
    h.get_by_label_contains("Email is off: no SMTP host is set");
    set_field(&mut h, "SMTP host", "mail.example.com");
    set_field(&mut h, "From", "incident-bot@example.com");
    h.get_by_label_contains("Email is on: mail.example.com:587, to 5 recipients");
    h.get_by_label("Save settings").click();
    wait_for(&mut h, "the save", |h| {
        saved_settings(h).email.recipients.len() == 5
    });
    let saved = saved_settings(&h).email.clone();
    assert_eq!(saved.recipients[0], "oncall2@example.com");
    assert_eq!(saved.smtp_host, "mail.example.com");
}

#[test]
fn a_pending_notification_is_shown_with_its_reason_and_can_be_acknowledged() {
    use common::notify::{FakeSlack, SlackReply};
    use incident_console::model::{JobState, Secret, Settings};
    let fake = FakeSlack::start(SLACK_TOKEN);
    fake.script([SlackReply::error("channel_not_found")]);
    let dir = tempfile::tempdir().unwrap();
    let mut s = Settings::default();
    s.slack.token = Secret::new(SLACK_TOKEN);
    s.slack.api_base_url = fake.url.clone();
    s.slack.channel = "#ops".into();
    Store::new(dir.path()).save_settings(&s).unwrap();
    let mut h = harness(dir.path());
    trigger_from_ui(&mut h, "Nginx 5xx surge on checkout API (http_5xx_surge)");
    wait_for(&mut h, "the pending report", |h| {
        h.query_by_label_contains("Not delivered: incident #1 report to Slack #ops")
            .is_some()
    });
    // The reason under the box (the feed says it too, after "pending: ").
    h.get_by_label(
        "channel_not_found: no such channel, or the bot cannot see it (a private channel needs an invite)",
    );
    h.get_by_label("Slack #ops report: pending");
    h.get_by_label("Acknowledge").click();
    wait_for(&mut h, "the acknowledgement", |h| {
        matches!(
            h.state().engine().state.lock().board.notifications[0].state,
            JobState::Acknowledged { .. }
        )
    });
    assert!(h.query_by_label("Acknowledge").is_none());
    // Send to Slack posts the report again by hand, now that the channel exists.
    h.get_by_label("Send to Slack").click();
    wait_for(&mut h, "the manual post", |h| {
        let _ = h;
        fake.posted().len() == 1
    });
    assert_eq!(fake.posted()[0].body["channel"], "#ops");
}

/// The settings in force in the harness's engine.
fn saved_settings(
    h: &egui_kittest::Harness<'static, incident_console::ui::ConsoleApp>,
) -> incident_console::model::Settings {
    h.state().engine().snapshot().board.settings
}
