//! The incident's timeline in the window, by label: a note typed and entered lands on it with
//! its author, an edit is a new event, a star is one click, and the key times are shown.

use egui_kittest::kittest::Queryable;
use incident_console::model::{IncidentEventKind, Settings};
use incident_console::store::Store;

mod common;

use common::ui::{harness, trigger_from_ui, wait_for};

#[test]
fn a_note_is_entered_edited_and_starred_from_the_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        responder: "kim".into(),
        ..Default::default()
    };
    Store::new(dir.path()).save_settings(&settings).unwrap();
    let mut h = harness(dir.path());
    trigger_from_ui(&mut h, "Nginx 5xx surge on checkout API (http_5xx_surge)");
    h.get_by_label_contains("Timeline (");
    h.get_by_label("Write review…");
    h.get_by_label_contains("detect 0s");

    h.get_by_label("Note").focus();
    h.run_steps(1);
    h.get_by_label("Note").type_text("LB 502s since the deploy");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    let timeline = |h: &egui_kittest::Harness<'static, incident_console::ui::ConsoleApp>| {
        h.state().engine().state.lock().board.incidents[0]
            .timeline
            .clone()
    };
    wait_for(&mut h, "the note", |h| {
        timeline(h)
            .iter()
            .any(|e| e.kind == IncidentEventKind::Note)
    });
    let note = timeline(&h)
        .into_iter()
        .find(|e| e.kind == IncidentEventKind::Note)
        .unwrap();
    assert_eq!(
        note.author,
        incident_console::model::Author::Responder("kim".into())
    );
    h.run_steps(2);
    h.get_by_label_contains("kim  LB 502s since the deploy");

    // Edit: the box takes the note's text; saving adds an edit, the note stays.
    // Below the fold of the test's small window: pressed through accessibility, as a screen
    // reader would.
    h.get_by_label("Edit").click_accesskit();
    h.run_steps(2);
    assert_eq!(
        h.get_by_label("Note").value().as_deref(),
        Some("LB 502s since the deploy"),
        "the box holds the note"
    );
    common::ui::set_field(&mut h, "Note", "LB 502s since the 08:55 deploy");
    h.get_by_label("Save edit").click_accesskit();
    wait_for(&mut h, "the edit", |h| {
        timeline(h)
            .iter()
            .any(|e| e.kind == IncidentEventKind::NoteEdited)
    });

    // Star it (its row's star is the last one: the note is the newest row).
    h.get_all_by_label("☆").last().unwrap().click_accesskit();
    wait_for(&mut h, "the star", |h| {
        let st = h.state().engine().state.lock();
        st.board.incidents[0].is_starred(note.id)
    });
    h.run_steps(2);
    assert_eq!(h.get_all_by_label("★").count(), 1);
    let st = h.state().engine().state.lock();
    let inc = &st.board.incidents[0];
    assert_eq!(
        inc.note_text(note.id),
        Some("LB 502s since the 08:55 deploy")
    );
    assert!(
        inc.timeline.iter().any(|e| e.id == note.id),
        "the note stays as written"
    );
}

#[test]
fn review_sections_and_follow_ups_are_written_on_the_incident() {
    use incident_console::model::{FollowUpStatus, ReviewSection};
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    trigger_from_ui(&mut h, "Nginx 5xx surge on checkout API (http_5xx_surge)");
    h.get_by_label("Review").click_accesskit();
    h.run_steps(2);
    common::ui::set_field(&mut h, "What went well", "the rollback took two minutes");
    // Each section has its own Save; the first is What went well's.
    h.get_all_by_label("Save").next().unwrap().click_accesskit();
    let incident = |h: &egui_kittest::Harness<'static, incident_console::ui::ConsoleApp>| {
        h.state().engine().state.lock().board.incidents[0].clone()
    };
    wait_for(&mut h, "the section", |h| {
        incident(h).review_section(ReviewSection::WentWell) == Some("the rollback took two minutes")
    });

    // A due date that is not one is said, and Add waits for a good one.
    common::ui::set_field(&mut h, "New follow-up", "alert on the gateway's p99");
    common::ui::set_field(&mut h, "Owner", "lee");
    common::ui::set_field(&mut h, "Due", "next week");
    h.get_by_label("due date as YYYY-MM-DD");
    common::ui::set_field(&mut h, "Due", "2026-12-10");
    assert!(h.query_by_label("due date as YYYY-MM-DD").is_none());
    h.get_by_label("Add").click_accesskit();
    wait_for(&mut h, "the follow-up", |h| {
        incident(h).follow_ups().len() == 1
    });
    let (_, item) = incident(&h).follow_ups().remove(0);
    assert_eq!(item.owner, "lee");
    assert_eq!(item.due, chrono::NaiveDate::from_ymd_opt(2026, 12, 10));
    assert_eq!(item.status, FollowUpStatus::Open);

    // The Reports view counts it under its runbook and rule.
    h.get_by_label("Reports").click();
    h.run_steps(2);
    h.get_by_label("7 days");
    h.get_by_label("Runbook");
    h.get_by_label("http_5xx_surge");
    h.get_by_label("http_error_rate");
}
