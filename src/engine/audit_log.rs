//! The audit log's room in the engine: lines made from what the executor decides, kept for
//! the window and appended in order by one writer thread (each fsynced before the next; the
//! line that a run started is on disk before the run begins), and, at start, the runs the last
//! process left in flight said as "outcome unknown".

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::oneshot;

use super::Engine;
use super::report::Report;
use crate::audit::{AuditKind, AuditLine};
use crate::model::{
    ActionOutcome, ActionResult, Author, FeedEvent, IncidentEventKind, PlanState, Secret,
    StopReason,
};

/// A line to append (`None`: nothing, only the ack); `ack` hears when it is on disk (a run
/// waits for its start line, a stopping engine for the last line).
pub(super) type Write = (
    Option<AuditLine>,
    Option<oneshot::Sender<Result<(), String>>>,
);

/// The audit log as the engine holds it: every line (what the window shows), the thread that
/// appends them in order (started on first use), and where its write failures are told.
pub(super) struct AuditLog {
    /// Every audit line, read at start and appended since.
    pub lines: Arc<Vec<AuditLine>>,
    writer: Option<std::sync::mpsc::Sender<Write>>,
    failed: Report<String>,
}

impl AuditLog {
    /// An empty log whose write failures go to `failed`.
    pub fn new(failed: Report<String>) -> Self {
        Self {
            lines: Arc::default(),
            writer: None,
            failed,
        }
    }
}

impl Engine {
    /// Waits until every line queued so far is on disk (the engine is stopping).
    pub(super) async fn flush_audit(&mut self) {
        let Some(writer) = &self.audit_log.writer else {
            return;
        };
        let (ack, written) = oneshot::channel();
        if writer.send((None, Some(ack))).is_ok() {
            let _ = written.await;
        }
    }

    pub(super) fn audit_line(
        &self,
        at: DateTime<Utc>,
        incident: u64,
        action: Option<usize>,
        kind: AuditKind,
        dry_run: bool,
        what: String,
    ) -> AuditLine {
        AuditLine {
            at,
            who: self.responder(),
            incident,
            action,
            kind,
            dry_run,
            what,
            status: None,
            duration_ms: None,
            outcome: String::new(),
        }
    }

    /// Keeps `line` for the window and queues it for the log (in order, on its own thread).
    pub(super) fn record(
        &mut self,
        line: AuditLine,
        ack: Option<oneshot::Sender<Result<(), String>>>,
    ) {
        Arc::make_mut(&mut self.audit_log.lines).push(line.clone());
        self.audit_to_team(&line);
        self.board_mut().audit = self.audit_log.lines.clone();
        let (dir, failed) = (
            self.store.dir().to_path_buf(),
            self.audit_log.failed.clone(),
        );
        let writer = self
            .audit_log
            .writer
            .get_or_insert_with(|| start_writer(dir, failed));
        if let Err(std::sync::mpsc::SendError((_, Some(ack)))) = writer.send((Some(line), ack)) {
            let _ = ack.send(Err("its writer stopped".into()));
        }
    }

    /// At start: reads the log, and says which runs were in flight when the console stopped.
    /// Each gets an "outcome unknown" result and a closing line; their plans stop, so
    /// nothing continues without the responder.
    pub(super) fn restore_audit(&mut self, env_secrets: Vec<(String, Secret)>, now: DateTime<Utc>) {
        self.exec.env_secrets = env_secrets;
        let read = crate::audit::read(self.store.dir());
        for problem in read.problems {
            self.emit(now, FeedEvent::RestoreProblem(problem));
        }
        let open: Vec<AuditLine> = crate::audit::in_flight(&read.lines)
            .into_iter()
            .cloned()
            .collect();
        self.audit_log.lines = Arc::new(read.lines);
        self.board_mut().audit = self.audit_log.lines.clone();
        let mut by_incident: BTreeMap<u64, Vec<AuditLine>> = BTreeMap::new();
        for l in open {
            by_incident.entry(l.incident).or_default().push(l);
        }
        for (id, lines) in &by_incident {
            let mut numbers = Vec::new();
            for l in lines {
                let mut done = l.clone();
                done.at = now;
                done.kind = AuditKind::Finished;
                done.outcome = "outcome unknown: the console stopped while it ran".into();
                self.record(done, None);
                let action = l.action.unwrap_or(0);
                numbers.push(action + 1);
                if let Some(inc) = self.book.find_mut(*id) {
                    inc.plan.results.push(ActionResult::new(
                        action,
                        l.dry_run,
                        l.what.clone(),
                        ActionOutcome::Unknown,
                        now,
                    ));
                }
            }
            let event = FeedEvent::OutcomeUnknown {
                id: *id,
                numbers: numbers.clone(),
            };
            if let Some(inc) = self.book.find_mut(*id) {
                inc.log(
                    now,
                    Author::Console,
                    IncidentEventKind::PlanStopped,
                    event.clone(),
                );
                if !matches!(inc.plan.state, PlanState::Executed(_)) {
                    let action = numbers[0] - 1;
                    inc.plan.state = PlanState::Stopped {
                        at: now,
                        action,
                        why: StopReason::Interrupted,
                    };
                }
            }
            self.emit(now, event);
        }
        // A plan saved as running with nothing in flight (between actions, or waiting for a
        // second approval): its prepared requests are gone with the old process, so it stops.
        let stale: Vec<(u64, usize)> = self
            .book
            .all()
            .iter()
            .filter(|i| i.plan.state.is_in_progress())
            .filter(|i| !self.settings.team.is_on() || approved_here(i, &self.audit_log.lines))
            .map(|i| (i.id, i.plan.state.position()))
            .collect();
        for (id, action) in stale {
            // Said in the feed and the timeline; nothing new to tell Slack or email.
            self.stop(id, action, StopReason::Interrupted, false, now);
        }
        if !by_incident.is_empty() {
            self.publish_incidents();
        }
    }
}

/// Whether `inc`'s run in progress was approved on this console (its audit log has the
/// approval). A team's incident may be running on another console: that console's claim says
/// when it stops, not this one's restart.
fn approved_here(inc: &crate::model::Incident, lines: &[AuditLine]) -> bool {
    let approved_at = inc.timeline.iter().rev().find_map(|e| match e.event {
        Some(FeedEvent::PlanApproved { .. } | FeedEvent::RunApproved { .. }) => Some(e.at),
        _ => None,
    });
    match approved_at {
        None => true,
        Some(at) => (lines.iter())
            .any(|l| l.incident == inc.id && l.kind == AuditKind::Approved && l.at == at),
    }
}

/// The log's writer: one thread appending in order, each line fsynced before the next.
fn start_writer(dir: std::path::PathBuf, failed: Report<String>) -> std::sync::mpsc::Sender<Write> {
    let (tx, rx) = std::sync::mpsc::channel::<Write>();
    let spawned = std::thread::Builder::new()
        .name("audit".into())
        .spawn(move || {
            for (line, ack) in rx {
                let written = line.map_or(Ok(()), |line| {
                    crate::audit::append(&dir, &line).map_err(|e| e.to_string())
                });
                match (ack, written) {
                    (Some(ack), written) => {
                        let _ = ack.send(written);
                    }
                    (None, Err(e)) => {
                        let _ = failed(e);
                    }
                    (None, Ok(())) => {}
                }
            }
        });
    if spawned.is_err() {
        // No thread: the sender's receiver is gone, so every send fails and runs refuse.
        return std::sync::mpsc::channel().0;
    }
    tx
}
