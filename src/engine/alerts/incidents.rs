//! Incidents from Alertmanager alerts: a firing alert whose labels match a runbook's
//! `match_any` opens that runbook's incident, one per alert group and runbook; later alerts
//! of the group attach to it; when every attached alert has resolved, the incident has
//! recovered and its acknowledgement ends. Any other alert becomes an incident only by hand.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::detect::alerts::AlertChange;
use crate::detect::runbooks::RunbookIndex;
use crate::engine::Engine;
use crate::model::{
    Alert, AlertStatus, Author, FeedEvent, IncidentAlerts, IncidentEventKind, IncidentStatus,
    IntakeRefusal, Localized, NotifyEvent, ResolvedAlert, RunbookMatch, Scenario, Trigger,
    TriggerOrigin, alert_group,
};

/// The most active incidents alerts open by themselves; past it an alert that would open
/// one stays in the Alerts list (said in the feed), so a flood of forged groups cannot bury
/// the real incidents. One opened by hand is always opened.
pub const ACTIVE_ALERT_INCIDENT_LIMIT: usize = 200;

/// The scenario code of the generic incident an alert without a runbook opens by hand.
pub fn generic_alert_code(alert: &Alert) -> String {
    format!("alert:{}", alert.name())
}

/// The runbook-less incident of `alert`: its name, summary and description, and no made-up
/// hypotheses or actions.
pub fn generic_alert_scenario(alert: &Alert) -> Scenario {
    let description = alert
        .annotations
        .get("description")
        .cloned()
        .unwrap_or_default();
    let title = if alert.summary().is_empty() {
        alert.name().to_string()
    } else {
        format!("{}: {}", alert.name(), alert.summary())
    };
    Scenario {
        code: generic_alert_code(alert),
        title: Localized {
            en: title.clone(),
            ko: title,
        },
        source: "Alertmanager".into(),
        metric: None,
        description: crate::text::alerts::generic_alert_description(&description),
        hypotheses: Vec::new(),
        evidence: Vec::new(),
        actions: Vec::new(),
        match_any: Vec::new(),
    }
}

impl Engine {
    /// The runbooks' compiled `match_any`, rebuilt when the scenarios were reloaded.
    fn runbook_index(&mut self) -> RunbookIndex {
        let scenarios = self.board.scenarios.clone();
        match &self.runbook_index {
            Some((of, index)) if Arc::ptr_eq(of, &scenarios) => index.clone(),
            _ => {
                let index = RunbookIndex::new(&scenarios);
                self.runbook_index = Some((scenarios, index.clone()));
                index
            }
        }
    }

    /// The newest active incident that `alert` is attached to.
    fn alert_incident(&self, fingerprint: &str) -> Option<u64> {
        self.book
            .all()
            .iter()
            .rev()
            .find(|i| i.status.is_active() && i.alerts.as_ref().is_some_and(|a| a.has(fingerprint)))
            .map(|i| i.id)
    }

    /// Every alert attached to an active incident, by fingerprint (the newest incident
    /// wins), built once per batch of changes so a storm is not a scan of every incident
    /// per alert.
    fn alert_owners(&self) -> HashMap<String, u64> {
        let mut owners = HashMap::new();
        for inc in self.book.all().iter().filter(|i| i.status.is_active()) {
            for fp in inc.alerts.iter().flat_map(|a| a.fingerprints()) {
                owners.insert(fp.to_string(), inc.id);
            }
        }
        owners
    }

    /// The owner of `fingerprint` in `owners`, if that incident is still active.
    fn active_owner(&self, owners: &HashMap<String, u64>, fingerprint: &str) -> Option<u64> {
        let id = *owners.get(fingerprint)?;
        self.book
            .find(id)
            .is_some_and(|i| i.status.is_active())
            .then_some(id)
    }

    /// Opens, attaches and resolves incidents for what changed in the alert book.
    pub(in crate::engine) fn alerts_to_incidents(
        &mut self,
        changes: &[AlertChange],
        at: DateTime<Utc>,
    ) {
        if !changes
            .iter()
            .any(|c| matches!(c, AlertChange::Fired(_) | AlertChange::Resolved(_)))
        {
            return;
        }
        let index = self.runbook_index();
        let mut owners = self.alert_owners();
        for change in changes {
            match change {
                AlertChange::Fired(fp) => self.alert_fired(fp, &index, &mut owners, at),
                AlertChange::Resolved(fp) => {
                    let owner = self.active_owner(&owners, fp);
                    self.remember_resolved(fp, owner, at);
                    if let Some(id) = owner {
                        self.alert_resolved(id, fp, at);
                    }
                }
                AlertChange::Updated(_) => {}
            }
        }
    }

    /// A new firing episode: it fires again in its incident, attaches to or opens its
    /// runbook's, or is only an alert (and a desktop notification).
    fn alert_fired(
        &mut self,
        fp: &str,
        index: &RunbookIndex,
        owners: &mut HashMap<String, u64>,
        at: DateTime<Utc>,
    ) {
        let Some(alert) = self.alerts.alert(fp).cloned() else {
            return;
        };
        if alert.status != AlertStatus::Firing {
            return;
        }
        if let Some(id) = self.active_owner(owners, fp) {
            // A new episode of an alert the incident has: it fires again.
            if let Some(links) = self.incident_mut(id).and_then(|i| i.alerts.as_mut()) {
                links.resolved.remove(fp);
            }
            return;
        }
        let found = index.best(&alert.labels).and_then(|(code, why)| {
            let s = self.board.scenarios.iter().find(|s| s.code == code)?;
            Some((s.clone(), why))
        });
        let opened = match found {
            Some((scenario, why)) => {
                let result = self.attach_or_open(&alert, scenario, Some(why), false, at);
                if let Some((id, _)) = result {
                    owners.insert(fp.to_string(), id);
                }
                result.is_some_and(|(_, opened)| opened)
            }
            None => false,
        };
        // A new incident raised its own notification.
        if !opened {
            self.desktop_alert(&alert, at);
        }
    }

    /// Attaches `alert` to the active incident of its group and runbook, or opens one;
    /// returns the incident and whether it is new, or `None` when none was opened because
    /// [`ACTIVE_ALERT_INCIDENT_LIMIT`] are (said in the feed).
    fn attach_or_open(
        &mut self,
        alert: &Alert,
        scenario: Scenario,
        why: Option<RunbookMatch>,
        by_hand: bool,
        at: DateTime<Utc>,
    ) -> Option<(u64, bool)> {
        let group = alert_group(alert);
        let fp = alert.fingerprint.clone();
        let attach_to = self.book.all().iter().rev().find(|i| {
            i.status.is_active()
                && i.scenario.code == scenario.code
                && i.alerts.as_ref().is_some_and(|a| a.group == group)
        });
        if let Some(id) = attach_to.map(|i| i.id) {
            let inc = self.incident_mut(id)?;
            let links = inc.alerts.as_mut()?;
            links.attach(fp.clone(), &alert.labels);
            let event = FeedEvent::AlertAttached {
                id,
                name: alert.name().to_string(),
                fingerprint: fp,
                count: links.count(),
            };
            inc.refire_count += 1;
            inc.log(
                at,
                Author::Alertmanager,
                IncidentEventKind::AlertAttached,
                event.clone(),
            );
            self.publish_incidents();
            self.emit(at, event);
            return Some((id, false));
        }
        let from_alerts = self
            .book
            .all()
            .iter()
            .filter(|i| i.status.is_active() && i.alerts.is_some())
            .count();
        if !by_hand && from_alerts >= ACTIVE_ALERT_INCIDENT_LIMIT {
            self.refused(IntakeRefusal::IncidentsFull, None, at);
            return None;
        }
        let trigger = Trigger {
            origin: TriggerOrigin::Alertmanager,
            at,
            rule: None,
            series: Some(alert.name().to_string()),
            values: Vec::new(),
            since: (alert.starts_at < at).then_some(alert.starts_at),
        };
        let matcher = why.as_ref().filter(|_| !by_hand).map(|w| w.matcher.clone());
        let (code, shown_group) = (scenario.code.clone(), group.clone());
        let opened = move |id| FeedEvent::AlertIncident {
            id,
            code: code.clone(),
            name: alert.name().to_string(),
            group: shown_group.clone(),
            matcher: matcher.clone(),
        };
        let event = opened(0);
        let links = IncidentAlerts {
            group,
            matched: why,
            alerts: vec![(fp, alert.labels.clone())],
            more: Default::default(),
            resolved: Default::default(),
            resolved_at: None,
            ack: None,
        };
        let id = self.open_incident_as(scenario.clone(), trigger, Some((event, links)));
        let announce = crate::engine::team::Announce {
            event: opened(id),
            notify: true,
        };
        self.announce_or_claim(id, announce);
        Some((id, true))
    }

    /// Keeps the episode in the alert history (bounded; saved with the feed).
    fn remember_resolved(&mut self, fp: &str, incident: Option<u64>, at: DateTime<Utc>) {
        let Some(alert) = self.alerts.alert(fp) else {
            return;
        };
        let episode = ResolvedAlert::of(alert, at, incident);
        let history = Arc::make_mut(&mut self.alert_history);
        // One entry per episode: a resolve heard again after a restart replaces its entry.
        let known = history.iter().rposition(|r| {
            r.fingerprint == episode.fingerprint && r.starts_at == episode.starts_at
        });
        match known {
            Some(i) => history[i] = episode,
            None => history.push(episode),
        }
        let excess = history
            .len()
            .saturating_sub(crate::store::ALERT_HISTORY_LIMIT);
        history.drain(..excess);
        self.alert_history_dirty = true;
        self.board_mut().alert_history = self.alert_history.clone();
    }

    /// An alert of incident `id` resolved: the incident recovers when it was its last.
    fn alert_resolved(&mut self, id: u64, fp: &str, at: DateTime<Utc>) {
        let Some(inc) = self.incident_mut(id) else {
            return;
        };
        let Some(links) = inc.alerts.as_mut() else {
            return;
        };
        links.resolved.insert(fp.to_string());
        if !links.all_resolved() {
            self.publish_incidents();
            return;
        }
        links.resolved_at = Some(at);
        let silences = match links.ack.as_mut() {
            Some(ack) if ack.ended_at.is_none() => {
                ack.ended_at = Some(at);
                std::mem::take(&mut ack.silences)
            }
            _ => Vec::new(),
        };
        inc.status = IncidentStatus::Recovered;
        inc.recovered_at = Some(at);
        let event = FeedEvent::AlertsAllResolved {
            id,
            after_secs: (at - inc.opened_at).num_seconds(),
        };
        inc.log(
            at,
            Author::Alertmanager,
            IncidentEventKind::AlertsResolved,
            event.clone(),
        );
        self.publish_incidents();
        self.emit(at, event);
        // The ack ends with the alerts: a silence left behind would hide their next firing.
        if !silences.is_empty() {
            self.expire_silences(crate::engine::AckTarget::Incident(id), silences, true);
        }
        self.notify(id, NotifyEvent::Recovered, at);
    }

    /// The responder's "Open incident" on an alert: its runbook, or a generic one.
    pub(in crate::engine) fn incident_from_alert(&mut self, fingerprint: &str, now: DateTime<Utc>) {
        let Some(alert) = self.alerts.alert(fingerprint).cloned() else {
            return self.emit(
                now,
                FeedEvent::NoScenario {
                    code: Some(format!("alert {fingerprint}")),
                },
            );
        };
        if self.alert_incident(fingerprint).is_some() {
            return;
        }
        let found = self
            .runbook_index()
            .best(&alert.labels)
            .and_then(|(code, why)| {
                let s = self.board.scenarios.iter().find(|s| s.code == code)?;
                Some((s.clone(), why))
            });
        let (scenario, why) = match found {
            Some((s, why)) => (s, Some(why)),
            None => (generic_alert_scenario(&alert), None),
        };
        self.attach_or_open(&alert, scenario, why, true, now);
    }
}
