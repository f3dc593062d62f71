//! Words about action plans and their runs, in the reader's language: the plan's feed events
//! (handed here by `text/feed.rs`), its states, outcomes and audit lines.

use crate::model::{ActionOutcome, FeedEvent, Lang, PlanState, Refusal, StopReason};

fn pick<T>(lang: Lang, en: T, ko: T) -> T {
    match lang {
        Lang::En => en,
        Lang::Ko => ko,
    }
}

/// The words of a plan's feed events (runs, stops, refusals); `None` for any other event.
pub fn message(event: &FeedEvent, lang: Lang) -> Option<String> {
    use FeedEvent::*;
    Some(match event {
        PlanExecuted {
            id,
            code,
            actions,
            real,
            actions_off,
        } => match (actions_off, real) {
            (true, _) => pick(
                lang,
                format!(
                    "Action plan of incident #{id} {code} executed: {actions} actions simulated because Actions is off (Settings → Actions); nothing outside the console changed; recovery watch started"
                ),
                format!(
                    "인시던트 #{id} {code}의 조치 계획 실행: 조치 기능이 꺼져 있어(설정 → 조치) 조치 {actions}개를 시뮬레이션했습니다. 콘솔 밖은 바뀌지 않았습니다; 복구 감시 시작"
                ),
            ),
            (false, 0) => pick(
                lang,
                format!(
                    "Action plan of incident #{id} {code} executed: {actions} actions simulated; recovery watch started"
                ),
                format!(
                    "인시던트 #{id} {code}의 조치 계획 실행: 조치 {actions}개 시뮬레이션; 복구 감시 시작"
                ),
            ),
            (false, real) => pick(
                lang,
                format!(
                    "Action plan of incident #{id} {code} executed: {real} of {actions} actions ran for real; recovery watch started"
                ),
                format!(
                    "인시던트 #{id} {code}의 조치 계획 실행: 조치 {actions}개 중 {real}개 실제 실행; 복구 감시 시작"
                ),
            ),
        },
        ActionRan {
            id,
            number,
            dry_run,
            outcome,
            status,
            duration_ms,
        } => {
            let o = crate::text::plan::outcome(*outcome, lang);
            let status = match lang {
                Lang::En => status.map_or(String::new(), |s| format!(", status {s}")),
                Lang::Ko => status.map_or(String::new(), |s| format!(", 상태 {s}")),
            };
            let secs = *duration_ms as f64 / 1000.0;
            match (dry_run, lang) {
                (true, Lang::En) => {
                    format!("Incident #{id}, action {number}: dry run {o}{status} in {secs:.1} s")
                }
                (false, Lang::En) => {
                    format!("Incident #{id}, action {number}: {o}{status} in {secs:.1} s")
                }
                (true, Lang::Ko) => format!(
                    "인시던트 #{id}, 조치 {number}: 사전 점검(dry run) {o}{status}, {secs:.1}초"
                ),
                (false, Lang::Ko) => {
                    format!("인시던트 #{id}, 조치 {number}: {o}{status}, {secs:.1}초")
                }
            }
        }
        DryRunReady { id, number } => pick(
            lang,
            format!(
                "Incident #{id}, action {number}: read the dry run's output; the real run waits for your approval"
            ),
            format!(
                "인시던트 #{id}, 조치 {number}: 사전 점검 결과를 확인하세요. 실제 실행은 승인을 기다립니다"
            ),
        ),
        PlanStopped { id, number, why } => {
            let why = crate::text::plan::stop_reason(*why, lang);
            pick(
                lang,
                format!(
                    "The plan of incident #{id} stopped at action {number} ({why}); the actions after it did not run. Execute again to run what has not succeeded"
                ),
                format!(
                    "인시던트 #{id}의 플랜이 조치 {number}에서 중단되었습니다 ({why}). 이후 조치는 실행되지 않았습니다. 다시 실행하면 성공하지 않은 조치만 실행합니다"
                ),
            )
        }
        OutcomeUnknown { id, numbers } => {
            let list: Vec<String> = numbers.iter().map(|n| n.to_string()).collect();
            pick(
                lang,
                format!(
                    "Incident #{id}: action {} was running when the console stopped; its outcome is unknown. Check the target before running it again",
                    list.join(", ")
                ),
                format!(
                    "인시던트 #{id}: 콘솔이 멈출 때 조치 {}가 실행 중이었습니다. 결과를 알 수 없으니 대상을 확인한 뒤 다시 실행하세요",
                    list.join(", ")
                ),
            )
        }
        AuditFailed { error } => pick(
            lang,
            format!("The audit log could not be written: {error}"),
            format!("감사 로그를 쓸 수 없습니다: {error}"),
        ),
        PlanRefused { id, reason } => match reason {
            Refusal::Headless => pick(
                lang,
                format!(
                    "Refused to execute the plan of incident #{id}: headless runs never execute actions"
                ),
                format!(
                    "인시던트 #{id}의 플랜 실행 거부: 화면 없는 실행은 조치를 실행하지 않습니다"
                ),
            ),
            Refusal::Finished => pick(
                lang,
                format!("Not executed: incident #{id} is already recovered or closed"),
                format!("실행하지 않음: 인시던트 #{id}는 이미 복구되었거나 종료되었습니다"),
            ),
            Refusal::AlreadyRan(at) => pick(
                lang,
                format!(
                    "Not executed: the plan of incident #{id} already ran at {}",
                    at.format("%H:%M:%S")
                ),
                format!(
                    "실행하지 않음: 인시던트 #{id}의 플랜은 {}에 이미 실행되었습니다",
                    at.format("%H:%M:%S")
                ),
            ),
            Refusal::Unacknowledged(actions) => {
                let list: Vec<String> = actions
                    .iter()
                    .map(|(n, cmd)| format!("{n} `{cmd}`"))
                    .collect();
                pick(
                    lang,
                    format!(
                        "Refused to execute the plan of incident #{id}: high-risk action {} was not confirmed by typing the incident id (or the runbook's word); nothing ran",
                        list.join(", ")
                    ),
                    format!(
                        "인시던트 #{id}의 플랜 실행 거부: 위험도 높은 조치 {}를 인시던트 번호(또는 런북의 확인 단어) 입력으로 확인하지 않았습니다. 아무것도 실행하지 않았습니다",
                        list.join(", ")
                    ),
                )
            }
            Refusal::InProgress => pick(
                lang,
                format!("Not executed: a run of the plan of incident #{id} is under way"),
                format!("실행하지 않음: 인시던트 #{id}의 플랜이 이미 실행 중입니다"),
            ),
            Refusal::NotAllowed(refusals) => {
                let each: Vec<String> = refusals
                    .iter()
                    .map(|r| crate::text::plan::refusal(r, lang))
                    .collect();
                pick(
                    lang,
                    format!(
                        "Refused to execute the plan of incident #{id}; nothing ran: {}",
                        each.join("; ")
                    ),
                    format!(
                        "인시던트 #{id}의 플랜 실행 거부, 아무것도 실행하지 않았습니다: {}",
                        each.join("; ")
                    ),
                )
            }
            Refusal::NotAwaitingRun { number } => pick(
                lang,
                format!(
                    "Not run: no dry run of action {number} of incident #{id} waits for approval"
                ),
                format!(
                    "실행하지 않음: 인시던트 #{id}의 조치 {number}에는 승인을 기다리는 사전 점검이 없습니다"
                ),
            ),
            Refusal::RunningElsewhere { by, since } => pick(
                lang,
                format!(
                    "Not executed: {by} is running the plan of incident #{id} since {} on another console; nothing to approve here",
                    since.format("%H:%M:%S")
                ),
                format!(
                    "실행하지 않음: {by}이(가) {}부터 다른 콘솔에서 인시던트 #{id}의 플랜을 실행 중입니다. 여기서 승인할 것이 없습니다",
                    since.format("%H:%M:%S")
                ),
            ),
            Refusal::AloneUnacknowledged(actions) => {
                let list: Vec<String> = (actions.iter())
                    .map(|(n, cmd)| format!("{n} `{cmd}`"))
                    .collect();
                let list = list.join(", ");
                pick(
                    lang,
                    format!(
                        "Refused to execute the plan of incident #{id}: the team store is unreachable, so another console may act on it too; type \"alone\" to run high-risk action {list} anyway. Nothing ran"
                    ),
                    format!(
                        "인시던트 #{id}의 플랜 실행 거부: 팀 저장소에 연결할 수 없어 다른 콘솔도 조치할 수 있습니다. 그래도 위험도 높은 조치 {list}를 실행하려면 \"단독\"을 입력하세요. 아무것도 실행하지 않았습니다"
                    ),
                )
            }
            Refusal::TeamUnanswered(reason) => pick(
                lang,
                format!(
                    "Not executed: the team store did not answer whether another console runs the plan of incident #{id} ({reason}); try again"
                ),
                format!(
                    "실행하지 않음: 다른 콘솔이 인시던트 #{id}의 플랜을 실행 중인지 팀 저장소가 답하지 않았습니다 ({reason}). 다시 시도하세요"
                ),
            ),
        },
        _ => return None,
    })
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
        (R::PortNotAllowed(h, p), Lang::Ko) => format!(
            "호스트 `{h}`는 허용되지만 포트 {p}는 아닙니다 (설정 → 조치의 허용 목록에 `{h}:{p}` 추가)"
        ),
        (R::UserInfo(u), Lang::Ko) => format!(
            "`{u}`에 사용자 이름이나 비밀번호가 들어 있습니다. 자격 증명은 Secret 헤더로 보내세요"
        ),
        (R::Template(e), Lang::Ko) => format!("템플릿 오류: {}", template_error_ko(e)),
        (R::MissingSecret(n), Lang::Ko) => {
            let prefix = crate::model::overrides::SECRET_PREFIX;
            format!("비밀 값 `{n}`이 {prefix}{n} 환경 변수에도, 설정 → 조치에도 없습니다")
        }
    };
    match lang {
        Lang::En => format!("runbook `{}`, action {}: {reason}", r.runbook, r.number),
        Lang::Ko => format!("런북 `{}`, 조치 {}: {reason}", r.runbook, r.number),
    }
}

/// Why a template cannot be filled, in Korean (the English is the error's `Display`).
fn template_error_ko(e: &crate::model::TemplateError) -> String {
    use crate::model::TemplateError as E;
    let limit = crate::model::OUTSIDE_VALUE_LIMIT_BYTES;
    match e {
        E::Unknown(n, known) => {
            format!("`{{{{{n}}}}}`는 인시던트 변수가 아닙니다 (있는 것: {known})")
        }
        E::Unclosed => "`{{`가 닫히지 않았습니다".into(),
        E::InUrlAuthority(n) => format!(
            "`{{{{{n}}}}}`가 URL의 스킴, 호스트 또는 포트에 있습니다. 변수는 경로와 쿼리에만 쓸 수 있습니다"
        ),
        E::OutsideTooLong { name, bytes } => format!(
            "`{{{{{name}}}}}`는 알림에서 온 값으로 {bytes}바이트입니다 (조치에는 최대 {limit}바이트)"
        ),
        E::OutsideControl(n) => {
            format!("`{{{{{n}}}}}`는 알림에서 온 값으로 제어 문자를 담고 있습니다")
        }
        E::NotJsonNumber(n) => format!(
            "`{{{{{n}}}}}`가 JSON 문자열 밖에 있는데 값이 숫자가 아닙니다 (따옴표 안에 넣으세요)"
        ),
        E::BodyNotJson(why) => format!("채운 본문이 JSON이 아닙니다: {why}"),
        E::HeaderBreak(h) => format!("헤더 `{h}`에 줄바꿈이 들어갑니다"),
        E::LeadingDash { number, name } => format!(
            "인자 {number}가 `{{{{{name}}}}}` 때문에 `-`로 시작해 옵션으로 읽힐 수 있습니다 (런북에서 args_may_start_with_dash: [{number}]로 허용 가능)"
        ),
        E::OutsideInCwd(n) => {
            format!("`{{{{{n}}}}}`는 알림에서 온 값이라 작업 디렉터리를 정할 수 없습니다")
        }
        E::Nul(n) => format!("`{{{{{n}}}}}`에 NUL 문자가 있습니다"),
    }
}

/// The exported report's audit section in Markdown (Korean, the report's language): each line
/// escaped as outside text, on one line; nothing when there are none.
pub fn audit_markdown<'a>(lines: impl Iterator<Item = &'a crate::audit::AuditLine>) -> String {
    let items: Vec<String> = lines
        .map(|l| {
            let line = audit_line(l, Lang::Ko);
            format!(
                "- {}",
                crate::model::escape_markdown(&line.replace(['\r', '\n'], " "))
            )
        })
        .collect();
    if items.is_empty() {
        return String::new();
    }
    format!(
        "\n## 감사 로그 (조치 승인과 실행)\n\n{}\n",
        items.join("\n")
    )
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
