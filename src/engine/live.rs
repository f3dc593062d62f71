//! The live Prometheus source: a task that polls on its own schedule and reports to the engine
//! over a channel, so a slow or dead server never delays a command or a frame.
//!
//! The pure parts (turning query results into a reading, the backoff schedule) are separate
//! functions with unit tests; the task only sequences them.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use super::Clock;
use super::source::{splitmix64, unit};
use crate::integrations::prometheus::{PromClient, PromError, RangeSeries, SeriesValue};
use crate::model::{Metric, NodeReading, PrometheusSettings, Reading};

/// Longest wait between two attempts while the server is failing.
pub const BACKOFF_CAP_SECS: u64 = 60;

/// One instant query's outcome per metric, in [`Metric::ALL`] order.
pub type MetricResults = [Result<Vec<SeriesValue>, PromError>; 2];

/// What the live task reports.
#[derive(Debug)]
pub enum LiveEvent {
    /// History for the graphs, from a range query on (re)connect.
    Backfill {
        /// Which task run sent it (older runs' events are dropped).
        generation: u64,
        /// Per metric, the series, or why there are none.
        series: [Result<Vec<RangeSeries>, PromError>; 2],
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
        results: MetricResults,
        /// When the task tries again if this poll failed.
        retry_in: Option<Duration>,
    },
    /// The answer to "Verify recovery".
    Verify {
        /// When the queries were evaluated.
        at: DateTime<Utc>,
        /// What they returned.
        results: MetricResults,
    },
    /// The answer to the Prometheus tab's Test.
    Test {
        /// The server asked, without credentials.
        url: String,
        /// When.
        at: DateTime<Utc>,
        /// What each query returned, or the client could not be made.
        results: Result<MetricResults, PromError>,
    },
}

/// A reading built from both queries, and what was wrong with them.
#[derive(Clone, Debug, PartialEq)]
pub struct Assembled {
    /// The finite values, one node per series key; `None` when no query gave a finite value.
    pub reading: Option<Reading>,
    /// One sentence per problem, e.g. `http: the query returned no series`.
    pub problems: Vec<String>,
}

/// Merges the two queries' series into one reading. Non-finite values and empty results are
/// problems in words, never zeros; a series missing from one query is `None` there.
pub fn assemble(at: DateTime<Utc>, results: &MetricResults) -> Assembled {
    // One cause for both (the server is down): say it once.
    if let [Err(a), Err(b)] = results
        && a == b
    {
        return Assembled {
            reading: None,
            problems: vec![a.to_string()],
        };
    }
    let mut nodes: Vec<NodeReading> = Vec::new();
    let mut problems = Vec::new();
    for metric in Metric::ALL {
        let name = metric.short_name();
        let series = match &results[metric.index()] {
            Ok(s) => s,
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        if series.is_empty() {
            problems.push(format!("{name}: the query returned no series"));
            continue;
        }
        let mut bad = Vec::new();
        for s in series {
            if !s.value.is_finite() {
                bad.push(format!("{} is {}", s.key, prom_text(s.value)));
                continue;
            }
            let node = match nodes.iter_mut().find(|n| n.node == s.key) {
                Some(n) => n,
                None => {
                    nodes.push(NodeReading {
                        node: s.key.clone(),
                        http_error_rate: None,
                        cpu_usage: None,
                    });
                    nodes.last_mut().expect("just pushed")
                }
            };
            match metric {
                Metric::HttpErrorRate => node.http_error_rate = Some(s.value),
                Metric::CpuUsage => node.cpu_usage = Some(s.value),
            }
        }
        if !bad.is_empty() {
            let shown = bad.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
            let more = if bad.len() > 3 {
                format!(" and {} more", bad.len() - 3)
            } else {
                String::new()
            };
            problems.push(format!("{name}: {shown}{more} (no value, left out)"));
        }
    }
    nodes.sort_by(|a, b| a.node.cmp(&b.node));
    Assembled {
        reading: (!nodes.is_empty()).then_some(Reading { at, nodes }),
        problems,
    }
}

/// How Prometheus writes a value: `NaN`, `+Inf`, `-Inf` or the number.
pub fn prom_text(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{v:.4}")
    }
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
    /// The two queries, in [`Metric::ALL`] order.
    pub queries: [String; 2],
    /// Seconds between polls while healthy.
    pub poll_secs: u64,
    /// How far back the graphs reach.
    pub window_secs: u64,
    /// Which run this is.
    pub generation: u64,
}

impl LiveConfig {
    /// The config for `settings`, or why a client cannot be made.
    pub fn new(
        settings: &PrometheusSettings,
        poll_secs: u64,
        window_secs: u64,
        generation: u64,
    ) -> Result<Self, PromError> {
        Ok(Self {
            client: PromClient::new(settings)?,
            queries: [settings.http_query.clone(), settings.cpu_query.clone()],
            poll_secs,
            window_secs,
            generation,
        })
    }
}

/// Both instant queries at `at`, concurrently.
pub async fn query_both(
    client: &PromClient,
    queries: &[String; 2],
    at: DateTime<Utc>,
) -> MetricResults {
    let (http, cpu) = tokio::join!(client.query(&queries[0], at), client.query(&queries[1], at));
    [http, cpu]
}

/// The polling loop. Runs until aborted or until the engine stops listening.
pub async fn run(
    config: LiveConfig,
    clock: Arc<dyn Clock>,
    events: mpsc::UnboundedSender<LiveEvent>,
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
            let (http, cpu) = tokio::join!(
                client.query_range(&queries[0], from, now, step),
                client.query_range(&queries[1], from, now, step)
            );
            need_backfill = http.is_err() && cpu.is_err();
            if !need_backfill {
                let event = LiveEvent::Backfill {
                    generation,
                    series: [http, cpu],
                    from,
                };
                if events.send(event).is_err() {
                    return;
                }
            }
        }
        let results = query_both(&client, &queries, now).await;
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
        if events.send(event).is_err() {
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

    #[test]
    fn assemble_merges_series_and_names_every_problem() {
        let at = Utc::now();
        let results: MetricResults = [
            Ok(vec![sv("n2", 0.2), sv("n1", f64::NAN)]),
            Ok(vec![sv("n1", 0.5), sv("n3", f64::INFINITY)]),
        ];
        let a = assemble(at, &results);
        let r = a.reading.unwrap();
        assert_eq!(r.nodes.len(), 2);
        assert_eq!(r.nodes[0].node, "n1");
        assert_eq!(
            r.nodes[0].http_error_rate, None,
            "NaN is no value, not zero"
        );
        assert_eq!(r.nodes[0].cpu_usage, Some(0.5));
        assert_eq!(r.nodes[1].http_error_rate, Some(0.2));
        assert_eq!(
            a.problems,
            [
                "http: n1 is NaN (no value, left out)",
                "cpu: n3 is +Inf (no value, left out)"
            ]
        );

        let results: MetricResults = [
            Ok(vec![]),
            Err(PromError::Api {
                error_type: "bad_data".into(),
                error: "parse error".into(),
            }),
        ];
        let a = assemble(at, &results);
        assert_eq!(a.reading, None);
        assert_eq!(
            a.problems,
            [
                "http: the query returned no series",
                "cpu: Prometheus rejected the query (bad_data): parse error"
            ]
        );
        let down = || PromError::Timeout {
            url: "http://p".into(),
            secs: 5,
        };
        let a = assemble(at, &[Err(down()), Err(down())]);
        assert_eq!(
            a.problems,
            ["no answer from http://p within 5 s"],
            "said once"
        );
        let all_nan: MetricResults = [Ok(vec![sv("a", f64::NAN)]), Ok(vec![sv("a", f64::NAN)])];
        assert_eq!(assemble(at, &all_nan).reading, None);
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
