//! Claims: how one console of the team does a thing that must be done once (a notification,
//! an action plan's run). A console claims the thing's key before doing it; the table's
//! primary key decides between consoles claiming at once. A claim lasts until its lease
//! runs out on the store's clock (so the consoles' own clocks do not matter): a console
//! that dies holding one gives it up by not renewing it. Once the thing is done the claim
//! says by whom and when, with the far side's reference (Slack's `ts`), for good.

use chrono::{DateTime, Utc};

use super::{TeamError, TeamStore, classify};

/// What a claim is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimKind {
    /// A notification (key: its event and destination).
    Notification,
    /// An action plan's run (key: the plan's position in the incident).
    Run,
}

impl ClaimKind {
    fn as_str(self) -> &'static str {
        match self {
            ClaimKind::Notification => "notify",
            ClaimKind::Run => "run",
        }
    }
}

/// Where a claim stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Claim {
    /// This console holds it now (taken or renewed by this call).
    Mine,
    /// Another console holds it.
    Held {
        /// That console's name.
        by: String,
        /// Since when it holds it.
        since: DateTime<Utc>,
        /// Seconds until its lease runs out, by the store's clock (negative: it ran out and
        /// nobody has taken it since).
        left_secs: f64,
    },
    /// It was done.
    Done {
        /// By which console.
        by: String,
        /// When.
        at: DateTime<Utc>,
        /// The far side's reference (Slack's `ts`), if it gave one.
        reference: Option<String>,
    },
}

fn big(v: u64) -> i64 {
    v as i64
}

/// Takes (or renews) the claim on `key` for `lease_secs`, unless another console holds it
/// or it is done; says which.
pub async fn claim(
    store: &TeamStore,
    kind: ClaimKind,
    incident: u64,
    key: &str,
    console: &str,
    lease_secs: f64,
) -> Result<Claim, TeamError> {
    take(store, kind, incident, key, console, lease_secs, None).await
}

/// Like [`claim`], for a thing that happens again and again under one key (an incident's
/// re-fires, which each console counts on its own): a claim done before `covered_since` (by
/// the store's clock) was for an earlier time, so it is taken afresh; one done since covers
/// this time too.
pub async fn claim_recurring(
    store: &TeamStore,
    kind: ClaimKind,
    incident: u64,
    key: &str,
    console: &str,
    lease_secs: f64,
    covered_since: DateTime<Utc>,
) -> Result<Claim, TeamError> {
    let since = Some(covered_since);
    take(store, kind, incident, key, console, lease_secs, since).await
}

/// [`claim`], and with `covered_since` [`claim_recurring`].
async fn take(
    store: &TeamStore,
    kind: ClaimKind,
    incident: u64,
    key: &str,
    console: &str,
    lease_secs: f64,
    covered_since: Option<DateTime<Utc>>,
) -> Result<Claim, TeamError> {
    let client = store.client().await?;
    // Under READ COMMITTED a concurrent insert of the same key waits for the first to
    // commit and then sees its row, so exactly one console's RETURNING has a row. A done
    // claim is taken again only when it was done before `$6` (never when `$6` is NULL).
    let taken = client
        .query_opt(
            "INSERT INTO claims (kind, incident, key, claimed_by, claimed_at, lease_until)
             VALUES ($1, $2, $3, $4, now(), now() + make_interval(secs => $5))
             ON CONFLICT (kind, incident, key) DO UPDATE SET
                 claimed_at = CASE WHEN claims.claimed_by = EXCLUDED.claimed_by
                                    AND claims.done_at IS NULL
                              THEN claims.claimed_at ELSE EXCLUDED.claimed_at END,
                 claimed_by = EXCLUDED.claimed_by,
                 lease_until = EXCLUDED.lease_until,
                 done_at = NULL,
                 reference = NULL
             WHERE (claims.done_at IS NULL
                    AND (claims.lease_until < now() OR claims.claimed_by = EXCLUDED.claimed_by))
                OR claims.done_at < $6
             RETURNING 1",
            &[
                &kind.as_str(),
                &big(incident),
                &key,
                &console,
                &lease_secs,
                &covered_since,
            ],
        )
        .await
        .map_err(|e| classify(&e))?;
    if taken.is_some() {
        return Ok(Claim::Mine);
    }
    refused(store, kind, incident, key).await
}

/// The claim that refused this console: claims are never deleted, so its row is there.
async fn refused(
    store: &TeamStore,
    kind: ClaimKind,
    incident: u64,
    key: &str,
) -> Result<Claim, TeamError> {
    look(store, kind, incident, key)
        .await?
        .ok_or_else(|| TeamError::Unreadable(format!("the claim on \"{key}\" vanished")))
}

/// Where the claim on `key` stands, seen from no console in particular (`None`: nobody
/// claimed it). A claim held by anyone is `Held`, this console's too.
pub async fn look(
    store: &TeamStore,
    kind: ClaimKind,
    incident: u64,
    key: &str,
) -> Result<Option<Claim>, TeamError> {
    let client = store.client().await?;
    let row = client
        .query_opt(
            "SELECT claimed_by, claimed_at, done_at, reference,
                    extract(epoch FROM lease_until - now())::float8
             FROM claims WHERE kind = $1 AND incident = $2 AND key = $3",
            &[&kind.as_str(), &big(incident), &key],
        )
        .await
        .map_err(|e| classify(&e))?;
    Ok(row.map(|row| {
        let by: String = row.get(0);
        match row.get::<_, Option<DateTime<Utc>>>(2) {
            Some(at) => Claim::Done {
                by,
                at,
                reference: row.get(3),
            },
            None => Claim::Held {
                by,
                since: row.get(1),
                left_secs: row.get(4),
            },
        }
    }))
}

/// Records that `console` did the thing (with the far side's `reference`): nobody claims it
/// again.
pub async fn finish(
    store: &TeamStore,
    kind: ClaimKind,
    incident: u64,
    key: &str,
    console: &str,
    reference: Option<&str>,
) -> Result<(), TeamError> {
    let client = store.client().await?;
    client
        .execute(
            "INSERT INTO claims (kind, incident, key, claimed_by, claimed_at, lease_until,
                                 done_at, reference)
             VALUES ($1, $2, $3, $4, now(), now(), now(), $5)
             ON CONFLICT (kind, incident, key) DO UPDATE SET
                 claimed_by = EXCLUDED.claimed_by, done_at = now(), reference = $5
             WHERE claims.done_at IS NULL",
            &[&kind.as_str(), &big(incident), &key, &console, &reference],
        )
        .await
        .map_err(|e| classify(&e))?;
    Ok(())
}

/// Gives up `console`'s claim on `key` at once (its attempt failed and will be tried again
/// later, by whichever console claims it first).
pub async fn release(
    store: &TeamStore,
    kind: ClaimKind,
    incident: u64,
    key: &str,
    console: &str,
) -> Result<(), TeamError> {
    let client = store.client().await?;
    client
        .execute(
            "UPDATE claims SET lease_until = now()
             WHERE kind = $1 AND incident = $2 AND key = $3 AND claimed_by = $4
               AND done_at IS NULL",
            &[&kind.as_str(), &big(incident), &key, &console],
        )
        .await
        .map_err(|e| classify(&e))?;
    Ok(())
}

/// A claim whose holder stopped renewing it before it was done.
#[derive(Clone, Debug, PartialEq)]
pub struct Lapsed {
    /// The team's incident.
    pub incident: u64,
    /// The claim's key.
    pub key: String,
    /// Who held it.
    pub by: String,
    /// Since when.
    pub since: DateTime<Utc>,
}

/// The claims of `kind` whose lease ran out before they were done (their console died or
/// lost the store mid-way).
pub async fn lapsed(store: &TeamStore, kind: ClaimKind) -> Result<Vec<Lapsed>, TeamError> {
    let client = store.client().await?;
    let rows = client
        .query(
            "SELECT incident, key, claimed_by, claimed_at FROM claims
             WHERE kind = $1 AND done_at IS NULL AND lease_until < now()
             ORDER BY incident, key",
            &[&kind.as_str()],
        )
        .await
        .map_err(|e| classify(&e))?;
    Ok(rows
        .iter()
        .map(|row| Lapsed {
            incident: row.get::<_, i64>(0) as u64,
            key: row.get(1),
            by: row.get(2),
            since: row.get(3),
        })
        .collect())
}
