//! One notification per team: in team mode every attempt first claims its notification
//! (incident, event, destination) in the team store, and only the console holding the claim
//! sends. What another console already sent is recorded here as sent by it, with its Slack
//! `ts`, so this console's replies go into the one thread. A console that dies holding a
//! claim gives it up when the lease (the attempt's time limit) runs out.

use std::time::Duration as StdDuration;

use super::{Attempted, Sent};
use crate::integrations::team::claims::{self, Claim, ClaimKind};
use crate::integrations::team::{STORE_TIMEOUT, TeamStore};
use crate::model::{Destination, Failure, Job, NotifyEvent};

/// How long an attempt waits when the store could not be asked, seconds.
const UNASKED_WAIT_SECS: f64 = 5.0;
/// The longest wait for a claim another console holds, seconds: it is asked again that
/// often, so a sent message is seen as sent soon.
const HELD_WAIT_SECS: f64 = 5.0;
/// How often a sent message's claim is tried to be marked done before giving up.
const FINISH_TRIES: u32 = 3;

/// The team store's claims, as this console makes them.
#[derive(Clone)]
pub(in crate::engine) struct TeamClaims {
    /// The store.
    pub store: TeamStore,
    /// This console's name there.
    pub console: String,
}

/// Re-fires within this many seconds of one another are one re-fire for the team: every
/// console sees the breach at its own poll, a few seconds apart, and counts it in its own
/// re-fire number (a console that joined late, or attached its detection to the team's
/// incident, counts differently), so the number cannot tell consoles' re-fires apart.
const REFIRE_QUIET_SECS: f64 = 60.0;

/// The claim's key for `event` to `destination`: stable across releases (the event as
/// JSON, the destination's own key). Every re-fire has one key, claimed again once the last
/// one is [`REFIRE_QUIET_SECS`] old.
fn key(event: NotifyEvent, destination: &Destination) -> String {
    let event = match event {
        NotifyEvent::Refired(_) => "\"Refired\"".to_string(),
        _ => serde_json::to_string(&event).unwrap_or_default(),
    };
    format!("{event}|{}", destination.key())
}

impl TeamClaims {
    /// Claims `job` before an attempt of at most `lease`. `Ok` to go on, with the thread a
    /// reply goes under (`thread` as this console knows it, or the team's report's);
    /// `Err` with what to report instead of attempting.
    pub(super) async fn claim(
        &self,
        job: &Job,
        thread: Option<String>,
        lease: StdDuration,
    ) -> Result<Option<String>, Attempted> {
        let k = key(job.event, &job.destination);
        let (kind, lease_secs) = (ClaimKind::Notification, lease.as_secs_f64());
        let asked = async {
            if matches!(job.event, NotifyEvent::Refired(_)) {
                let quiet = chrono::Duration::milliseconds((REFIRE_QUIET_SECS * 1000.0) as i64);
                let since = job.created_at - quiet;
                let (store, console) = (&self.store, &self.console);
                claims::claim_recurring(store, kind, job.incident, &k, console, lease_secs, since)
                    .await
            } else {
                claims::claim(
                    &self.store,
                    kind,
                    job.incident,
                    &k,
                    &self.console,
                    lease_secs,
                )
                .await
            }
        };
        match tokio::time::timeout(STORE_TIMEOUT, asked).await {
            Ok(Ok(Claim::Mine)) => {}
            Ok(Ok(Claim::Done { by, at, reference })) => {
                return Err(Attempted::SentByOther { by, at, reference });
            }
            Ok(Ok(Claim::Held { left_secs, .. })) => {
                let wait_secs = left_secs.clamp(0.5, HELD_WAIT_SECS);
                return Err(Attempted::Held { wait_secs });
            }
            _ => {
                return Err(Attempted::Held {
                    wait_secs: UNASKED_WAIT_SECS,
                });
            }
        }
        let is_reply = !matches!(job.event, NotifyEvent::Opened | NotifyEvent::Manual(_));
        if thread.is_some() || !is_reply || !matches!(job.destination, Destination::Slack { .. }) {
            return Ok(thread);
        }
        // A reply this console has no report for goes under the team's report there.
        let parent = key(NotifyEvent::Opened, &job.destination);
        let asked = claims::look(&self.store, ClaimKind::Notification, job.incident, &parent);
        let wait = match tokio::time::timeout(STORE_TIMEOUT, asked).await {
            Ok(Ok(Some(Claim::Done { reference, .. }))) => return Ok(reference),
            Ok(Ok(None)) => return Ok(None),
            // Abandoned: nobody will send the report, so the reply goes to the channel.
            Ok(Ok(Some(Claim::Held { left_secs, .. }))) if left_secs < 0.0 => return Ok(None),
            // The report is on its way: the reply must not overtake it.
            Ok(Ok(Some(_))) => 1.0,
            _ => UNASKED_WAIT_SECS,
        };
        self.release(job).await;
        Err(Attempted::Held { wait_secs: wait })
    }

    /// After an attempt: a sent message's claim is done for good (with its reference); a
    /// failed one's is given up at once, so whichever console tries next may.
    pub(super) async fn settle(&self, job: &Job, result: &Result<Sent, Failure>) {
        let Ok((reference, _)) = result else {
            return self.release(job).await;
        };
        let k = key(job.event, &job.destination);
        for _ in 0..FINISH_TRIES {
            let done = claims::finish(
                &self.store,
                ClaimKind::Notification,
                job.incident,
                &k,
                &self.console,
                reference.as_deref(),
            );
            if let Ok(Ok(())) = tokio::time::timeout(STORE_TIMEOUT, done).await {
                return;
            }
            // Unmarked, the claim lapses and another console may send it again: worth a
            // second try.
            tokio::time::sleep(StdDuration::from_secs(1)).await;
        }
    }

    async fn release(&self, job: &Job) {
        let k = key(job.event, &job.destination);
        let kind = ClaimKind::Notification;
        let gone = claims::release(&self.store, kind, job.incident, &k, &self.console);
        // Not given up, it lapses with its lease.
        let _ = tokio::time::timeout(STORE_TIMEOUT, gone).await;
    }
}
