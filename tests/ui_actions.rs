//! Actions that act, clicked through the window: the typed confirmation, the dry run's output
//! shown before the second approval, and the incident's audit lines.

mod common;

use egui_kittest::kittest::{NodeT, Queryable};
use incident_console::model::{ActionOutcome, PlanState};
use incident_console::store::Store;

use common::actions::{runbook, settings};
use common::ui::{harness, set_field, trigger_from_ui, wait_for};

#[test]
fn the_dry_run_output_shows_before_the_second_approval_and_the_audit_view_lists_each_step() {
    let dir = tempfile::tempdir().unwrap();
    runbook(
        dir.path(),
        r#"(title: (en: "Undo the rollout", ko: "롤아웃 되돌리기"), command: "kubectl rollout undo", risk: High,
            confirm_word: Some("rollback"),
            kind: Command((program: "/bin/echo", args: ["undone", "{{incident.id}}"],
                dry_run: Some((program: "/bin/echo", args: ["dry-run:", "would", "undo", "{{incident.id}}", "on", "{{series}}"])))))"#,
    );
    Store::new(dir.path())
        .save_settings(&settings(true, &["/bin/echo"], &[]))
        .unwrap();
    let mut h = harness(dir.path());
    trigger_from_ui(&mut h, "Checkout 5xx (test_actions)");
    let engine_plan = |h: &egui_kittest::Harness<'static, _>| {
        let app: &incident_console::ui::ConsoleApp = h.state();
        app.engine().state.lock().board.incidents[0].plan.clone()
    };

    h.get_by_label("Execute plan…").click();
    // The dialog says exactly what will run, filled as the engine will run it: the dry run
    // first, then the real run, and marks the value that came from outside (the series).
    wait_for(&mut h, "the engine's preview", |h| {
        h.query_all_by_label_contains("then, after your second approval: /bin/echo undone 1")
            .next()
            .is_some()
    });
    // (A manual trigger outside a breach has no series: empty, and still marked.)
    h.get_by_label_contains("dry run first: /bin/echo dry-run: would undo 1 on ''");
    h.get_by_label_contains("! from the series: series = ");
    assert!(
        h.query_all_by_label_contains("{{").next().is_none(),
        "no template is shown unfilled"
    );
    // The runbook's word, not the id, confirms this action; until it is typed, no run.
    assert!(h.get_by_label("Execute now").accesskit_node().is_disabled());
    set_field(&mut h, "Type \"rollback\" to confirm action 1", "1");
    assert!(h.get_by_label("Execute now").accesskit_node().is_disabled());
    set_field(&mut h, "Type \"rollback\" to confirm action 1", "rollback");
    assert!(!h.get_by_label("Execute now").accesskit_node().is_disabled());
    h.get_by_label("Execute now").click();

    wait_for(&mut h, "the dry run's output", |h| {
        // Its output ("dry-run: would undo 1" and a newline), not only the command line.
        h.query_all_by_label_contains("dry-run: would undo 1 on")
            .filter_map(|n| n.value())
            .any(|v| v.ends_with('\n'))
    });
    // Only the dry run ran: the real one waits for the button.
    let plan = engine_plan(&h);
    assert!(matches!(
        plan.state,
        PlanState::AwaitingRun { action: 0, .. }
    ));
    assert_eq!(plan.results.len(), 1);
    assert!(plan.results[0].dry_run);
    assert!(
        h.query_all_by_label_contains("the real run awaits approval")
            .next()
            .is_some()
    );
    // The second approval shows what the real run will send.
    h.get_by_label_contains("the real run: /bin/echo undone 1");
    h.get_by_label("Run action 1").click();
    wait_for(&mut h, "the real run", |h| {
        matches!(engine_plan(h).state, PlanState::Executed(_))
    });
    let plan = engine_plan(&h);
    assert_eq!(plan.results[1].outcome, ActionOutcome::Succeeded);
    assert!(
        h.query_all_by_label("undone 1\n").next().is_some(),
        "the real run's output"
    );

    // The audit view, folded by default, lists every step of this incident.
    h.get_by_label("Audit log (6)").click();
    h.run_steps(2);
    // The incident's timeline names the responder too (its columns two spaces apart): the
    // audit view's lines are the others.
    let lines: Vec<String> = h
        .get_all_by_label_contains("kim.oncall")
        .filter_map(|n| n.value())
        .filter(|l| !l.contains("  kim.oncall  "))
        .collect();
    let steps = [
        "approved plan: actions 1; 1 high-risk confirmed by typing",
        "started action 1 (dry run): /bin/echo dry-run: would undo 1",
        "finished action 1 (dry run): /bin/echo dry-run: would undo 1 on '' → status 0",
        "approved action 1: real run after its dry run: /bin/echo undone 1",
        "started action 1: /bin/echo undone 1",
        "finished action 1: /bin/echo undone 1 → status 0",
    ];
    assert_eq!(lines.len(), steps.len(), "{lines:?}");
    for (line, step) in lines.iter().zip(steps) {
        assert!(line.contains(step), "{line:?} should say {step:?}");
    }
}

#[test]
fn the_actions_tab_switches_actions_on_with_its_lists_and_refuses_a_relative_program() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    common::ui::open_settings(&mut h, "Actions");
    h.get_by_label("Let actions act (webhooks and commands)")
        .click();
    h.run_steps(2);
    h.get_by_label_contains("On: approved actions change real systems");
    set_field(&mut h, "Allowed programs", "kubectl");
    set_field(&mut h, "Allowed webhook hosts", "rundeck.example.com");
    h.get_by_label("Save settings").click();
    h.run_steps(2);
    h.get_by_label("Actions: program `kubectl` must be an absolute path");
    let saved = || Store::new(dir.path()).peek_settings().unwrap_or_default();
    assert!(
        !saved().actions.enabled,
        "nothing saved while the form is wrong"
    );
    set_field(&mut h, "Allowed programs", "/usr/bin/kubectl");
    h.get_by_label("Add secret").click();
    h.run_steps(2);
    h.get_by_label("Save settings").click();
    wait_for(&mut h, "the save", |_| saved().actions.enabled);
    let a = saved().actions;
    assert_eq!(a.allowed_programs, ["/usr/bin/kubectl"]);
    assert_eq!(a.allowed_hosts, ["rundeck.example.com"]);
    assert!(a.secrets.is_empty(), "an empty secret row is not kept");
}
