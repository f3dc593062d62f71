//! Team mode in words: the team store's state for the status line and the feed, owners, and
//! incidents another console opened, in English or Korean. A console's name and a reason
//! come from outside (the settings, the server) and are shown as given.

use super::format_duration;
use crate::model::{FeedEvent, Lang, TeamStatus};

fn pick(lang: Lang, en: String, ko: String) -> String {
    match lang {
        Lang::En => en,
        Lang::Ko => ko,
    }
}

/// The status line's words for the team store at `now`; `None` in solo mode.
pub fn status(
    status: &TeamStatus,
    now: chrono::DateTime<chrono::Utc>,
    lang: Lang,
) -> Option<String> {
    Some(match status {
        TeamStatus::Off => return None,
        TeamStatus::Connecting => pick(
            lang,
            "team store: joining…".into(),
            "팀 저장소: 연결 중…".into(),
        ),
        TeamStatus::Joined { .. } => pick(
            lang,
            "team store: joined".into(),
            "팀 저장소: 연결됨".into(),
        ),
        TeamStatus::Alone { since, .. } => {
            let at = since.with_timezone(&chrono::Local).format("%H:%M:%S");
            let d = format_duration(now - *since);
            pick(
                lang,
                format!("team store unreachable since {at} ({d}): working alone"),
                format!("팀 저장소에 {at}부터 연결할 수 없음 ({d}): 단독으로 작업 중"),
            )
        }
        TeamStatus::Unusable { reason } => pick(
            lang,
            format!("team store not used: {reason}"),
            format!("팀 저장소 사용 안 함: {reason}"),
        ),
    })
}

/// A team event of the feed in words; `None` for any other event.
pub fn message(event: &FeedEvent, lang: Lang) -> Option<String> {
    use FeedEvent::*;
    Some(match event {
        OwnerChanged { id, owner, from } => match from {
            Some(from) => pick(
                lang,
                format!("Incident #{id}: {owner} has it now (handed over from {from})"),
                format!("인시던트 #{id}: 이제 {owner} 담당 ({from}에게서 인계)"),
            ),
            None => pick(
                lang,
                format!("Incident #{id}: {owner} has it (incident commander)"),
                format!("인시던트 #{id}: {owner} 담당 (인시던트 지휘자)"),
            ),
        },
        RunLost { id, numbers, by } => {
            let list: Vec<String> = numbers.iter().map(|n| n.to_string()).collect();
            let list = list.join(", ");
            pick(
                lang,
                format!(
                    "Incident #{id}: action {list} was running on {by}, which stopped answering the team store; its outcome is unknown. Check the target before running it again"
                ),
                format!(
                    "인시던트 #{id}: 조치 {list}가 {by}에서 실행 중이었는데 그 콘솔이 팀 저장소에 응답하지 않습니다. 결과를 알 수 없으니 대상을 확인한 뒤 다시 실행하세요"
                ),
            )
        }
        TeamJoined { version, applied } => match applied {
            0 => pick(
                lang,
                format!("Joined the team store (schema {version})"),
                format!("팀 저장소에 연결했습니다 (스키마 {version})"),
            ),
            n => pick(
                lang,
                format!(
                    "Joined the team store; its schema is now {version} ({n} migration{} applied)",
                    if *n == 1 { "" } else { "s" }
                ),
                format!(
                    "팀 저장소에 연결했습니다. 스키마를 {version}(으)로 올렸습니다 (마이그레이션 {n}개)"
                ),
            ),
        },
        TeamUnreachable { reason } => pick(
            lang,
            format!(
                "Team store unreachable: working alone ({reason}); incidents are kept here and merged on reconnect"
            ),
            format!(
                "팀 저장소에 연결할 수 없음: 단독으로 작업합니다 ({reason}). 인시던트는 여기에 보관되고 다시 연결되면 합쳐집니다"
            ),
        ),
        TeamBack { after_secs } => {
            let d = format_duration(chrono::Duration::seconds(*after_secs));
            pick(
                lang,
                format!("Team store reachable again after {d} alone; merging"),
                format!("{d} 동안 단독으로 작업한 뒤 팀 저장소에 다시 연결했습니다. 합치는 중"),
            )
        }
        TeamUnusable { reason } => pick(
            lang,
            format!("The team store is not used: {reason}"),
            format!("팀 저장소를 사용하지 않습니다: {reason}"),
        ),
        TeamRefused { reason } => pick(
            lang,
            format!(
                "The team store refused this console's incident: {reason}; it stays this console's alone"
            ),
            format!(
                "팀 저장소가 이 콘솔의 인시던트를 거부했습니다: {reason}. 이 콘솔에만 남습니다"
            ),
        ),
        TeamOpened { id, code, by } => pick(
            lang,
            format!("Incident #{id} ({code}) opened for the team by {by}"),
            format!("인시던트 #{id} ({code}): {by}이(가) 팀을 위해 열었습니다"),
        ),
        TeamEventUnreadable { seq, reason } => pick(
            lang,
            format!("Team store event {seq} cannot be read by this console ({reason}); update it"),
            format!(
                "이 콘솔은 팀 저장소 이벤트 {seq}을(를) 읽을 수 없습니다 ({reason}). 콘솔을 업데이트하세요"
            ),
        ),
        _ => return None,
    })
}
