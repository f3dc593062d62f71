//! What a notification says: the incident report and later events as Korean plain text (the
//! email body and Slack's fallback) and as Slack Block Kit. Pure functions of an incident.

use serde_json::{Value, json};

use crate::model::{HypothesisMark, Incident, NotifyEvent, PlanState, TriggerOrigin};

/// Slack refuses a section text longer than this.
const SLACK_SECTION_MAX: usize = 3000;
/// Slack refuses a header longer than this.
const SLACK_HEADER_MAX: usize = 150;

/// A message ready for the outbox.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// Email subject / Slack headline.
    pub subject: String,
    /// Plain text: the email body and Slack's fallback.
    pub text: String,
    /// Slack Block Kit, when richer than the text.
    pub blocks: Option<Value>,
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `[장애] #3 Nginx 5xx 급증 (http_5xx_surge)`.
pub fn subject(inc: &Incident) -> String {
    format!(
        "[장애] #{} {} ({})",
        inc.id,
        inc.scenario.title.text(crate::model::Lang::Ko),
        inc.scenario.code
    )
}

fn values_line(inc: &Incident) -> String {
    crate::text::trigger_values(&inc.trigger, crate::model::Lang::Ko)
}

fn hypotheses_lines(inc: &Incident) -> Vec<String> {
    inc.scenario
        .top_hypotheses()
        .into_iter()
        .enumerate()
        .map(|(rank, i)| {
            let h = &inc.scenario.hypotheses[i];
            let mark = match inc.marks.get(i).copied().unwrap_or_default() {
                HypothesisMark::Open => "",
                HypothesisMark::Confirmed => " [확인됨]",
                HypothesisMark::Rejected => " [기각됨]",
            };
            format!(
                "{}. {} (신뢰도 {:.0}%){mark}",
                rank + 1,
                h.statement.text(crate::model::Lang::Ko),
                h.confidence * 100.0
            )
        })
        .collect()
}

fn next_action(inc: &Incident) -> String {
    inc.scenario.actions.first().map_or_else(
        || "(러너북에 권장 조치가 없습니다)".into(),
        |a| format!("{} — `{}`", a.title.text(crate::model::Lang::Ko), a.command),
    )
}

fn header_lines(inc: &Incident) -> Vec<String> {
    let t = &inc.trigger;
    vec![
        format!(
            "출처: {} · 감지: {} · 시각: {}",
            inc.scenario.source,
            match t.origin {
                TriggerOrigin::Monitor => "모니터",
                TriggerOrigin::Manual => "수동 트리거",
                TriggerOrigin::Alertmanager => "Alertmanager",
            },
            inc.opened_at.format("%Y-%m-%d %H:%M:%S UTC")
        ),
        format!(
            "시리즈: {} · 값: {}",
            t.series.as_deref().unwrap_or("n/a"),
            values_line(inc)
        ),
    ]
}

/// The incident report: title, source, values against thresholds, Top-3 hypotheses, the next
/// recommended action and the analysis.
pub fn report(inc: &Incident) -> Message {
    let subject = subject(inc);
    let hyps = hypotheses_lines(inc);
    let analysis = inc.report.to_text();
    let mut text = format!("{subject}\n");
    for l in header_lines(inc) {
        text.push_str(&l);
        text.push('\n');
    }
    text.push_str("\n상위 3개 가설:\n");
    for h in &hyps {
        text.push_str(h);
        text.push('\n');
    }
    text.push_str(&format!(
        "\n다음 권장 조치: {}\n\n분석 보고서:\n{analysis}\n",
        next_action(inc)
    ));
    let blocks = json!([
        {"type": "header", "text": {"type": "plain_text", "text": clip(&subject, SLACK_HEADER_MAX), "emoji": true}},
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(&header_lines(inc).join("\n"), SLACK_SECTION_MAX)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(&format!("*상위 3개 가설*\n{}", hyps.join("\n")), SLACK_SECTION_MAX)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(&format!("*다음 권장 조치*\n{}", next_action(inc)), SLACK_SECTION_MAX)}},
        {"type": "divider"},
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(&format!("*분석 보고서*\n{analysis}"), SLACK_SECTION_MAX)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": format!("Incident Response Console · #{} · {}", inc.id, inc.scenario.code)}]}
    ]);
    Message {
        subject,
        text,
        blocks: Some(blocks),
    }
}

/// Each action with what became of it: for a run that acted, what ran (secrets masked), the
/// status and the start of what came back.
fn plan_lines(inc: &Incident) -> Vec<String> {
    let ko = crate::model::Lang::Ko;
    let mut lines = Vec::new();
    for (i, a) in inc.scenario.actions.iter().enumerate() {
        let last = inc.plan.results.iter().rev().find(|r| r.action == i);
        let outcome = last.map_or("보류", |r| crate::text::plan::outcome(r.outcome, ko));
        lines.push(format!(
            "{}. [{outcome}] {} (`{}`, 위험도 {:?})",
            i + 1,
            a.title.text(ko),
            a.command,
            a.risk
        ));
        for r in inc.plan.results.iter().filter(|r| r.action == i) {
            if r.outcome == crate::model::ActionOutcome::Simulated && !r.detail.is_empty() {
                lines.push(format!("    — {}", r.detail));
                continue;
            }
            if r.what.is_empty() || r.outcome == crate::model::ActionOutcome::Simulated {
                continue;
            }
            let kind = if r.dry_run { "사전 점검" } else { "실행" };
            let status = r.status.map_or(String::new(), |s| format!(", 상태 {s}"));
            lines.push(format!(
                "    {kind}: `{}` → {}{status}",
                clip(&r.what, 300),
                crate::text::plan::outcome(r.outcome, ko)
            ));
            if !r.detail.is_empty() {
                lines.push(format!("    사유: {}", clip(&r.detail, 300)));
            }
            let first = r.output.trim();
            if !first.is_empty() {
                lines.push(format!(
                    "    출력: {}",
                    clip(&first.replace('\n', " | "), 300)
                ));
            }
        }
    }
    lines
}

/// A later event of the incident (a Slack thread reply, or a mail about the plan).
pub fn event(inc: &Incident, event: NotifyEvent) -> Message {
    let base = subject(inc);
    let (what, body) = match event {
        NotifyEvent::PlanExecuted => {
            let at = match inc.plan.state {
                PlanState::Executed(at) => at.format("%H:%M:%S UTC").to_string(),
                _ => String::new(),
            };
            (
                "조치 계획 실행",
                format!(
                    "조치 계획이 {at}에 실행되었습니다. 복구 감시를 시작합니다.\n{}",
                    plan_lines(inc).join("\n")
                ),
            )
        }
        NotifyEvent::PlanStopped => (
            "조치 계획 중단",
            format!(
                "조치 계획이 중단되었습니다: {}. 이후 조치는 실행되지 않았습니다.\n{}",
                crate::text::plan::state(inc.plan.state, crate::model::Lang::Ko),
                plan_lines(inc).join("\n")
            ),
        ),
        NotifyEvent::PlanDeferred => (
            "조치 계획 보류",
            format!(
                "조치 계획이 수동 검토를 위해 보류되었습니다.\n{}",
                plan_lines(inc).join("\n")
            ),
        ),
        NotifyEvent::Recovered => (
            "복구됨",
            format!(
                "임계값 이하 샘플이 {}회 연속되어 복구로 판단했습니다. 복구 시간: {}",
                inc.healthy_streak,
                inc.time_to_recover()
                    .map_or("n/a".into(), crate::text::format_duration)
            ),
        ),
        NotifyEvent::Closed => (
            "종료",
            format!(
                "담당자가 인시던트를 종료했습니다 (상태 기록 {}건).",
                inc.timeline.len()
            ),
        ),
        NotifyEvent::Refired(n) => {
            let in_breach: Vec<&str> = inc
                .hotspots
                .iter()
                .filter(|h| h.cleared_at.is_none())
                .map(|h| h.series.as_str())
                .collect();
            (
                "재발",
                format!(
                    "규칙이 다시 임계치를 넘었습니다 (재발 {n}회). 임계치를 넘은 시리즈: {}",
                    if in_breach.is_empty() {
                        "없음".to_string()
                    } else {
                        in_breach.join(", ")
                    }
                ),
            )
        }
        NotifyEvent::AiReport => {
            let Some((ai, answer)) = inc.ai.as_ref().and_then(|a| Some((a, a.answer.as_ref()?)))
            else {
                return report(inc);
            };
            let list = |claims: &[crate::model::Claim]| {
                claims
                    .iter()
                    .enumerate()
                    .map(|(i, c)| format!("{}. {}", i + 1, c.text))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let flagged = if ai.flags.is_empty() {
                String::new()
            } else {
                format!(
                    "\n(근거 사실에 없는 숫자나 id {}건이 표시되었습니다. 콘솔에서 확인하세요.)",
                    ai.flags.len()
                )
            };
            (
                "AI 분석 보고서",
                format!(
                    "{} 모델이 인시던트의 사실만으로 쓴 보고서입니다.\n*요약* {}\n*근본 원인* {}\n*영향* {}\n*조치 계획*\n{}\n*후속 조치*\n{}{flagged}",
                    ai.model,
                    answer.summary.text,
                    answer.root_cause.text,
                    answer.impact.text,
                    list(&answer.action_plan),
                    list(&answer.follow_up),
                ),
            )
        }
        // Their times are the timeline's (the engine's clock), never this function's own.
        NotifyEvent::Reminder => {
            let said = inc.timeline.iter().rev().find_map(|e| match &e.event {
                Some(crate::model::FeedEvent::AckReminder { by, after_mins, .. }) => {
                    Some((by.clone(), *after_mins))
                }
                _ => None,
            });
            let (by, mins) = said.unwrap_or_default();
            (
                "리마인더",
                format!("{by}님이 확인(ack)한 지 {mins}분이 지났지만 알림이 계속 발생 중입니다."),
            )
        }
        NotifyEvent::Escalated => {
            let mins = inc.timeline.iter().rev().find_map(|e| match &e.event {
                Some(crate::model::FeedEvent::Escalated { after_mins, .. }) => Some(*after_mins),
                _ => None,
            });
            (
                "에스컬레이션",
                format!(
                    "감지 후 {}분 동안 아무도 확인(ack)하거나 맡지 않았습니다. 지금 봐 주세요.",
                    mins.unwrap_or_default()
                ),
            )
        }
        NotifyEvent::Opened | NotifyEvent::Manual(_) => return report(inc),
    };
    let subject = format!("{base} — {what}");
    Message {
        text: format!("{subject}\n{body}\n"),
        subject,
        blocks: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RuleValue, Scenario, Trigger};
    use chrono::TimeZone;

    fn incident(scenario: Scenario, id: u64) -> Incident {
        let at = chrono::Utc.with_ymd_and_hms(2026, 11, 26, 3, 4, 5).unwrap();
        let trigger = Trigger {
            origin: TriggerOrigin::Monitor,
            at,
            rule: Some("http_error_rate".into()),
            series: Some("edge-node-02".into()),
            values: vec![RuleValue {
                series: Some("edge-node-02".into()),
                ..crate::text::http_value(0.12)
            }],
            since: None,
        };
        Incident::open(id, scenario, trigger, |s, t, marks| {
            crate::text::report::write(s, t, marks, at)
        })
    }

    #[test]
    fn a_plan_update_says_what_ran_and_what_came_back() {
        let scenarios = crate::scenarios::load(None).scenarios;
        let scenario = scenarios[0].clone();
        let mut inc = incident(scenario, 7);
        let at = chrono::Utc.with_ymd_and_hms(2026, 11, 26, 3, 5, 0).unwrap();
        inc.plan.results.push(crate::model::ActionResult {
            action: 0,
            outcome: crate::model::ActionOutcome::Failed,
            detail: "the server answered 500 Internal Server Error".into(),
            at,
            dry_run: false,
            what: "POST https://jobs.example.com/run [X-Token: ••••]".into(),
            status: Some(500),
            duration_ms: Some(84),
            output: "job failed\nsee log".into(),
        });
        inc.plan.state = PlanState::Stopped {
            at,
            action: 0,
            why: crate::model::StopReason::Failed,
        };
        let m = event(&inc, NotifyEvent::PlanStopped);
        assert!(m.subject.contains("조치 계획 중단"), "{}", m.subject);
        for part in [
            "1. [실패]",
            "실행: `POST https://jobs.example.com/run [X-Token: ••••]` → 실패, 상태 500",
            "사유: the server answered 500 Internal Server Error",
            "출력: job failed | see log",
            "조치 1에서 중단 (실패)",
        ] {
            assert!(m.text.contains(part), "{part:?} not in {}", m.text);
        }
    }

    #[test]
    fn report_names_values_hypotheses_action_and_analysis() {
        let scenarios = crate::scenarios::load(None).scenarios;
        let scenario = scenarios
            .iter()
            .find(|s| s.code == "http_5xx_surge")
            .unwrap()
            .clone();
        let inc = incident(scenario, 7);
        let m = report(&inc);
        assert!(m.subject.starts_with("[장애] #7 "), "{}", m.subject);
        assert!(
            m.text.contains("HTTP 오류율 12.00 % (임계치 5.00 %)"),
            "{}",
            m.text
        );
        assert!(m.text.contains("1. "), "{}", m.text);
        assert!(m.text.contains("다음 권장 조치"), "{}", m.text);
        assert!(m.text.contains("## 요약"), "{}", m.text);
        let blocks = m.blocks.unwrap();
        assert_eq!(blocks[0]["type"], "header");
        for b in blocks.as_array().unwrap() {
            if let Some(t) = b["text"]["text"].as_str() {
                assert!(t.chars().count() <= SLACK_SECTION_MAX);
            }
        }
        let e = event(&inc, NotifyEvent::PlanDeferred);
        assert!(e.subject.ends_with("조치 계획 보류"), "{}", e.subject);
        assert!(e.text.contains("[보류]"), "{}", e.text);
    }

    #[test]
    fn long_text_is_clipped_for_slack() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("가나다라", 3), "가나…");
    }
}
