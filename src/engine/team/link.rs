//! The team link: one task per console that joins the team store (schema, LISTEN, what is
//! active), then reads the store's new events whenever a notification wakes it and every
//! few seconds besides, so a lost notification delays an event by at most that long. When
//! the store cannot be reached it says so and tries again, forever; it never decides
//! anything itself.

use std::time::Duration;

use tokio::sync::{mpsc, watch};

use super::super::report::Report;
use crate::integrations::team::claims::{self, ClaimKind, Lapsed};
use crate::integrations::team::presence;
use crate::integrations::team::{TeamError, TeamStore, queries, schema};
use crate::model::{Incident, Present};

/// How often the link reads the store when no notification woke it.
pub const CATCH_UP_SECS: u64 = 5;

/// The longest wait between two tries to reach the store.
const RETRY_MAX_SECS: u64 = 4;

/// What the link reports.
#[derive(Debug)]
pub enum LinkEvent {
    /// Joined (or joined again): the store to write through, its schema, what was
    /// applied, and the team's active incidents with their events.
    Joined {
        /// The store (a pool: cheap to clone; boxed, it is large beside the other variants).
        store: Box<TeamStore>,
        /// The schema's version now.
        version: i32,
        /// Migrations this console applied.
        applied: usize,
        /// The team's active incidents, each with who opened it.
        incidents: Vec<(Incident, String)>,
    },
    /// The store cannot be reached (the link tries again).
    Unreachable(String),
    /// The store cannot be used as set (the link has stopped).
    Unusable(String),
    /// Events numbered after the last read, oldest first.
    Events(Vec<queries::StoredEvent>),
    /// Runs whose console stopped renewing their claim mid-way (looked for every
    /// [`CATCH_UP_SECS`]).
    LapsedRuns(Vec<Lapsed>),
    /// The consoles on now (read every [`CATCH_UP_SECS`], after this console's own beat).
    Present(Vec<Present>),
}

/// What this console says of itself when it beats: who runs it, and the incident its window
/// has open.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Beat {
    /// The responder.
    pub responder: String,
    /// The incident open in the window.
    pub viewing: Option<u64>,
}

/// Starts the link to the store at `url` for the console named `console`.
pub fn spawn(
    url: String,
    console: String,
    beat: watch::Receiver<Beat>,
    report: Report<LinkEvent>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let store = match TeamStore::new(&url) {
            Ok(s) => s,
            Err(e) => {
                report(LinkEvent::Unusable(e.to_string()));
                return;
            }
        };
        let mut retry = Duration::from_secs(1);
        loop {
            match join(&store, &console).await {
                Err(e) if !e.is_retryable() => {
                    report(LinkEvent::Unusable(e.to_string()));
                    return;
                }
                Err(e) => {
                    if !report(LinkEvent::Unreachable(e.to_string())) {
                        return;
                    }
                    tokio::time::sleep(retry).await;
                    retry = (retry * 2).min(Duration::from_secs(RETRY_MAX_SECS));
                }
                Ok(joined) => {
                    retry = Duration::from_secs(1);
                    let Joined {
                        mut wakes,
                        mut last,
                        event,
                    } = joined;
                    if !report(event) {
                        return;
                    }
                    let mut me = Me {
                        console: &console,
                        beat: beat.clone(),
                    };
                    let why = follow(&store, &mut wakes, &mut last, &mut me, &report).await;
                    if !report(LinkEvent::Unreachable(why)) {
                        return;
                    }
                }
            }
        }
    })
}

struct Joined {
    wakes: mpsc::UnboundedReceiver<String>,
    last: i64,
    event: LinkEvent,
}

/// Migrates, listens, and reads what is active: the store's latest number first, so an
/// event written meanwhile is read again after (and kept once, by its id).
async fn join(store: &TeamStore, console: &str) -> Result<Joined, TeamError> {
    let migrated = schema::migrate(store, console).await?;
    let (tx, wakes) = mpsc::unbounded_channel();
    store.listen(tx).await?;
    let last = queries::latest_seq(store).await?;
    let ids = queries::active_incident_ids(store).await?;
    let incidents = queries::fetch_incidents(store, &ids).await?;
    Ok(Joined {
        wakes,
        last,
        event: LinkEvent::Joined {
            store: Box::new(store.clone()),
            version: schema::known_version(),
            applied: migrated.applied,
            incidents,
        },
    })
}

/// Reads new events on every wake and every [`CATCH_UP_SECS`] until the store fails;
/// returns why, in words.
async fn follow(
    store: &TeamStore,
    wakes: &mut mpsc::UnboundedReceiver<String>,
    last: &mut i64,
    me: &mut Me<'_>,
    report: &Report<LinkEvent>,
) -> String {
    // On as soon as joined.
    if let Err(e) = sweep(store, me, report).await {
        return e.to_string();
    }
    let mut sweep_at = tokio::time::Instant::now() + Duration::from_secs(CATCH_UP_SECS);
    loop {
        tokio::select! {
            wake = wakes.recv() => match wake {
                Some(payload) if !payload.is_empty() => {}
                _ => return "the connection that listens for the team's events ended".into(),
            },
            _ = tokio::time::sleep(Duration::from_secs(CATCH_UP_SECS)) => {}
            changed = me.beat.changed() => {
                if changed.is_err() {
                    // The engine is gone.
                    return String::new();
                }
                // A new incident open in the window is said at once.
                sweep_at = tokio::time::Instant::now();
            }
        }
        // One read answers every wake that came meanwhile.
        while wakes.try_recv().is_ok() {}
        loop {
            match queries::events_since(store, *last).await {
                Ok(events) if events.is_empty() => break,
                Ok(events) => {
                    let full = events.len() as i64 >= queries::PAGE_EVENTS;
                    *last = events.last().map_or(*last, |e| e.seq);
                    if !report(LinkEvent::Events(events)) {
                        return String::new();
                    }
                    if !full {
                        break;
                    }
                }
                Err(e) => return e.to_string(),
            }
        }
        // Wakes may come faster than the catch-up period: the sweep keeps its own.
        if tokio::time::Instant::now() >= sweep_at {
            sweep_at = tokio::time::Instant::now() + Duration::from_secs(CATCH_UP_SECS);
            if let Err(e) = sweep(store, me, report).await {
                return e.to_string();
            }
        }
    }
}

/// This console, as it beats.
struct Me<'a> {
    console: &'a str,
    beat: watch::Receiver<Beat>,
}

/// Every [`CATCH_UP_SECS`]: this console's beat, who is on, and runs whose console stopped
/// renewing their claims.
async fn sweep(
    store: &TeamStore,
    me: &mut Me<'_>,
    report: &Report<LinkEvent>,
) -> Result<(), TeamError> {
    let beat = me.beat.borrow_and_update().clone();
    presence::beat(store, me.console, &beat.responder, beat.viewing).await?;
    let on = presence::present(store).await?;
    report(LinkEvent::Present(on));
    let lapsed = claims::lapsed(store, ClaimKind::Run).await?;
    if !lapsed.is_empty() {
        report(LinkEvent::LapsedRuns(lapsed));
    }
    Ok(())
}
