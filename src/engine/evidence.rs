//! Live evidence: when an incident opens, each runbook evidence item that carries a PromQL
//! check is run on the configured Prometheus (each with its own timeout) and marked observed,
//! not observed or could not check, with the value and the time. In demo mode the demo source
//! answers the queries it can honestly answer (its rules' own queries) from its latest sample.
//! The AI analysis waits for the checks, so their results are among its facts.

use chrono::{DateTime, Utc};

use super::analyst::AnalysisEvent;
use super::{Engine, Input};
use crate::integrations::prometheus::PromClient;
use crate::model::{Author, CheckResult, EvidenceCheck, FeedEvent, IncidentEventKind};

impl Engine {
    /// Starts the live checks of incident `id`; analyses it once they are all back (at once
    /// when there are none).
    pub(super) fn check_evidence(&mut self, id: u64, now: DateTime<Utc>) {
        let Some(inc) = self.book.find(id) else {
            return;
        };
        let evidence = &inc.scenario.evidence;
        let checks: Vec<(usize, EvidenceCheck)> = evidence
            .iter()
            .enumerate()
            .filter_map(|(i, e)| Some((i, e.check.clone()?)))
            .collect();
        if checks.is_empty() {
            return self.analyse(id, false, now);
        }
        let slots = evidence.len();
        if let Some(inc) = self.incident_mut(id) {
            inc.checks = vec![None; slots];
        }
        if self.demo.is_some() {
            let latest = self.board.latest.clone();
            let rules = self.rules.clone();
            for (i, check) in checks {
                let rule = rules.iter().find(|r| r.query.trim() == check.query.trim());
                let result = match (rule, &latest) {
                    (Some(_), None) => {
                        CheckResult::failed(now, "the demo source has no sample yet".into())
                    }
                    (Some(rule), Some(latest)) => {
                        let values: Vec<(String, f64)> = latest
                            .of(&rule.id)
                            .map(|sv| (sv.series.clone(), sv.value))
                            .collect();
                        CheckResult::judge(check.expect, &values, latest.at, "demo".into())
                    }
                    (None, _) => CheckResult::failed(
                        now,
                        format!(
                            "the demo source answers only its rules' queries ({}), not `{}`",
                            rules
                                .iter()
                                .filter(|r| latest.as_ref().is_some_and(|l| l.covers(&r.id)))
                                .map(|r| r.query.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                            check.query
                        ),
                    ),
                };
                self.set_check(id, i, result);
            }
            self.publish_incidents();
            return self.analyse(id, false, now);
        }
        for (i, check) in checks {
            let mut settings = self.settings.prometheus.clone();
            settings.timeout_secs = check.timeout_secs.clamp(1, 120);
            let tx = self.inputs.clone();
            let client = PromClient::new(&settings);
            tokio::spawn(async move {
                let result = match client {
                    Err(e) => CheckResult::failed(now, e.to_string()),
                    Ok(client) => match client.query(&check.query, now).await {
                        Ok(values) => {
                            let values: Vec<(String, f64)> =
                                values.into_iter().map(|v| (v.key, v.value)).collect();
                            CheckResult::judge(check.expect, &values, now, client.url().to_string())
                        }
                        Err(e) => CheckResult::failed(now, e.to_string()),
                    },
                };
                let event = AnalysisEvent::Checked {
                    incident: id,
                    index: i,
                    result,
                };
                let _ = tx.send(Input::Analysis(event));
            });
        }
        self.publish_incidents();
    }

    /// Keeps a live check's result in its slot, and says it on the timeline (by whoever
    /// answered it: the console asked).
    pub(super) fn set_check(&mut self, id: u64, index: usize, result: CheckResult) {
        // When the console learned it (the result keeps the sample's own time).
        let now = self.clock.now();
        let Some(inc) = self.incident_mut(id) else {
            return;
        };
        let Some(slot) = inc.checks.get_mut(index) else {
            return;
        };
        let event = FeedEvent::EvidenceChecked {
            id,
            evidence: index,
            state: result.state,
            value: result.value,
            series: result.series.clone(),
            detail: result.detail.clone(),
        };
        *slot = Some(result);
        inc.log(now, Author::Console, IncidentEventKind::Checked, event);
    }
}
