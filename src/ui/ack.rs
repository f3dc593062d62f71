//! Acknowledge and Unsilence, for an incident opened from alerts or for one alert: the
//! acknowledgement as it stands, or a small form (comment, minutes) that asks the engine to
//! create the silences. The engine checks everything again; this only gathers the words.

use egui::RichText;

use super::i18n::t;
use super::style;
use crate::engine::{AckTarget, Command};
use crate::model::{Ack, Lang};

/// Minutes an acknowledgement lasts unless the responder types another number.
pub(crate) const DEFAULT_ACK_MINS: u32 = 60;

/// The form being filled in, for one target at a time.
#[derive(Default)]
pub(crate) struct AckForm {
    target: Option<AckTarget>,
    comment: String,
    minutes: String,
}

/// The acknowledgement of `target` (`ack`), with Unsilence, or Acknowledge and its form, in
/// one row after what `leading` draws (the form, when open, goes below it).
/// `silenced`: Alertmanager says something else silences it (Unsilence expires that too).
#[allow(clippy::too_many_arguments)]
pub(crate) fn ack_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    target: AckTarget,
    default_comment: &str,
    ack: Option<&Ack>,
    silenced: Silenced<'_>,
    form: &mut AckForm,
    send: &dyn Fn(Command),
    leading: impl FnOnce(&mut egui::Ui),
) {
    let open = form.target.as_ref() == Some(&target);
    ui.horizontal_wrapped(|ui| {
        leading(ui);
        ack_row_ui(
            ui,
            lang,
            &target,
            default_comment,
            ack,
            silenced.any,
            form,
            send,
        );
    });
    // Who acknowledged it elsewhere (amtool, karma, the Alertmanager UI, another console):
    // their silences say so.
    if ack.is_none() {
        let now = chrono::Utc::now();
        for s in silenced.by {
            let words = crate::text::alerts::silenced_by(s, now, lang);
            ui.label(RichText::new(words).color(style::pending(ui.visuals().dark_mode)));
        }
    }
    if open {
        ack_form_ui(ui, lang, form, send);
    }
}

/// Whether the alerts behind an Acknowledge row are silenced, and the silences the console
/// knows of among those holding them (none yet until the next poll reads them).
#[derive(Clone, Copy)]
pub(crate) struct Silenced<'a> {
    /// Whether any holds them.
    pub any: bool,
    /// The silences, with who made them.
    pub by: &'a [&'a crate::model::Silence],
}

/// The silences among `all` that `ids` name, each once.
pub(crate) fn silences_named<'a>(
    ids: impl IntoIterator<Item = &'a String>,
    all: &'a [crate::model::Silence],
) -> Vec<&'a crate::model::Silence> {
    let mut found: Vec<&crate::model::Silence> = Vec::new();
    for id in ids {
        if let Some(s) = all.iter().find(|s| &s.id == id)
            && !found.iter().any(|f| f.id == s.id)
        {
            found.push(s);
        }
    }
    found
}

/// The state and the buttons.
#[allow(clippy::too_many_arguments)]
fn ack_row_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    target: &AckTarget,
    default_comment: &str,
    ack: Option<&Ack>,
    silenced: bool,
    form: &mut AckForm,
    send: &dyn Fn(Command),
) {
    let target = target.clone();
    let dark = ui.visuals().dark_mode;
    let now = chrono::Utc::now();
    if let Some(ack) = ack {
        let (state, color) = if ack.holds(now) {
            (t(lang, "Acknowledged", "확인됨"), style::pending(dark))
        } else {
            (
                t(lang, "Acknowledgement ended", "확인 종료"),
                style::recovered(dark),
            )
        };
        {
            ui.label(RichText::new(state).color(color).strong());
            let text = match lang {
                Lang::En => format!(
                    "by {} at {}, silenced until {} ({} silences) — \"{}\"",
                    ack.by,
                    ack.at.format("%m-%d %H:%M UTC"),
                    ack.until.format("%m-%d %H:%M UTC"),
                    ack.silences.len(),
                    ack.comment
                ),
                Lang::Ko => format!(
                    "{} · {} · {}까지 사일런스 ({}개) — \"{}\"",
                    ack.by,
                    ack.at.format("%m-%d %H:%M UTC"),
                    ack.until.format("%m-%d %H:%M UTC"),
                    ack.silences.len(),
                    ack.comment
                ),
            };
            ui.label(text);
        }
        if ack.holds(now) {
            if ui.button(t(lang, "Unsilence", "사일런스 해제")).clicked() {
                send(Command::Unsilence { target });
            }
            return;
        }
    } else if silenced && ui.button(t(lang, "Unsilence", "사일런스 해제")).clicked() {
        send(Command::Unsilence {
            target: target.clone(),
        });
    }
    if form.target.as_ref() != Some(&target)
        && ui.button(t(lang, "Acknowledge", "확인(ack)")).clicked()
    {
        *form = AckForm {
            target: Some(target),
            comment: default_comment.to_string(),
            minutes: DEFAULT_ACK_MINS.to_string(),
        };
    }
}

/// The open form: comment, minutes, Create silence, Cancel.
fn ack_form_ui(ui: &mut egui::Ui, lang: Lang, form: &mut AckForm, send: &dyn Fn(Command)) {
    let dark = ui.visuals().dark_mode;
    ui.group(|ui| {
        ui.label(
            RichText::new(t(
                lang,
                "Acknowledging creates a silence of exactly these labels in the Alertmanagers that reported them.",
                "확인하면 알림을 보고한 Alertmanager에 이 레이블 그대로의 사일런스를 만듭니다.",
            ))
            .weak(),
        );
        ui.horizontal(|ui| {
            let label = ui.label(t(lang, "Silence comment", "사일런스 코멘트"));
            ui.add(egui::TextEdit::singleline(&mut form.comment).desired_width(280.0))
                .labelled_by(label.id);
        });
        ui.horizontal(|ui| {
            let label = ui.label(t(lang, "Minutes", "분"));
            ui.add(egui::TextEdit::singleline(&mut form.minutes).desired_width(60.0))
                .labelled_by(label.id);
        });
        let minutes = form.minutes.trim().parse::<u32>().ok().filter(|m| {
            (1..=crate::engine::ack::MAX_ACK_MINS).contains(m)
        });
        if minutes.is_none() {
            ui.label(
                RichText::new(format!(
                    "{} 1–{}",
                    t(lang, "Minutes must be a whole number in", "분은 다음 범위의 정수여야 합니다:"),
                    crate::engine::ack::MAX_ACK_MINS
                ))
                .color(style::breach(dark)),
            );
        }
        ui.horizontal(|ui| {
            let create = ui.add_enabled(
                minutes.is_some(),
                egui::Button::new(t(lang, "Create silence", "사일런스 만들기")),
            );
            if create.clicked()
                && let (Some(target), Some(duration_mins)) = (form.target.take(), minutes)
            {
                send(Command::Acknowledge {
                    target,
                    comment: std::mem::take(&mut form.comment),
                    duration_mins,
                });
            }
            if ui.button(t(lang, "Cancel", "취소")).clicked() {
                form.target = None;
            }
        });
    });
}
