//! What team mode adds to the model: the team store's setting, the breach an incident stands
//! for team-wide (at most one active incident per breach), an incident given the team's id,
//! and what an event from another console does to an incident here.

use serde::{Deserialize, Serialize};

use super::{
    Ack, ActionOutcome, ActionResult, FeedEvent, Incident, IncidentEvent, IncidentEventKind,
    IncidentStatus, PlanState, Secret, StopReason,
};

/// The team store. Empty: solo mode, exactly as before team mode existed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TeamSettings {
    /// `postgres://user:password@host:port/db?sslmode=…`, or a local socket
    /// (`postgresql:///db?host=/run/postgresql`). A secret: it may hold the password.
    pub database_url: Secret,
}

impl TeamSettings {
    /// Whether a team store is set.
    pub fn is_on(&self) -> bool {
        !self.database_url.expose().trim().is_empty()
    }
}

/// Where this console stands with the team store (the status line reads it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TeamStatus {
    /// No team store set: solo.
    #[default]
    Off,
    /// Set, not joined yet (the first connection, or the schema check, is under way).
    Connecting,
    /// Joined: incidents and their events are the team's.
    Joined {
        /// Since when.
        since: chrono::DateTime<chrono::Utc>,
    },
    /// Set, and unreachable since `since`: the console works alone and merges on reconnect.
    Alone {
        /// Since when.
        since: chrono::DateTime<chrono::Utc>,
        /// Why, in the client's words.
        reason: String,
    },
    /// Set, and not usable as it is (a bad URL, a newer schema): solo until the setting
    /// changes.
    Unusable {
        /// Why, in words.
        reason: String,
    },
}

/// Ids from here up are provisional: an incident opened while its team id is not known yet
/// (being claimed, or opened while the store was unreachable). Below 2^53, so every id stays
/// exact in JSON.
pub const PROVISIONAL_ID_BASE: u64 = 1 << 52;

/// Whether `id` is a provisional id (see [`PROVISIONAL_ID_BASE`]).
pub fn is_provisional(id: u64) -> bool {
    id >= PROVISIONAL_ID_BASE
}

/// Whether a timeline event of this kind is the team's (written to the store and applied by
/// every console), rather than what each console's own monitor and intake observe for
/// itself (re-fires, clears, attached and resolved alerts, recovery), which each records on
/// its own. A refusal is the refusing console's too: it answers the person who pressed there.
pub fn is_shared_kind(kind: &IncidentEventKind) -> bool {
    use IncidentEventKind as K;
    !matches!(
        kind,
        K::Refired
            | K::SeriesCleared
            | K::Flapping
            | K::AlertAttached
            | K::AlertsResolved
            | K::Recovered
            | K::Refused
    )
}

/// How an incident's id is written for people: its number, or `L1`, `L2`… ("local") for a
/// provisional id (opened here while the team's id is not known yet), so nobody has to read
/// or type a 16-digit number while the store is unreachable.
pub fn incident_label(id: u64) -> String {
    if is_provisional(id) {
        format!("L{}", id - PROVISIONAL_ID_BASE + 1)
    } else {
        id.to_string()
    }
}

/// A console of the team that is on now (it beat recently).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Present {
    /// Its name in the store: the responder and its run's origin (`kim (1a2b)`).
    pub console: String,
    /// The responder it runs for.
    pub responder: String,
    /// The incident it has open in its window, if any.
    pub viewing: Option<u64>,
    /// When it last beat (the store's clock).
    pub seen_at: chrono::DateTime<chrono::Utc>,
}

/// What the responder may type to run a high-risk action while the team store is not
/// joined: that they know they work alone, in either language.
pub const ALONE_WORDS: [&str; 2] = ["alone", "단독"];

/// Whether `typed` says the responder knows they work alone ([`ALONE_WORDS`], any case).
pub fn alone_ack_ok(typed: &str) -> bool {
    let typed = typed.trim();
    ALONE_WORDS.iter().any(|w| typed.eq_ignore_ascii_case(w))
}

/// Checks a team database URL's form (the client checks the rest when it connects); the
/// error never quotes the URL, which may hold a password.
pub fn check_database_url(url: &str) -> Result<(), String> {
    let url = url.trim();
    if url.is_empty() || url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(())
    } else {
        Err("must start with postgres:// or postgresql://".into())
    }
}

/// The breach `inc` stands for, team-wide: its runbook for an incident of the monitor or
/// opened by hand (a rule's re-fires attach by runbook), its runbook and alert group for
/// one from Alertmanager. Two consoles seeing one breach make the same key.
pub fn breach_key(inc: &Incident) -> String {
    let parts: Vec<&str> = match &inc.alerts {
        Some(a) => vec!["alerts", &inc.scenario.code, &a.group],
        None => vec!["runbook", &inc.scenario.code],
    };
    // A JSON array: unambiguous whatever the code or group holds.
    serde_json::to_string(&parts).unwrap_or_default()
}

/// `event` naming incident `to` wherever it named `from` (each `FeedEvent` variant names
/// its incident in a field `id`, a number or an optional one).
pub fn rekey_event(event: &FeedEvent, from: u64, to: u64) -> FeedEvent {
    let Ok(mut value) = serde_json::to_value(event) else {
        return event.clone();
    };
    if let serde_json::Value::Object(outer) = &mut value {
        for fields in outer.values_mut() {
            if let Some(id) = fields.get_mut("id")
                && id.as_u64() == Some(from)
            {
                *id = serde_json::Value::from(to);
            }
        }
    }
    serde_json::from_value(value).unwrap_or_else(|_| event.clone())
}

impl Incident {
    /// This incident under the team's id `id`: its own id and every event's.
    pub fn rekeyed(&self, id: u64) -> Incident {
        let mut inc = self.clone();
        let from = inc.id;
        inc.id = id;
        for e in &mut inc.timeline {
            if let Some(event) = &e.event {
                e.event = Some(rekey_event(event, from, id));
            }
        }
        inc
    }

    /// Applies an event another console made: kept once (see [`Incident::apply`]), and what
    /// it says changed is changed here too (a mark, an acknowledgement, a close). Returns
    /// whether it was new.
    pub fn apply_shared(&mut self, event: IncidentEvent) -> bool {
        let at = event.at;
        let effect = event.event.clone();
        if !self.apply(event) {
            return false;
        }
        match effect {
            Some(FeedEvent::HypothesisMarked { hypothesis, to, .. }) => {
                if let Some(m) = self.marks.get_mut(hypothesis) {
                    *m = to;
                }
            }
            Some(FeedEvent::Closed { .. }) if self.status != IncidentStatus::Closed => {
                self.status = IncidentStatus::Closed;
                self.closed_at = Some(at);
            }
            Some(FeedEvent::PlanExecuted { .. }) => {
                self.plan.state = PlanState::Executed(at);
                if self.status == IncidentStatus::Open {
                    self.status = IncidentStatus::Mitigating;
                }
            }
            // Another console's run, followed here: its state refuses a second run, and its
            // results say what a later run still has to do.
            Some(FeedEvent::PlanApproved { .. }) | Some(FeedEvent::RunApproved { .. })
                if !self.plan.state.is_in_progress() =>
            {
                self.plan.state = PlanState::Running(at);
            }
            Some(FeedEvent::ActionRan {
                number,
                dry_run,
                outcome,
                status,
                duration_ms,
                ..
            }) => {
                let action = number.saturating_sub(1);
                let what = self.scenario.actions.get(action).map(|a| a.command.clone());
                self.plan.results.push(ActionResult {
                    status,
                    duration_ms: Some(duration_ms),
                    ..ActionResult::new(action, dry_run, what.unwrap_or_default(), outcome, at)
                });
            }
            Some(FeedEvent::PlanStopped { number, why, .. }) => {
                let action = number.saturating_sub(1);
                self.plan.state = PlanState::Stopped { at, action, why };
            }
            Some(FeedEvent::RunLost { numbers, .. }) => {
                for &n in &numbers {
                    let action = n.saturating_sub(1);
                    let what = self.scenario.actions.get(action).map(|a| a.command.clone());
                    let unknown = ActionOutcome::Unknown;
                    let result =
                        ActionResult::new(action, false, what.unwrap_or_default(), unknown, at);
                    self.plan.results.push(result);
                }
                let action = numbers.first().map_or(0, |n| n.saturating_sub(1));
                let why = StopReason::Interrupted;
                self.plan.state = PlanState::Stopped { at, action, why };
            }
            Some(FeedEvent::Acknowledged {
                by, comment, until, ..
            }) => {
                if let Some(alerts) = &mut self.alerts {
                    alerts.ack = Some(Ack {
                        // Another console's: it extends its own silences.
                        silenced_until: None,
                        by,
                        at,
                        comment,
                        until,
                        silences: Vec::new(),
                        ended_at: None,
                    });
                }
            }
            Some(FeedEvent::Unsilenced { .. }) => {
                if let Some(ack) = self.alerts.as_mut().and_then(|a| a.ack.as_mut()) {
                    ack.ended_at.get_or_insert(at);
                }
            }
            _ => {}
        }
        true
    }

    /// Who has the incident now (its owner, the incident commander): the last
    /// [`FeedEvent::OwnerChanged`] says; `None` while nobody took it.
    pub fn owner(&self) -> Option<&str> {
        self.owned().map(|(owner, _)| owner)
    }

    /// Who has the incident now and since when they took it (or were handed it).
    pub fn owned(&self) -> Option<(&str, chrono::DateTime<chrono::Utc>)> {
        self.timeline.iter().rev().find_map(|e| match &e.event {
            Some(FeedEvent::OwnerChanged { owner, .. }) => Some((owner.as_str(), e.at)),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests;
