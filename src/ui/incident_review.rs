//! The part of the review the responders write, on the incident: what went well, what did
//! not, contributing factors (each saved as a new version), and follow-ups with their owner,
//! due date and status. The review built from them is written by "Write review…".

use std::collections::HashMap;

use chrono::NaiveDate;
use egui::RichText;

use super::i18n::t;
use crate::engine::Command;
use crate::model::{FollowUp, FollowUpStatus, Incident, Lang, ReviewSection};
use crate::text::timeline::{follow_up_status, review_section};

/// What is being typed: each section's text (with the version it started from, so a newer
/// version from elsewhere replaces an untouched draft), and the new follow-up.
#[derive(Default)]
pub(crate) struct ReviewDraft {
    sections: HashMap<(u64, ReviewSection), (String, String)>,
    new: HashMap<u64, NewFollowUp>,
}

#[derive(Default)]
struct NewFollowUp {
    text: String,
    owner: String,
    due: String,
}

/// A due date as typed: empty is none; otherwise `YYYY-MM-DD`, or the reason in words.
fn parse_due(text: &str, lang: Lang) -> Result<Option<NaiveDate>, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| t(lang, "due date as YYYY-MM-DD", "기한은 YYYY-MM-DD 형식"))
}

/// The sections and follow-ups, folded under "Review".
pub(super) fn review_ui(
    ui: &mut egui::Ui,
    inc: &Incident,
    lang: Lang,
    llm_on: bool,
    draft: &mut ReviewDraft,
    send: &dyn Fn(Command),
) {
    egui::CollapsingHeader::new(t(lang, "Review", "검토"))
        .id_salt(("review", inc.id))
        .show(ui, |ui| {
            model_draft_ui(ui, inc, lang, llm_on, send);
            for section in ReviewSection::ALL {
                section_ui(ui, inc, section, lang, draft, send);
            }
            ui.label(RichText::new(t(lang, "Follow-ups", "후속 조치")).strong());
            for (id, item) in inc.follow_ups() {
                ui.horizontal(|ui| {
                    let mut status = item.status;
                    egui::ComboBox::from_id_salt(("follow-up", inc.id, id))
                        .selected_text(follow_up_status(status, lang))
                        .show_ui(ui, |ui| {
                            for s in FollowUpStatus::ALL {
                                ui.selectable_value(&mut status, s, follow_up_status(s, lang));
                            }
                        });
                    if status != item.status {
                        send(Command::FollowUp {
                            incident: inc.id,
                            follow_up: Some(id),
                            item: FollowUp {
                                status,
                                ..item.clone()
                            },
                        });
                    }
                    let due = item.due.map_or_else(|| "—".into(), |d| d.to_string());
                    let owner = if item.owner.is_empty() {
                        "—"
                    } else {
                        &item.owner
                    };
                    ui.add(egui::Label::new(format!("{}  · {owner} · {due}", item.text)).wrap());
                });
            }
            new_follow_up_ui(ui, inc.id, lang, draft.new.entry(inc.id).or_default(), send);
        });
}

/// "Draft with AI" and the model's last draft of the summary, with how much of it the facts
/// do not back (the review shows it whole).
fn model_draft_ui(
    ui: &mut egui::Ui,
    inc: &Incident,
    lang: Lang,
    llm_on: bool,
    send: &dyn Fn(Command),
) {
    ui.horizontal(|ui| {
        let hover = if llm_on {
            t(
                lang,
                "The model drafts the summary and contributing factors from the incident's numbered facts",
                "모델이 인시던트의 번호 사실로 요약과 기여 요인 초안을 씁니다",
            )
        } else {
            t(lang, "Set up a model in Settings → AI first", "먼저 설정 → AI에서 모델을 설정하세요")
        };
        let button = egui::Button::new(t(lang, "Draft with AI", "AI로 초안 작성"));
        if ui.add_enabled(llm_on, button).on_hover_text(hover).on_disabled_hover_text(hover).clicked() {
            send(Command::DraftReview { incident: inc.id });
        }
    });
    let last = inc.timeline.iter().rev().find_map(|e| match &e.event {
        Some(crate::model::FeedEvent::ReviewDrafted {
            narrative,
            flags,
            model,
            ..
        }) => Some((narrative, flags.len(), model)),
        _ => None,
    });
    if let Some((narrative, flags, model)) = last {
        let flagged = match flags {
            0 => String::new(),
            n => format!(" · {n} {}", t(lang, "unbacked", "근거 없음")),
        };
        ui.label(RichText::new(format!("{model}{flagged}")).weak().small());
        ui.add(egui::Label::new(&narrative.summary.text).wrap());
    }
}

/// One section's box and its Save.
fn section_ui(
    ui: &mut egui::Ui,
    inc: &Incident,
    section: ReviewSection,
    lang: Lang,
    draft: &mut ReviewDraft,
    send: &dyn Fn(Command),
) {
    let now = inc.review_section(section).unwrap_or("");
    let (base, text) = draft
        .sections
        .entry((inc.id, section))
        .or_insert_with(|| (now.to_string(), now.to_string()));
    if text == base && base != now {
        // Untouched, and a newer version arrived: show it.
        (*base, *text) = (now.to_string(), now.to_string());
    }
    let label = ui.label(RichText::new(review_section(section, lang)).strong());
    ui.add(
        egui::TextEdit::multiline(text)
            .desired_rows(2)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
    let changed = text.trim() != now;
    let save = t(lang, "Save", "저장");
    if ui.add_enabled(changed, egui::Button::new(save)).clicked() {
        send(Command::WriteReviewSection {
            incident: inc.id,
            section,
            text: text.clone(),
        });
        *base = text.trim().to_string();
    }
}

/// The row that adds a follow-up: text, owner, due date; Add is enabled once it is whole.
fn new_follow_up_ui(
    ui: &mut egui::Ui,
    incident: u64,
    lang: Lang,
    new: &mut NewFollowUp,
    send: &dyn Fn(Command),
) {
    let due = parse_due(&new.due, lang);
    ui.horizontal(|ui| {
        let label = ui.label(t(lang, "New follow-up", "새 후속 조치"));
        ui.add(egui::TextEdit::singleline(&mut new.text).desired_width(260.0))
            .labelled_by(label.id);
        let owner = ui.label(t(lang, "Owner", "담당"));
        ui.add(egui::TextEdit::singleline(&mut new.owner).desired_width(90.0))
            .labelled_by(owner.id);
        let due_label = ui.label(t(lang, "Due", "기한"));
        ui.add(
            egui::TextEdit::singleline(&mut new.due)
                .hint_text("YYYY-MM-DD")
                .desired_width(90.0),
        )
        .labelled_by(due_label.id);
        let ready = !new.text.trim().is_empty() && due.is_ok();
        if ui
            .add_enabled(ready, egui::Button::new(t(lang, "Add", "추가")))
            .clicked()
            && let Ok(due) = due
        {
            let item = FollowUp {
                text: std::mem::take(&mut new.text),
                owner: std::mem::take(&mut new.owner),
                due,
                status: FollowUpStatus::Open,
            };
            new.due.clear();
            send(Command::FollowUp {
                incident,
                follow_up: None,
                item,
            });
        }
    });
    if let Err(why) = due {
        ui.label(RichText::new(why).color(ui.visuals().error_fg_color));
    }
}
