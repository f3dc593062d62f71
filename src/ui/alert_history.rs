//! The history of resolved alerts: every episode, newest first, across restarts, searched
//! by words, labels or incident.

use egui::RichText;

use super::i18n::t;
use super::style;
use crate::engine::Snapshot;
use crate::text::format_duration;

/// The resolved alerts, newest first, searched by words.
pub(super) fn history_ui(ui: &mut egui::Ui, snap: &Snapshot, search: &mut String) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    ui.horizontal(|ui| {
        let label = ui.label(t(lang, "Search history", "기록 검색"));
        ui.add(
            egui::TextEdit::singleline(search)
                .hint_text(t(
                    lang,
                    "words, label=\"value\", #incident",
                    "단어, 레이블=\"값\", #인시던트",
                ))
                .desired_width(320.0),
        )
        .labelled_by(label.id);
    });
    let found: Vec<&crate::model::ResolvedAlert> = snap
        .alert_history
        .iter()
        .rev()
        .filter(|r| r.found_by(search))
        .collect();
    if found.is_empty() {
        let text = if snap.alert_history.is_empty() {
            t(
                lang,
                "No alert has resolved yet; each one that does is kept here, across restarts.",
                "아직 해소된 알림이 없습니다. 해소된 알림은 재시작 후에도 여기에 남습니다.",
            )
        } else {
            t(
                lang,
                "Nothing in the history matches.",
                "일치하는 기록이 없습니다.",
            )
        };
        ui.label(RichText::new(text).weak());
        return;
    }
    ui.label(
        RichText::new(format!(
            "{} {}",
            found.len(),
            t(lang, "resolved alerts", "개의 해소된 알림")
        ))
        .weak(),
    );
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    egui::ScrollArea::vertical()
        .id_salt("alert-history")
        .auto_shrink([false, false])
        .show_rows(ui, row_height, found.len(), |ui, rows| {
            for r in &found[rows] {
                ui.horizontal(|ui| {
                    ui.label(
                        RichText::new(t(lang, "resolved", "해소")).color(style::recovered(dark)),
                    );
                    let name = r.labels.get("alertname").map_or("", String::as_str);
                    ui.label(RichText::new(name).strong());
                    if let Some(sev) = r.labels.get("severity") {
                        ui.label(format!("[{sev}]"));
                    }
                    ui.label(format!(
                        "{} → {} ({})",
                        r.starts_at.format("%m-%d %H:%M:%S"),
                        r.ends_at.format("%m-%d %H:%M:%S"),
                        format_duration(r.duration())
                    ));
                    if let Some(id) = r.incident {
                        ui.label(format!("#{id}"));
                    }
                    ui.label(RichText::new(&r.summary).weak());
                });
            }
        });
}
