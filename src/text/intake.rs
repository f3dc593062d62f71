//! Words for what the intake did not take (refused requests, refused or cut alerts), in
//! English and Korean. Made from typed refusals only: no byte of the request reaches them.

use crate::model::{AlertCut, FeedEvent, IntakeRefusal, Lang};

/// The event in words, for [`FeedEvent::NotTaken`] and [`FeedEvent::AlertsCut`]; `None`
/// for any other event.
pub fn message(event: &FeedEvent, lang: Lang) -> Option<String> {
    let ko = lang == Lang::Ko;
    Some(match event {
        FeedEvent::NotTaken {
            refusal,
            status,
            more,
        } => {
            let what = refusal_words(*refusal, ko);
            let status = status.map_or(String::new(), |s| format!(" (HTTP {s})"));
            let more = match (*more, ko) {
                (0, _) => String::new(),
                (n, true) => format!(" — 지난 줄 이후 같은 이유로 {n}건 더"),
                (n, false) => format!(" — {n} more of these since the last line"),
            };
            if ko {
                format!("받지 않았습니다{status}: {what}{more}")
            } else {
                format!("Not taken{status}: {what}{more}")
            }
        }
        FeedEvent::AlertsCut { name, cut, more } => {
            let what = cut_words(cut, ko);
            let more = match (*more, ko) {
                (0, _) => String::new(),
                (n, true) => format!(" (지난 줄 이후 {n}개 알림 더)"),
                (n, false) => format!(" ({n} more alerts since the last line)"),
            };
            if ko {
                format!("알림 {name}이(가) 허용 크기를 넘어 잘렸습니다: {what}{more}")
            } else {
                format!("Alert {name} was larger than the console keeps and was cut: {what}{more}")
            }
        }
        FeedEvent::IntakeTokenMade => {
            if ko {
                "수신기를 켜면서 임의의 수신 토큰을 만들었습니다. 설정 → Alertmanager에서 alertmanager.yml 예시와 함께 복사하세요".to_string()
            } else {
                "The receiver was given a random token as it was turned on: copy it, with its alertmanager.yml entry, from Settings → Alertmanager".to_string()
            }
        }
        _ => return None,
    })
}

/// What was cut, as a list.
fn cut_words(cut: &AlertCut, ko: bool) -> String {
    let parts = [
        (cut.labels_dropped, "labels dropped", "레이블 제외"),
        (cut.annotations_dropped, "annotations dropped", "주석 제외"),
        (cut.values_shortened, "values shortened", "값 줄임"),
    ];
    parts
        .iter()
        .filter(|(n, ..)| *n > 0)
        .map(|(n, en, k)| {
            if ko {
                format!("{k} {n}")
            } else {
                format!("{n} {en}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One refusal in words: what came, and what the sender or the responder can do.
pub fn refusal_words(refusal: IntakeRefusal, ko: bool) -> &'static str {
    use IntakeRefusal::*;
    match (refusal, ko) {
        (Method, false) => "a request other than a POST; Alertmanager POSTs webhooks",
        (Method, true) => "POST가 아닌 요청입니다. Alertmanager는 웹훅을 POST로 보냅니다",
        (FromWebPage, false) => {
            "a request from a web page (it carries an Origin header); only Alertmanager posts here"
        }
        (FromWebPage, true) => {
            "웹 페이지에서 온 요청입니다 (Origin 헤더). 여기에는 Alertmanager만 보낼 수 있습니다"
        }
        (NotJson, false) => "a body not sent as Content-Type: application/json",
        (NotJson, true) => "본문이 Content-Type: application/json으로 오지 않았습니다",
        (Unauthorized, false) => {
            "a missing or wrong token; set the receiver's bearer token (or basic password) to the console's"
        }
        (Unauthorized, true) => {
            "토큰이 없거나 틀립니다. 수신자의 bearer 토큰(또는 basic 비밀번호)을 콘솔의 토큰으로 설정하세요"
        }
        (TooLarge, false) => "a body past the receiver's 1 MiB; lower the receiver's max_alerts",
        (TooLarge, true) => "본문이 1 MiB를 넘습니다. 수신자의 max_alerts를 낮추세요",
        (SlowBody, false) => "a body that did not arrive in time",
        (SlowBody, true) => "본문이 제시간에 도착하지 않았습니다",
        (Unreadable, false) => "a body that could not be read",
        (Unreadable, true) => "본문을 읽을 수 없습니다",
        (NotAlertmanager, false) => {
            "not an Alertmanager webhook (its JSON, a field, a status or a time); the sender got the details"
        }
        (NotAlertmanager, true) => {
            "Alertmanager 웹훅이 아닙니다 (JSON, 필드, 상태 또는 시각). 자세한 내용은 보낸 쪽에 응답했습니다"
        }
        (Version, false) => "a webhook payload version other than \"4\"",
        (Version, true) => "웹훅 페이로드 버전이 \"4\"가 아닙니다",
        (Fingerprint, false) => {
            "an alert fingerprint that is empty, longer than 128 bytes or holds control characters"
        }
        (Fingerprint, true) => {
            "알림 fingerprint가 비었거나 128바이트를 넘거나 제어 문자를 담고 있습니다"
        }
        (FutureTime, false) => {
            "an alert that starts or ends more than 5 minutes in the future (a forged or badly clocked sender)"
        }
        (FutureTime, true) => {
            "시작 또는 종료 시각이 5분 넘게 미래인 알림입니다 (위조되었거나 시계가 틀린 발신자)"
        }
        (ResolveWhilePolled, false) => {
            "a webhook said an alert resolved that a polled Alertmanager still lists as firing; it stays firing"
        }
        (ResolveWhilePolled, true) => {
            "폴링하는 Alertmanager가 아직 발생 중으로 보고하는 알림을 웹훅이 해소라고 했습니다. 발생 중으로 둡니다"
        }
        (EpisodeWhilePolled, false) => {
            "a webhook gave another start time for an alert a polled Alertmanager lists; the polled one stands"
        }
        (EpisodeWhilePolled, true) => {
            "폴링하는 Alertmanager가 보고하는 알림에 웹훅이 다른 시작 시각을 보냈습니다. 폴링한 값을 유지합니다"
        }
        (BookFull, false) => {
            "a new alert while the console already holds 50000 alerts; it is in Alertmanager, not here"
        }
        (BookFull, true) => {
            "콘솔이 이미 알림 50000개를 가지고 있어 새 알림을 받지 않았습니다. Alertmanager에서 확인하세요"
        }
        (IncidentsFull, false) => {
            "an alert that would open an incident while 200 incidents opened from alerts are active; it stays in the Alerts list"
        }
        (IncidentsFull, true) => {
            "알림으로 열린 활성 인시던트가 이미 200개라 새 인시던트를 열지 않았습니다. 알림 목록에는 남아 있습니다"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_words_in_both_languages_and_a_count_of_the_rest() {
        let event = FeedEvent::NotTaken {
            refusal: IntakeRefusal::FromWebPage,
            status: Some(403),
            more: 41,
        };
        let en = message(&event, Lang::En).unwrap();
        assert!(en.contains("403") && en.contains("41 more"), "{en}");
        let ko = message(&event, Lang::Ko).unwrap();
        assert!(ko.contains("41건"), "{ko}");
        use IntakeRefusal::*;
        for r in [
            Method,
            FromWebPage,
            NotJson,
            Unauthorized,
            TooLarge,
            SlowBody,
            Unreadable,
            NotAlertmanager,
            Version,
            Fingerprint,
            FutureTime,
            ResolveWhilePolled,
            EpisodeWhilePolled,
            BookFull,
            IncidentsFull,
        ] {
            assert_ne!(refusal_words(r, false), refusal_words(r, true));
        }
    }

    #[test]
    fn a_cut_alert_says_what_was_cut() {
        let event = FeedEvent::AlertsCut {
            name: "Flood".into(),
            cut: AlertCut {
                labels_dropped: 36,
                annotations_dropped: 0,
                values_shortened: 2,
            },
            more: 0,
        };
        let en = message(&event, Lang::En).unwrap();
        assert!(en.contains("36 labels dropped, 2 values shortened"), "{en}");
        assert!(!en.contains("annotations"));
    }
}
