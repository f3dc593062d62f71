//! An incident's timeline in words: who (an event's author), what kind, and the events only
//! a timeline records (marks, approvals, notes, stars, live checks), in English or Korean.
//! A note's text is the responder's own and is shown as written.

use crate::model::{
    Author, CheckState, FeedEvent, FollowUp, FollowUpStatus, HypothesisMark, IncidentEventKind,
    Lang, ReviewSection,
};

fn pick(lang: Lang, en: String, ko: String) -> String {
    match lang {
        Lang::En => en,
        Lang::Ko => ko,
    }
}

fn t(lang: Lang, en: &'static str, ko: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Ko => ko,
    }
}

/// Who, in words: a responder's name as they set it, or what the console calls itself.
pub fn author(author: &Author, lang: Lang) -> String {
    match author {
        Author::Responder(name) => name.clone(),
        Author::Monitor => t(lang, "monitor", "모니터").into(),
        Author::Alertmanager => "alertmanager".into(),
        Author::Model => t(lang, "model", "모델").into(),
        Author::Console => t(lang, "console", "콘솔").into(),
        Author::Unrecorded => "—".into(),
    }
}

/// A timeline event's kind, in a word or two.
pub fn kind(kind: &IncidentEventKind, lang: Lang) -> &'static str {
    use IncidentEventKind as K;
    match kind {
        K::Opened => t(lang, "opened", "열림"),
        K::Refired => t(lang, "re-fired", "재발생"),
        K::PlanExecuted => t(lang, "plan executed", "플랜 실행"),
        K::PlanDeferred => t(lang, "plan deferred", "플랜 연기"),
        K::ActionRan => t(lang, "action ran", "조치 실행"),
        K::PlanStopped => t(lang, "plan stopped", "플랜 중단"),
        K::Recovered => t(lang, "recovered", "복구됨"),
        K::Closed => t(lang, "closed", "종료"),
        K::Flapping => t(lang, "flapping", "플래핑"),
        K::SeriesCleared => t(lang, "series clear", "시리즈 해소"),
        K::AlertAttached => t(lang, "alert attached", "알림 추가"),
        K::Acknowledged => t(lang, "acknowledged", "확인(ack)"),
        K::Unsilenced => t(lang, "unsilenced", "사일런스 해제"),
        K::AlertsResolved => t(lang, "alerts resolved", "알림 해소"),
        K::Marked => t(lang, "marked", "가설 판정"),
        K::Approved => t(lang, "approved", "승인"),
        K::Refused => t(lang, "refused", "거부됨"),
        K::Note => t(lang, "note", "메모"),
        K::NoteEdited => t(lang, "note edited", "메모 수정"),
        K::Starred => t(lang, "star", "별표"),
        K::Notified => t(lang, "notified", "알림 전송"),
        K::Checked => t(lang, "live check", "실시간 확인"),
        K::ModelReport => t(lang, "model report", "모델 보고서"),
        K::Verified => t(lang, "verified", "복구 확인"),
        K::Review => t(lang, "review", "검토"),
        K::FollowUp => t(lang, "follow-up", "후속 조치"),
        K::Owner => t(lang, "owner", "담당자"),
    }
}

/// A hypothesis mark in a word.
pub fn mark(mark: HypothesisMark, lang: Lang) -> &'static str {
    match mark {
        HypothesisMark::Open => t(lang, "open", "미판정"),
        HypothesisMark::Confirmed => t(lang, "confirmed", "확인"),
        HypothesisMark::Rejected => t(lang, "rejected", "기각"),
    }
}

/// A live check's state in words.
pub fn check_state(state: CheckState, lang: Lang) -> &'static str {
    match state {
        CheckState::Observed => t(lang, "observed", "관측됨"),
        CheckState::NotObserved => t(lang, "not observed", "관측 안 됨"),
        CheckState::CouldNotCheck => t(lang, "could not check", "확인 불가"),
    }
}

/// A review section's name.
pub fn review_section(section: ReviewSection, lang: Lang) -> &'static str {
    match section {
        ReviewSection::WentWell => t(lang, "What went well", "잘된 점"),
        ReviewSection::WentBadly => t(lang, "What did not go well", "아쉬운 점"),
        ReviewSection::ContributingFactors => t(lang, "Contributing factors", "기여 요인"),
    }
}

/// A follow-up's status in a word.
pub fn follow_up_status(status: FollowUpStatus, lang: Lang) -> &'static str {
    match status {
        FollowUpStatus::Open => t(lang, "open", "진행 전"),
        FollowUpStatus::Done => t(lang, "done", "완료"),
        FollowUpStatus::WontDo => t(lang, "won't do", "하지 않음"),
    }
}

/// A follow-up in one line: text, owner, due date, status.
pub fn follow_up(item: &FollowUp, lang: Lang) -> String {
    let owner = match item.owner.is_empty() {
        true => t(lang, "no owner", "담당자 없음").to_string(),
        false => item.owner.clone(),
    };
    let due = item.due.map_or_else(
        || t(lang, "no due date", "기한 없음").to_string(),
        |d| d.format("%Y-%m-%d").to_string(),
    );
    format!(
        "{} ({owner}, {due}, {})",
        item.text,
        follow_up_status(item.status, lang)
    )
}

/// The words of the events only a timeline records; `None` for any other event.
pub fn message(event: &FeedEvent, lang: Lang) -> Option<String> {
    use FeedEvent::*;
    Some(match event {
        HypothesisMarked {
            id,
            hypothesis,
            from,
            to,
        } => {
            let n = hypothesis + 1;
            pick(
                lang,
                format!(
                    "Incident #{id}: hypothesis {n} {} → {}",
                    mark(*from, lang),
                    mark(*to, lang)
                ),
                format!(
                    "인시던트 #{id}: 가설 {n} {} → {}",
                    mark(*from, lang),
                    mark(*to, lang)
                ),
            )
        }
        PlanApproved {
            id,
            numbers,
            typed,
            actions_off,
        } => {
            let list = numbers
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            let (en_t, ko_t) = match typed {
                0 => (String::new(), String::new()),
                n => (
                    format!("; {n} high-risk confirmed by typing"),
                    format!("; 고위험 {n}개 입력으로 확인"),
                ),
            };
            let (en_o, ko_o) = if *actions_off {
                ("; Actions off: simulated", "; 조치 꺼짐: 시뮬레이션")
            } else {
                ("", "")
            };
            pick(
                lang,
                format!("Incident #{id}: plan approved (actions {list}){en_t}{en_o}"),
                format!("인시던트 #{id}: 플랜 승인 (조치 {list}){ko_t}{ko_o}"),
            )
        }
        RunApproved { id, number } => pick(
            lang,
            format!("Incident #{id}: action {number}'s real run approved after its dry run"),
            format!("인시던트 #{id}: 조치 {number} 드라이런 후 실제 실행 승인"),
        ),
        NoteAdded { text, .. } => text.clone(),
        NoteEdited { text, .. } => pick(lang, format!("(edited) {text}"), format!("(수정) {text}")),
        Starred { starred, .. } => t(
            lang,
            if *starred { "starred" } else { "star removed" },
            if *starred {
                "별표 표시"
            } else {
                "별표 해제"
            },
        )
        .into(),
        EvidenceChecked {
            evidence,
            state,
            value,
            series,
            detail,
            ..
        } => {
            let n = evidence + 1;
            let value = value.map_or_else(String::new, |v| format!(" {v:.4}"));
            let series = series
                .as_deref()
                .map_or_else(String::new, |s| format!(" ({s})"));
            let state = check_state(*state, lang);
            pick(
                lang,
                format!("Evidence {n}: {state}{value}{series}; {detail}"),
                format!("증거 {n}: {state}{value}{series}; {detail}"),
            )
        }
        ReviewWritten { section, text, .. } => {
            let name = review_section(*section, lang);
            match text.is_empty() {
                true => pick(lang, format!("{name}: cleared"), format!("{name}: 지움")),
                false => format!("{name}: {text}"),
            }
        }
        FollowUpAdded { item, .. } => pick(
            lang,
            format!("Follow-up added: {}", follow_up(item, lang)),
            format!("후속 조치 추가: {}", follow_up(item, lang)),
        ),
        FollowUpChanged { item, .. } => pick(
            lang,
            format!("Follow-up now: {}", follow_up(item, lang)),
            format!("후속 조치 변경: {}", follow_up(item, lang)),
        ),
        UnknownEvent { id, event } => pick(
            lang,
            format!(
                "Incident #{id} has no event {}-{} to star or edit",
                event.origin, event.seq
            ),
            format!(
                "인시던트 #{id}에는 별표나 수정할 이벤트 {}-{}가 없습니다",
                event.origin, event.seq
            ),
        ),
        _ => return None,
    })
}
