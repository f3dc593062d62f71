//! Metric sources. The demo source is deterministic: sample `k` of seed `s` is always the same,
//! so tests and screenshots are reproducible.

use chrono::{DateTime, Utc};

use crate::model::{Metric, Reading, SeriesValue};

/// The demo's two signals, in card order; each is the built-in rule of the same id.
pub const DEMO_SIGNALS: [Metric; 2] = [Metric::HttpErrorRate, Metric::CpuUsage];

/// Whether the demo has data for `rule`: only the built-in rules' ids. Any other rule shows
/// "no demo data for this query" rather than invented numbers.
pub fn demo_covers(rule: &str) -> bool {
    DEMO_SIGNALS.iter().any(|m| m.rule_id() == rule)
}

/// The demo's nodes.
pub const DEMO_NODES: [&str; 3] = ["edge-node-01", "edge-node-02", "edge-node-03"];

/// Samples per demo cycle: one short burst, then a clean stretch.
pub const DEMO_PERIOD: u64 = 12;
/// Offsets within a cycle that are anomalous. Three clean samples lead in, and seven follow,
/// which is more than the five the detection window needs to clear.
pub const DEMO_BURST: std::ops::Range<u64> = 3..5;

/// Deterministic, seeded stand-in for Prometheus.
///
/// Cycle `c` (of [`DEMO_PERIOD`] samples) has a two-sample burst on node `c % 3` of the HTTP
/// error rate when `c` is even and of CPU usage when `c` is odd, so nodes rotate and the two
/// metrics alternate. At 1 s polling the HTTP breach opens at 3 s, clears at 9 s, CPU opens at
/// 15 s, clears at 21 s, HTTP re-fires at 27 s and CPU at 39 s.
#[derive(Clone, Debug)]
pub struct DemoSource {
    seed: u64,
    index: u64,
}

impl DemoSource {
    /// A source that starts at sample 0.
    pub fn new(seed: u64) -> Self {
        Self { seed, index: 0 }
    }

    /// The next reading, stamped `at`.
    pub fn next_reading(&mut self, at: DateTime<Utc>) -> Reading {
        let reading = Self::reading_at(self.seed, self.index, at);
        self.index += 1;
        reading
    }

    /// The values of the most recent sample (what "read the current values now" means for the
    /// demo), stamped `at`; before the first poll it is sample 0.
    pub fn current_reading(&self, at: DateTime<Utc>) -> Reading {
        Self::reading_at(self.seed, self.index.saturating_sub(1), at)
    }

    /// Sample `index` of `seed`, without advancing anything.
    pub fn reading_at(seed: u64, index: u64, at: DateTime<Utc>) -> Reading {
        Self::reading_with(at, |n, m| Self::value(seed, index, n, m))
    }

    /// A reading of both signals on every node, valued by `value(node, signal)`.
    fn reading_with(at: DateTime<Utc>, value: impl Fn(usize, Metric) -> f64) -> Reading {
        let mut values = Vec::with_capacity(DEMO_SIGNALS.len() * DEMO_NODES.len());
        for metric in DEMO_SIGNALS {
            for (n, name) in DEMO_NODES.iter().enumerate() {
                values.push(SeriesValue {
                    rule: metric.rule_id().to_string(),
                    series: (*name).to_string(),
                    value: value(n, metric),
                });
            }
        }
        Reading {
            at,
            values,
            covered: DEMO_SIGNALS
                .iter()
                .map(|m| m.rule_id().to_string())
                .collect(),
        }
    }

    /// Whether sample `index` is anomalous for `metric` on node number `node`.
    pub fn is_anomalous(index: u64, node: usize, metric: Metric) -> bool {
        let cycle = index / DEMO_PERIOD;
        let burst_metric = if cycle.is_multiple_of(2) {
            Metric::HttpErrorRate
        } else {
            Metric::CpuUsage
        };
        DEMO_BURST.contains(&(index % DEMO_PERIOD))
            && (cycle % DEMO_NODES.len() as u64) as usize == node
            && burst_metric == metric
    }

    /// The value of one metric on one node at sample `index`.
    pub fn value(seed: u64, index: u64, node: usize, metric: Metric) -> f64 {
        let anomalous = Self::is_anomalous(index, node, metric);
        Self::value_in_band(seed, index, node, metric, anomalous)
    }

    /// Calm readings for the `count` polls before `end`, oldest first, so the sparklines start
    /// full. They hold no bursts: the monitor was not watching then, and history should not
    /// show breaches that opened no incident.
    pub fn backfill(&self, end: DateTime<Utc>, interval_secs: u64, count: u64) -> Vec<Reading> {
        let seed = self.seed ^ 0xBAC4_F111;
        (1..=count)
            .rev()
            .map(|back| {
                let at = end - chrono::Duration::seconds((back * interval_secs) as i64);
                Self::reading_with(at, |n, m| Self::value_in_band(seed, back, n, m, false))
            })
            .collect()
    }

    fn value_in_band(seed: u64, index: u64, node: usize, metric: Metric, anomalous: bool) -> f64 {
        let salt = (node as u64) << 1 | signal_index(metric) as u64;
        let u = unit(splitmix64(
            seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15)
                ^ salt.wrapping_mul(0xD6E8_FEB8_6659_FD93),
        ));
        let (lo, hi) = match (metric, anomalous) {
            (Metric::HttpErrorRate, false) => (0.01, 0.035),
            (Metric::HttpErrorRate, true) => (0.08, 0.15),
            (Metric::CpuUsage, false) => (0.35, 0.72),
            (Metric::CpuUsage, true) => (0.82, 0.95),
        };
        lo + (hi - lo) * u
    }
}

fn signal_index(metric: Metric) -> usize {
    match metric {
        Metric::HttpErrorRate => 0,
        Metric::CpuUsage => 1,
    }
}

/// SplitMix64: a fast, well-mixed 64-bit step, for seeded values and retry jitter.
pub(crate) fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Maps 64 random bits onto [0, 1).
pub(crate) fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_stay_in_their_bands_and_are_deterministic() {
        for index in 0..500 {
            for node in 0..3 {
                let h = DemoSource::value(7, index, node, Metric::HttpErrorRate);
                let c = DemoSource::value(7, index, node, Metric::CpuUsage);
                assert_eq!(h, DemoSource::value(7, index, node, Metric::HttpErrorRate));
                if DemoSource::is_anomalous(index, node, Metric::HttpErrorRate) {
                    assert!((0.08..=0.15).contains(&h), "{h}");
                } else {
                    assert!((0.01..=0.035).contains(&h), "{h}");
                }
                if DemoSource::is_anomalous(index, node, Metric::CpuUsage) {
                    assert!((0.82..=0.95).contains(&c), "{c}");
                } else {
                    assert!((0.35..=0.72).contains(&c), "{c}");
                }
            }
        }
        assert_ne!(
            DemoSource::value(1, 0, 0, Metric::CpuUsage),
            DemoSource::value(2, 0, 0, Metric::CpuUsage),
            "the seed matters"
        );
    }

    #[test]
    fn backfill_is_calm_evenly_spaced_and_ends_before_now() {
        let end = chrono::Utc::now();
        let readings = DemoSource::new(42).backfill(end, 5, 180);
        assert_eq!(readings.len(), 180);
        assert_eq!(readings[0].at, end - chrono::Duration::seconds(900));
        assert_eq!(readings[179].at, end - chrono::Duration::seconds(5));
        for r in &readings {
            assert!(r.max("http_error_rate").unwrap().1 <= 0.035);
            assert!(r.max("cpu_usage").unwrap().1 <= 0.72);
        }
    }

    #[test]
    fn bursts_hit_one_node_at_a_time_rotating_and_alternating() {
        let mut seen = Vec::new();
        for index in 0..DEMO_PERIOD * 6 {
            let hits: Vec<(usize, Metric)> = (0..3)
                .flat_map(|n| DEMO_SIGNALS.map(|m| (n, m)))
                .filter(|&(n, m)| DemoSource::is_anomalous(index, n, m))
                .collect();
            assert!(hits.len() <= 1, "one node and one metric at a time");
            if let Some(&hit) = hits.first()
                && seen.last() != Some(&hit)
            {
                seen.push(hit);
            }
        }
        use Metric::*;
        assert_eq!(
            seen,
            [
                (0, HttpErrorRate),
                (1, CpuUsage),
                (2, HttpErrorRate),
                (0, CpuUsage),
                (1, HttpErrorRate),
                (2, CpuUsage)
            ]
        );
    }
}
