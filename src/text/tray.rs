//! Words for the tray: its title, its tooltip (how many fire, the worst severity, whether
//! muted), and its menu, in English and Korean.

use crate::model::{Lang, TrayStatus, Worst};

/// The item's title.
pub fn title(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Incident Response Console",
        Lang::Ko => "장애 대응 콘솔",
    }
}

/// The tooltip's text: `3 firing, worst critical` / `nothing firing`, and the mute.
pub fn tooltip(s: &TrayStatus) -> String {
    let ko = s.lang == Lang::Ko;
    let worst = match (s.worst, ko) {
        (Worst::Critical, _) => "critical",
        (Worst::Warning, _) => "warning",
        (_, false) => "other",
        (_, true) => "기타",
    };
    let mut text = match (s.firing, ko) {
        (0, false) => "Nothing firing".to_string(),
        (0, true) => "발생 중인 알림 없음".to_string(),
        (n, false) => format!("{n} firing, worst {worst}"),
        (n, true) => format!("{n}건 발생 중, 가장 심각: {worst}"),
    };
    if let Some(until) = s.muted_until {
        let at = until.with_timezone(&chrono::Local).format("%H:%M");
        text.push_str(&if ko {
            format!(" · {at}까지 음소거")
        } else {
            format!(" · muted until {at}")
        });
    }
    text
}

/// An entry of the tray's menu.
#[derive(Clone, Copy, Debug)]
pub enum MenuLabel {
    /// Bring the window up.
    Open,
    /// Mute sounds and repeats for this many minutes.
    Mute(u32),
    /// End the mute.
    SoundOn,
    /// Close the window and stop watching.
    Quit,
}

/// A menu entry's label.
pub fn menu_label(label: MenuLabel, lang: Lang) -> String {
    let ko = lang == Lang::Ko;
    match label {
        MenuLabel::Open => (if ko {
            "콘솔 열기"
        } else {
            "Open the console"
        })
        .into(),
        MenuLabel::Mute(mins) if mins % 60 == 0 => {
            let h = mins / 60;
            if ko {
                format!("{h}시간 음소거")
            } else {
                format!("Mute for {h} h")
            }
        }
        MenuLabel::Mute(mins) => {
            if ko {
                format!("{mins}분 음소거")
            } else {
                format!("Mute for {mins} min")
            }
        }
        MenuLabel::SoundOn => (if ko { "소리 켜기" } else { "Sound on" }).into(),
        MenuLabel::Quit => (if ko { "종료" } else { "Quit" }).into(),
    }
}
