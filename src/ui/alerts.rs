//! The alerts list: every Alertmanager alert the console knows, firing first, grouped as
//! Alertmanager grouped them or by a label, filtered with Alertmanager's matcher syntax.

use std::collections::BTreeMap;

use egui::RichText;

use super::i18n::t;
use super::state::UiState;
use super::style;
use crate::detect::matcher::Matchers;
use crate::engine::{AckTarget, Command, Snapshot};
use crate::model::{Alert, AlertState, AlertStatus, Lang};
use crate::text::format_duration;

/// How the list is grouped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum GroupBy {
    /// As Alertmanager grouped them (`groupKey`); alerts only polled go under "not grouped".
    #[default]
    Alertmanager,
    /// By one label's value.
    Label(String),
}

/// What the list remembers between frames.
#[derive(Default)]
pub(crate) struct AlertsView {
    filter: String,
    /// The filter as last parsed, with the text it came from.
    parsed: Option<(String, Result<Matchers, String>)>,
    group_by: GroupBy,
    /// Whether the history of resolved alerts is shown instead of the alerts now.
    history: bool,
    /// Words the history is searched for.
    search: String,
}

impl AlertsView {
    fn matchers(&mut self) -> Result<Matchers, String> {
        if self
            .parsed
            .as_ref()
            .is_none_or(|(text, _)| text != &self.filter)
        {
            let parsed = Matchers::parse(&self.filter).map_err(|e| e.to_string());
            self.parsed = Some((self.filter.clone(), parsed));
        }
        self.parsed
            .as_ref()
            .map_or(Ok(Matchers::default()), |(_, r)| r.clone())
    }
}

/// The number of alerts firing now (for the tab's title).
pub(crate) fn firing_count(snap: &Snapshot) -> usize {
    snap.alerts
        .iter()
        .filter(|a| a.status == AlertStatus::Firing)
        .count()
}

/// Draws the list.
pub(crate) fn alerts_ui(
    ui: &mut egui::Ui,
    snap: &Snapshot,
    state: &mut UiState,
    send: &dyn Fn(Command),
) {
    let view = &mut state.alerts;
    let lang = snap.lang();
    ui.horizontal(|ui| {
        ui.selectable_value(&mut view.history, false, t(lang, "Now", "현재"));
        ui.selectable_value(
            &mut view.history,
            true,
            format!(
                "{} ({})",
                t(lang, "History", "기록"),
                snap.alert_history.len()
            ),
        );
    });
    if view.history {
        return history_ui(ui, snap, view);
    }
    let dark = ui.visuals().dark_mode;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label(t(lang, "Alert filter", "알림 필터"));
        ui.add(
            egui::TextEdit::singleline(&mut view.filter)
                .hint_text(r#"{severity="critical", team=~"pay.*"}"#)
                .desired_width(320.0),
        )
        .labelled_by(label.id);
        let labels: Vec<String> = {
            let mut names: Vec<String> = snap
                .alerts
                .iter()
                .flat_map(|a| a.labels.keys().cloned())
                .collect();
            names.sort();
            names.dedup();
            names
        };
        let shown = match &view.group_by {
            GroupBy::Alertmanager => {
                t(lang, "Alertmanager's groups", "Alertmanager 그룹").to_string()
            }
            GroupBy::Label(l) => l.clone(),
        };
        egui::ComboBox::from_label(t(lang, "Group by", "묶기"))
            .selected_text(shown)
            .show_ui(ui, |ui| {
                ui.selectable_value(
                    &mut view.group_by,
                    GroupBy::Alertmanager,
                    t(lang, "Alertmanager's groups", "Alertmanager 그룹"),
                );
                for l in labels {
                    ui.selectable_value(&mut view.group_by, GroupBy::Label(l.clone()), l);
                }
            });
    });
    let matchers = match view.matchers() {
        Ok(m) => m,
        Err(e) => {
            ui.label(RichText::new(e).color(style::breach(dark)));
            Matchers::default()
        }
    };
    let shown: Vec<&Alert> = snap
        .alerts
        .iter()
        .filter(|a| matchers.matches(&a.labels))
        .collect();
    if snap.alerts.is_empty() {
        ui.label(
            RichText::new(t(
                lang,
                "No alerts yet. Set up the Alertmanager receiver or polling (see the README).",
                "아직 알림이 없습니다. Alertmanager 수신이나 폴링을 설정하세요 (README 참고).",
            ))
            .weak(),
        );
        return;
    }
    let mut groups: BTreeMap<String, Vec<&Alert>> = BTreeMap::new();
    for a in shown {
        let key = match &view.group_by {
            GroupBy::Alertmanager => a
                .group_key
                .clone()
                .unwrap_or_else(|| t(lang, "not grouped (polled)", "그룹 없음 (폴링)").into()),
            GroupBy::Label(l) => format!("{l}=\"{}\"", a.label(l)),
        };
        groups.entry(key).or_default().push(a);
    }
    let now = chrono::Utc::now();
    egui::ScrollArea::vertical()
        .id_salt("alerts-list")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (key, mut alerts) in groups {
                // Firing first, then the newest.
                alerts.sort_by_key(|a| {
                    (
                        a.status != AlertStatus::Firing,
                        std::cmp::Reverse(a.starts_at),
                    )
                });
                ui.label(RichText::new(format!("{key} ({})", alerts.len())).strong());
                for a in alerts {
                    alert_row_ui(ui, a, snap, dark, now);
                    alert_actions_ui(ui, a, snap, state, send);
                }
                ui.add_space(6.0);
            }
        });
}

fn alert_row_ui(
    ui: &mut egui::Ui,
    a: &Alert,
    snap: &Snapshot,
    dark: bool,
    now: chrono::DateTime<chrono::Utc>,
) {
    let lang: Lang = snap.lang();
    ui.horizontal_wrapped(|ui| {
        let (status, color) = match a.status {
            AlertStatus::Firing => (t(lang, "firing", "발생 중"), style::breach(dark)),
            AlertStatus::Resolved => (t(lang, "resolved", "해소"), style::recovered(dark)),
        };
        ui.label(RichText::new(status).color(color).strong());
        if a.status == AlertStatus::Firing && a.state != AlertState::Active {
            let state = match a.state {
                AlertState::Suppressed => t(lang, "suppressed", "억제됨"),
                _ => t(lang, "unprocessed", "처리 전"),
            };
            ui.label(RichText::new(state).color(style::pending(dark)));
        }
        if !a.severity().is_empty() {
            ui.label(format!("[{}]", a.severity()));
        }
        ui.label(RichText::new(a.name()).strong());
        if !a.summary().is_empty() {
            ui.label(a.summary());
        }
    });
    ui.indent(("alert", &a.fingerprint), |ui| {
        let until = a.ends_at.unwrap_or(now);
        let lasted = format_duration(until - a.starts_at);
        ui.label(
            RichText::new(format!(
                "{} {} ({lasted}) · {} {}",
                t(lang, "since", "시작"),
                a.starts_at.format("%m-%d %H:%M:%S"),
                t(lang, "reported by", "보고:"),
                a.reported_by.iter().cloned().collect::<Vec<_>>().join(", ")
            ))
            .weak(),
        );
        if !a.silenced_by.is_empty() || !a.inhibited_by.is_empty() {
            ui.label(
                RichText::new(format!(
                    "{} {} · {} {}",
                    t(lang, "silenced by", "사일런스:"),
                    a.silenced_by.join(", "),
                    t(lang, "inhibited by", "억제:"),
                    a.inhibited_by.join(", ")
                ))
                .weak(),
            );
        }
        let labels: Vec<String> = a
            .labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{v}\""))
            .collect();
        ui.label(RichText::new(labels.join(" ")).monospace().small());
        ui.horizontal_wrapped(|ui| {
            // Only http(s) opens; any other link is shown as text.
            let runbook = a.annotations.get("runbook_url").filter(|u| !u.is_empty());
            for (name, url) in [
                (t(lang, "runbook", "런북"), runbook.map(String::as_str)),
                (
                    t(lang, "source query", "원본 쿼리"),
                    Some(a.generator_url.as_str()).filter(|u| !u.is_empty()),
                ),
            ] {
                let Some(url) = url else { continue };
                match crate::model::web_link(url) {
                    Some(link) => {
                        ui.hyperlink_to(name, link);
                    }
                    None => {
                        ui.label(RichText::new(format!("{name}: {url}")).small());
                    }
                }
            }
            for (k, v) in &a.annotations {
                if !matches!(k.as_str(), "summary" | "runbook_url") {
                    ui.label(RichText::new(format!("{k}: {v}")).small());
                }
            }
        });
    });
}

/// The incident the alert is in (a link that shows it) or Open incident; and, while it
/// fires, its acknowledgement.
fn alert_actions_ui(
    ui: &mut egui::Ui,
    a: &Alert,
    snap: &Snapshot,
    state: &mut UiState,
    send: &dyn Fn(Command),
) {
    let lang = snap.lang();
    let incident = snap.incidents.iter().rev().find(|i| {
        i.alerts.as_ref().is_some_and(|l| l.has(&a.fingerprint))
            && (i.status.is_active() || a.status == AlertStatus::Resolved)
    });
    ui.indent(("alert-actions", &a.fingerprint), |ui| {
        let leading = |ui: &mut egui::Ui| match incident {
            Some(inc) => {
                let text = format!("{} #{}", t(lang, "Incident", "인시던트"), inc.id);
                if ui.link(text).clicked() {
                    state.selected_incident = Some(inc.id);
                    state.show_alerts = false;
                }
            }
            None if a.status == AlertStatus::Firing
                && ui
                    .button(t(lang, "Open incident", "인시던트 열기"))
                    .clicked() =>
            {
                send(Command::IncidentFromAlert {
                    fingerprint: a.fingerprint.clone(),
                });
            }
            None => {}
        };
        if a.status == AlertStatus::Firing {
            super::ack::ack_ui(
                ui,
                lang,
                AckTarget::Alert(a.fingerprint.clone()),
                a.name(),
                snap.alert_acks.get(&a.fingerprint),
                !a.silenced_by.is_empty(),
                &mut state.ack,
                send,
                leading,
            );
        } else {
            ui.horizontal(leading);
        }
    });
}

/// The resolved alerts, newest first, searched by words.
fn history_ui(ui: &mut egui::Ui, snap: &Snapshot, view: &mut AlertsView) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    ui.horizontal(|ui| {
        let label = ui.label(t(lang, "Search history", "기록 검색"));
        ui.add(
            egui::TextEdit::singleline(&mut view.search)
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
        .filter(|r| r.found_by(&view.search))
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
