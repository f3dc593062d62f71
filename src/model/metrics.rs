use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The two signals the console watches. Both are ratios between 0 and 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Metric {
    /// Share of HTTP responses that are 5xx errors.
    HttpErrorRate,
    /// CPU busy ratio of a node.
    CpuUsage,
}

impl Metric {
    /// Both metrics, in display order.
    pub const ALL: [Metric; 2] = [Metric::HttpErrorRate, Metric::CpuUsage];

    /// The short name used in feed lines and headless output (`http`, `cpu`).
    pub fn short_name(self) -> &'static str {
        match self {
            Metric::HttpErrorRate => "http",
            Metric::CpuUsage => "cpu",
        }
    }

    /// The Prometheus-style metric name.
    pub fn metric_name(self) -> &'static str {
        match self {
            Metric::HttpErrorRate => "http_error_rate",
            Metric::CpuUsage => "cpu_usage",
        }
    }

    /// Position in [`Metric::ALL`], handy for fixed-size per-metric arrays.
    pub fn index(self) -> usize {
        match self {
            Metric::HttpErrorRate => 0,
            Metric::CpuUsage => 1,
        }
    }
}

/// One node's values in one poll. A value is `None` when the source had nothing for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeReading {
    /// Series key, e.g. `edge-node-01` (the hotspot label).
    pub node: String,
    /// HTTP error ratio.
    pub http_error_rate: Option<f64>,
    /// CPU usage ratio.
    pub cpu_usage: Option<f64>,
}

impl NodeReading {
    /// The value of `metric` on this node.
    pub fn value(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::HttpErrorRate => self.http_error_rate,
            Metric::CpuUsage => self.cpu_usage,
        }
    }
}

/// Everything one poll of a metric source returned.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// When the sample was taken.
    pub at: DateTime<Utc>,
    /// One entry per node (series), in a stable order.
    pub nodes: Vec<NodeReading>,
}

impl Reading {
    /// The highest value of `metric` over all nodes, with the node that has it.
    pub fn max(&self, metric: Metric) -> Option<(&str, f64)> {
        self.nodes
            .iter()
            .filter_map(|n| n.value(metric).map(|v| (n.node.as_str(), v)))
            .fold(None, |best, (node, v)| match best {
                Some((_, bv)) if bv >= v => best,
                _ => Some((node, v)),
            })
    }
}

/// One point of a sparkline: seconds since the Unix epoch and the value.
pub type SeriesPoint = [f64; 2];
