//! The Reports view: per runbook and rule, how many incidents opened in the last 7 or 30 days
//! and the median time to detect, acknowledge, mitigate, recover and close. Computed from the
//! incidents' timelines once per change of the list (or of the hour), not per frame.

use std::sync::Arc;

use egui::RichText;

use super::i18n::t;
use crate::model::{Incident, KeyTimeRow, Lang, key_time_rows};

/// The window chosen and the rows last computed.
#[derive(Default)]
pub(crate) struct ReportsView {
    /// 30 days instead of 7.
    month: bool,
    /// (the list it was computed from, the hour it was computed in, 30 days?, rows)
    cache: Option<(usize, i64, bool, Vec<KeyTimeRow>)>,
}

/// The view.
pub(super) fn reports_ui(
    ui: &mut egui::Ui,
    incidents: &Arc<Vec<Incident>>,
    lang: Lang,
    view: &mut ReportsView,
) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(t(lang, "Incidents opened in the last", "최근")).strong());
        ui.selectable_value(&mut view.month, false, t(lang, "7 days", "7일"));
        ui.selectable_value(&mut view.month, true, t(lang, "30 days", "30일"));
    });
    let now = chrono::Utc::now();
    let hour = now.timestamp() / 3600;
    let list = Arc::as_ptr(incidents) as usize;
    let fresh = view
        .cache
        .as_ref()
        .is_some_and(|c| c.0 == list && c.1 == hour && c.2 == view.month);
    if !fresh {
        let days = if view.month { 30 } else { 7 };
        let rows = key_time_rows(incidents, now - chrono::Duration::days(days));
        view.cache = Some((list, hour, view.month, rows));
    }
    let rows = view.cache.as_ref().map_or(&[][..], |c| &c.3[..]);
    if rows.is_empty() {
        ui.label(t(
            lang,
            "No incident opened in this window.",
            "이 기간에 열린 인시던트가 없습니다.",
        ));
        return;
    }
    let head = match lang {
        Lang::En => [
            "Runbook",
            "Rule",
            "Incidents",
            "Detect",
            "Acknowledge",
            "Mitigate",
            "Recover",
            "Close",
        ],
        Lang::Ko => [
            "런북", "규칙", "건수", "감지", "확인", "완화", "복구", "종료",
        ],
    };
    ui.label(
        RichText::new(t(
            lang,
            "Medians, from when the trouble began, over the incidents that got there.",
            "중앙값. 문제 시작부터, 해당 단계에 이른 인시던트 기준.",
        ))
        .weak(),
    );
    egui::Grid::new("key times")
        .striped(true)
        .num_columns(head.len())
        .show(ui, |ui| {
            for h in head {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for row in rows {
                ui.label(&row.runbook);
                ui.label(row.rule.as_deref().unwrap_or("—"));
                ui.label(row.incidents.to_string());
                for m in &row.medians {
                    ui.label(m.map_or_else(|| "—".into(), crate::text::format_duration));
                }
                ui.end_row();
            }
        });
}
