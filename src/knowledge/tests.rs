use super::*;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn korean_finds_korean_english_finds_english_and_the_originals_json_imports() {
    let files = tempfile::tempdir().unwrap();
    let kb_dir = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(kb_dir.path()).unwrap();
    let md = write(
        files.path(),
        "rollback.md",
        "# 결제 서비스 롤백 절차\n\ncheckout-service 배포가 5xx를 늘리면 이전 버전으로 롤백합니다.",
    );
    let txt = write(
        files.path(),
        "cpu.txt",
        "Edge CPU saturation: rebalance traffic away from the hot node, then check sticky sessions.",
    );
    let json = write(
        files.path(),
        "documents.json",
        r#"{"documents": [
            {"title": "결제 대행사 타임아웃", "content": "결제 대행사 응답이 느리면 타임아웃이 게이트웨이까지 번집니다.", "tags": ["pg"]},
            {"title": "Cache warm-up", "content": "Warm the autoscaling pool before peak."}
        ]}"#,
    );
    let bad = write(files.path(), "broken.json", "{ not json");
    let missing = files.path().join("gone.md");
    let report = kb.import(&[md, txt, json, bad, missing]);
    assert_eq!(
        report.imported.iter().map(|(_, n)| n).sum::<usize>(),
        4,
        "{report:?}"
    );
    assert_eq!(report.errors.len(), 2, "{:?}", report.errors);
    assert!(
        report.errors[0].contains("broken.json: not JSON (line 1"),
        "{}",
        report.errors[0]
    );
    assert!(
        report.errors[1].contains("gone.md: cannot read the file"),
        "{}",
        report.errors[1]
    );
    assert_eq!(kb.count(), 4);

    let hits = kb.search("롤백", 3).unwrap();
    assert_eq!(hits[0].title, "결제 서비스 롤백 절차");
    // A Korean word that is only part of a longer run still matches by its bigrams.
    let hits = kb.search("타임아웃", 3).unwrap();
    assert_eq!(hits[0].title, "결제 대행사 타임아웃");
    let hits = kb.search("sticky sessions", 3).unwrap();
    assert_eq!(hits[0].title, "cpu");
    assert_eq!(hits[0].kind, "document");
    assert!(kb.search("warm-up", 3).unwrap()[0].title == "Cache warm-up");
    assert!(kb.search("전혀없는말", 3).unwrap().is_empty());
}

#[test]
fn a_document_with_the_same_key_replaces_the_old_one_and_survives_reopening() {
    let kb_dir = tempfile::tempdir().unwrap();
    let doc = |body: &str| KbDoc {
        key: "incident:7".into(),
        kind: "incident".into(),
        title: "#7 결제 API 5xx 급증".into(),
        body: body.into(),
        source: "incident #7".into(),
    };
    {
        let kb = KnowledgeBase::open(kb_dir.path()).unwrap();
        kb.add(&[doc("열림")]).unwrap();
        kb.add(&[doc("롤백 후 복구됨, 복구까지 8분")]).unwrap();
        assert_eq!(kb.count(), 1);
    }
    let kb = KnowledgeBase::open(kb_dir.path()).unwrap();
    let hits = kb.search("복구", 5).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].key, "incident:7");
    assert!(hits[0].snippet.contains("8분"));
}
