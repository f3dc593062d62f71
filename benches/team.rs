//! What team mode costs, against a real PostgreSQL (Debian's server, started as the tests
//! start it): the time from an event on one console to the others (median and p99 over
//! 1,000 notes, three consoles), the store's transactions per console per poll while idle,
//! and what 20 idle consoles cost the database (connections, transactions and server CPU).
//! `cargo bench --bench team`; the figures are printed, not asserted.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::postgres::{DATABASE, Postgres};
use incident_console::engine::{Command, ConsoleState, EngineConfig, EngineHandle};
use incident_console::model::{FeedEvent, Secret, Settings, TeamStatus, is_provisional};
use incident_console::store::Store;

/// The notes sent, one at a time, each seen by the two other consoles.
const EVENTS: usize = 1000;
/// How long the idle figures are taken over.
const IDLE_SECS: u64 = 60;
/// An idle backend flushes its statistics within about 10 s: waited before a window opens.
const SETTLE_SECS: u64 = 15;

fn console(dir: &std::path::Path, url: &str, name: &str) -> EngineHandle {
    let settings = Settings {
        responder: name.into(),
        poll_interval_secs: 3600,
        ..Settings::default()
    };
    let mut settings = settings;
    settings.team.database_url = Secret::new(url);
    let store = Store::new(dir);
    store.save_settings(&settings).unwrap();
    common::spawn_engine(EngineConfig {
        force_demo: true,
        ..EngineConfig::new(store)
    })
}

fn joined(st: &ConsoleState) -> bool {
    matches!(st.board.team, TeamStatus::Joined { .. })
}

/// Whether incident `id` on `st` holds the note `text`.
fn has_note(st: &ConsoleState, id: u64, text: &str) -> bool {
    (st.board.incidents.iter()).any(|i| {
        i.id == id
            && (i.timeline.iter().rev()).any(
                |e| matches!(&e.event, Some(FeedEvent::NoteAdded { text: t, .. }) if t == text),
            )
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// The store's committed transactions so far, by the server's statistics (each backend
/// flushes its counts within about 10 s while idle, so the idle windows are long).
fn commits(pg: &Postgres) -> i64 {
    pg.psql(
        "postgres",
        &format!("SELECT xact_commit FROM pg_stat_database WHERE datname = '{DATABASE}'"),
    )
    .parse()
    .unwrap()
}

/// CPU seconds (user + system) the cluster's processes have used so far.
fn server_cpu_secs(pg: &Postgres) -> f64 {
    let tick = 100.0; // USER_HZ on Linux
    let pid_file = pg.dir().join("data").join("postmaster.pid");
    let Ok(text) = std::fs::read_to_string(pid_file) else {
        return f64::NAN;
    };
    let postmaster: u32 = text
        .lines()
        .next()
        .unwrap_or("0")
        .trim()
        .parse()
        .unwrap_or(0);
    let mut total = 0.0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid … utime stime (fields 14 and 15)
        let Some(after) = stat.rsplit_once(") ").map(|(_, a)| a) else {
            continue;
        };
        let fields: Vec<&str> = after.split(' ').collect();
        let pid: u32 = entry.file_name().to_string_lossy().parse().unwrap_or(0);
        let ppid: u32 = fields[1].parse().unwrap_or(0);
        if pid == postmaster || ppid == postmaster {
            let ut: f64 = fields[11].parse().unwrap_or(0.0);
            let st: f64 = fields[12].parse().unwrap_or(0.0);
            total += (ut + st) / tick;
        }
    }
    total
}

fn connections(pg: &Postgres) -> String {
    pg.psql(
        "postgres",
        &format!("SELECT count(*) FROM pg_stat_activity WHERE datname = '{DATABASE}'"),
    )
}

fn main() {
    // `cargo bench` passes --bench; nothing else to read.
    let Some(pg) = Postgres::start() else {
        eprintln!("team bench: PostgreSQL is not installed");
        return;
    };
    let url = pg.url();
    let dirs: Vec<_> = (0..20).map(|_| tempfile::tempdir().unwrap()).collect();
    let three: Vec<EngineHandle> = (0..3)
        .map(|i| console(dirs[i].path(), &url, &format!("c{i}")))
        .collect();
    for h in &three {
        common::wait_for(&h.state, "joined", joined);
    }
    assert!(three[0].send(Command::TriggerScenario { code: None }));
    let team_id = |st: &ConsoleState| {
        (st.board.incidents.iter())
            .find(|i| !is_provisional(i.id))
            .map(|i| i.id)
    };
    common::wait_for(&three[0].state, "the team's incident", |st| {
        team_id(st).is_some()
    });
    let id = team_id(&three[0].state.lock()).unwrap();
    for h in &three {
        common::wait_for(&h.state, "the incident everywhere", |st| {
            st.board.incidents.iter().any(|i| i.id == id)
        });
    }

    // 1. Latency: one note at a time, from each console in turn, timed until both others
    //    show it.
    let mut latencies = Vec::with_capacity(EVENTS * 2);
    for n in 0..EVENTS {
        let from = n % 3;
        let text = format!("note {n}");
        let sent = Instant::now();
        assert!(three[from].send(Command::Note {
            incident: id,
            text: text.clone(),
            edits: None,
        }));
        let mut pending: Vec<usize> = (0..3).filter(|&i| i != from).collect();
        while !pending.is_empty() {
            pending.retain(|&i| {
                if has_note(&three[i].state.lock(), id, &text) {
                    latencies.push(sent.elapsed());
                    false
                } else {
                    true
                }
            });
            assert!(
                sent.elapsed() < Duration::from_secs(30),
                "note {n} never arrived"
            );
            std::thread::sleep(Duration::from_micros(200));
        }
    }
    latencies.sort();
    println!(
        "team/event latency, {} arrivals ({EVENTS} notes, 3 consoles): median {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().unwrap().as_secs_f64() * 1e3,
    );

    // 2. Idle: the store's transactions per console per 5 s poll, three consoles. The
    //    statistics of the notes above are flushed first.
    std::thread::sleep(Duration::from_secs(SETTLE_SECS));
    let (c0, t0) = (commits(&pg), Instant::now());
    std::thread::sleep(Duration::from_secs(IDLE_SECS));
    let (c1, secs) = (commits(&pg), t0.elapsed().as_secs_f64());
    let per_poll = (c1 - c0) as f64 / 3.0 / (secs / 5.0);
    println!("team/idle, 3 consoles: {per_poll:.1} transactions per console per 5 s poll");

    // 3. Twenty idle consoles.
    let mut twenty = three;
    for (i, d) in dirs.iter().enumerate().skip(3) {
        twenty.push(console(d.path(), &url, &format!("c{i}")));
    }
    for h in &twenty {
        common::wait_for(&h.state, "joined", joined);
    }
    // Settled: every console joined and beat, and the statistics flushed.
    std::thread::sleep(Duration::from_secs(SETTLE_SECS));
    let (c0, cpu0, t0) = (commits(&pg), server_cpu_secs(&pg), Instant::now());
    std::thread::sleep(Duration::from_secs(IDLE_SECS));
    let (c1, cpu1, secs) = (
        commits(&pg),
        server_cpu_secs(&pg),
        t0.elapsed().as_secs_f64(),
    );
    println!(
        "team/idle, 20 consoles: {} connections, {:.1} transactions/s, server CPU {:.2} % of a core",
        connections(&pg),
        (c1 - c0) as f64 / secs,
        (cpu1 - cpu0) / secs * 100.0,
    );
    drop(twenty);
}
