//! The chat-completions client against an in-process fake on 127.0.0.1:0 that records every
//! request: answers in JSON, in prose and in code fences; a bad answer asked again once; the
//! format stepped down on a 400 and remembered; 429 waited out as the server asks; 5xx retried
//! with a cap; a slow server given up; a wrong key said in words and not retried; the key sent
//! only in the Authorization header.

mod common;

use std::time::{Duration, Instant};

use common::llm::{ChatReply, FakeChat};
use incident_console::integrations::llm::{
    FormatMemory, FormatMode, LlmClient, LlmError, RetryPolicy, ask,
};
use incident_console::model::{LlmSettings, Secret};
use serde_json::{Value, json};

const KEY: &str = "sk-test-0123456789abcdef";

fn client(fake: &FakeChat, timeout_secs: u64) -> LlmClient {
    LlmClient::new(&LlmSettings {
        enabled: true,
        base_url: fake.url.clone(),
        model: "gpt-4o-mini".into(),
        api_key: Secret::new(KEY),
        extra_headers: vec![("X-Tenant".into(), "ops".into())],
        timeout_secs,
        temperature: 0.2,
    })
    .unwrap()
}

fn schema() -> Value {
    json!({"type": "object", "properties": {"summary": {"type": "string"}},
           "required": ["summary"], "additionalProperties": false})
}

/// The toy check: a `summary` string.
fn summary(v: &Value) -> Result<String, String> {
    v["summary"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| "summary is missing".to_string())
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        backoff: Duration::from_millis(100),
        max_wait: Duration::from_secs(5),
        rate_retries: 3,
        server_retries: 2,
    }
}

async fn run(
    fake: &FakeChat,
    memory: &FormatMemory,
) -> Result<(String, FormatMode, u32), LlmError> {
    let c = client(fake, 5);
    ask(&c, ("system", "user"), &schema(), memory, quick(), summary)
        .await
        .map(|(s, asked)| (s, asked.mode, asked.requests))
}

#[tokio::test]
async fn a_schema_answer_is_taken_and_the_key_is_only_in_its_header() {
    let fake = FakeChat::start(vec![ChatReply::content(r#"{"summary": "요약입니다"}"#)]);
    let got = run(&fake, &FormatMemory::default()).await.unwrap();
    assert_eq!(got, ("요약입니다".to_string(), FormatMode::JsonSchema, 1));
    let req = fake.requests.lock()[0].clone();
    assert!(
        req.head.starts_with("POST /v1/chat/completions "),
        "{}",
        req.head
    );
    assert_eq!(req.body["model"], "gpt-4o-mini");
    assert_eq!(req.body["temperature"], 0.2);
    assert_eq!(req.body["response_format"]["type"], "json_schema");
    assert_eq!(req.body["response_format"]["json_schema"]["strict"], true);
    assert_eq!(
        req.body["response_format"]["json_schema"]["schema"],
        schema()
    );
    assert!(req.head.to_lowercase().contains("x-tenant: ops"));
    let key_lines: Vec<&str> = req.head.lines().filter(|l| l.contains(KEY)).collect();
    assert_eq!(key_lines.len(), 1);
    assert!(
        key_lines[0]
            .to_lowercase()
            .starts_with("authorization: bearer ")
    );
    assert!(!req.body.to_string().contains(KEY));
}

#[tokio::test]
async fn json_in_prose_or_fences_is_found() {
    for content in [
        "Here you are:\n{\"summary\": \"a\"}\nAnything else?",
        "```json\n{\"summary\": \"a\"}\n```",
    ] {
        let fake = FakeChat::start(vec![ChatReply::content(content)]);
        let got = run(&fake, &FormatMemory::default()).await.unwrap();
        assert_eq!(got.0, "a");
    }
}

#[tokio::test]
async fn a_missing_field_is_asked_again_once_then_given_up() {
    let fake = FakeChat::start(vec![
        ChatReply::content(r#"{"other": 1}"#),
        ChatReply::content(r#"{"summary": "second time"}"#),
    ]);
    let got = run(&fake, &FormatMemory::default()).await.unwrap();
    assert_eq!((got.0.as_str(), got.2), ("second time", 2));

    let fake = FakeChat::start(vec![ChatReply::content(r#"{"other": 1}"#)]);
    let err = run(&fake, &FormatMemory::default()).await.unwrap_err();
    assert_eq!(err, LlmError::BadAnswer("summary is missing".into()));
    assert_eq!(fake.count(), 2, "asked again once, not more");
}

#[tokio::test]
async fn a_refused_response_format_steps_down_and_is_remembered() {
    let refusal = r#"{"error": {"message": "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model."}}"#;
    let fake = FakeChat::start(vec![
        ChatReply::status(400, None, refusal),
        ChatReply::status(400, None, &refusal.replace("json_schema", "json_object")),
        ChatReply::content(r#"{"summary": "plain"}"#),
    ]);
    let memory = FormatMemory::default();
    let got = run(&fake, &memory).await.unwrap();
    assert_eq!(got, ("plain".to_string(), FormatMode::PromptOnly, 3));
    let requests = fake.requests.lock().clone();
    assert_eq!(requests[1].body["response_format"]["type"], "json_object");
    assert!(requests[2].body.get("response_format").is_none());
    // Without response_format, the schema is in the prompt.
    let prompt = requests[2].body["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(prompt.contains("JSON schema") && prompt.contains("additionalProperties"));
    // The next call to this server starts where it ended.
    fake.script(vec![ChatReply::content(r#"{"summary": "again"}"#)]);
    let again = run(&fake, &memory).await.unwrap();
    assert_eq!(again, ("again".to_string(), FormatMode::PromptOnly, 1));
}

#[tokio::test]
async fn rate_limits_are_waited_out_as_the_server_asks() {
    let ok = ChatReply::content(r#"{"summary": "ok"}"#);
    for (header, at_least) in [
        (Some("retry-after-ms: 300"), Duration::from_millis(300)),
        (Some("Retry-After: 1"), Duration::from_secs(1)),
        (None, Duration::from_millis(100)),
    ] {
        let fake = FakeChat::start(vec![ChatReply::status(429, header, "{}"), ok.clone()]);
        let start = Instant::now();
        let got = run(&fake, &FormatMemory::default()).await.unwrap();
        let waited = start.elapsed();
        assert_eq!(got.2, 2, "{header:?}");
        assert!(waited >= at_least, "{header:?}: waited {waited:?}");
        assert!(
            waited < at_least + Duration::from_secs(2),
            "{header:?}: waited {waited:?}"
        );
    }
}

#[tokio::test]
async fn server_errors_are_retried_with_a_cap() {
    let fake = FakeChat::start(vec![
        ChatReply::status(500, None, "boom"),
        ChatReply::content(r#"{"summary": "recovered"}"#),
    ]);
    assert_eq!(run(&fake, &FormatMemory::default()).await.unwrap().2, 2);

    let fake = FakeChat::start(vec![ChatReply::status(
        503,
        None,
        r#"{"error": "overloaded"}"#,
    )]);
    let err = run(&fake, &FormatMemory::default()).await.unwrap_err();
    assert_eq!(fake.count(), 3, "one try and two retries");
    assert_eq!(err.to_string(), "the server failed (HTTP 503): overloaded");
}

#[tokio::test]
async fn a_slow_server_is_given_up_after_the_timeout() {
    let mut slow = ChatReply::content(r#"{"summary": "late"}"#);
    slow.delay = Duration::from_secs(5);
    let fake = FakeChat::start(vec![slow]);
    let c = client(&fake, 1);
    let start = Instant::now();
    let err = ask(
        &c,
        ("s", "u"),
        &schema(),
        &FormatMemory::default(),
        quick(),
        summary,
    )
    .await
    .unwrap_err();
    assert_eq!(err, LlmError::Timeout(1));
    assert_eq!(err.to_string(), "no answer within 1 s");
    assert!(start.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_wrong_key_is_said_in_words_and_not_retried() {
    let fake = FakeChat::start(vec![ChatReply::status(
        401,
        None,
        r#"{"error": {"message": "Incorrect API key provided: sk-test-****cdef."}}"#,
    )]);
    let err = run(&fake, &FormatMemory::default()).await.unwrap_err();
    assert_eq!(fake.count(), 1);
    let words = err.to_string();
    assert!(
        words.starts_with("the server refused the API key (HTTP 401)"),
        "{words}"
    );
    assert!(!words.contains(KEY));
}
