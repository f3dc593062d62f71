//! Fakes and real servers for the notification tests: an in-process fake of the Slack Web API
//! (no real Slack can run here) and Debian's aiosmtpd with a decoding sink.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use serde_json::Value;
use tokio::io::AsyncWriteExt;

use super::{Proc, ci, serve};

/// One request the fake received.
#[derive(Clone, Debug)]
pub struct SlackRequest {
    /// `/auth.test`, `/chat.postMessage`.
    pub path: String,
    /// The Authorization header as sent.
    pub authorization: Option<String>,
    /// The JSON body.
    pub body: Value,
    /// The status the fake answered with.
    pub status: u16,
    /// Whether the fake answered `ok: true`.
    pub ok: bool,
}

/// A scripted answer: status, extra header lines, body.
#[derive(Clone, Debug)]
pub struct SlackReply {
    /// HTTP status.
    pub status: u16,
    /// Extra header lines, e.g. `Retry-After: 1`.
    pub headers: Vec<String>,
    /// The body.
    pub body: String,
}

impl SlackReply {
    /// `200` with `{"ok":false,"error":code}`, as Slack answers API errors.
    pub fn error(code: &str) -> Self {
        Self {
            status: 200,
            headers: Vec::new(),
            body: format!(r#"{{"ok":false,"error":"{code}"}}"#),
        }
    }

    /// A bare HTTP status with an optional header line.
    pub fn status(status: u16, header: Option<&str>) -> Self {
        Self {
            status,
            headers: header.into_iter().map(str::to_string).collect(),
            body: String::new(),
        }
    }
}

struct Shared {
    token: String,
    script: Mutex<VecDeque<SlackReply>>,
    requests: Mutex<Vec<SlackRequest>>,
    next_ts: Mutex<u64>,
}

/// The fake Slack Web API on 127.0.0.1:0: checks the bearer token like Slack (a wrong one gets
/// `invalid_auth`), answers `auth.test`, `chat.postMessage` and `chat.getPermalink` (for the
/// channel and the ts it gave), and records every request.
/// Scripted replies are used first, one per request, in order.
pub struct FakeSlack {
    /// `http://127.0.0.1:PORT/api`.
    pub url: String,
    shared: Arc<Shared>,
    _runtime: Option<tokio::runtime::Runtime>,
}

impl FakeSlack {
    /// Starts a fake that accepts `token`.
    pub fn start(token: &str) -> Self {
        let shared = Arc::new(Shared {
            token: token.to_string(),
            script: Mutex::new(VecDeque::new()),
            requests: Mutex::new(Vec::new()),
            next_ts: Mutex::new(1),
        });
        let s = shared.clone();
        let (runtime, addr) = serve(move |stream| {
            let s = s.clone();
            async move {
                let _ = answer(stream, s).await;
            }
        });
        let url = format!("http://{addr}/api");
        Self {
            url,
            shared,
            _runtime: Some(runtime),
        }
    }

    /// Queues scripted replies for the next requests.
    pub fn script(&self, replies: impl IntoIterator<Item = SlackReply>) {
        self.shared.script.lock().extend(replies);
    }

    /// Every request so far but the link lookups (`chat.getPermalink`, see [`Self::links`]):
    /// the attempts to say something.
    pub fn requests(&self) -> Vec<SlackRequest> {
        (self.shared.requests.lock().iter())
            .filter(|r| !r.path.starts_with("/api/chat.getPermalink"))
            .cloned()
            .collect()
    }

    /// The `chat.getPermalink` lookups, each with its query.
    pub fn links(&self) -> Vec<String> {
        (self.shared.requests.lock().iter())
            .filter(|r| r.path.starts_with("/api/chat.getPermalink"))
            .map(|r| r.path.clone())
            .collect()
    }

    /// The `chat.postMessage` requests Slack accepted (what people saw in the channel).
    pub fn posted(&self) -> Vec<SlackRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == "/api/chat.postMessage" && r.ok)
            .collect()
    }
}

impl Drop for FakeSlack {
    fn drop(&mut self) {
        if let Some(rt) = self._runtime.take() {
            rt.shutdown_background();
        }
    }
}

async fn answer(mut stream: tokio::net::TcpStream, s: Arc<Shared>) -> std::io::Result<()> {
    let Some((head, body)) = super::read_request(&mut stream).await? else {
        return Ok(());
    };
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
    let authorization = header("authorization");
    // A link lookup follows a message Slack took; scripted replies are for the messages.
    let lookup = path.starts_with("/api/chat.getPermalink");
    let reply = if lookup {
        None
    } else {
        s.script.lock().pop_front()
    };
    let reply = reply.unwrap_or_else(|| {
        if authorization.as_deref() != Some(&format!("Bearer {}", s.token)) {
            return SlackReply::error(if authorization.is_none() {
                "not_authed"
            } else {
                "invalid_auth"
            });
        }
        let body = match path.as_str() {
            "/api/auth.test" => r#"{"ok":true,"url":"https://acme-ops.slack.com/","team":"Acme Ops","user":"incident-bot","team_id":"T1","user_id":"U1"}"#.to_string(),
            "/api/chat.postMessage" => {
                let mut n = s.next_ts.lock();
                *n += 1;
                format!(r#"{{"ok":true,"channel":"C0OPS","ts":"1764000000.{:06}"}}"#, *n)
            }
            p if p.starts_with("/api/chat.getPermalink?channel=C0OPS&message_ts=1764000000.") => {
                let ts = p.rsplit('=').next().unwrap_or("").replace('.', "");
                format!(r#"{{"ok":true,"channel":"C0OPS","permalink":"https://acme-ops.slack.com/archives/C0OPS/p{ts}"}}"#)
            }
            _ => r#"{"ok":false,"error":"unknown_method"}"#.to_string(),
        };
        SlackReply {
            status: 200,
            headers: Vec::new(),
            body,
        }
    });
    let ok = reply.status == 200 && reply.body.contains(r#""ok":true"#);
    s.requests.lock().push(SlackRequest {
        path,
        authorization,
        body,
        status: reply.status,
        ok,
    });
    let mut response = format!(
        "HTTP/1.1 {} X\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reply.body.len()
    );
    for h in &reply.headers {
        response.push_str(h);
        response.push_str("\r\n");
    }
    response.push_str("\r\n");
    response.push_str(&reply.body);
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

/// Debian's aiosmtpd on a port, writing each message it accepts, decoded by Python's `email`
/// package, as a JSON line.
pub struct SmtpSink {
    /// Its port.
    pub port: u16,
    out: PathBuf,
    _proc: Proc,
    _dir: tempfile::TempDir,
}

/// The Python that has Debian's aiosmtpd (not a pyenv shim that lacks it).
fn python() -> &'static str {
    if std::path::Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

impl SmtpSink {
    /// Starts aiosmtpd on a port of its own, refusing `reject` (comma-separated) with 550.
    /// aiosmtpd cannot bind port 0 and say which port it got: a port taken between choosing
    /// and binding makes it exit, and then it is started again on another. Returns `None`
    /// (skip) when aiosmtpd is missing and CI is not set; under CI=true that fails the test.
    pub fn start(reject: &str) -> Option<Self> {
        for _ in 0..5 {
            match Self::start_on(super::port_to_try(), reject)? {
                Some(sink) => return Some(sink),
                None => continue,
            }
        }
        panic!("our aiosmtpd could not keep a port in five tries");
    }

    /// Starts aiosmtpd on `port`, for a test that needs the port before the server (a mail
    /// refused first, delivered once the server starts). `Some(None)`: the port was taken.
    pub fn start_on(port: u16, reject: &str) -> Option<Option<Self>> {
        let found = Command::new(python())
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !found {
            assert!(
                !ci(),
                "aiosmtpd is needed under CI=true (apt-get install python3-aiosmtpd)"
            );
            eprintln!("skipped: aiosmtpd not found; apt-get install python3-aiosmtpd");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mail.jsonl");
        let support = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support");
        let log = std::fs::File::create(dir.path().join("aiosmtpd.log")).unwrap();
        let child = Command::new(python())
            .env("PYTHONPATH", &support)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "smtp_sink.JsonSink"])
            .arg(&out)
            .arg(reject)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("aiosmtpd starts");
        let proc = std::cell::RefCell::new(Proc(child));
        let exited = std::cell::Cell::new(false);
        super::wait_ready(
            &format!("aiosmtpd on port {port}"),
            &dir.path().join("aiosmtpd.log"),
            || {
                exited.set(matches!(proc.borrow_mut().0.try_wait(), Ok(Some(_))));
                exited.get() || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
            },
        );
        let mut proc = proc.into_inner();
        // Ours, not another process's that holds the port.
        if exited.get() || proc.0.try_wait().unwrap().is_some() {
            return Some(None);
        }
        Some(Some(Self {
            port,
            out,
            _proc: proc,
            _dir: dir,
        }))
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Waits up to 30 s for `n` messages.
    pub fn wait_for(&self, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let m = self.messages();
            if m.len() >= n || Instant::now() > deadline {
                return m;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
