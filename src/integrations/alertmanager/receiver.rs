//! The Alertmanager webhook receiver: an HTTP/1 listener, given where to report and what
//! time it is, knowing nothing of who runs it. It answers as soon
//! as a payload is parsed and queued, and never lets one client hold up another.
//!
//! - 127.0.0.1 by default; any other address needs `allow_remote` and a token.
//! - Optional auth: `Authorization: Bearer <token>`, or Basic with any user and the token as
//!   the password (Alertmanager's `http_config` offers both).
//! - 200 when queued; 400 for a body that is not a version-4 payload (said in words); 401 for
//!   a missing or wrong token; 405 for anything but POST; 413 past [`MAX_BODY_BYTES`]; a client
//!   that stops sending halfway is cut off after [`READ_TIMEOUT`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use tokio::net::TcpListener;

use super::wire::{AlertmanagerError, WebhookGroup, parse_webhook};
use crate::model::{IntakeRefusal, Secret};

/// The largest body taken, in bytes (a group of a few hundred alerts is well under it).
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// How long a client may take to send its headers, and then its body.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections the receiver keeps open at once; one more is closed as soon as it is accepted.
/// Alertmanager needs one per replica, so this is room enough for a fleet.
pub const MAX_CONNECTIONS: usize = 256;

/// Where the receiver reports: returns false once nobody listens any more.
pub type Sink = Arc<dyn Fn(ReceiverEvent) -> bool + Send + Sync>;

/// What time it is, as whoever runs the receiver keeps it (the engine's clock, so tests on a
/// paused clock see webhooks arrive at their time).
pub type Now = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// What the receiver reports.
#[derive(Debug)]
pub enum ReceiverEvent {
    /// It listens on this address.
    Listening {
        /// The address, with the port the OS gave if 0 was asked for.
        addr: SocketAddr,
    },
    /// It cannot listen (said in words).
    Unusable {
        /// Why.
        reason: String,
    },
    /// A webhook was parsed and queued (already answered 200).
    Webhook {
        /// The group's snapshot.
        group: WebhookGroup,
        /// When it arrived.
        at: DateTime<Utc>,
    },
    /// A request was refused (and answered in words).
    Refused {
        /// The HTTP status it got.
        status: u16,
        /// Why.
        refusal: IntakeRefusal,
    },
}

/// Why the receiver cannot listen.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// An address that is not `host:port`.
    #[error("\"{0}\" is not an address to listen on: write 127.0.0.1:9095")]
    Address(String),
    /// A non-loopback address without the explicit setting and a token.
    #[error(
        "{0} is reachable from other machines: set \"allow remote\" and a token to listen there, or use 127.0.0.1"
    )]
    Remote(SocketAddr),
    /// The OS refused the address (in use, no permission).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS's reason.
        source: std::io::Error,
    },
}

/// Binds the receiver's socket, refusing a remote address unless allowed and protected.
pub async fn bind(
    addr: &str,
    allow_remote: bool,
    token: Option<&Secret>,
) -> Result<TcpListener, IntakeError> {
    let parsed: SocketAddr = addr
        .trim()
        .parse()
        .map_err(|_| IntakeError::Address(addr.trim().to_string()))?;
    let protected = token.is_some_and(|t| !t.is_empty());
    let allowed = parsed.ip().is_loopback() || (allow_remote && protected);
    if !allowed {
        return Err(IntakeError::Remote(parsed));
    }
    TcpListener::bind(parsed)
        .await
        .map_err(|source| IntakeError::Bind {
            addr: parsed,
            source,
        })
}

/// Binds and serves until the task is dropped, saying first whether it listens.
pub async fn run(addr: String, allow_remote: bool, token: Option<Secret>, now: Now, sink: Sink) {
    match bind(&addr, allow_remote, token.as_ref()).await {
        Ok(listener) => {
            if let Ok(addr) = listener.local_addr() {
                sink(ReceiverEvent::Listening { addr });
            }
            serve(listener, token, now, sink).await;
        }
        Err(e) => {
            sink(ReceiverEvent::Unusable {
                reason: e.to_string(),
            });
        }
    }
}

/// Accepts connections until the task is dropped; each one is served on its own task.
pub async fn serve(listener: TcpListener, token: Option<Secret>, now: Now, sink: Sink) {
    let token = Arc::new(token.filter(|t| !t.is_empty()));
    let open = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok((stream, _peer)) = listener.accept().await else {
            // Out of file descriptors and the like: wait, then go on accepting.
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        // Beyond the cap a connection is closed at once: a flood of idle sockets must not take
        // the descriptors that saves and the audit log need.
        let Ok(permit) = open.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let (token, now, sink) = (token.clone(), now.clone(), sink.clone());
        tokio::spawn(async move {
            let _permit = permit;
            let service = hyper::service::service_fn(move |req| {
                let (token, now, sink) = (token.clone(), now.clone(), sink.clone());
                async move {
                    Ok::<_, std::convert::Infallible>(handle(req, &token, &*now, &*sink).await)
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(READ_TIMEOUT)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(
    req: Request<Incoming>,
    token: &Option<Secret>,
    now: &(dyn Fn() -> DateTime<Utc> + Send + Sync),
    sink: &(dyn Fn(ReceiverEvent) -> bool + Send + Sync),
) -> Response<Full<Bytes>> {
    // The sender is answered in words (with the parser's detail about its own body); the
    // engine hears only the kind, so no byte of a request reaches the feed.
    let refuse = |status: StatusCode, refusal: IntakeRefusal, detail: Option<String>| {
        sink(ReceiverEvent::Refused {
            status: status.as_u16(),
            refusal,
        });
        let words = crate::text::intake::refusal_words(refusal, false).to_string();
        reply(
            status,
            detail.map_or(words.clone(), |d| format!("{words}: {d}")),
        )
    };
    if req.method() != hyper::Method::POST {
        return refuse(StatusCode::METHOD_NOT_ALLOWED, IntakeRefusal::Method, None);
    }
    // A web page in the responder's browser can POST here (`fetch` with `no-cors`), but only
    // with an `Origin` and a "simple" content type; Alertmanager sends JSON and no `Origin`.
    if req.headers().contains_key(hyper::header::ORIGIN) {
        return refuse(StatusCode::FORBIDDEN, IntakeRefusal::FromWebPage, None);
    }
    let json = req
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            IntakeRefusal::NotJson,
            None,
        );
    }
    if let Some(token) = token
        && !authorised(req.headers().get(hyper::header::AUTHORIZATION), token)
    {
        return refuse(StatusCode::UNAUTHORIZED, IntakeRefusal::Unauthorized, None);
    }
    let declared = req
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, IntakeRefusal::TooLarge, None);
    }
    let body = Limited::new(req.into_body(), MAX_BODY_BYTES);
    let bytes = match tokio::time::timeout(READ_TIMEOUT, body.collect()).await {
        Err(_) => {
            return refuse(StatusCode::REQUEST_TIMEOUT, IntakeRefusal::SlowBody, None);
        }
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, IntakeRefusal::TooLarge, None);
        }
        Ok(Err(e)) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                IntakeRefusal::Unreadable,
                Some(e.to_string()),
            );
        }
        Ok(Ok(collected)) => collected.to_bytes(),
    };
    match parse_webhook(&bytes) {
        Ok(group) => {
            let at = now();
            if !sink(ReceiverEvent::Webhook { group, at }) {
                // The engine is gone: say so, and Alertmanager will send it again.
                return reply(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the console is shutting down".into(),
                );
            }
            reply(StatusCode::OK, "queued".into())
        }
        Err(e) => {
            let refusal = match e {
                AlertmanagerError::Version(_) => IntakeRefusal::Version,
                AlertmanagerError::Fingerprint => IntakeRefusal::Fingerprint,
                _ => IntakeRefusal::NotAlertmanager,
            };
            refuse(StatusCode::BAD_REQUEST, refusal, Some(e.to_string()))
        }
    }
}

fn reply(status: StatusCode, text: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(text + "\n")));
    *response.status_mut() = status;
    response
}

/// Whether an `Authorization` header carries `token`: as a bearer token, or as the password
/// of Basic auth (any user name).
fn authorised(header: Option<&hyper::header::HeaderValue>, token: &Secret) -> bool {
    let Some(value) = header.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    let offered = match scheme.to_ascii_lowercase().as_str() {
        "bearer" => rest.trim().to_string(),
        "basic" => {
            let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(rest.trim()) else {
                return false;
            };
            let text = String::from_utf8_lossy(&decoded).into_owned();
            match text.split_once(':') {
                Some((_, password)) => password.to_string(),
                None => return false,
            }
        }
        _ => return false,
    };
    constant_time_eq(offered.as_bytes(), token.expose().as_bytes())
}

/// Compares without stopping at the first difference, so the time taken says nothing about
/// how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i).copied().unwrap_or(!x));
    }
    diff == 0
}

/// The `receivers:` entry of an `alertmanager.yml` that sends webhooks to the console's
/// receiver at `addr` (`host:port`) with `token` (as Alertmanager's bearer credentials).
/// `token` is written as given: the window passes a mask to show and the real one to copy.
pub fn receiver_snippet(addr: &str, token: &str) -> String {
    let auth = if token.is_empty() {
        String::new()
    } else {
        format!(
            "\n        http_config:\n          authorization:\n            credentials: \"{token}\""
        )
    };
    format!(
        "receivers:\n  - name: incident-console\n    webhook_configs:\n      - url: http://{addr}/\n        send_resolved: true{auth}\n"
    )
}
