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
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!("incident-console/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {}", innermost(&e)))
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

    #[test]
    fn redaction_drops_credentials_query_and_fragment() {
        assert_eq!(
            redact("https://user:pw@prom.example.com:9090/api?token=x#y"),
            "https://prom.example.com:9090/api"
        );
        assert_eq!(redact("not a url with secret@host"), "host");
    }
}
