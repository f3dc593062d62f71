//! The live Prometheus source: a task that polls on its own schedule and reports to the engine
//! over a channel, so a slow or dead server never delays a command or a frame.
//!
//! The pure parts (turning query results into a reading, the backoff schedule) are separate
//! functions with unit tests; the task only sequences them.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Clock;
use super::source::{splitmix64, unit};
use crate::integrations::prometheus::{PromClient, PromError, RangeSeries, SeriesValue};
use crate::model::{PrometheusSettings, Reading, Rule, RuleId, prom_number};

/// Longest wait between two attempts while the server is failing.
pub const BACKOFF_CAP_SECS: u64 = 60;

/// One rule's query as the live task runs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleQuery {
    /// The rule.
    pub rule: RuleId,
    /// Its PromQL.
    pub query: String,
    /// The label that names its series.
    pub series_label: String,
}

impl RuleQuery {
    /// The queries of every enabled rule, in rule order.
    pub fn of(rules: &[Rule]) -> Vec<RuleQuery> {
        rules
            .iter()
            .filter(|r| r.enabled)
            .map(|r| RuleQuery {
                rule: r.id.clone(),
                query: r.query.clone(),
                series_label: r.series_label.clone(),
            })
            .collect()
    }
}

/// One instant query's outcome per rule, in rule order.
pub type RuleResults = Vec<(RuleId, Result<Vec<SeriesValue>, PromError>)>;

/// What the live task reports.
#[derive(Debug)]
pub enum LiveEvent {
    /// History for the graphs, from a range query on (re)connect.
    Backfill {
        /// Which task run sent it (older runs' events are dropped).
        generation: u64,
        /// Per rule, the series, or why there are none.
        series: Vec<(RuleId, Result<Vec<RangeSeries>, PromError>)>,
        /// Start of the range.
        from: DateTime<Utc>,
    },
    /// One scheduled poll.
    Poll {
        /// Which task run sent it.
        generation: u64,
        /// When the queries were evaluated.
        at: DateTime<Utc>,
        /// What they returned.
        results: RuleResults,
        /// When the task tries again if this poll failed.
        retry_in: Option<Duration>,
    },
    /// The answer to "Verify recovery".
    Verify {
        /// When the queries were evaluated.
        at: DateTime<Utc>,
        /// What they returned.
        results: RuleResults,
    },
    /// The answer to a Test button (the Prometheus tab's, or the Rules tab's).
    Test {
        /// The server asked, without credentials.
        url: String,
        /// When.
        at: DateTime<Utc>,
        /// What each query returned, or the client could not be made.
        results: Result<RuleResults, PromError>,
        /// Whether the Rules tab asked (otherwise the Prometheus tab).
        for_rule: bool,
    },
}

/// A reading built from every rule's query, and what was wrong with them.
#[derive(Clone, Debug, PartialEq)]
pub struct Assembled {
    /// The finite values; `None` when no query was answered at all.
    pub reading: Option<Reading>,
    /// One sentence per problem, e.g. `http_error_rate: the query returned no series`.
    pub problems: Vec<String>,
}

/// Merges the queries' series into one reading. Non-finite values are problems in words,
/// never zeros. A rule whose query was answered is covered even with no series (its series
/// are then missing); a failed query, or one whose every value is NaN or infinite, leaves its
/// rule uncovered. No covered rule at all is no reading: the source is failing.
pub fn assemble(at: DateTime<Utc>, results: &RuleResults) -> Assembled {
    // One cause for every query (the server is down): say it once.
    if let Some((_, Err(first))) = results.first()
        && results.len() > 1
        && results.iter().all(|(_, r)| r.as_ref().err() == Some(first))
    {
        return Assembled {
            reading: None,
            problems: vec![first.to_string()],
        };
    }
    let mut reading = Reading {
        at,
        ..Reading::default()
    };
    let mut problems = Vec::new();
    // No rules at all: nothing to ask, which is not a failure.
    let mut answered = results.is_empty();
    for (rule, result) in results {
        let series = match result {
            Ok(s) => s,
            Err(e) => {
                problems.push(format!("{rule}: {e}"));
                continue;
            }
        };
        if series.is_empty() {
            // An empty answer is an answer: the rule has no series now (`up < 1` when all is
            // well, or every series of a rule gone).
            answered = true;
            reading.covered.push(rule.clone());
            problems.push(format!("{rule}: the query returned no series"));
            continue;
        }
        let mut bad = Vec::new();
        let mut good: Vec<crate::model::SeriesValue> = Vec::new();
        for s in series {
            if !s.value.is_finite() {
                bad.push(format!("{} is {}", s.key, prom_text(s.value)));
                continue;
            }
            good.push(crate::model::SeriesValue {
                rule: rule.clone(),
                series: s.key.clone(),
                value: s.value,
            });
        }
        good.sort_by(|a, b| a.series.cmp(&b.series));
        // Series that are all NaN say nothing about health: the rule stays uncovered (its
        // windows untouched, its last values stale) rather than counting as clean.
        if !good.is_empty() {
            answered = true;
            reading.covered.push(rule.clone());
            reading.values.extend(good);
        }
        if !bad.is_empty() {
            let shown = bad.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
            let more = if bad.len() > 3 {
                format!(" and {} more", bad.len() - 3)
            } else {
                String::new()
            };
            problems.push(format!("{rule}: {shown}{more} (no value, left out)"));
        }
    }
    Assembled {
        reading: answered.then_some(reading),
        problems,
    }
}

/// How Prometheus writes a value: `NaN`, `+Inf`, `-Inf` or the number.
pub fn prom_text(v: f64) -> String {
    prom_number(v)
}

/// The wait before attempt number `failures + 1`: the poll interval doubled per failure, capped,
/// then scaled by a jitter factor between 0.5 and 1 (`unit` is uniform in [0, 1)), so many
/// consoles watching one server do not retry in step.
pub fn backoff_delay(failures: u32, poll_secs: u64, cap_secs: u64, unit: f64) -> Duration {
    let base = poll_secs.max(1) as f64;
    let cap = cap_secs.max(poll_secs) as f64;
    let exp = base * 2f64.powi(failures.saturating_sub(1).min(30) as i32);
    Duration::from_secs_f64(exp.min(cap) * (0.5 + 0.5 * unit.clamp(0.0, 1.0)))
}

/// The range-query step that keeps a backfill under about 1000 points per series (Prometheus
/// refuses more than 11000), and never finer than the poll interval.
pub fn backfill_step_secs(window_secs: u64, poll_secs: u64) -> u64 {
    poll_secs.max(1).max(window_secs.div_ceil(1000))
}

/// What a live task needs.
pub struct LiveConfig {
    /// The client.
    pub client: PromClient,
    /// Every enabled rule's query, in rule order.
    pub queries: Vec<RuleQuery>,
    /// Seconds between polls while healthy.
    pub poll_secs: u64,
    /// How far back the graphs reach.
    pub window_secs: u64,
    /// Which run this is.
    pub generation: u64,
}

impl LiveConfig {
    /// The config for `settings` and `rules`, or why a client cannot be made.
    pub fn new(
        settings: &PrometheusSettings,
        rules: &[Rule],
        poll_secs: u64,
        window_secs: u64,
        generation: u64,
    ) -> Result<Self, PromError> {
        Ok(Self {
            client: PromClient::new(settings)?,
            queries: RuleQuery::of(rules),
            poll_secs,
            window_secs,
            generation,
        })
    }
}

/// Every rule's instant query at `at`, concurrently.
pub async fn query_all(
    client: &PromClient,
    queries: &[RuleQuery],
    at: DateTime<Utc>,
) -> RuleResults {
    let answers = futures_join_all(
        queries
            .iter()
            .map(|q| client.query_as(&q.query, &q.series_label, at)),
    )
    .await;
    queries
        .iter()
        .map(|q| q.rule.clone())
        .zip(answers)
        .collect()
}

/// Runs futures concurrently on this task and collects their outputs in order. A few rules'
/// queries need no more than this; it saves a dependency on the `futures` crate.
async fn futures_join_all<F: std::future::Future>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut out: Vec<Option<F::Output>> = set.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (slot, fut) in out.iter_mut().zip(set.iter_mut()) {
            if slot.is_none() {
                match fut.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter()
        .map(|v| v.expect("every future finished"))
        .collect()
}

/// The polling loop. Runs until aborted or until the engine stops listening.
pub async fn run(
    config: LiveConfig,
    clock: Arc<dyn Clock>,
    events: super::report::Report<LiveEvent>,
) {
    let LiveConfig {
        client,
        queries,
        poll_secs,
        window_secs,
        generation,
    } = config;
    let mut failures = 0u32;
    let mut last_good: Option<DateTime<Utc>> = None;
    let mut need_backfill = true;
    let mut jitter = clock.now().timestamp_subsec_nanos() as u64 ^ generation.rotate_left(17);
    loop {
        let now = clock.now();
        if need_backfill {
            let window_start = now - chrono::Duration::seconds(window_secs as i64);
            // On reconnect, fill only the gap since the last good sample.
            let from = last_good.map_or(window_start, |t| t.max(window_start));
            let step = backfill_step_secs(window_secs, poll_secs);
            let answers = futures_join_all(
                queries
                    .iter()
                    .map(|q| client.query_range_as(&q.query, &q.series_label, from, now, step)),
            )
            .await;
            need_backfill = !answers.is_empty() && answers.iter().all(Result::is_err);
            if !need_backfill {
                let event = LiveEvent::Backfill {
                    generation,
                    series: queries
                        .iter()
                        .map(|q| q.rule.clone())
                        .zip(answers)
                        .collect(),
                    from,
                };
                if !events(event) {
                    return;
                }
            }
        }
        let results = query_all(&client, &queries, now).await;
        let good = assemble(now, &results).reading.is_some();
        let delay = if good {
            failures = 0;
            last_good = Some(now);
            Duration::from_secs(poll_secs.max(1))
        } else {
            failures += 1;
            need_backfill = true;
            jitter = splitmix64(jitter);
            backoff_delay(failures, poll_secs, BACKOFF_CAP_SECS, unit(jitter))
        };
        let event = LiveEvent::Poll {
            generation,
            at: now,
            results,
            retry_in: (!good).then_some(delay),
        };
        if !events(event) {
            return;
        }
        tokio::time::sleep(delay).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sv(key: &str, value: f64) -> SeriesValue {
        SeriesValue {
            key: key.into(),
            value,
        }
    }

    fn results(
        http: Result<Vec<SeriesValue>, PromError>,
        cpu: Result<Vec<SeriesValue>, PromError>,
    ) -> RuleResults {
        vec![("http_error_rate".into(), http), ("cpu_usage".into(), cpu)]
    }

    #[test]
    fn assemble_merges_series_and_names_every_problem() {
        let at = Utc::now();
        let a = assemble(
            at,
            &results(
                Ok(vec![sv("n2", 0.2), sv("n1", f64::NAN)]),
                Ok(vec![sv("n1", 0.5), sv("n3", f64::INFINITY)]),
            ),
        );
        let r = a.reading.unwrap();
        assert_eq!(r.values.len(), 2);
        assert_eq!(
            r.of("http_error_rate").count(),
            1,
            "NaN is no value, not zero"
        );
        assert_eq!(r.max("http_error_rate"), Some(("n2", 0.2)));
        assert_eq!(r.max("cpu_usage"), Some(("n1", 0.5)));
        assert_eq!(
            a.problems,
            [
                "http_error_rate: n1 is NaN (no value, left out)",
                "cpu_usage: n3 is +Inf (no value, left out)"
            ]
        );

        let a = assemble(
            at,
            &results(
                Ok(vec![]),
                Err(PromError::Api {
                    error_type: "bad_data".into(),
                    error: "parse error".into(),
                }),
            ),
        );
        let r = a.reading.expect("an empty answer is an answer");
        assert!(r.covers("http_error_rate"), "its series are missing now");
        assert!(!r.covers("cpu_usage"), "a failed query says nothing");
        assert_eq!(
            a.problems,
            [
                "http_error_rate: the query returned no series",
                "cpu_usage: Prometheus rejected the query (bad_data): parse error"
            ]
        );
        let down = || PromError::Timeout {
            url: "http://p".into(),
            secs: 5,
        };
        let a = assemble(at, &results(Err(down()), Err(down())));
        assert_eq!(a.reading, None);
        assert_eq!(
            a.problems,
            ["no answer from http://p within 5 s"],
            "said once"
        );
    }

    #[test]
    fn backoff_doubles_is_capped_and_jittered() {
        let d = |f, u| backoff_delay(f, 5, 60, u).as_secs_f64();
        assert_eq!(d(1, 1.0), 5.0);
        assert_eq!(d(2, 1.0), 10.0);
        assert_eq!(d(3, 1.0), 20.0);
        assert_eq!(d(5, 1.0), 60.0, "capped");
        assert_eq!(d(500, 1.0), 60.0, "no overflow");
        assert_eq!(d(5, 0.0), 30.0, "jitter takes up to half off");
        // A poll interval longer than the cap is never shortened by backing off.
        assert_eq!(backoff_delay(3, 120, 60, 1.0).as_secs(), 120);
    }

    #[test]
    fn backfill_step_keeps_points_bounded() {
        assert_eq!(backfill_step_secs(900, 5), 5);
        assert_eq!(backfill_step_secs(24 * 3600, 1), 87);
        assert_eq!(backfill_step_secs(60, 0), 1);
    }
}
