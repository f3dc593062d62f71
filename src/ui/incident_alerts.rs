//! An incident opened from Alertmanager alerts: which runbook entry matched and why, its
//! group and alerts, the time to resolve, and Acknowledge / Unsilence.

use egui::RichText;

use super::i18n::t;
use super::style;
use crate::engine::{AckTarget, Command, Snapshot};
use crate::model::{AlertStatus, Incident, Lang};
use crate::text::format_duration;

/// Draws the section; nothing for an incident a metric rule opened.
pub(crate) fn incident_alerts_ui(
    ui: &mut egui::Ui,
    inc: &Incident,
    snap: &Snapshot,
    ack: &mut super::ack::AckForm,
    send: &dyn Fn(Command),
) {
    let Some(links) = &inc.alerts else {
        return;
    };
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    ui.add_space(6.0);
    ui.label(
        RichText::new(t(lang, "Alertmanager alerts", "Alertmanager 알림"))
            .strong()
            .size(15.0),
    );
    let why = match (&links.matched, lang) {
        (Some(m), Lang::En) => {
            let others = if m.also_matched.is_empty() {
                String::new()
            } else {
                format!(
                    "; also matched, less specific: {}",
                    m.also_matched.join(", ")
                )
            };
            format!(
                "Runbook `{}` matched by {} ({} matchers, {} exact){others}",
                inc.scenario.code, m.matcher, m.matchers, m.exact
            )
        }
        (Some(m), Lang::Ko) => {
            let others = if m.also_matched.is_empty() {
                String::new()
            } else {
                format!("; 덜 구체적인 다른 일치: {}", m.also_matched.join(", "))
            };
            format!(
                "런북 `{}`이(가) {}와 일치 (매처 {}개, 정확 일치 {}개){others}",
                inc.scenario.code, m.matcher, m.matchers, m.exact
            )
        }
        (None, Lang::En) => "Opened by hand from an alert".to_string(),
        (None, Lang::Ko) => "알림에서 수동으로 열었습니다".to_string(),
    };
    ui.label(why);
    ui.label(
        RichText::new(format!("{} {}", t(lang, "Group", "그룹"), links.group))
            .weak()
            .monospace(),
    );
    // Laid out only where on screen: a storm's group may hold thousands.
    let firing = links
        .fingerprints()
        .filter(|f| !links.resolved.contains(*f))
        .count();
    ui.label(
        RichText::new(match lang {
            Lang::En => format!("{} alerts attached, {firing} firing", links.count()),
            Lang::Ko => format!("알림 {}개 연결됨, {firing}개 발생 중", links.count()),
        })
        .weak(),
    );
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    let rows = links.alerts.len();
    egui::ScrollArea::vertical()
        .id_salt(("incident-alerts", inc.id))
        .max_height(row_height * rows.min(10) as f32 + 2.0)
        .show_rows(ui, row_height, rows, |ui, range| {
            for (fp, labels) in &links.alerts[range] {
                let resolved = links.resolved.contains(fp);
                let live = snap.alerts.iter().find(|a| &a.fingerprint == fp);
                let (status, color) = match (resolved, live.map(|a| a.status)) {
                    (true, _) | (_, Some(AlertStatus::Resolved)) => {
                        (t(lang, "resolved", "해소"), style::recovered(dark))
                    }
                    _ => (t(lang, "firing", "발생 중"), style::breach(dark)),
                };
                ui.horizontal(|ui| {
                    ui.label(RichText::new(status).color(color));
                    let name = labels.get("alertname").map_or("", String::as_str);
                    ui.label(RichText::new(name).strong());
                    let rest: Vec<String> = labels
                        .iter()
                        .filter(|(k, _)| k.as_str() != "alertname")
                        .map(|(k, v)| format!("{k}=\"{v}\""))
                        .collect();
                    ui.add(
                        egui::Label::new(RichText::new(rest.join(" ")).monospace().small())
                            .truncate(),
                    );
                });
            }
        });
    if !links.more.is_empty() {
        let firing = links
            .more
            .iter()
            .filter(|f| !links.resolved.contains(*f))
            .count();
        ui.label(RichText::new(match lang {
            Lang::En => format!(
                "and {} more alerts attached ({firing} still firing; their labels are in the Alerts list)",
                links.more.len()
            ),
            Lang::Ko => format!(
                "그 밖에 알림 {}개가 연결됨 ({firing}개 발생 중, 레이블은 알림 목록에 있습니다)",
                links.more.len()
            ),
        }));
    }
    if let Some(at) = links.resolved_at {
        ui.label(
            RichText::new(format!(
                "{} {} ({} {})",
                t(lang, "All resolved at", "모두 해소:"),
                at.format("%Y-%m-%d %H:%M:%S UTC"),
                t(lang, "time to resolve", "해소까지"),
                format_duration(at - inc.opened_at)
            ))
            .color(style::recovered(dark)),
        );
    }
    if links.ack.is_some() || (inc.status.is_active() && !links.all_resolved()) {
        // Its alerts' silences, whoever made them.
        let ids = (snap.alerts.iter())
            .filter(|a| links.alerts.iter().any(|(fp, _)| *fp == a.fingerprint))
            .flat_map(|a| a.silenced_by.iter());
        let by = super::ack::silences_named(ids, &snap.silences);
        super::ack::ack_ui(
            ui,
            lang,
            AckTarget::Incident(inc.id),
            inc.scenario.title.text(lang),
            links.ack.as_ref(),
            super::ack::Silenced {
                any: false,
                by: &by,
            },
            ack,
            send,
            |_| {},
        );
    }
}
