//! Helpers for clicking through the real console with egui_kittest.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use incident_console::engine::{Engine, EngineConfig};
use incident_console::model::FeedKind;
use incident_console::store::Store;
use incident_console::ui::{ConsoleApp, setup_context};

pub fn harness(dir: &std::path::Path) -> Harness<'static, ConsoleApp> {
    // One sample at start, then quiet, so the clicks decide what happens.
    harness_with(dir, true, 3600)
}

pub fn harness_with(
    dir: &std::path::Path,
    force_demo: bool,
    poll_secs: u64,
) -> Harness<'static, ConsoleApp> {
    let handle = Engine::spawn(EngineConfig {
        force_demo,
        poll_override_secs: Some(poll_secs),
        ..EngineConfig::new(Store::new(dir))
    })
    .unwrap();
    assert!(handle.wait_restored(Duration::from_secs(10)));
    let app = ConsoleApp::new(handle);
    let mut h = Harness::builder()
        .with_size([1500.0, 1400.0])
        .with_context_setup(setup_context)
        .build_ui_state(|ui, app: &mut ConsoleApp| app.console_ui(ui), app);
    h.run_steps(3);
    h
}

/// Steps the UI until `cond` holds; the engine runs on its own thread, so this waits for it.
pub fn wait_for(
    h: &mut Harness<'static, ConsoleApp>,
    what: &str,
    cond: impl Fn(&Harness<'static, ConsoleApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        h.step();
        if cond(h) {
            h.run_steps(2);
            return;
        }
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Picks a runbook in the Scenario list, presses Trigger alert and waits for its incident.
pub fn trigger_from_ui(h: &mut Harness<'static, ConsoleApp>, scenario_label: &str) {
    h.get_by_label("Scenario").click();
    h.run_steps(2);
    h.get_by_label(scenario_label).click();
    h.run_steps(2);
    h.get_by_label("Trigger alert").click();
    wait_for(h, "the incident to show", |h| {
        h.query_by_label("Top-3 hypotheses").is_some()
    });
}

pub fn feed_has(h: &Harness<'static, ConsoleApp>, kind: FeedKind, needle: &str) -> bool {
    feed_any(h, |e| {
        e.kind == kind && crate::common::en(e).contains(needle)
    })
}

/// Whether any entry of the engine's feed is one `want` takes.
pub fn feed_any(
    h: &Harness<'static, ConsoleApp>,
    want: impl Fn(&incident_console::model::FeedEntry) -> bool,
) -> bool {
    h.state().engine().state.lock().feed.iter().any(want)
}

/// Replaces the text of the field labelled `label`.
pub fn set_field(h: &mut Harness<'static, ConsoleApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label(label).type_text(text);
    h.run_steps(2);
}

/// Opens the Settings window from the top bar (it starts closed) and picks `tab`.
pub fn open_settings(h: &mut Harness<'static, ConsoleApp>, tab: &str) {
    if h.query_by_label("Save settings").is_none() && h.query_by_label("Add rule").is_none() {
        h.get_by_label("Settings").click();
        h.run_steps(2);
    }
    h.get_by_label(tab).click();
    h.run_steps(2);
}
