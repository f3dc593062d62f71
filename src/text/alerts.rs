//! Words for alerts: the Alertmanager intake's feed events (arrivals, storms, incidents from
//! alerts, acknowledgements), in English and Korean.

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
        AlertStorm {
            source,
            fired,
            resolved,
            by_name,
            other_names,
            secs,
        } => {
            let mut names: Vec<String> = by_name.iter().map(|(n, c)| format!("{n} {c}")).collect();
            if *other_names > 0 {
                names.push(if ko {
                    format!("그 밖에 {other_names}종")
                } else {
                    format!("{other_names} more names")
                });
            }
            let names = names.join(", ");
            if ko {
                format!(
                    "알림 폭주: 최근 {secs}초 동안 {source}에서 알림 {fired}개 발생 ({names}), {resolved}개 해소. 개별 줄은 생략했습니다 (알림 탭에 모두 있습니다)"
                )
            } else {
                format!(
                    "Alert storm: {fired} more alerts fired from {source} in the last {secs} s ({names}) and {resolved} resolved; not listed one by one (all are in the Alerts tab)"
                )
            }
        }
        AcknowledgedMany {
            alerts,
            silences,
            common,
            by,
            comment,
            until,
        } => {
            let until = until.format("%Y-%m-%d %H:%M UTC");
            match (ko, *common) {
                (true, true) => format!(
                    "{by}이(가) 알림 {alerts}개를 공통 매처의 사일런스 {silences}개로 한꺼번에 확인했습니다 ({until}까지): \"{comment}\""
                ),
                (true, false) => format!(
                    "{by}이(가) 알림 {alerts}개를 한꺼번에 확인했습니다. 알림마다 사일런스 {silences}개 ({until}까지): \"{comment}\""
                ),
                (false, true) => format!(
                    "{by} acknowledged {alerts} alerts together with {silences} silence of their common matchers until {until}: \"{comment}\""
                ),
                (false, false) => format!(
                    "{by} acknowledged {alerts} alerts together, {silences} silences (one each) until {until}: \"{comment}\""
                ),
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
        AlertIncident {
            id,
            code,
            name,
            group,
            matcher,
        } => match (matcher, ko) {
            (Some(m), true) => format!(
                "인시던트 #{id} 열림: 알림 {name}이(가) 런북 {code}의 {m}와 일치 (그룹 {group})"
            ),
            (Some(m), false) => format!(
                "Incident #{id} opened: alert {name} matched runbook {code} by {m} (group {group})"
            ),
            (None, true) => format!("인시던트 #{id} 열림: 알림 {name}에서 수동으로 ({code})"),
            (None, false) => format!("Incident #{id} opened by hand from alert {name} ({code})"),
        },
        AlertAttached {
            id,
            name,
            fingerprint,
            count,
        } => {
            if ko {
                format!(
                    "알림 {name} ({fingerprint})이(가) 인시던트 #{id}에 붙었습니다 (알림 {count}개)"
                )
            } else {
                format!("Alert {name} ({fingerprint}) attached to incident #{id} ({count} alerts)")
            }
        }
        AlertsAllResolved { id, after_secs } => {
            let d = format_duration(chrono::Duration::seconds(*after_secs));
            if ko {
                format!(
                    "인시던트 #{id}의 알림이 모두 해소되었습니다 (해소까지 {d}). 확인(ack)은 끝났습니다"
                )
            } else {
                format!(
                    "Every alert of incident #{id} resolved ({d} to resolve); its acknowledgement ended"
                )
            }
        }
        Acknowledged {
            id,
            name,
            by,
            comment,
            until,
            silences,
        } => {
            let what = what(*id, name, ko);
            let until = until.format("%Y-%m-%d %H:%M UTC");
            if ko {
                format!(
                    "{by}님이 {what}을(를) 확인했습니다: 사일런스 {silences}개, {until}까지 — \"{comment}\""
                )
            } else {
                format!(
                    "{by} acknowledged {what}: {silences} silences until {until} — \"{comment}\""
                )
            }
        }
        AckFailed { id, name, reason } => {
            let what = what(*id, name, ko);
            if ko {
                format!("{what}의 사일런스를 만들거나 끝낼 수 없습니다: {reason}")
            } else {
                format!("Cannot create or expire the silences of {what}: {reason}")
            }
        }
        Unsilenced {
            id,
            name,
            by,
            silences,
        } => {
            let what = what(*id, name, ko);
            if ko {
                format!("{by}님이 {what}의 사일런스 {silences}개를 끝냈습니다")
            } else {
                format!("{by} expired {silences} silences of {what}")
            }
        }
        _ => return None,
    })
}

/// `incident #3` or `alert HighCpu`.
fn what(id: Option<u64>, name: &str, ko: bool) -> String {
    match (id, ko) {
        (Some(id), true) => format!("인시던트 #{id}"),
        (Some(id), false) => format!("incident #{id}"),
        (None, true) => format!("알림 {name}"),
        (None, false) => format!("alert {name}"),
    }
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
