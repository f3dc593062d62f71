//! Words for alerts: the Alertmanager intake's feed events (arrivals, storms, incidents from
//! alerts, acknowledgements), in English and Korean.

use chrono::{DateTime, Utc};

use crate::model::{FeedEvent, Lang, Silence};

use super::format_duration;

/// Who silenced an alert, as its silence says (made here or with amtool, karma, the
/// Alertmanager UI…): `silenced by lee 12m 05s ago, until 14:30 UTC — "db failover"`.
pub fn silenced_by(s: &Silence, now: DateTime<Utc>, lang: Lang) -> String {
    let by = match (s.created_by.trim().is_empty(), lang) {
        (true, Lang::En) => "someone",
        (true, Lang::Ko) => "누군가",
        (false, _) => s.created_by.as_str(),
    };
    let until = s.ends_at.format("%m-%d %H:%M UTC");
    let comment = if s.comment.trim().is_empty() {
        String::new()
    } else {
        format!(" — \"{}\"", s.comment)
    };
    match (lang, s.starts_at > now) {
        (Lang::En, false) => format!(
            "silenced by {by} {} ago, until {until}{comment}",
            format_duration(now - s.starts_at)
        ),
        (Lang::En, true) => format!(
            "to be silenced by {by} from {}, until {until}{comment}",
            s.starts_at.format("%m-%d %H:%M UTC")
        ),
        (Lang::Ko, false) => format!(
            "{by}의 사일런스 ({} 전부터, {until}까지){comment}",
            format_duration(now - s.starts_at)
        ),
        (Lang::Ko, true) => format!(
            "{by}의 예약된 사일런스 ({}부터 {until}까지){comment}",
            s.starts_at.format("%m-%d %H:%M UTC")
        ),
    }
}

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
        AckNotMade { subject, problem } => {
            let subject = ack_subject(subject, ko);
            let why = ack_problem(problem, ko);
            if ko {
                format!("{subject}의 사일런스를 만들거나 끝낼 수 없습니다: {why}")
            } else {
                format!("Cannot create or expire the silences of {subject}: {why}")
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
        AckExtended {
            id,
            name,
            to,
            until,
        } => {
            let what = what(*id, name, ko);
            let (to, until) = (to.format("%H:%M UTC"), until.format("%Y-%m-%d %H:%M UTC"));
            if ko {
                format!(
                    "{what}이(가) 아직 발생 중이라 확인(ack)의 사일런스를 {to}까지 늘렸습니다 (최대 {until})"
                )
            } else {
                format!(
                    "{what} still fires: its acknowledgement's silences now end at {to} (at most {until})"
                )
            }
        }
        AckReminder { id, by, after_mins } => {
            if ko {
                format!(
                    "인시던트 #{id}: {by}님이 확인한 지 {after_mins}분이 지났는데 알림이 계속 발생 중입니다 (리마인더 전송)"
                )
            } else {
                format!(
                    "Incident #{id} still fires {after_mins} min after {by} acknowledged it: reminder sent"
                )
            }
        }
        AckDropped { id, by, after_mins } => {
            if ko {
                format!(
                    "인시던트 #{id}: {by}님이 확인한 뒤 {after_mins}분 동안 아무 조치가 없어 확인을 해제했습니다 (알림이 계속 발생 중)"
                )
            } else {
                format!(
                    "Incident #{id}: nobody acted on it for {after_mins} min after {by} acknowledged it, and it still fires; the acknowledgement was dropped"
                )
            }
        }
        Escalated { id, after_mins } => {
            if ko {
                format!(
                    "인시던트 #{id}: {after_mins}분 동안 아무도 확인하거나 맡지 않아 에스컬레이션했습니다"
                )
            } else {
                format!(
                    "Incident #{id}: nobody acknowledged or took it within {after_mins} min; escalated"
                )
            }
        }
        AckLapsed { id, name, at } => {
            let what = what(*id, name, ko);
            let at = at.format("%Y-%m-%d %H:%M UTC");
            if ko {
                format!("{what}의 확인(ack)이 {at}에 끝났습니다: 사일런스가 연장되지 않았습니다")
            } else {
                format!(
                    "The acknowledgement of {what} ended at {at}: its silences were not extended"
                )
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

fn ack_subject(subject: &crate::model::AckSubject, ko: bool) -> String {
    use crate::model::AckSubject::*;
    match subject {
        Alert { name } => what(None, name, ko),
        Incident { id } => what(Some(*id), "", ko),
        Alerts { count } if ko => format!("알림 {count}건"),
        Alerts { count } => format!("{count} alerts"),
    }
}

/// Why an acknowledgement's silences were not made, in words; Alertmanager's answers quoted.
pub fn ack_problem(problem: &crate::model::AckProblem, ko: bool) -> String {
    use crate::model::AckProblem::*;
    let pick = |en: &str, k: &str| if ko { k.to_string() } else { en.to_string() };
    match problem {
        UnknownAlert => pick("no such alert is known", "그런 알림이 없습니다"),
        UnknownIncident => pick("there is no such incident", "그런 인시던트가 없습니다"),
        NotFromAlerts => pick(
            "it was not opened from alerts",
            "알림에서 열린 인시던트가 아닙니다",
        ),
        NoneFiring => pick("none of its alerts is firing", "발생 중인 알림이 없습니다"),
        NoneUnacknowledged => pick(
            "none of them is firing and unacknowledged",
            "발생 중이면서 확인되지 않은 알림이 없습니다",
        ),
        LabelsCut => pick(
            "its labels were cut on arrival (too many or too long), so a silence made from them would not match it; silence it in Alertmanager",
            "받을 때 레이블이 잘려(너무 많거나 길어) 그 레이블로 만든 사일런스는 이 알림과 맞지 않습니다. Alertmanager에서 직접 사일런스하세요",
        ),
        AlreadyAcknowledged { until } => {
            let until = until.format("%Y-%m-%d %H:%M UTC");
            if ko {
                format!("{until}까지 이미 확인되어 있습니다. 먼저 사일런스를 해제하세요")
            } else {
                format!("it is acknowledged already until {until}; unsilence it first")
            }
        }
        NoAlertmanager => pick(
            "no Alertmanager URL is set, and a silence can only be created in an Alertmanager (Settings → Alertmanager)",
            "Alertmanager URL이 없습니다. 사일런스는 Alertmanager에서만 만들 수 있습니다 (설정 → Alertmanager)",
        ),
        NoCommonLabel => pick(
            "the picked alerts share no label, so one silence cannot cover them: choose one silence per alert",
            "고른 알림에 공통 레이블이 없어 사일런스 하나로 덮을 수 없습니다. 알림마다 사일런스를 고르세요",
        ),
        NoSilence => pick("it has no silence to expire", "끝낼 사일런스가 없습니다"),
        Alertmanager(errors) => errors.join("; "),
    }
}

/// What the runbook-less incident of an alert says of itself: the alert's own
/// `description`, and that no runbook matched.
pub fn generic_alert_description(description: &str) -> crate::model::Localized {
    crate::model::Localized {
        en: format!(
            "{description} No runbook matches this alert's labels, so there are no hypotheses or actions; read its labels and annotations."
        )
        .trim()
        .to_string(),
        ko: format!(
            "{description} 이 알림의 레이블과 일치하는 런북이 없어 가설과 조치는 없습니다. 레이블과 주석을 확인하세요."
        )
        .trim()
        .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ack_problem_has_words_in_both_languages_and_quotes_alertmanager() {
        use crate::model::AckProblem::*;
        let until = chrono::DateTime::UNIX_EPOCH;
        for p in [
            UnknownAlert,
            UnknownIncident,
            NotFromAlerts,
            NoneFiring,
            NoneUnacknowledged,
            LabelsCut,
            AlreadyAcknowledged { until },
            NoAlertmanager,
            NoCommonLabel,
            NoSilence,
        ] {
            let (en, ko) = (ack_problem(&p, false), ack_problem(&p, true));
            assert!(!en.is_empty() && en != ko, "{p:?}: {en} / {ko}");
        }
        let event = FeedEvent::AckNotMade {
            subject: crate::model::AckSubject::Alerts { count: 3 },
            problem: Alertmanager(vec!["http://am:9093: HTTP 500".into()]),
        };
        let ko = message(&event, Lang::Ko).unwrap();
        assert!(
            ko.contains("알림 3건") && ko.contains("http://am:9093: HTTP 500"),
            "{ko}"
        );
    }

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
