use chrono::DateTime;

use super::*;
use crate::model::{Author, EventId, HypothesisMark, IncidentEventKind, TriggerOrigin};

fn at(secs: i64) -> chrono::DateTime<chrono::Utc> {
    DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
}

fn remote(seq: u64, secs: i64, kind: IncidentEventKind, event: FeedEvent) -> IncidentEvent {
    IncidentEvent {
        id: EventId { origin: 77, seq },
        at: at(secs),
        author: Author::Responder("lee".into()),
        kind,
        detail: String::new(),
        event: Some(event),
    }
}

#[test]
fn a_rekeyed_incident_names_its_team_id_in_every_event() {
    let mut inc =
        crate::model::test_incident(PROVISIONAL_ID_BASE + 3, TriggerOrigin::Manual, at(0), None);
    let p = inc.id;
    inc.log(
        at(1),
        Author::Monitor,
        IncidentEventKind::Opened,
        FeedEvent::Detected {
            id: p,
            code: "x".into(),
            series: vec![],
            values: vec![],
        },
    );
    inc.log(
        at(2),
        Author::Responder("kim".into()),
        IncidentEventKind::Acknowledged,
        FeedEvent::Acknowledged {
            id: Some(p),
            name: "n".into(),
            by: "kim".into(),
            comment: String::new(),
            until: at(60),
            silences: 1,
        },
    );
    let team = inc.rekeyed(57);
    assert_eq!(team.id, 57);
    assert!(matches!(
        team.timeline[0].event,
        Some(FeedEvent::Detected { id: 57, .. })
    ));
    assert!(matches!(
        team.timeline[1].event,
        Some(FeedEvent::Acknowledged { id: Some(57), .. })
    ));
    assert!(is_provisional(p) && !is_provisional(57));
}

#[test]
fn the_breach_is_the_runbook_or_the_runbook_and_alert_group() {
    let inc = crate::model::test_incident(1, TriggerOrigin::Monitor, at(0), None);
    let key = breach_key(&inc);
    assert!(
        key.contains("runbook") && key.contains(&inc.scenario.code),
        "{key}"
    );
    let mut other = crate::model::test_incident(2, TriggerOrigin::Monitor, at(5), None);
    assert_eq!(breach_key(&other), key, "same runbook, same breach");
    other.alerts = Some(crate::model::IncidentAlerts {
        group: "{}:{alertname=\"Disk\"}".into(),
        matched: None,
        alerts: Vec::new(),
        more: Default::default(),
        resolved: Default::default(),
        resolved_at: None,
        ack: None,
    });
    assert_ne!(breach_key(&other), key);
}

#[test]
fn another_consoles_mark_close_and_owner_change_this_incident_once() {
    let mut inc = crate::model::test_incident(5, TriggerOrigin::Manual, at(0), None);
    let mark = remote(
        1,
        10,
        IncidentEventKind::Marked,
        FeedEvent::HypothesisMarked {
            id: 5,
            hypothesis: 1,
            from: HypothesisMark::Open,
            to: HypothesisMark::Rejected,
        },
    );
    assert!(inc.apply_shared(mark.clone()));
    assert!(!inc.apply_shared(mark), "once");
    assert_eq!(inc.marks[1], HypothesisMark::Rejected);
    assert_eq!(inc.owner(), None);
    let take = |seq, owner: &str, from: Option<&str>| {
        remote(
            seq,
            20 + seq as i64,
            IncidentEventKind::Owner,
            FeedEvent::OwnerChanged {
                id: 5,
                owner: owner.into(),
                from: from.map(str::to_string),
            },
        )
    };
    inc.apply_shared(take(2, "lee", None));
    inc.apply_shared(take(3, "kim", Some("lee")));
    assert_eq!(inc.owner(), Some("kim"));
    let close = remote(
        4,
        40,
        IncidentEventKind::Closed,
        FeedEvent::Closed {
            id: 5,
            code: "x".into(),
            resolution: String::new(),
        },
    );
    assert!(inc.apply_shared(close));
    assert_eq!(inc.status, IncidentStatus::Closed);
    assert_eq!(inc.closed_at, Some(at(40)));
}

#[test]
fn what_each_console_observes_itself_is_not_shared() {
    assert!(!is_shared_kind(&IncidentEventKind::Refired));
    assert!(!is_shared_kind(&IncidentEventKind::Recovered));
    assert!(is_shared_kind(&IncidentEventKind::Marked));
    assert!(is_shared_kind(&IncidentEventKind::Owner));
    assert_eq!(
        check_database_url("mysql://x"),
        Err("must start with postgres:// or postgresql://".into())
    );
    assert!(check_database_url("postgresql:///incidents?host=/run/postgresql").is_ok());
}

#[test]
fn another_consoles_run_is_followed_and_its_loss_leaves_an_unknown_outcome() {
    let mut inc = crate::model::test_incident(5, TriggerOrigin::Manual, at(0), None);
    let approved = remote(
        1,
        10,
        IncidentEventKind::Approved,
        FeedEvent::PlanApproved {
            id: 5,
            numbers: vec![1, 2],
            typed: 0,
            actions_off: false,
        },
    );
    assert!(inc.apply_shared(approved));
    assert_eq!(inc.plan.state, PlanState::Running(at(10)));
    let ran = remote(
        2,
        11,
        IncidentEventKind::ActionRan,
        FeedEvent::ActionRan {
            id: 5,
            number: 1,
            dry_run: false,
            outcome: ActionOutcome::Succeeded,
            status: Some(200),
            duration_ms: 40,
        },
    );
    assert!(inc.apply_shared(ran));
    assert_eq!(inc.plan.results.len(), 1);
    assert_eq!(inc.plan.results[0].outcome, ActionOutcome::Succeeded);
    let lost = remote(
        3,
        30,
        IncidentEventKind::PlanStopped,
        FeedEvent::RunLost {
            id: 5,
            numbers: vec![2],
            by: "choi (0a0b)".into(),
        },
    );
    assert!(inc.apply_shared(lost));
    assert_eq!(
        inc.plan.state,
        PlanState::Stopped {
            at: at(30),
            action: 1,
            why: StopReason::Interrupted
        }
    );
    let last = inc.plan.results.last().unwrap();
    assert_eq!((last.action, last.outcome), (1, ActionOutcome::Unknown));
}

#[test]
fn a_provisional_id_reads_and_is_typed_as_l_and_its_number() {
    assert_eq!(incident_label(57), "57");
    assert_eq!(incident_label(PROVISIONAL_ID_BASE), "L1");
    assert_eq!(incident_label(PROVISIONAL_ID_BASE + 2), "L3");
    assert!(crate::model::confirmation_ok(
        None,
        PROVISIONAL_ID_BASE,
        "#l1"
    ));
    assert!(crate::model::confirmation_ok(None, 57, "#57"));
    assert!(!crate::model::confirmation_ok(
        None,
        PROVISIONAL_ID_BASE,
        "1"
    ));
}
