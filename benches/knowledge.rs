//! The knowledge base: importing 10,000 documents in one commit, and one query against them
//! (Korean and English), so the README can quote an import time and a median query time.

use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use incident_console::knowledge::{KbDoc, KnowledgeBase};

const WORDS_KO: [&str; 12] = [
    "결제",
    "롤백",
    "배포",
    "타임아웃",
    "게이트웨이",
    "지연",
    "오류",
    "캐시",
    "노드",
    "트래픽",
    "재시작",
    "인증서",
];
const WORDS_EN: [&str; 12] = [
    "checkout",
    "rollback",
    "deploy",
    "timeout",
    "gateway",
    "latency",
    "error",
    "cache",
    "node",
    "traffic",
    "restart",
    "certificate",
];

/// `n` documents of about 80 words each, half Korean, half English, with varied vocabulary.
fn docs(n: usize) -> Vec<KbDoc> {
    (0..n)
        .map(|i| {
            let words = if i % 2 == 0 { &WORDS_KO } else { &WORDS_EN };
            let body: Vec<String> = (0..80)
                .map(|j| format!("{}{}", words[(i * 7 + j * 3) % 12], (i + j) % 97))
                .collect();
            KbDoc {
                key: format!("doc:bench#{i}"),
                kind: "document".into(),
                title: format!("{} {} {i}", words[i % 12], words[(i / 12) % 12]),
                body: body.join(" "),
                source: "bench".into(),
            }
        })
        .collect()
}

fn import(c: &mut Criterion) {
    let docs = docs(10_000);
    let mut g = c.benchmark_group("knowledge");
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    g.bench_function("import 10,000 documents", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let kb = KnowledgeBase::open(dir.path()).unwrap();
                (dir, kb)
            },
            |(dir, kb)| {
                kb.add(&docs).unwrap();
                (dir, kb)
            },
            BatchSize::PerIteration,
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    kb.add(&docs).unwrap();
    assert_eq!(kb.count(), 10_000);
    g.sample_size(100).measurement_time(Duration::from_secs(5));
    g.bench_function("query in Korean (10,000 documents)", |b| {
        b.iter(|| kb.search("결제 롤백 타임아웃", 5).unwrap())
    });
    g.bench_function("query in English (10,000 documents)", |b| {
        b.iter(|| kb.search("checkout rollback timeout", 5).unwrap())
    });
    g.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
