//! The list of acknowledgements (the Alertmanagers' silences, whoever made them): which are
//! stale (taken hours ago, still firing), which expire soon while their alerts still fire,
//! which are active, and which hold nothing firing.

use egui::RichText;

use super::i18n::t;
use super::style;
use crate::engine::Snapshot;
use crate::model::{AckState, AlertStatus, Lang, Silence, ack_state};
use crate::text::format_duration;

/// At most this many rows are drawn (the rest are counted).
const MAX_ROWS: usize = 500;

/// One silence as the list shows it.
struct Row<'a> {
    silence: &'a Silence,
    state: AckState,
    firing: usize,
    names: Vec<&'a str>,
}

fn rows<'a>(snap: &'a Snapshot, now: chrono::DateTime<chrono::Utc>) -> Vec<Row<'a>> {
    let mut rows: Vec<Row> = (snap.silences.iter())
        .map(|s| {
            let held: Vec<_> = (snap.alerts.iter())
                .filter(|a| a.status == AlertStatus::Firing && a.silenced_by.contains(&s.id))
                .collect();
            let mut names: Vec<&str> = held.iter().map(|a| a.name()).collect();
            names.sort_unstable();
            names.dedup();
            Row {
                silence: s,
                state: ack_state(s, held.len(), now),
                firing: held.len(),
                names,
            }
        })
        .collect();
    // What needs a look first: stale, then expiring, soonest end first.
    rows.sort_by_key(|r| (r.state, r.silence.ends_at));
    rows
}

fn state_words(state: AckState, lang: Lang) -> &'static str {
    match state {
        AckState::Stale => t(lang, "stale", "오래됨"),
        AckState::Expiring => t(lang, "expiring", "곧 만료"),
        AckState::Active => t(lang, "active", "유효"),
        AckState::Idle => t(lang, "holds nothing firing", "발생 중인 알림 없음"),
    }
}

/// Team mode: who has each active incident (its owner in the team store), and since when.
fn owners_ui(ui: &mut egui::Ui, snap: &Snapshot, now: chrono::DateTime<chrono::Utc>) {
    if snap.team == crate::model::TeamStatus::Off {
        return;
    }
    let lang = snap.lang();
    let active: Vec<_> = (snap.incidents.iter())
        .filter(|i| i.status.is_active())
        .collect();
    ui.label(RichText::new(t(lang, "Incidents and who has them", "인시던트와 담당자")).strong());
    if active.is_empty() {
        ui.label(
            RichText::new(t(
                lang,
                "No active incident.",
                "진행 중인 인시던트가 없습니다.",
            ))
            .weak(),
        );
    }
    for inc in active {
        ui.horizontal_wrapped(|ui| {
            ui.label(format!(
                "#{} {}",
                crate::model::incident_label(inc.id),
                inc.scenario.code
            ));
            match inc.owned() {
                Some((owner, at)) => {
                    ui.label(RichText::new(owner).strong());
                    let held = format_duration(now - at);
                    let words = match lang {
                        Lang::En => format!("has it for {held}"),
                        Lang::Ko => format!("{held}째 담당"),
                    };
                    ui.label(RichText::new(words).weak());
                }
                None => {
                    ui.label(
                        RichText::new(t(lang, "nobody has it", "담당자 없음"))
                            .color(style::pending(ui.visuals().dark_mode)),
                    );
                }
            }
        });
    }
    ui.separator();
}

/// Draws the list.
pub(crate) fn acks_ui(ui: &mut egui::Ui, snap: &Snapshot) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    let now = chrono::Utc::now();
    owners_ui(ui, snap, now);
    let rows = rows(snap, now);
    if rows.is_empty() {
        ui.label(
            RichText::new(t(
                lang,
                "No acknowledgements: the polled Alertmanagers hold no active or pending silence.",
                "확인(ack) 없음: 폴링하는 Alertmanager에 유효하거나 예약된 사일런스가 없습니다.",
            ))
            .weak(),
        );
        return;
    }
    let count = |s: AckState| rows.iter().filter(|r| r.state == s).count();
    ui.label(match lang {
        Lang::En => format!(
            "{} acknowledgement{} · {} stale (older than {} h, still firing) · {} expiring (within {} min, still firing)",
            rows.len(),
            if rows.len() == 1 { "" } else { "s" },
            count(AckState::Stale),
            crate::model::STALE_HOURS,
            count(AckState::Expiring),
            crate::model::EXPIRING_MINS
        ),
        Lang::Ko => format!(
            "확인 {}건 · 오래됨 {}건 ({}시간 넘게 계속 발생) · 곧 만료 {}건 ({}분 안에, 계속 발생)",
            rows.len(),
            count(AckState::Stale),
            crate::model::STALE_HOURS,
            count(AckState::Expiring),
            crate::model::EXPIRING_MINS
        ),
    });
    egui::ScrollArea::vertical()
        .id_salt("acks")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for r in rows.iter().take(MAX_ROWS) {
                row_ui(ui, r, now, lang, dark);
            }
            if rows.len() > MAX_ROWS {
                ui.label(RichText::new(format!("… +{}", rows.len() - MAX_ROWS)).weak());
            }
        });
}

fn row_ui(ui: &mut egui::Ui, r: &Row, now: chrono::DateTime<chrono::Utc>, lang: Lang, dark: bool) {
    let s = r.silence;
    let colour = match r.state {
        AckState::Stale => Some(style::breach(dark)),
        AckState::Expiring => Some(style::pending(dark)),
        AckState::Active | AckState::Idle => None,
    };
    ui.horizontal_wrapped(|ui| {
        let mut state = RichText::new(state_words(r.state, lang)).strong();
        if let Some(c) = colour {
            state = state.color(c);
        }
        ui.label(state);
        ui.label(
            RichText::new(if s.created_by.is_empty() {
                "?"
            } else {
                &s.created_by
            })
            .strong(),
        );
        if !s.comment.is_empty() {
            ui.label(format!("\"{}\"", s.comment));
        }
        let held = if r.names.is_empty() {
            t(lang, "no firing alert", "발생 중인 알림 없음").to_string()
        } else {
            format!(
                "{} ({} {})",
                r.names.join(", "),
                r.firing,
                t(lang, "firing", "발생 중")
            )
        };
        ui.label(RichText::new(held).weak());
        let since = format!(
            "{} {} ({} {})",
            t(lang, "since", "시작"),
            s.starts_at.format("%m-%d %H:%M UTC"),
            format_duration(now - s.starts_at),
            t(lang, "ago", "전")
        );
        let ends = format!(
            "{} {} ({} {})",
            t(lang, "ends", "종료"),
            s.ends_at.format("%m-%d %H:%M UTC"),
            t(lang, "in", "남은 시간"),
            format_duration(s.ends_at - now)
        );
        ui.label(RichText::new(format!("{since} · {ends}")).weak());
    });
}
