//! The post-incident review's words, in English or Korean: headings, labels and the
//! sentences its sections are made of. What is quoted (a note, an alert's name, an action's
//! command) comes in as data; escaping it is the renderer's job.

use chrono::{DateTime, Duration, Utc};

use crate::model::{Lang, ReviewSection};

fn t(lang: Lang, en: &'static str, ko: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Ko => ko,
    }
}

/// Each heading of the review, in its order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Heading {
    /// What happened, in a few lines.
    Summary,
    /// When it began, was detected, acknowledged, mitigated, recovered, closed.
    KeyTimes,
    /// Which series, how bad, how long.
    Impact,
    /// Each rule's series over the incident's window.
    Graphs,
    /// A section the responders wrote.
    Written(ReviewSection),
    /// What is to be done after it.
    FollowUps,
    /// The events the responders starred.
    Starred,
    /// Every event.
    Timeline,
    /// Hypotheses with their marks, evidence with its live checks.
    Hypotheses,
    /// The plan's actions and the audit log's lines.
    Actions,
    /// What was sent, and what was not.
    Notifications,
}

/// A heading in words.
pub fn heading(h: Heading, lang: Lang) -> &'static str {
    match h {
        Heading::Summary => t(lang, "Summary", "요약"),
        Heading::KeyTimes => t(lang, "Key times", "주요 시각"),
        Heading::Impact => t(lang, "Impact", "영향"),
        Heading::Graphs => t(lang, "Graphs", "그래프"),
        Heading::Written(s) => super::timeline::review_section(s, lang),
        Heading::FollowUps => t(lang, "Follow-ups", "후속 조치"),
        Heading::Starred => t(lang, "Starred events", "별표한 이벤트"),
        Heading::Timeline => t(lang, "Timeline", "타임라인"),
        Heading::Hypotheses => t(lang, "Hypotheses and evidence", "가설과 증거"),
        Heading::Actions => t(lang, "Actions and audit log", "조치와 감사 로그"),
        Heading::Notifications => t(lang, "Notifications", "알림"),
    }
}

/// The review's title.
pub fn title(id: u64, name: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Post-incident review: #{id} {name}"),
        Lang::Ko => format!("사후 검토: #{id} {name}"),
    }
}

/// One line of the review's header: what wrote it and when.
pub fn written(at: DateTime<Utc>, lang: Lang) -> String {
    let at = at.format("%Y-%m-%d %H:%M:%S UTC");
    match lang {
        Lang::En => format!(
            "Written by the Incident Response Console at {at}, from the incident's own events and kept samples."
        ),
        Lang::Ko => format!(
            "Incident Response Console이 {at}에 인시던트의 이벤트와 보관된 샘플로 작성했습니다."
        ),
    }
}

/// The labels of the summary's lines.
pub fn summary_label(which: usize, lang: Lang) -> &'static str {
    const EN: [&str; 6] = [
        "Status",
        "Runbook",
        "Opened",
        "Opened by",
        "What crossed",
        "Resolution",
    ];
    const KO: [&str; 6] = [
        "상태",
        "런북",
        "열린 시각",
        "연 주체",
        "넘은 값",
        "해결 내용",
    ];
    match lang {
        Lang::En => EN[which.min(5)],
        Lang::Ko => KO[which.min(5)],
    }
}

/// The key times' rows, in order: began, detected, acknowledged, mitigated, recovered,
/// closed.
pub fn key_time(which: usize, lang: Lang) -> &'static str {
    const EN: [&str; 6] = [
        "Trouble began",
        "Detected",
        "Acknowledged",
        "Mitigated (plan's last action)",
        "Recovered",
        "Closed",
    ];
    const KO: [&str; 6] = [
        "문제 시작",
        "감지",
        "확인(ack)",
        "완화 (플랜의 마지막 조치)",
        "복구",
        "종료",
    ];
    match lang {
        Lang::En => EN[which.min(5)],
        Lang::Ko => KO[which.min(5)],
    }
}

/// A time with its distance from the start: `09:00:03 (+3s)`, or "not yet".
pub fn at_since(at: Option<DateTime<Utc>>, began: DateTime<Utc>, lang: Lang) -> String {
    match at {
        Some(at) => format!(
            "{} (+{})",
            at.format("%Y-%m-%d %H:%M:%S"),
            super::format_duration((at - began).max(Duration::zero()))
        ),
        None => t(lang, "not yet", "아직 없음").into(),
    }
}

/// The impact table's header.
pub fn impact_head(lang: Lang) -> Vec<String> {
    let cols = match lang {
        Lang::En => [
            "Rule",
            "Series",
            "First breach",
            "Peak",
            "Threshold",
            "In breach",
            "Samples",
        ],
        Lang::Ko => [
            "규칙",
            "시리즈",
            "첫 위반",
            "최악 값",
            "임계치",
            "위반 지속",
            "샘플",
        ],
    };
    cols.iter().map(|s| s.to_string()).collect()
}

/// The follow-ups table's header.
pub fn follow_ups_head(lang: Lang) -> Vec<String> {
    let cols = match lang {
        Lang::En => ["Follow-up", "Owner", "Due", "Status"],
        Lang::Ko => ["후속 조치", "담당", "기한", "상태"],
    };
    cols.iter().map(|s| s.to_string()).collect()
}

/// The timeline table's header.
pub fn timeline_head(lang: Lang) -> Vec<String> {
    let cols = match lang {
        Lang::En => ["Time", "What", "Who", "Details"],
        Lang::Ko => ["시각", "종류", "주체", "내용"],
    };
    cols.iter().map(|s| s.to_string()).collect()
}

/// What the review says when a section has nothing.
pub fn nothing(h: Heading, lang: Lang) -> &'static str {
    match h {
        Heading::Impact => t(
            lang,
            "No series breached on the console's own monitor (an incident from alerts, or fired by hand).",
            "콘솔 모니터에서 위반한 시리즈가 없습니다 (알림으로 열렸거나 수동 발생).",
        ),
        Heading::Graphs => t(
            lang,
            "No samples were kept for this incident: they are kept when it recovers or closes, or when the console exits, for incidents of a metric rule.",
            "이 인시던트의 샘플이 보관되지 않았습니다: 메트릭 규칙의 인시던트가 복구·종료되거나 콘솔이 끝날 때 보관됩니다.",
        ),
        Heading::Starred => t(lang, "Nothing was starred.", "별표한 이벤트가 없습니다."),
        Heading::Notifications => t(
            lang,
            "No notification was made for it.",
            "보낸 알림이 없습니다.",
        ),
        Heading::Actions => t(
            lang,
            "The runbook has no actions.",
            "런북에 조치가 없습니다.",
        ),
        Heading::Written(_) => t(
            lang,
            "Not written yet: the responders write it on the incident, under Review.",
            "아직 작성되지 않았습니다: 인시던트의 '검토'에서 작성합니다.",
        ),
        Heading::FollowUps => t(lang, "No follow-ups.", "후속 조치가 없습니다."),
        _ => "—",
    }
}

/// A graph's title: the rule's name and its threshold.
pub fn graph_title(rule: &str, threshold: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{rule} (threshold {threshold})"),
        Lang::Ko => format!("{rule} (임계치 {threshold})"),
    }
}

/// The threshold line's name in a graph's legend.
pub fn threshold(value: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("threshold {value}"),
        Lang::Ko => format!("임계치 {value}"),
    }
}

/// An action that has not run.
pub fn not_run(lang: Lang) -> &'static str {
    t(lang, "not run", "실행 안 함")
}

/// The legend's names of the graph's markers: detection, acknowledgement, action, recovery.
pub fn marker(which: usize, lang: Lang) -> &'static str {
    const EN: [&str; 4] = ["detected", "acknowledged", "action", "recovered"];
    const KO: [&str; 4] = ["감지", "확인", "조치", "복구"];
    match lang {
        Lang::En => EN[which.min(3)],
        Lang::Ko => KO[which.min(3)],
    }
}

/// A hypothesis with its mark.
pub fn hypothesis(n: usize, text: &str, mark: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{n}. {text} — {mark}"),
        Lang::Ko => format!("{n}. {text} — {mark}"),
    }
}

/// An evidence item with its live check (or that none ran).
pub fn evidence(n: usize, text: &str, check: Option<String>, lang: Lang) -> String {
    let check = check.unwrap_or_else(|| t(lang, "no live check", "실시간 확인 없음").into());
    format!("E{n}. {text} — {check}")
}

/// The label before the model's draft of a part.
pub fn drafted(model: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Drafted by the model ({model}), grounded in the numbered facts below"),
        Lang::Ko => format!("모델({model})이 아래 번호 사실을 근거로 쓴 초안"),
    }
}

/// A claim with the facts it cites: `text [F1, F3]`.
pub fn claim(text: &str, cites: &[String]) -> String {
    if cites.is_empty() {
        return text.to_string();
    }
    format!("{text} [{}]", cites.join(", "))
}

/// What the facts do not back, in words.
pub fn flag(f: &crate::model::AnswerFlag, lang: Lang) -> String {
    use crate::model::AnswerFlag as F;
    match (f, lang) {
        (F::UnbackedNumber { number, part }, Lang::En) => {
            format!("unbacked: the number {number} in {part} is in no fact")
        }
        (F::UnbackedNumber { number, part }, Lang::Ko) => {
            format!("근거 없음: {part}의 숫자 {number}는 어떤 사실에도 없습니다")
        }
        (F::UnknownCite { id, part }, Lang::En) => {
            format!("unbacked: {part} cites {id}, which is no fact")
        }
        (F::UnknownCite { id, part }, Lang::Ko) => {
            format!("근거 없음: {part}가 인용한 {id}는 없는 사실입니다")
        }
    }
}
