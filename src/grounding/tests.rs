use super::*;
use crate::model::{Claim, HypothesisVerdict, Verdict};

fn incident() -> Incident {
    let scenario = crate::scenarios::load(None)
        .scenarios
        .into_iter()
        .find(|s| s.code == "http_5xx_surge")
        .unwrap();
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-27T06:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let trigger = crate::model::Trigger {
        origin: crate::model::TriggerOrigin::Monitor,
        at,
        rule: Some("http_error_rate".into()),
        series: Some("edge-node-01".into()),
        values: vec![crate::text::http_value(0.1077)],
        since: None,
    };
    let mut inc = Incident::open(3, scenario, trigger, |s, t, m| {
        crate::text::report::write(s, t, m, at)
    });
    inc.marks[0] = HypothesisMark::Confirmed;
    inc
}

fn claim(text: &str, cites: &[&str]) -> Claim {
    Claim {
        text: text.into(),
        cites: cites.iter().map(|c| c.to_string()).collect(),
    }
}

#[test]
fn every_fact_has_an_id_and_the_prompt_holds_them_all() {
    let at = chrono::Utc::now();
    let samples = vec![(
        "edge-node-01".to_string(),
        (0..30).map(|i| (at, i as f64 / 100.0)).collect::<Vec<_>>(),
    )];
    let checks = vec![Some("관측됨: 0.1077 > 0.05 (06:00:05)".to_string())];
    let more = vec![(FactKind::Knowledge, "문서 '결제 롤백 절차': …".to_string())];
    let sheet = FactSheet::for_incident(&incident(), &samples, &checks, &more);
    let ids: Vec<&str> = sheet.facts.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids[0], "F1");
    assert_eq!(ids.len(), sheet.facts.len());
    let (system, user) = sheet.prompt();
    assert!(system.contains("inconclusive"));
    for f in &sheet.facts {
        assert!(user.contains(&format!("{}: {}", f.id, f.text)));
    }
    let value = sheet
        .facts
        .iter()
        .find(|f| f.kind == FactKind::Value)
        .unwrap();
    assert!(
        value.text.contains("10.77 %") && value.text.contains("0.1077"),
        "{}",
        value.text
    );
    let series = sheet
        .facts
        .iter()
        .find(|f| f.kind == FactKind::Samples)
        .unwrap();
    assert_eq!(
        series.text.matches(", ").count() + 1,
        MAX_POINTS,
        "downsampled"
    );
    assert!(
        series.text.ends_with("0.2900"),
        "the last point kept: {}",
        series.text
    );
    let h = sheet
        .facts
        .iter()
        .find(|f| f.kind == FactKind::Hypothesis(0))
        .unwrap();
    assert!(h.text.contains("담당자가 확인함"));
    let e = sheet
        .facts
        .iter()
        .find(|f| f.kind == FactKind::Evidence(0))
        .unwrap();
    assert!(e.text.contains("관측됨: 0.1077 > 0.05"));
    assert!(sheet.facts.iter().any(|f| f.kind == FactKind::Knowledge));
    assert_eq!(sheet.hypothesis_ids().len(), 3);
    // Equal facts, equal hash; a changed mark, another.
    assert_eq!(
        sheet.hash(),
        FactSheet::for_incident(&incident(), &samples, &checks, &more).hash()
    );
    let mut other = incident();
    other.marks[0] = HypothesisMark::Rejected;
    assert_ne!(
        sheet.hash(),
        FactSheet::for_incident(&other, &samples, &checks, &more).hash()
    );
}

#[test]
fn invented_numbers_and_unknown_ids_are_flagged_rounded_ones_are_not() {
    let sheet = FactSheet::for_incident(&incident(), &[], &[], &[]);
    let hyp = sheet.hypothesis_ids();
    let answer = AiAnswer {
        summary: claim(
            "edge-node-01의 HTTP 오류율이 10.8 %로 임계치 5 %를 넘었습니다 (F2).",
            &["F2"],
        ),
        root_cause: claim("배포 후 오류율이 37 % 늘었습니다.", &["F2", "F99"]),
        impact: claim("결제 3건 중 1건이 실패합니다.", &[]),
        action_plan: vec![claim("롤백합니다.", &["F1"])],
        follow_up: vec![],
        hypotheses: vec![HypothesisVerdict {
            fact: hyp[0].clone(),
            verdict: Verdict::Supported,
            cites: vec!["F2".into()],
        }],
    };
    let flags = flags(&answer, &sheet);
    assert_eq!(
        flags,
        vec![
            Flag::UnknownCite {
                id: "F99".into(),
                part: "root_cause".into()
            },
            Flag::UnbackedNumber {
                number: "37".into(),
                part: "root_cause".into()
            },
        ]
    );
}

#[test]
fn the_schema_is_strict_and_a_bad_answer_is_said() {
    let s = schema();
    assert_eq!(s["additionalProperties"], false);
    assert_eq!(s["required"].as_array().unwrap().len(), 6);
    let good = json!({
        "summary": {"text": "요약", "cites": ["F1"]},
        "root_cause": {"text": "inconclusive", "cites": []},
        "impact": {"text": "영향", "cites": []},
        "action_plan": [], "follow_up": [],
        "hypotheses": [{"fact": "F5", "verdict": "possible", "cites": []}]
    });
    assert_eq!(
        parse_answer(&good).unwrap().hypotheses[0].verdict,
        Verdict::Possible
    );
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("impact");
    assert!(parse_answer(&missing).unwrap_err().contains("impact"));
    let mut empty = good;
    empty["summary"]["text"] = json!(" ");
    assert!(parse_answer(&empty).is_err());
}

#[test]
fn a_storm_group_reaches_the_model_as_a_summary_not_thousands_of_lines() {
    let mut links = crate::model::IncidentAlerts {
        group: "storm".into(),
        matched: None,
        alerts: Vec::new(),
        more: Default::default(),
        resolved: Default::default(),
        resolved_at: None,
        ack: None,
    };
    for i in 0..5000 {
        let labels: crate::model::Labels = [
            ("alertname".to_string(), "Storm".to_string()),
            (
                "severity".to_string(),
                if i == 42 { "critical" } else { "warning" }.to_string(),
            ),
            ("instance".to_string(), format!("node-{}", i % 30)),
        ]
        .into();
        links.attach(format!("f{i}"), &labels);
    }
    links.resolved.insert("f0".into());
    let facts = super::alert_facts(&links);
    assert!(facts.len() < 10, "{facts:#?}");
    assert!(
        facts[0].contains("5000개") && facts[0].contains("해소 1"),
        "{}",
        facts[0]
    );
    assert!(facts.iter().any(|f| f.contains("레이블 instance: 값 30종")));
    assert!(
        facts
            .iter()
            .any(|f| f.contains("f42") && f.contains("critical")),
        "the worst first"
    );
    // A few alerts are each listed.
    let mut few = links.clone();
    few.alerts.truncate(3);
    few.more.clear();
    assert_eq!(super::alert_facts(&few).len(), 3);
}
