//! The team room: team mode's side of the engine. It keeps the link to the team store
//! (`link.rs`), claims each new incident for its breach there (`opens.rs`), writes the
//! events this console makes to the store, and applies what other consoles wrote. With no
//! store set it does nothing at all: solo mode is the console as it was.

pub mod link;
mod opens;
mod runs;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::Engine;
use crate::integrations::team::{TeamError, TeamStore, presence, queries};
use crate::model::{
    FeedEvent, Incident, IncidentEvent, TeamStatus, is_provisional, is_shared_kind,
};
pub use link::LinkEvent;
pub(super) use opens::Announce;
pub(super) use runs::RunGate;

/// What the team's tasks report.
#[derive(Debug)]
pub enum TeamEvent {
    /// The link (joined, unreachable, new events).
    Link(LinkEvent),
    /// The answer to claiming incident `provisional` for its breach.
    Opened {
        /// The provisional id it has here until now.
        provisional: u64,
        /// The store's answer.
        result: Result<queries::Opened, TeamError>,
    },
    /// Incidents asked for by id (another console's, new here), with who opened each.
    Fetched(Result<Vec<(Incident, String)>, TeamError>),
    /// The answer to claiming incident `incident`'s run under `key`.
    RunClaimed {
        /// The team's incident id.
        incident: u64,
        /// The run's key.
        key: String,
        /// The store's answer.
        result: Result<crate::integrations::team::claims::Claim, TeamError>,
    },
    /// This console took a lost run's lapsed claim: it says the outcome is unknown.
    RunLost(crate::integrations::team::claims::Lapsed),
    /// Audit lines copied (or not) to the store.
    AuditAppended {
        /// The lines, with their numbers (sent again on the next turn when it failed).
        lines: Vec<(i64, crate::audit::AuditLine)>,
        /// Whether it worked.
        result: Result<(), TeamError>,
    },
    /// Events written (or not) for incident `incident`.
    Appended {
        /// The team's incident id.
        incident: u64,
        /// What was sent (sent again on the next join when it failed).
        events: Vec<IncidentEvent>,
        /// How many were new, or why it failed.
        result: Result<u64, TeamError>,
    },
}

/// The room's state.
#[derive(Default)]
pub(super) struct Team {
    /// The link's task, while a store is set.
    link: Option<tokio::task::JoinHandle<()>>,
    /// The store to write through, while joined.
    store: Option<TeamStore>,
    /// Incidents being claimed (provisional id → what to say once they are the team's).
    pending: HashMap<u64, opens::Pending>,
    /// Events made here and not yet in the store, per team incident.
    unsent: BTreeMap<u64, Vec<IncidentEvent>>,
    /// Incidents asked for and not back yet.
    fetching: BTreeSet<u64>,
    /// Team incidents active in the store as far as this console knows (marked inactive
    /// there once they end here).
    active: BTreeSet<u64>,
    /// Since when the console has worked alone (for the "back after" line).
    alone_since: Option<DateTime<Utc>>,
    /// Runs whose claim was asked for, with what the responder typed for them.
    claiming: BTreeMap<u64, Vec<(usize, String)>>,
    /// Runs this console holds the claim of.
    runs: BTreeMap<u64, runs::HeldRun>,
    /// What the link says of this console when it beats (the incident open in the window).
    beat: Option<tokio::sync::watch::Sender<link::Beat>>,
    /// Audit lines (numbered in this run) not yet in the store.
    audit_unsent: Vec<(i64, crate::audit::AuditLine)>,
    /// How many audit lines this run has numbered.
    audit_count: i64,
}

impl Drop for Team {
    fn drop(&mut self) {
        if let Some(link) = self.link.take() {
            link.abort();
        }
        for run in self.runs.values() {
            run.renew.abort();
        }
    }
}

impl Engine {
    /// Whether the console is joined to a team store now.
    pub(super) fn team_joined(&self) -> bool {
        self.team.store.is_some()
    }

    /// Whether a team store is set (joined or not).
    pub(super) fn team_on(&self) -> bool {
        self.team.link.is_some()
    }

    /// The console's name in the store: the responder and this run's origin.
    pub(super) fn console_name(&self) -> String {
        format!("{} ({:04x})", self.responder(), self.book.origin() & 0xffff)
    }

    /// Starts (or stops) the link as the settings say.
    pub(super) fn select_team(&mut self) {
        if let Some(link) = self.team.link.take() {
            link.abort();
        }
        self.team.store = None;
        self.book.keep_fresh = false;
        if !self.board.present.is_empty() {
            self.board_mut().present = Vec::new();
        }
        let on = self.settings.team.is_on();
        let console = if on {
            self.console_name()
        } else {
            String::new()
        };
        if self.board.console != console {
            self.board_mut().console = console;
        }
        self.claim_notifications(on, None);
        if !on {
            self.set_team_status(TeamStatus::Off);
            return;
        }
        self.book.keep_fresh = true;
        let url = self.settings.team.database_url.expose().to_string();
        let report = super::input::report(&self.inputs, |e| super::Input::Team(TeamEvent::Link(e)));
        let (beat, beats) = tokio::sync::watch::channel(link::Beat {
            responder: self.responder(),
            viewing: self.team.beat.as_ref().and_then(|b| b.borrow().viewing),
        });
        self.team.beat = Some(beat);
        self.team.link = Some(link::spawn(url, self.console_name(), beats, report));
        self.set_team_status(TeamStatus::Connecting);
    }

    fn set_team_status(&mut self, status: TeamStatus) {
        if self.board.team != status {
            self.board_mut().team = status;
        }
    }

    /// The window has incident `incident` open (or none): said to the team with the next
    /// beat, so others see who is on it.
    pub(super) fn viewing(&mut self, incident: Option<u64>) {
        if let Some(beat) = &self.team.beat {
            beat.send_if_modified(|b| {
                let changed = b.viewing != incident;
                b.viewing = incident;
                changed
            });
        }
    }

    /// An audit line this console wrote to its own log: copied to the store too.
    pub(super) fn audit_to_team(&mut self, line: &crate::audit::AuditLine) {
        if !self.team_on() {
            return;
        }
        self.team.audit_count += 1;
        let n = self.team.audit_count;
        self.team.audit_unsent.push((n, line.clone()));
    }

    /// Hands a team task's report to its part of the room.
    pub(super) fn on_team(&mut self, event: TeamEvent) {
        let now = self.clock.now();
        match event {
            TeamEvent::Link(LinkEvent::Joined {
                store,
                version,
                applied,
                incidents,
            }) => {
                self.team.store = Some(*store.clone());
                let claims = super::notifier::claim::TeamClaims {
                    store: *store,
                    console: self.console_name(),
                };
                match self.team.alone_since.take() {
                    Some(since) => {
                        let after_secs = (now - since).num_seconds();
                        self.emit(now, FeedEvent::TeamBack { after_secs });
                    }
                    None => self.emit(now, FeedEvent::TeamJoined { version, applied }),
                }
                self.set_team_status(TeamStatus::Joined { since: now });
                self.take_team_incidents(incidents);
                self.claim_provisional();
                self.send_unsent();
                self.claim_notifications(true, Some(claims));
            }
            TeamEvent::Link(LinkEvent::Unreachable(reason)) => {
                self.team.store = None;
                // Held until the store answers again: it says what another console sent.
                self.claim_notifications(true, None);
                if self.team.alone_since.is_none() {
                    self.team.alone_since = Some(now);
                    self.emit(
                        now,
                        FeedEvent::TeamUnreachable {
                            reason: reason.clone(),
                        },
                    );
                }
                let since = self.team.alone_since.unwrap_or(now);
                self.set_team_status(TeamStatus::Alone { since, reason });
                // What waited for its team id is announced under its provisional one.
                self.announce_pending_alone();
            }
            TeamEvent::Link(LinkEvent::Unusable(reason)) => {
                self.team.store = None;
                // A store that cannot be used is no team: the console sends as it would alone.
                self.claim_notifications(false, None);
                self.emit(
                    now,
                    FeedEvent::TeamUnusable {
                        reason: reason.clone(),
                    },
                );
                self.set_team_status(TeamStatus::Unusable { reason });
                self.announce_pending_alone();
            }
            TeamEvent::Link(LinkEvent::Events(events)) => self.apply_team_events(events),
            TeamEvent::Link(LinkEvent::LapsedRuns(lapsed)) => self.on_lapsed_runs(lapsed),
            TeamEvent::Link(LinkEvent::Present(on)) => {
                if self.board.present != on {
                    self.board_mut().present = on;
                }
            }
            TeamEvent::RunClaimed {
                incident,
                key,
                result,
            } => self.on_run_claimed(incident, key, result),
            TeamEvent::RunLost(lapsed) => self.declare_run_lost(lapsed),
            TeamEvent::Opened {
                provisional,
                result,
            } => self.on_claimed(provisional, result),
            TeamEvent::Fetched(Ok(incidents)) => {
                for (inc, _) in &incidents {
                    self.team.fetching.remove(&inc.id);
                }
                self.take_team_incidents(incidents);
            }
            TeamEvent::Fetched(Err(_)) => self.team.fetching.clear(),
            TeamEvent::Appended {
                incident,
                events,
                result: Err(_),
            } => {
                // Sent again on the next join; the link says why the store failed.
                self.team.unsent.entry(incident).or_default().extend(events);
            }
            TeamEvent::Appended { .. } => {}
            TeamEvent::AuditAppended {
                mut lines,
                result: Err(_),
            } => {
                // Kept in order, sent again once the store answers (the store skips repeats).
                lines.append(&mut self.team.audit_unsent);
                self.team.audit_unsent = lines;
            }
            TeamEvent::AuditAppended { .. } => {}
        }
    }

    /// Incidents of the team, as the store holds them: new ones are added (said in the
    /// feed), known ones take the events they lack.
    fn take_team_incidents(&mut self, incidents: Vec<(Incident, String)>) {
        let now = self.clock.now();
        let mut added = Vec::new();
        for (inc, by) in incidents {
            if inc.status.is_active() {
                self.team.active.insert(inc.id);
            }
            match self.book.find_mut(inc.id) {
                Some(mine) => {
                    for e in inc.timeline {
                        mine.apply_shared(e);
                    }
                }
                None => {
                    added.push((inc.id, inc.scenario.code.clone(), by));
                    self.book.add(inc);
                }
            }
        }
        self.publish_incidents();
        for (id, code, by) in added {
            self.emit(now, FeedEvent::TeamOpened { id, code, by });
            self.desktop_incident(id);
        }
    }

    /// Applies what other consoles wrote; asks for the incidents this console does not
    /// have yet.
    fn apply_team_events(&mut self, events: Vec<queries::StoredEvent>) {
        // Events logged here this turn get their ids before others' are put among them.
        self.publish_incidents();
        let now = self.clock.now();
        let origin = self.book.origin();
        let mut unknown = BTreeSet::new();
        let mut said = Vec::new();
        for stored in events {
            let event = match stored.event {
                Ok(e) => e,
                Err(reason) => {
                    let seq = stored.seq;
                    said.push(FeedEvent::TeamEventUnreadable { seq, reason });
                    continue;
                }
            };
            if event.id.origin == origin {
                continue;
            }
            let Some(inc) = self.book.find_mut(stored.incident) else {
                unknown.insert(stored.incident);
                continue;
            };
            let marks = inc.marks.clone();
            let payload = event.event.clone();
            if inc.apply_shared(event) {
                // The deterministic report follows the verdicts, whoever gave them.
                if inc.marks != marks
                    && inc.report.source == crate::model::ReportSource::Deterministic
                {
                    inc.report = crate::text::report::deterministic_report(inc, now);
                }
                said.extend(payload);
            }
        }
        self.publish_incidents();
        for event in said {
            self.emit(now, event);
        }
        unknown.retain(|id| !self.team.fetching.contains(id));
        if let (false, Some(store)) = (unknown.is_empty(), self.team.store.clone()) {
            self.team.fetching.extend(unknown.iter().copied());
            let ids: Vec<u64> = unknown.into_iter().collect();
            let report =
                super::input::report(&self.inputs, |e| super::Input::Team(TeamEvent::Fetched(e)));
            tokio::spawn(async move {
                report(queries::fetch_incidents(&store, &ids).await);
            });
        }
    }

    /// Writes the events this console numbered since the last turn to the store (team
    /// incidents only: a provisional one's go with its claim), and marks the incidents that
    /// stopped being active here inactive there. Called once per turn, before publishing.
    pub(super) fn share_with_team(&mut self) {
        if !self.team_on() {
            return;
        }
        for (id, event) in self.book.take_fresh() {
            if !is_provisional(id) && is_shared_kind(&event.kind) {
                self.team.unsent.entry(id).or_default().push(event);
            }
        }
        if self.team_joined() {
            self.send_unsent();
            self.send_audit();
            self.deactivate_ended();
        }
    }

    fn send_audit(&mut self) {
        let Some(store) = self.team.store.clone() else {
            return;
        };
        if self.team.audit_unsent.is_empty() {
            return;
        }
        let lines = std::mem::take(&mut self.team.audit_unsent);
        let console = self.console_name();
        let report = super::input::report(&self.inputs, super::Input::Team);
        tokio::spawn(async move {
            let result = presence::append_audit(&store, &console, &lines).await;
            report(TeamEvent::AuditAppended { lines, result });
        });
    }

    fn send_unsent(&mut self) {
        let Some(store) = self.team.store.clone() else {
            return;
        };
        for (incident, events) in std::mem::take(&mut self.team.unsent) {
            let store = store.clone();
            let report = super::input::report(&self.inputs, super::Input::Team);
            tokio::spawn(async move {
                let result = queries::append_events(&store, incident, &events).await;
                report(TeamEvent::Appended {
                    incident,
                    events,
                    result,
                });
            });
        }
    }

    /// Team incidents recovered or closed here are no longer active in the store, so the
    /// next breach opens a new one there too.
    fn deactivate_ended(&mut self) {
        let Some(store) = self.team.store.clone() else {
            return;
        };
        let ended: Vec<u64> = self
            .team
            .active
            .iter()
            .copied()
            .filter(|&id| self.book.find(id).is_none_or(|i| !i.status.is_active()))
            .collect();
        for id in ended {
            self.team.active.remove(&id);
            let store = store.clone();
            tokio::spawn(async move {
                // A failure leaves it active there: the next console's close or recovery,
                // or this one's after a restart, tries again.
                let _ = queries::deactivate(&store, id).await;
            });
        }
    }
}
