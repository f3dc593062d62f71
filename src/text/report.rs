//! The deterministic Korean analysis report, written from the scenario, the triggering sample
//! and the responder's hypothesis marks. A language model is another source of the same
//! [`AnalysisReport`] type (`engine/analyst.rs`).

use chrono::{DateTime, Utc};

use crate::model::{
    AnalysisReport, HypothesisMark, Incident, Lang, ReportSource, Risk, RuleValue, Scenario,
    Trigger, TriggerOrigin, Unit,
};

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// A value as the report writes it: ratios as `12.0%`, other units as their cards do.
fn value_text(rv: &RuleValue, v: f64) -> String {
    match rv.unit {
        Unit::Ratio => pct(v),
        unit => unit.format(v),
    }
}

fn risk_ko(risk: Risk) -> &'static str {
    match risk {
        Risk::Low => "위험도 낮음",
        Risk::Medium => "위험도 중간",
        Risk::High => "위험도 높음, 실행 전 승인 필수",
    }
}

/// What the runbook-less incident of `rule` says of itself: the rule, its query and
/// threshold, and that there are no hypotheses or actions.
pub fn generic_rule_description(rule: &crate::model::Rule) -> crate::model::Localized {
    let t = rule.unit.format(rule.threshold);
    let side = rule.comparison.symbol();
    crate::model::Localized {
        en: format!(
            "Rule `{}` is in breach: `{}` {side} {t} on at least one series within its last {} samples. It names no runbook, so there are no hypotheses or actions; read its series and values.",
            rule.id, rule.query, rule.window
        ),
        ko: format!(
            "규칙 `{}`이(가) 임계치를 넘었습니다: 최근 {}개 샘플 안에서 `{}` {side} {t}인 시리즈가 있습니다. 런북이 없어 가설과 조치는 없습니다. 시리즈와 값을 확인하세요.",
            rule.id, rule.window, rule.query
        ),
    }
}

/// Writes the report for an incident as it stands (its marks decide the root cause).
pub fn deterministic_report(incident: &Incident, now: DateTime<Utc>) -> AnalysisReport {
    write(&incident.scenario, &incident.trigger, &incident.marks, now)
}

/// Writes the report from its parts; `marks` aligns with the scenario's hypotheses.
pub fn write(
    scenario: &Scenario,
    trigger: &Trigger,
    marks: &[HypothesisMark],
    now: DateTime<Utc>,
) -> AnalysisReport {
    let node = trigger.series.as_deref().unwrap_or("알 수 없는 시리즈");
    let breached = trigger.rule.as_deref().and_then(|r| trigger.value_of(r));
    let action_plan = scenario
        .actions
        .iter()
        .map(|a| {
            format!(
                "{} ({})",
                a.title.text(crate::model::Lang::Ko),
                risk_ko(a.risk)
            )
        })
        .collect();

    AnalysisReport {
        summary: summary(scenario, trigger, node, breached),
        root_cause: root_cause(scenario, marks),
        impact: impact(node, breached),
        action_plan,
        follow_up: follow_up(scenario, breached),
        source: ReportSource::Deterministic,
        written_at: now,
    }
}

/// When and how it opened, and the breaching value against its threshold (or every rule's
/// value when no rule breached).
fn summary(
    scenario: &Scenario,
    trigger: &Trigger,
    node: &str,
    breached: Option<&RuleValue>,
) -> String {
    let title = scenario.title.text(crate::model::Lang::Ko);
    let when = trigger.at.format("%Y-%m-%d %H:%M:%S UTC");
    let how = match trigger.origin {
        TriggerOrigin::Monitor => "백그라운드 모니터가 자동으로 감지했습니다",
        TriggerOrigin::Manual => "담당자가 수동으로 발생시켰습니다",
        TriggerOrigin::Alertmanager => "Alertmanager 알림으로 열었습니다",
    };
    let mut summary = format!("{when}에 '{title}' 인시던트를 {how}.");
    match breached {
        Some(rv) => {
            if let Some(v) = rv.value {
                summary.push_str(&format!(
                    " {node}의 {}이(가) {}로 임계치 {}",
                    rv.title.text(Lang::Ko),
                    value_text(rv, v),
                    value_text(rv, rv.threshold),
                ));
                if rv.threshold != 0.0 && rv.comparison == crate::model::Comparison::Above {
                    summary.push_str(&format!("의 {:.1}배입니다.", v / rv.threshold));
                } else {
                    summary.push_str(&format!(
                        "{} 넘었습니다.",
                        match rv.comparison {
                            crate::model::Comparison::Above => "를",
                            crate::model::Comparison::Below => "보다 낮게",
                        }
                    ));
                }
            }
        }
        None => {
            let parts: Vec<String> = trigger
                .values
                .iter()
                .map(|rv| {
                    format!(
                        "{} {} (임계치 {})",
                        rv.title.text(Lang::Ko),
                        rv.value.map_or("없음".into(), |v| value_text(rv, v)),
                        value_text(rv, rv.threshold)
                    )
                })
                .collect();
            if trigger.origin == TriggerOrigin::Alertmanager {
                summary.push_str(&format!(" 발생한 알림은 {node}입니다."));
            }
            if !parts.is_empty() {
                summary.push_str(&format!(" 발생 시점의 값은 {}입니다.", parts.join(", ")));
            }
        }
    }

    summary
}

/// The lead hypothesis (a confirmed one first, then the ranking) with its evidence and the
/// other candidates; rejected ones are left out.
fn root_cause(scenario: &Scenario, marks: &[HypothesisMark]) -> String {
    // Confirmed hypotheses lead; rejected ones are left out; otherwise the ranking decides.
    let ranked = scenario.top_hypotheses();
    let mark = |i: usize| marks.get(i).copied().unwrap_or_default();
    let confirmed: Vec<usize> = ranked
        .iter()
        .copied()
        .filter(|&i| mark(i) == HypothesisMark::Confirmed)
        .collect();
    let candidates: Vec<usize> = ranked
        .iter()
        .copied()
        .filter(|&i| mark(i) != HypothesisMark::Rejected)
        .collect();
    match confirmed.first().or(candidates.first()) {
        Some(&lead) => {
            let h = &scenario.hypotheses[lead];
            let basis = if confirmed.contains(&lead) {
                "담당자가 확인한 원인".to_string()
            } else {
                format!("가장 유력한 가설(사전 신뢰도 {:.0}%)", h.confidence * 100.0)
            };
            let evidence: Vec<&str> = h
                .evidence
                .iter()
                .filter_map(|&e| scenario.evidence.get(e))
                .map(|e| e.text.text(crate::model::Lang::Ko))
                .collect();
            let mut text = format!("{basis}: {}", h.statement.text(crate::model::Lang::Ko));
            if !evidence.is_empty() {
                text.push_str(&format!(" 근거: {}", evidence.join(" ")));
            }
            let others: Vec<String> = candidates
                .iter()
                .filter(|&&i| i != lead)
                .map(|&i| {
                    let o = &scenario.hypotheses[i];
                    format!(
                        "{} ({:.0}%)",
                        o.statement.text(crate::model::Lang::Ko),
                        o.confidence * 100.0
                    )
                })
                .collect();
            if !others.is_empty() {
                text.push_str(&format!(" 남은 후보: {}", others.join(" / ")));
            }
            text
        }
        None if scenario.hypotheses.is_empty() => {
            "이 규칙에는 런북이 없어 가설을 세우지 않았습니다. 규칙의 값과 시리즈를 보고 원인을 조사해야 합니다."
                .to_string()
        }
        None => "상위 가설이 모두 기각되었습니다. 새로운 원인을 조사해야 합니다.".to_string(),
    }
}

/// Who feels it: for the built-in rules in their own terms, otherwise the rule and series.
fn impact(node: &str, breached: Option<&RuleValue>) -> String {
    match breached {
        Some(rv) if rv.rule == "http_error_rate" && rv.unit == Unit::Ratio => format!(
            "{node}에서 요청 100건 중 약 {:.0}건이 5xx로 실패하고 있어 사용자 요청(결제 등)이 직접 실패합니다. 재시도 트래픽으로 부하가 더 늘 수 있습니다.",
            rv.value.unwrap_or_default() * 100.0
        ),
        Some(rv) if rv.rule == "cpu_usage" && rv.unit == Unit::Ratio => format!(
            "{node}의 CPU가 {}로 포화에 가까워 이 노드로 라우팅된 요청의 지연이 늘고, 지속되면 타임아웃과 오류로 번질 수 있습니다.",
            pct(rv.value.unwrap_or_default())
        ),
        Some(rv) => format!(
            "규칙 '{}'의 시리즈 {node}이(가) 임계치를 넘었습니다. 이 값에 기대는 서비스와 사용자를 직접 확인해야 합니다.",
            rv.title.text(Lang::Ko)
        ),
        None => "자동 감지된 임계치 초과는 없습니다. 영향 범위를 직접 확인해야 합니다.".into(),
    }
}

/// Verify, write the review, and improve (or write) the runbook.
fn follow_up(scenario: &Scenario, breached: Option<&RuleValue>) -> Vec<String> {
    let watched = breached.map_or_else(
        || "규칙의 값".to_string(),
        |rv| rv.title.text(Lang::Ko).to_string(),
    );
    vec![
        format!("조치 후 {watched}이(가) 임계치 이하로 연속 유지되는지 복구 검증을 실행합니다."),
        "확인된 가설과 근거를 바탕으로 사후 분석(포스트모템)을 작성합니다.".to_string(),
        if scenario.hypotheses.is_empty() {
            "이 규칙에 맞는 런북을 작성해 다음 인시던트에 가설과 조치가 채워지게 합니다."
                .to_string()
        } else {
            format!(
                "러너북 '{}'의 가설 순위와 조치를 이번 결과에 맞게 갱신합니다.",
                scenario.code
            )
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn setup() -> (Scenario, Trigger) {
        let scenarios = crate::scenarios::load(None).scenarios;
        let s = scenarios
            .into_iter()
            .find(|s| s.code == "http_5xx_surge")
            .unwrap();
        let t = Trigger {
            origin: TriggerOrigin::Monitor,
            at: Utc.with_ymd_and_hms(2026, 11, 26, 3, 4, 5).unwrap(),
            rule: Some("http_error_rate".into()),
            series: Some("edge-node-02".into()),
            values: vec![RuleValue {
                series: Some("edge-node-02".into()),
                ..crate::text::http_value(0.12)
            }],
            since: None,
        };
        (s, t)
    }

    #[test]
    fn report_has_five_korean_parts_from_the_sample() {
        let (s, t) = setup();
        let r = write(&s, &t, &[], t.at);
        assert!(r.summary.contains("edge-node-02"), "{}", r.summary);
        assert!(r.summary.contains("12.0%") && r.summary.contains("5.0%"));
        assert!(r.summary.contains("2.4배"), "{}", r.summary);
        assert!(r.root_cause.contains("요청 검증"), "{}", r.root_cause);
        assert!(r.impact.contains("12건"), "{}", r.impact);
        assert_eq!(r.action_plan.len(), 3);
        assert!(r.action_plan[0].contains("롤백"));
        assert_eq!(r.follow_up.len(), 3);
        let md = r.to_markdown();
        for h in AnalysisReport::HEADINGS {
            assert!(md.contains(h), "{h} missing");
        }
    }

    #[test]
    fn confirmed_hypothesis_leads_and_rejected_is_dropped() {
        let (s, t) = setup();
        let marks = [
            HypothesisMark::Rejected,
            HypothesisMark::Open,
            HypothesisMark::Confirmed,
        ];
        let r = write(&s, &t, &marks, t.at);
        assert!(
            r.root_cause.starts_with("담당자가 확인한 원인"),
            "{}",
            r.root_cause
        );
        assert!(r.root_cause.contains("콜드 스타트"));
        assert!(!r.root_cause.contains("요청 검증"));
    }
}
