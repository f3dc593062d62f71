//! kittest: the AI tab's Test says an unreachable server in words; an incident shows
//! "analysing…" and then the model's report with its sources and flags, and the fixed-rule
//! report is one click away.

mod common;

use std::time::Duration;

use common::llm::{ChatReply, FakeChat};
use common::ui::{harness, open_settings, set_field, trigger_from_ui, wait_for};
use egui_kittest::kittest::Queryable;
use incident_console::model::Settings;
use incident_console::store::Store;

#[test]
fn the_ai_tab_test_says_an_unreachable_server_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    open_settings(&mut h, "AI");
    set_field(
        &mut h,
        "AI base URL",
        &format!("{}/v1", common::closed_port_url()),
    );
    h.get_by_label("Test AI").click();
    wait_for(&mut h, "the test's error", |h| {
        h.query_by_label_contains("cannot reach the server")
            .is_some()
    });
}

#[test]
fn an_incident_shows_analysing_then_the_ai_report_and_the_fixed_one_a_click_away() {
    let answer = serde_json::json!({
        "summary": {"text": "edge-node-01의 5xx 비율이 임계치를 넘었습니다.", "cites": ["F2"]},
        "root_cause": {"text": "최근 배포가 원인일 수 있습니다.", "cites": ["F99"]},
        "impact": {"text": "결제 실패가 늘었습니다.", "cites": ["F1"]},
        "action_plan": [{"text": "checkout-service를 롤백합니다.", "cites": ["F1"]}],
        "follow_up": [{"text": "배포 전 검증을 보강합니다.", "cites": []}],
        "hypotheses": []
    });
    let mut reply = ChatReply::content(&answer.to_string());
    reply.delay = Duration::from_millis(1500);
    let fake = FakeChat::start(vec![reply]);
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::default();
    settings.llm.enabled = true;
    settings.llm.base_url = fake.url.clone();
    Store::new(dir.path()).save_settings(&settings).unwrap();
    let mut h = harness(dir.path());
    trigger_from_ui(&mut h, "Nginx 5xx surge on checkout API (http_5xx_surge)");
    wait_for(&mut h, "analysing", |h| {
        h.query_by_label_contains("analysing…").is_some()
    });
    // The fixed-rule report meanwhile.
    h.get_by_label("written by fixed rules, no AI");
    wait_for(&mut h, "the AI report", |h| {
        h.query_by_label("AI report (gpt-4o-mini)").is_some()
    });
    h.get_by_label("edge-node-01의 5xx 비율이 임계치를 넘었습니다.");
    h.get_by_label("no such fact: F99");
    h.get_by_label_contains("Sources (").click();
    h.run_steps(2);
    h.get_by_label_contains("F1: 인시던트 #1");
    assert!(h.query_by_label("written by fixed rules, no AI").is_none());
    h.get_by_label("Fixed-rule report").click();
    h.run_steps(2);
    h.get_by_label("written by fixed rules, no AI");
    assert!(
        h.query_by_label("edge-node-01의 5xx 비율이 임계치를 넘었습니다.")
            .is_none()
    );
}

/// The side panel's knowledge search finds an imported document by a Korean word.
#[test]
fn the_knowledge_search_box_finds_a_document() {
    use incident_console::knowledge::{KbDoc, KnowledgeBase};
    let dir = tempfile::tempdir().unwrap();
    KnowledgeBase::open(&Store::new(dir.path()).knowledge_dir())
        .unwrap()
        .add(&[KbDoc {
            key: "doc:pg.md".into(),
            kind: "document".into(),
            title: "결제 대행사 타임아웃 대응".into(),
            body: "대행사 응답이 느리면 서킷 브레이커를 엽니다.".into(),
            source: "pg.md".into(),
        }])
        .unwrap();
    let mut h = harness(dir.path());
    set_field(&mut h, "Search knowledge", "타임아웃");
    h.get_by_label("Search").click();
    wait_for(&mut h, "the hit", |h| {
        h.query_by_label("결제 대행사 타임아웃 대응").is_some()
    });
    set_field(&mut h, "Search knowledge", "없는단어");
    h.get_by_label("Search").click();
    wait_for(&mut h, "no hit said", |h| {
        h.query_by_label_contains("Nothing matches").is_some()
    });
}
