//! Team mode against a real PostgreSQL (Debian's server, started here in a temporary
//! directory as the `postgres` user): several engines in this one process share one store.

mod common;

use common::notify::FakeSlack;
use common::postgres::Postgres;
use common::team::{console, console_via, incidents, joined, live};
use common::{Reply, vector, wait_for};
use incident_console::engine::{Command, ConsoleState, EngineHandle};
use incident_console::integrations::team::{TeamError, TeamStore, schema};
use incident_console::model::{
    FeedEvent, HypothesisMark, JobState, NotifyEvent, Settings, TeamStatus, is_provisional,
};

fn applied(h: &EngineHandle) -> Vec<usize> {
    (h.state.lock().feed.iter())
        .filter_map(|e| match &e.event {
            FeedEvent::TeamJoined { applied, .. } => Some(*applied),
            _ => None,
        })
        .collect()
}

#[test]
fn ten_consoles_starting_at_once_on_an_empty_database_apply_the_schema_once() {
    let Some(pg) = Postgres::start() else { return };
    let dirs: Vec<_> = (0..10).map(|_| tempfile::tempdir().unwrap()).collect();
    let quiet = Settings {
        poll_interval_secs: 3600,
        ..Settings::default()
    };
    let handles: Vec<EngineHandle> = std::thread::scope(|s| {
        let starting: Vec<_> = (dirs.iter().enumerate())
            .map(|(i, d)| {
                let (pg, quiet) = (&pg, quiet.clone());
                s.spawn(move || console(d.path(), pg, &format!("c{i}"), quiet))
            })
            .collect();
        starting.into_iter().map(|t| t.join().unwrap()).collect()
    });
    for h in &handles {
        wait_for(&h.state, "joined", joined);
    }
    let counts: Vec<usize> = handles.iter().flat_map(applied).collect();
    assert_eq!(counts.len(), 10, "each joined once: {counts:?}");
    assert_eq!(
        counts.iter().sum::<usize>(),
        schema::MIGRATIONS.len(),
        "every migration applied by exactly one console: {counts:?}"
    );
    let versions = pg.psql(
        common::postgres::DATABASE,
        "SELECT string_agg(version::text, ',' ORDER BY version) FROM incident_console.console_schema",
    );
    let expected: Vec<String> = (1..=schema::MIGRATIONS.len())
        .map(|v| v.to_string())
        .collect();
    assert_eq!(versions, expected.join(","));
    // No console's files hold the store's password.
    for d in &dirs {
        common::actions::assert_no_secret_in(d.path());
    }
}

#[test]
fn a_schema_newer_than_the_console_knows_is_refused_in_words() {
    let Some(pg) = Postgres::start() else { return };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = TeamStore::new(&pg.url()).unwrap();
    rt.block_on(schema::migrate(&store, "test")).unwrap();
    let newer = schema::known_version() + 1;
    pg.psql(
        common::postgres::DATABASE,
        &format!("INSERT INTO incident_console.console_schema (version, applied_by) VALUES ({newer}, 'a newer console')"),
    );
    let err = rt.block_on(schema::migrate(&store, "test")).unwrap_err();
    assert_eq!(
        err,
        TeamError::NewerSchema {
            found: newer,
            known: schema::known_version()
        }
    );
    assert!(err.to_string().contains("update the console"), "{err}");
    // A console joining it says so, works solo, and never writes.
    let dir = tempfile::tempdir().unwrap();
    let h = console(dir.path(), &pg, "kim", Settings::default());
    wait_for(
        &h.state,
        "refused",
        |st| matches!(&st.board.team, TeamStatus::Unusable { reason } if reason.contains("newer")),
    );
    // A wrong password is said without the URL.
    let wrong = pg.url().replace(pg.password(), "wrong");
    let store = TeamStore::new(&wrong).unwrap();
    let err = rt.block_on(schema::migrate(&store, "test")).unwrap_err();
    assert!(!err.to_string().contains("wrong"), "{err}");
    assert!(err.to_string().contains("password"), "{err}");
}

#[test]
fn one_breach_seen_by_three_consoles_is_one_incident_with_one_id_and_one_post() {
    let Some(pg) = Postgres::start() else { return };
    let slack = FakeSlack::start("xoxb-test-0123456789");
    // Every console's Prometheus says the same: CPU far over its threshold.
    let prom = common::team::cpu_prom("0.97");
    let team = common::team::on_one_breach(&pg, &prom, &slack, &["kim", "lee", "park"]);
    let consoles = team.handles;
    let ids: Vec<u64> = consoles
        .iter()
        .map(|h| incidents(&h.state.lock())[0].id)
        .collect();
    assert!(
        ids.iter().all(|&i| i == ids[0]),
        "one id everywhere: {ids:?}"
    );
    let opened = pg.psql(
        common::postgres::DATABASE,
        "SELECT count(*) FROM incident_console.incidents",
    );
    assert_eq!(opened, "1");
    // The winner posts the report once; nobody else posts it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while slack.posted().is_empty() {
        assert!(std::time::Instant::now() < deadline, "no post");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    for h in &consoles {
        wait_for(&h.state, "outbox settled", |st| {
            st.board
                .notifications
                .iter()
                .all(|j| !matches!(j.state, JobState::Queued))
        });
    }
    let top_level: Vec<_> = (slack.posted().into_iter())
        .filter(|r| r.body.get("thread_ts").is_none())
        .collect();
    assert_eq!(top_level.len(), 1, "{:?}", slack.posted());

    // Who is on: every console sees the three, and which incident lee has open.
    let id = ids[0];
    assert!(consoles[1].send(Command::Viewing { incident: Some(id) }));
    for h in &consoles {
        wait_for(&h.state, "lee seen with the incident open", |st| {
            st.board.present.len() == 3
                && (st.board.present.iter()).any(|p| p.responder == "lee" && p.viewing == Some(id))
        });
    }
    // A mark on one console reaches the others.
    assert!(consoles[1].send(Command::MarkHypothesis {
        incident: id,
        hypothesis: 0,
        mark: HypothesisMark::Confirmed,
    }));
    // A note and an owner from the third console.
    let note = "rolled back web-1 by hand; 한글도 그대로";
    assert!(consoles[2].send(Command::Note {
        incident: id,
        text: note.into(),
        edits: None,
    }));
    assert!(consoles[2].send(Command::TakeIncident {
        incident: id,
        to: None,
    }));
    for h in [&consoles[0], &consoles[2], &consoles[1]] {
        wait_for(&h.state, "the mark, the note and the owner", |st| {
            incidents(st).iter().any(|i| {
                i.id == id
                    && i.marks.first() == Some(&HypothesisMark::Confirmed)
                    && i.owner() == Some("park")
                    && i.timeline.iter().any(|e| {
                        matches!(&e.event, Some(FeedEvent::NoteAdded { text, .. }) if text == note)
                    })
            })
        });
    }
    // Each event is once on every timeline, under the id its console gave it.
    let timelines: Vec<Vec<_>> = (consoles.iter())
        .map(|h| {
            let inc = incidents(&h.state.lock()).remove(0);
            (inc.timeline.iter())
                .filter(|e| incident_console::model::is_shared_kind(&e.kind))
                .map(|e| e.id)
                .collect()
        })
        .collect();
    for t in &timelines {
        let mut unique = t.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), t.len(), "no event twice: {t:?}");
    }
    // A console that did not post the report closes the incident: its one reply goes
    // into the report's thread, found through the store.
    let report_ts = |st: &ConsoleState| {
        (st.board.notifications.iter()).find_map(|j| match &j.state {
            JobState::Delivered { reference, .. } if j.event == NotifyEvent::Opened => {
                reference.clone()
            }
            _ => None,
        })
    };
    let winner = (consoles.iter())
        .position(|h| report_ts(&h.state.lock()).is_some())
        .expect("one console sent the report");
    let ts = report_ts(&consoles[winner].state.lock()).unwrap();
    let closer = &consoles[(winner + 1) % 3];
    assert!(closer.send(Command::CloseIncident {
        incident: id,
        resolution: "web-1 rolled back".into(),
    }));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !(slack.posted().iter()).any(|r| r.body.get("thread_ts").is_some()) {
        assert!(std::time::Instant::now() < deadline, "no reply");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    for h in &consoles {
        wait_for(&h.state, "closed and settled", |st| {
            incidents(st).iter().all(|i| !i.status.is_active())
                && (st.board.notifications.iter()).all(|j| !matches!(j.state, JobState::Queued))
        });
    }
    let posted = slack.posted();
    let replies: Vec<_> = (posted.iter())
        .filter_map(|r| r.body.get("thread_ts"))
        .collect();
    assert_eq!(
        replies,
        [&serde_json::json!(ts)],
        "one reply, in the one thread"
    );
    assert_eq!(posted.len(), 2, "{posted:?}");
}

#[test]
fn one_console_of_many_holds_a_claim_until_it_is_done_or_its_lease_runs_out() {
    use incident_console::integrations::team::claims::{self, Claim, ClaimKind};
    let Some(pg) = Postgres::start() else { return };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = TeamStore::new(&pg.url()).unwrap();
    rt.block_on(schema::migrate(&store, "test")).unwrap();
    let kind = ClaimKind::Notification;
    // Eight consoles claim one notification at the same moment: one holds it.
    let answers: Vec<_> = rt.block_on(async {
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    claims::claim(&store, kind, 7, "k", &format!("c{i}"), 30.0).await
                })
            })
            .collect();
        let mut answers = Vec::new();
        for t in tasks {
            answers.push(t.await.unwrap());
        }
        answers
    });
    let mine = answers
        .iter()
        .filter(|a| matches!(a, Ok(Claim::Mine)))
        .count();
    assert_eq!(mine, 1, "{answers:?}");
    let holder = (answers.iter().position(|a| matches!(a, Ok(Claim::Mine))))
        .map(|i| format!("c{i}"))
        .unwrap();
    let other = if holder == "c0" { "c1" } else { "c0" };
    match rt.block_on(claims::claim(&store, kind, 7, "k", other, 30.0)) {
        Ok(Claim::Held { by, left_secs, .. }) => {
            assert_eq!(by, holder);
            assert!(left_secs > 0.0);
        }
        a => panic!("{a:?}"),
    }
    // Done: nobody claims it again, and everyone reads its reference.
    rt.block_on(claims::finish(
        &store,
        kind,
        7,
        "k",
        &holder,
        Some("171.0001"),
    ))
    .unwrap();
    match rt.block_on(claims::claim(&store, kind, 7, "k", other, 30.0)) {
        Ok(Claim::Done { by, reference, .. }) => {
            assert_eq!(
                (by.as_str(), reference.as_deref()),
                (holder.as_str(), Some("171.0001"))
            );
        }
        a => panic!("{a:?}"),
    }
    // A holder that never finishes gives its claim up when the lease runs out.
    let first = rt.block_on(claims::claim(&store, kind, 8, "k", "dead", 0.3));
    assert_eq!(first, Ok(Claim::Mine));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match rt.block_on(claims::claim(&store, kind, 8, "k", "alive", 30.0)) {
            Ok(Claim::Mine) => break,
            Ok(Claim::Held { by, .. }) => assert_eq!(by, "dead"),
            a => panic!("{a:?}"),
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the lease never ran out"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn the_store_stopped_for_20_s_during_a_breach_marked_on_both_sides_loses_nothing() {
    let Some(pg) = Postgres::start() else { return };
    let slack = FakeSlack::start("xoxb-test-0123456789");
    // Healthy while both join.
    let prom = common::team::cpu_prom("0.2");
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let consoles: Vec<EngineHandle> = (dirs.iter().zip(["kim", "lee"]))
        .map(|(d, n)| console(d.path(), &pg, n, live(&prom, &slack)))
        .collect();
    for h in &consoles {
        wait_for(&h.state, "joined", joined);
    }
    // The store goes down at once; then CPU breaches.
    pg.crash();
    let down_at = std::time::Instant::now();
    for h in &consoles {
        wait_for(&h.state, "working alone", |st| {
            matches!(st.board.team, TeamStatus::Alone { .. })
        });
    }
    prom.set_instant(Reply::Json(vector(&[("web-1", "0.97")])));
    let provisional = |st: &ConsoleState| {
        (incidents(st).iter())
            .find(|i| is_provisional(i.id))
            .map(|i| i.id)
    };
    for h in &consoles {
        wait_for(&h.state, "an incident opened alone", |st| {
            provisional(st).is_some()
        });
    }
    // Each side marks a different hypothesis while alone.
    for (h, (hypothesis, mark)) in consoles.iter().zip([
        (0, HypothesisMark::Confirmed),
        (1, HypothesisMark::Rejected),
    ]) {
        let incident = provisional(&h.state.lock()).unwrap();
        assert!(h.send(Command::MarkHypothesis {
            incident,
            hypothesis,
            mark,
        }));
        wait_for(&h.state, "the mark, alone", |st| {
            incidents(st)
                .iter()
                .any(|i| i.id == incident && i.marks[hypothesis] == mark)
        });
    }
    assert!(
        slack.posted().is_empty(),
        "held while alone: {:?}",
        slack.posted()
    );
    // Down for 20 s in all, as an outage would be.
    let down_for = std::time::Duration::from_secs(20);
    std::thread::sleep(down_for.saturating_sub(down_at.elapsed()));
    pg.restart();
    // One incident with the team's id, both marks on both sides.
    for h in &consoles {
        wait_for(
            &h.state,
            "merged: one team incident with both marks",
            |st| {
                let list = incidents(st);
                list.len() == 1
                    && !is_provisional(list[0].id)
                    && list[0].marks[0] == HypothesisMark::Confirmed
                    && list[0].marks[1] == HypothesisMark::Rejected
            },
        );
        wait_for(&h.state, "outbox settled", |st| {
            (st.board.notifications.iter()).all(|j| !matches!(j.state, JobState::Queued))
        });
    }
    let ids: Vec<u64> = (consoles.iter())
        .map(|h| incidents(&h.state.lock())[0].id)
        .collect();
    assert_eq!(ids[0], ids[1]);
    let opened = pg.psql(
        common::postgres::DATABASE,
        "SELECT count(*) FROM incident_console.incidents",
    );
    assert_eq!(opened, "1");
    let top_level: Vec<_> = (slack.posted().into_iter())
        .filter(|r| r.body.get("thread_ts").is_none())
        .collect();
    assert_eq!(top_level.len(), 1, "{:?}", slack.posted());
    // Both marks are in the store, once each.
    let marks = pg.psql(
        common::postgres::DATABASE,
        "SELECT count(*) FROM incident_console.events WHERE body->'event' ? 'HypothesisMarked'",
    );
    assert_eq!(marks, "2");
}

/// An acknowledgement across consoles, against a real Alertmanager: two consoles polling it
/// open one team incident for its alert; kim's Acknowledge makes one silence, and lee's
/// console shows the incident acknowledged by kim, so its own Acknowledge is refused.
#[test]
fn an_ack_on_one_console_is_the_teams_one_silence_and_shows_on_the_other() {
    use common::alertmanager::{post_alert, start_alertmanager};
    use incident_console::engine::AckTarget;
    use incident_console::model::{AckProblem, AckSubject};
    let Some(pg) = Postgres::start() else { return };
    let Some(am) = start_alertmanager() else {
        return;
    };
    let starts_at = (chrono::Utc::now() - chrono::Duration::seconds(5))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    post_alert(&am, &starts_at, None);
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let consoles: Vec<EngineHandle> = (dirs.iter().zip(["kim", "lee"]))
        .map(|(d, n)| {
            let mut s = Settings {
                poll_interval_secs: 3600,
                ..Settings::default()
            };
            s.intake.alertmanager_urls = vec![am.url.clone()];
            s.intake.poll_interval_secs = 1;
            console(d.path(), &pg, n, s)
        })
        .collect();
    let team_incident = |st: &ConsoleState| {
        (incidents(st).into_iter()).find(|i| i.alerts.is_some() && !is_provisional(i.id))
    };
    for h in &consoles {
        wait_for(&h.state, "the team's incident for the alert", |st| {
            team_incident(st).is_some() && incidents(st).len() == 1
        });
    }
    let id = team_incident(&consoles[0].state.lock()).unwrap().id;
    assert_eq!(team_incident(&consoles[1].state.lock()).unwrap().id, id);
    assert!(consoles[0].send(Command::Acknowledge {
        target: AckTarget::Incident(id),
        comment: "on it".into(),
        duration_mins: 30,
    }));
    wait_for(&consoles[1].state, "lee sees kim's ack", |st| {
        team_incident(st)
            .and_then(|i| i.alerts.and_then(|a| a.ack))
            .is_some_and(|ack| ack.by == "kim" && ack.comment == "on it")
    });
    assert!(consoles[1].send(Command::Acknowledge {
        target: AckTarget::Incident(id),
        comment: "me too".into(),
        duration_mins: 30,
    }));
    wait_for(&consoles[1].state, "lee's ack refused", |st| {
        st.feed.iter().any(|e| {
            matches!(&e.event, FeedEvent::AckNotMade { subject: AckSubject::Incident { id: i }, problem: AckProblem::AlreadyAcknowledged { .. } } if *i == id)
        })
    });
    let silences: Vec<serde_json::Value> =
        serde_json::from_str(&common::http_get(am.port, "/api/v2/silences")).unwrap();
    assert_eq!(silences.len(), 1, "one silence for the team: {silences:?}");
}

/// One console cut off (a proxy between it and the store) while the other keeps the store:
/// the same breach is an incident on both sides, seen first by the cut-off side; the joined
/// side closes the team's. On reconnect the cut-off side's incident, open while the team's
/// ran, is matched to it by overlapping time: one incident, the cut-off side's mark on it
/// everywhere.
#[test]
fn an_incident_opened_while_cut_off_is_matched_to_the_teams_that_ran_and_ended_meanwhile() {
    use common::postgres::Proxy;
    let Some(pg) = Postgres::start() else { return };
    let proxy = Proxy::start(pg.port);
    let slack = FakeSlack::start("xoxb-test-0123456789");
    // Each its own Prometheus, so lee (cut off) sees the breach first.
    let healthy = || common::team::cpu_prom("0.2");
    let (kim_prom, lee_prom) = (healthy(), healthy());
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let kim = console(dirs[0].path(), &pg, "kim", live(&kim_prom, &slack));
    let via = pg
        .url()
        .replace(&format!(":{}/", pg.port), &format!(":{}/", proxy.port));
    let lee = console_via(dirs[1].path(), &via, "lee", live(&lee_prom, &slack));
    for h in [&kim, &lee] {
        wait_for(&h.state, "joined", joined);
    }
    proxy.cut();
    wait_for(&lee.state, "lee alone", |st| {
        matches!(st.board.team, TeamStatus::Alone { .. })
    });
    let breach = || Reply::Json(vector(&[("web-1", "0.97")]));
    lee_prom.set_instant(breach());
    wait_for(&lee.state, "lee's incident, alone", |st| {
        incidents(st).iter().any(|i| is_provisional(i.id))
    });
    kim_prom.set_instant(breach());
    wait_for(&kim.state, "kim's team incident", |st| {
        incidents(st).iter().any(|i| !is_provisional(i.id))
    });
    let id = incidents(&kim.state.lock())[0].id;
    let local = incidents(&lee.state.lock())[0].id;
    assert!(lee.send(Command::MarkHypothesis {
        incident: local,
        hypothesis: 2,
        mark: HypothesisMark::Rejected,
    }));
    assert!(kim.send(Command::CloseIncident {
        incident: id,
        resolution: "rebalanced".into(),
    }));
    wait_for(&kim.state, "closed", |st| {
        incidents(st).iter().all(|i| !i.status.is_active())
    });
    // Ended in the store too (kim marks it inactive on its next turn).
    let ended = || {
        pg.psql(
            common::postgres::DATABASE,
            "SELECT count(*) FROM incident_console.incidents WHERE NOT active AND ended_at IS NOT NULL",
        )
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while ended() != "1" {
        assert!(
            std::time::Instant::now() < deadline,
            "never ended in the store"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    proxy.heal();
    wait_for(
        &lee.state,
        "lee's incident is the team's closed one",
        |st| {
            let list = incidents(st);
            list.len() == 1
                && list[0].id == id
                && list[0].status == incident_console::model::IncidentStatus::Closed
                && list[0].marks[2] == HypothesisMark::Rejected
        },
    );
    wait_for(&kim.state, "lee's mark on kim's console", |st| {
        incidents(st)[0].marks[2] == HypothesisMark::Rejected
    });
    assert_eq!(
        pg.psql(
            common::postgres::DATABASE,
            "SELECT count(*) FROM incident_console.incidents"
        ),
        "1"
    );
    for h in [&kim, &lee] {
        wait_for(&h.state, "outbox settled", |st| {
            (st.board.notifications.iter()).all(|j| !matches!(j.state, JobState::Queued))
        });
    }
    let top_level = (slack.posted().into_iter())
        .filter(|r| r.body.get("thread_ts").is_none())
        .count();
    assert_eq!(top_level, 1, "{:?}", slack.posted());
}
