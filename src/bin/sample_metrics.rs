//! `sample-metrics`: a small exporter for trying the console against a real Prometheus.
//!
//! It serves `/metrics` with gauges `http_error_rate` and `cpu_usage` per `node`
//! (edge-node-01..03) and a counter `sample_http_requests_total{status}`. The values follow the
//! console's demo source: a short anomalous burst on one node at a time, then a clean stretch.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use incident_console::engine::source::{DEMO_NODES, DemoSource};
use incident_console::model::Metric;

/// Serve demo-like metrics for Prometheus to scrape.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// TCP port (0 picks a free one and prints it).
    #[arg(long, default_value_t = 9001)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: String,
    /// Seconds between two new samples.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    interval: u64,
    /// Seed of the values (the same seed gives the same sequence).
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct NodeLabels {
    node: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: String,
}

struct Metrics {
    registry: Registry,
    http_error_rate: Family<NodeLabels, Gauge<f64, AtomicU64>>,
    cpu_usage: Family<NodeLabels, Gauge<f64, AtomicU64>>,
    requests: Family<StatusLabels, Counter>,
}

impl Metrics {
    fn new() -> Self {
        let mut registry = Registry::default();
        let http_error_rate = Family::<NodeLabels, Gauge<f64, AtomicU64>>::default();
        let cpu_usage = Family::<NodeLabels, Gauge<f64, AtomicU64>>::default();
        let requests = Family::<StatusLabels, Counter>::default();
        registry.register(
            "http_error_rate",
            "Share of HTTP responses that are 5xx, per node",
            http_error_rate.clone(),
        );
        registry.register("cpu_usage", "CPU busy ratio, per node", cpu_usage.clone());
        registry.register(
            "sample_http_requests",
            "HTTP requests served, by status",
            requests.clone(),
        );
        Self {
            registry,
            http_error_rate,
            cpu_usage,
            requests,
        }
    }

    /// Sets every value to sample `index` of the demo sequence.
    fn update(&self, seed: u64, index: u64) {
        const REQUESTS_PER_NODE: u64 = 200;
        let reading = DemoSource::reading_at(seed, index, chrono::Utc::now());
        let mut errors = 0u64;
        let value = |rule: &str, node: &str| {
            reading
                .of(rule)
                .find(|v| v.series == node)
                .map_or(0.0, |v| v.value)
        };
        for node in DEMO_NODES {
            let labels = NodeLabels {
                node: node.to_string(),
            };
            let http = value(Metric::HttpErrorRate.rule_id(), node);
            let cpu = value(Metric::CpuUsage.rule_id(), node);
            self.http_error_rate.get_or_create(&labels).set(http);
            self.cpu_usage.get_or_create(&labels).set(cpu);
            errors += (http * REQUESTS_PER_NODE as f64).round() as u64;
        }
        let total = REQUESTS_PER_NODE * DEMO_NODES.len() as u64;
        let status = |s: &str| StatusLabels { status: s.into() };
        self.requests.get_or_create(&status("500")).inc_by(errors);
        self.requests
            .get_or_create(&status("200"))
            .inc_by(total - errors);
    }

    fn encode(&self) -> anyhow::Result<String> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let listener = tokio::net::TcpListener::bind((cli.bind.as_str(), cli.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", cli.bind, cli.port))?;
    let addr = listener.local_addr()?;
    let metrics = Arc::new(Metrics::new());
    metrics.update(cli.seed, 0);
    // Tests read this line to learn the port when --port 0 is given.
    println!("sample-metrics listening on http://{addr}/metrics");
    let ticker = {
        let metrics = metrics.clone();
        let (seed, interval) = (cli.seed, cli.interval);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(interval));
            tick.tick().await;
            for index in 1.. {
                tick.tick().await;
                metrics.update(seed, index);
            }
        })
    };
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let metrics = metrics.clone();
                tokio::spawn(async move {
                    if let Err(e) = serve(stream, &metrics).await {
                        eprintln!("sample-metrics: {e:#}");
                    }
                });
            }
        }
    }
    ticker.abort();
    Ok(())
}

/// Answers one HTTP/1.1 request and closes the connection.
async fn serve(mut stream: tokio::net::TcpStream, metrics: &Metrics) -> anyhow::Result<()> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .context("client sent no request in 10 s")??;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        anyhow::ensure!(buf.len() <= 16 * 1024, "request head over 16 KiB");
    }
    let head = String::from_utf8_lossy(&buf);
    let mut parts = head.lines().next().unwrap_or_default().split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let openmetrics = head
        .lines()
        .any(|l| l.to_ascii_lowercase().starts_with("accept:") && l.contains("openmetrics"));
    let (status, content_type, body) = match (method, path.split('?').next()) {
        ("GET" | "HEAD", Some("/metrics")) => {
            let text = metrics.encode()?;
            if openmetrics {
                (
                    "200 OK",
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    text,
                )
            } else {
                (
                    "200 OK",
                    "text/plain; version=0.0.4; charset=utf-8",
                    to_classic(&text),
                )
            }
        }
        ("GET" | "HEAD", Some("/")) => (
            "200 OK",
            "text/plain; charset=utf-8",
            "sample-metrics: scrape /metrics\n".to_string(),
        ),
        _ => (
            "404 Not Found",
            "text/plain; charset=utf-8",
            "not found; try /metrics\n".to_string(),
        ),
    };
    let mut response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    if method != "HEAD" {
        response.extend_from_slice(body.as_bytes());
    }
    stream.write_all(&response).await?;
    stream.shutdown().await?;
    Ok(())
}

/// The classic text format from OpenMetrics: no `# EOF`, and a counter's HELP and TYPE name
/// its sample (`x_total`), as the classic format expects.
fn to_classic(openmetrics: &str) -> String {
    let counters: Vec<&str> = openmetrics
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE ")?.strip_suffix(" counter"))
        .collect();
    let mut out = String::with_capacity(openmetrics.len());
    for line in openmetrics.lines().filter(|l| *l != "# EOF") {
        let renamed = ["# HELP ", "# TYPE "].iter().find_map(|prefix| {
            let rest = line.strip_prefix(prefix)?;
            let name = counters.iter().find(|c| {
                rest.strip_prefix(**c)
                    .is_some_and(|after| after.starts_with(' '))
            })?;
            Some(format!("{prefix}{name}_total{}", &rest[name.len()..]))
        });
        out.push_str(renamed.as_deref().unwrap_or(line));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_carry_every_series() {
        let m = Metrics::new();
        m.update(42, 3);
        let om = m.encode().unwrap();
        assert!(om.ends_with("# EOF\n"), "{om}");
        let classic = to_classic(&om);
        assert!(!classic.contains("# EOF"));
        assert!(
            classic.contains("# TYPE sample_http_requests_total counter\n"),
            "{classic}"
        );
        assert!(classic.contains("# TYPE cpu_usage gauge\n"), "{classic}");
        for node in ["edge-node-01", "edge-node-02", "edge-node-03"] {
            assert!(
                classic.contains(&format!("cpu_usage{{node=\"{node}\"}} ")),
                "{classic}"
            );
            assert!(classic.contains(&format!("http_error_rate{{node=\"{node}\"}} ")));
        }
        assert!(classic.contains("sample_http_requests_total{status=\"500\"} "));
    }
}
