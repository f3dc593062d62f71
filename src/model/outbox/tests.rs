use super::*;
use chrono::TimeZone;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap()
}

fn job(incident: u64, event: NotifyEvent, destination: Destination) -> Job {
    Job {
        id: 0,
        incident,
        event,
        destination,
        subject: "[장애] #1 Nginx 5xx 급증".into(),
        text: "보고서".into(),
        created_at: t0(),
        deadline: t0() + Duration::minutes(30),
        attempts: 0,
        next_attempt_at: t0(),
        last_error: None,
        state: JobState::Queued,
        blocks: None,
        mention: None,
    }
}

const LEASE: Duration = Duration::seconds(20);

fn slack(c: &str) -> Destination {
    Destination::Slack { channel: c.into() }
}

#[test]
fn one_job_per_incident_event_and_destination() {
    let mut o = Outbox::default();
    assert_eq!(
        o.enqueue(job(1, NotifyEvent::Opened, slack("#ops"))),
        Some(1)
    );
    assert_eq!(o.enqueue(job(1, NotifyEvent::Opened, slack("#ops"))), None);
    assert_eq!(
        o.enqueue(job(1, NotifyEvent::Opened, slack("#sre"))),
        Some(2)
    );
    assert_eq!(
        o.enqueue(job(1, NotifyEvent::Closed, slack("#ops"))),
        Some(3)
    );
    let email = Destination::Email {
        to: vec!["a@example.com".into()],
    };
    assert_eq!(o.enqueue(job(1, NotifyEvent::Opened, email)), Some(4));
    // Survives a save and restore: the restored outbox still refuses the duplicate.
    let mut back: Outbox = ron::from_str(&ron::to_string(&o).unwrap()).unwrap();
    assert_eq!(
        back.enqueue(job(1, NotifyEvent::Opened, slack("#ops"))),
        None
    );
    assert_eq!(
        back.enqueue(job(2, NotifyEvent::Opened, slack("#ops"))),
        Some(5)
    );
}

#[test]
fn retry_delay_doubles_caps_jitters_and_honours_retry_after() {
    let d = |a, ra: Option<i64>, u| retry_delay(a, ra.map(Duration::seconds), u).num_milliseconds();
    assert_eq!(d(1, None, 1.0), 2000);
    assert_eq!(d(2, None, 1.0), 4000);
    assert_eq!(d(3, None, 0.0), 4000, "jitter takes up to half");
    assert_eq!(d(30, None, 1.0), 300_000, "capped");
    assert_eq!(d(1, Some(30), 1.0), 30_000, "Retry-After wins when longer");
    assert_eq!(d(5, Some(1), 1.0), 32_000, "but never shortens the backoff");
}

#[test]
fn failures_retry_until_the_deadline_then_become_pending() {
    let mut o = Outbox::default();
    let id = o
        .enqueue(job(1, NotifyEvent::Opened, slack("#ops")))
        .unwrap();
    assert_eq!(o.due(t0()), [id]);
    o.start_attempt(id, t0(), LEASE);
    assert!(
        o.due(t0()).is_empty(),
        "an attempt in flight is not started twice"
    );
    assert_eq!(o.next_wake(), Some(t0() + LEASE));
    let refused = || Failure::Retryable {
        reason: "connection refused".into(),
        retry_after: None,
    };
    assert_eq!(o.failed(id, t0(), refused(), 1.0), Some(JobState::Queued));
    assert!(
        o.due(t0() + Duration::seconds(1)).is_empty(),
        "not before its time"
    );
    assert_eq!(o.due(t0() + Duration::seconds(2)), [id]);
    // Keep failing until the next attempt would fall past the 30-minute deadline.
    let mut now = t0();
    for _ in 0..20 {
        now = o.job(id).unwrap().next_attempt_at;
        o.start_attempt(id, now, LEASE);
        if let Some(JobState::Pending { reason, .. }) = o.failed(id, now, refused(), 1.0) {
            assert!(
                reason.starts_with("connection refused (still failing after"),
                "{reason}"
            );
            break;
        }
    }
    assert_eq!(o.pending().count(), 1);
    assert!(
        o.due(now + Duration::hours(1)).is_empty(),
        "pending is not retried alone"
    );
    // The user retries: queued again with a fresh deadline; then acknowledges a failure.
    assert!(o.retry(id, now, Duration::minutes(30)));
    assert!(
        o.due(now).is_empty(),
        "the channel's one-second gap still holds"
    );
    let now = now + Duration::seconds(1);
    assert_eq!(o.due(now), [id]);
    o.start_attempt(id, now, LEASE);
    let gone = Failure::Permanent {
        reason: "channel_not_found".into(),
    };
    assert!(matches!(
        o.failed(id, now, gone, 0.5),
        Some(JobState::Pending { .. })
    ));
    assert!(o.acknowledge(id, now));
    assert_eq!(o.pending().count(), 0);
    assert!(
        !o.acknowledge(id, now),
        "only pending jobs are acknowledged"
    );
}

#[test]
fn one_message_per_second_per_slack_channel() {
    let mut o = Outbox::default();
    let a = o
        .enqueue(job(1, NotifyEvent::Opened, slack("#ops")))
        .unwrap();
    let b = o
        .enqueue(job(2, NotifyEvent::Opened, slack("#ops")))
        .unwrap();
    let c = o
        .enqueue(job(3, NotifyEvent::Opened, slack("#sre")))
        .unwrap();
    assert_eq!(o.due(t0()), [a, c], "one per channel per round");
    o.start_attempt(a, t0(), LEASE);
    o.start_attempt(c, t0(), LEASE);
    o.succeeded(a, t0(), Some("1.0001".into()));
    o.succeeded(c, t0(), Some("1.0002".into()));
    assert!(o.due(t0() + Duration::milliseconds(999)).is_empty());
    assert_eq!(o.next_wake(), Some(t0() + Duration::seconds(1)));
    assert_eq!(o.due(t0() + Duration::seconds(1)), [b]);
}

#[test]
fn replies_wait_for_their_report_and_thread_under_it() {
    let mut o = Outbox::default();
    let report = o
        .enqueue(job(1, NotifyEvent::Opened, slack("#ops")))
        .unwrap();
    let reply = o
        .enqueue(job(1, NotifyEvent::Recovered, slack("#ops")))
        .unwrap();
    assert_eq!(
        o.due(t0()),
        [report],
        "the reply must not overtake the report"
    );
    o.start_attempt(report, t0(), LEASE);
    assert_eq!(
        o.next_wake(),
        Some(t0() + LEASE),
        "the waiting reply does not wake the timer while its report is in flight"
    );
    o.failed(
        report,
        t0(),
        Failure::Retryable {
            reason: "HTTP 500".into(),
            retry_after: None,
        },
        1.0,
    );
    let later = t0() + Duration::seconds(5);
    assert_eq!(o.due(later), [report], "still waiting for the report");
    o.start_attempt(report, later, LEASE);
    o.succeeded(report, later, Some("1700000000.000100".into()));
    let after = later + Duration::seconds(1);
    assert_eq!(o.due(after), [reply]);
    assert_eq!(
        o.thread_for(1, "#ops"),
        Thread::Under("1700000000.000100".into())
    );
    // A report that failed for good lets replies go to the channel itself.
    let r2 = o
        .enqueue(job(2, NotifyEvent::Opened, slack("#ops")))
        .unwrap();
    o.start_attempt(r2, after, LEASE);
    o.failed(r2, after, Failure::Permanent { reason: "x".into() }, 1.0);
    assert_eq!(o.thread_for(2, "#ops"), Thread::TopLevel);
    assert_eq!(
        o.thread_for(3, "#ops"),
        Thread::TopLevel,
        "no report at all"
    );
}

#[test]
fn a_report_another_console_sent_is_not_sent_again_and_threads_replies() {
    let mut o = Outbox::default();
    let report = o
        .enqueue(job(57, NotifyEvent::Opened, slack("#ops")))
        .unwrap();
    let reply = o
        .enqueue(job(57, NotifyEvent::Recovered, slack("#ops")))
        .unwrap();
    o.start_attempt(report, t0(), LEASE);
    o.sent_by_other(report, "lee (1a2b)".into(), t0(), Some("171.0001".into()));
    let later = t0() + Duration::seconds(2);
    assert_eq!(
        o.due(later),
        [reply],
        "the report is done, the reply is free"
    );
    assert_eq!(o.thread_for(57, "#ops"), Thread::Under("171.0001".into()));
}

#[test]
fn a_held_attempt_is_not_counted_and_waits() {
    let mut o = Outbox::default();
    let id = o
        .enqueue(job(57, NotifyEvent::Opened, slack("#ops")))
        .unwrap();
    o.start_attempt(id, t0(), LEASE);
    let until = t0() + Duration::seconds(9);
    o.held(id, until);
    let j = o.job(id).unwrap();
    assert_eq!((j.attempts, j.next_attempt_at), (0, until));
    assert!(o.due(t0() + Duration::seconds(8)).is_empty());
    assert_eq!(o.due(until), [id]);
}

#[test]
fn rekeying_moves_jobs_and_drops_those_the_team_incident_has() {
    let mut o = Outbox::default();
    let mine = o
        .enqueue(job(1 << 52, NotifyEvent::Opened, slack("#ops")))
        .unwrap();
    let my_mail = o
        .enqueue(job(
            1 << 52,
            NotifyEvent::Opened,
            Destination::Email { to: vec![] },
        ))
        .unwrap();
    let theirs = o
        .enqueue(job(57, NotifyEvent::Opened, slack("#ops")))
        .unwrap();
    assert_eq!(o.rekey(1 << 52, 57), [my_mail]);
    assert!(o.job(mine).is_none(), "#57 already has its Slack report");
    assert_eq!(o.job(my_mail).unwrap().incident, 57);
    assert_eq!(o.job(theirs).unwrap().incident, 57);
    assert!(o.jobs.iter().all(|j| j.incident == 57));
}
