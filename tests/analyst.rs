//! The AI analyst in the engine, against the in-process chat-completions fake: an incident shows
//! the fixed-rule report at once and "analysing" until the model answers; the answer is kept
//! with what its facts do not back flagged; the prompt holds every fact with its id, past
//! incidents of the runbook included; Cancel stops waiting; a failure leaves the fixed-rule report.

mod common;

use std::time::Duration;

use common::llm::{ChatReply, FakeChat};
use common::wait_for;
use incident_console::engine::{Command, EngineHandle};
use incident_console::model::{AiState, AnswerFlag, ReportSource, Secret, Settings};
use incident_console::store::Store;

/// The model's answer. Its unbacked number (437 %) can be no part of a clock time: a number
/// the facts hold (a timestamp's minute, say) would be backed, and the test would pass or
/// fail with the minute it runs in.
fn answer() -> String {
    serde_json::json!({
        "summary": {"text": "edge-node-01의 HTTP 오류율이 임계치를 넘었습니다.", "cites": ["F2"]},
        "root_cause": {"text": "배포 뒤 오류가 437 % 늘었습니다.", "cites": ["F99"]},
        "impact": {"text": "결제가 실패합니다.", "cites": ["F1"]},
        "action_plan": [{"text": "롤백합니다.", "cites": ["F1"]}],
        "follow_up": [],
        "hypotheses": []
    })
    .to_string()
}

fn console(dir: &std::path::Path, fake: &FakeChat) -> EngineHandle {
    let store = Store::new(dir);
    let mut settings = Settings::default();
    settings.llm.enabled = true;
    settings.llm.base_url = fake.url.clone();
    settings.llm.api_key = Secret::new("sk-analyst-test");
    store.save_settings(&settings).unwrap();
    common::spawn_engine(common::quiet(store))
}

#[test]
fn an_incident_gets_its_ai_report_beside_the_fixed_one_with_flags_and_past_incidents() {
    let mut slow = ChatReply::content(&answer());
    slow.delay = Duration::from_millis(600);
    let fake = FakeChat::start(vec![slow]);
    let dir = tempfile::tempdir().unwrap();
    let handle = console(dir.path(), &fake);
    let state = handle.state.clone();
    wait_for(&state, "the demo's first sample", |st| {
        st.board.latest.is_some()
    });
    handle.send(Command::TriggerScenario {
        code: Some("http_5xx_surge".into()),
    });
    // The fixed-rule report at once, the model's later.
    wait_for(&state, "analysing", |st| {
        st.board.incidents.first().is_some_and(|i| {
            i.report.source == ReportSource::Deterministic
                && i.ai.as_ref().is_some_and(|a| a.state == AiState::Analysing)
        })
    });
    wait_for(&state, "the AI report", |st| {
        st.board.incidents[0]
            .ai
            .as_ref()
            .is_some_and(|a| a.state == AiState::Done)
    });
    {
        let st = state.lock();
        let ai = st.board.incidents[0].ai.clone().unwrap();
        assert_eq!(ai.model, "gpt-4o-mini");
        // On the timeline, by the model, with its flags counted.
        let by_model = st.board.incidents[0]
            .timeline
            .iter()
            .find(|e| e.kind == incident_console::model::IncidentEventKind::ModelReport);
        assert!(matches!(
            by_model.map(|e| (&e.author, &e.event)),
            Some((
                incident_console::model::Author::Model,
                Some(incident_console::model::FeedEvent::AiReportReady { flags, .. })
            )) if *flags == ai.flags.len()
        ));
        assert_eq!(ai.asked, Some(("json_schema".to_string(), 1)));
        assert!(ai.flags.contains(&AnswerFlag::UnknownCite {
            id: "F99".into(),
            part: "root_cause".into()
        }));
        assert!(ai.flags.contains(&AnswerFlag::UnbackedNumber {
            number: "437".into(),
            part: "root_cause".into()
        }));
        let prompt = fake.requests.lock()[0].body["messages"][1]["content"]
            .as_str()
            .unwrap()
            .to_string();
        for f in &ai.facts {
            assert!(prompt.contains(&format!("{}: {}", f.id, f.text)));
        }
        // The demo answered the runbook's live check from its own sample; the fact says so.
        let check = st.board.incidents[0].checks[0].clone().expect("checked");
        assert_eq!(check.detail, "demo");
        assert!(check.value.is_some());
        assert!(prompt.contains("실시간 확인: 관측"), "{prompt}");
        // The triggering series' recent samples are a fact too.
        assert!(
            ai.facts
                .iter()
                .any(|f| f.kind == incident_console::model::FactKind::Samples
                    && f.text.contains("http_error_rate edge-node")),
            "{prompt}"
        );
    }

    // Closed, then the runbook again: the new incident's facts hold the first one.
    handle.send(Command::CloseIncident {
        incident: 1,
        resolution: String::new(),
    });
    handle.send(Command::TriggerScenario {
        code: Some("http_5xx_surge".into()),
    });
    wait_for(&state, "the second AI report", |st| {
        st.board.incidents.len() == 2
            && st.board.incidents[1]
                .ai
                .as_ref()
                .is_some_and(|a| a.state == AiState::Done)
    });
    let prompt = fake.requests.lock()[1].body["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(prompt.contains("과거 인시던트 #1"), "{prompt}");

    // Cancel while the model is slow: the report is cancelled, nothing waits.
    let mut slower = ChatReply::content(&answer());
    slower.delay = Duration::from_secs(5);
    fake.script(vec![slower]);
    handle.send(Command::Analyse { incident: 2 });
    wait_for(&state, "analysing again", |st| {
        st.board.incidents[1]
            .ai
            .as_ref()
            .is_some_and(|a| a.state == AiState::Analysing)
    });
    handle.send(Command::CancelAnalysis { incident: 2 });
    wait_for(&state, "cancelled", |st| {
        st.board.incidents[1]
            .ai
            .as_ref()
            .is_some_and(|a| a.state == AiState::Cancelled)
    });
}

#[test]
fn a_failing_model_leaves_the_fixed_report_and_says_why() {
    let fake = FakeChat::start(vec![ChatReply::status(
        401,
        None,
        r#"{"error": {"message": "Incorrect API key provided"}}"#,
    )]);
    let dir = tempfile::tempdir().unwrap();
    let handle = console(dir.path(), &fake);
    let state = handle.state.clone();
    handle.send(Command::TriggerScenario {
        code: Some("cpu_spike_core".into()),
    });
    wait_for(&state, "the failure", |st| {
        st.board.incidents.first().is_some_and(|i| {
            matches!(&i.ai.as_ref().map(|a| &a.state),
                Some(AiState::Failed(why)) if why.contains("refused the API key"))
        })
    });
    let st = state.lock();
    assert!(!st.board.incidents[0].report.summary.is_empty());
    let feed: Vec<String> = st
        .feed
        .iter()
        .map(|e| incident_console::text::feed::line(e, incident_console::model::Lang::En))
        .collect();
    assert!(
        feed.iter()
            .any(|l| l.contains("No AI report on incident #1") && !l.contains("sk-analyst-test")),
        "{feed:?}"
    );
}

/// The knowledge base feeds the model and the report: an imported document related to the
/// runbook is listed on the incident and is a fact in the prompt; a closed incident is indexed
/// by itself and found after a restart.
#[test]
fn knowledge_hits_are_facts_and_a_closed_incident_is_found_after_a_restart() {
    use incident_console::knowledge::{KbDoc, KnowledgeBase};
    let fake = FakeChat::start(vec![ChatReply::content(&answer())]);
    let dir = tempfile::tempdir().unwrap();
    let kb_dir = Store::new(dir.path()).knowledge_dir();
    KnowledgeBase::open(&kb_dir)
        .unwrap()
        .add(&[KbDoc {
            key: "doc:rollback.md".into(),
            kind: "document".into(),
            title: "결제 API 롤백 절차".into(),
            body: "Nginx 5xx 급증 때 checkout-service를 이전 버전으로 롤백합니다.".into(),
            source: "rollback.md".into(),
        }])
        .unwrap();
    let handle = console(dir.path(), &fake);
    let state = handle.state.clone();
    handle.send(Command::TriggerScenario {
        code: Some("http_5xx_surge".into()),
    });
    wait_for(&state, "the AI report", |st| {
        st.board
            .incidents
            .first()
            .is_some_and(|i| i.ai.as_ref().is_some_and(|a| a.state == AiState::Done))
    });
    {
        let st = state.lock();
        let inc = &st.board.incidents[0];
        assert_eq!(inc.related.len(), 1);
        assert_eq!(inc.related[0].title, "결제 API 롤백 절차");
        let ai = inc.ai.as_ref().unwrap();
        let fact = ai
            .facts
            .iter()
            .find(|f| f.kind == incident_console::model::FactKind::Knowledge)
            .expect("a knowledge fact");
        let prompt = fake.requests.lock()[0].body["messages"][1]["content"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(prompt.contains(&format!(
            "{}: 지식 베이스 문서 '결제 API 롤백 절차'",
            fact.id
        )));
    }
    handle.send(Command::CloseIncident {
        incident: 1,
        resolution: String::new(),
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let found = KnowledgeBase::open(&kb_dir)
            .unwrap()
            .search("결제 5xx 급증", 5)
            .unwrap()
            .iter()
            .any(|h| h.key == "incident:1");
        if found {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the closed incident was indexed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(handle);
    // After a restart of the console, and from a fresh reader.
    let handle = console(dir.path(), &fake);
    drop(handle);
    let hits = KnowledgeBase::open(&kb_dir)
        .unwrap()
        .search("롤백", 5)
        .unwrap();
    let incident = hits.iter().find(|h| h.key == "incident:1").expect("found");
    assert_eq!(incident.kind, "incident");
    assert!(incident.title.starts_with("#1 "));
}

/// "Draft with AI": the model drafts the review's narrative from the incident's numbered
/// facts; the draft lands on the timeline by the model, with its unbacked number flagged, and
/// the review shows it beside the fixed-rule parts. With the model off it is refused in words.
#[test]
fn the_review_narrative_is_drafted_from_the_timeline_with_what_it_does_not_back_flagged() {
    use incident_console::model::{Author, FeedEvent, IncidentEventKind};
    let draft = serde_json::json!({
        "summary": {"text": "The HTTP error rate crossed its threshold; it lasted 4321.5 minutes.", "cites": ["F1", "F2"]},
        "contributing_factors": {"text": "A deploy just before.", "cites": ["F77777"]}
    })
    .to_string();
    let fake = FakeChat::start(vec![
        ChatReply::content(&answer()),
        ChatReply::content(&draft),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let handle = console(dir.path(), &fake);
    let state = handle.state.clone();
    wait_for(&state, "the demo's first sample", |st| {
        st.board.latest.is_some()
    });
    handle.send(Command::TriggerScenario {
        code: Some("http_5xx_surge".into()),
    });
    wait_for(&state, "the AI report", |st| {
        st.board
            .incidents
            .first()
            .is_some_and(|i| i.ai.as_ref().is_some_and(|a| a.state == AiState::Done))
    });
    handle.send(Command::DraftReview { incident: 1 });
    wait_for(&state, "the draft", |st| {
        st.board.incidents[0]
            .timeline
            .iter()
            .any(|e| matches!(e.event, Some(FeedEvent::ReviewDrafted { .. })))
    });
    // The prompt numbered the timeline's events as facts.
    let prompt = fake.requests.lock().last().unwrap().body.to_string();
    assert!(prompt.contains("F1: #1 "), "{prompt}");
    assert!(
        prompt.contains(" opened ("),
        "the opening, an event fact: {prompt}"
    );
    let inc = state.lock().board.incidents[0].clone();
    let e = inc
        .timeline
        .iter()
        .find(|e| matches!(e.event, Some(FeedEvent::ReviewDrafted { .. })))
        .unwrap();
    assert_eq!(e.author, Author::Model);
    assert_eq!(e.kind, IncidentEventKind::ModelReport);
    let Some(FeedEvent::ReviewDrafted { flags, cited, .. }) = &e.event else {
        unreachable!()
    };
    assert!(flags.contains(&AnswerFlag::UnbackedNumber {
        number: "4321.5".into(),
        part: "summary".into()
    }));
    assert!(flags.contains(&AnswerFlag::UnknownCite {
        id: "F77777".into(),
        part: "contributing_factors".into()
    }));
    assert_eq!(cited.len(), 2, "F1 and F2 kept for the review");

    let html = common::review_html(&inc);
    assert!(html.contains("Drafted by the model (gpt-4o-mini)"));
    assert!(html.contains("it lasted 4321.5 minutes. [F1, F2]"));
    assert!(html.contains("unbacked: the number 4321.5 in summary is in no fact"));
    assert!(html.contains("unbacked: contributing_factors cites F77777, which is no fact"));
    // The fixed-rule summary is still there.
    assert!(html.contains(&inc.report.summary.replace('\'', "&#39;")));
}
