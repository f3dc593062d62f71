//! An alert's labels fill a webhook action, end to end over real sockets: a webhook opens the
//! runbook's incident, the responder approves, and the hook server receives the hostile label
//! as one query value and one JSON string, never as more parameters, keys or another host.

mod common;

use std::io::{Read, Write};

use common::actions::{HookServer, settings, start};
use incident_console::model::PlanState;

/// Quotes, a JSON key, `&`, `#`, `/`, `@` and Hangul: everything a slot must keep inside.
const HOSTILE: &str = r#"edge-1", "admin": true, "x": "&evil=1#/@evil.example 가"#;

fn runbook(dir: &std::path::Path, hook: &str) {
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    let text = format!(
        r##"Scenario(
    code: "checkout_errors",
    title: (en: "Checkout errors", ko: "결제 오류"),
    source: "test",
    description: (en: "A test runbook.", ko: "시험용 런북."),
    hypotheses: [(statement: (en: "A deploy broke it.", ko: "배포가 깨뜨렸습니다."), confidence: 0.6, evidence: [0])],
    evidence: [(text: (en: "Errors are up.", ko: "오류가 늘었습니다."))],
    actions: [(title: (en: "Drain the host", ko: "호스트 비우기"), command: "drain", risk: Medium,
        kind: Webhook((url: "{hook}/drain?host={{{{labels.instance}}}}&incident={{{{incident.id}}}}",
            headers: [("Content-Type", Text("application/json"))],
            body: "{{\"host\": \"{{{{labels.instance}}}}\", \"incident\": {{{{incident.id}}}}}}")))],
    match_any: [r#"{{alertname="CheckoutErrors"}}"#],
)"##
    );
    std::fs::write(dir.join("scenarios/checkout_errors.ron"), text).unwrap();
}

fn post(port: u16, body: &str) -> String {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let req = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[tokio::test]
async fn a_hostile_label_fills_one_query_value_and_one_json_string() {
    let dir = tempfile::tempdir().unwrap();
    let hook = HookServer::start().await;
    runbook(dir.path(), &hook.url);
    let mut s = settings(true, &[], &[&hook.authority()]);
    s.intake.enabled = true;
    s.intake.addr = "127.0.0.1:0".into();
    s.desktop.enabled = false;
    let console = start(dir.path(), &s, false);
    let port = console.receiver_port().await;
    let instance = serde_json::to_string(HOSTILE).unwrap();
    let body = format!(
        r#"{{"version": "4", "groupKey": "g", "status": "firing", "receiver": "console",
            "alerts": [{{"status": "firing",
              "labels": {{"alertname": "CheckoutErrors", "severity": "critical", "instance": {instance}}},
              "annotations": {{"summary": "errors"}},
              "startsAt": "2026-12-03T06:00:00Z", "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "h1"}}]}}"#
    );
    let answer = tokio::task::spawn_blocking(move || post(port, &body))
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    console
        .until("the alert's incident", |c| {
            c.state
                .lock()
                .board
                .incidents
                .iter()
                .any(|i| i.alerts.is_some())
        })
        .await;
    let id = console.state.lock().board.incidents[0].id;
    console.execute(id, vec![]).await;
    console
        .until_plan(id, "the plan to run", |s| {
            matches!(s, PlanState::Executed(_))
        })
        .await;

    let got = hook.requests();
    assert_eq!(got.len(), 1);
    let target = got[0]
        .head
        .lines()
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap();
    let url = url::Url::parse(&format!("{}{target}", hook.url)).unwrap();
    assert_eq!(url.path(), "/drain");
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(
        query,
        vec![
            ("host".to_string(), HOSTILE.to_string()),
            ("incident".to_string(), id.to_string())
        ],
        "one value, no parameter added: {target}"
    );
    assert_eq!(url.fragment(), None);
    let json: serde_json::Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"host": HOSTILE, "incident": id}),
        "one string, no key added"
    );
    console.stop().await;
}
