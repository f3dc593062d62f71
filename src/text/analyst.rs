//! Words for the AI analyst's and the knowledge base's feed events, in English and Korean.

use crate::model::{FeedEvent, Lang};

/// The event in words, for the analyst's and the knowledge base's events; `None` for any
/// other.
pub fn message(event: &FeedEvent, lang: Lang) -> Option<String> {
    use FeedEvent::*;
    let ko = lang == Lang::Ko;
    Some(match event {
        AiReportReady {
            id,
            model,
            summary,
            flags,
        } => {
            let flagged = match (flags, ko) {
                (0, _) => String::new(),
                (n, true) => format!(" (근거 없는 내용 {n}건 표시)"),
                (n, false) => format!(" ({n} unbacked items flagged)"),
            };
            if ko {
                format!("인시던트 #{id}의 AI 보고서 ({model}){flagged}: {summary}")
            } else {
                format!("AI report on incident #{id} ({model}){flagged}: {summary}")
            }
        }
        KnowledgeImported {
            files,
            docs,
            errors,
        } => {
            let not = if errors.is_empty() {
                String::new()
            } else if ko {
                format!("; 가져오지 못함: {}", errors.join("; "))
            } else {
                format!("; not imported: {}", errors.join("; "))
            };
            if ko {
                format!("지식 베이스에 파일 {files}개에서 문서 {docs}개를 가져왔습니다{not}")
            } else {
                format!("Imported {docs} documents from {files} files into the knowledge base{not}")
            }
        }
        AiReportFailed { id, reason } => {
            if ko {
                format!("인시던트 #{id}의 AI 보고서 없음: {reason}. 규칙 기반 보고서를 씁니다")
            } else {
                format!("No AI report on incident #{id}: {reason}; the fixed-rule report stands")
            }
        }
        ReviewDraftAsked { id, model } => {
            if ko {
                format!("인시던트 #{id}의 사후 검토 초안을 {model}에 요청했습니다")
            } else {
                format!("Asked {model} to draft incident #{id}'s review")
            }
        }
        ReviewDrafted {
            id,
            model,
            narrative,
            flags,
            ..
        } => {
            let flagged = match (flags.len(), ko) {
                (0, _) => String::new(),
                (n, true) => format!(" (근거 없는 내용 {n}건 표시)"),
                (n, false) => format!(" ({n} unbacked items flagged)"),
            };
            let summary = &narrative.summary.text;
            if ko {
                format!("인시던트 #{id}의 사후 검토 초안 ({model}){flagged}: {summary}")
            } else {
                format!("Review draft for incident #{id} ({model}){flagged}: {summary}")
            }
        }
        ReviewDraftFailed { id, reason } => {
            if ko {
                format!(
                    "인시던트 #{id}의 사후 검토 초안 없음: {reason}. 규칙 기반 내용은 그대로입니다"
                )
            } else {
                format!("No review draft for incident #{id}: {reason}; the fixed-rule parts stand")
            }
        }
        _ => return None,
    })
}

/// A past incident of the same runbook as a fact for the model says it (in Korean, the
/// report's language): how its plan ended and whether its recovery was verified.
pub fn past_incident_fact(p: &crate::model::Incident) -> String {
    let plan = format!(
        "조치 플랜: {}",
        crate::text::plan::state(p.plan.state, Lang::Ko)
    );
    let outcome = match (p.status, p.time_to_recover()) {
        (crate::model::IncidentStatus::Recovered, Some(ttr)) => {
            format!("검증된 복구, 복구까지 {}초", ttr.num_seconds())
        }
        _ => "검증된 복구 없음".to_string(),
    };
    format!(
        "과거 인시던트 #{} ({}): {plan}, {outcome}",
        p.id,
        p.opened_at.format("%Y-%m-%d %H:%M UTC")
    )
}

/// A knowledge-base document related to the incident, as a fact for the model.
pub fn knowledge_fact(r: &crate::model::Related) -> String {
    format!(
        "지식 베이스 문서 '{}' ({}): {}",
        r.title, r.source, r.snippet
    )
}

/// A live check's result as a fact for the model.
pub fn check_fact(c: &crate::model::CheckResult) -> String {
    use crate::model::CheckState;
    let value = match (&c.value, &c.series) {
        (Some(v), Some(s)) => format!(", 값 {v:.4} ({s})"),
        (Some(v), None) => format!(", 값 {v:.4}"),
        _ => String::new(),
    };
    let when = c.at.format("%H:%M:%S UTC");
    match c.state {
        CheckState::Observed => format!("실시간 확인: 관측됨{value}, {when}, {}", c.detail),
        CheckState::NotObserved => {
            format!("실시간 확인: 관측되지 않음{value}, {when}, {}", c.detail)
        }
        CheckState::CouldNotCheck => format!("실시간 확인 불가: {}", c.detail),
    }
}
