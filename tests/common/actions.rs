//! Helpers for the actions tests: a real HTTP server on 127.0.0.1:0 that records what it is
//! sent, a console in real time on a data dir with a test runbook, and checks on the data dir.

use std::sync::Arc;
use std::time::{Duration, Instant};

use incident_console::audit::{self, AuditKind};
use incident_console::engine::{Command, Engine, EngineConfig};
use incident_console::model::{FeedEvent, Incident, PlanState, Secret, Settings};
use incident_console::store::Store;
use parking_lot::Mutex;
use tokio::io::AsyncWriteExt;

/// The secret the webhook header names; it must reach the server and nothing else.
pub const TOKEN: &str = "tok-s3cret-4711";

/// One request the hook server received.
#[derive(Clone, Debug)]
pub struct Received {
    /// Request line and headers.
    pub head: String,
    /// The body, as text.
    pub body: String,
}

/// A real HTTP server on 127.0.0.1:0 that records every request and answers `status`.
pub struct HookServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    /// The status it answers with (200 until changed).
    pub status: Arc<std::sync::atomic::AtomicU16>,
}

impl HookServer {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(std::sync::atomic::AtomicU16::new(200));
        let (r, s) = (received.clone(), status.clone());
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let (r, s) = (r.clone(), s.clone());
                tokio::spawn(async move {
                    while let Ok(Some((head, body))) = super::read_request(&mut stream).await {
                        r.lock().push(Received {
                            head,
                            body: String::from_utf8_lossy(&body).into_owned(),
                        });
                        let code = s.load(std::sync::atomic::Ordering::SeqCst);
                        let text = format!("job 42 answered {code}; token {TOKEN}");
                        let answer = format!(
                            "HTTP/1.1 {code} X\r\nContent-Length: {}\r\nContent-Type: text/plain\r\n\r\n{text}",
                            text.len()
                        );
                        if stream.write_all(answer.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Self {
            url,
            received,
            status,
        }
    }

    /// `127.0.0.1:PORT`, as the allow-list names it (a host off the default port needs its port).
    pub fn authority(&self) -> String {
        self.url.trim_start_matches("http://").to_string()
    }

    pub fn requests(&self) -> Vec<Received> {
        self.received.lock().clone()
    }
}

/// A console in real time on `dir`, its runbooks written first, its settings saved first.
pub struct Console {
    pub state: Arc<Mutex<incident_console::engine::ConsoleState>>,
    pub commands: tokio::sync::mpsc::Sender<Command>,
    task: tokio::task::JoinHandle<()>,
}

/// The settings the tests run with: Actions on, the hook server's host and the programs
/// allowed, a responder's name.
pub fn settings(enabled: bool, programs: &[&str], hosts: &[&str]) -> Settings {
    let mut s = Settings {
        responder: "kim.oncall".into(),
        ..Settings::default()
    };
    s.actions.enabled = enabled;
    s.actions.allowed_programs = programs.iter().map(|p| p.to_string()).collect();
    s.actions.allowed_hosts = hosts.iter().map(|h| h.to_string()).collect();
    s
}

/// Writes a runbook `test_actions` whose actions are `actions` (RON).
pub fn runbook(dir: &std::path::Path, actions: &str) {
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    let text = format!(
        r#"Scenario(
    code: "test_actions",
    title: (en: "Checkout 5xx", ko: "결제 5xx"),
    source: "test",
    description: (en: "A test runbook.", ko: "시험용 런북."),
    hypotheses: [(statement: (en: "A deploy broke it.", ko: "배포가 깨뜨렸습니다."), confidence: 0.6, evidence: [0])],
    evidence: [(text: (en: "5xx are up.", ko: "5xx가 늘었습니다."))],
    actions: [{actions}],
)"#
    );
    std::fs::write(dir.join("scenarios/test_actions.ron"), text).unwrap();
}

pub fn start(dir: &std::path::Path, s: &Settings, headless: bool) -> Console {
    let store = Store::new(dir);
    store.save_settings(s).unwrap();
    let engine = Engine::new(EngineConfig {
        force_demo: true,
        // One demo sample at start, then quiet: the tests open their incidents by hand.
        poll_override_secs: Some(3600),
        headless,
        action_secrets: vec![("HOOK".into(), Secret::new(TOKEN))],
        ..EngineConfig::new(store)
    });
    let state = engine.state();
    let (commands, rx) = Engine::channel();
    let task = tokio::spawn(engine.run(rx));
    Console {
        state,
        commands,
        task,
    }
}

impl Console {
    pub async fn send(&self, c: Command) {
        self.commands.send(c).await.unwrap();
    }

    /// Opens an incident from the test runbook and returns its id.
    pub async fn open(&self) -> u64 {
        let before = self.state.lock().board.incidents.len();
        self.send(Command::TriggerScenario {
            code: Some("test_actions".into()),
        })
        .await;
        self.until("the incident", |c| {
            c.state.lock().board.incidents.len() > before
        })
        .await;
        self.state.lock().board.incidents.last().unwrap().id
    }

    /// Saves and applies `s`, as the Settings window's Save does.
    pub async fn save_settings(&self, s: Settings) {
        self.send(Command::SaveSettings(Box::new(s))).await;
    }

    pub async fn execute(&self, incident: u64, confirmations: Vec<(usize, String)>) {
        self.send(Command::ExecutePlan {
            incident,
            confirmations,
            alone_ack: String::new(),
        })
        .await;
    }

    pub fn incident(&self, id: u64) -> Incident {
        self.state
            .lock()
            .board
            .incidents
            .iter()
            .find(|i| i.id == id)
            .unwrap()
            .clone()
    }

    pub fn feed(&self) -> Vec<FeedEvent> {
        self.state
            .lock()
            .feed
            .iter()
            .map(|e| e.event.clone())
            .collect()
    }

    /// The port the receiver bound (it is given port 0), once it listens.
    pub async fn receiver_port(&self) -> u16 {
        let addr = || self.state.lock().board.receiver_addr;
        self.until("the receiver listening", |_| addr().is_some())
            .await;
        addr().unwrap().port()
    }

    pub async fn until(&self, what: &str, cond: impl Fn(&Self) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !cond(self) {
            assert!(Instant::now() < deadline, "gave up waiting for {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn until_plan(&self, id: u64, what: &str, cond: impl Fn(PlanState) -> bool) {
        self.until(what, |c| cond(c.incident(id).plan.state)).await;
    }

    pub async fn stop(self) {
        self.send(Command::Shutdown).await;
        self.task.await.unwrap();
    }
}

/// Every file of the data dir holds no trace of the secret.
pub fn assert_no_secret_in(dir: &std::path::Path) {
    for entry in walk(dir) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(TOKEN),
            "the secret is in {}",
            entry.display()
        );
    }
}

pub fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The audit lines of incident `id`, as `(kind, action, dry_run)`.
pub fn audit_of(dir: &std::path::Path, id: u64) -> Vec<(AuditKind, Option<usize>, bool)> {
    let read = audit::read(dir);
    assert!(read.problems.is_empty(), "{:?}", read.problems);
    read.lines
        .iter()
        .filter(|l| l.incident == id)
        .map(|l| (l.kind.clone(), l.action, l.dry_run))
        .collect()
}

pub fn webhook(url: &str, extra: &str) -> String {
    format!(
        r#"(title: (en: "Run the rollback job", ko: "롤백 잡 실행"), command: "rundeck job", risk: Medium,
            kind: Webhook((url: "{url}/api/job/run?incident={{{{incident.id}}}}",
                headers: [("X-Token", Secret("HOOK")), ("Content-Type", Text("application/json"))],
                body: "{{\"incident\": \"{{{{incident.id}}}}\", \"by\": \"{{{{responder}}}}\", \"title\": \"{{{{incident.title}}}}\"}}"{extra})))"#
    )
}
