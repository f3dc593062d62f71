//! Mail over SMTP (lettre on tokio): UTF-8 plain-text bodies and RFC 2047 subjects, so Korean
//! arrives intact; every failure classified as retryable or not, in words without the password.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::model::{EmailSettings, Failure};

/// A failed send, in words.
#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    /// The settings or an address cannot be used; retrying will not help.
    #[error("{0}")]
    Config(String),
    /// The server refused for good (SMTP 5xx), e.g. an unknown recipient.
    #[error("the SMTP server {server} refused: {detail}")]
    Refused {
        /// `host:port`.
        server: String,
        /// The server's words.
        detail: String,
    },
    /// A failure that may pass: no connection, a timeout, SMTP 4xx.
    #[error("SMTP server {server}: {detail}")]
    Transient {
        /// `host:port`.
        server: String,
        /// What happened.
        detail: String,
    },
}

impl EmailError {
    /// Whether trying again can help.
    pub fn failure(&self) -> Failure {
        let reason = self.to_string();
        match self {
            EmailError::Transient { .. } => Failure::Retryable {
                reason,
                retry_after: None,
            },
            EmailError::Config(_) | EmailError::Refused { .. } => Failure::Permanent { reason },
        }
    }
}

fn mailbox(what: &str, address: &str) -> Result<Mailbox, EmailError> {
    address.trim().parse::<Mailbox>().map_err(|e| {
        EmailError::Config(format!("{what} \"{}\" cannot be used: {e}", address.trim()))
    })
}

/// Builds the message: UTF-8 plain text; lettre encodes a non-ASCII subject per RFC 2047 and
/// picks a transfer encoding that keeps the body intact.
pub fn build_message(
    settings: &EmailSettings,
    to: &[String],
    subject: &str,
    body: &str,
) -> Result<Message, EmailError> {
    let sender = settings.sender();
    if sender.is_empty() {
        return Err(EmailError::Config(
            "no sender: set From or the SMTP user".into(),
        ));
    }
    let mut builder = Message::builder()
        .from(mailbox("sender", sender)?)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN);
    if to.is_empty() {
        return Err(EmailError::Config("no recipient is listed".into()));
    }
    for r in to {
        builder = builder.to(mailbox("recipient", r)?);
    }
    builder
        .body(body.to_string())
        .map_err(|e| EmailError::Config(format!("the mail cannot be built: {e}")))
}

/// Sends one mail; returns the server's answer (e.g. `250 OK`).
pub async fn send(
    settings: &EmailSettings,
    to: &[String],
    subject: &str,
    body: &str,
) -> Result<String, EmailError> {
    let host = settings.smtp_host.trim();
    if host.is_empty() {
        return Err(EmailError::Config("no SMTP host is set".into()));
    }
    let message = build_message(settings, to, subject, body)?;
    let server = format!("{host}:{}", settings.smtp_port);
    let mut builder = if settings.starttls {
        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(|e| {
            EmailError::Config(format!(
                "SMTP host \"{host}\" cannot be used with STARTTLS: {e}"
            ))
        })?
    } else {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
    };
    builder = builder
        .port(settings.smtp_port)
        .timeout(Some(Duration::from_secs(settings.timeout_secs.max(1))));
    if !settings.smtp_user.trim().is_empty() {
        builder = builder.credentials(Credentials::new(
            settings.smtp_user.trim().to_string(),
            settings.smtp_password.expose().to_string(),
        ));
    }
    let transport = builder.build();
    match transport.send(message).await {
        Ok(response) => Ok(format!(
            "{} {}",
            response.code(),
            response.message().collect::<Vec<_>>().join(" ")
        )),
        Err(e) => Err(classify(&e, server)),
    }
}

fn classify(e: &lettre::transport::smtp::Error, server: String) -> EmailError {
    // lettre's words name the kind and the server's reply; they never include the password.
    let detail = describe(e);
    if e.is_permanent() || e.is_tls() || e.is_client() {
        // 5xx (an unknown recipient, bad credentials), or a TLS / protocol mismatch that the
        // same settings will meet again.
        EmailError::Refused { server, detail }
    } else {
        EmailError::Transient { server, detail }
    }
}

fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut words = e.to_string();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(inner) = cur {
        let s = inner.to_string();
        if !words.contains(&s) {
            words.push_str(&format!(": {s}"));
        }
        cur = inner.source();
    }
    if e.is_timeout() {
        words.push_str(" (timed out)");
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> EmailSettings {
        EmailSettings {
            smtp_host: "127.0.0.1".into(),
            smtp_user: "bot@example.com".into(),
            recipients: vec!["oncall@example.com".into()],
            ..EmailSettings::default()
        }
    }

    #[test]
    fn korean_subject_is_rfc2047_and_body_is_utf8() {
        let m = build_message(
            &settings(),
            &["oncall@example.com".into(), "lead@example.com".into()],
            "[장애] #3 Nginx 5xx 급증",
            "요약: 결제 API 오류율 증가\n",
        )
        .unwrap();
        let raw = String::from_utf8(m.formatted()).unwrap();
        let subject = raw.lines().find(|l| l.starts_with("Subject:")).unwrap();
        assert!(subject.contains("=?utf-8?"), "{subject}");
        assert!(!subject.contains("장애"), "encoded, not raw: {subject}");
        assert!(raw.contains("charset=utf-8"), "{raw}");
        assert!(
            raw.contains("To: oncall@example.com, lead@example.com"),
            "{raw}"
        );
        assert!(raw.contains("From: bot@example.com"), "{raw}");
    }

    #[test]
    fn bad_addresses_and_missing_settings_are_permanent_in_words() {
        let err = build_message(&settings(), &["not an address".into()], "s", "b").unwrap_err();
        assert!(err.to_string().contains("recipient"), "{err}");
        assert!(matches!(err.failure(), Failure::Permanent { .. }));
        let mut s = settings();
        s.smtp_user.clear();
        let err = build_message(&s, &["a@x.com".into()], "s", "b").unwrap_err();
        assert!(err.to_string().contains("sender"), "{err}");
    }

    #[test]
    fn a_refused_connection_is_retryable() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut s = settings();
        s.smtp_port = port;
        s.starttls = false;
        s.smtp_password = crate::model::Secret::new("pw-never-shown");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let err = rt
            .block_on(send(&s, &s.recipients.clone(), "s", "b"))
            .unwrap_err();
        assert!(matches!(err.failure(), Failure::Retryable { .. }), "{err}");
        let words = err.to_string();
        assert!(words.contains(&port.to_string()), "{words}");
        assert!(!words.contains("pw-never-shown"), "{words}");
    }
}
