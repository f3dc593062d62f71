//! Alertmanager's matcher semantics, case by case.

use std::collections::BTreeMap;

use super::*;

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn matches(filter: &str, pairs: &[(&str, &str)]) -> bool {
    Matchers::parse(filter).unwrap().matches(&labels(pairs))
}

#[test]
fn the_four_operators() {
    let alert = [("alertname", "HighErrorRate"), ("severity", "critical")];
    assert!(matches(r#"severity="critical""#, &alert));
    assert!(!matches(r#"severity!="critical""#, &alert));
    assert!(matches(r#"severity=~"crit.*""#, &alert));
    assert!(!matches(r#"severity!~"crit.*""#, &alert));
    assert!(matches(r#"severity!~"warn.*""#, &alert));
}

#[test]
fn regexes_are_anchored_at_both_ends() {
    assert!(matches(r#"code=~"5..""#, &[("code", "503")]));
    assert!(!matches(r#"code=~"5..""#, &[("code", "1503")]));
    assert!(!matches(r#"code=~"5..""#, &[("code", "5031")]));
    // An alternation is anchored as a whole, not only its first branch.
    assert!(!matches(r#"job=~"api|web""#, &[("job", "webserver")]));
    assert!(matches(r#"job=~"api|web""#, &[("job", "web")]));
}

#[test]
fn a_missing_label_is_the_empty_string() {
    let alert = [("alertname", "CPUHigh")];
    assert!(matches(r#"team!="payments""#, &alert));
    assert!(matches(r#"team="""#, &alert));
    assert!(matches(r#"team=~"""#, &alert));
    assert!(matches(r#"team=~".*""#, &alert));
    assert!(!matches(r#"team=~".+""#, &alert));
    assert!(!matches(r#"team="payments""#, &alert));
}

#[test]
fn the_matchers_of_one_string_are_anded() {
    let alert = [("severity", "critical"), ("team", "payments")];
    assert!(matches(r#"{severity="critical", team=~"pay.*"}"#, &alert));
    assert!(!matches(r#"{severity="critical", team=~"ops.*"}"#, &alert));
    // No matchers match everything.
    assert!(matches("", &alert));
    assert!(matches("{}", &alert));
}

#[test]
fn syntax_as_alertmanager_accepts_it() {
    let expected = Matchers(vec![
        Matcher::new("foo", MatchOp::Equal, "bar").unwrap(),
        Matcher::new("dings", MatchOp::NotEqual, "bums").unwrap(),
    ]);
    for text in [
        r#"{foo = "bar", dings != "bums", }"#,
        "foo=bar,dings!=bums",
        "foo=bar, dings!=bums",
        r#"{foo="bar",dings!="bums"}"#,
    ] {
        assert_eq!(Matchers::parse(text).unwrap(), expected, "{text}");
    }
    // A comma inside quotes is part of the value; escapes are undone.
    let m = Matchers::parse(r#"{quote="She said: \"Hi, all\"\nbye \\ \d"}"#).unwrap();
    assert_eq!(m.0.len(), 1);
    assert_eq!(m.0[0].value, "She said: \"Hi, all\"\nbye \\ \\d");
    // Display writes what parses back to the same matchers.
    assert_eq!(Matchers::parse(&m.to_string()).unwrap(), m);
}

#[test]
fn bad_input_is_an_error_in_words() {
    for (text, want) in [
        ("severity", "is not a matcher"),
        ("=critical", "is not a matcher"),
        ("9lives=\"x\"", "is not a label name"),
        (r#"a="unterminated"#, "double quote"),
        (r#"a="x"y""#, "double quote"),
        (r#"a=x"y"#, "double quote"),
        (r#"a=~"(""#, "regex"),
    ] {
        let err = Matchers::parse(text).unwrap_err().to_string();
        assert!(err.contains(want), "{text}: {err}");
    }
}
