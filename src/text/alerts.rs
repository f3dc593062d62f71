//! Words for the Alertmanager intake's feed events, in English and Korean (kept apart from
//! `feed.rs`, which holds every other event's).

use crate::model::{FeedEvent, Lang};

use super::format_duration;

/// The event in words, for the intake's events; `None` for any other event.
pub fn message(event: &FeedEvent, lang: Lang) -> Option<String> {
    use FeedEvent::*;
    let ko = lang == Lang::Ko;
    Some(match event {
        AlertFired {
            name,
            severity,
            summary,
            fingerprint,
            source,
        } => {
            let severity = if severity.is_empty() {
                String::new()
            } else {
                format!(" [{severity}]")
            };
            let summary = if summary.is_empty() {
                String::new()
            } else {
                format!(": {summary}")
            };
            if ko {
                format!(
                    "Alertmanager 알림 발생 {name}{severity}{summary} ({fingerprint}, {source})"
                )
            } else {
                format!(
                    "Alertmanager alert firing {name}{severity}{summary} ({fingerprint}, from {source})"
                )
            }
        }
        AlertResolved {
            name,
            fingerprint,
            after_secs,
        } => {
            let d = format_duration(chrono::Duration::seconds(*after_secs));
            if ko {
                format!("Alertmanager 알림 해소 {name} ({fingerprint}): {d} 동안 발생")
            } else {
                format!("Alertmanager alert resolved {name} ({fingerprint}) after firing for {d}")
            }
        }
        AlertsTruncated { group, count } => {
            if ko {
                format!(
                    "Alertmanager가 그룹 {group}의 알림 {count}개를 웹훅에서 뺐습니다 (수신자의 max_alerts). 전체 목록은 폴링으로 받습니다"
                )
            } else {
                format!(
                    "Alertmanager left {count} alerts of group {group} out of the webhook (the receiver's max_alerts); polling brings the full list"
                )
            }
        }
        IntakeListening { addr } => {
            if ko {
                format!("Alertmanager 웹훅 수신 대기: http://{addr}/")
            } else {
                format!("Listening for Alertmanager webhooks on http://{addr}/")
            }
        }
        IntakeUnusable { reason } => {
            if ko {
                format!("Alertmanager 웹훅을 받을 수 없습니다: {reason}")
            } else {
                format!("Cannot take Alertmanager webhooks: {reason}")
            }
        }
        IntakeRefused { status, reason } => {
            if ko {
                format!("웹훅 요청을 거절했습니다 (HTTP {status}): {reason}")
            } else {
                format!("A webhook request was refused (HTTP {status}): {reason}")
            }
        }
        AlertmanagerUp {
            url,
            version,
            cluster,
            peers,
            after_failure,
        } => {
            let again = match (*after_failure, ko) {
                (true, true) => " 다시",
                (true, false) => " again",
                (false, _) => "",
            };
            if ko {
                format!(
                    "Alertmanager {url}가{again} 응답합니다: 버전 {version}, 클러스터 {cluster}, 피어 {peers}"
                )
            } else {
                format!(
                    "Alertmanager {url} answers{again}: version {version}, cluster {cluster}, {peers} peers"
                )
            }
        }
        AlertmanagerFailing { url, reason } => {
            if ko {
                format!(
                    "Alertmanager {url}를 폴링할 수 없습니다: {reason}. 알림은 마지막 상태로 둡니다"
                )
            } else {
                format!("Cannot poll Alertmanager {url}: {reason}; its alerts stay as they were")
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_words_in_both_languages() {
        let fired = FeedEvent::AlertFired {
            name: "HighErrorRate".into(),
            severity: "critical".into(),
            summary: "5xx above 5 %".into(),
            fingerprint: "a1b2".into(),
            source: "webhook".into(),
        };
        assert_eq!(
            message(&fired, Lang::En).unwrap(),
            "Alertmanager alert firing HighErrorRate [critical]: 5xx above 5 % (a1b2, from webhook)"
        );
        assert_eq!(
            message(&fired, Lang::Ko).unwrap(),
            "Alertmanager 알림 발생 HighErrorRate [critical]: 5xx above 5 % (a1b2, webhook)"
        );
        let resolved = FeedEvent::AlertResolved {
            name: "HighErrorRate".into(),
            fingerprint: "a1b2".into(),
            after_secs: 600,
        };
        let en = message(&resolved, Lang::En).unwrap();
        let ko = message(&resolved, Lang::Ko).unwrap();
        assert!(
            en.starts_with("Alertmanager alert resolved HighErrorRate (a1b2) after firing for "),
            "{en}"
        );
        assert!(
            ko.starts_with("Alertmanager 알림 해소 HighErrorRate (a1b2): "),
            "{ko}"
        );
        assert!(message(&FeedEvent::LanguageSet, Lang::En).is_none());
    }
}
