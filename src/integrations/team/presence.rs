//! Who is on, and the team's audit log. Each console beats every few seconds with the
//! incident it has open in its window; whoever beat recently is on. Audit lines are copied
//! into the store as each console writes them to its own file, keyed by console and number,
//! so a line sent again after a failure is kept once.

use chrono::{DateTime, Utc};

use super::{TeamError, TeamStore, classify};
use crate::audit::AuditLine;
use crate::model::Present;

/// A console that beat within this many seconds is on.
pub const FRESH_SECS: f64 = 15.0;

/// Records that `console` (of `responder`) is on now, with `viewing` open.
pub async fn beat(
    store: &TeamStore,
    console: &str,
    responder: &str,
    viewing: Option<u64>,
) -> Result<(), TeamError> {
    let client = store.client().await?;
    let viewing = viewing.map(|v| v as i64);
    client
        .execute(
            "INSERT INTO presence (console, responder, viewing, seen_at)
             VALUES ($1, $2, $3, now())
             ON CONFLICT (console) DO UPDATE
             SET responder = EXCLUDED.responder, viewing = EXCLUDED.viewing, seen_at = now()",
            &[&console, &responder, &viewing],
        )
        .await
        .map_err(|e| classify(&e))?;
    Ok(())
}

/// The consoles on now (beat within [`FRESH_SECS`]), by name.
pub async fn present(store: &TeamStore) -> Result<Vec<Present>, TeamError> {
    let client = store.client().await?;
    let rows = client
        .query(
            "SELECT console, responder, viewing, seen_at FROM presence
             WHERE seen_at > now() - make_interval(secs => $1)
             ORDER BY console",
            &[&FRESH_SECS],
        )
        .await
        .map_err(|e| classify(&e))?;
    Ok(rows
        .iter()
        .map(|row| Present {
            console: row.get(0),
            responder: row.get(1),
            viewing: row.get::<_, Option<i64>>(2).map(|v| v as u64),
            seen_at: row.get::<_, DateTime<Utc>>(3),
        })
        .collect())
}

/// Copies `console`'s audit lines (each with its number in this run) into the store;
/// those it holds already are skipped.
pub async fn append_audit(
    store: &TeamStore,
    console: &str,
    lines: &[(i64, AuditLine)],
) -> Result<(), TeamError> {
    let mut client = store.client().await?;
    let tx = client.transaction().await.map_err(|e| classify(&e))?;
    let insert = tx
        .prepare(
            "INSERT INTO audit (console, n, incident, at, line) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (console, n) DO NOTHING",
        )
        .await
        .map_err(|e| classify(&e))?;
    for (n, line) in lines {
        let body = serde_json::to_value(line).map_err(|e| TeamError::Unreadable(e.to_string()))?;
        let incident = line.incident as i64;
        tx.execute(&insert, &[&console, n, &incident, &line.at, &body])
            .await
            .map_err(|e| classify(&e))?;
    }
    tx.commit().await.map_err(|e| classify(&e))?;
    Ok(())
}
