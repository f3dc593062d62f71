//! The incident book: detection results turned into incidents (open, re-fire, hotspots and
//! their clears, flapping), manual triggers, and the recovery watch. What the responder does to
//! an incident is in `plans.rs`.

use chrono::{DateTime, Utc};

use super::publish::HistoryOp;
use super::sources::rule_value;
use super::team::Announce;
use super::{Engine, SourceStatus};
use crate::detect::DetectEvent;
use crate::model::{
    Author, FeedEvent, Incident, IncidentEventKind, IncidentStatus, NotifyEvent, Reading, Rule,
    Scenario, Trigger, TriggerOrigin,
};

/// The scenario code of the generic incident a rule without a runbook opens.
pub fn generic_code(rule: &str) -> String {
    format!("rule:{rule}")
}

/// The runbook-less incident of `rule`: the rule, its query and threshold, and no made-up
/// hypotheses or actions.
pub fn generic_scenario(rule: &Rule) -> Scenario {
    Scenario {
        code: generic_code(&rule.id),
        title: rule.title.clone(),
        source: format!("Prometheus {}", rule.query),
        metric: None,
        description: crate::text::report::generic_rule_description(rule),
        hypotheses: Vec::new(),
        evidence: Vec::new(),
        actions: Vec::new(),
        match_any: Vec::new(),
    }
}

impl Engine {
    /// Runs one reading through history, detection, hotspots and the recovery watch.
    pub(super) fn ingest(&mut self, reading: Reading) {
        let rules = self.rules.clone();
        let obs = self.detector.observe(&reading, &rules);
        self.set_latest(reading.clone());
        self.analyst.record(&reading);
        self.history_op(HistoryOp::Push(reading.clone()));
        let mut changed = false;
        // Re-fires are told once their samples are in the hotspots below, so the message names
        // the series in breach now.
        let mut refired = Vec::new();
        for event in &obs.events {
            match event {
                DetectEvent::Breach {
                    rule,
                    series,
                    already_in_breach,
                } => {
                    if let Some(rule) = rules.iter().find(|r| &r.id == rule) {
                        refired.extend(self.on_breach(&reading, rule, series, *already_in_breach));
                        changed = true;
                    }
                }
                DetectEvent::Cleared { rule, window } => {
                    if let Some(r) = rules.iter().find(|r| &r.id == rule) {
                        let event = FeedEvent::Cleared {
                            threshold: super::threshold_desc(r),
                            window: *window,
                        };
                        self.emit(reading.at, event);
                    }
                }
                DetectEvent::SeriesMissing {
                    rule,
                    series,
                    samples,
                } => self.emit(
                    reading.at,
                    FeedEvent::SeriesMissing {
                        rule: rule.clone(),
                        series: series.clone(),
                        samples: *samples,
                    },
                ),
                DetectEvent::SeriesCleared { .. } => {}
                DetectEvent::FlappingStarted { rule, breaches } => {
                    let event = FeedEvent::FlappingStarted {
                        rule: rule.clone(),
                        breaches: *breaches,
                        window_mins: crate::detect::FLAP_WINDOW_MINS,
                    };
                    self.set_flapping(rule, true, reading.at, event.clone());
                    self.emit(reading.at, event);
                    changed = true;
                }
                DetectEvent::FlappingStopped { rule } => {
                    let event = FeedEvent::FlappingStopped { rule: rule.clone() };
                    self.set_flapping(rule, false, reading.at, event.clone());
                    self.emit(reading.at, event);
                    changed = true;
                }
            }
        }
        // Hotspots: every breaching sample, and every clear, counts for its rule's incident.
        let cleared: Vec<(&String, &String)> = obs
            .events
            .iter()
            .filter_map(|e| match e {
                DetectEvent::SeriesCleared { rule, series } => Some((rule, series)),
                _ => None,
            })
            .collect();
        let attaches = obs
            .breaching
            .iter()
            .map(|b| &b.rule)
            .chain(cleared.iter().map(|c| c.0))
            .any(|rule| self.active_index(rule).is_some());
        if attaches {
            for b in &obs.breaching {
                let Some(idx) = self.active_index(&b.rule) else {
                    continue;
                };
                let comparison = rules
                    .iter()
                    .find(|r| r.id == b.rule)
                    .map(|r| r.comparison)
                    .unwrap_or_default();
                self.book.list_mut()[idx].record_hotspot(
                    &b.rule,
                    &b.series,
                    reading.at,
                    b.value,
                    |v, peak| comparison.worse(v, peak),
                );
                changed = true;
            }
            for &(rule, series) in &cleared {
                let Some(idx) = self.active_index(rule) else {
                    continue;
                };
                let inc = &mut self.book.list_mut()[idx];
                if inc.clear_hotspot(rule, series, reading.at) {
                    let event = FeedEvent::SeriesClear {
                        rule: rule.clone(),
                        series: series.clone(),
                    };
                    inc.log(
                        reading.at,
                        Author::Monitor,
                        IncidentEventKind::SeriesCleared,
                        event,
                    );
                    changed = true;
                }
            }
        }
        for (id, count) in refired {
            self.notify(id, NotifyEvent::Refired(count), self.clock.now());
        }
        // Recovery watch.
        let mut recovered = Vec::new();
        let watching = self
            .book
            .all()
            .iter()
            .any(|i| i.status == IncidentStatus::Mitigating);
        let watched: &mut [Incident] = if watching {
            self.book.list_mut().as_mut_slice()
        } else {
            &mut []
        };
        let needed = self.settings.recovery_samples;
        for inc in watched.iter_mut() {
            let before = inc.healthy_streak;
            if crate::detect::recovery_step(inc, &reading, &rules, needed) {
                inc.status = IncidentStatus::Recovered;
                inc.recovered_at = Some(reading.at);
                let ttr = inc.time_to_recover().unwrap_or_default();
                let event = FeedEvent::Recovered {
                    id: inc.id,
                    code: inc.scenario.code.clone(),
                    samples: inc.healthy_streak,
                    ttr_secs: ttr.num_seconds(),
                };
                inc.log(
                    reading.at,
                    Author::Monitor,
                    IncidentEventKind::Recovered,
                    event.clone(),
                );
                recovered.push(event);
            }
            changed |= before != inc.healthy_streak;
        }
        if changed {
            self.publish_incidents();
        }
        for event in recovered {
            let FeedEvent::Recovered { id, .. } = event else {
                continue;
            };
            self.emit(reading.at, event);
            self.notify(id, NotifyEvent::Recovered, reading.at);
            self.keep_samples(id, false);
        }
    }

    /// Index of the newest active incident that `rule` feeds: opened by the rule, or of the
    /// runbook the rule opens.
    fn active_index(&self, rule: &str) -> Option<usize> {
        let code = self.code_for(rule);
        // Alerts' incidents are fed by their alerts, not by the rules' samples.
        self.book.all().iter().rposition(|i| {
            i.status.is_active()
                && i.alerts.is_none()
                && (i.rule() == Some(rule) || Some(&i.scenario.code) == code.as_ref())
        })
    }

    /// The scenario code a breach of `rule` opens.
    fn code_for(&self, rule: &str) -> Option<String> {
        let r = self.rules.iter().find(|r| r.id == rule)?;
        Some(r.runbook.clone().unwrap_or_else(|| generic_code(&r.id)))
    }

    fn set_flapping(&mut self, rule: &str, on: bool, at: DateTime<Utc>, event: FeedEvent) {
        let flapping = &mut self.board_mut().flapping;
        flapping.retain(|r| r != rule);
        if on {
            flapping.push(rule.to_string());
        }
        if let Some(idx) = self.active_index(rule) {
            let inc = &mut self.book.list_mut()[idx];
            inc.flapping = on;
            inc.log(at, Author::Monitor, IncidentEventKind::Flapping, event);
        }
    }

    /// The value of every enabled rule in `reading`, and the rule and series that triggered.
    fn trigger_from(
        &self,
        reading: Option<&Reading>,
        origin: TriggerOrigin,
        rule: Option<&Rule>,
        at: DateTime<Utc>,
    ) -> Trigger {
        let empty = Reading::default();
        let r = reading.unwrap_or(&empty);
        let values: Vec<_> = self
            .rules
            .iter()
            .filter(|x| x.enabled && (r.covers(&x.id) || reading.is_none()))
            .map(|x| rule_value(x, r))
            .collect();
        let series = rule.and_then(|rule| r.worst(rule).map(|(s, _)| s.to_string()));
        Trigger {
            origin,
            at: reading.map_or(at, |r| r.at),
            rule: rule.map(|r| r.id.clone()),
            series,
            values,
            since: None,
        }
    }

    /// Opens an incident for `rule`'s breach, or attaches it to the active one as a re-fire:
    /// then the incident and its re-fire number to notify (none while flapping).
    fn on_breach(
        &mut self,
        reading: &Reading,
        rule: &Rule,
        series: &[(String, f64)],
        already_in_breach: bool,
    ) -> Option<(u64, u32)> {
        let scenario = match &rule.runbook {
            Some(code) => {
                let found = self
                    .board
                    .scenarios
                    .iter()
                    .find(|s| &s.code == code)
                    .cloned();
                match found {
                    Some(s) => s,
                    None => {
                        let event = FeedEvent::RunbookMissing {
                            rule: rule.id.clone(),
                            runbook: code.clone(),
                        };
                        self.emit(reading.at, event);
                        generic_scenario(rule)
                    }
                }
            }
            None => generic_scenario(rule),
        };
        let mut trigger = self.trigger_from(
            Some(reading),
            TriggerOrigin::Monitor,
            Some(rule),
            reading.at,
        );
        let names: Vec<String> = series.iter().map(|(s, _)| s.clone()).collect();
        trigger.series = names.first().cloned();
        if let Some(id) = self.attach_refire(&scenario.code, &trigger) {
            let (count, flapping) = self
                .book
                .find(id)
                .map_or((0, false), |i| (i.refire_count, i.flapping));
            let event = FeedEvent::Refired {
                id,
                code: scenario.code.clone(),
                count,
                series: names,
                values: trigger.values.clone(),
                ongoing: already_in_breach,
            };
            self.emit(reading.at, event);
            if !flapping && !self.detector.is_flapping(&rule.id) {
                return Some((id, count));
            }
        } else {
            let values = trigger.values.clone();
            let id = self.open_incident(scenario.clone(), trigger);
            if self.detector.is_flapping(&rule.id)
                && let Some(inc) = self.incident_mut(id)
            {
                inc.flapping = true;
            }
            let event = FeedEvent::Detected {
                id,
                code: scenario.code.clone(),
                series: names,
                values,
            };
            self.announce_or_claim(
                id,
                Announce {
                    event,
                    notify: true,
                },
            );
        }
        None
    }

    /// Attaches a re-fire to the active incident of `code`, if there is one.
    fn attach_refire(&mut self, code: &str, trigger: &Trigger) -> Option<u64> {
        let who = self.author_of(trigger.origin);
        let inc = self
            .book
            .list_mut()
            .iter_mut()
            .rev()
            .find(|i| i.status.is_active() && i.alerts.is_none() && i.scenario.code == code)?;
        inc.refire_count += 1;
        // A breach after the plan ran means it has not recovered: restart the watch.
        inc.healthy_streak = 0;
        let (id, code, count) = (inc.id, inc.scenario.code.clone(), inc.refire_count);
        let event = match trigger.origin {
            TriggerOrigin::Monitor | TriggerOrigin::Alertmanager => FeedEvent::Refired {
                id,
                code,
                count,
                series: trigger.series.iter().cloned().collect(),
                values: trigger.values.clone(),
                ongoing: false,
            },
            TriggerOrigin::Manual => FeedEvent::Triggered {
                id,
                code,
                random: false,
                refired: true,
                values: trigger.values.clone(),
                stale_since: None,
            },
        };
        inc.log(self.clock.now(), who, IncidentEventKind::Refired, event);
        self.publish_incidents();
        Some(id)
    }

    /// Who an opening or a re-fire is by: the monitor, an Alertmanager, or the responder who
    /// fired it by hand.
    fn author_of(&self, origin: TriggerOrigin) -> Author {
        match origin {
            TriggerOrigin::Monitor => Author::Monitor,
            TriggerOrigin::Alertmanager => Author::Alertmanager,
            TriggerOrigin::Manual => Author::Responder(self.responder()),
        }
    }

    fn open_incident(&mut self, scenario: Scenario, trigger: Trigger) -> u64 {
        self.open_incident_as(scenario, trigger, None)
    }

    /// Opens an incident; `from_alerts` ties it to Alertmanager alerts, with the event that
    /// says so (its `id` is filled in here).
    pub(super) fn open_incident_as(
        &mut self,
        scenario: Scenario,
        trigger: Trigger,
        from_alerts: Option<(FeedEvent, crate::model::IncidentAlerts)>,
    ) -> u64 {
        // In team mode the store gives the id (see `team/opens.rs`).
        let id = match self.team_on() {
            true => self.book.take_provisional_id(),
            false => self.book.take_id(),
        };
        let now = self.clock.now();
        let mut incident = Incident::open(id, scenario, trigger.clone(), |s, t, marks| {
            crate::text::report::write(s, t, marks, now)
        });
        // The monitor's own breaching samples are added by `ingest` right after; a manual
        // trigger's sample was ingested before the incident existed, so it is added here.
        if let (TriggerOrigin::Manual, Some(rule)) = (trigger.origin, &trigger.rule)
            && let Some(rv) = trigger.value_of(rule)
            && let (Some(series), Some(v)) = (&rv.series, rv.value)
            && rv.in_breach()
        {
            let comparison = rv.comparison;
            incident.record_hotspot(rule, series, trigger.at, v, |a, b| comparison.worse(a, b));
        }
        let code = incident.scenario.code.clone();
        let event = match (trigger.origin, from_alerts) {
            (_, Some((mut event, alerts))) => {
                if let FeedEvent::AlertIncident { id: slot, .. } = &mut event {
                    *slot = id;
                }
                incident.alerts = Some(alerts);
                event
            }
            (TriggerOrigin::Monitor | TriggerOrigin::Alertmanager, None) => FeedEvent::Detected {
                id,
                code,
                series: trigger.series.iter().cloned().collect(),
                values: trigger.values.clone(),
            },
            (TriggerOrigin::Manual, None) => FeedEvent::Triggered {
                id,
                code,
                random: false,
                refired: false,
                values: trigger.values.clone(),
                stale_since: None,
            },
        };
        let who = self.author_of(trigger.origin);
        // At the console's clock: its detection, which the trigger's time (the first breaching
        // sample, or the alert's start) may precede.
        incident.log(now, who, IncidentEventKind::Opened, event);
        self.book.add(incident);
        self.publish_incidents();
        id
    }

    pub(super) fn trigger(&mut self, code: Option<String>, now: DateTime<Utc>) {
        let scenarios = self.board.scenarios.clone();
        if scenarios.is_empty() {
            return self.emit(now, FeedEvent::NoScenario { code: None });
        }
        let scenario = match &code {
            Some(code) => match scenarios.iter().find(|s| &s.code == code) {
                Some(s) => s.clone(),
                None => {
                    let code = Some(code.clone());
                    return self.emit(now, FeedEvent::NoScenario { code });
                }
            },
            None => {
                self.random_draws += 1;
                let pick = super::source::DemoSource::value(
                    self.seed ^ 0xA11E,
                    self.random_draws,
                    0,
                    crate::model::Metric::CpuUsage,
                );
                // value() is uniform in its band; rescale to an index.
                let u = ((pick - 0.35) / (0.72 - 0.35)).clamp(0.0, 0.999_999);
                scenarios[(u * scenarios.len() as f64) as usize].clone()
            }
        };
        let latest = self.board.latest.clone();
        let rules = self.rules.clone();
        // The rule that opens this runbook, or (a v0.1 runbook) the one its metric became.
        let rule = rules
            .iter()
            .find(|r| r.runbook.as_deref() == Some(scenario.code.as_str()))
            .or_else(|| {
                let id = scenario.metric?.rule_id();
                rules.iter().find(|r| r.id == id)
            });
        let trigger = self.trigger_from(latest.as_ref(), TriggerOrigin::Manual, rule, now);
        let trigger = Trigger { at: now, ..trigger };
        // A failing source leaves old values on screen; a trigger must not pass them off as now.
        let stale_since = match (&self.board.source, &latest) {
            (SourceStatus::Failing { .. }, Some(r)) => Some(r.at),
            _ => None,
        };
        let values = trigger.values.clone();
        let random = code.is_none();
        let code = scenario.code.clone();
        if let Some(id) = self.attach_refire(&scenario.code, &trigger) {
            let event = FeedEvent::Triggered {
                id,
                code,
                random,
                refired: true,
                values,
                stale_since,
            };
            self.emit(now, event);
        } else {
            let id = self.open_incident(scenario.clone(), trigger);
            let event = FeedEvent::Triggered {
                id,
                code,
                random,
                refired: false,
                values,
                stale_since,
            };
            self.announce_or_claim(
                id,
                Announce {
                    event,
                    notify: true,
                },
            );
        }
    }
}
