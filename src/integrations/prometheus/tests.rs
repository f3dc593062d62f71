use super::*;

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn vector_scalar_and_matrix_bodies_parse() {
    let body = br#"{"status":"success","data":{"resultType":"vector","result":[
        {"metric":{"__name__":"cpu_usage","instance":"edge-node-01"},"value":[1700000000.5,"0.42"]},
        {"metric":{"instance":"edge-node-02"},"value":[1700000000.5,"NaN"]}]}}"#;
    let ApiData::Vector(items) = decode("u", 200, body).unwrap() else {
        panic!()
    };
    assert_eq!(items.len(), 2);
    assert_eq!(
        parse_value(&items[0].value.as_ref().unwrap().1).unwrap(),
        0.42
    );
    assert!(parse_value("NaN").unwrap().is_nan());
    assert_eq!(parse_value("+Inf").unwrap(), f64::INFINITY);
    assert_eq!(parse_value("-Inf").unwrap(), f64::NEG_INFINITY);
    assert!(parse_value("zero").is_err());

    let body = br#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"1"]}}"#;
    assert!(matches!(decode("u", 200, body).unwrap(), ApiData::Scalar((_, v)) if v == "1"));

    let body = br#"{"status":"success","data":{"resultType":"matrix","result":[
        {"metric":{"instance":"a"},"values":[[1,"0.1"],[2,"0.2"]]}]}}"#;
    let ApiData::Matrix(m) = decode("u", 200, body).unwrap() else {
        panic!()
    };
    assert_eq!(m[0].values.len(), 2);
}

#[test]
fn error_bodies_and_garbage_become_words() {
    let body = br#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected end of input"}"#;
    let err = decode("http://p:9090", 400, body).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Prometheus rejected the query (bad_data): 1:5: parse error: unexpected end of input"
    );
    let err = decode("http://p:9090", 200, b"<html>hello</html>").unwrap_err();
    assert!(matches!(err, PromError::Decode { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("body starts \"<html>hello</html>\""),
        "{err}"
    );
    let err = decode("http://p:9090", 200, b"").unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");
    let err = decode("http://p:9090", 502, b"Bad Gateway").unwrap_err();
    assert_eq!(
        err.to_string(),
        "http://p:9090 answered HTTP 502: Bad Gateway"
    );
    let err = decode("http://p:9090", 401, b"").unwrap_err();
    assert!(err.to_string().contains("authentication"), "{err}");
    let err = decode("http://p:9090", 200, br#"{"status":"success"}"#).unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
}

#[test]
fn series_are_named_by_label_with_a_fallback_that_never_merges() {
    let a = labels(&[("__name__", "cpu"), ("instance", "n1"), ("job", "x")]);
    let b = labels(&[("instance", "n2")]);
    let c = labels(&[("job", "y")]);
    assert_eq!(
        series_keys([&a, &b, &c].into_iter(), "instance"),
        ["n1", "n2", "{job=\"y\"}"]
    );
    // Two series with the same instance (say, two nodes behind one exporter).
    let d = labels(&[("instance", "exp:9001"), ("node", "edge-1")]);
    let e = labels(&[("instance", "exp:9001"), ("node", "edge-2")]);
    assert_eq!(
        series_keys([&d, &e].into_iter(), "instance"),
        [
            "{instance=\"exp:9001\", node=\"edge-1\"}",
            "{instance=\"exp:9001\", node=\"edge-2\"}"
        ]
    );
    assert_eq!(
        series_keys([&d, &e].into_iter(), "node"),
        ["edge-1", "edge-2"]
    );
}

#[test]
fn urls_lose_credentials_and_bad_settings_are_words() {
    assert_eq!(
        redact("https://u:p@prom.example/api/prom?x=1"),
        "https://prom.example/api/prom"
    );
    let s = PrometheusSettings {
        base_url: "ftp://x".into(),
        ..Default::default()
    };
    assert!(matches!(PromClient::new(&s), Err(PromError::Config(_))));
    let s = PrometheusSettings {
        base_url: "http://x".into(),
        auth: PromAuth::Bearer {
            token: crate::model::Secret::new("two words"),
        },
        ..Default::default()
    };
    let err = PromClient::new(&s).unwrap_err().to_string();
    assert!(
        err.contains("cannot carry") && !err.contains("words"),
        "{err}"
    );
}
