//! One notification per team for what every console sees on its own: a re-fire. Each console
//! counts its re-fires itself (the consoles that lost the race for the incident count their
//! own detection as one), so the count cannot be the claim; the team posts one reply per
//! re-fire. Against a real PostgreSQL and the Slack fake.

mod common;

use std::time::{Duration, Instant};

use common::notify::FakeSlack;
use common::postgres::Postgres;

use common::{Reply, vector, wait_for};
use incident_console::engine::ConsoleState;
use incident_console::model::{FeedEvent, JobState, NotifyEvent};

fn settled(st: &ConsoleState) -> bool {
    (st.board.notifications.iter()).all(|j| !matches!(j.state, JobState::Queued))
}

/// Feed entries since the `from`th that match `pick`.
fn since(st: &ConsoleState, from: usize, pick: impl Fn(&FeedEvent) -> bool) -> usize {
    (st.feed.iter().skip(from))
        .filter(|e| pick(&e.event))
        .count()
}

#[test]
fn a_re_fire_seen_by_three_consoles_is_one_reply_in_the_thread() {
    let Some(pg) = Postgres::start() else { return };
    let slack = FakeSlack::start("xoxb-test-0123456789");
    let prom = common::team::cpu_prom("0.97");
    let team = common::team::on_one_breach(&pg, &prom, &slack, &["kim", "lee", "park"]);
    let consoles = team.handles;
    let deadline = Instant::now() + Duration::from_secs(20);
    while slack.posted().is_empty() {
        assert!(Instant::now() < deadline, "no report");
        std::thread::sleep(Duration::from_millis(50));
    }
    for h in &consoles {
        wait_for(&h.state, "the report settled", settled);
    }
    // The breach clears on every console, then comes back: each console sees a re-fire.
    let marks: Vec<usize> = (consoles.iter())
        .map(|h| h.state.lock().feed.len())
        .collect();
    prom.set_instant(Reply::Json(vector(&[("web-1", "0.2")])));
    for (h, &from) in consoles.iter().zip(&marks) {
        wait_for(&h.state, "cleared", |st| {
            since(st, from, |e| matches!(e, FeedEvent::Cleared { .. })) > 0
        });
    }
    prom.set_instant(Reply::Json(vector(&[("web-1", "0.97")])));
    for (h, &from) in consoles.iter().zip(&marks) {
        wait_for(&h.state, "re-fired and settled", |st| {
            since(st, from, |e| matches!(e, FeedEvent::Refired { .. })) > 0
                && (st.board.notifications.iter())
                    .any(|j| matches!(j.event, NotifyEvent::Refired(_)))
                && settled(st)
        });
    }
    let posted = slack.posted();
    let replies: Vec<_> = (posted.iter())
        .filter(|r| r.body.get("thread_ts").is_some())
        .collect();
    assert_eq!(replies.len(), 1, "one re-fire reply: {posted:?}");
    // It names the series in breach again (its samples are counted before it is made).
    let text = replies[0].body["text"].as_str().unwrap_or_default();
    assert!(text.contains("web-1"), "{text}");
    // Every console knows the one reply: one sent it, the others record it as sent by it.
    let mut sent_here = 0;
    for h in &consoles {
        let st = h.state.lock();
        for j in
            (st.board.notifications.iter()).filter(|j| matches!(j.event, NotifyEvent::Refired(_)))
        {
            match &j.state {
                JobState::Delivered { .. } => sent_here += 1,
                JobState::SentByOther { .. } => {}
                other => panic!("a re-fire's job is {other:?}"),
            }
        }
    }
    assert_eq!(sent_here, 1);
}

#[test]
fn a_recurring_claim_covers_its_quiet_time_and_is_taken_again_after_it() {
    use incident_console::integrations::team::TeamStore;
    use incident_console::integrations::team::claims::{self, Claim, ClaimKind};
    let Some(pg) = Postgres::start() else { return };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = TeamStore::new(&pg.url()).unwrap();
    rt.block_on(incident_console::integrations::team::schema::migrate(
        &store, "test",
    ))
    .unwrap();
    let kind = ClaimKind::Notification;
    let now = chrono::Utc::now();
    let claim = |console: &str, covered_since| {
        rt.block_on(claims::claim_recurring(
            &store,
            kind,
            9,
            "refire",
            console,
            30.0,
            covered_since,
        ))
    };
    let minute = chrono::Duration::seconds(60);
    assert_eq!(claim("kim", now - minute), Ok(Claim::Mine));
    // Held while kim sends it.
    assert!(matches!(claim("lee", now - minute), Ok(Claim::Held { by, .. }) if by == "kim"));
    rt.block_on(claims::finish(
        &store,
        kind,
        9,
        "refire",
        "kim",
        Some("1.2"),
    ))
    .unwrap();
    // The same re-fire, seen by lee a little later: done already.
    assert!(matches!(
        claim("lee", now - minute + chrono::Duration::seconds(5)),
        Ok(Claim::Done { by, .. }) if by == "kim"
    ));
    // A re-fire seen after the quiet time is a new one: lee takes it, kim is then refused.
    let later = chrono::Utc::now() + chrono::Duration::seconds(1);
    assert_eq!(claim("lee", later), Ok(Claim::Mine));
    assert!(matches!(claim("kim", later), Ok(Claim::Held { by, .. }) if by == "lee"));
}
