//! Acknowledging many alerts at once: the alerts picked in the list (one by one, a whole
//! group, or every one the filter matches), one comment, and the choice between one silence
//! per alert and one silence of their common matchers, with how many silences that makes and
//! how many other alerts the common one would also silence, said before anything is created.

use std::collections::BTreeSet;

use egui::RichText;

use super::i18n::t;
use super::style;
use crate::engine::{Command, Snapshot};
use crate::model::{Alert, AlertStatus, Lang, common_labels};

/// The bulk form's fields.
pub(crate) struct BulkDraft {
    comment: String,
    minutes: String,
    common: bool,
}

impl Default for BulkDraft {
    fn default() -> Self {
        Self {
            comment: String::new(),
            minutes: "60".into(),
            common: false,
        }
    }
}

/// The picked alerts' bar: how many, the form, and Create.
pub(crate) fn bulk_bar_ui(
    ui: &mut egui::Ui,
    snap: &Snapshot,
    picked: &mut BTreeSet<String>,
    draft: &mut BulkDraft,
    send: &dyn Fn(Command),
) {
    if picked.is_empty() {
        return;
    }
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    let alerts: Vec<&Alert> = snap
        .alerts
        .iter()
        .filter(|a| picked.contains(&a.fingerprint) && a.status == AlertStatus::Firing)
        .map(|a| a.as_ref())
        .collect();
    let common = common_labels(alerts.iter().copied());
    let also = if common.is_empty() {
        0
    } else {
        snap.alerts
            .iter()
            .filter(|a| a.status == AlertStatus::Firing && !picked.contains(&a.fingerprint))
            .filter(|a| common.iter().all(|(k, v)| a.labels.get(k) == Some(v)))
            .count()
    };
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(match lang {
                Lang::En => format!("{} picked, {} firing", picked.len(), alerts.len()),
                Lang::Ko => format!("{}개 선택, {}개 발생 중", picked.len(), alerts.len()),
            }).strong());
            if ui.button(t(lang, "Clear selection", "선택 해제")).clicked() {
                picked.clear();
            }
        });
        ui.horizontal_wrapped(|ui| {
            let l = ui.label(t(lang, "Bulk silence comment", "일괄 사일런스 코멘트"));
            ui.add(egui::TextEdit::singleline(&mut draft.comment).desired_width(260.0))
                .labelled_by(l.id);
            let l = ui.label(t(lang, "Minutes", "분"));
            ui.add(egui::TextEdit::singleline(&mut draft.minutes).desired_width(50.0))
                .labelled_by(l.id);
        });
        ui.radio_value(
            &mut draft.common,
            false,
            match lang {
                Lang::En => format!("One silence per alert ({} silences)", alerts.len()),
                Lang::Ko => format!("알림마다 사일런스 하나 (사일런스 {}개)", alerts.len()),
            },
        );
        let matchers: Vec<String> = common.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
        let common_text = match (common.is_empty(), lang) {
            (true, Lang::En) => "One silence of their common matchers (they share no label)".to_string(),
            (true, Lang::Ko) => "공통 매처로 사일런스 하나 (공통 레이블이 없습니다)".to_string(),
            (false, Lang::En) => format!(
                "One silence of their common matchers {{{}}} (1 silence; it also silences {also} alerts not picked)",
                matchers.join(", ")
            ),
            (false, Lang::Ko) => format!(
                "공통 매처로 사일런스 하나 {{{}}} (사일런스 1개, 선택하지 않은 알림 {also}개도 함께 조용해집니다)",
                matchers.join(", ")
            ),
        };
        ui.add_enabled_ui(!common.is_empty(), |ui| {
            ui.radio_value(&mut draft.common, true, common_text);
        });
        if common.is_empty() {
            draft.common = false;
        }
        let minutes = draft.minutes.trim().parse::<u32>().ok().filter(|m| (1..=10_080).contains(m));
        if minutes.is_none() {
            ui.label(
                RichText::new(t(
                    lang,
                    "Minutes: a whole number from 1 to 10080 (a week).",
                    "분: 1부터 10080(일주일)까지의 정수.",
                ))
                .color(style::breach(dark)),
            );
        }
        let count = if draft.common { 1 } else { alerts.len() };
        let create = match lang {
            Lang::En if count == 1 => "Create 1 silence".to_string(),
            Lang::En => format!("Create {count} silences"),
            Lang::Ko => format!("사일런스 {count}개 만들기"),
        };
        let ready = minutes.is_some() && !alerts.is_empty();
        if ui.add_enabled(ready, egui::Button::new(create)).clicked() {
            send(Command::AcknowledgeMany {
                fingerprints: alerts.iter().map(|a| a.fingerprint.clone()).collect(),
                comment: draft.comment.clone(),
                duration_mins: minutes.unwrap_or(60),
                common: draft.common,
            });
            picked.clear();
        }
    });
}
