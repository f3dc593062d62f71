//! The executor room: a plan's actions run here, behind the guards the engine (never the
//! window) enforces, and every approval, run, refusal and result goes to the audit log.
//!
//! - Headless never executes. While *Actions* is off, webhooks and commands run simulated and
//!   the plan says so.
//! - A high-risk action runs only when the responder typed the incident id (or the runbook's
//!   confirmation word) for it, and, while a team store is set and not joined, typed that
//!   they know others may act too.
//! - Programs and webhook hosts off the allow-lists, unknown template variables and missing
//!   secrets refuse the whole plan before anything runs.
//! - One run per incident; actions in order; the plan stops at the first failure unless the
//!   action says `continue_on_failure`. A failed action is never retried by itself: a new
//!   approval runs again what has not succeeded.
//! - A declared dry run goes first; its output is shown and the real run waits for a second
//!   approval.
//! - The audit line that a run started is on disk before the run begins, so a crash leaves it
//!   "outcome unknown" at the next start, never succeeded.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::oneshot;

use super::{Engine, Input};
use crate::audit::AuditKind;
use crate::integrations::exec::RunReport;
use crate::model::{
    ActionOutcome, ActionResult, Author, FeedEvent, IncidentEventKind, IncidentStatus, NotifyEvent,
    PlanState, PreparedAction, PreparedRun, Refusal, Risk, Secret, StopReason,
};

/// What the run tasks report.
#[derive(Debug)]
pub enum ExecEvent {
    /// One run (`dry_run` says which) of an action finished.
    Ran {
        /// The incident.
        incident: u64,
        /// Index into its actions.
        action: usize,
        /// Whether it was the dry run.
        dry_run: bool,
        /// What ran, secrets masked.
        what: String,
        /// What came back, secrets masked.
        report: RunReport,
    },
    /// An audit line that no run waited for could not be written.
    AuditFailed(String),
}

/// The executor's state: the runs under way and the audit log.
#[derive(Default)]
pub(super) struct Executor {
    /// Per incident, its run under way (running, or waiting for a second approval).
    runs: BTreeMap<u64, PlanRun>,
    /// `INCIDENT_SECRET_<NAME>` for this run: these win over the settings' secrets.
    pub env_secrets: Vec<(String, Secret)>,
}

impl Executor {
    /// Whether incident `id` has a run under way (running, or waiting for a second approval).
    pub(super) fn has_run(&self, id: u64) -> bool {
        self.runs.contains_key(&id)
    }
}

/// One plan's run under way. It holds the prepared requests (secrets included), so it lives
/// only in the engine's memory, never in the published state or on disk.
struct PlanRun {
    /// Per action: `None` when it runs simulated.
    prepared: Vec<Option<PreparedAction>>,
    /// The actions still to run, in order.
    queue: VecDeque<usize>,
    /// How many runs acted for real.
    real: usize,
}

impl Engine {
    /// The responder approved incident `id`'s plan, typing `confirmations` (action index,
    /// text) for its high-risk actions. Refuses in words, and audits the refusal, unless every
    /// guard passes; then runs what has not succeeded yet, in order.
    pub(super) fn execute(
        &mut self,
        id: u64,
        confirmations: &[(usize, String)],
        alone_ack: &str,
        now: DateTime<Utc>,
    ) {
        if self.headless {
            // Nobody approved it: without a window there is no one to confirm.
            return self.refuse_plan(id, Refusal::Headless, now);
        }
        let Some(inc) = self.book.find(id) else {
            return self.unknown_incident(id, now);
        };
        let problem = match (inc.status, inc.plan.state) {
            (IncidentStatus::Recovered | IncidentStatus::Closed, _) => Some(Refusal::Finished),
            (_, PlanState::Executed(at)) => Some(Refusal::AlreadyRan(at)),
            (_, s) if s.is_in_progress() => {
                Some(self.running_elsewhere(id).unwrap_or(Refusal::InProgress))
            }
            _ => None,
        };
        if let Some(reason) = problem {
            return self.refuse_plan(id, reason, now);
        }
        let to_run = inc.still_to_run();
        let unconfirmed: Vec<(usize, String)> = to_run
            .iter()
            .map(|&i| (i, &inc.scenario.actions[i]))
            .filter(|(i, a)| {
                a.risk == Risk::High && !confirmed(a.confirm_word.as_deref(), id, *i, confirmations)
            })
            .map(|(i, a)| (i + 1, a.command.clone()))
            .collect();
        if !unconfirmed.is_empty() {
            return self.refuse_plan(id, Refusal::Unacknowledged(unconfirmed), now);
        }
        // A team store set and not answering: nobody can say another console is not acting
        // too, so a high-risk action needs the responder to say they know.
        if self.team_on() && !self.team_joined() && !crate::model::alone_ack_ok(alone_ack) {
            let high: Vec<(usize, String)> = (to_run.iter())
                .map(|&i| (i, &inc.scenario.actions[i]))
                .filter(|(_, a)| a.risk == Risk::High)
                .map(|(i, a)| (i + 1, a.command.clone()))
                .collect();
            if !high.is_empty() {
                return self.refuse_plan(id, Refusal::AloneUnacknowledged(high), now);
            }
        }
        let enabled = self.settings.actions.enabled;
        let plan = self.prepare_plan(inc, &to_run);
        let preview = plan.preview(&to_run);
        let super::plan_preview::PreparedPlan {
            prepared,
            refusals,
            acting,
        } = plan;
        if !refusals.is_empty() {
            return self.refuse_plan(id, Refusal::NotAllowed(refusals), now);
        }
        // One run per team: claimed before anything is approved or audited.
        match self.run_gate(id, confirmations) {
            super::team::RunGate::Go => {}
            super::team::RunGate::Asked => return,
            super::team::RunGate::Refuse(reason) => return self.refuse_plan(id, reason, now),
        }
        // What the second approval shows is what this run will send.
        self.publish_preview(id, preview);
        let numbers: Vec<String> = to_run.iter().map(|i| (i + 1).to_string()).collect();
        let typed = confirmations
            .iter()
            .filter(|(i, _)| to_run.contains(i))
            .count();
        let mut what = format!("actions {}", numbers.join(", "));
        if typed > 0 {
            what.push_str(&format!("; {typed} high-risk confirmed by typing"));
        }
        if acting && !enabled {
            what.push_str("; Actions off: webhooks and commands simulated");
        }
        let line = self.audit_line(now, id, None, AuditKind::Approved, false, what);
        self.record(line, None);
        let who = Author::Responder(self.responder());
        let Some(inc) = self.book.find_mut(id) else {
            return;
        };
        let approved = FeedEvent::PlanApproved {
            id,
            numbers: to_run.iter().map(|i| i + 1).collect(),
            typed,
            actions_off: acting && !enabled,
        };
        inc.log(now, who, IncidentEventKind::Approved, approved);
        inc.plan.state = PlanState::Running(now);
        inc.plan.actions_off = acting && !enabled;
        self.exec.runs.insert(
            id,
            PlanRun {
                prepared,
                queue: to_run.into(),
                real: 0,
            },
        );
        self.advance(id, now);
    }

    /// The second approval: run action `action` for real after its dry run.
    pub(super) fn approve_run(&mut self, id: u64, action: usize, now: DateTime<Utc>) {
        let waiting = self.book.find(id).is_some_and(
            |i| matches!(i.plan.state, PlanState::AwaitingRun { action: a, .. } if a == action),
        );
        let run = self
            .exec
            .runs
            .get(&id)
            .and_then(|r| r.prepared.get(action).cloned().flatten());
        let (true, Some(prepared)) = (waiting && !self.headless, run) else {
            let reason = Refusal::NotAwaitingRun { number: action + 1 };
            return self.refuse_plan(id, reason, now);
        };
        let what = format!("real run after its dry run: {}", prepared.real.what);
        let line = self.audit_line(now, id, Some(action), AuditKind::Approved, false, what);
        self.record(line, None);
        let who = Author::Responder(self.responder());
        if let Some(inc) = self.book.find_mut(id) {
            inc.plan.state = PlanState::Running(now);
            let approved = FeedEvent::RunApproved {
                id,
                number: action + 1,
            };
            inc.log(now, who, IncidentEventKind::Approved, approved);
        }
        self.publish_incidents();
        self.spawn_run(id, action, false, prepared.real, now);
    }

    /// The responder does not want the real run after seeing the dry run: the plan stops.
    pub(super) fn stop_plan(&mut self, id: u64, now: DateTime<Utc>) {
        let Some(PlanState::AwaitingRun { action, .. }) = self.book.find(id).map(|i| i.plan.state)
        else {
            let number = self
                .book
                .find(id)
                .map_or(0, |i| i.plan.state.position() + 1);
            return self.refuse_plan(id, Refusal::NotAwaitingRun { number }, now);
        };
        self.exec.runs.remove(&id);
        let what = "real run not approved after its dry run".to_string();
        let line = self.audit_line(now, id, Some(action), AuditKind::Declined, false, what);
        self.record(line, None);
        self.stop(id, action, StopReason::Declined, true, now);
    }

    /// The incident is being closed: the rest of its plan will not run. An action in flight
    /// cannot be called back; its result is still recorded when it comes.
    pub(super) fn end_plan_run(&mut self, id: u64, now: DateTime<Utc>) {
        if self.exec.runs.remove(&id).is_none() {
            return;
        }
        let Some(state) = self.book.find(id).map(|i| i.plan.state) else {
            return;
        };
        let action = state.position();
        if matches!(state, PlanState::AwaitingRun { .. }) {
            let what = "real run not approved: the incident was closed".to_string();
            let line = self.audit_line(now, id, Some(action), AuditKind::Declined, false, what);
            self.record(line, None);
        }
        self.stop(id, action, StopReason::Closed, false, now);
    }

    /// Runs the next action of incident `id`'s plan: simulated ones at once, a real one (or
    /// its dry run) on a task whose report comes back as [`ExecEvent::Ran`].
    fn advance(&mut self, id: u64, now: DateTime<Utc>) {
        loop {
            let Some(run) = self.exec.runs.get_mut(&id) else {
                return;
            };
            let Some(action) = run.queue.pop_front() else {
                return self.finish(id, now);
            };
            let Some(prepared) = run.prepared[action].clone() else {
                let Some(inc) = self.book.find_mut(id) else {
                    return;
                };
                let what = inc.scenario.actions[action].command.clone();
                inc.plan.results.push(ActionResult::new(
                    action,
                    false,
                    what,
                    ActionOutcome::Simulated,
                    now,
                ));
                // The feed says "simulated" once for the plan; the timeline keeps each run.
                let ran = FeedEvent::ActionRan {
                    id,
                    number: action + 1,
                    dry_run: false,
                    outcome: ActionOutcome::Simulated,
                    status: None,
                    duration_ms: 0,
                };
                inc.log(now, Author::Console, IncidentEventKind::ActionRan, ran);
                continue;
            };
            match prepared.dry_run {
                Some(dry) => self.spawn_run(id, action, true, dry, now),
                None => self.spawn_run(id, action, false, prepared.real, now),
            }
            return self.publish_incidents();
        }
    }

    /// Starts one run on its own task, once its start line is on disk.
    fn spawn_run(
        &mut self,
        id: u64,
        action: usize,
        dry_run: bool,
        run: PreparedRun,
        now: DateTime<Utc>,
    ) {
        let timeout_secs = self
            .book
            .find(id)
            .and_then(|i| i.scenario.actions.get(action))
            .and_then(|a| a.timeout_secs)
            .unwrap_or(self.settings.actions.timeout_secs)
            .max(1);
        let line = self.audit_line(
            now,
            id,
            Some(action),
            AuditKind::Started,
            dry_run,
            run.what.clone(),
        );
        // Whatever it prints or answers is masked of every secret the console knows, not only
        // the run's own (a program may find one in a file, a server may echo one).
        let mut secrets = run.secrets.clone();
        secrets.extend(self.settings.secret_values());
        secrets.extend(
            self.exec
                .env_secrets
                .iter()
                .map(|(_, s)| s.expose().to_string())
                .filter(|s| !s.is_empty()),
        );
        let (ack, written) = oneshot::channel();
        self.record(line, Some(ack));
        let inputs = self.inputs.clone();
        tokio::spawn(async move {
            let report = match written.await {
                Ok(Ok(())) => {
                    let mut r = crate::integrations::exec::run(
                        &run.kind,
                        Duration::from_secs(timeout_secs),
                    )
                    .await;
                    r.output = crate::model::mask(&r.output, &secrets);
                    r.detail = crate::model::mask(&r.detail, &secrets);
                    r
                }
                // Never act without the record that it started.
                Ok(Err(e)) => not_run(format!("not run: the audit log cannot be written ({e})")),
                Err(_) => not_run("not run: the audit log is closed".into()),
            };
            let _ = inputs.send(Input::Exec(ExecEvent::Ran {
                incident: id,
                action,
                dry_run,
                what: run.what,
                report,
            }));
        });
    }

    /// What a run task or the audit writer reported.
    pub(super) fn on_exec(&mut self, event: ExecEvent) {
        let now = self.clock.now();
        let (id, action, dry_run, what, report) = match event {
            ExecEvent::AuditFailed(error) => {
                return self.emit(now, FeedEvent::AuditFailed { error });
            }
            ExecEvent::Ran {
                incident,
                action,
                dry_run,
                what,
                report,
            } => (incident, action, dry_run, what, report),
        };
        let outcome_words = match report.outcome {
            ActionOutcome::Succeeded => "succeeded".to_string(),
            // The audit log is kept in English, in the feed's words.
            o => format!(
                "{}: {}",
                crate::text::plan::outcome(o, crate::model::Lang::En),
                report.detail
            ),
        };
        let mut line = self.audit_line(
            now,
            id,
            Some(action),
            AuditKind::Finished,
            dry_run,
            what.clone(),
        );
        line.status = report.status;
        line.duration_ms = Some(report.duration_ms);
        line.outcome = outcome_words;
        self.record(line, None);
        let event = FeedEvent::ActionRan {
            id,
            number: action + 1,
            dry_run,
            outcome: report.outcome,
            status: report.status,
            duration_ms: report.duration_ms,
        };
        let Some(inc) = self.book.find_mut(id) else {
            return self.emit(now, event);
        };
        inc.plan.results.push(ActionResult {
            detail: report.detail,
            status: report.status,
            duration_ms: Some(report.duration_ms),
            output: report.output,
            ..ActionResult::new(action, dry_run, what, report.outcome, now)
        });
        inc.log(
            now,
            Author::Console,
            IncidentEventKind::ActionRan,
            event.clone(),
        );
        let keep_going = inc
            .scenario
            .actions
            .get(action)
            .is_some_and(|a| a.continue_on_failure);
        self.emit(now, event);
        let ok = report.outcome == ActionOutcome::Succeeded;
        let Some(run) = self.exec.runs.get_mut(&id) else {
            // Its plan was ended (the incident closed) while this ran: recorded, no more.
            return self.publish_incidents();
        };
        if ok && !dry_run {
            run.real += 1;
        }
        match (ok, dry_run) {
            (true, true) => {
                if let Some(inc) = self.book.find_mut(id) {
                    inc.plan.state = PlanState::AwaitingRun { action, since: now };
                }
                self.publish_incidents();
                self.emit(
                    now,
                    FeedEvent::DryRunReady {
                        id,
                        number: action + 1,
                    },
                );
            }
            (true, false) => self.advance(id, now),
            (false, _) if keep_going => self.advance(id, now),
            (false, _) => {
                self.exec.runs.remove(&id);
                self.stop(id, action, StopReason::Failed, true, now);
            }
        }
    }

    /// The plan ran to its end: the recovery watch starts, as it did for the simulator.
    fn finish(&mut self, id: u64, now: DateTime<Utc>) {
        let real = self.exec.runs.remove(&id).map_or(0, |r| r.real);
        let Some(inc) = self.book.find_mut(id) else {
            return;
        };
        inc.plan.state = PlanState::Executed(now);
        if inc.status.is_active() {
            inc.status = IncidentStatus::Mitigating;
            inc.healthy_streak = 0;
        }
        let event = FeedEvent::PlanExecuted {
            id,
            code: inc.scenario.code.clone(),
            actions: inc.scenario.actions.len(),
            real,
            actions_off: inc.plan.actions_off,
        };
        inc.log(
            now,
            Author::Console,
            IncidentEventKind::PlanExecuted,
            event.clone(),
        );
        self.publish_incidents();
        self.emit(now, event);
        self.run_ended(id, true);
        self.notify(id, NotifyEvent::PlanExecuted, now);
    }

    pub(super) fn stop(
        &mut self,
        id: u64,
        action: usize,
        why: StopReason,
        tell: bool,
        now: DateTime<Utc>,
    ) {
        let who = match why {
            StopReason::Declined | StopReason::Closed => Author::Responder(self.responder()),
            StopReason::Failed | StopReason::Interrupted => Author::Console,
        };
        let Some(inc) = self.book.find_mut(id) else {
            return;
        };
        inc.plan.state = PlanState::Stopped {
            at: now,
            action,
            why,
        };
        let event = FeedEvent::PlanStopped {
            id,
            number: action + 1,
            why,
        };
        inc.log(now, who, IncidentEventKind::PlanStopped, event.clone());
        self.publish_incidents();
        self.emit(now, event);
        self.run_ended(id, true);
        if tell {
            self.notify(id, NotifyEvent::PlanStopped, now);
        }
    }

    pub(super) fn refuse_plan(&mut self, id: u64, reason: Refusal, now: DateTime<Utc>) {
        let event = FeedEvent::PlanRefused { id, reason };
        let mut line = self.audit_line(now, id, None, AuditKind::Refused, false, String::new());
        // The feed's English sentence: one wording of each refusal, not two.
        line.outcome = crate::text::feed::message(&event, crate::model::Lang::En);
        self.record(line, None);
        if let Some(inc) = self.book.find_mut(id) {
            inc.log(
                now,
                Author::Console,
                IncidentEventKind::Refused,
                event.clone(),
            );
            self.publish_incidents();
        }
        self.emit(now, event);
    }

    /// A named secret: `INCIDENT_SECRET_<NAME>` first, then Settings → Actions.
    pub(super) fn secret(&self, name: &str) -> Option<String> {
        let find = |list: &[(String, Secret)]| {
            list.iter()
                .find(|(n, s)| n.eq_ignore_ascii_case(name) && !s.is_empty())
                .map(|(_, s)| s.expose().to_string())
        };
        find(&self.exec.env_secrets).or_else(|| find(&self.settings.actions.secrets))
    }
}

/// The action a plan state points at (0 when none).
/// Whether the responder typed what action `index` asks for.
fn confirmed(word: Option<&str>, id: u64, index: usize, typed: &[(usize, String)]) -> bool {
    typed
        .iter()
        .any(|(i, text)| *i == index && crate::model::confirmation_ok(word, id, text))
}

fn not_run(detail: String) -> RunReport {
    RunReport {
        outcome: ActionOutcome::Failed,
        status: None,
        output: String::new(),
        detail,
        duration_ms: 0,
    }
}
