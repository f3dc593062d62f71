//! The alerts list: every Alertmanager alert the console knows, in Alertmanager's groups, by
//! a label, or as one flat table, filtered with Alertmanager's matcher syntax. Rows are laid
//! out only where they are on screen ([`super::alert_rows`] computes them once per change),
//! so a storm of 10,000 alerts costs a frame what thirty rows cost. A click on an alert
//! shows its details and actions above the list.

use egui::RichText;

use super::alert_rows::{AlertRows, GroupBy, Row};
use super::i18n::t;
use super::style;
use crate::detect::matcher::Matchers;
use crate::engine::{AckTarget, Command, Snapshot};
use crate::model::{Alert, AlertState, AlertStatus, Lang};
use crate::text::format_duration;

/// The Alerts tab's pages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Page {
    /// The alerts now.
    #[default]
    Now,
    /// Resolved alerts.
    History,
    /// The acknowledgements (silences) and where each stands.
    Acks,
}

/// What the list remembers between frames.
#[derive(Default)]
pub(crate) struct AlertsView {
    filter: String,
    /// The filter as last parsed, with the text it came from.
    parsed: Option<(String, Result<Matchers, String>)>,
    group_by: GroupBy,
    /// Which page is shown: the alerts now, the history of resolved ones, or the list of
    /// acknowledgements.
    page: Page,
    /// Words the history is searched for.
    search: String,
    /// The rows, as last computed.
    rows: AlertRows,
    /// The alert whose details are shown, by fingerprint.
    selected: Option<String>,
    /// The alerts picked for a bulk acknowledgement, by fingerprint.
    picked: std::collections::BTreeSet<String>,
    /// The bulk acknowledgement's form.
    bulk: super::bulk_ack::BulkDraft,
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

/// Draws the tab from what it owns (`view`, and the Acknowledge form it shares with the
/// incidents); returns the incident to show when the responder followed an alert's link.
pub(crate) fn alerts_ui(
    ui: &mut egui::Ui,
    snap: &Snapshot,
    view: &mut AlertsView,
    ack: &mut super::ack::AckForm,
    send: &dyn Fn(Command),
) -> Option<u64> {
    let lang = snap.lang();
    {
        ui.horizontal(|ui| {
            ui.selectable_value(&mut view.page, Page::Now, t(lang, "Now", "현재"));
            ui.selectable_value(
                &mut view.page,
                Page::History,
                format!(
                    "{} ({})",
                    t(lang, "History", "기록"),
                    snap.alert_history.len()
                ),
            );
            ui.selectable_value(
                &mut view.page,
                Page::Acks,
                format!(
                    "{} ({})",
                    t(lang, "Acknowledgements", "확인 목록"),
                    snap.silences.len()
                ),
            );
        });
        match view.page {
            Page::Now => {}
            Page::History => {
                super::alert_history::history_ui(ui, snap, &mut view.search);
                return None;
            }
            Page::Acks => {
                super::acks::acks_ui(ui, snap);
                return None;
            }
        }
    }
    if snap.alerts.is_empty() {
        ui.label(
            RichText::new(t(
                lang,
                "No alerts yet. Set up the Alertmanager receiver or polling (see the README).",
                "아직 알림이 없습니다. Alertmanager 수신이나 폴링을 설정하세요 (README 참고).",
            ))
            .weak(),
        );
        return None;
    }
    let dark = ui.visuals().dark_mode;
    filter_bar_ui(ui, lang, view);
    let matchers = match view.matchers() {
        Ok(m) => m,
        Err(e) => {
            ui.label(RichText::new(e).color(style::breach(dark)));
            Matchers::default()
        }
    };
    let filter = view.filter.clone();
    view.rows
        .update(&snap.alerts, &filter, &matchers, &view.group_by);
    counts_ui(ui, lang, dark, &view.rows, snap.alerts.len());
    pick_all_ui(ui, snap, view);
    super::bulk_ack::bulk_bar_ui(ui, snap, &mut view.picked, &mut view.bulk, send);
    banner_ui(ui, snap, dark);
    let show = selected_ui(ui, snap, view, ack, send);
    list_ui(ui, snap, view, dark);
    show
}

/// The filter, the grouping and the flat table.
fn filter_bar_ui(ui: &mut egui::Ui, lang: Lang, view: &mut AlertsView) {
    ui.horizontal_wrapped(|ui| {
        let label = ui.label(t(lang, "Alert filter", "알림 필터"));
        ui.add(
            egui::TextEdit::singleline(&mut view.filter)
                .hint_text(r#"{severity="critical", team=~"pay.*"}"#)
                .desired_width(320.0),
        )
        .labelled_by(label.id);
        let by_am = t(lang, "Alertmanager's groups", "Alertmanager 그룹");
        let flat = t(lang, "no groups (table)", "묶지 않음 (표)");
        let shown = match &view.group_by {
            GroupBy::Alertmanager => by_am.to_string(),
            GroupBy::Flat => flat.to_string(),
            GroupBy::Label(l) => l.clone(),
        };
        let names = view.rows.label_names.clone();
        egui::ComboBox::from_label(t(lang, "Group by", "묶기"))
            .selected_text(shown)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut view.group_by, GroupBy::Alertmanager, by_am);
                ui.selectable_value(&mut view.group_by, GroupBy::Flat, flat);
                for l in names {
                    ui.selectable_value(&mut view.group_by, GroupBy::Label(l.clone()), l);
                }
            });
    });
}

/// How many match, and the firing ones per severity.
fn counts_ui(ui: &mut egui::Ui, lang: Lang, dark: bool, rows: &AlertRows, total: usize) {
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(match lang {
                Lang::En => format!("{} of {total} alerts", rows.matching),
                Lang::Ko => format!("알림 {total}개 중 {}개", rows.matching),
            })
            .weak(),
        );
        for (severity, n) in &rows.severities {
            let name = if severity.is_empty() {
                t(lang, "no severity", "심각도 없음")
            } else {
                severity.as_str()
            };
            let color = match severity.as_str() {
                "critical" | "page" => style::breach(dark),
                "warning" => style::pending(dark),
                _ => ui.visuals().text_color(),
            };
            ui.label(RichText::new(format!("{name} {n}")).color(color).strong());
        }
        if !rows.severities.is_empty() {
            ui.label(RichText::new(t(lang, "firing", "발생 중")).weak());
        }
    });
}

/// "Select all matching the filter": every firing alert the filter matches.
fn pick_all_ui(ui: &mut egui::Ui, snap: &Snapshot, view: &mut AlertsView) {
    let lang = snap.lang();
    let firing: Vec<&String> = view
        .rows
        .matching_ids
        .iter()
        .filter_map(|i| snap.alerts.get(*i))
        .filter(|a| a.status == AlertStatus::Firing)
        .map(|a| &a.fingerprint)
        .collect();
    if firing.is_empty() {
        return;
    }
    let text = match lang {
        Lang::En => format!("Select all matching the filter ({})", firing.len()),
        Lang::Ko => format!("필터와 일치하는 알림 모두 선택 ({})", firing.len()),
    };
    if ui.button(text).clicked() {
        view.picked.extend(firing.into_iter().cloned());
    }
}

/// One line per polled Alertmanager whose polls fail: since when, why, its last good poll.
/// The others' alerts are shown as usual; the failing one's are marked in the list.
fn banner_ui(ui: &mut egui::Ui, snap: &Snapshot, dark: bool) {
    let lang = snap.lang();
    for h in snap.alertmanagers.iter().filter(|h| !h.up) {
        let since = h
            .failing_since
            .map_or(String::new(), |t| t.format("%H:%M:%S UTC").to_string());
        let last = match (h.last_good, lang) {
            (Some(t), Lang::En) => format!("last good poll {}", t.format("%H:%M:%S")),
            (Some(t), Lang::Ko) => format!("마지막 성공 {}", t.format("%H:%M:%S")),
            (None, Lang::En) => "it has not answered yet".to_string(),
            (None, Lang::Ko) => "아직 응답한 적이 없습니다".to_string(),
        };
        let reason = h.reason.as_deref().unwrap_or("");
        let text = match lang {
            Lang::En => format!(
                "Alertmanager {} failing since {since}: {reason} ({last}). Its alerts are shown as last seen, not confirmed.",
                h.url
            ),
            Lang::Ko => format!(
                "Alertmanager {} {since}부터 실패: {reason} ({last}). 이 Alertmanager의 알림은 마지막으로 본 대로 보이며 확인되지 않았습니다.",
                h.url
            ),
        };
        egui::Frame::group(ui.style())
            .stroke(egui::Stroke::new(1.0, style::breach(dark)))
            .show(ui, |ui| {
                ui.add(egui::Label::new(RichText::new(text).color(style::breach(dark))).wrap());
            });
    }
}

/// Whether `a` is known only from Alertmanagers whose polls now fail (a webhook copy does
/// not confirm it either: it says nothing of the alert since).
fn unconfirmed(a: &Alert, snap: &Snapshot) -> bool {
    let failing = |s: &String| snap.alertmanagers.iter().any(|h| !h.up && &h.url == s);
    let up = |s: &String| snap.alertmanagers.iter().any(|h| h.up && &h.url == s);
    a.status == AlertStatus::Firing
        && a.reported_by.iter().any(failing)
        && !a.reported_by.iter().any(up)
}

/// The selected alert's details and actions, above the list; returns the incident to show
/// when its link was followed.
fn selected_ui(
    ui: &mut egui::Ui,
    snap: &Snapshot,
    view: &mut AlertsView,
    ack: &mut super::ack::AckForm,
    send: &dyn Fn(Command),
) -> Option<u64> {
    let fp = view.selected.clone()?;
    let Some(a) = snap.alerts.iter().find(|a| a.fingerprint == fp).cloned() else {
        view.selected = None;
        return None;
    };
    let mut show = None;
    let dark = ui.visuals().dark_mode;
    let now = chrono::Utc::now();
    egui::Frame::group(ui.style()).show(ui, |ui| {
        egui::ScrollArea::vertical()
            .id_salt("alert-details")
            .max_height(220.0)
            .show(ui, |ui| {
                alert_row_ui(ui, &a, snap, dark, now);
                show = alert_actions_ui(ui, &a, snap, ack, send);
            });
    });
    show
}

/// The rows on screen, and nothing else laid out.
fn list_ui(ui: &mut egui::Ui, snap: &Snapshot, view: &mut AlertsView, dark: bool) {
    let lang = snap.lang();
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    let mut toggle = None;
    let mut select = None;
    let flat = view.group_by == GroupBy::Flat;
    let now = chrono::Utc::now();
    egui::ScrollArea::vertical()
        .id_salt("alerts-list")
        .auto_shrink([false, false])
        .show_rows(ui, row_height, view.rows.rows.len(), |ui, range| {
            for row in &view.rows.rows[range] {
                let size = egui::vec2(ui.available_width(), row_height);
                let layout = egui::Layout::left_to_right(egui::Align::Center);
                ui.allocate_ui_with_layout(size, layout, |ui| match row {
                    Row::Group {
                        key,
                        count,
                        firing,
                        open,
                    } => {
                        let members = view.rows.members.get(key).cloned().unwrap_or_default();
                        let mut all = !members.is_empty()
                            && members.iter().all(|i| {
                                snap.alerts
                                    .get(*i)
                                    .is_some_and(|a| view.picked.contains(&a.fingerprint))
                            });
                        if ui.checkbox(&mut all, "").changed() {
                            for a in members.iter().filter_map(|i| snap.alerts.get(*i)) {
                                if all {
                                    view.picked.insert(a.fingerprint.clone());
                                } else {
                                    view.picked.remove(&a.fingerprint);
                                }
                            }
                        }
                        let mark = if *open { "[-]" } else { "[+]" };
                        if ui.small_button(mark).clicked()
                            | ui.add(
                                egui::Label::new(
                                    RichText::new(format!("{key} ({count})")).strong(),
                                )
                                .sense(egui::Sense::click())
                                .truncate(),
                            )
                            .clicked()
                        {
                            toggle = Some(key.clone());
                        }
                        if firing != count {
                            ui.label(
                                RichText::new(match lang {
                                    Lang::En => format!("{firing} firing"),
                                    Lang::Ko => format!("{firing}개 발생 중"),
                                })
                                .weak(),
                            );
                        }
                    }
                    Row::Alert(i) => {
                        let Some(a) = snap.alerts.get(*i) else {
                            return;
                        };
                        if !flat {
                            ui.add_space(18.0);
                        }
                        let mut on = view.picked.contains(&a.fingerprint);
                        if ui.checkbox(&mut on, "").changed() {
                            if on {
                                view.picked.insert(a.fingerprint.clone());
                            } else {
                                view.picked.remove(&a.fingerprint);
                            }
                        }
                        let selected = view.selected.as_deref() == Some(a.fingerprint.as_str());
                        if unconfirmed(a, snap) {
                            ui.label(
                                RichText::new(t(lang, "not confirmed", "미확인"))
                                    .color(style::pending(dark)),
                            );
                        }
                        if line_ui(ui, a, lang, dark, selected, now) {
                            select = Some(a.fingerprint.clone());
                        }
                    }
                });
            }
        });
    if let Some(key) = toggle {
        view.rows.toggle(&key);
    }
    if let Some(fp) = select {
        view.selected = if view.selected.as_ref() == Some(&fp) {
            None
        } else {
            Some(fp)
        };
    }
}

/// One alert on one line: status, severity, name (a click shows its details), summary and
/// how long it has fired. Returns whether the name was clicked.
fn line_ui(
    ui: &mut egui::Ui,
    a: &Alert,
    lang: Lang,
    dark: bool,
    selected: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> bool {
    let (status, color) = match a.status {
        AlertStatus::Firing => (t(lang, "firing", "발생 중"), style::breach(dark)),
        AlertStatus::Resolved => (t(lang, "resolved", "해소"), style::recovered(dark)),
    };
    ui.label(RichText::new(status).color(color));
    if !a.severity().is_empty() {
        ui.label(format!("[{}]", a.severity()));
    }
    let clicked = ui
        .selectable_label(selected, RichText::new(a.name()).strong())
        .clicked();
    let lasted = format_duration(a.ends_at.unwrap_or(now) - a.starts_at);
    ui.label(RichText::new(lasted).weak());
    if !a.summary().is_empty() {
        ui.add(egui::Label::new(a.summary()).truncate());
    }
    clicked
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
    ack: &mut super::ack::AckForm,
    send: &dyn Fn(Command),
) -> Option<u64> {
    let lang = snap.lang();
    let show = std::cell::Cell::new(None);
    let incident = snap.incidents.iter().rev().find(|i| {
        i.alerts.as_ref().is_some_and(|l| l.has(&a.fingerprint))
            && (i.status.is_active() || a.status == AlertStatus::Resolved)
    });
    ui.indent(("alert-actions", &a.fingerprint), |ui| {
        let leading = |ui: &mut egui::Ui| match incident {
            Some(inc) => {
                let text = format!("{} #{}", t(lang, "Incident", "인시던트"), inc.id);
                if ui.link(text).clicked() {
                    show.set(Some(inc.id));
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
            let by = super::ack::silences_named(&a.silenced_by, &snap.silences);
            super::ack::ack_ui(
                ui,
                lang,
                AckTarget::Alert(a.fingerprint.clone()),
                a.name(),
                snap.alert_acks.get(&a.fingerprint),
                super::ack::Silenced {
                    any: !a.silenced_by.is_empty(),
                    by: &by,
                },
                ack,
                send,
                leading,
            );
        } else {
            ui.horizontal(leading);
        }
    });
    show.get()
}
