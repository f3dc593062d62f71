//! The Settings window and its Rules tab, clicked by label: add a rule, Test its query against a
//! Prometheus (an in-process fake of its API), Save it, and see its card.

use egui_kittest::kittest::Queryable;
use incident_console::model::Settings;
use incident_console::store::Store;

mod common;

use common::ui::{harness, harness_with, open_settings, set_field, wait_for};

/// Scrolls the Settings window to the button, as a user would, then clicks it.
fn click_in_view(
    h: &mut egui_kittest::Harness<'static, incident_console::ui::ConsoleApp>,
    label: &str,
) {
    h.get_by_label(label).scroll_to_me();
    h.run_steps(3);
    h.get_by_label(label).click();
    h.run_steps(2);
}

#[test]
fn the_settings_window_opens_from_the_top_bar_and_closes() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    assert!(
        h.query_by_label("Save settings").is_none(),
        "closed at start: the incident has the room"
    );
    h.get_by_label("Settings").click();
    h.run_steps(2);
    h.get_by_label("Save settings");
    h.get_by_label("Settings").click();
    h.run_steps(2);
    assert!(h.query_by_label("Save settings").is_none());
}

#[test]
fn the_rules_tab_adds_a_rule_tests_its_query_and_saving_draws_its_card() {
    let fake = common::FakeProm::start(
        common::Reply::Json(common::vector(&[("queue-a", "42"), ("queue-b", "7")])),
        common::Reply::Json(common::matrix(&["queue-a", "queue-b"], "5", 10)),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings {
        demo_mode: false,
        ..Settings::default()
    };
    settings.prometheus.base_url = fake.url.clone();
    Store::new(dir.path()).save_settings(&settings).unwrap();
    let mut h = harness_with(dir.path(), false, 3600);

    open_settings(&mut h, "Rules");
    // The built-in rules are listed with where they come from.
    h.get_by_label("Edit http_error_rate");
    h.get_by_label("Edit cpu_usage");
    h.get_by_label("Add rule").click();
    h.run_steps(2);
    set_field(&mut h, "Rule id", "queue_depth");
    set_field(&mut h, "Title (English)", "Queue depth");
    set_field(&mut h, "Title (Korean)", "큐 길이");
    set_field(&mut h, "Query (PromQL)", "sum by (instance) (queue_depth)");
    set_field(&mut h, "Threshold", "oops");
    h.get_by_label("Save rule").click();
    h.run_steps(2);
    h.get_by_label("threshold: \"oops\" is not a number");
    set_field(&mut h, "Threshold", "40");

    h.get_by_label("Test query").click();
    wait_for(&mut h, "the test's values", |h| {
        h.query_by_label("queue_depth: queue-a = 42, queue-b = 7")
            .is_some()
    });
    assert!(!dir.path().join("rules").exists(), "Test writes nothing");

    h.get_by_label("Save rule").click();
    wait_for(&mut h, "the new rule's card", |h| {
        h.query_by_label("Queue depth").is_some()
    });
    h.get_by_label("(queue_depth)");
    let text = std::fs::read_to_string(dir.path().join("rules/queue_depth.ron")).unwrap();
    assert!(text.contains("threshold: 40.0"), "{text}");
    let rule = incident_console::rules::parse("queue_depth.ron", &text).unwrap();
    assert_eq!(rule.title.ko, "큐 길이");
    // Its series are polled and drawn: queue-a is over 40. Adding a rule does not disturb
    // the others: no re-fire of the incidents the built-in rules opened.
    wait_for(&mut h, "its worst series on the card", |h| {
        h.query_by_label("42  (queue-a)").is_some()
    });
    assert!(!common::ui::feed_has(
        &h,
        incident_console::model::FeedKind::Refire,
        "re-fired"
    ));

    // Disable it: the card goes, the file stays (with enabled: false).
    click_in_view(&mut h, "Edit queue_depth");

    click_in_view(&mut h, "Watch this rule");
    click_in_view(&mut h, "Save rule");
    wait_for(&mut h, "the card to go", |h| {
        h.query_by_label("42  (queue-a)").is_none()
    });
    let text = std::fs::read_to_string(dir.path().join("rules/queue_depth.ron")).unwrap();
    assert!(text.contains("enabled: false"), "{text}");

    // Remove it: the file goes.
    click_in_view(&mut h, "Edit queue_depth");
    click_in_view(&mut h, "Remove rule");
    wait_for(&mut h, "the file to go", |_| {
        !dir.path().join("rules/queue_depth.ron").exists()
    });
    // The engine publishes at the end of the turn that removed the file.
    wait_for(&mut h, "the rule to leave the list", |h| {
        h.query_by_label("Edit queue_depth").is_none()
    });
}

#[test]
fn choosing_korean_applies_at_once_and_the_feed_follows() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.get_by_label("Trigger alert").click();
    wait_for(&mut h, "the English feed row", |h| {
        h.query_by_label_contains("random manual trigger of")
            .is_some()
    });
    open_settings(&mut h, "General");
    h.get_by_label("한국어").click();
    wait_for(&mut h, "the Korean feed row", |h| {
        h.query_by_label_contains("무작위 수동 발생").is_some()
    });
    assert!(
        h.query_by_label_contains("random manual trigger of")
            .is_none()
    );
    // The whole window follows, and no Save was pressed: it is on disk already.
    h.get_by_label("이벤트 피드");
    let saved = Store::new(dir.path()).restore().settings.unwrap();
    assert_eq!(saved.language, incident_console::model::Lang::Ko);
    // The filter matches the words as shown.
    common::ui::set_field(&mut h, "필터", "수동 발생");
    h.get_by_label_contains("1 / ");
}
