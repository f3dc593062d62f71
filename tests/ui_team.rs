//! Team mode in the window, by label, with a team store that cannot be reached: the
//! incident's owner row takes it with one click, the Execute dialog asks the responder to
//! say they work alone before a high-risk action may run, and the list of acknowledgements
//! says who has the incident.

mod common;

use egui_kittest::kittest::{NodeT, Queryable};
use incident_console::model::{PlanState, Secret, TeamStatus};
use incident_console::store::Store;

use common::actions::{runbook, settings};
use common::ui::{harness, set_field, trigger_from_ui, wait_for};

#[test]
fn alone_an_incident_is_taken_with_a_click_and_a_high_risk_run_needs_the_word_alone() {
    let dir = tempfile::tempdir().unwrap();
    runbook(
        dir.path(),
        r#"(title: (en: "Fail over the database", ko: "DB 페일오버"), command: "dbctl failover", risk: High, kind: Simulated)"#,
    );
    let mut s = settings(false, &[], &[]);
    s.responder = "kim".into();
    // Nothing listens on port 1: the console works alone from the start.
    s.team.database_url = Secret::new(format!(
        "postgres://incident_console:pw@{}/incidents",
        common::closed_port_url().trim_start_matches("http://")
    ));
    Store::new(dir.path()).save_settings(&s).unwrap();
    let mut h = harness(dir.path());
    let engine = |h: &egui_kittest::Harness<'static, incident_console::ui::ConsoleApp>| {
        h.state().engine().state.lock().board.clone()
    };
    wait_for(&mut h, "working alone", |h| {
        matches!(engine(h).team, TeamStatus::Alone { .. })
    });
    trigger_from_ui(&mut h, "Checkout 5xx (test_actions)");
    h.get_by_label("nobody yet");
    h.get_by_label("Take").click();
    wait_for(&mut h, "kim has it", |h| {
        engine(h).incidents[0].owner() == Some("kim")
    });
    h.run_steps(2);
    assert!(
        h.query_by_label("Take").is_none(),
        "nothing to take: kim has it"
    );

    h.get_by_label("Execute plan…").click();
    h.run_steps(2);
    // Opened alone, it has a provisional id, shown and typed as L1.
    assert!(
        h.query_all_by_label_contains("#L1 Checkout 5xx")
            .next()
            .is_some()
    );
    set_field(&mut h, "Type L1 to confirm action 1", "l1");
    h.get_by_label("The team store is unreachable: another console may act on this incident too.");
    assert!(h.get_by_label("Execute now").accesskit_node().is_disabled());
    set_field(
        &mut h,
        "Type \"alone\" to run its high-risk actions anyway",
        "alone",
    );
    assert!(!h.get_by_label("Execute now").accesskit_node().is_disabled());
    h.get_by_label("Execute now").click();
    wait_for(&mut h, "executed alone", |h| {
        matches!(engine(h).incidents[0].plan.state, PlanState::Executed(_))
    });
    // Who has it, beside the acknowledgements: kim, since the Take.
    h.get_by_label_contains("Alerts (").click();
    h.run_steps(2);
    h.get_by_label("Acknowledgements (0)").click();
    h.run_steps(2);
    h.get_by_label("Incidents and who has them");
    h.get_by_label("#L1 test_actions");
    h.get_by_label_contains("has it for");
}
