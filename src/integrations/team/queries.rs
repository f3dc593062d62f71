//! What the console reads and writes in the team store. Bodies are the model's own types as
//! JSON (`jsonb`), so another console of the same release reads them whole; an event a
//! console cannot read (a newer release's) is reported, not dropped silently.
//!
//! Every write that adds events takes their numbers from the one-row `event_counter` in the
//! same transaction. Its row lock makes the numbers' order the order of commits, so a
//! reader that has seen everything up to number N never later meets a smaller one: catching
//! up is `seq > N`, and a missed notification loses nothing.

use tokio_postgres::Transaction;

use super::{CHANNEL, TeamError, TeamStore, classify};
use crate::model::{Incident, IncidentEvent, is_shared_kind};

/// How many events one catch-up read returns at most (the reader asks again for more).
pub const PAGE_EVENTS: i64 = 500;

/// The answer to opening an incident for a breach.
#[derive(Clone, Debug)]
pub enum Opened {
    /// This console's incident is the team's, with this id.
    Won {
        /// The team's id.
        id: u64,
    },
    /// Another console's incident for the same breach was already active, or ran (and
    /// ended) while this one was opened: that one, with every event the store holds for it.
    Lost(Box<Incident>),
}

/// One event read back, in the store's order.
#[derive(Clone, Debug)]
pub struct StoredEvent {
    /// Its number in the store (increasing in commit order).
    pub seq: i64,
    /// The team's incident id.
    pub incident: u64,
    /// The event, or why it could not be read.
    pub event: Result<IncidentEvent, String>,
}

/// An `u64` id as the `bigint` it is stored as (the same 64 bits: origins are random and use
/// them all).
fn big(v: u64) -> i64 {
    v as i64
}

fn unbig(v: i64) -> u64 {
    v as u64
}

fn json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, TeamError> {
    serde_json::to_value(value).map_err(|e| TeamError::Unreadable(e.to_string()))
}

/// Numbers `events` of incident `id` in the store's order and inserts them, skipping those
/// whose `(origin, seq)` it already holds, then wakes every listener. Returns how many were
/// new. Inside the caller's transaction.
async fn insert_events(
    tx: &Transaction<'_>,
    id: u64,
    events: &[IncidentEvent],
) -> Result<u64, TeamError> {
    if events.is_empty() {
        return Ok(0);
    }
    let n = events.len() as i64;
    let row = tx
        .query_one(
            "UPDATE event_counter SET last = last + $1 RETURNING last",
            &[&n],
        )
        .await
        .map_err(|e| classify(&e))?;
    let last: i64 = row.get(0);
    let insert = tx
        .prepare(
            "INSERT INTO events (seq, incident, origin, origin_seq, at, body)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (incident, origin, origin_seq) DO NOTHING",
        )
        .await
        .map_err(|e| classify(&e))?;
    let mut added = 0;
    for (i, event) in events.iter().enumerate() {
        let seq = last - n + 1 + i as i64;
        let body = json(event)?;
        added += tx
            .execute(
                &insert,
                &[
                    &seq,
                    &big(id),
                    &big(event.id.origin),
                    &big(event.id.seq),
                    &event.at,
                    &body,
                ],
            )
            .await
            .map_err(|e| classify(&e))?;
    }
    tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &last.to_string()])
        .await
        .map_err(|e| classify(&e))?;
    Ok(added)
}

/// Opens `incident` as the team's incident for `breach`, unless one is active for it: the
/// store's unique index decides, not this code. `rekey` makes the incident's body and
/// events carry the team's id once it is known.
pub async fn open_incident(
    store: &TeamStore,
    breach: &str,
    incident: &Incident,
    console: &str,
    rekey: impl Fn(&Incident, u64) -> Incident,
) -> Result<Opened, TeamError> {
    let mut client = store.client().await?;
    // A winner closed between our conflict and our read leaves nothing to read: try again.
    for _ in 0..3 {
        let tx = client.transaction().await.map_err(|e| classify(&e))?;
        // An incident opened while this console was cut off, overlapping the team's incident
        // for the same breach that has ended since (whichever was opened first): it is that
        // one (the store's id, its events). Ours is still open, so the two overlap exactly
        // when theirs ended after ours opened.
        let overlapped = tx
            .query_opt(
                "SELECT id FROM incidents
                 WHERE breach = $1 AND NOT active AND ended_at >= $2
                 ORDER BY ended_at DESC LIMIT 1",
                &[&breach, &incident.opened_at],
            )
            .await
            .map_err(|e| classify(&e))?;
        if let Some(row) = overlapped {
            tx.commit().await.map_err(|e| classify(&e))?;
            let mut found = fetch_incidents(store, &[unbig(row.get(0))]).await?;
            if let Some((inc, _)) = found.pop() {
                return Ok(Opened::Lost(Box::new(inc)));
            }
            continue;
        }
        let body = json(incident)?;
        let row = tx
            .query_opt(
                "INSERT INTO incidents (breach, opened_at, opened_by, body)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (breach) WHERE active DO NOTHING
                 RETURNING id",
                &[&breach, &incident.opened_at, &console, &body],
            )
            .await
            .map_err(|e| classify(&e))?;
        if let Some(row) = row {
            let id = unbig(row.get(0));
            let team = rekey(incident, id);
            tx.execute(
                "UPDATE incidents SET body = $2 WHERE id = $1",
                &[&big(id), &json(&team)?],
            )
            .await
            .map_err(|e| classify(&e))?;
            let shared: Vec<IncidentEvent> = team
                .timeline
                .iter()
                .filter(|e| is_shared_kind(&e.kind))
                .cloned()
                .collect();
            insert_events(&tx, id, &shared).await?;
            tx.commit().await.map_err(|e| classify(&e))?;
            return Ok(Opened::Won { id });
        }
        let winner = tx
            .query_opt(
                "SELECT id FROM incidents WHERE breach = $1 AND active",
                &[&breach],
            )
            .await
            .map_err(|e| classify(&e))?;
        tx.commit().await.map_err(|e| classify(&e))?;
        if let Some(row) = winner {
            let id = unbig(row.get(0));
            let mut found = fetch_incidents(store, &[id]).await?;
            if let Some((inc, _)) = found.pop() {
                return Ok(Opened::Lost(Box::new(inc)));
            }
        }
    }
    Err(TeamError::Refused(format!(
        "no incident for \"{breach}\" could be opened or found"
    )))
}

/// Adds `events` to the team's incident `id` (those it holds already are skipped). Returns
/// how many were new.
pub async fn append_events(
    store: &TeamStore,
    id: u64,
    events: &[IncidentEvent],
) -> Result<u64, TeamError> {
    let mut client = store.client().await?;
    let tx = client.transaction().await.map_err(|e| classify(&e))?;
    let added = insert_events(&tx, id, events).await?;
    tx.commit().await.map_err(|e| classify(&e))?;
    Ok(added)
}

/// Marks the team's incident `id` no longer active (recovered or closed), so the next
/// breach of its rule opens a new one.
pub async fn deactivate(store: &TeamStore, id: u64) -> Result<(), TeamError> {
    let client = store.client().await?;
    client
        .execute(
            "UPDATE incidents SET active = false, ended_at = now() WHERE id = $1 AND active",
            &[&big(id)],
        )
        .await
        .map_err(|e| classify(&e))?;
    Ok(())
}

/// The events numbered after `after`, oldest first, at most [`PAGE_EVENTS`].
pub async fn events_since(store: &TeamStore, after: i64) -> Result<Vec<StoredEvent>, TeamError> {
    let client = store.client().await?;
    let rows = client
        .query(
            "SELECT seq, incident, body FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
            &[&after, &PAGE_EVENTS],
        )
        .await
        .map_err(|e| classify(&e))?;
    Ok(rows
        .iter()
        .map(|row| {
            let body: serde_json::Value = row.get(2);
            StoredEvent {
                seq: row.get(0),
                incident: unbig(row.get(1)),
                event: serde_json::from_value(body).map_err(|e| e.to_string()),
            }
        })
        .collect())
}

/// The store's latest event number (0 when it holds none).
pub async fn latest_seq(store: &TeamStore) -> Result<i64, TeamError> {
    let client = store.client().await?;
    let row = client
        .query_one("SELECT last FROM event_counter", &[])
        .await
        .map_err(|e| classify(&e))?;
    Ok(row.get(0))
}

/// The ids of the team's active incidents.
pub async fn active_incident_ids(store: &TeamStore) -> Result<Vec<u64>, TeamError> {
    let client = store.client().await?;
    let rows = client
        .query("SELECT id FROM incidents WHERE active ORDER BY id", &[])
        .await
        .map_err(|e| classify(&e))?;
    Ok(rows.iter().map(|r| unbig(r.get(0))).collect())
}

/// The team's incidents `ids` as they opened, with every event the store holds for each
/// applied in the store's order, and the console that opened each. An id the store does not
/// hold is left out.
pub async fn fetch_incidents(
    store: &TeamStore,
    ids: &[u64],
) -> Result<Vec<(Incident, String)>, TeamError> {
    let client = store.client().await?;
    let ids: Vec<i64> = ids.iter().map(|&i| big(i)).collect();
    let rows = client
        .query(
            "SELECT id, body, opened_by FROM incidents WHERE id = ANY($1) ORDER BY id",
            &[&ids],
        )
        .await
        .map_err(|e| classify(&e))?;
    let events = client
        .query(
            "SELECT incident, body FROM events WHERE incident = ANY($1) ORDER BY seq",
            &[&ids],
        )
        .await
        .map_err(|e| classify(&e))?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id = unbig(row.get(0));
        let body: serde_json::Value = row.get(1);
        let mut inc: Incident = serde_json::from_value(body)
            .map_err(|e| TeamError::Unreadable(format!("incident {id}: {e}")))?;
        inc.id = id;
        for e in events.iter().filter(|e| unbig(e.get(0)) == id) {
            let body: serde_json::Value = e.get(1);
            if let Ok(event) = serde_json::from_value::<IncidentEvent>(body) {
                inc.apply_shared(event);
            }
        }
        out.push((inc, row.get(2)));
    }
    Ok(out)
}
