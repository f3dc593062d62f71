//! One run per team. In team mode a plan's run is claimed in the store after the engine's
//! own guards pass and before anything is approved or audited: the console holding the claim
//! runs it and renews the claim while the run is under way; a second console pressing
//! Execute is told who runs it and since when. A run whose console stops renewing (it died,
//! or lost the store) is found by the others' links; the first to take its lapsed claim says
//! on the team's timeline that its outcome is unknown, so every console shows it and nothing
//! runs it again by itself.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::super::Engine;
use super::TeamEvent;
use crate::integrations::team::claims::{self, Claim, ClaimKind, Lapsed};
use crate::integrations::team::{STORE_TIMEOUT, TeamError};
use crate::model::{
    ActionOutcome, ActionResult, Author, FeedEvent, Incident, IncidentEventKind, PlanState,
    Refusal, StopReason,
};

/// How long a run's claim lasts unless renewed, seconds (by the store's clock).
pub const RUN_LEASE_SECS: f64 = 15.0;
/// How often the console running a plan renews its claim, seconds.
const RUN_RENEW_SECS: u64 = 5;

/// A run this console holds the claim of.
pub(in crate::engine) struct HeldRun {
    key: String,
    /// The task renewing the claim (aborted when the run ends).
    pub(super) renew: tokio::task::JoinHandle<()>,
}

/// What Execute does about the team.
pub(in crate::engine) enum RunGate {
    /// Go on: solo, alone, or this console holds the claim.
    Go,
    /// The claim was asked for: Execute goes on when the store answers.
    Asked,
    /// Refused.
    Refuse(Refusal),
}

/// The run's key: one per approval of the plan, counted on the team's timeline, so two
/// consoles approving at the same moment claim the same key.
fn run_key(inc: &Incident) -> String {
    let approvals = (inc.timeline.iter())
        .filter(|e| matches!(e.event, Some(FeedEvent::PlanApproved { .. })))
        .count();
    format!("approval-{}", approvals + 1)
}

/// The run another console approved last on `inc`'s timeline: who and when.
fn approved_elsewhere(inc: &Incident) -> Option<(String, DateTime<Utc>)> {
    inc.timeline
        .iter()
        .rev()
        .find_map(|e| match (&e.event, &e.author) {
            (Some(FeedEvent::PlanApproved { .. }), Author::Responder(name)) => {
                Some((name.clone(), e.at))
            }
            _ => None,
        })
}

/// The actions of the last approved run that have no result since: the first was in
/// flight, the rest never started.
fn in_flight(inc: &Incident) -> Vec<usize> {
    let Some(approved) = inc
        .timeline
        .iter()
        .rposition(|e| matches!(e.event, Some(FeedEvent::PlanApproved { .. })))
    else {
        return Vec::new();
    };
    let Some(FeedEvent::PlanApproved { numbers, .. }) = &inc.timeline[approved].event else {
        return Vec::new();
    };
    let ran: Vec<usize> = (inc.timeline[approved..].iter())
        .filter_map(|e| match e.event {
            Some(FeedEvent::ActionRan {
                number,
                dry_run: false,
                ..
            }) => Some(number),
            _ => None,
        })
        .collect();
    (numbers.iter().copied())
        .find(|n| !ran.contains(n))
        .into_iter()
        .collect()
}

impl Engine {
    /// Team mode's part of Execute, once the engine's own guards passed.
    pub(in crate::engine) fn run_gate(
        &mut self,
        id: u64,
        confirmations: &[(usize, String)],
    ) -> RunGate {
        if !self.team_on() || self.team.runs.contains_key(&id) {
            return RunGate::Go;
        }
        let (Some(store), Some(inc)) = (self.team.store.clone(), self.book.find(id)) else {
            // Alone: nobody can be asked.
            return RunGate::Go;
        };
        if self.team.claiming.contains_key(&id) {
            return RunGate::Refuse(Refusal::InProgress);
        }
        let key = run_key(inc);
        self.team.claiming.insert(id, confirmations.to_vec());
        let console = self.console_name();
        let report = super::super::input::report(&self.inputs, super::super::Input::Team);
        tokio::spawn(async move {
            let asked = claims::claim(&store, ClaimKind::Run, id, &key, &console, RUN_LEASE_SECS);
            let result = match tokio::time::timeout(STORE_TIMEOUT, asked).await {
                Ok(r) => r,
                Err(_) => Err(TeamError::Unreachable("no answer".into())),
            };
            report(TeamEvent::RunClaimed {
                incident: id,
                key,
                result,
            });
        });
        RunGate::Asked
    }

    /// A plan in progress on the team's timeline that this console does not run: who runs it.
    pub(in crate::engine) fn running_elsewhere(&self, id: u64) -> Option<Refusal> {
        if !self.team_on() || self.exec.has_run(id) {
            return None;
        }
        let inc = self.book.find(id)?;
        if !inc.plan.state.is_in_progress() {
            return None;
        }
        let (by, since) = approved_elsewhere(inc)?;
        Some(Refusal::RunningElsewhere { by, since })
    }

    /// The store's answer to a run's claim.
    pub(super) fn on_run_claimed(
        &mut self,
        id: u64,
        key: String,
        result: Result<Claim, TeamError>,
    ) {
        let now = self.clock.now();
        let Some(confirmations) = self.team.claiming.remove(&id) else {
            return;
        };
        let refusal = match result {
            Ok(Claim::Mine) => {
                let renew = self.renew_run(id, key.clone());
                self.team.runs.insert(id, HeldRun { key, renew });
                // Joined: the claim stands for the team, nothing to say about being alone.
                self.execute(id, &confirmations, "", now);
                if self.team.runs.contains_key(&id) && !self.exec.has_run(id) {
                    // Refused after all (its state changed meanwhile): nothing ran.
                    self.run_ended(id, false);
                }
                return;
            }
            Ok(Claim::Held { by, since, .. }) => Refusal::RunningElsewhere { by, since },
            Ok(Claim::Done { at, .. }) => Refusal::AlreadyRan(at),
            Err(e) => Refusal::TeamUnanswered(e.to_string()),
        };
        self.refuse_plan(id, refusal, now);
    }

    /// Renews the claim on `key` while the run is under way (the task is aborted when it
    /// ends).
    fn renew_run(&self, id: u64, key: String) -> tokio::task::JoinHandle<()> {
        let store = self.team.store.clone();
        let console = self.console_name();
        tokio::spawn(async move {
            let Some(store) = store else { return };
            loop {
                tokio::time::sleep(Duration::from_secs(RUN_RENEW_SECS)).await;
                let renewed =
                    claims::claim(&store, ClaimKind::Run, id, &key, &console, RUN_LEASE_SECS);
                // A failed renewal is tried again; the lease outlasts two of them.
                let _ = tokio::time::timeout(STORE_TIMEOUT, renewed).await;
            }
        })
    }

    /// Incident `id`'s run ended here (`done`), or never started: its claim is given up
    /// for good or at once.
    pub(in crate::engine) fn run_ended(&mut self, id: u64, done: bool) {
        let Some(held) = self.team.runs.remove(&id) else {
            return;
        };
        held.renew.abort();
        let Some(store) = self.team.store.clone() else {
            // Alone now: the claim lapses, and another console says the run's outcome is
            // unknown (this one's events reach it on reconnect).
            return;
        };
        let console = self.console_name();
        tokio::spawn(async move {
            let (kind, key) = (ClaimKind::Run, held.key);
            let ended = async {
                if done {
                    claims::finish(&store, kind, id, &key, &console, None).await
                } else {
                    claims::release(&store, kind, id, &key, &console).await
                }
            };
            let _ = tokio::time::timeout(STORE_TIMEOUT, ended).await;
        });
    }

    /// Runs whose console stopped renewing their claims: each is claimed, and the console
    /// that gets it says the run's outcome is unknown.
    pub(super) fn on_lapsed_runs(&mut self, lapsed: Vec<Lapsed>) {
        let Some(store) = self.team.store.clone() else {
            return;
        };
        for l in lapsed {
            if self.team.runs.contains_key(&l.incident) || self.book.find(l.incident).is_none() {
                continue;
            }
            let store = store.clone();
            let console = self.console_name();
            let report = super::super::input::report(&self.inputs, super::super::Input::Team);
            tokio::spawn(async move {
                let asked = claims::claim(
                    &store,
                    ClaimKind::Run,
                    l.incident,
                    &l.key,
                    &console,
                    RUN_LEASE_SECS,
                );
                if let Ok(Ok(Claim::Mine)) = tokio::time::timeout(STORE_TIMEOUT, asked).await {
                    report(TeamEvent::RunLost(l.clone()));
                    let done =
                        claims::finish(&store, ClaimKind::Run, l.incident, &l.key, &console, None);
                    let _ = tokio::time::timeout(STORE_TIMEOUT, done).await;
                }
            });
        }
    }

    /// This console took a lost run's claim: the team's timeline says its outcome is unknown.
    pub(super) fn declare_run_lost(&mut self, lapsed: Lapsed) {
        let now = self.clock.now();
        let Some(inc) = self.book.find_mut(lapsed.incident) else {
            return;
        };
        if !inc.plan.state.is_in_progress() {
            // Its end reached this console (only the claim was not marked done): nothing is
            // unknown.
            return;
        }
        let numbers = in_flight(inc);
        for &n in &numbers {
            let action = n - 1;
            let what = (inc.scenario.actions.get(action)).map(|a| a.command.clone());
            let unknown = ActionOutcome::Unknown;
            let result = ActionResult::new(action, false, what.unwrap_or_default(), unknown, now);
            inc.plan.results.push(result);
        }
        let action = numbers.first().map_or(0, |n| n - 1);
        let why = StopReason::Interrupted;
        inc.plan.state = PlanState::Stopped {
            at: now,
            action,
            why,
        };
        let event = FeedEvent::RunLost {
            id: lapsed.incident,
            numbers,
            by: lapsed.by,
        };
        let kind = IncidentEventKind::PlanStopped;
        inc.log(now, Author::Console, kind, event.clone());
        self.publish_incidents();
        self.emit(now, event);
    }
}
