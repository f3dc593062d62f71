//! One incident per breach, team-wide. In team mode a new incident opens here under a
//! provisional id and is claimed in the store for its breach; the store's unique index
//! decides. The winner's incident takes the team's id and is announced (the feed, the
//! notifications, the live checks); the loser drops its own and attaches its detection to
//! the winner's as a re-fire or an attached alert. An incident opened while the store was
//! unreachable is announced at once under its provisional id and claimed the same way on
//! reconnect (already announced, so only its events go to the store).

use chrono::{DateTime, Utc};

use super::super::Engine;
use super::TeamEvent;
use crate::integrations::team::{STORE_TIMEOUT, TeamError, queries};
use crate::model::{
    Author, FeedEvent, Incident, IncidentEventKind, NotifyEvent, breach_key, is_provisional,
    is_shared_kind, rekey_event,
};

/// What opening an incident says once its id is known: the feed line (its id is filled in)
/// and whether the Opened notification follows.
#[derive(Clone, Debug)]
pub struct Announce {
    /// The feed line, naming the incident by the id it has now.
    pub event: FeedEvent,
    /// Whether to notify (and check evidence, find related documents…).
    pub notify: bool,
}

/// An incident being claimed.
pub(super) struct Pending {
    /// What to say once it has its id; `None` once said (it was opened alone).
    announce: Option<Announce>,
}

impl Engine {
    /// Opens `id` for the team, or (solo, or alone) announces it at once.
    pub(in crate::engine) fn announce_or_claim(&mut self, id: u64, announce: Announce) {
        if !self.team_on() || !is_provisional(id) {
            return self.announce(id, announce);
        }
        self.team.pending.insert(
            id,
            Pending {
                announce: Some(announce),
            },
        );
        // Before the link's first word (joining) it waits: claimed on joining, announced
        // alone if the store cannot be reached. Already alone, it is announced at once.
        if self.team_joined() {
            self.claim(id);
        } else if self.team.alone_since.is_some() {
            self.announce_pending_alone();
        }
    }

    /// The feed line and the Opened notification of incident `id`.
    pub(in crate::engine) fn announce(&mut self, id: u64, announce: Announce) {
        let now = self.clock.now();
        self.emit(now, announce.event);
        if announce.notify {
            self.notify(id, NotifyEvent::Opened, now);
        }
    }

    fn claim(&mut self, id: u64) {
        let (Some(store), Some(inc)) = (self.team.store.clone(), self.book.find(id).cloned())
        else {
            return;
        };
        let console = self.console_name();
        let report = super::super::input::report(&self.inputs, super::super::Input::Team);
        tokio::spawn(async move {
            let breach = breach_key(&inc);
            let open =
                queries::open_incident(&store, &breach, &inc, &console, |i, id| i.rekeyed(id));
            let result = match tokio::time::timeout(STORE_TIMEOUT * 2, open).await {
                Ok(r) => r,
                Err(_) => Err(TeamError::Unreachable(
                    "the store did not answer the claim".into(),
                )),
            };
            report(TeamEvent::Opened {
                provisional: id,
                result,
            });
        });
    }

    /// Every incident still provisional here (waiting for the join, or opened alone) is
    /// claimed now.
    pub(super) fn claim_provisional(&mut self) {
        let ids: Vec<u64> = self
            .book
            .all()
            .iter()
            .filter(|i| is_provisional(i.id) && i.status.is_active())
            .map(|i| i.id)
            .collect();
        for id in ids {
            self.team
                .pending
                .entry(id)
                .or_insert(Pending { announce: None });
            self.claim(id);
        }
    }

    /// The store cannot be asked: what waited for its team id is announced under its
    /// provisional one (and claimed on reconnect).
    pub(super) fn announce_pending_alone(&mut self) {
        let waiting: Vec<(u64, Announce)> = self
            .team
            .pending
            .iter_mut()
            .filter_map(|(&id, p)| Some((id, p.announce.take()?)))
            .collect();
        self.team.pending.clear();
        for (id, announce) in waiting {
            self.announce(id, announce);
        }
    }

    /// The store's answer to a claim.
    pub(super) fn on_claimed(
        &mut self,
        provisional: u64,
        result: Result<queries::Opened, TeamError>,
    ) {
        let Some(pending) = self.team.pending.remove(&provisional) else {
            return;
        };
        match result {
            Ok(queries::Opened::Won { id }) => {
                if let Some(inc) = self.book.remove(provisional) {
                    let inc = inc.rekeyed(id);
                    // What was logged while the claim was on its way is not in the body the
                    // store took: written now (the store keeps each event once by its id).
                    let shared = (inc.timeline.iter()).filter(|e| is_shared_kind(&e.kind));
                    let shared: Vec<_> = shared.cloned().collect();
                    self.team.unsent.entry(id).or_default().extend(shared);
                    self.book.add(inc);
                }
                self.team.active.insert(id);
                self.publish_incidents();
                self.rekey_notifications(provisional, id);
                if let Some(announce) = pending.announce {
                    let event = rekey_event(&announce.event, provisional, id);
                    self.announce(id, Announce { event, ..announce });
                }
            }
            Ok(queries::Opened::Lost(winner)) => self.join_winner(provisional, *winner),
            Err(e) => {
                if !e.is_retryable() {
                    let reason = e.to_string();
                    self.emit(self.clock.now(), FeedEvent::TeamRefused { reason });
                }
                // Alone for now: announced under its provisional id, claimed on reconnect.
                if let Some(announce) = pending.announce {
                    self.announce(provisional, announce);
                }
            }
        }
    }

    /// Another console's incident won the breach: this console's own is dropped and what
    /// it saw is attached to the winner's (an alert, or a re-fire), recorded here only.
    fn join_winner(&mut self, provisional: u64, winner: Incident) {
        let now = self.clock.now();
        let Some(mine) = self.book.remove(provisional) else {
            return;
        };
        let id = winner.id;
        self.team.active.insert(id);
        let known = self.book.find(id).is_some();
        if !known {
            self.book.add(winner);
        }
        let Some(inc) = self.book.find_mut(id) else {
            return;
        };
        attach_detection(inc, &mine, now);
        // What people did here on this console's own (opened alone, marked alone…) is the
        // team's incident's now: applied here and written to the store, each event once.
        let carried: Vec<_> = (mine.rekeyed(id).timeline.into_iter())
            .filter(|e| is_shared_kind(&e.kind) && e.kind != IncidentEventKind::Opened)
            .collect();
        for e in &carried {
            inc.apply_shared(e.clone());
        }
        if !carried.is_empty() {
            self.team.unsent.entry(id).or_default().extend(carried);
        }
        self.publish_incidents();
        // What was queued alone for its own is the winner's now: claimed, so what the team
        // already sent is not sent again.
        self.rekey_notifications(provisional, id);
        if !known {
            let code = mine.scenario.code.clone();
            let by = "team".to_string();
            self.emit(now, FeedEvent::TeamOpened { id, code, by });
            self.desktop_incident(id);
        }
    }
}

/// Puts what `mine` saw (its hotspots, its alerts) onto the team's incident `inc`, as a
/// re-fire or attached alerts of this console's own timeline.
fn attach_detection(inc: &mut Incident, mine: &Incident, now: DateTime<Utc>) {
    for h in &mine.hotspots {
        if !inc
            .hotspots
            .iter()
            .any(|x| x.rule == h.rule && x.series == h.series)
        {
            inc.hotspots.push(h.clone());
        }
    }
    match (&mut inc.alerts, &mine.alerts) {
        (Some(theirs), Some(ours)) => {
            let mut attached = Vec::new();
            for (fp, labels) in &ours.alerts {
                if !theirs.alerts.iter().any(|(f, _)| f == fp) {
                    theirs.attach(fp.clone(), labels);
                    let name = labels.get("alertname").cloned().unwrap_or_default();
                    attached.push((name, fp.clone(), theirs.count()));
                }
            }
            for (name, fingerprint, count) in attached {
                let event = FeedEvent::AlertAttached {
                    id: inc.id,
                    name,
                    fingerprint,
                    count,
                };
                inc.log(
                    now,
                    Author::Alertmanager,
                    IncidentEventKind::AlertAttached,
                    event,
                );
            }
        }
        _ => {
            inc.refire_count += 1;
            let event = FeedEvent::Refired {
                id: inc.id,
                code: inc.scenario.code.clone(),
                count: inc.refire_count,
                series: mine.trigger.series.iter().cloned().collect(),
                values: mine.trigger.values.clone(),
                ongoing: false,
            };
            inc.log(now, Author::Monitor, IncidentEventKind::Refired, event);
        }
    }
}
