//! Test helpers shared by the live-source tests: an in-process fake of the Prometheus HTTP API
//! (for faults a real server will not produce on demand) and a launcher for a real Prometheus
//! plus `sample-metrics` in a temp dir.

#![allow(dead_code)]

pub mod actions;
pub mod alertmanager;
pub mod desktop;
pub mod llm;
pub mod notify;
pub mod postgres;
pub mod team;
pub mod ui;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use incident_console::engine::{ConsoleState, Engine, EngineConfig, EngineHandle, SourceStatus};
use incident_console::model::FeedKind;
use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A feed entry in English, as headless prints it by default: what tests read it as.
pub fn en(entry: &incident_console::model::FeedEntry) -> String {
    incident_console::text::feed::message(&entry.event, incident_console::model::Lang::En)
}

/// What the fake answers.
#[derive(Clone, Debug)]
pub enum Reply {
    /// `200` with this body.
    Json(String),
    /// This status with this body.
    Status(u16, String),
    /// Waits this long before answering with the body (a server slower than the timeout).
    Slow(Duration, String),
    /// Never answers and never closes.
    Hang,
    /// `200` with a body of this many bytes, streamed with no length given: valid JSON's
    /// opening, then whitespace, the way a broken endpoint streams without end.
    Endless(u64),
}

/// A vector body with one series per `(instance, value)`; values are written as Prometheus
/// writes them (`NaN`, `+Inf` included).
pub fn vector(series: &[(&str, &str)]) -> String {
    let items: Vec<String> = series
        .iter()
        .map(|(inst, v)| {
            format!(
                r#"{{"metric":{{"__name__":"m","instance":"{inst}"}},"value":[1700000000,"{v}"]}}"#
            )
        })
        .collect();
    format!(
        r#"{{"status":"success","data":{{"resultType":"vector","result":[{}]}}}}"#,
        items.join(",")
    )
}

/// A matrix body (for range queries) with `points` samples per series, all `value`.
pub fn matrix(series: &[&str], value: &str, points: usize) -> String {
    let now = chrono::Utc::now().timestamp();
    let items: Vec<String> = series
        .iter()
        .map(|inst| {
            let values: Vec<String> = (0..points)
                .map(|i| format!(r#"[{},"{value}"]"#, now - 60 + i as i64))
                .collect();
            format!(
                r#"{{"metric":{{"instance":"{inst}"}},"values":[{}]}}"#,
                values.join(",")
            )
        })
        .collect();
    format!(
        r#"{{"status":"success","data":{{"resultType":"matrix","result":[{}]}}}}"#,
        items.join(",")
    )
}

/// Serves on 127.0.0.1:0 from a one-worker runtime of its own, so any test (async or not) can
/// use it; each connection goes to `answer` in a task of its own. The server lives as long as the
/// returned runtime.
pub fn serve<F, Fut>(answer: F) -> (tokio::runtime::Runtime, std::net::SocketAddr)
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    // Bound with std, so this works from inside another runtime (async tests) too.
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let addr = std_listener.local_addr().unwrap();
    runtime.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(answer(stream));
        }
    });
    (runtime, addr)
}

/// The fake server: replies per path prefix, counts requests, records the request heads.
pub struct FakeProm {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    instant: Arc<Mutex<Reply>>,
    range: Arc<Mutex<Reply>>,
    /// Requests received so far.
    pub hits: Arc<AtomicUsize>,
    /// Every request head, as text.
    pub heads: Arc<Mutex<Vec<String>>>,
    _runtime: Option<tokio::runtime::Runtime>,
}

impl FakeProm {
    /// Starts on 127.0.0.1:0 (see [`serve`]).
    pub fn start(instant: Reply, range: Reply) -> Self {
        let instant = Arc::new(Mutex::new(instant));
        let range = Arc::new(Mutex::new(range));
        let hits = Arc::new(AtomicUsize::new(0));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let (runtime, addr) = {
            let (instant, range, hits, heads) =
                (instant.clone(), range.clone(), hits.clone(), heads.clone());
            serve(move |stream| {
                let (instant, range, hits, heads) =
                    (instant.clone(), range.clone(), hits.clone(), heads.clone());
                async move {
                    let _ = answer(stream, instant, range, hits, heads).await;
                }
            })
        };
        let url = format!("http://{addr}");
        Self {
            url,
            instant,
            range,
            hits,
            heads,
            _runtime: Some(runtime),
        }
    }

    /// Changes what instant queries get from now on.
    pub fn set_instant(&self, reply: Reply) {
        *self.instant.lock() = reply;
    }

    /// Changes what range queries get from now on.
    pub fn set_range(&self, reply: Reply) {
        *self.range.lock() = reply;
    }

    /// Requests so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for FakeProm {
    fn drop(&mut self) {
        if let Some(rt) = self._runtime.take() {
            rt.shutdown_background();
        }
    }
}

async fn answer(
    mut stream: tokio::net::TcpStream,
    instant: Arc<Mutex<Reply>>,
    range: Arc<Mutex<Reply>>,
    hits: Arc<AtomicUsize>,
    heads: Arc<Mutex<Vec<String>>>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    hits.fetch_add(1, Ordering::SeqCst);
    heads.lock().push(head.clone());
    let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
    let reply = if path.starts_with("/api/v1/query_range") {
        range.lock().clone()
    } else {
        instant.lock().clone()
    };
    let (status, body) = match reply {
        Reply::Endless(total) => {
            let head = "HTTP/1.1 200 X\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[";
            stream.write_all(head.as_bytes()).await?;
            let block = vec![b' '; 64 * 1024];
            let mut sent = 0u64;
            while sent < total {
                // The client hangs up at its cap: the write fails and the stream ends here.
                stream.write_all(&block).await?;
                sent += block.len() as u64;
            }
            return stream.shutdown().await;
        }
        Reply::Json(b) => (200, b),
        Reply::Status(s, b) => (s, b),
        Reply::Slow(d, b) => {
            tokio::time::sleep(d).await;
            (200, b)
        }
        Reply::Hang => {
            std::future::pending::<()>().await;
            unreachable!()
        }
    };
    let response = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

/// A port that nothing listens on (bound, then released). Should another process bind it in
/// the seconds a test uses it, the test sees that server's answer instead of a refused
/// connection, and fails: it cannot pass by it.
pub fn closed_port_url() -> String {
    format!("http://127.0.0.1:{}", port_to_try())
}

/// Whether tests that need a server must fail rather than skip.
pub fn ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// A port on 127.0.0.1 that was free a moment ago (bound, then released). Only for servers
/// that cannot bind port 0 and say which port they got (Prometheus, Alertmanager, aiosmtpd),
/// and only where their start is tried again on another port when this one was taken in
/// between. Servers of ours bind port 0 and report their address.
pub fn port_to_try() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether `program` runs (`--version`). When it does not: under CI=true the test fails,
/// naming the Debian `package`; otherwise it says it skips.
pub fn installed(program: &str, package: &str) -> bool {
    let found = Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if found.is_err() {
        assert!(
            !ci(),
            "{program} is needed under CI=true (apt-get install {package})"
        );
        eprintln!("skipped: {program} not found; apt-get install {package}");
        return false;
    }
    true
}

/// A child process killed when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A real Prometheus scraping a real `sample-metrics`, both in a temp dir.
pub struct LiveStack {
    /// `http://127.0.0.1:PORT` of Prometheus.
    pub url: String,
    /// Its port.
    pub port: u16,
    /// The exporter's seed (its values are `DemoSource` sample 0 of it).
    pub seed: u64,
    /// The exporter's `host:port`, which is also its `up` series' instance.
    pub exporter_addr: String,
    _prometheus: Proc,
    exporter: Option<Proc>,
    _dir: tempfile::TempDir,
}

impl LiveStack {
    /// Kills the exporter: Prometheus' next scrape fails and `up` turns 0.
    pub fn stop_exporter(&mut self) {
        self.exporter = None;
    }

    /// Starts the exporter again on the same address.
    pub fn start_exporter(&mut self) {
        let port = self.exporter_addr.rsplit(':').next().unwrap().to_string();
        let (proc_, addr) = spawn_exporter(&port, self.seed);
        assert_eq!(addr, self.exporter_addr);
        self.exporter = Some(proc_);
    }
}

/// Starts `sample-metrics` on `port` ("0": any) and returns it with the address it says.
fn spawn_exporter(port: &str, seed: u64) -> (Proc, String) {
    // A long interval keeps the exporter at sample 0, so its values are known exactly.
    let mut exporter = Command::new(env!("CARGO_BIN_EXE_sample-metrics"))
        .args([
            "--port",
            port,
            "--interval",
            "3600",
            "--seed",
            &seed.to_string(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("sample-metrics starts");
    let mut line = String::new();
    BufReader::new(exporter.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_else(|| panic!("sample-metrics said {line:?}"))
        .to_string();
    (Proc(exporter), addr)
}

/// Starts Prometheus with `dir/prometheus.yml`, its data and its log (`prometheus.log`) in
/// `dir`, and returns it with its port once it answers `/-/ready`. A port taken between
/// choosing it and binding it makes Prometheus exit; then it is started again on another.
pub fn spawn_prometheus(dir: &std::path::Path) -> (Proc, u16) {
    for _ in 0..5 {
        let port = port_to_try();
        let child = Command::new("prometheus")
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("prometheus.log")).unwrap())
            .spawn()
            .expect("prometheus starts");
        let proc = std::cell::RefCell::new(Proc(child));
        let exited = std::cell::Cell::new(false);
        wait_ready("Prometheus", &dir.join("prometheus.log"), || {
            exited.set(matches!(proc.borrow_mut().0.try_wait(), Ok(Some(_))));
            exited.get() || http_get(port, "/-/ready").contains("Ready")
        });
        let mut proc = proc.into_inner();
        // Ours, not another process's that holds the port.
        if exited.get() || proc.0.try_wait().unwrap().is_some() {
            continue;
        }
        return (proc, port);
    }
    panic!("our prometheus could not keep a port in five tries");
}

/// Starts the stack, or returns `None` (skip) when Prometheus is not installed and CI is not
/// set. Under CI=true anything missing fails the test.
pub fn live_stack() -> Option<LiveStack> {
    if !installed("prometheus", "prometheus") {
        return None;
    }
    let seed = 7;
    let dir = tempfile::tempdir().unwrap();
    let (exporter, exporter_addr) = spawn_exporter("0", seed);
    let config = format!(
        r#"global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: sample-metrics
    static_configs:
      - targets: ["{exporter_addr}"]
    metric_relabel_configs:
      - source_labels: [node]
        regex: (.+)
        target_label: instance
"#
    );
    std::fs::write(dir.path().join("prometheus.yml"), config).unwrap();
    let (prometheus, port) = spawn_prometheus(dir.path());
    let url = format!("http://127.0.0.1:{port}");
    // Ready, and the exporter scraped at least once.
    wait_ready(
        "Prometheus with 3 series",
        &dir.path().join("prometheus.log"),
        || http_get(port, "/api/v1/query?query=count(cpu_usage)").contains(r#""3"]"#),
    );
    Some(LiveStack {
        url,
        port,
        seed,
        exporter_addr,
        _prometheus: prometheus,
        exporter: Some(exporter),
        _dir: dir,
    })
}

/// Waits up to 30 s for a server started by a test to be `ready`; otherwise fails with its log.
pub fn wait_ready(what: &str, log: &std::path::Path, ready: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready() {
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(log).unwrap_or_default();
            panic!("{what} did not come up within 30 s; its log:\n{log}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A plain HTTP/1.0 GET on 127.0.0.1 with std only; the body, or empty on any failure.
pub fn http_get(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return String::new();
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    if s.write_all(format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
        .is_err()
    {
        return String::new();
    }
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}

/// Waits (up to 30 s) until the engine's state satisfies `cond`; on timeout, fails with the feed.
pub fn wait_for(state: &Mutex<ConsoleState>, what: &str, cond: impl Fn(&ConsoleState) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cond(&state.lock()) {
        if Instant::now() > deadline {
            let feed: Vec<String> = state
                .lock()
                .feed
                .iter()
                .map(|e| incident_console::text::feed::line(e, incident_console::model::Lang::En))
                .collect();
            panic!("gave up waiting for {what}; feed:\n{}", feed.join("\n"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until a live source has delivered a sample.
pub fn wait_for_live_sample(state: &Mutex<ConsoleState>) {
    wait_for(state, "a live sample", |st| {
        matches!(
            st.board.source,
            SourceStatus::Live {
                last_good: Some(_),
                ..
            }
        )
    });
}

/// Feed entries of `kind` whose message contains `needle`.
pub fn count(st: &ConsoleState, kind: FeedKind, needle: &str) -> usize {
    st.feed
        .iter()
        .filter(|e| e.kind == kind && crate::common::en(e).contains(needle))
        .count()
}

/// Whether the feed has an entry of `kind` containing `needle`.
pub fn feed_has(st: &ConsoleState, kind: FeedKind, needle: &str) -> bool {
    count(st, kind, needle) > 0
}

/// Reads one HTTP/1.1 request from `stream` for the in-process fakes: its head (request line
/// and headers, as text) and its body (by `Content-Length`); `None` when the peer closed first.
pub async fn read_request(
    stream: &mut tokio::net::TcpStream,
) -> std::io::Result<Option<(String, Vec<u8>)>> {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(Some((head, buf.split_off(head_end))))
}

/// The engine most tests want on `store`: demo data with one sample at start and the next an
/// hour later, so that what follows is the test's doing. Change fields with `..quiet(store)`.
pub fn quiet(store: incident_console::store::Store) -> EngineConfig {
    EngineConfig {
        force_demo: true,
        poll_override_secs: Some(3600),
        ..EngineConfig::new(store)
    }
}

/// Spawns the engine with `config` and returns once it has restored its data dir.
pub fn spawn_engine(config: EngineConfig) -> EngineHandle {
    let handle = Engine::spawn(config).expect("the engine starts");
    assert!(
        handle.wait_restored(Duration::from_secs(10)),
        "the engine restored its data dir"
    );
    handle
}

/// The port the console's Alertmanager receiver bound (it is given port 0), once it listens.
pub fn receiver_port(state: &Mutex<ConsoleState>) -> u16 {
    wait_for(state, "the receiver listening", |st| {
        st.board.receiver_addr.is_some()
    });
    state.lock().board.receiver_addr.unwrap().port()
}

/// The English review of `inc` from its own events alone (no samples, audit or outbox), as
/// HTML.
pub fn review_html(inc: &incident_console::model::Incident) -> String {
    let input = incident_console::review::ReviewInput {
        incident: inc,
        samples: None,
        audit: Vec::new(),
        jobs: Vec::new(),
        written_at: inc.opened_at,
    };
    let review = incident_console::review::build(&input, incident_console::model::Lang::En);
    incident_console::review::html(&review)
}

/// The real binary, headless on the demo for `secs` on `dir`, once it has printed its first
/// line (it holds the data dir's lock by then); the child and that line.
pub fn headless_started(dir: &std::path::Path, secs: u64) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_incident-console"))
        .args([
            "--headless",
            "--demo",
            "--for",
            &secs.to_string(),
            "--data-dir",
        ])
        .arg(dir)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.as_mut().expect("its stdout")),
        &mut line,
    )
    .expect("its first line");
    (child, line)
}

/// POSTs one firing alert to the console's webhook receiver on `port`, as Alertmanager would
/// (bearer `token`; labels `alertname` and `severity`, started a minute ago).
pub fn post_webhook(port: u16, token: &str, fingerprint: &str, name: &str, severity: &str) {
    let starts = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
    post_webhook_at(port, token, fingerprint, name, severity, &starts, false);
}

/// POSTs one alert (firing, or `resolved`) that started at `starts` (RFC 3339) to the
/// console's webhook receiver on `port`, with bearer `token`.
pub fn post_webhook_at(
    port: u16,
    token: &str,
    fingerprint: &str,
    name: &str,
    severity: &str,
    starts: &str,
    resolved: bool,
) {
    let (status, ends) = if resolved {
        ("resolved", "2026-11-27T06:30:00Z")
    } else {
        ("firing", "0001-01-01T00:00:00Z")
    };
    let body = format!(
        r#"{{"version": "4", "groupKey": "g-{name}", "status": "{status}", "receiver": "console",
            "alerts": [{{"status": "{status}",
              "labels": {{"alertname": "{name}", "severity": "{severity}"}},
              "annotations": {{"summary": "{name} needs a look"}},
              "startsAt": "{starts}", "endsAt": "{ends}", "fingerprint": "{fingerprint}"}}]}}"#
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let code = rt.block_on(async {
        reqwest::Client::new()
            .post(format!("http://127.0.0.1:{port}/"))
            .bearer_auth(token)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(code, 200, "the webhook was taken");
}
