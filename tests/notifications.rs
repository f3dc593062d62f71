//! Notifications end to end: the engine's outbox against an in-process fake of the Slack Web
//! API (no real Slack runs here) and Debian's real aiosmtpd; restarts with a job pending.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::notify::{FakeSlack, SlackReply, SmtpSink};
use common::{feed_has, wait_for};
use incident_console::engine::{Command, EngineConfig, EngineHandle};
use incident_console::integrations::slack::SlackClient;
use incident_console::model::{
    Destination, FeedKind, JobState, NotifyEvent, Secret, Settings, SlackSettings,
};
use incident_console::store::Store;

const TOKEN: &str = "xoxb-test-0123456789";

/// Demo source with thresholds no demo value passes: incidents open only when a test says so.
fn quiet() -> Settings {
    let mut s = Settings::default();
    s.prometheus.http_threshold = 1.0;
    s.prometheus.cpu_threshold = 1.0;
    s.targets.slack = false;
    s
}

fn with_slack(mut s: Settings, fake: &FakeSlack) -> Settings {
    s.slack.token = Secret::new(TOKEN);
    s.slack.api_base_url = fake.url.clone();
    s.slack.channel = "#ops".into();
    s.slack.timeout_secs = 5;
    s.targets.slack = true;
    s
}

fn with_email(mut s: Settings, port: u16, to: &[&str]) -> Settings {
    s.email.smtp_host = "127.0.0.1".into();
    s.email.smtp_port = port;
    s.email.starttls = false;
    s.email.from = "incident-bot@example.com".into();
    s.email.recipients = to.iter().map(|r| r.to_string()).collect();
    s.email.timeout_secs = 5;
    s.targets.email = true;
    s
}

fn start(dir: &Path, settings: Option<&Settings>) -> EngineHandle {
    let store = Store::new(dir);
    if let Some(s) = settings {
        store.save_settings(s).unwrap();
    }
    common::spawn_engine(EngineConfig {
        force_demo: true,
        ..EngineConfig::new(store)
    })
}

fn trigger(h: &EngineHandle) {
    // After the first sample, so the report carries real values.
    wait_for(&h.state, "a first sample", |st| st.board.latest.is_some());
    assert!(h.send(Command::TriggerScenario {
        code: Some("http_5xx_surge".into()),
    }));
}

/// Waits up to 30 s for `cond`.
fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cond() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until the engine has recorded `event`'s job as delivered, and returns its state and
/// attempts. The fake answers before the engine records the answer, so a test that has seen the
/// post must still wait for the record.
fn delivered(h: &EngineHandle, event: NotifyEvent) -> (JobState, u32) {
    wait_for(&h.state, "the delivery recorded", |st| {
        st.board
            .notifications
            .iter()
            .any(|j| j.event == event && matches!(j.state, JobState::Delivered { .. }))
    });
    job_state(h, event).unwrap()
}

/// Waits until no notification waits for another attempt (every job delivered, pending or
/// acknowledged): from then on the notifier sends nothing unless a new job is queued.
fn settled(h: &EngineHandle) {
    wait_for(&h.state, "every notification settled", |st| {
        st.board
            .notifications
            .iter()
            .all(|j| !matches!(j.state, JobState::Queued))
    });
}

fn job_state(h: &EngineHandle, event: NotifyEvent) -> Option<(JobState, u32)> {
    h.state
        .lock()
        .board
        .notifications
        .iter()
        .find(|j| j.event == event)
        .map(|j| (j.state.clone(), j.attempts))
}

#[tokio::test]
async fn auth_test_names_the_workspace_or_says_slacks_error() {
    let fake = FakeSlack::start(TOKEN);
    let mut s = SlackSettings {
        token: Secret::new(TOKEN),
        api_base_url: fake.url.clone(),
        ..SlackSettings::default()
    };
    let info = SlackClient::new(&s).unwrap().auth_test().await.unwrap();
    assert_eq!(
        (info.team.as_str(), info.user.as_str()),
        ("Acme Ops", "incident-bot")
    );
    s.token = Secret::new("xoxb-wrong-token");
    let err = SlackClient::new(&s).unwrap().auth_test().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid_auth: Slack does not accept this token"
    );
    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(requests[0].path, "/api/auth.test");
}

#[test]
fn an_incident_posts_once_and_later_events_reply_in_its_thread() {
    let fake = FakeSlack::start(TOKEN);
    let dir = tempfile::tempdir().unwrap();
    let h = start(dir.path(), Some(&with_slack(quiet(), &fake)));
    trigger(&h);
    wait_until("the report", || fake.posted().len() == 1);
    let report = &fake.posted()[0];
    assert_eq!(
        report.authorization.as_deref(),
        Some(&*format!("Bearer {TOKEN}"))
    );
    assert_eq!(report.body["channel"], "#ops");
    assert!(
        report.body.get("thread_ts").is_none(),
        "the report is top-level"
    );
    let text = report.body["text"].as_str().unwrap();
    assert!(text.starts_with("[장애] #1 "), "{text}");
    assert!(text.contains("상위 3개 가설"), "{text}");
    assert!(text.contains("(임계치 100.00 %)"), "{text}");
    assert!(!text.contains("n/a"), "values from the sample: {text}");
    assert_eq!(report.body["blocks"][0]["type"], "header");
    let ts = match delivered(&h, NotifyEvent::Opened) {
        (JobState::Delivered { reference, .. }, 1) => reference.unwrap(),
        other => panic!("{other:?}"),
    };

    h.send(Command::DeferPlan { incident: 1 });
    h.send(Command::CloseIncident {
        incident: 1,
        resolution: String::new(),
    });
    wait_until("two replies", || fake.posted().len() == 3);
    for reply in &fake.posted()[1..] {
        assert_eq!(reply.body["thread_ts"].as_str(), Some(ts.as_str()));
        assert_eq!(reply.body["channel"], "#ops");
    }
    assert!(
        fake.posted()[1].body["text"]
            .as_str()
            .unwrap()
            .contains("조치 계획 보류")
    );
    assert!(
        fake.posted()[2].body["text"]
            .as_str()
            .unwrap()
            .contains("종료")
    );
    // Nothing more goes out: no duplicate from a retry or a second trigger of the same event.
    settled(&h);
    assert_eq!(h.snapshot().notifications.len(), 3);
    assert_eq!(fake.requests().len(), 3);
    let st = h.state.lock();
    assert!(feed_has(
        &st,
        FeedKind::Info,
        "Sent: incident #1 report to Slack #ops"
    ));
    // The token never reaches the feed.
    assert!(st.feed.iter().all(|e| !common::en(e).contains(TOKEN)));
    // Each delivery is on the incident's timeline, by the console, with Slack's ts.
    let sent: Vec<_> = st.board.incidents[0]
        .timeline
        .iter()
        .filter(|e| e.kind == incident_console::model::IncidentEventKind::Notified)
        .map(|e| (&e.author, &e.event))
        .collect();
    assert_eq!(sent.len(), 3, "{sent:?}");
    // With the message's link, looked up once per message.
    assert!(sent.iter().all(|(a, e)| {
        **a == incident_console::model::Author::Console
            && matches!(
                e,
                Some(incident_console::model::FeedEvent::Delivered {
                    reference: Some(_),
                    link: Some(l),
                    ..
                }) if l.starts_with("https://acme-ops.slack.com/archives/C0OPS/p1764000000")
            )
    }));
    assert_eq!(fake.links().len(), 3);
}

#[test]
fn a_429_with_retry_after_then_success_delivers_exactly_once() {
    let fake = FakeSlack::start(TOKEN);
    fake.script([SlackReply::status(429, Some("Retry-After: 1"))]);
    let dir = tempfile::tempdir().unwrap();
    let h = start(dir.path(), Some(&with_slack(quiet(), &fake)));
    trigger(&h);
    wait_until("delivery after the 429", || fake.posted().len() == 1);
    settled(&h);
    let requests = fake.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(requests[0].status, 429);
    assert_eq!(fake.posted().len(), 1);
    assert_eq!(delivered(&h, NotifyEvent::Opened).1, 2);
    let st = h.state.lock();
    assert!(feed_has(&st, FeedKind::Error, "HTTP 429 (rate limited)"));
    assert!(feed_has(&st, FeedKind::Info, "(after 2 attempts)"));
}

#[test]
fn a_500_is_retried() {
    let fake = FakeSlack::start(TOKEN);
    fake.script([SlackReply::status(500, None), SlackReply::status(503, None)]);
    let dir = tempfile::tempdir().unwrap();
    let h = start(dir.path(), Some(&with_slack(quiet(), &fake)));
    trigger(&h);
    wait_until("delivery after two 5xx", || fake.posted().len() == 1);
    assert_eq!(fake.requests().len(), 3);
    assert_eq!(delivered(&h, NotifyEvent::Opened).1, 3);
}

#[test]
fn channel_not_found_is_not_retried_and_becomes_a_pending_report_the_user_can_retry() {
    let fake = FakeSlack::start(TOKEN);
    fake.script([SlackReply::error("channel_not_found")]);
    let dir = tempfile::tempdir().unwrap();
    let h = start(dir.path(), Some(&with_slack(quiet(), &fake)));
    trigger(&h);
    wait_for(&h.state, "a pending report", |st| {
        st.board
            .notifications
            .iter()
            .any(|j| matches!(j.state, JobState::Pending { .. }))
    });
    // Pending after one request: a retryable failure would have been queued for another try
    // instead (and pending jobs are never retried by themselves).
    assert_eq!(fake.requests().len(), 1);
    let (id, reason) = {
        let st = h.state.lock();
        let job = st
            .board
            .notifications
            .iter()
            .find(|j| j.event == NotifyEvent::Opened)
            .unwrap();
        let JobState::Pending { reason, .. } = &job.state else {
            panic!("{:?}", job.state)
        };
        assert!(feed_has(
            &st,
            FeedKind::Error,
            "Not delivered, pending: incident #1 report to Slack #ops: channel_not_found"
        ));
        // Given up, on the incident's timeline too.
        assert!(st.board.incidents[0].timeline.iter().any(|e| matches!(
            e.event,
            Some(incident_console::model::FeedEvent::DeliveryPending { .. })
        )));
        (job.id, reason.clone())
    };
    assert!(
        reason.starts_with("channel_not_found: no such channel"),
        "{reason}"
    );
    drop(h);
    // Pending survives a restart, and the user's Retry sends it (the channel exists now).
    let h = start(dir.path(), None);
    assert!(matches!(
        job_state(&h, NotifyEvent::Opened),
        Some((JobState::Pending { .. }, 1))
    ));
    // (A demo re-fire during a slow first run (its burst comes 15 s in) adds a job of its own,
    // queued or pending, so the counts are not fixed here; the job above is.)
    assert!(feed_has(
        &h.state.lock(),
        FeedKind::Info,
        "pending your decision"
    ));
    h.send(Command::RetryNotification { job: id });
    wait_until("delivery after Retry", || fake.posted().len() == 1);
}

#[test]
fn a_job_pending_when_the_engine_stops_is_delivered_once_after_restart() {
    let fake = FakeSlack::start(TOKEN);
    // Enough failures that the job is surely still queued when the engine stops.
    fake.script((0..3).map(|_| SlackReply::status(502, None)));
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(dir.path(), Some(&with_slack(quiet(), &fake)));
    trigger(&h);
    wait_until("a failed attempt", || !fake.requests().is_empty());
    wait_for(&h.state, "the failure recorded", |st| {
        st.board
            .notifications
            .iter()
            .any(|j| j.last_error.is_some())
    });
    h.shutdown();
    let on_disk = std::fs::read_to_string(dir.path().join("outbox.ron")).unwrap();
    assert!(on_disk.contains("Queued"), "{on_disk}");
    assert!(!on_disk.contains(TOKEN), "the outbox holds no secret");
    let before = fake.requests().len();
    assert!(fake.posted().is_empty());

    let h = start(dir.path(), None);
    wait_until("delivery after restart", || fake.posted().len() == 1);
    settled(&h);
    assert_eq!(fake.posted().len(), 1, "delivered exactly once");
    assert!(fake.requests().len() > before);
    let st = h.state.lock();
    assert_eq!(
        st.board.notifications.len(),
        1,
        "the restart did not queue it again"
    );
    assert!(feed_has(&st, FeedKind::Info, "1 still to deliver"));
}

#[test]
fn mail_arrives_with_korean_subject_and_body_to_the_right_recipients() {
    let Some(sink) = SmtpSink::start("") else {
        return;
    };
    let to = ["oncall@example.com", "Lead@Example.org"];
    let dir = tempfile::tempdir().unwrap();
    let h = start(dir.path(), Some(&with_email(quiet(), sink.port, &to)));
    trigger(&h);
    let mail = sink.wait_for(1);
    assert_eq!(mail.len(), 1, "one report mail");
    let m = &mail[0];
    let subject = m["subject"].as_str().unwrap();
    assert!(subject.starts_with("[장애] #1 "), "{subject}");
    assert!(subject.contains("(http_5xx_surge)"), "{subject}");
    assert_eq!(
        m["raw_subject_ascii"], true,
        "the header itself is RFC 2047 ASCII"
    );
    assert_eq!(m["charset"], "utf-8");
    // MIME text travels with CRLF line ends (RFC 2046 canonical form).
    let body = m["body"].as_str().unwrap().replace("\r\n", "\n");
    assert!(body.contains("상위 3개 가설:\n1. "), "{body:?}");
    assert!(body.contains("## 요약"), "{body}");
    assert_eq!(m["rcpt_tos"], serde_json::json!(to));
    assert_eq!(m["mail_from"], "incident-bot@example.com");

    // The plan's result goes by mail too, with each action.
    h.send(Command::DeferPlan { incident: 1 });
    let mail = sink.wait_for(2);
    assert_eq!(mail.len(), 2);
    let subject = mail[1]["subject"].as_str().unwrap();
    assert!(subject.ends_with("조치 계획 보류"), "{subject}");
    assert!(mail[1]["body"].as_str().unwrap().contains("1. [보류] "));
    // The sink has the mail before the engine has the server's answer to it.
    wait_for(&h.state, "both mails recorded as delivered", |st| {
        st.board
            .notifications
            .iter()
            .filter(|j| matches!(j.destination, Destination::Email { .. }))
            .filter(|j| matches!(j.state, JobState::Delivered { .. }))
            .count()
            == 2
    });
}

#[test]
fn a_refused_connection_is_retried_and_delivered_when_the_server_starts() {
    // The one port handed on: the mail must be refused on it before the server starts there.
    let port = common::port_to_try();
    let dir = tempfile::tempdir().unwrap();
    let h = start(
        dir.path(),
        Some(&with_email(quiet(), port, &["oncall@example.com"])),
    );
    trigger(&h);
    wait_for(&h.state, "the refused attempt", |st| {
        feed_has(
            st,
            FeedKind::Error,
            "Not delivered yet: incident #1 report to email",
        )
    });
    assert!(feed_has(
        &h.state.lock(),
        FeedKind::Error,
        &format!("127.0.0.1:{port}")
    ));
    let Some(started) = SmtpSink::start_on(port, "") else {
        return;
    };
    let sink = started.expect(
        "the port the mail was refused on is free for our server (another process took it)",
    );
    let mail = sink.wait_for(1);
    assert_eq!(mail.len(), 1);
    wait_for(&h.state, "the delivery recorded", |st| {
        st.board
            .notifications
            .iter()
            .any(|j| matches!(j.state, JobState::Delivered { .. }) && j.attempts >= 2)
    });
    settled(&h);
    assert_eq!(sink.messages().len(), 1, "exactly once");
}

#[test]
fn a_refused_recipient_is_pending_not_retried() {
    let Some(sink) = SmtpSink::start("gone@example.com") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut s = with_email(quiet(), sink.port, &["gone@example.com"]);
    s.email.smtp_password = Secret::new("smtp-pass-never-shown");
    let h = start(dir.path(), Some(&s));
    trigger(&h);
    wait_for(&h.state, "a pending mail", |st| {
        st.board
            .notifications
            .iter()
            .any(|j| matches!(j.state, JobState::Pending { .. }))
    });
    let st = h.state.lock();
    let job = &st.board.notifications[0];
    let JobState::Pending { reason, .. } = &job.state else {
        panic!()
    };
    assert!(reason.contains("550"), "{reason}");
    assert_eq!(job.attempts, 1);
    assert!(sink.messages().is_empty());
    assert!(
        st.feed
            .iter()
            .all(|e| !common::en(e).contains("smtp-pass-never-shown"))
    );
}

/// The fixed-rule report goes out when the incident opens; the model's report follows in its
/// Slack thread when it arrives.
#[test]
fn the_ai_report_follows_in_the_slack_thread() {
    use common::llm::{ChatReply, FakeChat};
    let answer = serde_json::json!({
        "summary": {"text": "슬랙 스레드로 가는 AI 요약입니다.", "cites": ["F1"]},
        "root_cause": {"text": "inconclusive", "cites": []},
        "impact": {"text": "결제 일부 실패", "cites": ["F1"]},
        "action_plan": [{"text": "롤백합니다.", "cites": ["F1"]}],
        "follow_up": [], "hypotheses": []
    });
    let mut reply = ChatReply::content(&answer.to_string());
    reply.delay = Duration::from_millis(500);
    let chat = FakeChat::start(vec![reply]);
    let fake = FakeSlack::start(TOKEN);
    let dir = tempfile::tempdir().unwrap();
    let mut settings = with_slack(quiet(), &fake);
    settings.llm.enabled = true;
    settings.llm.base_url = chat.url.clone();
    let h = start(dir.path(), Some(&settings));
    trigger(&h);
    wait_until("the report and the AI reply", || fake.posted().len() == 2);
    let posted = fake.posted();
    let report = posted[0].body["text"].as_str().unwrap().to_string();
    assert!(
        report.contains("상위 3개 가설"),
        "the fixed-rule report first: {report}"
    );
    let ts = match delivered(&h, NotifyEvent::Opened) {
        (JobState::Delivered { reference, .. }, 1) => reference.unwrap(),
        other => panic!("{other:?}"),
    };
    let ai = &posted[1];
    assert_eq!(ai.body["thread_ts"].as_str(), Some(ts.as_str()));
    let text = ai.body["text"].as_str().unwrap();
    assert!(text.contains("AI 분석 보고서"), "{text}");
    assert!(text.contains("슬랙 스레드로 가는 AI 요약입니다."), "{text}");
}
