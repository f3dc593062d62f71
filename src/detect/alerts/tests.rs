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
        cut: Default::default(),
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
        book.webhook(std::slice::from_ref(&firing), t(1), &BTreeSet::new())
            .changes,
        vec![AlertChange::Fired("f1".into())]
    );
    assert_eq!(
        book.webhook(std::slice::from_ref(&firing), t(2), &BTreeSet::new())
            .changes,
        vec![]
    );
    let resolved = alert("f1", AlertStatus::Resolved, 0, WEBHOOK_SOURCE);
    assert_eq!(
        book.webhook(std::slice::from_ref(&resolved), t(3), &BTreeSet::new())
            .changes,
        vec![AlertChange::Resolved("f1".into())]
    );
    assert_eq!(
        book.webhook(&[resolved], t(4), &BTreeSet::new()).changes,
        vec![]
    );
    // A late copy of the firing webhook does not revive the episode.
    assert_eq!(
        book.webhook(&[firing], t(5), &BTreeSet::new()).changes,
        vec![]
    );
    assert_eq!(book.alert("f1").unwrap().status, AlertStatus::Resolved);
    // A new startsAt is a new episode.
    assert_eq!(
        book.webhook(
            &[alert("f1", AlertStatus::Firing, 600, WEBHOOK_SOURCE)],
            t(601),
            &BTreeSet::new()
        )
        .changes,
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
        book.poll("am-1", vec![a1.clone()], t(10), &both).changes,
        vec![AlertChange::Fired("f1".into())]
    );
    assert_eq!(
        book.poll("am-2", vec![a2], t(10), &both).changes,
        vec![AlertChange::Updated("f1".into())]
    );
    assert_eq!(book.alerts().count(), 1);
    assert_eq!(book.alert("f1").unwrap().reported_by, both);
    // Gone from one replica's successful poll: still firing, the other reports it.
    let changes = book.poll("am-1", vec![], t(20), &both).changes;
    assert_eq!(changes, vec![AlertChange::Updated("f1".into())]);
    assert_eq!(book.alert("f1").unwrap().status, AlertStatus::Firing);
    // Gone from the other's too: resolved, at the time that poll was sent.
    assert_eq!(
        book.poll("am-2", vec![], t(30), &both).changes,
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
        book.poll("am-1", vec![silenced], t(5), &am).changes,
        vec![AlertChange::Fired("f1".into())]
    );
    // A webhook of the same episode adds its group but keeps the silence polling saw.
    assert_eq!(
        book.webhook(
            &[alert("f1", AlertStatus::Firing, 0, WEBHOOK_SOURCE)],
            t(6),
            &BTreeSet::new()
        )
        .changes,
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
        &BTreeSet::new(),
    );
    let changes = book
        .poll("am-1", vec![book.alert("f1").unwrap().clone()], t(10), &am)
        .changes;
    assert!(
        !changes.contains(&AlertChange::Resolved("f2".into())),
        "{changes:?}"
    );
    // ...but one that a later successful poll does not list was missed: resolved.
    let changes = book
        .poll("am-1", vec![book.alert("f1").unwrap().clone()], t(20), &am)
        .changes;
    assert_eq!(changes, vec![AlertChange::Resolved("f2".into())]);
}

#[test]
fn a_forged_resolve_from_2099_is_refused_and_changes_nothing() {
    let mut book = AlertBook::default();
    let none = BTreeSet::new();
    let firing = alert("f1", AlertStatus::Firing, 0, WEBHOOK_SOURCE);
    book.webhook(std::slice::from_ref(&firing), t(1), &none);
    let mut forged = alert("f1", AlertStatus::Resolved, 0, WEBHOOK_SOURCE);
    forged.starts_at = Utc.with_ymd_and_hms(2099, 1, 1, 0, 0, 0).unwrap();
    forged.ends_at = Some(forged.starts_at);
    let merged = book.webhook(&[forged], t(2), &none);
    assert_eq!(merged.changes, vec![]);
    assert_eq!(merged.refused, vec![IntakeRefusal::FutureTime]);
    assert_eq!(book.alert("f1").unwrap(), &{
        let mut a = firing.clone();
        a.seen_at = t(1);
        a
    });
    // A real firing copy still merges as one.
    assert_eq!(book.webhook(&[firing], t(3), &none).changes, vec![]);
    // A clock a little ahead is not a forgery.
    let ahead = alert("f2", AlertStatus::Firing, 200, WEBHOOK_SOURCE);
    assert_eq!(
        book.webhook(&[ahead], t(0), &none).changes,
        vec![AlertChange::Fired("f2".into())]
    );
}

#[test]
fn while_a_polled_alertmanager_lists_an_alert_a_webhook_cannot_resolve_or_move_it() {
    let mut book = AlertBook::default();
    let am = polled(&["am-1"]);
    book.poll(
        "am-1",
        vec![alert("f1", AlertStatus::Firing, 0, "am-1")],
        t(5),
        &am,
    );
    let resolve = alert("f1", AlertStatus::Resolved, 0, WEBHOOK_SOURCE);
    let merged = book.webhook(&[resolve], t(6), &am);
    assert_eq!(merged.refused, vec![IntakeRefusal::ResolveWhilePolled]);
    let later = alert("f1", AlertStatus::Resolved, 100, WEBHOOK_SOURCE);
    let merged = book.webhook(&[later], t(101), &am);
    assert_eq!(merged.refused, vec![IntakeRefusal::EpisodeWhilePolled]);
    let a = book.alert("f1").unwrap();
    assert_eq!((a.status, a.starts_at), (AlertStatus::Firing, t(0)));
    // Once the poll no longer lists it, the webhook's word counts again.
    book.poll("am-1", vec![], t(200), &am);
    let next = alert("f1", AlertStatus::Firing, 300, WEBHOOK_SOURCE);
    assert_eq!(
        book.webhook(&[next], t(301), &am).changes,
        vec![AlertChange::Fired("f1".into())]
    );
}

#[test]
fn a_poll_sent_after_a_forged_webhook_puts_the_real_episode_back() {
    let mut book = AlertBook::default();
    let am = polled(&["am-1"]);
    // Heard first from a webhook, then a forged resolve of a "later episode" (within the
    // clock tolerance) before any poll listed it.
    book.webhook(
        &[alert("f1", AlertStatus::Firing, 0, WEBHOOK_SOURCE)],
        t(1),
        &am,
    );
    let mut forged = alert("f1", AlertStatus::Resolved, 10, WEBHOOK_SOURCE);
    forged.ends_at = Some(t(11));
    assert_eq!(
        book.webhook(&[forged], t(12), &am).changes,
        vec![AlertChange::Resolved("f1".into())]
    );
    // A poll sent before that webhook arrived does not overrule it...
    let real = alert("f1", AlertStatus::Firing, 0, "am-1");
    assert_eq!(
        book.poll("am-1", vec![real.clone()], t(11), &am).changes,
        vec![]
    );
    assert_eq!(book.alert("f1").unwrap().status, AlertStatus::Resolved);
    // ...one sent after it does: the alert fires, in its real episode.
    assert_eq!(
        book.poll("am-1", vec![real], t(20), &am).changes,
        vec![AlertChange::Fired("f1".into())]
    );
    let a = book.alert("f1").unwrap();
    assert_eq!((a.status, a.starts_at), (AlertStatus::Firing, t(0)));
    assert_eq!(a.group_key.as_deref(), Some("g"), "the group is kept");
}

#[test]
fn resolved_alerts_leave_the_book_an_hour_later_and_a_full_book_refuses_new_ones() {
    let mut book = AlertBook::default();
    let none = BTreeSet::new();
    book.webhook(
        &[alert("old", AlertStatus::Resolved, 0, WEBHOOK_SOURCE)],
        t(60),
        &none,
    );
    book.webhook(
        &[alert("new", AlertStatus::Firing, 0, WEBHOOK_SOURCE)],
        t(61),
        &none,
    );
    assert_eq!(book.len(), 2);
    book.webhook(&[], t(60 + RESOLVED_KEPT_SECS), &none);
    assert_eq!(book.len(), 2, "kept for the hour");
    book.webhook(&[], t(61 + RESOLVED_KEPT_SECS), &none);
    assert!(book.alert("old").is_none() && book.alert("new").is_some());

    let many: Vec<Alert> = (0..MAX_ALERTS)
        .map(|i| alert(&format!("m{i}"), AlertStatus::Firing, 0, WEBHOOK_SOURCE))
        .collect();
    let merged = book.webhook(&many, t(10_000), &none);
    assert_eq!(merged.changes.len(), MAX_ALERTS - 1);
    assert_eq!(merged.refused, vec![IntakeRefusal::BookFull]);
    // A known alert still updates.
    let resolve = alert("new", AlertStatus::Resolved, 0, WEBHOOK_SOURCE);
    assert_eq!(
        book.webhook(&[resolve], t(10_001), &none).changes,
        vec![AlertChange::Resolved("new".into())]
    );
}
