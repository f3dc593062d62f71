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
        _ => return None,
    })
}
