//! The one HTTP setup every integration uses: the client (timeouts on connect and on the whole
//! call, a user agent), answers read with a size cap without holding more than the cap, URLs
//! shown without credentials, and the innermost cause of a failure in words.

use std::time::Duration;

use reqwest::header::HeaderMap;

/// A client whose every call gives up after `timeout_secs` (connecting included), sending
/// `headers` on each request.
pub fn client(timeout_secs: u64, headers: HeaderMap) -> Result<reqwest::Client, String> {
    let timeout = Duration::from_secs(timeout_secs.max(1));
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(same_origin_redirects())
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!("incident-console/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {}", innermost(&e)))
}

/// Redirects are followed only within the origin (scheme, host and port) the request went to,
/// at most 5: every client here carries credentials or custom headers (a bearer token, an
/// `api-key`, a tenant header) and a prompt or query, and reqwest strips only `Authorization`
/// and `Cookie` on a host change. A redirect elsewhere is an error that says so.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first().map(|u| u.origin());
        if attempt.previous().len() > 5 {
            attempt.error("more than 5 redirects")
        } else if first.as_ref() == Some(&attempt.url().origin()) {
            attempt.follow()
        } else {
            let to = redact(attempt.url().as_str());
            attempt.error(format!(
                "the server redirected to another host ({to}); not followed, so this request's credentials and headers stay with their host"
            ))
        }
    })
}

/// Why a body could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// More than the cap arrived (or was announced); reading stopped there.
    TooLarge,
    /// The transfer failed.
    Transport(reqwest::Error),
}

/// The body of `response`, at most `cap_bytes` of it: a bigger one (announced by its length or
/// streamed past the cap) is refused without holding more than the cap in memory.
pub async fn read_capped(
    mut response: reqwest::Response,
    cap_bytes: u64,
) -> Result<Vec<u8>, ReadError> {
    if response.content_length().is_some_and(|n| n > cap_bytes) {
        return Err(ReadError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Transport)? {
        if (body.len() + chunk.len()) as u64 > cap_bytes {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The URL without user info, query or fragment: what may be shown and logged.
pub fn redact(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            u.as_str().trim_end_matches('/').to_string()
        }
        // Unparseable: show only what cannot be a credential.
        Err(_) => url.rsplit('@').next().unwrap_or_default().to_string(),
    }
}

/// The innermost cause of an error: what the OS or TLS said, without the URL.
pub fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    type Heads = std::sync::Arc<parking_lot::Mutex<Vec<String>>>;

    /// A server on 127.0.0.1:0 that answers every request with `answer` and records the heads.
    async fn server(answer: String) -> (String, Heads) {
        server_by_path(move |_| answer.clone()).await
    }

    /// A server whose answer depends on the request's head.
    async fn server_by_path(answer: impl Fn(&str) -> String + Send + 'static) -> (String, Heads) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let heads = std::sync::Arc::new(parking_lot::Mutex::new(Vec::new()));
        let seen = heads.clone();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let mut buf = vec![0u8; 4096];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                let reply = answer(&head);
                seen.lock().push(head);
                let _ = s.write_all(reply.as_bytes()).await;
            }
        });
        (url, heads)
    }

    #[tokio::test]
    async fn a_redirect_to_another_host_is_not_followed_with_the_headers() {
        let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
        let (elsewhere, elsewhere_heads) = server(ok.to_string()).await;
        let to = |target: &str| {
            format!(
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: {target}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
        };
        let (origin, origin_heads) = server(to(&format!("{elsewhere}/steal"))).await;
        let mut headers = HeaderMap::new();
        headers.insert("api-key", "k-123".parse().unwrap());
        let http = client(5, headers).unwrap();
        let err = http.get(format!("{origin}/v1")).send().await.unwrap_err();
        assert!(
            innermost(&err).contains("redirected to another host"),
            "{}",
            innermost(&err)
        );
        assert_eq!(origin_heads.lock().len(), 1);
        assert!(
            elsewhere_heads.lock().is_empty(),
            "nothing reached the other host"
        );

        // Within the origin a redirect is followed, headers and all.
        let hop = to("/landed");
        let (same, same_heads) = server_by_path(move |head| {
            if head.starts_with("GET /x ") {
                hop.clone()
            } else {
                ok.to_string()
            }
        })
        .await;
        let answer = http.get(format!("{same}/x")).send().await.unwrap();
        assert_eq!(answer.status(), 200);
        assert_eq!(same_heads.lock().len(), 2);
        assert!(same_heads.lock()[1].starts_with("GET /landed "));
        assert!(same_heads.lock()[1].contains("api-key: k-123"));
    }

    #[test]
    fn redaction_drops_credentials_query_and_fragment() {
        assert_eq!(
            redact("https://user:pw@prom.example.com:9090/api?token=x#y"),
            "https://prom.example.com:9090/api"
        );
        assert_eq!(redact("not a url with secret@host"), "host");
    }
}
