//! Against a real Alertmanager (Debian's `prometheus-alertmanager`, started here on free
//! loopback ports with its own storage and no cluster): an alert firing before the console
//! started is found by polling, the webhook arrives with the bearer token and opens the
//! matching runbook's incident, resolving the alert in Alertmanager resolves it in the console,
//! and Acknowledge creates a silence that Alertmanager then reports, which Unsilence expires.

mod common;

use common::alertmanager::{
    Am, Cluster, console_ahead, post_alert, start_alertmanager, start_alertmanager_with,
    test_config,
};
use common::wait_for;
use incident_console::engine::{AckTarget, Command as EngineCommand};
use incident_console::model::{
    AckProblem, AckSubject, AlertState, AlertStatus, FeedEvent, IncidentStatus, Secret, Settings,
    TriggerOrigin,
};
use incident_console::store::Store;

/// A console in `dir` (demo source, quiet) polling `urls` every second, with `more` settings.
fn console(
    dir: &std::path::Path,
    urls: Vec<String>,
    more: impl FnOnce(&mut Settings),
) -> incident_console::engine::EngineHandle {
    let store = Store::new(dir);
    let mut settings = Settings::default();
    settings.intake.alertmanager_urls = urls;
    settings.intake.poll_interval_secs = 1;
    more(&mut settings);
    store.save_settings(&settings).unwrap();
    common::spawn_engine(common::quiet(store))
}

#[test]
fn polling_finds_an_earlier_alert_the_webhook_follows_and_resolving_resolves() {
    let Some(am) = start_alertmanager() else {
        return;
    };
    let started = chrono::Utc::now() - chrono::Duration::seconds(30);
    let starts_at = started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    // Firing before the console starts.
    post_alert(&am, &starts_at, None);

    let dir = tempfile::tempdir().unwrap();
    let handle = console(dir.path(), vec![am.url.clone()], |s| {
        s.intake.enabled = true;
        s.intake.addr = "127.0.0.1:0".into();
        s.intake.token = Secret::new("am-t0ken");
    });
    let state = handle.state.clone();
    // Alertmanager is told where the console listens once it does.
    am.send_webhooks_to(common::receiver_port(&state), "am-t0ken");

    wait_for(&state, "the earlier alert, found by polling", |st| {
        st.board.alerts.iter().any(|a| {
            a.name() == "HighErrorRate"
                && a.status == AlertStatus::Firing
                && a.reported_by.contains(&am.url)
        })
    });
    wait_for(&state, "Alertmanager's health in the feed", |st| {
        st.feed.iter().any(|e| {
            matches!(&e.event, FeedEvent::AlertmanagerUp { url, cluster, .. }
                if url == &am.url && cluster == "disabled")
        })
    });
    wait_for(&state, "the webhook, with the bearer token", |st| {
        st.board
            .alerts
            .iter()
            .any(|a| a.reported_by.contains("webhook") && a.group_key.is_some())
    });
    wait_for(&state, "the runbook's incident", |st| {
        st.board.incidents.iter().any(|i| {
            i.scenario.code == "http_5xx_surge" && i.trigger.origin == TriggerOrigin::Alertmanager
        })
    });
    {
        let st = state.lock();
        assert_eq!(st.board.alerts.len(), 1, "poll and webhook give one alert");
        assert_eq!(st.board.incidents.len(), 1, "one incident for the group");
        let fired = st
            .feed
            .iter()
            .filter(|e| matches!(e.event, FeedEvent::AlertFired { .. }))
            .count();
        assert_eq!(fired, 1, "said once");
        assert!(
            !st.feed
                .iter()
                .any(|e| matches!(e.event, FeedEvent::IntakeRefused { .. })),
            "Alertmanager's token was accepted"
        );
    }

    // Resolved in Alertmanager: resolved here (by the webhook or by vanishing from the poll).
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    post_alert(&am, &starts_at, Some(&now));
    wait_for(&state, "the alert resolved", |st| {
        st.board
            .alerts
            .iter()
            .all(|a| a.status == AlertStatus::Resolved)
            && st
                .feed
                .iter()
                .any(|e| matches!(e.event, FeedEvent::AlertResolved { .. }))
    });
    wait_for(&state, "the incident recovered with its alert", |st| {
        st.board.incidents[0].status == IncidentStatus::Recovered
    });
    {
        // Opened from the alert, resolved with it: both by Alertmanager, and the trouble began
        // at the alert's startsAt.
        use incident_console::model::{Author, IncidentEventKind as K};
        let st = state.lock();
        let inc = &st.board.incidents[0];
        let by = |kind: K| {
            inc.timeline
                .iter()
                .find(|e| e.kind == kind)
                .map(|e| &e.author)
        };
        assert_eq!(by(K::Opened), Some(&Author::Alertmanager));
        assert_eq!(by(K::AlertsResolved), Some(&Author::Alertmanager));
        let began = incident_console::model::KeyTimes::of(inc).began_at;
        assert_eq!(
            began.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            starts_at,
            "the alert's startsAt"
        );
    }
    let _ = am.port;
    drop(handle);
    drop(am.proc);
}

/// Two replicas in one cluster, each sent the alert (as Prometheus does): polling both gives
/// one alert that remembers both, not two, and says the cluster has two peers.
#[test]
fn two_replicas_of_one_cluster_give_one_alert() {
    let config = test_config(None);
    let Some(am1) = start_alertmanager_with(&config, Some(Cluster { peer: None })) else {
        return;
    };
    // The second joins the first; gossip makes it both ways.
    let Some(am2) = start_alertmanager_with(
        &config,
        Some(Cluster {
            peer: am1.gossip_port,
        }),
    ) else {
        return;
    };
    let started = (chrono::Utc::now() - chrono::Duration::seconds(30))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    // Replicas do not gossip alerts (only silences and the notification log): Prometheus
    // sends every alert to each of them, as here.
    post_alert(&am1, &started, None);
    post_alert(&am2, &started, None);
    // The cluster has formed: each replica sees two peers.
    common::wait_ready("a two-peer cluster", &std::path::PathBuf::new(), || {
        [am1.port, am2.port].iter().all(|p| {
            common::http_get(*p, "/api/v2/status")
                .matches("\"address\"")
                .count()
                == 2
        })
    });

    let dir = tempfile::tempdir().unwrap();
    let handle = console(dir.path(), vec![am1.url.clone(), am2.url.clone()], |_| {});
    let state = handle.state.clone();
    wait_for(&state, "the alert reported by both replicas", |st| {
        st.board
            .alerts
            .iter()
            .any(|a| a.reported_by.contains(&am1.url) && a.reported_by.contains(&am2.url))
    });
    let st = state.lock();
    assert_eq!(st.board.alerts.len(), 1, "one alert, not two");
    assert!(
        st.feed.iter().any(|e| matches!(&e.event,
        FeedEvent::AlertmanagerUp { peers, .. } if *peers == 2)),
        "the cluster's two peers are said"
    );
    drop(st);
    drop(handle);
}

/// Reads `GET /api/v2/silences` of `am`.
fn silences(am: &Am) -> Vec<serde_json::Value> {
    serde_json::from_str(&common::http_get(am.port, "/api/v2/silences")).unwrap_or_default()
}

/// Acknowledge on an incident creates a silence of exactly its alert's labels, with the
/// responder's name and the comment; Alertmanager then reports the alert suppressed by it.
/// The ack is in the timeline and survives a restart; Unsilence expires the silence.
#[test]
fn acknowledge_silences_in_alertmanager_and_unsilence_expires() {
    let Some(am) = start_alertmanager() else {
        return;
    };
    let starts_at = (chrono::Utc::now() - chrono::Duration::seconds(5))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    post_alert(&am, &starts_at, None);
    let dir = tempfile::tempdir().unwrap();
    let handle = console(dir.path(), vec![am.url.clone()], |s| {
        s.responder = "kim.oncall".into();
    });
    let state = handle.state.clone();
    wait_for(&state, "the incident from the polled alert", |st| {
        st.board.incidents.iter().any(|i| i.alerts.is_some())
    });
    let id = state.lock().board.incidents[0].id;
    assert!(handle.send(EngineCommand::Acknowledge {
        target: AckTarget::Incident(id),
        comment: "looking at checkout".into(),
        duration_mins: 30,
    }));
    wait_for(&state, "Alertmanager reports the alert suppressed", |st| {
        st.board
            .alerts
            .iter()
            .all(|a| a.state == AlertState::Suppressed && a.silenced_by.len() == 1)
    });
    let silence_id = {
        let st = state.lock();
        let ack = st.board.incidents[0]
            .alerts
            .as_ref()
            .unwrap()
            .ack
            .clone()
            .unwrap();
        assert_eq!(ack.by, "kim.oncall");
        assert_eq!(ack.comment, "looking at checkout");
        assert_eq!(ack.silences.len(), 1);
        assert_eq!(
            st.board.alerts[0].silenced_by,
            vec![ack.silences[0].id.clone()]
        );
        assert!((ack.until - ack.at).num_minutes() == 30);
        ack.silences[0].id.clone()
    };
    let held = silences(&am);
    let ours = held
        .iter()
        .find(|s| s["id"] == silence_id.as_str())
        .expect("Alertmanager has it");
    assert_eq!(ours["createdBy"], "kim.oncall");
    assert_eq!(ours["comment"], "looking at checkout");
    assert_eq!(ours["status"]["state"], "active");
    let matchers = ours["matchers"].as_array().unwrap();
    assert_eq!(
        matchers.len(),
        3,
        "exactly the alert's labels: {matchers:?}"
    );
    assert!(
        matchers
            .iter()
            .all(|m| m["isRegex"] == false && m["isEqual"] != false)
    );

    // A second acknowledgement while the first holds is refused, and so is one of an
    // incident that does not exist: typed, in the feed, and no silence more.
    for target in [AckTarget::Incident(id), AckTarget::Incident(999)] {
        assert!(handle.send(EngineCommand::Acknowledge {
            target,
            comment: "again".into(),
            duration_mins: 30,
        }));
    }
    wait_for(&state, "both refusals", |st| {
        let said = |subject: AckSubject, want: &dyn Fn(&AckProblem) -> bool| {
            st.feed.iter().any(|e| {
                matches!(&e.event, FeedEvent::AckNotMade { subject: s, problem }
                    if *s == subject && want(problem))
            })
        };
        said(AckSubject::Incident { id }, &|p| {
            matches!(p, AckProblem::AlreadyAcknowledged { .. })
        }) && said(AckSubject::Incident { id: 999 }, &|p| {
            *p == AckProblem::UnknownIncident
        })
    });
    assert_eq!(held.len(), silences(&am).len(), "no second silence");

    // The ack survives a restart, silence id and all.
    drop(handle);
    let handle = console(dir.path(), vec![am.url.clone()], |s| {
        s.responder = "kim.oncall".into();
    });
    let state = handle.state.clone();
    {
        let st = state.lock();
        let inc = &st.board.incidents[0];
        let ack = inc.alerts.as_ref().unwrap().ack.as_ref().unwrap();
        assert_eq!(ack.silences[0].id, silence_id);
        // By the responder, with how long it lasts.
        let ack = inc
            .timeline
            .iter()
            .find(|e| matches!(e.event, Some(FeedEvent::Acknowledged { .. })))
            .expect("the ack on the timeline");
        assert_eq!(
            ack.author,
            incident_console::model::Author::Responder("kim.oncall".into())
        );
        assert!(matches!(
            &ack.event,
            Some(FeedEvent::Acknowledged { by, until, .. }) if by == "kim.oncall" && *until > ack.at
        ));
    }
    assert!(handle.send(EngineCommand::Unsilence {
        target: AckTarget::Incident(id),
    }));
    wait_for(&state, "the alert active again", |st| {
        st.board
            .alerts
            .iter()
            .any(|a| a.state == AlertState::Active && a.silenced_by.is_empty())
            && st.board.incidents[0]
                .alerts
                .as_ref()
                .and_then(|l| l.ack.as_ref())
                .is_some_and(|a| a.ended_at.is_some())
    });
    let held = silences(&am);
    let ours = held
        .iter()
        .find(|s| s["id"] == silence_id.as_str())
        .unwrap();
    assert_eq!(ours["status"]["state"], "expired");
    drop(handle);
    drop(am.proc);
}

/// Who has it: a silence made with amtool (not this console) is read with its author and
/// comment, and the alert it holds names it, so the window can say who acknowledged it.
#[test]
fn a_silence_made_with_amtool_shows_its_author_on_the_alert() {
    let Some(am) = start_alertmanager() else {
        return;
    };
    let starts_at = (chrono::Utc::now() - chrono::Duration::seconds(5))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    post_alert(&am, &starts_at, None);
    let id = common::alertmanager::amtool_silence(
        &am,
        "lee.sre",
        "failing over the primary; 페일오버 중",
        "1h",
    );
    let dir = tempfile::tempdir().unwrap();
    let handle = console(dir.path(), vec![am.url.clone()], |_| {});
    wait_for(&handle.state, "the alert held by lee's silence", |st| {
        st.board
            .alerts
            .iter()
            .any(|a| a.silenced_by == [id.clone()])
            && st.board.silences.iter().any(|s| s.id == id)
    });
    let st = handle.state.lock();
    let s = st.board.silences.iter().find(|s| s.id == id).unwrap();
    assert_eq!(s.created_by, "lee.sre");
    assert_eq!(s.comment, "failing over the primary; 페일오버 중");
    assert_eq!(s.source, am.url);
    // An hour from when amtool asked (Alertmanager starts it when it stores it).
    let minutes = (s.ends_at - s.starts_at).num_seconds() as f64 / 60.0;
    assert!((59.0..=60.0).contains(&minutes), "{minutes}");
}

/// An acknowledgement lasts as long as the alert: its silence is a 15-minute slice, extended
/// while the alert fires (the console's clock moved on 11 minutes), said on the timeline; when
/// the alert resolves the silence ends with it and is extended no more.
#[test]
fn an_acks_silence_is_extended_while_the_alert_fires_and_ends_when_it_resolves() {
    let Some(am) = start_alertmanager() else {
        return;
    };
    let starts_at = (chrono::Utc::now() - chrono::Duration::seconds(5))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    post_alert(&am, &starts_at, None);
    let dir = tempfile::tempdir().unwrap();
    let (handle, clock) = console_ahead(dir.path(), &am, false, |_| {});
    let state = handle.state.clone();
    wait_for(&state, "the incident", |st| {
        st.board.incidents.iter().any(|i| i.alerts.is_some())
    });
    let id = state.lock().board.incidents[0].id;
    assert!(handle.send(EngineCommand::Acknowledge {
        target: AckTarget::Incident(id),
        comment: "on it".into(),
        duration_mins: 120,
    }));
    let ack = |st: &incident_console::engine::ConsoleState| {
        st.board.incidents[0]
            .alerts
            .as_ref()
            .and_then(|a| a.ack.clone())
    };
    wait_for(&state, "the ack's silence", |st| {
        ack(st).is_some_and(|a| !a.silences.is_empty())
    });
    let silence_end = || {
        let id = ack(&state.lock()).unwrap().silences[0].id.clone();
        let all = silences(&am);
        let s = all
            .iter()
            .find(|s| s["id"] == id.as_str())
            .cloned()
            .unwrap();
        let end = chrono::DateTime::parse_from_rfc3339(s["endsAt"].as_str().unwrap()).unwrap();
        (
            (end.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds() as f64 / 60.0,
            s,
        )
    };
    let (left, _) = silence_end();
    assert!(
        (14.0..=15.1).contains(&left),
        "a 15-minute slice, not the 2 h: {left}"
    );
    // Eleven minutes on, four are left: the next poll extends it to 15 from then.
    clock.0.store(11 * 60, std::sync::atomic::Ordering::SeqCst);
    let extended = |st: &incident_console::engine::ConsoleState| {
        st.board.incidents[0]
            .timeline
            .iter()
            .filter(|e| matches!(e.event, Some(FeedEvent::AckExtended { .. })))
            .count()
    };
    wait_for(&state, "the extension on the timeline", |st| {
        extended(st) == 1
    });
    let (left, s) = silence_end();
    assert!(
        (25.0..=26.1).contains(&left),
        "extended to 26 min from now: {left}"
    );
    assert_eq!(s["status"]["state"], "active");
    assert_eq!(s["createdBy"], "kim");
    // The alert resolves: the ack ends with it, and its silence with the ack.
    let ends = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    post_alert(&am, &starts_at, Some(&ends));
    wait_for(&state, "the ack ended with the alert", |st| {
        st.board.incidents[0].status == IncidentStatus::Recovered
            && ack(st).is_some_and(|a| a.ended_at.is_some())
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let all = silences(&am);
        if all.iter().all(|s| s["status"]["state"] == "expired") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{all:?}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(extended(&state.lock()), 1, "not extended after it resolved");
}

/// Nobody forgets it: a critical incident nobody acknowledged is escalated once (Slack, with
/// the mention first); once acknowledged and still firing 30 minutes later, the one who acked
/// is reminded once. The console's clock moves on; Alertmanager and Slack are real and fake.
#[test]
fn an_unacknowledged_critical_escalates_once_and_a_long_ack_is_reminded_once() {
    use std::sync::atomic::Ordering::SeqCst;
    let Some(am) = start_alertmanager() else {
        return;
    };
    let slack = common::notify::FakeSlack::start("xoxb-test-0123456789");
    let starts_at = (chrono::Utc::now() - chrono::Duration::seconds(5))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    post_alert(&am, &starts_at, None);
    let dir = tempfile::tempdir().unwrap();
    let (handle, clock) = console_ahead(dir.path(), &am, false, |s| {
        s.slack.token = Secret::new("xoxb-test-0123456789");
        s.slack.api_base_url = slack.url.clone();
        s.slack.channel = "#ops".into();
        s.targets.slack = true;
    });
    let state = handle.state.clone();
    wait_for(&state, "the incident", |st| {
        st.board.incidents.iter().any(|i| i.alerts.is_some())
    });
    let id = state.lock().board.incidents[0].id;
    let count = |st: &incident_console::engine::ConsoleState, want: fn(&FeedEvent) -> bool| {
        (st.board.incidents[0].timeline.iter())
            .filter(|e| e.event.as_ref().is_some_and(want))
            .count()
    };
    let escalated = |e: &FeedEvent| matches!(e, FeedEvent::Escalated { .. });
    let reminded = |e: &FeedEvent| matches!(e, FeedEvent::AckReminder { .. });
    let extended = |e: &FeedEvent| matches!(e, FeedEvent::AckExtended { .. });
    let posts = |needle: &str| {
        (slack.posted().iter())
            .filter(|r| r.body["text"].as_str().is_some_and(|t| t.contains(needle)))
            .count()
    };
    assert_eq!(count(&state.lock(), escalated), 0, "not yet");
    clock.0.store(16 * 60, SeqCst);
    wait_for(&state, "escalated", |st| count(st, escalated) == 1);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while posts("<!here>") == 0 {
        assert!(std::time::Instant::now() < deadline, "{:?}", slack.posted());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }

    assert!(handle.send(EngineCommand::Acknowledge {
        target: AckTarget::Incident(id),
        comment: "on it".into(),
        duration_mins: 120,
    }));
    wait_for(&state, "acknowledged", |st| {
        st.board.incidents[0]
            .alerts
            .as_ref()
            .and_then(|a| a.ack.as_ref())
            .is_some_and(|a| !a.silences.is_empty())
    });
    // The slice is extended on the way (11 and 22 minutes after the ack), then 31 minutes
    // after it the reminder is due.
    for (mins, extensions) in [(27, 1), (38, 2)] {
        clock.0.store(mins * 60, SeqCst);
        wait_for(&state, "the slice extended", |st| {
            count(st, extended) == extensions
        });
    }
    assert_eq!(count(&state.lock(), reminded), 0, "not yet");
    clock.0.store(47 * 60, SeqCst);
    wait_for(&state, "reminded", |st| count(st, reminded) == 1);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while posts("리마인더") == 0 {
        assert!(std::time::Instant::now() < deadline, "{:?}", slack.posted());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // One more extension, polls later (the slice ends 53 minutes in).
    clock.0.store(50 * 60, SeqCst);
    wait_for(&state, "the slice extended again", |st| {
        count(st, extended) == 3
    });
    assert_eq!(count(&state.lock(), reminded), 1, "once");
    assert_eq!(posts("리마인더"), 1, "one reminder post");
    assert_eq!(
        count(&state.lock(), escalated),
        1,
        "acknowledged: no second escalation"
    );
}

/// An acknowledgement nobody followed with any act is dropped after Unacknowledge-after
/// minutes (its silence expired in the real Alertmanager), said once on the timeline; the
/// incident then escalates as one nobody acknowledged.
#[test]
fn an_ack_nobody_acted_on_is_dropped_once() {
    use std::sync::atomic::Ordering::SeqCst;
    let Some(am) = start_alertmanager() else {
        return;
    };
    let starts_at = (chrono::Utc::now() - chrono::Duration::seconds(5))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    post_alert(&am, &starts_at, None);
    let dir = tempfile::tempdir().unwrap();
    let (handle, clock) = console_ahead(dir.path(), &am, false, |s| {
        s.intake.unack_after_mins = 10;
        s.intake.escalate_after_mins = 5;
    });
    let state = handle.state.clone();
    wait_for(&state, "the incident", |st| {
        st.board.incidents.iter().any(|i| i.alerts.is_some())
    });
    let id = state.lock().board.incidents[0].id;
    assert!(handle.send(EngineCommand::Acknowledge {
        target: AckTarget::Incident(id),
        comment: "looking".into(),
        duration_mins: 120,
    }));
    wait_for(&state, "acknowledged", |st| {
        (st.board.incidents[0].alerts.as_ref())
            .and_then(|a| a.ack.as_ref())
            .is_some_and(|a| !a.silences.is_empty())
    });
    let count = |st: &incident_console::engine::ConsoleState, want: fn(&FeedEvent) -> bool| {
        (st.board.incidents[0].timeline.iter())
            .filter(|e| e.event.as_ref().is_some_and(want))
            .count()
    };
    let dropped = |e: &FeedEvent| matches!(e, FeedEvent::AckDropped { .. });
    let escalated = |e: &FeedEvent| matches!(e, FeedEvent::Escalated { .. });
    clock.0.store(11 * 60, SeqCst);
    wait_for(&state, "the ack dropped and the incident escalated", |st| {
        count(st, dropped) == 1
            && count(st, escalated) == 1
            && (st.board.incidents[0].alerts.as_ref())
                .and_then(|a| a.ack.as_ref())
                .is_some_and(|a| a.ended_at.is_some())
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !silences(&am)
        .iter()
        .all(|s| s["status"]["state"] == "expired")
    {
        assert!(std::time::Instant::now() < deadline, "{:?}", silences(&am));
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(count(&state.lock(), dropped), 1, "once");
}
