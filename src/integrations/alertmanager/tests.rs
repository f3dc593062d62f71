//! Payloads as Alertmanager 0.25 sends them (field order and extra fields included).

use super::*;
use crate::model::{AlertState, AlertStatus, WEBHOOK_SOURCE};

const WEBHOOK: &str = r#"{
  "receiver": "console",
  "status": "firing",
  "alerts": [
    {
      "status": "firing",
      "labels": {"alertname": "HighErrorRate", "instance": "edge-node-01", "severity": "critical"},
      "annotations": {"summary": "5xx above 5 %", "runbook_url": "https://runbooks/5xx"},
      "startsAt": "2026-11-27T06:00:00.123Z",
      "endsAt": "0001-01-01T00:00:00Z",
      "generatorURL": "http://prometheus:9090/graph?g0.expr=x",
      "fingerprint": "a1b2c3"
    },
    {
      "status": "resolved",
      "labels": {"alertname": "HighErrorRate", "instance": "edge-node-02", "severity": "critical"},
      "annotations": {},
      "startsAt": "2026-11-27T05:50:00Z",
      "endsAt": "2026-11-27T05:58:30Z",
      "generatorURL": "",
      "fingerprint": "d4e5f6",
      "somethingNew": [1, 2, 3]
    }
  ],
  "groupLabels": {"alertname": "HighErrorRate"},
  "commonLabels": {"alertname": "HighErrorRate", "severity": "critical"},
  "commonAnnotations": {},
  "externalURL": "http://alertmanager:9093",
  "version": "4",
  "groupKey": "{}:{alertname=\"HighErrorRate\"}",
  "truncatedAlerts": 2
}"#;

#[test]
fn a_webhook_is_one_group_and_status_decides_firing_or_resolved() {
    let g = parse_webhook(WEBHOOK.as_bytes()).unwrap();
    assert_eq!(g.group_key, r#"{}:{alertname="HighErrorRate"}"#);
    assert_eq!(g.truncated_alerts, 2);
    assert_eq!(g.receiver, "console");
    assert_eq!(g.alerts.len(), 2);
    let firing = &g.alerts[0];
    assert_eq!(firing.status, AlertStatus::Firing);
    // 0001-01-01 is not an end.
    assert_eq!(firing.ends_at, None);
    assert_eq!(firing.name(), "HighErrorRate");
    assert_eq!(firing.severity(), "critical");
    assert_eq!(firing.summary(), "5xx above 5 %");
    assert_eq!(firing.group_key.as_deref(), Some(g.group_key.as_str()));
    assert!(firing.reported_by.contains(WEBHOOK_SOURCE));
    let resolved = &g.alerts[1];
    assert_eq!(resolved.status, AlertStatus::Resolved);
    assert_eq!(
        resolved.ends_at.unwrap().to_rfc3339(),
        "2026-11-27T05:58:30+00:00"
    );
    // A label it lacks is the empty string.
    assert_eq!(resolved.label("team"), "");
}

#[test]
fn bad_webhooks_are_errors_in_words() {
    for (body, want) in [
        ("{not json", "not an Alertmanager payload"),
        (
            r#"{"version": "3", "groupKey": "g", "alerts": []}"#,
            "version \"3\"",
        ),
        (
            r#"{"version": "4", "groupKey": "g", "alerts": [{"status": "pending", "startsAt": "2026-11-27T06:00:00Z", "fingerprint": "f1"}]}"#,
            "neither firing nor resolved",
        ),
        (
            r#"{"version": "4", "groupKey": "g", "alerts": [{"status": "firing", "startsAt": "yesterday", "fingerprint": "f1"}]}"#,
            "startsAt \"yesterday\" is not a time",
        ),
        (r#"{"version": "4", "alerts": []}"#, "groupKey"),
    ] {
        let err = parse_webhook(body.as_bytes()).unwrap_err().to_string();
        assert!(err.contains(want), "{body}: {err}");
    }
}

#[test]
fn api_v2_alerts_are_firing_with_their_state() {
    let body = r#"[
      {"annotations": {"description": "CPU above 80 %"}, "endsAt": "2026-11-27T06:05:00Z",
       "fingerprint": "c0ffee", "receivers": [{"name": "console"}],
       "startsAt": "2026-11-27T06:00:00Z",
       "status": {"inhibitedBy": [], "silencedBy": ["s-1"], "state": "suppressed"},
       "updatedAt": "2026-11-27T06:01:00Z", "generatorURL": "http://p/graph",
       "labels": {"alertname": "CPUHigh", "severity": "warning"}}
    ]"#;
    let alerts = parse_alerts(body.as_bytes(), "http://am-1:9093").unwrap();
    assert_eq!(alerts.len(), 1);
    let a = &alerts[0];
    assert_eq!(a.status, AlertStatus::Firing);
    assert_eq!(a.ends_at, None, "a firing alert's endsAt is not an end");
    assert_eq!(a.state, AlertState::Suppressed);
    assert_eq!(a.silenced_by, vec!["s-1".to_string()]);
    assert_eq!(a.summary(), "CPU above 80 %");
    assert!(a.reported_by.contains("http://am-1:9093"));
}

#[test]
fn status_says_version_and_cluster() {
    let body = r#"{"cluster": {"name": "01H", "peers": [{"address": "127.0.0.1:9094", "name": "01H"}, {"address": "127.0.0.1:9095", "name": "01J"}], "status": "ready"},
      "config": {"original": "route: ..."}, "uptime": "2026-11-27T06:00:00Z",
      "versionInfo": {"branch": "debian", "version": "0.25.0"}}"#;
    let s = parse_status(body.as_bytes()).unwrap();
    assert_eq!(
        s,
        AmStatus {
            version: "0.25.0".into(),
            cluster: "ready".into(),
            peers: 2
        }
    );
    // Started with an empty --cluster.listen-address: no cluster object's peers.
    let alone = parse_status(
        br#"{"cluster": {"status": "disabled"}, "versionInfo": {"version": "0.25.0"}}"#,
    )
    .unwrap();
    assert_eq!(alone.cluster, "disabled");
    assert_eq!(alone.peers, 0);
}

#[test]
fn silences_keep_the_active_and_pending_ones_with_their_author_capped() {
    let long = "가".repeat(400);
    let body = format!(
        r#"[
        {{"id": "a1", "createdBy": "amtool-user", "comment": "{long}", "startsAt": "2026-12-07T10:00:00Z", "endsAt": "2026-12-07T11:00:00Z", "status": {{"state": "active"}}, "matchers": []}},
        {{"id": "p1", "createdBy": "karma", "comment": "later", "startsAt": "2026-12-07T12:00:00Z", "endsAt": "2026-12-07T13:00:00Z", "status": {{"state": "pending"}}, "matchers": []}},
        {{"id": "e1", "createdBy": "old", "comment": "done", "startsAt": "2026-12-01T10:00:00Z", "endsAt": "2026-12-01T11:00:00Z", "status": {{"state": "expired"}}, "matchers": []}},
        {{"id": "bad", "createdBy": "x", "comment": "", "startsAt": "yesterday", "endsAt": "2026-12-07T11:00:00Z", "status": {{"state": "active"}}}}
    ]"#
    );
    let silences = super::wire::parse_silences(body.as_bytes(), "http://am:9093").unwrap();
    let ids: Vec<&str> = silences.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["a1", "p1"], "expired and unreadable left out");
    assert_eq!(silences[0].created_by, "amtool-user");
    assert!(silences[0].comment.len() <= crate::model::SILENCE_COMMENT_LIMIT_BYTES);
    assert!(silences[0].comment.starts_with("가가"));
    assert_eq!(silences[1].source, "http://am:9093");
    assert!(super::wire::parse_silences(b"{}", "x").is_err());
}
