//! Parsing Prometheus answers: a large instant vector (a fleet-wide query) and the range
//! query that back-fills six sparklines.

use criterion::{Criterion, criterion_group, criterion_main};
use incident_console::integrations::prometheus::{parse_instant, parse_range};

fn vector_body(series: usize) -> String {
    let items: Vec<String> = (0..series)
        .map(|i| {
            format!(
                r#"{{"metric":{{"__name__":"cpu_usage","instance":"node-{i:05}","job":"node"}},"value":[1795716797.842,"0.{:04}"]}}"#,
                i % 10_000
            )
        })
        .collect();
    format!(
        r#"{{"status":"success","data":{{"resultType":"vector","result":[{}]}}}}"#,
        items.join(",")
    )
}

fn matrix_body(series: usize, points: usize) -> String {
    let items: Vec<String> = (0..series)
        .map(|i| {
            let values: Vec<String> = (0..points)
                .map(|p| format!(r#"[{},"0.{:04}"]"#, 1_795_716_000 + p, (p * 7 + i) % 10_000))
                .collect();
            format!(
                r#"{{"metric":{{"instance":"edge-node-{i:02}"}},"values":[{}]}}"#,
                values.join(",")
            )
        })
        .collect();
    format!(
        r#"{{"status":"success","data":{{"resultType":"matrix","result":[{}]}}}}"#,
        items.join(",")
    )
}

fn parse(c: &mut Criterion) {
    let vector = vector_body(1000);
    c.bench_function("instant vector, 1000 series", |b| {
        b.iter(|| parse_instant("u", 200, vector.as_bytes(), "instance").unwrap())
    });
    // 15 minutes at a 1 s step, 3 nodes: the default graph window's backfill for one metric.
    let matrix = matrix_body(3, 900);
    c.bench_function("range matrix, 3 series x 900 points", |b| {
        b.iter(|| parse_range("u", 200, matrix.as_bytes(), "instance").unwrap())
    });
}

criterion_group!(benches, parse);
criterion_main!(benches);
