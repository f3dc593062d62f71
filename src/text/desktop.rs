//! Words for the desktop: the notifications' titles and bodies, and the feed's line when no
//! notification service answers, in English and Korean.

use crate::model::{Alert, DesktopFault, FeedEvent, Incident, Lang, TrayFault};

/// The feed's line for [`FeedEvent::DesktopUnavailable`]; `None` for any other event.
pub fn message(event: &FeedEvent, lang: Lang) -> Option<String> {
    use FeedEvent::*;
    let ko = lang == Lang::Ko;
    Some(match event {
        DesktopUnavailable { fault, reason } => {
            let why = match (fault, ko) {
                (DesktopFault::Worded, _) => reason.clone(),
                (DesktopFault::NoService, false) => {
                    format!("no notification service answered ({reason})")
                }
                (DesktopFault::NoService, true) => {
                    format!("알림 서비스가 응답하지 않습니다 ({reason})")
                }
                (DesktopFault::Refused, false) => {
                    format!("the system did not show the notification ({reason})")
                }
                (DesktopFault::Refused, true) => {
                    format!("시스템이 알림을 띄우지 않았습니다 ({reason})")
                }
            };
            if ko {
                format!("데스크톱 알림을 띄울 수 없습니다: {why}. 콘솔은 계속 동작합니다")
            } else {
                format!("Cannot show desktop notifications: {why}; the console carries on")
            }
        }
        WentToTray => {
            if ko {
                "창을 닫았지만 콘솔은 트레이에서 계속 감시합니다. 끝내려면 트레이 메뉴에서 종료를 고르세요".to_string()
            } else {
                "The window is closed; the console keeps watching in the tray. Quit from the tray's menu".to_string()
            }
        }
        TrayHost { shown: false } => {
            if ko {
                "트레이 호스트(패널)가 아직 없습니다. 패널이 뜨면 아이콘이 나타나고, 그 전까지는 창을 닫으면 콘솔이 종료됩니다".to_string()
            } else {
                "No tray host (panel) yet: the icon appears when one starts; until then closing the window quits the console".to_string()
            }
        }
        TrayHost { shown: true } => {
            if ko {
                "트레이 아이콘이 패널에 나타났습니다. 이제 창을 닫아도 콘솔은 트레이에서 계속 감시합니다".to_string()
            } else {
                "The tray icon is on the panel now: closing the window keeps the console watching in the tray".to_string()
            }
        }
        TrayUnavailable { fault, reason } => {
            let said = |s: &str| match s.is_empty() {
                true => String::new(),
                false => format!(" ({s})"),
            };
            let why = match (fault, ko) {
                (TrayFault::Worded, _) => reason.clone(),
                (TrayFault::NoSessionBus, false) => {
                    format!("no D-Bus session bus answered{}", said(reason))
                }
                (TrayFault::NoSessionBus, true) => {
                    format!("D-Bus 세션 버스가 응답하지 않습니다{}", said(reason))
                }
                (TrayFault::Refused, false) => format!("the tray could not start{}", said(reason)),
                (TrayFault::Refused, true) => {
                    format!("트레이를 시작할 수 없습니다{}", said(reason))
                }
                (TrayFault::Unsupported, false) => "this platform has no tray yet".into(),
                (TrayFault::Unsupported, true) => "이 플랫폼에는 아직 트레이가 없습니다".into(),
            };
            if ko {
                format!("트레이 아이콘이 없습니다: {why}. 창을 닫으면 콘솔이 종료됩니다")
            } else {
                format!("No tray icon: {why}; closing the window quits the console")
            }
        }
        AutostartSet { on: false, .. } => (if ko {
            "로그인할 때 시작하지 않습니다"
        } else {
            "The console no longer starts at login"
        })
        .to_string(),
        AutostartSet {
            on: true,
            minimised,
        } => match (ko, minimised) {
            (false, false) => "The console starts at login".to_string(),
            (false, true) => "The console starts at login, in the tray".to_string(),
            (true, false) => "로그인할 때 콘솔이 시작됩니다".to_string(),
            (true, true) => "로그인할 때 콘솔이 트레이에서 시작됩니다".to_string(),
        },
        AutostartFailed { reason } => {
            if ko {
                format!("로그인 시 시작을 설정하지 못했습니다: {reason}")
            } else {
                format!("Starting at login could not be set: {reason}")
            }
        }
        _ => return None,
    })
}

/// The notification raised when the window first closes into the tray: title and body.
pub fn went_to_tray(lang: Lang) -> (String, String) {
    match lang {
        Lang::En => (
            "Still watching".to_string(),
            "The console keeps watching in the tray. Quit from the tray's menu.".to_string(),
        ),
        Lang::Ko => (
            "계속 감시 중".to_string(),
            "콘솔은 트레이에서 계속 감시합니다. 끝내려면 트레이 메뉴에서 종료를 고르세요."
                .to_string(),
        ),
    }
}

/// A desktop notification's title and body for a newly opened incident.
pub fn desktop_incident(inc: &Incident, lang: Lang) -> (String, String) {
    let title = match lang {
        Lang::En => format!("Incident #{} opened", crate::model::incident_label(inc.id)),
        Lang::Ko => format!("인시던트 #{} 열림", crate::model::incident_label(inc.id)),
    };
    let mut body = inc.scenario.title.text(lang).to_string();
    if let Some(links) = &inc.alerts
        && let Some((_, labels)) = links.alerts.first()
    {
        let name = labels.get("alertname").map_or("", String::as_str);
        let severity = labels.get("severity").map_or("", String::as_str);
        body.push_str(&format!("\n{name} [{severity}]"));
    } else if let Some(series) = &inc.trigger.series {
        body.push_str(&format!("\n{series}"));
    }
    (title, body)
}

/// A desktop notification's title and body for a new firing alert.
pub fn desktop_alert(alert: &Alert, lang: Lang) -> (String, String) {
    let title = match lang {
        Lang::En => format!("Alert firing: {} [{}]", alert.name(), alert.severity()),
        Lang::Ko => format!("알림 발생: {} [{}]", alert.name(), alert.severity()),
    };
    (title, alert.summary().to_string())
}

/// The one notification for `count` alerts held back in a storm minute.
pub fn desktop_storm(count: u64, lang: Lang) -> (String, String) {
    match lang {
        Lang::En => (
            format!("{count} more alerts firing"),
            "An alert storm: they are in the console's Alerts tab.".to_string(),
        ),
        Lang::Ko => (
            format!("알림 {count}개 더 발생"),
            "알림 폭주: 콘솔의 알림 탭에 모두 있습니다.".to_string(),
        ),
    }
}

/// A button on a notification.
#[derive(Clone, Copy, Debug)]
pub enum ActionLabel {
    /// Acknowledge for this many minutes.
    Acknowledge(u32),
    /// Take the incident (one from a rule has nothing to silence).
    Take,
    /// Keep it from repeating for this many minutes.
    Snooze(i64),
    /// Bring the window up on it.
    Open,
}

/// A notification button's label.
pub fn action_label(label: ActionLabel, lang: Lang) -> String {
    let ko = lang == Lang::Ko;
    match label {
        ActionLabel::Acknowledge(mins) if mins % 60 == 0 => {
            let h = mins / 60;
            if ko {
                format!("확인 {h}시간")
            } else {
                format!("Acknowledge {h} h")
            }
        }
        ActionLabel::Acknowledge(mins) => {
            if ko {
                format!("확인 {mins}분")
            } else {
                format!("Acknowledge {mins} min")
            }
        }
        ActionLabel::Take => (if ko { "맡기" } else { "Take it" }).into(),
        ActionLabel::Snooze(mins) => {
            if ko {
                format!("{mins}분 미루기")
            } else {
                format!("Snooze {mins} min")
            }
        }
        ActionLabel::Open => (if ko { "열기" } else { "Open" }).into(),
    }
}

/// A repeat's title: the first one's, with how many times it was shown.
pub fn again(title: &str, shown: u32, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{title} (reminder {})", shown - 1),
        Lang::Ko => format!("{title} (다시 알림 {})", shown - 1),
    }
}

/// The silence's comment of an acknowledgement given from a notification.
pub fn ack_comment(lang: Lang) -> String {
    match lang {
        Lang::En => "acknowledged from the desktop notification".into(),
        Lang::Ko => "데스크톱 알림에서 확인함".into(),
    }
}
