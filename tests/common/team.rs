//! Team-mode helpers: consoles joined to one store, on a fake Prometheus and the Slack fake.

use incident_console::engine::{ConsoleState, EngineConfig, EngineHandle};
use incident_console::model::{Incident, Secret, Settings, TeamStatus};
use incident_console::store::Store;

use super::FakeProm;
use super::notify::FakeSlack;
use super::postgres::Postgres;

/// A console on `dir` joined to `pg` under `name`, on `settings`.
pub fn console(
    dir: &std::path::Path,
    pg: &Postgres,
    name: &str,
    settings: Settings,
) -> EngineHandle {
    console_via(dir, &pg.url(), name, settings)
}

/// A console on `dir` joined to the store at `url` under `name`, on `settings`.
pub fn console_via(
    dir: &std::path::Path,
    url: &str,
    name: &str,
    mut settings: Settings,
) -> EngineHandle {
    settings.responder = name.into();
    settings.team.database_url = Secret::new(url);
    let store = Store::new(dir);
    store.save_settings(&settings).unwrap();
    super::spawn_engine(EngineConfig {
        force_demo: settings.demo_mode,
        ..EngineConfig::new(store)
    })
}

/// Whether the console has joined its team store.
pub fn joined(st: &ConsoleState) -> bool {
    matches!(st.board.team, TeamStatus::Joined { .. })
}

/// A Prometheus where `web-1`'s CPU is `cpu` now (0.97 breaches, 0.2 is healthy), calm before.
pub fn cpu_prom(cpu: &str) -> FakeProm {
    use super::{Reply, matrix, vector};
    FakeProm::start(
        Reply::Json(vector(&[("web-1", cpu)])),
        Reply::Json(matrix(&["web-1"], "0.2", 30)),
    )
}

/// Settings for a live console on `prom` posting to `slack`: the CPU rule can breach, the
/// error rate cannot.
pub fn live(prom: &FakeProm, slack: &FakeSlack) -> Settings {
    let mut s = Settings {
        demo_mode: false,
        poll_interval_secs: 1,
        ..Settings::default()
    };
    s.prometheus.base_url = prom.url.clone();
    // One rule breaches (CPU); the error rate's threshold is out of reach.
    s.prometheus.http_threshold = 1.0;
    s.slack.token = Secret::new("xoxb-test-0123456789");
    s.slack.api_base_url = slack.url.clone();
    s.slack.channel = "#ops".into();
    s.targets.slack = true;
    s
}

/// Consoles joined to one store, with the data dirs they live on.
pub struct Consoles {
    /// The consoles, in the order of their names.
    pub handles: Vec<EngineHandle>,
    _dirs: Vec<tempfile::TempDir>,
}

/// A console per name on `pg`, each watching `prom` and posting to `slack`, once each has
/// joined and holds the team's one incident for a breach `prom` shows.
pub fn on_one_breach(
    pg: &Postgres,
    prom: &FakeProm,
    slack: &FakeSlack,
    names: &[&str],
) -> Consoles {
    let dirs: Vec<_> = names.iter().map(|_| tempfile::tempdir().unwrap()).collect();
    let handles: Vec<EngineHandle> = (dirs.iter().zip(names))
        .map(|(d, n)| console(d.path(), pg, n, live(prom, slack)))
        .collect();
    for h in &handles {
        super::wait_for(&h.state, "joined", joined);
    }
    // Each console's monitor sees the breach; the store keeps one incident for it.
    for h in &handles {
        super::wait_for(&h.state, "the team's incident", |st| {
            let list = incidents(st);
            list.len() == 1 && !incident_console::model::is_provisional(list[0].id)
        });
    }
    Consoles {
        handles,
        _dirs: dirs,
    }
}

/// The console's incidents, copied.
pub fn incidents(st: &ConsoleState) -> Vec<Incident> {
    st.board.incidents.iter().cloned().collect()
}
