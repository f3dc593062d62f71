//! Merging by fingerprint, idempotent repeats, and resolving by word or by absence.

use std::collections::BTreeSet;

use chrono::{Duration, TimeZone, Utc};

use super::*;
use crate::model::AlertState;

fn t(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 6, 0, 0).unwrap() + Duration::seconds(secs)
}

fn alert(fp: &str, status: AlertStatus, starts: i64, source: &str) -> Alert {
    Alert {
        fingerprint: fp.into(),
        status,
        state: AlertState::Active,
        silenced_by: Vec::new(),
        inhibited_by: Vec::new(),
        labels: [("alertname".to_string(), "HighErrorRate".to_string())].into(),
        annotations: Default::default(),
        starts_at: t(starts),
        ends_at: (status == AlertStatus::Resolved).then(|| t(starts + 60)),
        generator_url: String::new(),
        group_key: (source == WEBHOOK_SOURCE).then(|| "g".to_string()),
        reported_by: BTreeSet::from([source.to_string()]),
        seen_at: t(starts),
    }
}

fn polled(sources: &[&str]) -> BTreeSet<String> {
    sources.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_repeated_webhook_changes_nothing_and_status_resolves() {
    let mut book = AlertBook::default();
    let firing = alert("f1", AlertStatus::Firing, 0, WEBHOOK_SOURCE);
    assert_eq!(
        book.webhook(std::slice::from_ref(&firing), t(1)),
        vec![AlertChange::Fired("f1".into())]
    );
    assert_eq!(book.webhook(std::slice::from_ref(&firing), t(2)), vec![]);
    let resolved = alert("f1", AlertStatus::Resolved, 0, WEBHOOK_SOURCE);
    assert_eq!(
        book.webhook(std::slice::from_ref(&resolved), t(3)),
        vec![AlertChange::Resolved("f1".into())]
    );
    assert_eq!(book.webhook(&[resolved], t(4)), vec![]);
    // A late copy of the firing webhook does not revive the episode.
    assert_eq!(book.webhook(&[firing], t(5)), vec![]);
    assert_eq!(book.alert("f1").unwrap().status, AlertStatus::Resolved);
    // A new startsAt is a new episode.
    assert_eq!(
        book.webhook(
            &[alert("f1", AlertStatus::Firing, 600, WEBHOOK_SOURCE)],
            t(601)
        ),
        vec![AlertChange::Fired("f1".into())]
    );
}

#[test]
fn ha_replicas_give_one_alert_that_remembers_both() {
    let mut book = AlertBook::default();
    let both = polled(&["am-1", "am-2"]);
    let a1 = alert("f1", AlertStatus::Firing, 0, "am-1");
    let a2 = alert("f1", AlertStatus::Firing, 0, "am-2");
    assert_eq!(
        book.poll("am-1", vec![a1.clone()], t(10), &both),
        vec![AlertChange::Fired("f1".into())]
    );
    assert_eq!(
        book.poll("am-2", vec![a2], t(10), &both),
        vec![AlertChange::Updated("f1".into())]
    );
    assert_eq!(book.alerts().count(), 1);
    assert_eq!(book.alert("f1").unwrap().reported_by, both);
    // Gone from one replica's successful poll: still firing, the other reports it.
    let changes = book.poll("am-1", vec![], t(20), &both);
    assert_eq!(changes, vec![AlertChange::Updated("f1".into())]);
    assert_eq!(book.alert("f1").unwrap().status, AlertStatus::Firing);
    // Gone from the other's too: resolved, at the time that poll was sent.
    assert_eq!(
        book.poll("am-2", vec![], t(30), &both),
        vec![AlertChange::Resolved("f1".into())]
    );
    let a = book.alert("f1").unwrap();
    assert_eq!((a.status, a.ends_at), (AlertStatus::Resolved, Some(t(30))));
}

#[test]
fn polling_finds_what_the_webhook_missed_and_keeps_what_it_knows() {
    let mut book = AlertBook::default();
    let am = polled(&["am-1"]);
    // Firing before the console started: found by the first poll.
    let mut silenced = alert("f1", AlertStatus::Firing, 0, "am-1");
    silenced.state = AlertState::Suppressed;
    silenced.silenced_by = vec!["s-1".into()];
    assert_eq!(
        book.poll("am-1", vec![silenced], t(5), &am),
        vec![AlertChange::Fired("f1".into())]
    );
    // A webhook of the same episode adds its group but keeps the silence polling saw.
    assert_eq!(
        book.webhook(&[alert("f1", AlertStatus::Firing, 0, WEBHOOK_SOURCE)], t(6)),
        vec![AlertChange::Updated("f1".into())]
    );
    let a = book.alert("f1").unwrap();
    assert_eq!(a.state, AlertState::Suppressed);
    assert_eq!(a.silenced_by, vec!["s-1".to_string()]);
    assert_eq!(a.group_key.as_deref(), Some("g"));
    // A webhook-only alert that arrived after a poll was sent is not resolved by it...
    book.webhook(
        &[alert("f2", AlertStatus::Firing, 0, WEBHOOK_SOURCE)],
        t(12),
    );
    let changes = book.poll("am-1", vec![book.alert("f1").unwrap().clone()], t(10), &am);
    assert!(
        !changes.contains(&AlertChange::Resolved("f2".into())),
        "{changes:?}"
    );
    // ...but one that a later successful poll does not list was missed: resolved.
    let changes = book.poll("am-1", vec![book.alert("f1").unwrap().clone()], t(20), &am);
    assert_eq!(changes, vec![AlertChange::Resolved("f2".into())]);
}
