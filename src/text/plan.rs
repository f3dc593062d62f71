//! Words about action plans and their runs, in the reader's language.

use crate::model::{ActionOutcome, Lang, PlanState, StopReason};

fn pick(lang: Lang, en: &'static str, ko: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Ko => ko,
    }
}

/// Where a plan stands, with its time (`executed at 14:02:11`).
pub fn state(state: PlanState, lang: Lang) -> String {
    let at = |t: chrono::DateTime<chrono::Utc>| t.format("%H:%M:%S").to_string();
    match state {
        PlanState::AwaitingApproval => pick(lang, "awaiting approval", "승인 대기").into(),
        PlanState::Executed(t) => format!("{} {}", pick(lang, "executed at", "실행됨:"), at(t)),
        PlanState::Deferred(t) => format!(
            "{} {}",
            pick(lang, "deferred for manual review at", "수동 검토로 연기됨:"),
            at(t)
        ),
        PlanState::Running(t) => format!(
            "{} {}",
            pick(lang, "running since", "실행 중, 시작:"),
            at(t)
        ),
        PlanState::AwaitingRun { action, .. } => match lang {
            Lang::En => format!(
                "dry run of action {} done: the real run awaits approval",
                action + 1
            ),
            Lang::Ko => format!(
                "조치 {}의 사전 점검(dry run) 완료: 실제 실행 승인 대기",
                action + 1
            ),
        },
        PlanState::Stopped { at: t, action, why } => match lang {
            Lang::En => format!(
                "stopped at action {} ({}) at {}",
                action + 1,
                stop_reason(why, lang),
                at(t)
            ),
            Lang::Ko => format!(
                "조치 {}에서 중단 ({}), {}",
                action + 1,
                stop_reason(why, lang),
                at(t)
            ),
        },
    }
}

/// Where a plan stands in a few words, for a list's header (`stopped at 2`).
pub fn short_state(state: PlanState, lang: Lang) -> String {
    let at = |t: chrono::DateTime<chrono::Utc>| t.format("%H:%M:%S").to_string();
    match (state, lang) {
        (PlanState::AwaitingRun { action, .. }, Lang::En) => {
            format!("action {} awaits approval", action + 1)
        }
        (PlanState::AwaitingRun { action, .. }, Lang::Ko) => {
            format!("조치 {} 승인 대기", action + 1)
        }
        (PlanState::Stopped { action, .. }, Lang::En) => format!("stopped at {}", action + 1),
        (PlanState::Stopped { action, .. }, Lang::Ko) => format!("조치 {}에서 중단", action + 1),
        (PlanState::Running(t), Lang::En) => format!("running since {}", at(t)),
        (PlanState::Running(t), Lang::Ko) => format!("실행 중 ({})", at(t)),
        (other, lang) => self::state(other, lang),
    }
}

/// Why a plan stopped.
pub fn stop_reason(why: StopReason, lang: Lang) -> &'static str {
    match why {
        StopReason::Failed => pick(lang, "it failed", "실패"),
        StopReason::Declined => pick(lang, "real run not approved", "실제 실행 미승인"),
        StopReason::Interrupted => pick(lang, "the console stopped", "콘솔 중지"),
        StopReason::Closed => pick(lang, "the incident was closed", "인시던트 종료"),
    }
}

/// One run's outcome.
pub fn outcome(o: ActionOutcome, lang: Lang) -> &'static str {
    match o {
        ActionOutcome::Simulated => pick(lang, "simulated", "시뮬레이션"),
        ActionOutcome::Failed => pick(lang, "failed", "실패"),
        ActionOutcome::Succeeded => pick(lang, "succeeded", "성공"),
        ActionOutcome::TimedOut => pick(lang, "timed out", "시간 초과"),
        ActionOutcome::Unknown => pick(lang, "outcome unknown", "결과 알 수 없음"),
    }
}

/// A refused action: runbook, action and reason.
pub fn refusal(r: &crate::model::ActionRefusal, lang: Lang) -> String {
    use crate::model::RefusalReason as R;
    let reason = match (&r.reason, lang) {
        (reason, Lang::En) => reason.to_string(),
        (R::NotAbsolute(p), Lang::Ko) => format!("프로그램 `{p}`가 절대 경로가 아닙니다"),
        (R::ProgramNotAllowed(p), Lang::Ko) => {
            format!("프로그램 `{p}`가 허용 목록에 없습니다 (설정 → 조치)")
        }
        (R::BadUrl(u), Lang::Ko) => format!("`{u}`는 호스트가 고정된 http(s) URL이 아닙니다"),
        (R::HostNotAllowed(h), Lang::Ko) => {
            format!("호스트 `{h}`가 허용 목록에 없습니다 (설정 → 조치)")
        }
        (R::Template(e), Lang::Ko) => format!("템플릿 오류: {e}"),
        (R::MissingSecret(n), Lang::Ko) => {
            format!("비밀 값 `{n}`이 INCIDENT_SECRET_{n} 환경 변수에도, 설정 → 조치에도 없습니다")
        }
    };
    match lang {
        Lang::En => format!("runbook `{}`, action {}: {reason}", r.runbook, r.number),
        Lang::Ko => format!("런북 `{}`, 조치 {}: {reason}", r.runbook, r.number),
    }
}

/// One audit line as the window and the Markdown export show it: time, who, what happened,
/// to which action, what ran and what came back (recorded as the log keeps it).
pub fn audit_line(l: &crate::audit::AuditLine, lang: Lang) -> String {
    use crate::audit::AuditKind as K;
    let kind = match l.kind {
        K::Approved => pick(lang, "approved", "승인"),
        K::Started => pick(lang, "started", "시작"),
        K::Finished => pick(lang, "finished", "종료"),
        K::Refused => pick(lang, "refused", "거부"),
        K::Declined => pick(lang, "declined", "미승인"),
    };
    let mut out = format!("{} {} {kind}", l.at.format("%Y-%m-%d %H:%M:%S"), l.who);
    match (l.action, lang) {
        (Some(a), Lang::En) => out.push_str(&format!(" action {}", a + 1)),
        (Some(a), Lang::Ko) => out.push_str(&format!(" 조치 {}", a + 1)),
        (None, Lang::En) => out.push_str(" plan"),
        (None, Lang::Ko) => out.push_str(" 플랜"),
    }
    if l.dry_run {
        out.push_str(pick(lang, " (dry run)", " (사전 점검)"));
    }
    if !l.what.is_empty() {
        out.push_str(&format!(": {}", l.what));
    }
    if let Some(s) = l.status {
        out.push_str(&format!(" → {} {s}", pick(lang, "status", "상태")));
    }
    if let Some(ms) = l.duration_ms {
        out.push_str(&format!(", {ms} ms"));
    }
    if !l.outcome.is_empty() {
        out.push_str(&format!(" — {}", l.outcome));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_outcome_never_reads_as_success() {
        for lang in [Lang::En, Lang::Ko] {
            let w = outcome(ActionOutcome::Unknown, lang);
            assert_ne!(w, outcome(ActionOutcome::Succeeded, lang));
        }
        assert_eq!(outcome(ActionOutcome::Unknown, Lang::En), "outcome unknown");
    }
}
