//! The console's own schema in the team store, as numbered migrations. A console applies
//! what is missing in one transaction under an advisory lock, so ten consoles starting at
//! once on an empty database apply each migration once; a store whose schema is newer than
//! the newest migration here is refused (an older console must not write into a shape it
//! does not know).

use super::{TeamError, TeamStore, classify};

/// The advisory lock every console takes to migrate (any fixed number; this one spells
/// "incident" in ASCII).
const MIGRATION_LOCK: i64 = 0x696e_6369_6465_6e74;

/// The migrations, in order: version `i + 1` is `MIGRATIONS[i]`. Never edit one that has
/// shipped; add the next.
pub const MIGRATIONS: &[&str] = &[
    // 1: incidents (at most one active per breach), their events in one team-wide order,
    // and the counter that gives that order.
    r#"
CREATE TABLE incidents (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    breach text NOT NULL,
    active boolean NOT NULL DEFAULT true,
    opened_at timestamptz NOT NULL,
    opened_by text NOT NULL,
    body jsonb NOT NULL
);
CREATE UNIQUE INDEX incidents_one_active_per_breach ON incidents (breach) WHERE active;
CREATE TABLE event_counter (last bigint NOT NULL);
INSERT INTO event_counter VALUES (0);
CREATE TABLE events (
    seq bigint PRIMARY KEY,
    incident bigint NOT NULL REFERENCES incidents (id),
    origin bigint NOT NULL,
    origin_seq bigint NOT NULL,
    at timestamptz NOT NULL,
    body jsonb NOT NULL,
    UNIQUE (incident, origin, origin_seq)
);
"#,
    // 2: claims: one console of the team does each notification and each run. A claim is
    // held until `lease_until` (the store's clock, so consoles' clocks do not matter) and
    // is done for good once `done_at` is set.
    r#"
CREATE TABLE claims (
    kind text NOT NULL,
    incident bigint NOT NULL,
    key text NOT NULL,
    claimed_by text NOT NULL,
    claimed_at timestamptz NOT NULL,
    lease_until timestamptz NOT NULL,
    done_at timestamptz,
    reference text,
    PRIMARY KEY (kind, incident, key)
);
"#,
    // 3: who is on (each console's last beat, and the incident it has open) and the team's
    // audit log (each console's lines, numbered per console run, so a retry adds nothing).
    r#"
CREATE TABLE presence (
    console text PRIMARY KEY,
    responder text NOT NULL,
    viewing bigint,
    seen_at timestamptz NOT NULL
);
CREATE TABLE audit (
    console text NOT NULL,
    n bigint NOT NULL,
    incident bigint NOT NULL,
    at timestamptz NOT NULL,
    line jsonb NOT NULL,
    PRIMARY KEY (console, n)
);
CREATE INDEX audit_by_incident ON audit (incident, at);
"#,
    // 4: when an incident stopped being active, so an incident opened during a partition can
    // be matched to the team's that ran (and ended) meanwhile.
    r#"
ALTER TABLE incidents ADD COLUMN ended_at timestamptz;
"#,
];

/// The newest schema version this console knows.
pub fn known_version() -> i32 {
    MIGRATIONS.len() as i32
}

/// What [`migrate`] found and did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Migrated {
    /// The version the store had before (0: empty).
    pub from: i32,
    /// How many migrations this call applied (0 when another console had).
    pub applied: usize,
}

/// Brings the store's schema to [`known_version`], or refuses a newer one.
pub async fn migrate(store: &TeamStore, console: &str) -> Result<Migrated, TeamError> {
    let mut client = store.client().await?;
    let tx = client.transaction().await.map_err(|e| classify(&e))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(|e| classify(&e))?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS console_schema (
            version integer PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now(),
            applied_by text NOT NULL
        )",
    )
    .await
    .map_err(|e| classify(&e))?;
    let row = tx
        .query_one("SELECT coalesce(max(version), 0) FROM console_schema", &[])
        .await
        .map_err(|e| classify(&e))?;
    let from: i32 = row.get(0);
    let known = known_version();
    if from > known {
        return Err(TeamError::NewerSchema { found: from, known });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        tx.batch_execute(sql).await.map_err(|e| classify(&e))?;
        let version = i as i32 + 1;
        tx.execute(
            "INSERT INTO console_schema (version, applied_by) VALUES ($1, $2)",
            &[&version, &console],
        )
        .await
        .map_err(|e| classify(&e))?;
    }
    tx.commit().await.map_err(|e| classify(&e))?;
    Ok(Migrated {
        from,
        applied: (known - from) as usize,
    })
}
