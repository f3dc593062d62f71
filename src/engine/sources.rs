//! Metric sources as the engine sees them: choosing demo or Prometheus, the live task's reports
//! (backfill, polls, failures and recoveries said once per change), Verify, and the Test
//! buttons of the Prometheus and Rules tabs.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::live::{self, LiveConfig, LiveEvent, RuleQuery, RuleResults};
use super::publish::{Backfill, HistoryOp};
use super::source::{DemoSource, demo_covers};
use super::{Engine, Input, PromTest, RuleTest, SourceStatus, Verification};
use crate::integrations::prometheus::{PromClient, PromError, RangeSeries};
use crate::model::{FeedEvent, PrometheusSettings, Reading, Rule, RuleValue, SourceDesc};

impl Engine {
    /// The lines a start ends with: the notifications the outbox still holds, and the start
    /// itself with what was restored.
    pub(super) fn say_started(&mut self, now: DateTime<Utc>, poll_secs: u64) {
        let waiting = self
            .notifier
            .outbox
            .jobs
            .iter()
            .filter(|j| j.state == crate::model::JobState::Queued)
            .count();
        let pending = self.notifier.outbox.pending().count();
        if waiting + pending > 0 {
            self.emit(now, FeedEvent::OutboxRestored { waiting, pending });
        }
        let active: Vec<(u64, String)> = self
            .book
            .all()
            .iter()
            .filter(|i| i.status.is_active())
            .map(|i| (i.id, i.scenario.code.clone()))
            .collect();
        let started = FeedEvent::Started {
            source: self.source_desc(),
            poll_secs,
            data_dir: self.store.dir().display().to_string(),
            restored: self.book.all().len(),
            active,
        };
        self.emit(now, started);
    }

    /// Where numbers come from, as events name it.
    pub(super) fn source_desc(&self) -> SourceDesc {
        match &self.board.source {
            SourceStatus::Demo { forced } => SourceDesc::Demo {
                forced: *forced,
                seed: self.seed,
            },
            SourceStatus::Live { url, .. } => SourceDesc::Live { url: url.clone() },
            SourceStatus::Failing { url, reason, .. } => SourceDesc::Failing {
                url: url.clone(),
                reason: reason.clone(),
            },
            SourceStatus::Off => SourceDesc::Off,
        }
    }

    /// Starts, keeps or stops sources to match the settings and rules in force.
    pub(super) fn select_source(&mut self, now: DateTime<Utc>) {
        let interval = self.poll_interval_secs();
        let window_secs = u64::from(self.settings.graph_window_mins.max(1)) * 60;
        let status = if self.force_demo || self.settings.demo_mode {
            self.live = None;
            if self.demo.is_none() {
                self.forget_source_data(interval);
                let demo = DemoSource::new(self.seed);
                let count = window_secs / interval;
                for r in demo.backfill(now, interval, count) {
                    // Graphs are never empty: the window's worth of calm demo history.
                    self.history_op(HistoryOp::Push(r));
                }
                self.demo = Some(demo);
                if count > 0 {
                    self.emit(now, FeedEvent::DemoBackfilled { samples: count });
                }
                let rules: Vec<String> = self
                    .rules
                    .iter()
                    .filter(|r| r.enabled && !demo_covers(&r.id))
                    .map(|r| r.id.clone())
                    .collect();
                if !rules.is_empty() {
                    self.emit(now, FeedEvent::DemoLacks { rules });
                }
            }
            SourceStatus::Demo {
                forced: self.force_demo,
            }
        } else {
            if self.demo.take().is_some() {
                self.forget_source_data(interval);
            }
            let p = self.settings.prometheus.clone();
            if p.base_url.trim().is_empty() {
                if self.live.take().is_some() {
                    self.forget_source_data(interval);
                }
                SourceStatus::Off
            } else {
                let key = LiveKey::new(&p, &self.rules, interval, window_secs);
                if self.live.as_ref().is_some_and(|l| l.key == key) {
                    return;
                }
                // Only the rules changed (one added, edited or removed): the same server's
                // windows and graphs stay, so the other rules neither re-fire nor lose history.
                let same_server = self.live.as_ref().is_some_and(|l| l.key.same_server(&key));
                self.live = None;
                if !same_server {
                    self.forget_source_data(interval);
                }
                self.generation += 1;
                match LiveConfig::new(&p, &self.rules, interval, window_secs, self.generation) {
                    Ok(config) => {
                        let url = config.client.url().to_string();
                        let run = LiveRun {
                            key,
                            generation: self.generation,
                            client: config.client.clone(),
                            queries: config.queries.clone(),
                            task: tokio::spawn(live::run(
                                config,
                                self.clock.clone(),
                                super::input::report(&self.inputs, Input::Live),
                            )),
                            last_good: None,
                            failing_since: None,
                            reported: Vec::new(),
                        };
                        self.live = Some(run);
                        SourceStatus::Live {
                            url,
                            last_good: None,
                            problems: Vec::new(),
                        }
                    }
                    Err(e) => {
                        let reason = e.to_string();
                        self.emit(now, FeedEvent::SourceUnusable { reason });
                        SourceStatus::Failing {
                            url: p.base_url.trim().to_string(),
                            since: now,
                            reason: e.to_string(),
                            last_good: None,
                            retry_at: None,
                        }
                    }
                }
            }
        };
        self.board_mut().source = status;
        self.publish_unsourced();
    }

    /// Says which enabled rules the current source cannot answer.
    pub(super) fn publish_unsourced(&mut self) {
        let demo = self.demo.is_some();
        let unsourced = self
            .rules
            .iter()
            .filter(|r| r.enabled && demo && !demo_covers(&r.id))
            .map(|r| r.id.clone())
            .collect();
        self.board_mut().unsourced = unsourced;
    }

    /// Drops what the previous source left: its windows say nothing about the next source, and
    /// its series must not share a graph with the next one's.
    pub(super) fn forget_source_data(&mut self, poll_interval_secs: u64) {
        self.detector = crate::detect::Detector::new();
        self.history_op(HistoryOp::Reset { poll_interval_secs });
        let board = self.board_mut();
        board.latest = None;
        board.flapping.clear();
    }

    /// Handles a report of a live task (or of a one-off Verify or Test).
    pub(super) fn on_live(&mut self, event: LiveEvent) {
        let current = self.live.as_ref().map(|l| l.generation);
        match event {
            LiveEvent::Backfill {
                generation,
                series,
                from,
            } if Some(generation) == current => self.on_backfill(series, from),
            LiveEvent::Poll {
                generation,
                at,
                results,
                retry_in,
            } if Some(generation) == current => self.on_poll(at, &results, retry_in),
            LiveEvent::Backfill { .. } | LiveEvent::Poll { .. } => {
                // From a task that was replaced: its server is no longer ours.
            }
            LiveEvent::Verify { at, results } => {
                let assembled = live::assemble(at, &results);
                match assembled.reading {
                    Some(reading) => self.record_verification(&reading, at),
                    None => {
                        let source = self.source_desc();
                        let reason = assembled.problems.join("; ");
                        self.emit(at, FeedEvent::VerifyImpossible { source, reason });
                    }
                }
            }
            LiveEvent::Test {
                url,
                at,
                results,
                for_rule,
            } => self.on_test(url, at, results, for_rule),
        }
    }

    fn on_test(
        &mut self,
        url: String,
        at: DateTime<Utc>,
        results: Result<RuleResults, PromError>,
        for_rule: bool,
    ) {
        let event = FeedEvent::PromTested {
            url: url.clone(),
            results: match &results {
                Err(e) => Err(e.to_string()),
                Ok(r) => Ok(r
                    .iter()
                    .map(|(rule, res)| {
                        let n = res.as_ref().map(Vec::len).map_err(|e| e.to_string());
                        (rule.clone(), n)
                    })
                    .collect()),
            },
        };
        let results = results.map_err(|e| e.to_string()).map(|r| {
            r.into_iter()
                .map(|(rule, res)| {
                    let series = res
                        .map(|s| s.into_iter().map(|v| (v.key, v.value)).collect())
                        .map_err(|e| e.to_string());
                    (rule, series)
                })
                .collect()
        });
        let done = PromTest::Done { url, at, results };
        if for_rule {
            self.board_mut().rule_test = Some(RuleTest(done));
        } else {
            self.board_mut().prometheus_test = Some(done);
            self.emit(at, event);
        }
    }

    fn on_backfill(
        &mut self,
        series: Vec<(String, Result<Vec<RangeSeries>, PromError>)>,
        from: DateTime<Utc>,
    ) {
        let url = self
            .live
            .as_ref()
            .map_or("", |l| l.client.url())
            .to_string();
        // Which points are new is known only against the graphs, so publishing adds them and
        // says how many.
        let at = self.clock.now();
        self.history_op(HistoryOp::Backfill(Backfill {
            url,
            from,
            at,
            series,
        }));
    }

    fn on_poll(&mut self, at: DateTime<Utc>, results: &RuleResults, retry_in: Option<Duration>) {
        let assembled = live::assemble(at, results);
        let Some(run) = self.live.as_mut() else {
            return;
        };
        let url = run.client.url().to_string();
        let mut events: Vec<FeedEvent> = Vec::new();
        let status = match assembled.reading {
            Some(reading) => {
                if let Some(since) = run.failing_since.take() {
                    events.push(FeedEvent::SourceBack {
                        url: url.clone(),
                        after_secs: (at - since).num_seconds(),
                    });
                    run.reported.clear();
                } else if run.last_good.is_none() {
                    let series = run
                        .queries
                        .iter()
                        .map(|q| (q.rule.clone(), reading.of(&q.rule).count()))
                        .collect();
                    events.push(FeedEvent::Connected {
                        url: url.clone(),
                        series,
                        poll_secs: run.key.poll_secs,
                    });
                }
                run.last_good = Some(at);
                if assembled.problems != run.reported {
                    if assembled.problems.is_empty() {
                        events.push(FeedEvent::QueriesHealthy { url: url.clone() });
                    } else {
                        events.push(FeedEvent::QueryProblems {
                            url: url.clone(),
                            problems: assembled.problems.clone(),
                        });
                    }
                    run.reported = assembled.problems.clone();
                }
                let status = SourceStatus::Live {
                    url,
                    last_good: Some(at),
                    problems: assembled.problems,
                };
                self.board_mut().source = status;
                for event in events.drain(..) {
                    self.emit(at, event);
                }
                self.ingest(reading);
                return;
            }
            None => {
                let since = *run.failing_since.get_or_insert(at);
                let reason = assembled.problems.join("; ");
                if assembled.problems != run.reported {
                    events.push(FeedEvent::SourceFailing {
                        url: url.clone(),
                        reason: reason.clone(),
                        had_values: run.last_good.is_some(),
                        backoff_cap_secs: live::BACKOFF_CAP_SECS.max(run.key.poll_secs),
                    });
                    run.reported = assembled.problems;
                }
                SourceStatus::Failing {
                    url,
                    since,
                    reason,
                    last_good: run.last_good,
                    retry_at: retry_in
                        .and_then(|d| chrono::Duration::from_std(d).ok())
                        .map(|d| at + d),
                }
            }
        };
        self.board_mut().source = status;
        for event in events {
            self.emit(at, event);
        }
    }

    pub(super) fn verify(&mut self, now: DateTime<Utc>) {
        if let Some(run) = &self.live {
            // The answer comes back as an event: the engine never waits on the network.
            let (client, queries, tx) =
                (run.client.clone(), run.queries.clone(), self.inputs.clone());
            let clock = self.clock.clone();
            tokio::spawn(async move {
                let at = clock.now();
                let results = live::query_all(&client, &queries, at).await;
                let _ = tx.send(Input::Live(LiveEvent::Verify { at, results }));
            });
            return;
        }
        let reading = self.demo.as_ref().map(|demo| demo.current_reading(now));
        let Some(reading) = reading else {
            let source = self.source_desc();
            let reason = String::new();
            return self.emit(now, FeedEvent::VerifyImpossible { source, reason });
        };
        self.record_verification(&reading, now);
    }

    /// Judges `reading` against every enabled rule it covers and says so in the feed.
    fn record_verification(&mut self, reading: &Reading, now: DateTime<Utc>) {
        let checks: Vec<RuleValue> = self
            .rules
            .iter()
            .filter(|r| r.enabled && reading.covers(&r.id))
            .map(|r| rule_value(r, reading))
            .collect();
        let v = Verification {
            at: now,
            recovered: !checks.is_empty()
                && checks.iter().all(|c| c.value.is_some() && !c.in_breach()),
            checks,
        };
        let event = v.event();
        self.board_mut().last_verification = Some(v);
        self.log_verification(now, &event);
        self.emit(now, event);
    }

    pub(super) fn test_prometheus(&mut self, settings: PrometheusSettings) {
        // The built-in rules as these (unsaved) settings would tune them, plus every other rule.
        let rules = crate::rules::effective(&self.rule_load, &settings);
        let url = self.spawn_test(&settings, RuleQuery::of(&rules), false);
        self.board_mut().prometheus_test = Some(PromTest::Running { url });
    }

    /// The Rules tab's Test: one run of `rule`'s query against the Prometheus in force.
    pub(super) fn test_rule(&mut self, rule: Rule) {
        let settings = self.settings.prometheus.clone();
        if settings.base_url.trim().is_empty() {
            let done = PromTest::Done {
                url: String::new(),
                at: self.clock.now(),
                results: Err(
                    "no Prometheus is set (Settings → Prometheus); the demo source has data only for the two built-in rules"
                        .into(),
                ),
            };
            self.board_mut().rule_test = Some(RuleTest(done));
            return;
        }
        let query = RuleQuery {
            rule: rule.id.clone(),
            query: rule.query.clone(),
            series_label: rule.series_label.clone(),
        };
        let url = self.spawn_test(&settings, vec![query], true);
        self.board_mut().rule_test = Some(RuleTest(PromTest::Running { url }));
    }

    fn spawn_test(
        &mut self,
        settings: &PrometheusSettings,
        queries: Vec<RuleQuery>,
        for_rule: bool,
    ) -> String {
        let tx = self.inputs.clone();
        let clock = self.clock.clone();
        let client = PromClient::new(settings);
        let url = client.as_ref().map_or_else(
            |_| settings.base_url.trim().to_string(),
            |c| c.url().to_string(),
        );
        let shown = url.clone();
        tokio::spawn(async move {
            let results = match client {
                Ok(client) => Ok(live::query_all(&client, &queries, clock.now()).await),
                Err(e) => Err(e),
            };
            let _ = tx.send(Input::Live(LiveEvent::Test {
                url,
                at: clock.now(),
                results,
                for_rule,
            }));
        });
        shown
    }
}

/// `rule`'s worst value in `reading`, against its threshold.
pub(super) fn rule_value(rule: &Rule, reading: &Reading) -> RuleValue {
    let worst = reading.worst(rule);
    RuleValue {
        rule: rule.id.clone(),
        title: rule.title.clone(),
        unit: rule.unit,
        comparison: rule.comparison,
        threshold: rule.threshold,
        value: worst.map(|(_, v)| v),
        series: worst.map(|(s, _)| s.to_string()),
    }
}

/// What a live task is polling with; a new one starts only when this changes.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct LiveKey {
    prometheus: PrometheusSettings,
    queries: Vec<RuleQuery>,
    poll_secs: u64,
    window_secs: u64,
}

impl LiveKey {
    pub(super) fn new(
        p: &PrometheusSettings,
        rules: &[Rule],
        poll_secs: u64,
        window_secs: u64,
    ) -> Self {
        // Thresholds are the engine's business, and queries are the rules': changing a
        // threshold must not restart polling.
        let prometheus = PrometheusSettings {
            http_threshold: 0.0,
            cpu_threshold: 0.0,
            http_query: String::new(),
            cpu_query: String::new(),
            series_label: String::new(),
            ..p.clone()
        };
        Self {
            prometheus,
            queries: RuleQuery::of(rules),
            poll_secs,
            window_secs,
        }
    }

    /// Whether both keys poll the same server the same way (only the rules differ).
    pub(super) fn same_server(&self, other: &LiveKey) -> bool {
        self.prometheus == other.prometheus
            && self.poll_secs == other.poll_secs
            && self.window_secs == other.window_secs
    }
}

/// The running live task and what the engine remembers about its health.
pub(super) struct LiveRun {
    key: LiveKey,
    generation: u64,
    client: PromClient,
    queries: Vec<RuleQuery>,
    task: tokio::task::JoinHandle<()>,
    last_good: Option<DateTime<Utc>>,
    failing_since: Option<DateTime<Utc>>,
    /// What the feed last said about this source's problems, so it speaks once per change.
    reported: Vec<String>,
}

impl Drop for LiveRun {
    fn drop(&mut self) {
        self.task.abort();
    }
}
