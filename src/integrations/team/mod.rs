//! The team store: a PostgreSQL database the team already runs, the wire only. One pool of
//! connections for queries and one connection kept for LISTEN; the console's own schema
//! (`schema.rs`), and what it reads and writes there (`queries.rs`). Every failure is a
//! [`TeamError`] in words, with the URL's password never in them.

pub mod claims;
pub mod presence;
pub mod queries;
pub mod schema;

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::config::SslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

/// How long a connection, a pool wait or one query may take before the store counts as
/// unreachable.
pub const STORE_TIMEOUT: Duration = Duration::from_secs(5);

/// The most connections one console's pool opens (the listener is one more).
pub const POOL_SIZE: usize = 4;

/// The channel every console LISTENs on; a payload is the store's latest event number.
pub const CHANNEL: &str = "incident_console";

/// What went wrong with the team store, in words (the URL's password is never in them).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TeamError {
    /// The URL cannot be used as written.
    #[error("the team database URL cannot be used: {0}")]
    BadUrl(String),
    /// No connection, or it broke, or it timed out: the console works alone meanwhile.
    #[error("the team store cannot be reached: {0}")]
    Unreachable(String),
    /// The schema was made by a newer console.
    #[error(
        "the team store's schema is version {found}, newer than this console knows ({known}): update the console"
    )]
    NewerSchema {
        /// The store's version.
        found: i32,
        /// The newest this console knows.
        known: i32,
    },
    /// The server refused a statement (permissions, a broken schema).
    #[error("the team store refused: {0}")]
    Refused(String),
    /// Something the store holds could not be read.
    #[error("the team store holds what this console cannot read: {0}")]
    Unreadable(String),
}

impl TeamError {
    /// Whether trying again later may work (a network or server outage, not a setup error).
    pub fn is_retryable(&self) -> bool {
        matches!(self, TeamError::Unreachable(_))
    }
}

/// A client error as a [`TeamError`]: a closed or failed connection is "unreachable", a
/// server's refusal is "refused", each in the server's words.
pub fn classify(e: &tokio_postgres::Error) -> TeamError {
    match e.as_db_error() {
        Some(db) if is_passing(db.code().code()) => {
            TeamError::Unreachable(format!("{} ({})", db.message(), db.code().code()))
        }
        Some(db) => TeamError::Refused(format!("{} ({})", db.message(), db.code().code())),
        None => TeamError::Unreachable(e.to_string()),
    }
}

/// Whether a server's SQLSTATE says the trouble passes by itself: a server starting, shutting
/// down or restarting (57P01–57P03), a lost connection (class 08), too many connections or
/// no memory or disk for now (class 53), or a transaction to try again (40001, 40P01).
fn is_passing(code: &str) -> bool {
    code.starts_with("57P")
        || code.starts_with("08")
        || code.starts_with("53")
        || code == "40001"
        || code == "40P01"
}

fn pool_error(e: deadpool_postgres::PoolError) -> TeamError {
    match e {
        deadpool_postgres::PoolError::Backend(e) => classify(&e),
        deadpool_postgres::PoolError::Timeout(_) => {
            TeamError::Unreachable(format!("no connection within {}s", STORE_TIMEOUT.as_secs()))
        }
        other => TeamError::Unreachable(other.to_string()),
    }
}

/// The parsed URL: the client's config, and whether TLS is wanted. `sslmode` is libpq's:
/// `disable` (none), `prefer` (the default: TLS when the server offers it), `require`,
/// `verify-ca` and `verify-full` (TLS or no connection). Whenever TLS is used the server's
/// certificate is verified against the OS's roots with its host name, so `require` and
/// `verify-ca` are as strict as `verify-full` here.
pub fn parse_url(url: &str) -> Result<tokio_postgres::Config, TeamError> {
    let url = url.trim();
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(TeamError::BadUrl(
            "it must start with postgres:// or postgresql://".into(),
        ));
    }
    // tokio-postgres knows disable, prefer and require; the two verify modes are require
    // with the verification every TLS connection here has anyway.
    let url = url
        .replace("sslmode=verify-full", "sslmode=require")
        .replace("sslmode=verify-ca", "sslmode=require");
    let mut config: tokio_postgres::Config = url
        .parse()
        .map_err(|e: tokio_postgres::Error| TeamError::BadUrl(e.to_string()))?;
    if config.get_hosts().is_empty() {
        return Err(TeamError::BadUrl("it names no host".into()));
    }
    if config.get_dbname().is_none() {
        return Err(TeamError::BadUrl("it names no database".into()));
    }
    config.connect_timeout(STORE_TIMEOUT);
    config.keepalives(true);
    config.keepalives_idle(Duration::from_secs(30));
    config.application_name("incident-console");
    Ok(config)
}

/// Whether connections made from `config` may use TLS.
pub fn wants_tls(config: &tokio_postgres::Config) -> bool {
    config.get_ssl_mode() != SslMode::Disable
}

/// rustls with the OS's certificate roots (rustls-platform-verifier), and the crypto
/// provider reqwest and lettre already use.
fn tls() -> Result<MakeRustlsConnect, TeamError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone())
        .map_err(|e| TeamError::BadUrl(format!("TLS cannot be set up: {e}")))?;
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TeamError::BadUrl(format!("TLS cannot be set up: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

impl std::fmt::Debug for TeamStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the URL: it may hold the password.
        f.write_str("TeamStore")
    }
}

/// One console's way into the team store: a pool for queries, and what it needs to open
/// the listener's own connection. Cheap to clone.
#[derive(Clone)]
pub struct TeamStore {
    pool: Pool,
    config: tokio_postgres::Config,
    tls: MakeRustlsConnect,
}

impl TeamStore {
    /// Prepares the pool from `url`. Connects nothing yet: the first query does.
    pub fn new(url: &str) -> Result<Self, TeamError> {
        let config = parse_url(url)?;
        let tls = tls()?;
        let manager = Manager::from_config(
            config.clone(),
            tls.clone(),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(STORE_TIMEOUT))
            .create_timeout(Some(STORE_TIMEOUT))
            .recycle_timeout(Some(STORE_TIMEOUT))
            .build()
            .map_err(|e| TeamError::BadUrl(e.to_string()))?;
        Ok(Self { pool, config, tls })
    }

    /// A pooled connection, within [`STORE_TIMEOUT`].
    pub async fn client(&self) -> Result<deadpool_postgres::Object, TeamError> {
        self.pool.get().await.map_err(pool_error)
    }

    /// A connection of its own that LISTENs on [`CHANNEL`]; each notification's payload (or
    /// an empty string when the connection ended) is sent on `wakes`. Returns once LISTEN is
    /// in place; the connection lives in a task until it breaks or `wakes` is dropped.
    pub async fn listen(
        &self,
        wakes: tokio::sync::mpsc::UnboundedSender<String>,
    ) -> Result<(), TeamError> {
        let connect = self.config.connect(self.tls.clone());
        let (client, mut connection) = tokio::time::timeout(STORE_TIMEOUT, connect)
            .await
            .map_err(|_| TeamError::Unreachable("no connection within 5s".into()))?
            .map_err(|e| classify(&e))?;
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            let mut ready = Some(ready_tx);
            // The client's LISTEN runs in the select below; the connection must be polled
            // for it to be sent at all.
            let statement = format!("LISTEN {CHANNEL}");
            let listen = client.batch_execute(&statement);
            let mut listen = std::pin::pin!(listen);
            loop {
                tokio::select! {
                    done = &mut listen, if ready.is_some() => {
                        if let Some(tx) = ready.take() {
                            let _ = tx.send(done.map_err(|e| classify(&e)));
                        }
                    }
                    message = std::future::poll_fn(|cx| connection.poll_message(cx)) => match message {
                        Some(Ok(tokio_postgres::AsyncMessage::Notification(n))) => {
                            if wakes.send(n.payload().to_string()).is_err() {
                                return;
                            }
                        }
                        Some(Ok(_)) => {}
                        Some(Err(e)) => {
                            if let Some(tx) = ready.take() {
                                let _ = tx.send(Err(classify(&e)));
                            }
                            let _ = wakes.send(String::new());
                            return;
                        }
                        None => {
                            let _ = wakes.send(String::new());
                            return;
                        }
                    },
                    _ = wakes.closed() => return,
                }
            }
        });
        match tokio::time::timeout(STORE_TIMEOUT, ready_rx).await {
            Ok(Ok(result)) => result,
            _ => Err(TeamError::Unreachable("LISTEN did not answer".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_server_shutting_down_or_full_is_passing_and_a_refusal_is_not() {
        for code in ["57P01", "57P03", "08006", "53300", "40001", "40P01"] {
            assert!(super::is_passing(code), "{code}");
        }
        for code in ["28P01", "42501", "3D000", "42P01"] {
            assert!(!super::is_passing(code), "{code}");
        }
    }
}
