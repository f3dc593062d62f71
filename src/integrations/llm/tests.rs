use super::*;

#[test]
fn retry_after_reads_milliseconds_seconds_and_dates() {
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-27T10:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let h = |pairs: &[(&str, &str)]| {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        m
    };
    assert_eq!(
        retry_after(&h(&[("retry-after-ms", "250"), ("retry-after", "9")]), now),
        Some(Duration::from_millis(250)),
        "milliseconds win"
    );
    assert_eq!(
        retry_after(&h(&[("retry-after", "3")]), now),
        Some(Duration::from_secs(3))
    );
    assert_eq!(
        retry_after(&h(&[("retry-after", "Fri, 27 Nov 2026 10:00:07 GMT")]), now),
        Some(Duration::from_secs(7))
    );
    assert_eq!(retry_after(&h(&[]), now), None);
    assert_eq!(retry_after(&h(&[("retry-after", "soon")]), now), None);
}

#[test]
fn json_comes_out_of_fences_and_prose() {
    let want = json!({"a": 1});
    assert_eq!(extract_json(r#"{"a": 1}"#).unwrap(), want);
    assert_eq!(extract_json("```json\n{\"a\": 1}\n```").unwrap(), want);
    assert_eq!(
        extract_json("Here is the report:\n{\"a\": 1}\nHope it helps.").unwrap(),
        want
    );
    assert!(extract_json("no json here").is_err());
    assert!(extract_json("{ broken").is_err());
}

#[test]
fn errors_keep_the_servers_words_and_a_bad_url_is_said() {
    assert_eq!(
        error_message(r#"{"error": {"message": "Incorrect API key provided"}}"#),
        "Incorrect API key provided"
    );
    assert_eq!(error_message("upstream died"), "upstream died");
    let bad = LlmSettings {
        base_url: "localhost:11434".into(),
        ..Default::default()
    };
    let err = LlmClient::new(&bad).unwrap_err().to_string();
    assert!(err.contains("must start with http://"), "{err}");
    assert_eq!(
        FormatMode::JsonSchema.step_down(),
        Some(FormatMode::JsonObject)
    );
    assert_eq!(FormatMode::PromptOnly.step_down(), None);
}
